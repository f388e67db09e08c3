//! Audit log entries (`GET /accounts/{account_id}/logs/audit`, v2): who did
//! what, to what, when, and the raw request. Every object keeps the keys
//! this version does not know (`extra`), and every field is optional but
//! the id: the log is a beta, and its entries vary by product.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One audit log entry.
///
/// ```
/// let entry: member_types::AuditLog = serde_json::from_str(r#"{
///   "id": "4296eb60-16b5-4549-a7ee-2cdc868723b0",
///   "action": {"description": "Add Member", "result": "success",
///              "time": "2026-08-18T14:02:11.482Z", "type": "create"},
///   "actor": {"email": "alex@example.com", "type": "user"},
///   "resource": {"id": "8442bfd8e4d65b8b2a25d9581ab8788b", "product": "members",
///                "scope": "accounts", "type": "member"},
///   "new_key": true
/// }"#).unwrap();
/// assert_eq!(entry.action.as_ref().unwrap().action_type.as_deref(), Some("create"));
/// assert_eq!(entry.extra["new_key"], true);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct AuditLog {
    /// The entry's id (a UUID).
    pub id: String,
    /// The account the change was made in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<AuditAccount>,
    /// What was done, when, and how it ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<AuditAction>,
    /// Who did it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<AuditActor>,
    /// The request as it reached the API.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raw: Option<AuditRaw>,
    /// What it was done to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<AuditResource>,
    /// The zone, for zone changes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zone: Option<AuditZone>,
    /// Keys this version does not know, as sent.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// `account` of an audit log entry.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct AuditAccount {
    /// The account id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The account name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Keys this version does not know, as sent.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// `action` of an audit log entry.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct AuditAction {
    /// The operation (`Add Member`, `Update Member`, `Remove Member`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `success`, `failure`, or (seen) an empty string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<String>,
    /// When (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
    /// `create`, `update`, `delete`, `view`, `login`, …
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub action_type: Option<String>,
    /// Keys this version does not know, as sent.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// `actor` of an audit log entry.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct AuditActor {
    /// The user id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// `api_token`, `api_key`, `dash`, `api`, …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<String>,
    /// The actor's email.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// The IP address the request came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip_address: Option<String>,
    /// The API token's id, for token requests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_id: Option<String>,
    /// The API token's name, for token requests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_name: Option<String>,
    /// `user`, `account`, `cloudflare_admin`, …
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub actor_type: Option<String>,
    /// Keys this version does not know, as sent.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// `raw` of an audit log entry: the request as the API saw it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct AuditRaw {
    /// The request's `cf-ray` id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cf_ray_id: Option<String>,
    /// The HTTP method.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// The HTTP status of the answer (as sent: a number).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_code: Option<Value>,
    /// The request path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    /// The client's `User-Agent`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    /// Keys this version does not know, as sent.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// `resource` of an audit log entry: what the change was made to.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct AuditResource {
    /// The resource's id (for members: the membership id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The product (`members` for membership changes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product: Option<String>,
    /// The request body, when the log keeps it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<Value>,
    /// The response body, when the log keeps it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<Value>,
    /// `accounts`, `user`, `zones`, `memberships`: a string, or an object
    /// in some entries (kept as sent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<Value>,
    /// The resource type (`member`, …).
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub resource_type: Option<String>,
    /// Keys this version does not know, as sent.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// `zone` of an audit log entry.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct AuditZone {
    /// The zone id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The zone name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Keys this version does not know, as sent.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

impl AuditLog {
    /// `action.time`, when given.
    pub fn time(&self) -> Option<&str> {
        self.action.as_ref()?.time.as_deref()
    }

    /// `actor.email`, when given.
    pub fn actor_email(&self) -> Option<&str> {
        self.actor.as_ref()?.email.as_deref()
    }

    /// `resource.id`, when given.
    pub fn resource_id(&self) -> Option<&str> {
        self.resource.as_ref()?.id.as_deref()
    }
}
