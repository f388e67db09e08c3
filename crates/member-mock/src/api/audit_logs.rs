//! `GET /accounts/{account_id}/logs/audit` (audit logs v2): the entries the
//! mock recorded (`crate::audit`), with the API's required window
//! (`since`, `before`), its filters (each repeatable, each with a `.not`
//! form), `direction`, `limit` and cursor paging.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use member_types::{AuditLog, Cursors, Envelope, ResultInfo};
use serde_json::Value;

use crate::error::ApiError;
use crate::shared::Inner;

use super::request::QueryPairs;
use super::{json_ok, method_not_allowed, read_account, Shared};

pub(super) fn routes() -> Router<Arc<Inner>> {
    Router::new().route(
        "/accounts/{account_id}/logs/audit",
        get(list).fallback(method_not_allowed("GET, HEAD")),
    )
}

/// Where a filter looks in an entry.
type Field = fn(&AuditLog) -> Option<String>;

/// The filters the API takes, and where each looks in an entry.
const FILTERS: &[(&str, Field)] = &[
    ("id", |e| Some(e.id.clone())),
    ("account_name", |e| e.account.as_ref()?.name.clone()),
    ("action_result", |e| e.action.as_ref()?.result.clone()),
    ("action_type", |e| e.action.as_ref()?.action_type.clone()),
    ("actor_context", |e| e.actor.as_ref()?.context.clone()),
    ("actor_email", |e| e.actor.as_ref()?.email.clone()),
    ("actor_id", |e| e.actor.as_ref()?.id.clone()),
    ("actor_ip_address", |e| e.actor.as_ref()?.ip_address.clone()),
    ("actor_token_id", |e| e.actor.as_ref()?.token_id.clone()),
    ("actor_token_name", |e| e.actor.as_ref()?.token_name.clone()),
    ("actor_type", |e| e.actor.as_ref()?.actor_type.clone()),
    ("audit_log_id", |e| Some(e.id.clone())),
    ("raw_cf_ray_id", |e| e.raw.as_ref()?.cf_ray_id.clone()),
    ("raw_method", |e| e.raw.as_ref()?.method.clone()),
    ("raw_status_code", |e| {
        e.raw
            .as_ref()?
            .status_code
            .as_ref()
            .map(ToString::to_string)
    }),
    ("raw_uri", |e| e.raw.as_ref()?.uri.clone()),
    ("resource_id", |e| e.resource.as_ref()?.id.clone()),
    ("resource_product", |e| e.resource.as_ref()?.product.clone()),
    ("resource_scope", |e| {
        match e.resource.as_ref()?.scope.as_ref()? {
            Value::String(s) => Some(s.clone()),
            other => Some(other.to_string()),
        }
    }),
    ("resource_type", |e| {
        e.resource.as_ref()?.resource_type.clone()
    }),
    ("zone_id", |e| e.zone.as_ref()?.id.clone()),
    ("zone_name", |e| e.zone.as_ref()?.name.clone()),
];

/// The other parameters the endpoint takes.
const OTHERS: &[&str] = &[
    "since",
    "before",
    "direction",
    "limit",
    "cursor",
    "product_category",
];

/// `2026-08-01` (a UTC day) or an RFC 3339 timestamp.
fn moment(name: &str, text: &str) -> Result<SystemTime, ApiError> {
    let text = text.trim();
    let full = if text.len() == 10 {
        format!("{text}T00:00:00Z")
    } else {
        text.to_owned()
    };
    humantime::parse_rfc3339_weak(&full).map_err(|_| {
        ApiError::invalid_param(
            name,
            format!(
                "Invalid value for {name}: {text:?}; expected a date (2026-08-01) or an RFC 3339 \
                 timestamp (2026-08-01T12:00:00Z)"
            ),
        )
    })
}

/// A cursor of this mock: the sequence number of the last entry given.
fn cursor_of(seq: u64) -> String {
    format!("mock-{seq:x}")
}

fn parse_cursor(text: &str) -> Result<u64, ApiError> {
    text.strip_prefix("mock-")
        .and_then(|hex| u64::from_str_radix(hex, 16).ok())
        .ok_or_else(|| ApiError::invalid_param("cursor", "Invalid cursor"))
}

async fn list(
    State(inner): Shared,
    Path(account): Path<String>,
    query: QueryPairs,
) -> Result<Response, ApiError> {
    read_account(&inner, &account, |_| Ok(()))?;
    for (key, _) in query.pairs() {
        let base = key.strip_suffix(".not").unwrap_or(key);
        let known =
            FILTERS.iter().any(|(name, _)| *name == base) || (OTHERS.contains(&key.as_str()));
        if !known {
            return Err(ApiError::invalid_param(
                key,
                format!("Unknown parameter {key:?}"),
            ));
        }
    }
    let (Some(since), Some(before)) = (query.text("since", 64)?, query.text("before", 64)?) else {
        return Err(ApiError::invalid(
            "since and before are required: the window of time to search (the last 30 days are \
             kept)",
            None,
        ));
    };
    let since = moment("since", since)?;
    let before = moment("before", before)?;
    let ascending = query.one_of("direction", &["desc", "asc"])? == Some("asc");
    let limit = usize::try_from(query.number("limit", 1, 1000, 100)?).unwrap_or(100);
    let after = query.text("cursor", 200)?.map(parse_cursor).transpose()?;
    let kept = SystemTime::now()
        .checked_sub(Duration::from_secs(30 * 86_400))
        .unwrap_or(SystemTime::UNIX_EPOCH);

    let mut entries: Vec<(u64, AuditLog)> = inner
        .audit
        .all()
        .into_iter()
        .filter(|(_, when, entry)| {
            *when >= since
                && *when < before
                && *when >= kept
                && entry.account.as_ref().and_then(|a| a.id.as_deref()) == Some(account.as_str())
        })
        .filter(|(_, _, entry)| {
            FILTERS.iter().all(|(name, field)| {
                let value = field(entry);
                let mut wanted = query.all(name);
                // `product_category` is unioned with `resource_product`.
                if *name == "resource_product" {
                    wanted.extend(query.all("product_category"));
                }
                let unwanted = query.all(&format!("{name}.not"));
                let matches = |values: &[&str]| {
                    value
                        .as_deref()
                        .is_some_and(|v| values.iter().any(|w| w.eq_ignore_ascii_case(v)))
                };
                (wanted.is_empty() || matches(&wanted)) && !matches(&unwanted)
            })
        })
        .map(|(seq, _, entry)| (seq, entry))
        .collect();
    if !ascending {
        entries.reverse();
    }
    if let Some(after) = after {
        entries.retain(|(seq, _)| {
            if ascending {
                *seq > after
            } else {
                *seq < after
            }
        });
    }
    let more = entries.len() > limit;
    entries.truncate(limit);
    let next = more
        .then(|| entries.last().map(|(seq, _)| cursor_of(*seq)))
        .flatten();
    let mut info = ResultInfo::default();
    info.count = Some(entries.len() as u64);
    if inner.audit.cursors_after() {
        let mut cursors = Cursors::default();
        cursors.after = next;
        info.cursors = Some(cursors);
    } else {
        info.cursor = next;
    }
    let mut envelope = Envelope::success(entries.into_iter().map(|(_, e)| e).collect::<Vec<_>>());
    envelope.result_info = Some(info);
    Ok(json_ok(&envelope))
}
