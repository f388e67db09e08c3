//! Request paths built only from static literals and checked identifiers.

use std::fmt;

use member_types::{
    AccountId, MemberId, PermissionGroupId, PolicyId, ResourceGroupId, RoleId, UserId,
    ValidationError,
};

use crate::error::Error;

/// An identifier that may become a URL path segment.
///
/// Implemented for every identifier newtype of `member-types`; the
/// implementation re-checks the value with the identifier's own rule, so an
/// identifier that came from a server response is checked again before it
/// reaches a URL. [`ApiPath::id`] additionally refuses any segment that is not
/// plain ASCII letters, digits, `-` or `_`, whatever an implementation says.
pub trait PathId {
    /// The name shown in path templates and error messages, e.g. `member_id`.
    const FIELD: &'static str;

    /// The checked segment.
    ///
    /// # Errors
    /// The identifier's validation error when it breaks its rule.
    fn checked_segment(&self) -> Result<&str, ValidationError>;
}

macro_rules! path_id {
    ($($id:ty),* $(,)?) => {$(
        impl PathId for $id {
            const FIELD: &'static str = <$id>::FIELD;

            fn checked_segment(&self) -> Result<&str, ValidationError> {
                self.check()
            }
        }
    )*};
}

path_id!(
    AccountId,
    MemberId,
    RoleId,
    PolicyId,
    PermissionGroupId,
    ResourceGroupId,
    UserId
);

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
/// assert_eq!(err.kind(), member_http::ErrorKind::InvalidInput);
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

    /// Appends an identifier segment after re-checking it.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) when the
    /// identifier breaks its rule; nothing is sent.
    pub fn id<I: PathId + ?Sized>(mut self, id: &I) -> Result<Self, Error> {
        let segment = id.checked_segment()?;
        if !is_safe_segment(segment) {
            return Err(Error::invalid_input(
                format!("{} is not a plain path segment", I::FIELD),
                None,
            ));
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

    struct Sneaky;
    impl PathId for Sneaky {
        const FIELD: &'static str = "sneaky_id";
        fn checked_segment(&self) -> Result<&str, ValidationError> {
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
