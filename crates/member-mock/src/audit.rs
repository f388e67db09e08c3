//! The audit log the mock keeps: one entry for every membership write it
//! serves (a member added, updated or removed; a member put into or taken
//! out of a user group), in the shape of the real audit log v2 entries
//! (`shared/reference/examples/audit-log-page.json`), recorded by a layer
//! around the API that looks at the request and the answer.
//!
//! Group membership changes are one entry per member, whose `resource.id`
//! is the membership id and `resource.request.user_group_id` the group (the
//! real log's shape for them is not documented; this is the mock's choice,
//! so that a filter on one member finds their group changes too).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::SystemTime;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method};
use axum::middleware::Next;
use axum::response::Response;
use member_types::{AuditAccount, AuditAction, AuditActor, AuditLog, AuditRaw, AuditResource};
use serde_json::{json, Value};

use crate::shared::Inner;
use crate::API_PREFIX;

/// The entries, oldest first, each with its sequence number (the cursor).
#[derive(Debug, Default)]
pub(crate) struct AuditStore {
    entries: Mutex<Vec<(u64, SystemTime, AuditLog)>>,
    next: AtomicU64,
    /// Answers give the next cursor as `result_info.cursors.after` instead
    /// of `result_info.cursor` (both shapes are seen).
    cursors_after: AtomicBool,
}

impl AuditStore {
    pub(crate) fn push(&self, when: SystemTime, entry: AuditLog) {
        let seq = self.next.fetch_add(1, Ordering::Relaxed);
        self.entries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push((seq, when, entry));
    }

    /// Every entry as `(sequence, time, entry)`, oldest first.
    pub(crate) fn all(&self) -> Vec<(u64, SystemTime, AuditLog)> {
        self.entries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    pub(crate) fn clear(&self) {
        self.entries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }

    pub(crate) fn cursors_after(&self) -> bool {
        self.cursors_after.load(Ordering::Relaxed)
    }

    pub(crate) fn set_cursors_after(&self, after: bool) {
        self.cursors_after.store(after, Ordering::Relaxed);
    }
}

/// What a write is, from its method and path (relative to `/client/v4`):
/// the account, the action, and the member (or group) in the path.
struct Write<'a> {
    account: &'a str,
    description: &'static str,
    action_type: &'static str,
    member: Option<&'a str>,
    group: Option<&'a str>,
}

fn classify<'a>(method: &Method, path: &'a str) -> Option<Write<'a>> {
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    let (description, action_type, member, group) = match (method.as_str(), parts.as_slice()) {
        ("POST", ["accounts", _, "members"]) => ("Add Member", "create", None, None),
        ("PUT", ["accounts", _, "members", m]) => ("Update Member", "update", Some(*m), None),
        ("DELETE", ["accounts", _, "members", m]) => ("Remove Member", "delete", Some(*m), None),
        ("POST", ["accounts", _, "iam", "user_groups", g, "members"]) => {
            ("Add User Group Members", "create", None, Some(*g))
        }
        ("PUT", ["accounts", _, "iam", "user_groups", g, "members"]) => {
            ("Replace User Group Members", "update", None, Some(*g))
        }
        ("DELETE", ["accounts", _, "iam", "user_groups", g, "members", m]) => {
            ("Remove User Group Member", "delete", Some(*m), Some(*g))
        }
        _ => return None,
    };
    Some(Write {
        account: parts[1],
        description,
        action_type,
        member,
        group,
    })
}

/// The members a write is about: the one in its path, the one the answer
/// names (an add), or the ids of a group body (a bare array of ids or of
/// `{"id"}` objects).
fn members_of(write: &Write<'_>, request: &[u8], answer: &Value) -> Vec<String> {
    if let Some(member) = write.member {
        return vec![member.to_owned()];
    }
    if write.group.is_none() {
        return answer["result"]["id"]
            .as_str()
            .map(|id| vec![id.to_owned()])
            .unwrap_or_default();
    }
    let body: Value = serde_json::from_slice(request).unwrap_or(Value::Null);
    body.as_array()
        .into_iter()
        .flatten()
        .filter_map(|item| item.as_str().or_else(|| item["id"].as_str()))
        .map(str::to_owned)
        .collect()
}

fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// A UUID-shaped random id, as the log's entry ids are.
fn entry_id() -> String {
    let hex = crate::ids::random_id();
    format!(
        "{}-{}-4{}-a{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[13..16],
        &hex[17..20],
        &hex[20..32]
    )
}

/// The layer: runs the request and, for a membership write that
/// succeeded, records its entries.
pub(crate) async fn record(
    State(inner): State<Arc<Inner>>,
    request: Request,
    next: Next,
) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let relative = path.strip_prefix(API_PREFIX).unwrap_or(&path).to_owned();
    if classify(&method, &relative).is_none() {
        return next.run(request).await;
    }
    let headers = request.headers().clone();
    let (parts, body) = request.into_parts();
    let Ok(request_bytes) = axum::body::to_bytes(body, inner.body_limit).await else {
        return next.run(Request::from_parts(parts, Body::empty())).await;
    };
    let response = next
        .run(Request::from_parts(
            parts,
            Body::from(request_bytes.clone()),
        ))
        .await;
    if !response.status().is_success() {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(answer_bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return Response::from_parts(parts, Body::empty());
    };
    let answer: Value = serde_json::from_slice(&answer_bytes).unwrap_or(Value::Null);
    if let Some(write) = classify(&method, &relative) {
        let ray = crate::ids::cf_ray();
        if let Ok(value) = ray.parse() {
            parts.headers.insert("cf-ray", value);
        }
        let account_name = inner
            .with_account(write.account, |a| a.name.clone())
            .flatten();
        let token = headers.contains_key("authorization");
        // The credential's user: the email the mock takes with its key
        // (`--email`, by default the seed's John), whose token this is too.
        let email = Some(inner.creds.email.clone());
        let when = SystemTime::now();
        for member in members_of(&write, &request_bytes, &answer) {
            let mut account = AuditAccount::default();
            account.id = Some(write.account.to_owned());
            account.name.clone_from(&account_name);
            let mut action = AuditAction::default();
            action.description = Some(write.description.to_owned());
            action.result = Some("success".to_owned());
            action.time = Some(humantime::format_rfc3339_millis(when).to_string());
            action.action_type = Some(write.action_type.to_owned());
            let mut actor = AuditActor::default();
            actor.context = Some(if token { "api_token" } else { "api_key" }.to_owned());
            actor.email.clone_from(&email);
            actor.ip_address = Some("127.0.0.1".to_owned());
            if token {
                actor.token_id = Some("0123456789abcdef0123456789abcdef".to_owned());
                actor.token_name = Some("member-mock token".to_owned());
            }
            actor.actor_type = Some("user".to_owned());
            let mut raw = AuditRaw::default();
            raw.cf_ray_id = Some(ray.trim_end_matches("-MOCK").to_owned());
            raw.method = Some(method.as_str().to_owned());
            raw.status_code = Some(json!(parts.status.as_u16()));
            raw.uri = Some(relative.clone());
            raw.user_agent = header(&headers, "user-agent");
            let mut resource = AuditResource::default();
            resource.id = Some(member);
            resource.product = Some("members".to_owned());
            resource.scope = Some(json!("accounts"));
            resource.resource_type = Some(
                if write.group.is_some() {
                    "user_group_member"
                } else {
                    "member"
                }
                .to_owned(),
            );
            if let Some(group) = write.group {
                resource.request = Some(json!({ "user_group_id": group }));
            }
            let mut entry = AuditLog::default();
            entry.id = entry_id();
            entry.account = Some(account);
            entry.action = Some(action);
            entry.actor = Some(actor);
            entry.raw = Some(raw);
            entry.resource = Some(resource);
            inner.audit.push(when, entry);
        }
    }
    Response::from_parts(parts, Body::from(answer_bytes))
}
