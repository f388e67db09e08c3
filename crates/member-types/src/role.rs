//! Roles and their permissions.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
use serde::de::{MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::ids::RoleId;
use crate::serde_util::{Key, KeySeed, Seen};

/// A role: a named set of permissions that can be assigned to members.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct Role {
    /// Role identifier tag (documented maximum: 32 characters; not checked in
    /// responses).
    #[serde(deserialize_with = "RoleId::deserialize_lenient")]
    #[schemars(with = "String")]
    pub id: RoleId,
    /// Description of role's permissions.
    pub description: String,
    /// Role name (documented maximum: 120 characters; not checked in
    /// responses).
    pub name: String,
    /// The role's permissions, in whichever shape the server sent them.
    pub permissions: RolePermissions,
}

impl Role {
    /// Builds a role with the given identifier, name, description and grants.
    pub fn new(
        id: RoleId,
        name: impl Into<String>,
        description: impl Into<String>,
        permissions: Permissions,
    ) -> Self {
        Self {
            id,
            description: description.into(),
            name: name.into(),
            permissions: RolePermissions::Grants(permissions),
        }
    }
}

/// A read/write grant on one area of the account.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub struct PermissionGrant {
    /// Read access.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read: Option<bool>,
    /// Write access.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub write: Option<bool>,
}

impl PermissionGrant {
    /// A grant with both flags set.
    pub const fn new(read: bool, write: bool) -> Self {
        Self {
            read: Some(read),
            write: Some(write),
        }
    }
}

/// The twelve documented permission grants of a role. Grants under names this
/// version does not know are kept in [`other`](Self::other) and written back.
// `Deserialize` is written by hand below (same behaviour as the derive with
// `flatten`, without buffering the object).
#[derive(Clone, Debug, Default, PartialEq, Serialize, JsonSchema)]
#[non_exhaustive]
pub struct Permissions {
    /// Analytics.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub analytics: Option<PermissionGrant>,
    /// Billing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing: Option<PermissionGrant>,
    /// Cache purge.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_purge: Option<PermissionGrant>,
    /// DNS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dns: Option<PermissionGrant>,
    /// DNS records.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dns_records: Option<PermissionGrant>,
    /// Load balancing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lb: Option<PermissionGrant>,
    /// Logs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logs: Option<PermissionGrant>,
    /// Organization.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization: Option<PermissionGrant>,
    /// SSL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ssl: Option<PermissionGrant>,
    /// Web application firewall.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waf: Option<PermissionGrant>,
    /// Zone settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zone_settings: Option<PermissionGrant>,
    /// Zones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zones: Option<PermissionGrant>,
    /// Grants under names this version does not know, kept as received.
    #[serde(flatten)]
    pub other: BTreeMap<String, serde_json::Value>,
}

impl Permissions {
    /// The documented grants by name, in documentation order (absent grants
    /// are left out).
    pub fn named(&self) -> Vec<(&'static str, PermissionGrant)> {
        [
            ("analytics", self.analytics),
            ("billing", self.billing),
            ("cache_purge", self.cache_purge),
            ("dns", self.dns),
            ("dns_records", self.dns_records),
            ("lb", self.lb),
            ("logs", self.logs),
            ("organization", self.organization),
            ("ssl", self.ssl),
            ("waf", self.waf),
            ("zone_settings", self.zone_settings),
            ("zones", self.zones),
        ]
        .into_iter()
        .filter_map(|(name, grant)| grant.map(|g| (name, g)))
        .collect()
    }

    /// The grant with this name, if it is one of the twelve documented ones.
    pub fn get_mut(&mut self, name: &str) -> Option<&mut Option<PermissionGrant>> {
        Some(match name {
            "analytics" => &mut self.analytics,
            "billing" => &mut self.billing,
            "cache_purge" => &mut self.cache_purge,
            "dns" => &mut self.dns,
            "dns_records" => &mut self.dns_records,
            "lb" => &mut self.lb,
            "logs" => &mut self.logs,
            "organization" => &mut self.organization,
            "ssl" => &mut self.ssl,
            "waf" => &mut self.waf,
            "zone_settings" => &mut self.zone_settings,
            "zones" => &mut self.zones,
            _ => return None,
        })
    }
}

impl Permissions {
    /// The grant at `index` in [`GRANT_NAMES`] (the last one past the end).
    pub(crate) fn slot(&mut self, index: usize) -> &mut Option<PermissionGrant> {
        match index {
            0 => &mut self.analytics,
            1 => &mut self.billing,
            2 => &mut self.cache_purge,
            3 => &mut self.dns,
            4 => &mut self.dns_records,
            5 => &mut self.lb,
            6 => &mut self.logs,
            7 => &mut self.organization,
            8 => &mut self.ssl,
            9 => &mut self.waf,
            10 => &mut self.zone_settings,
            _ => &mut self.zones,
        }
    }
}

/// The documented grant names, in the order of the fields of [`Permissions`].
pub(crate) const GRANT_NAMES: &[&str] = &[
    "analytics",
    "billing",
    "cache_purge",
    "dns",
    "dns_records",
    "lb",
    "logs",
    "organization",
    "ssl",
    "waf",
    "zone_settings",
    "zones",
];

impl<'de> Deserialize<'de> for Permissions {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Permissions;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("struct Permissions")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Permissions, A::Error> {
                let mut out = Permissions::default();
                let mut seen = Seen::default();
                let mut previous = None;
                while let Some(key) = map.next_key_seed(KeySeed::new(GRANT_NAMES, previous))? {
                    previous = None;
                    match key {
                        Key::Known(i) => {
                            previous = Some(i);
                            seen.mark(GRANT_NAMES, i)?;
                            let value = map.next_value()?;
                            *out.slot(i) = value;
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

/// A role's permissions in either documented shape, written back in the shape
/// received.
///
/// Today's API (the seeds) sends an object of grants; the 2024 OpenAPI
/// document describes an array of strings such as `"#zones:read"`.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum RolePermissions {
    /// The object of named `{read, write}` grants.
    Grants(Permissions),
    /// The 2024 shape: strings such as `"#zones:read"`.
    Legacy(Vec<String>),
}

impl RolePermissions {
    /// The grants in the object shape, converting the 2024 string shape
    /// (`"#zones:read"`, `"#zones:edit"`) where needed. Strings that do not
    /// name a documented grant are kept in [`Permissions::other`] as `true`.
    pub fn to_grants(&self) -> Permissions {
        match self {
            Self::Grants(p) => p.clone(),
            Self::Legacy(items) => {
                let mut out = Permissions::default();
                for item in items {
                    let trimmed = item.trim_start_matches('#');
                    let (area, level) = trimmed.split_once(':').unwrap_or((trimmed, ""));
                    match out.get_mut(area) {
                        Some(slot) => {
                            let grant = slot.get_or_insert_with(PermissionGrant::default);
                            match level {
                                "read" => grant.read = Some(true),
                                "edit" | "write" => {
                                    grant.write = Some(true);
                                    grant.read = Some(true);
                                }
                                _ => {
                                    out.other
                                        .insert(item.clone(), serde_json::Value::Bool(true));
                                }
                            }
                        }
                        None => {
                            out.other
                                .insert(item.clone(), serde_json::Value::Bool(true));
                        }
                    }
                }
                out
            }
        }
    }
}

impl Default for RolePermissions {
    fn default() -> Self {
        Self::Grants(Permissions::default())
    }
}

impl Serialize for RolePermissions {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Grants(p) => p.serialize(serializer),
            Self::Legacy(items) => items.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for RolePermissions {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RolePermissions;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object of permission grants or an array of permission strings")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                Permissions::deserialize(MapAccessDeserializer::new(map))
                    .map(RolePermissions::Grants)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
                Vec::<String>::deserialize(SeqAccessDeserializer::new(seq))
                    .map(RolePermissions::Legacy)
            }
            fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
                Ok(RolePermissions::default())
            }
        }
        deserializer.deserialize_any(V)
    }
}

impl JsonSchema for RolePermissions {
    fn schema_name() -> Cow<'static, str> {
        Cow::Borrowed("RolePermissions")
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let grants = generator.subschema_for::<Permissions>();
        json_schema!({
            "description": "The role's permissions: an object of grants (current API) or an array of strings such as \"#zones:read\" (2024 API).",
            "anyOf": [
                grants,
                { "type": "array", "items": { "type": "string" } },
                { "type": "null" }
            ]
        })
    }
}
