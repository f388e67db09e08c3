//! String enumerations.
//!
//! Enumerations that come from the server are *open*: a value this crate does
//! not know yet (say a new member status `"suspended"`) is kept, as an opaque
//! [`UnknownValue`], and written back unchanged. Users cannot construct an
//! `UnknownValue`, so a `match` that handles it with `_` keeps compiling when
//! a later release learns the new value.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{shorten, ValidationError};

/// A value of an open enumeration that this version of the crate does not
/// know. It is kept as received and serialized back unchanged.
///
/// It cannot be constructed outside this crate.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UnknownValue(String);

impl UnknownValue {
    /// The value as received from the server.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for UnknownValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        $name:ident, field = $field:literal, schema_doc = $schema_doc:literal {
            $( $(#[$vmeta:meta])* $variant:ident = $text:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value this version does not know, kept as received.
            Unknown(UnknownValue),
        }

        impl $name {
            /// Every value this version knows, in documentation order.
            pub const KNOWN: &'static [&'static str] = &[$($text),+];

            /// The value as it appears on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $text, )+
                    Self::Unknown(v) => v.as_str(),
                }
            }

            /// Whether this is a value this version does not know.
            pub fn is_unknown(&self) -> bool {
                matches!(self, Self::Unknown(_))
            }

            /// Reads a wire value, keeping unknown ones.
            pub(crate) fn from_wire(s: &str) -> Self {
                match s {
                    $( $text => Self::$variant, )+
                    other => Self::Unknown(UnknownValue(other.to_owned())),
                }
            }

            /// The strict schema: only the known values (for what we send).
            pub fn strict_schema(_: &mut SchemaGenerator) -> Schema {
                json_schema!({
                    "type": "string",
                    "enum": [$($text),+],
                    "description": $schema_doc,
                })
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        /// Parses a known value; an unknown one is refused, so callers
        /// cannot build [`UnknownValue`]s by accident.
        impl FromStr for $name {
            type Err = ValidationError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match Self::from_wire(s) {
                    Self::Unknown(_) => Err(ValidationError::Format {
                        field: $field,
                        value: shorten(s),
                        rule: concat!("expected one of: ", $($text, " "),+),
                    }),
                    known => Ok(known),
                }
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct Visitor;
                impl serde::de::Visitor<'_> for Visitor {
                    type Value = $name;
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str(concat!("a string for ", $field))
                    }
                    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<$name, E> {
                        Ok($name::from_wire(v))
                    }
                }
                deserializer.deserialize_str(Visitor)
            }
        }

        /// The accepting schema: the known values, or any other string
        /// (kept as an unknown value).
        impl JsonSchema for $name {
            fn schema_name() -> Cow<'static, str> {
                Cow::Borrowed(stringify!($name))
            }

            fn json_schema(_: &mut SchemaGenerator) -> Schema {
                json_schema!({
                    "description": $schema_doc,
                    "anyOf": [
                        { "type": "string", "enum": [$($text),+] },
                        { "type": "string", "description": "A value added after this schema was generated; clients keep it as received." }
                    ],
                })
            }
        }
    };
}

open_enum!(
    /// A member's status in the account.
    ///
    /// `rejected` appears only as a list filter (an invitation that was
    /// declined); other values the server sends are kept as
    /// [`MemberStatus::Unknown`].
    MemberStatus, field = "status", schema_doc = "A member's status in the account." {
        /// The member accepted the invitation (or was added directly).
        Accepted = "accepted",
        /// The invitation is pending.
        Pending = "pending",
        /// The invitation was declined (a list filter value).
        Rejected = "rejected",
    }
);

open_enum!(
    /// Allow or deny operations against the resources of a policy.
    Access, field = "access", schema_doc = "Allow or deny operations against the resources." {
        /// Operations are allowed.
        Allow = "allow",
        /// Operations are denied.
        Deny = "deny",
    }
);

/// The status to give a member on [`CreateMember`](crate::CreateMember).
///
/// The API's default is `pending` (an invitation). `accepted` adds the member
/// directly and is refused (code 1001) for accounts without that entitlement.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum InviteStatus {
    /// Send an invitation (the API's default).
    #[default]
    Pending,
    /// Add the member directly, without an invitation.
    Accepted,
}

impl InviteStatus {
    /// The value as it appears on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Accepted => "accepted",
        }
    }
}

impl FromStr for InviteStatus {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "pending" => Ok(Self::Pending),
            "accepted" => Ok(Self::Accepted),
            _ => Err(ValidationError::Format {
                field: "status",
                value: shorten(s),
                rule: "expected one of: pending accepted",
            }),
        }
    }
}

/// Field to order a member list by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum MemberOrder {
    /// `user.first_name`
    #[serde(rename = "user.first_name")]
    FirstName,
    /// `user.last_name`
    #[serde(rename = "user.last_name")]
    LastName,
    /// `user.email`
    #[serde(rename = "user.email")]
    Email,
    /// `status`
    #[serde(rename = "status")]
    Status,
}

impl MemberOrder {
    /// The value as it appears in the query string.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::FirstName => "user.first_name",
            Self::LastName => "user.last_name",
            Self::Email => "user.email",
            Self::Status => "status",
        }
    }
}

impl FromStr for MemberOrder {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "user.first_name" => Ok(Self::FirstName),
            "user.last_name" => Ok(Self::LastName),
            "user.email" => Ok(Self::Email),
            "status" => Ok(Self::Status),
            _ => Err(ValidationError::Format {
                field: "order",
                value: shorten(s),
                rule: "expected one of: user.first_name user.last_name user.email status",
            }),
        }
    }
}

/// Sort direction of a list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// Ascending.
    Asc,
    /// Descending.
    Desc,
}

impl Direction {
    /// The value as it appears in the query string.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Asc => "asc",
            Self::Desc => "desc",
        }
    }
}

impl FromStr for Direction {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "asc" => Ok(Self::Asc),
            "desc" => Ok(Self::Desc),
            _ => Err(ValidationError::Format {
                field: "direction",
                value: shorten(s),
                rule: "expected one of: asc desc",
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_status_round_trips() {
        let s: MemberStatus = serde_json::from_str("\"suspended\"").unwrap();
        assert!(s.is_unknown());
        assert_eq!(s.as_str(), "suspended");
        assert_eq!(serde_json::to_string(&s).unwrap(), "\"suspended\"");
    }

    #[test]
    fn from_str_refuses_unknown() {
        assert_eq!(
            "pending".parse::<MemberStatus>().unwrap(),
            MemberStatus::Pending
        );
        let err = "suspended".parse::<MemberStatus>().unwrap_err().to_string();
        assert!(err.contains("status") && err.contains("accepted"), "{err}");
        assert!("maybe".parse::<Access>().is_err());
    }
}
