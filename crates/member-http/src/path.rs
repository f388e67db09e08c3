//! Request paths built only from static literals and checked identifiers.

use std::fmt;

use member_types::{Identifier, ValidationError};

fn is_safe_segment(segment: &str) -> bool {
    !segment.is_empty()
        && segment
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// A path below the base URL, such as
/// `/accounts/023e105f4ecef8ad9ca31a8372d0c353/members`.
///
/// It can only be built from `'static` literals and checked identifiers, so no
/// caller-supplied text can add a segment, a `..`, a query or a fragment.
///
/// ```
/// use member_http::ApiPath;
/// use member_types::{AccountId, MemberId};
///
/// let account: AccountId = "023e105f4ecef8ad9ca31a8372d0c353".parse()?;
/// let member = MemberId::from_server("4536bcfad5faccb111b47003c79917fa");
/// let path = ApiPath::new()
///     .lit("accounts")
///     .id(&account)?
///     .lit("members")
///     .id(&member)?;
/// assert_eq!(path.template(), "/accounts/{account_id}/members/{member_id}");
/// assert_eq!(
///     path.as_str(),
///     "/accounts/023e105f4ecef8ad9ca31a8372d0c353/members/4536bcfad5faccb111b47003c79917fa"
/// );
///
/// // An identifier from a response is re-checked before it reaches a URL.
/// let bad = MemberId::from_server("../roles");
/// let err = ApiPath::new().lit("members").id(&bad).unwrap_err();
/// assert!(err.to_string().contains("member_id"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct ApiPath {
    path: String,
    template: String,
}

impl ApiPath {
    /// The empty path (the base URL itself).
    pub fn new() -> Self {
        // Room for the usual `/accounts/{32}/members/{32}` and its template,
        // so that building one does not reallocate segment by segment.
        Self {
            path: String::with_capacity(96),
            template: String::with_capacity(64),
        }
    }

    /// Appends a literal segment such as `"accounts"`.
    ///
    /// # Panics
    /// When `segment` is empty or holds anything but ASCII letters, digits,
    /// `-` or `_`. The segment is a literal in the caller's source code, so
    /// this is a programming error, found by the first test that builds the
    /// path (like [`http::HeaderName::from_static`]).
    #[must_use]
    pub fn lit(mut self, segment: &'static str) -> Self {
        assert!(
            is_safe_segment(segment),
            "ApiPath::lit: {segment:?} is not a plain path segment"
        );
        self.path.push('/');
        self.path.push_str(segment);
        self.template.push('/');
        self.template.push_str(segment);
        self
    }

    /// Appends an identifier segment after re-checking it with the
    /// identifier's own rule ([`Identifier::checked`]).
    ///
    /// Whatever an implementation of [`Identifier`] says, a segment that is
    /// not plain ASCII letters, digits, `-` or `_` is refused.
    ///
    /// # Errors
    /// The [`ValidationError`] of an identifier that breaks its rule; nothing
    /// is sent. It converts into [`Error`](crate::Error) with `?`
    /// ([`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput)).
    pub fn id<I: Identifier + ?Sized>(mut self, id: &I) -> Result<Self, ValidationError> {
        let segment = id.checked()?;
        if !is_safe_segment(segment) {
            return Err(ValidationError::Format {
                field: I::FIELD,
                value: segment.chars().take(40).collect(),
                rule: "a path segment holds only ASCII letters, digits, '-' and '_'",
            });
        }
        self.path.push('/');
        self.path.push_str(segment);
        self.template.push_str("/{");
        self.template.push_str(I::FIELD);
        self.template.push('}');
        Ok(self)
    }

    /// The path with its identifiers, starting with `/` (empty for the base
    /// URL itself).
    pub fn as_str(&self) -> &str {
        &self.path
    }

    /// The path with identifiers replaced by their field names, e.g.
    /// `/accounts/{account_id}/members/{member_id}`: what tracing records.
    pub fn template(&self) -> &str {
        &self.template
    }
}

impl fmt::Display for ApiPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.path)
    }
}

impl fmt::Debug for ApiPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ApiPath({:?})", self.path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use member_types::{AccountId, PermissionGroupId, PolicyId, ResourceGroupId, RoleId, UserId};

    struct Sneaky;
    impl Identifier for Sneaky {
        const FIELD: &'static str = "sneaky_id";
        fn checked(&self) -> Result<&str, ValidationError> {
            Ok("..")
        }
    }

    #[test]
    fn refuses_unsafe_segment_from_any_implementation() {
        let err = ApiPath::new().id(&Sneaky).unwrap_err();
        assert!(err.to_string().contains("sneaky_id"), "{err}");
    }

    #[test]
    #[should_panic(expected = "not a plain path segment")]
    fn literal_with_slash_panics() {
        let _ = ApiPath::new().lit("a/b");
    }

    #[test]
    fn every_id_type_is_rechecked() {
        let bad = "a/b";
        assert!(ApiPath::new().id(&RoleId::from_server(bad)).is_err());
        assert!(ApiPath::new().id(&AccountId::from_server(bad)).is_err());
        assert!(ApiPath::new().id(&PolicyId::from_server(bad)).is_err());
        assert!(ApiPath::new().id(&UserId::from_server(bad)).is_err());
        assert!(ApiPath::new()
            .id(&PermissionGroupId::from_server(bad))
            .is_err());
        assert!(ApiPath::new()
            .id(&ResourceGroupId::from_server(bad))
            .is_err());
    }
}
