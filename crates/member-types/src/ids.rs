//! Identifier newtypes.
//!
//! Every identifier that a caller supplies (through [`FromStr`], `new`, or by
//! deserializing a request body) is checked: ASCII letters and digits only,
//! with the documented length. The check keeps path segments such as `..`,
//! `/`, `%2F` or `?` out of URLs, so a typo can never address another
//! resource.
//!
//! Identifiers that arrive in *server responses* are never refused for their
//! content: the server is authoritative there. Response models read them with
//! [`from_server`](MemberId::from_server) semantics, and anything that later
//! builds a URL from one re-checks it with [`check`](MemberId::check).
//!
//! ```
//! use member_types::{AccountId, MemberId};
//!
//! let account: AccountId = "023e105f4ecef8ad9ca31a8372d0c353".parse()?;
//! let member = MemberId::new("4536bcfad5faccb111b47003c79917fa")?;
//! assert_eq!(member.as_str(), "4536bcfad5faccb111b47003c79917fa");
//!
//! let err = MemberId::new("../roles").unwrap_err();
//! assert!(err.to_string().contains("member_id"));
//! # Ok::<(), member_types::ValidationError>(())
//! ```

use std::borrow::Cow;
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

use arrayvec::ArrayString;
use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{shorten, ValidationError};

/// Checks `value` against the identifier rule: ASCII letters and digits only,
/// between `min` and `max` characters.
pub(crate) fn check_id(
    field: &'static str,
    value: &str,
    min: usize,
    max: usize,
) -> Result<(), ValidationError> {
    // The rule's text is built only for an error: ids are checked on every
    // request that puts one in a URL.
    let bad = |reason: String| ValidationError::InvalidId {
        field,
        value: shorten(value),
        reason,
        rule: if min == max {
            format!("exactly {max} ASCII letters or digits")
        } else {
            format!("{min} to {max} ASCII letters or digits")
        },
    };
    if value.is_empty() {
        return Err(bad("it is empty".to_owned()));
    }
    // Bytes, not chars: every byte of a valid id is ASCII, and the first
    // byte that is not alphanumeric starts the character to report.
    if let Some(at) = value.bytes().position(|b| !b.is_ascii_alphanumeric()) {
        let c = value[at..].chars().next().unwrap_or_default();
        return Err(bad(format!("it contains {c:?}")));
    }
    let len = value.len();
    if len < min || len > max {
        return Err(bad(format!("it has {len} characters")));
    }
    Ok(())
}

/// An identifier that may become a URL path segment: its field name and its
/// rule.
///
/// Implemented by every identifier newtype of this crate (and available to
/// new ones through the same macro), so a transport can put any identifier
/// in a path without naming the domain type. [`checked`](Self::checked)
/// re-checks the value with the identifier's own rule: an identifier that
/// came from a server response is checked again before it reaches a URL.
///
/// ```
/// use member_types::{Identifier, MemberId};
///
/// fn segment<I: Identifier>(id: &I) -> Result<String, member_types::ValidationError> {
///     Ok(format!("{}={}", I::FIELD, id.checked()?))
/// }
/// let member = MemberId::from_server("4536bcfad5faccb111b47003c79917fa");
/// assert_eq!(segment(&member)?, "member_id=4536bcfad5faccb111b47003c79917fa");
/// assert!(segment(&MemberId::from_server("../roles")).is_err());
/// # Ok::<(), member_types::ValidationError>(())
/// ```
pub trait Identifier {
    /// The field name shown in path templates and error messages, e.g.
    /// `member_id`.
    const FIELD: &'static str;

    /// The identifier as text after re-checking it against its rule.
    ///
    /// # Errors
    /// [`ValidationError::InvalidId`] when the value breaks the rule.
    fn checked(&self) -> Result<&str, ValidationError>;
}

/// An identifier's text: inline when it has at most 32 bytes (every
/// documented identifier), so that decoding one allocates nothing; on the
/// heap otherwise (a server may send anything).
#[derive(Clone)]
enum Text {
    Inline(ArrayString<32>),
    Heap(Box<str>),
}

impl Text {
    fn from_str(value: &str) -> Self {
        ArrayString::from(value).map_or_else(|_| Self::Heap(value.into()), Self::Inline)
    }

    fn from_string(value: String) -> Self {
        match ArrayString::from(&value) {
            Ok(inline) => Self::Inline(inline),
            Err(_) => Self::Heap(value.into_boxed_str()),
        }
    }

    fn as_str(&self) -> &str {
        match self {
            Self::Inline(text) => text.as_str(),
            Self::Heap(text) => text,
        }
    }

    fn into_string(self) -> String {
        match self {
            Self::Inline(text) => text.as_str().to_owned(),
            Self::Heap(text) => text.into_string(),
        }
    }
}

// Equality, order and hash are those of the text, whichever way it is kept.
impl PartialEq for Text {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Text {}

impl PartialOrd for Text {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Text {
    fn cmp(&self, other: &Self) -> Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl Hash for Text {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

/// Reads a JSON string as [`Text`] without an intermediate `String`.
impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TextVisitor;
        impl Visitor<'_> for TextVisitor {
            type Value = Text;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Text, E> {
                Ok(Text::from_str(v))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Text, E> {
                Ok(Text::from_string(v))
            }
        }
        deserializer.deserialize_str(TextVisitor)
    }
}

macro_rules! define_id {
    (
        $name:ident, doc = $doc:literal, field = $field:literal, min = $min:literal, max = $max:literal, pattern = $pattern:literal
    ) => {
        #[doc = $doc]
        #[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(Text);

        impl $name {
            /// The field name used in error messages.
            pub const FIELD: &'static str = $field;
            /// Fewest characters a valid identifier has.
            pub const MIN_LEN: usize = $min;
            /// Most characters a valid identifier has.
            pub const MAX_LEN: usize = $max;

            /// Checks and wraps a caller-supplied identifier.
            ///
            /// # Errors
            /// [`ValidationError::InvalidId`] when the value is empty, too
            /// long or short, or holds anything but ASCII letters and digits.
            pub fn new(value: impl Into<String>) -> Result<Self, ValidationError> {
                let value = value.into();
                check_id($field, &value, $min, $max)?;
                Ok(Self(Text::from_string(value)))
            }

            /// Wraps an identifier that came from the server, without checking
            /// it: the server is authoritative about its own identifiers.
            /// Call [`check`](Self::check) before putting it in a URL.
            pub fn from_server(value: impl Into<String>) -> Self {
                Self(Text::from_string(value.into()))
            }

            /// Wraps an identifier read from a server response, as
            /// [`from_server`](Self::from_server) does, without an
            /// intermediate `String`.
            #[allow(dead_code, reason = "not every id type is read by the direct decoder")]
            pub(crate) fn from_wire(value: &str) -> Self {
                Self(Text::from_str(value))
            }

            /// Re-checks the identifier against the rule (used before the
            /// value becomes a URL path segment).
            ///
            /// # Errors
            /// [`ValidationError::InvalidId`] as for [`new`](Self::new).
            pub fn check(&self) -> Result<&str, ValidationError> {
                let text = self.0.as_str();
                check_id($field, text, $min, $max)?;
                Ok(text)
            }

            /// The identifier as text.
            pub fn as_str(&self) -> &str {
                self.0.as_str()
            }

            /// The identifier as an owned `String`.
            pub fn into_string(self) -> String {
                self.0.into_string()
            }

            /// Deserializes without checking: for identifiers inside server
            /// responses.
            #[allow(dead_code, reason = "not every id type appears as a required response field")]
            pub(crate) fn deserialize_lenient<'de, D: Deserializer<'de>>(
                deserializer: D,
            ) -> Result<Self, D::Error> {
                Text::deserialize(deserializer).map(Self)
            }

            /// Like [`deserialize_lenient`](Self::deserialize_lenient), for an
            /// optional field that may also be `null`.
            #[allow(dead_code, reason = "not every id type appears as an optional response field")]
            pub(crate) fn deserialize_lenient_opt<'de, D: Deserializer<'de>>(
                deserializer: D,
            ) -> Result<Option<Self>, D::Error> {
                Option::<Text>::deserialize(deserializer).map(|v| v.map(Self))
            }
        }

        impl Identifier for $name {
            const FIELD: &'static str = $field;

            fn checked(&self) -> Result<&str, ValidationError> {
                self.check()
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "({:?})"), self.0.as_str())
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.0.as_str())
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                self.0.as_str()
            }
        }

        impl FromStr for $name {
            type Err = ValidationError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::new(s)
            }
        }

        impl TryFrom<String> for $name {
            type Error = ValidationError;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                Self::new(s)
            }
        }

        impl TryFrom<&str> for $name {
            type Error = ValidationError;
            fn try_from(s: &str) -> Result<Self, Self::Error> {
                Self::new(s)
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0.into_string()
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0.as_str() == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0.as_str() == *other
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.0.as_str())
            }
        }

        /// Strict: a caller-supplied identifier (a request body, a config
        /// file) is checked. Response models read identifiers leniently.
        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = Text::deserialize(deserializer)?;
                check_id($field, value.as_str(), $min, $max).map_err(serde::de::Error::custom)?;
                Ok(Self(value))
            }
        }

        impl JsonSchema for $name {
            fn schema_name() -> Cow<'static, str> {
                Cow::Borrowed(stringify!($name))
            }

            fn json_schema(_: &mut SchemaGenerator) -> Schema {
                json_schema!({
                    "type": "string",
                    "minLength": $min,
                    "maxLength": $max,
                    "pattern": $pattern,
                    "description": $doc,
                })
            }
        }
    };
}

define_id!(
    AccountId,
    doc = "Account identifier tag (exactly 32 ASCII letters or digits).",
    field = "account_id",
    min = 32,
    max = 32,
    pattern = "^[A-Za-z0-9]{32}$"
);
define_id!(
    MemberId,
    doc = "Membership identifier tag (1 to 32 ASCII letters or digits).",
    field = "member_id",
    min = 1,
    max = 32,
    pattern = "^[A-Za-z0-9]{1,32}$"
);
define_id!(
    RoleId,
    doc = "Role identifier tag (1 to 32 ASCII letters or digits).",
    field = "role_id",
    min = 1,
    max = 32,
    pattern = "^[A-Za-z0-9]{1,32}$"
);
define_id!(
    PolicyId,
    doc = "Policy identifier (1 to 32 ASCII letters or digits).",
    field = "policy_id",
    min = 1,
    max = 32,
    pattern = "^[A-Za-z0-9]{1,32}$"
);
define_id!(
    PermissionGroupId,
    doc = "Permission group identifier (1 to 32 ASCII letters or digits).",
    field = "permission_group_id",
    min = 1,
    max = 32,
    pattern = "^[A-Za-z0-9]{1,32}$"
);
define_id!(
    ResourceGroupId,
    doc = "Resource group identifier (1 to 32 ASCII letters or digits).",
    field = "resource_group_id",
    min = 1,
    max = 32,
    pattern = "^[A-Za-z0-9]{1,32}$"
);
define_id!(
    UserGroupId,
    doc = "User group identifier (1 to 32 ASCII letters or digits).",
    field = "user_group_id",
    min = 1,
    max = 32,
    pattern = "^[A-Za-z0-9]{1,32}$"
);
define_id!(
    ZoneId,
    doc = "Zone identifier (1 to 32 ASCII letters or digits).",
    field = "zone_id",
    min = 1,
    max = 32,
    pattern = "^[A-Za-z0-9]{1,32}$"
);
define_id!(
    UserId,
    doc = "User identifier (1 to 32 ASCII letters or digits).",
    field = "user_id",
    min = 1,
    max = 32,
    pattern = "^[A-Za-z0-9]{1,32}$"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_documented_ids() {
        assert!(AccountId::new("023e105f4ecef8ad9ca31a8372d0c353").is_ok());
        assert!(MemberId::new("a").is_ok());
        assert!(RoleId::new("3536bcfad5faccb999b47003c79917fb").is_ok());
    }

    #[test]
    fn names_the_first_character_that_is_not_allowed() {
        for (text, shown) in [
            ("abc\u{e9}def", "'\u{e9}'"),
            ("ab/cd", "'/'"),
            ("\u{1F600}x", "'\u{1F600}'"),
            ("ab cd\u{e9}", "' '"),
        ] {
            let err = MemberId::new(text).unwrap_err().to_string();
            assert!(
                err.contains(&format!("it contains {shown}")),
                "{text:?}: {err}"
            );
        }
    }

    #[test]
    fn refuses_dangerous_segments() {
        for bad in [
            "", ".", "..", "/", "a/b", "%2F", "a?b", "a#b", "a b", "é", "abc\n",
        ] {
            let err = MemberId::new(bad).unwrap_err();
            let text = err.to_string();
            assert!(text.contains("member_id"), "{text}");
            assert!(text.contains("1 to 32 ASCII letters or digits"), "{text}");
        }
    }

    #[test]
    fn account_id_is_exactly_32() {
        let err = AccountId::new("abc").unwrap_err().to_string();
        assert!(err.contains("exactly 32"), "{err}");
        assert!(err.contains("3 characters"), "{err}");
        assert!(AccountId::new("a".repeat(33)).is_err());
    }

    #[test]
    fn too_long_value_is_shortened_in_message() {
        let long = "x".repeat(500);
        let err = MemberId::new(long).unwrap_err().to_string();
        assert!(err.len() < 250, "{err}");
        assert!(err.contains("500 characters"), "{err}");
    }

    #[test]
    fn strict_deserialize_lenient_from_server() {
        assert!(serde_json::from_str::<MemberId>("\"../x\"").is_err());
        let id = MemberId::from_server("../x");
        assert!(id.check().is_err());
    }

    #[test]
    fn any_length_from_the_server_is_kept_whole() {
        use std::collections::hash_map::DefaultHasher;
        use std::hash::{Hash, Hasher};
        let hash = |v: &dyn Fn(&mut DefaultHasher)| {
            let mut h = DefaultHasher::new();
            v(&mut h);
            h.finish()
        };
        for text in ["", "a", &"b".repeat(32), &"c".repeat(33), &"é".repeat(40)] {
            let id = MemberId::from_server(text);
            assert_eq!(id.as_str(), text);
            assert_eq!(id.clone().into_string(), text);
            assert_eq!(String::from(id.clone()), text);
            assert_eq!(format!("{id}"), text);
            assert_eq!(format!("{id:?}"), format!("MemberId({text:?})"));
            assert_eq!(hash(&|h| id.hash(h)), hash(&|h| text.hash(h)));
            let json = serde_json::to_string(&id).unwrap();
            let back: Option<MemberId> =
                MemberId::deserialize_lenient_opt(&mut serde_json::Deserializer::from_str(&json))
                    .unwrap();
            assert_eq!(back.as_ref(), Some(&id));
            assert_eq!(
                MemberId::deserialize_lenient(&mut serde_json::Deserializer::from_str(&json))
                    .unwrap(),
                id
            );
        }
        let short = MemberId::from_server("b".repeat(32));
        let long = MemberId::from_server("b".repeat(33));
        assert!(short < long);
        assert_ne!(short, long);
        assert_eq!(
            MemberId::deserialize_lenient_opt(&mut serde_json::Deserializer::from_str("null"))
                .unwrap(),
            None
        );
        assert!(serde_json::from_str::<MemberId>("\"../x\"").is_err());
        assert!(serde_json::from_str::<MemberId>("7").is_err());
    }
}
