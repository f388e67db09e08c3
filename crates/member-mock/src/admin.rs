//! The admin API under `/__mock`, for tests in any language.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use member_types::Member;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::fault::Fault;
use crate::rate_limit::RateLimitPolicy;
use crate::shared::Inner;
use crate::state::normalise;

type Shared = State<Arc<Inner>>;

pub(crate) fn router() -> Router<Arc<Inner>> {
    Router::new()
        .route("/", get(config))
        .route("/config", get(config))
        .route("/requests", get(requests).delete(clear_requests))
        .route("/faults", get(faults).post(add_faults).delete(clear_faults))
        .route(
            "/rate-limit",
            get(rate_limit).put(set_rate_limit).delete(clear_rate_limit),
        )
        .route("/reset", post(reset))
        .route("/settings", axum::routing::patch(settings))
        .route(
            "/accounts/{account_id}",
            get(account).patch(account_settings),
        )
        .route(
            "/accounts/{account_id}/members",
            get(account_members).post(insert_member),
        )
        .route("/accounts/{account_id}/generate", post(generate))
        .fallback(admin_not_found)
}

fn admin_error(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(json!({ "error": message.into() }))).into_response()
}

/// Why an admin body was refused.
struct BadBody(String);

impl IntoResponse for BadBody {
    fn into_response(self) -> Response {
        admin_error(StatusCode::BAD_REQUEST, self.0)
    }
}

/// Reads a JSON body, answering 400 with the parse error otherwise.
fn parse<T: for<'de> Deserialize<'de>>(body: &[u8]) -> Result<T, BadBody> {
    serde_json::from_slice(body).map_err(|e| BadBody(format!("invalid JSON body: {e}")))
}

async fn admin_not_found() -> Response {
    admin_error(
        StatusCode::NOT_FOUND,
        "no such admin route; see the member-mock README",
    )
}

async fn config(State(inner): Shared) -> Json<Value> {
    Json(json!({
        "base_url": inner.base_url,
        "account_id": inner.default_account.as_str(),
        "token": inner.creds.token,
        "email": inner.creds.email,
        "api_key": inner.creds.api_key,
        "user_service_key": inner.creds.user_service_key,
        "omit_roles_on_add": inner.omit_roles_on_add(),
        "rate_limit": inner.rate_limit(),
    }))
}

async fn requests(State(inner): Shared) -> Json<Value> {
    Json(json!(inner.requests()))
}

async fn clear_requests(State(inner): Shared) -> StatusCode {
    inner.clear_requests();
    StatusCode::NO_CONTENT
}

async fn faults(State(inner): Shared) -> Json<Value> {
    Json(json!(inner.faults()))
}

/// Takes one fault or an array of faults.
async fn add_faults(State(inner): Shared, body: axum::body::Bytes) -> Response {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        Many(Vec<Fault>),
        One(Box<Fault>),
    }
    let faults = match parse::<OneOrMany>(&body) {
        Ok(OneOrMany::Many(faults)) => faults,
        Ok(OneOrMany::One(fault)) => vec![*fault],
        Err(e) => return e.into_response(),
    };
    let added = faults.len();
    for fault in faults {
        inner.inject(fault);
    }
    (
        StatusCode::CREATED,
        Json(json!({ "added": added, "pending": inner.faults().len() })),
    )
        .into_response()
}

async fn clear_faults(State(inner): Shared) -> StatusCode {
    inner.clear_faults();
    StatusCode::NO_CONTENT
}

async fn rate_limit(State(inner): Shared) -> Json<Value> {
    Json(json!({ "rate_limit": inner.rate_limit() }))
}

/// Takes `{"requests": N, "window_secs": S}`, or `null` to turn it off.
async fn set_rate_limit(State(inner): Shared, body: axum::body::Bytes) -> Response {
    match parse::<Option<RateLimitPolicy>>(&body) {
        Ok(Some(limit)) if limit.window.as_secs() == 0 => {
            admin_error(StatusCode::BAD_REQUEST, "window_secs must be at least 1")
        }
        Ok(limit) => {
            inner.set_rate_limit(limit);
            Json(json!({ "rate_limit": inner.rate_limit() })).into_response()
        }
        Err(e) => e.into_response(),
    }
}

async fn clear_rate_limit(State(inner): Shared) -> StatusCode {
    inner.set_rate_limit(None);
    StatusCode::NO_CONTENT
}

async fn reset(State(inner): Shared) -> StatusCode {
    inner.reset();
    StatusCode::NO_CONTENT
}

/// Takes `{"omit_roles_on_add": bool}`.
async fn settings(State(inner): Shared, body: axum::body::Bytes) -> Response {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Settings {
        omit_roles_on_add: Option<bool>,
    }
    match parse::<Settings>(&body) {
        Ok(s) => {
            if let Some(omit) = s.omit_roles_on_add {
                inner.set_omit_roles_on_add(omit);
            }
            Json(json!({ "omit_roles_on_add": inner.omit_roles_on_add() })).into_response()
        }
        Err(e) => e.into_response(),
    }
}

fn no_account(id: &str) -> Response {
    admin_error(StatusCode::NOT_FOUND, format!("no account {id}"))
}

async fn account(State(inner): Shared, Path(id): Path<String>) -> Response {
    inner
        .with_account(&id, |a| {
            Json(json!({
                "id": a.id,
                "allow_direct_add": a.allow_direct_add,
                "member_count": a.members.len(),
                "roles": a.roles,
                "permission_groups": a.permission_groups,
                "resource_groups": a.resource_groups,
            }))
            .into_response()
        })
        .unwrap_or_else(|| no_account(&id))
}

/// Takes `{"allow_direct_add": bool}`.
async fn account_settings(
    State(inner): Shared,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct AccountSettings {
        allow_direct_add: Option<bool>,
    }
    let settings = match parse::<AccountSettings>(&body) {
        Ok(s) => s,
        Err(e) => return e.into_response(),
    };
    inner
        .with_account_mut(&id, |a| {
            if let Some(allow) = settings.allow_direct_add {
                a.allow_direct_add = allow;
            }
            Json(json!({ "allow_direct_add": a.allow_direct_add })).into_response()
        })
        .unwrap_or_else(|| no_account(&id))
}

async fn account_members(State(inner): Shared, Path(id): Path<String>) -> Response {
    inner
        .with_account(&id, |a| {
            Json(json!(a.members.iter().collect::<Vec<_>>())).into_response()
        })
        .unwrap_or_else(|| no_account(&id))
}

/// Stores a member as given (API rules bypassed).
async fn insert_member(
    State(inner): Shared,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    let member = match parse::<Member>(&body) {
        Ok(m) => normalise(m),
        Err(e) => return e.into_response(),
    };
    inner
        .with_account_mut(&id, |a| {
            a.members.upsert(member.clone());
            (StatusCode::CREATED, Json(json!(member))).into_response()
        })
        .unwrap_or_else(|| no_account(&id))
}

/// Takes `{"count": N}` and generates N members.
async fn generate(
    State(inner): Shared,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Generate {
        count: usize,
    }
    let count = match parse::<Generate>(&body) {
        Ok(g) if g.count <= 1_000_000 => g.count,
        Ok(_) => return admin_error(StatusCode::BAD_REQUEST, "count must be at most 1000000"),
        Err(e) => return e.into_response(),
    };
    match inner.generate_members(&id, count) {
        Some(ids) => {
            let total = inner.with_account(&id, |a| a.members.len()).unwrap_or(0);
            (
                StatusCode::CREATED,
                Json(json!({ "added": ids.len(), "member_count": total })),
            )
                .into_response()
        }
        None => no_account(&id),
    }
}
