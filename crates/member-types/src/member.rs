//! The account member and its policies, as the server returns them.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::collections::BTreeSet;
use std::fmt;

use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
use serde::de::{MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::enums::{Access, MemberStatus};
use crate::ids::{MemberId, PolicyId, UserId};
use crate::permission_group::PermissionGroup;
use crate::resource_group::ResourceGroup;
use crate::role::Role;
use crate::serde_util::{null_as_empty, Key, KeySeed, Seen};

/// An account member, as returned by the members endpoints.
///
/// Every field is optional because the server omits some of them in some
/// responses (the add response omits `roles`, for example). Lists that are
/// absent or `null` read as empty and are left out when empty.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct Member {
    /// Membership identifier tag.
    #[serde(
        default,
        deserialize_with = "MemberId::deserialize_lenient_opt",
        skip_serializing_if = "Option::is_none"
    )]
    #[schemars(with = "Option<String>")]
    pub id: Option<MemberId>,
    /// The contact email address of the user (documented maximum: 90
    /// characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Access policies of the membership.
    #[serde(
        default,
        deserialize_with = "null_as_empty",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub policies: Vec<Policy>,
    /// Roles assigned to this member.
    #[serde(
        default,
        deserialize_with = "null_as_empty",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub roles: Vec<Role>,
    /// A member's status in the account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<MemberStatus>,
    /// Details of the user associated to the membership.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<User>,
}

impl Member {
    /// The ids of the member's roles, as a set (the server returns roles in
    /// any order).
    pub fn role_ids(&self) -> BTreeSet<&str> {
        self.roles.iter().map(|r| r.id.as_str()).collect()
    }

    /// The member's email: the top-level `email`, or else the user's.
    pub fn email(&self) -> Option<&str> {
        self.email
            .as_deref()
            .or_else(|| self.user.as_ref().map(|u| u.email.as_str()))
    }
}

/// Details of the user associated to a membership.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct User {
    /// The contact email address of the user (documented maximum: 90
    /// characters).
    pub email: String,
    /// Identifier.
    #[serde(
        default,
        deserialize_with = "UserId::deserialize_lenient_opt",
        skip_serializing_if = "Option::is_none"
    )]
    #[schemars(with = "Option<String>")]
    pub id: Option<UserId>,
    /// User's first name (documented maximum: 60 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    /// User's last name (documented maximum: 60 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// Indicates whether two-factor authentication is enabled for the user
    /// account. Does not apply to API authentication.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub two_factor_authentication_enabled: Option<bool>,
}

/// An access policy of a membership.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct Policy {
    /// Policy identifier.
    #[serde(
        default,
        deserialize_with = "PolicyId::deserialize_lenient_opt",
        skip_serializing_if = "Option::is_none"
    )]
    #[schemars(with = "Option<String>")]
    pub id: Option<PolicyId>,
    /// Allow or deny operations against the resources.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access: Option<Access>,
    /// A set of permission groups that are specified to the policy.
    #[serde(
        default,
        deserialize_with = "null_as_empty",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub permission_groups: Vec<PermissionGroup>,
    /// A list of resource groups that the policy applies to.
    #[serde(
        default,
        deserialize_with = "null_as_empty",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub resource_groups: Vec<ResourceGroup>,
}

/// Attributes associated to a permission or resource group.
///
/// The current API documents `{key, value}`; the 2024 document allows any
/// object, so other keys are kept in [`other`](Self::other).
// `Deserialize` is written by hand below (same behaviour as the derive with
// `flatten`, without buffering the object).
#[derive(Clone, Debug, Default, PartialEq, Serialize, JsonSchema)]
#[non_exhaustive]
pub struct Meta {
    /// Attribute key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// Attribute value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// Other attributes, kept as received.
    #[serde(flatten)]
    pub other: BTreeMap<String, serde_json::Value>,
}

impl<'de> Deserialize<'de> for Meta {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        const FIELDS: &[&str] = &["key", "value"];
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Meta;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("struct Meta")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Meta, A::Error> {
                let mut out = Meta::default();
                let mut seen = Seen::default();
                let mut previous = None;
                while let Some(key) = map.next_key_seed(KeySeed::new(FIELDS, previous))? {
                    previous = None;
                    match key {
                        Key::Known(i) => {
                            previous = Some(i);
                            seen.mark(FIELDS, i)?;
                            let value = map.next_value()?;
                            match i {
                                0 => out.key = value,
                                _ => out.value = value,
                            }
                        }
                        Key::Other(name) => {
                            let value = map.next_value()?;
                            out.other.insert(name, value);
                        }
                    }
                }
                Ok(out)
            }
        }
        deserializer.deserialize_map(V)
    }
}

/// The scope of a resource group: what the policy applies to.
///
/// Build one with [`Scope::account`], [`Scope::zone`] or [`Scope::zones`]
/// rather than by writing keys by hand.
#[derive(
    Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[non_exhaustive]
pub struct Scope {
    /// A combination of a pre-defined resource name and identifier (like
    /// an account id).
    pub key: String,
    /// A list of scope objects for additional context.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub objects: Vec<ScopeObject>,
}

/// A scope object of a resource group scope.
#[derive(
    Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[non_exhaustive]
pub struct ScopeObject {
    /// A combination of a pre-defined resource name and identifier (like a
    /// zone id).
    pub key: String,
}

/// `resource_groups[].scope` in either shape the API has used: an array of
/// scopes (documented) or a single scope object (seen from one newer
/// client). Written back in the shape received.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Scopes {
    /// An array of scopes.
    Many(Vec<Scope>),
    /// A single scope object.
    One(Scope),
}

impl Default for Scopes {
    fn default() -> Self {
        Self::Many(Vec::new())
    }
}

impl Scopes {
    /// The scopes as a slice, whatever the shape.
    pub fn as_slice(&self) -> &[Scope] {
        match self {
            Self::Many(v) => v,
            Self::One(s) => std::slice::from_ref(s),
        }
    }
}

impl Serialize for Scopes {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Many(v) => v.serialize(serializer),
            Self::One(s) => s.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for Scopes {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Scopes;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an array of scopes or a single scope object")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Scopes, A::Error> {
                Scope::deserialize(MapAccessDeserializer::new(map)).map(Scopes::One)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Scopes, A::Error> {
                Vec::<Scope>::deserialize(SeqAccessDeserializer::new(seq)).map(Scopes::Many)
            }
            fn visit_unit<E: serde::de::Error>(self) -> Result<Scopes, E> {
                Ok(Scopes::default())
            }
        }
        deserializer.deserialize_any(V)
    }
}

impl JsonSchema for Scopes {
    fn schema_name() -> Cow<'static, str> {
        Cow::Borrowed("Scopes")
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let scope = generator.subschema_for::<Scope>();
        json_schema!({
            "description": "The scope associated to the resource group: an array of scopes, or a single scope object.",
            "anyOf": [
                { "type": "array", "items": scope },
                scope,
                { "type": "null" }
            ]
        })
    }
}
