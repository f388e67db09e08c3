//! The admin API under `/__mock`, for tests in any language.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{FromRequest, Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use member_types::{Member, PermissionGroup, ResourceGroup, Role, Zone};

use crate::seed::SeedUserGroup;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::fault::Fault;
use crate::rate_limit::RateLimitPolicy;
use crate::server::ScopeShape;
use crate::shared::Inner;
use crate::state::{normalise, upsert_by, Account};

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
        .route("/accounts/{account_id}/roles", post(insert_role))
        .route(
            "/accounts/{account_id}/permission_groups",
            post(insert_permission_group),
        )
        .route(
            "/accounts/{account_id}/resource_groups",
            post(insert_resource_group),
        )
        .route("/accounts/{account_id}/zones", post(insert_zone))
        .route(
            "/accounts/{account_id}/user_groups",
            post(insert_user_group),
        )
        .route(
            "/accounts/{account_id}/user_groups/{group_id}/generate",
            post(fill_user_group),
        )
        .route("/generate_accounts", post(generate_accounts))
        .fallback(admin_not_found)
}

fn admin_error(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(json!({ "error": message.into() }))).into_response()
}

/// A JSON body of the admin API; anything else is a 400 with the parse
/// error.
struct Body<T>(T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Body<T> {
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> Result<Self, Response> {
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(IntoResponse::into_response)?;
        serde_json::from_slice(&bytes)
            .map(Self)
            .map_err(|e| admin_error(StatusCode::BAD_REQUEST, format!("invalid JSON body: {e}")))
    }
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
        "resource_group_scope": inner.scope_shape(),
        "account_owned_token": inner.account_owned_token(),
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

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    Many(Vec<Fault>),
    One(Box<Fault>),
}

/// Takes one fault or an array of faults.
async fn add_faults(State(inner): Shared, Body(faults): Body<OneOrMany>) -> Response {
    let faults = match faults {
        OneOrMany::Many(faults) => faults,
        OneOrMany::One(fault) => vec![*fault],
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
async fn set_rate_limit(
    State(inner): Shared,
    Body(limit): Body<Option<RateLimitPolicy>>,
) -> Response {
    match limit {
        Some(limit) if limit.window.as_secs() == 0 => {
            admin_error(StatusCode::BAD_REQUEST, "window_secs must be at least 1")
        }
        limit => {
            inner.set_rate_limit(limit);
            Json(json!({ "rate_limit": inner.rate_limit() })).into_response()
        }
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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Settings {
    omit_roles_on_add: Option<bool>,
    resource_group_scope: Option<ScopeShape>,
    account_owned_token: Option<bool>,
}

/// Takes `{"omit_roles_on_add": bool, "resource_group_scope": "object" |
/// "array", "account_owned_token": bool}` (any of them).
async fn settings(State(inner): Shared, Body(settings): Body<Settings>) -> Json<Value> {
    if let Some(omit) = settings.omit_roles_on_add {
        inner.set_omit_roles_on_add(omit);
    }
    if let Some(shape) = settings.resource_group_scope {
        inner.set_scope_shape(shape);
    }
    if let Some(owned) = settings.account_owned_token {
        inner.set_account_owned_token(owned);
    }
    Json(json!({
        "omit_roles_on_add": inner.omit_roles_on_add(),
        "resource_group_scope": inner.scope_shape(),
        "account_owned_token": inner.account_owned_token(),
    }))
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
                "name": a.name,
                "zones": a.zones,
                "no_access": a.no_access,
                "user_groups": a.user_groups.iter().map(|g| json!({
                    "group": g.group,
                    "members": g.members.iter().map(|m| m.id.as_str()).collect::<Vec<_>>(),
                })).collect::<Vec<_>>(),
            }))
            .into_response()
        })
        .unwrap_or_else(|| no_account(&id))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AccountSettings {
    allow_direct_add: Option<bool>,
}

/// Takes `{"allow_direct_add": bool}`.
async fn account_settings(
    State(inner): Shared,
    Path(id): Path<String>,
    Body(settings): Body<AccountSettings>,
) -> Response {
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
    Body(member): Body<Member>,
) -> Response {
    let member = normalise(member);
    inner
        .with_account_mut(&id, |a| {
            a.members.upsert(member.clone());
            (StatusCode::CREATED, Json(json!(member))).into_response()
        })
        .unwrap_or_else(|| no_account(&id))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Generate {
    count: usize,
}

/// Takes `{"count": N}` and generates N members.
async fn generate(
    State(inner): Shared,
    Path(id): Path<String>,
    Body(Generate { count }): Body<Generate>,
) -> Response {
    if count > 1_000_000 {
        return admin_error(StatusCode::BAD_REQUEST, "count must be at most 1000000");
    }
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

/// An item of a catalogue in the API's own shape, with a fresh id when it
/// has none.
struct Item<T>(T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Item<T> {
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> Result<Self, Response> {
        let Body(mut value) = Body::<Value>::from_request(request, state).await?;
        if let Value::Object(map) = &mut value {
            map.entry("id")
                .or_insert_with(|| Value::String(crate::ids::random_id()));
        }
        serde_json::from_value(value)
            .map(Self)
            .map_err(|e| admin_error(StatusCode::BAD_REQUEST, format!("invalid item: {e}")))
    }
}

/// Stores `item` in an account (replacing the one with its id), bypassing
/// the API's rules: duplicate names are what tests need. Answers 201 with
/// the item.
fn insert<T: serde::Serialize>(
    inner: &Inner,
    id: &str,
    item: T,
    store: impl FnOnce(&mut Account, T),
) -> Response {
    let answer = json!(item);
    inner
        .with_account_mut(id, |a| {
            store(a, item);
            (StatusCode::CREATED, Json(answer)).into_response()
        })
        .unwrap_or_else(|| no_account(id))
}

async fn insert_role(
    State(inner): Shared,
    Path(id): Path<String>,
    Item(role): Item<Role>,
) -> Response {
    insert(&inner, &id, role, |a, r| {
        upsert_by(&mut a.roles, r, |r| r.id.as_str());
    })
}

async fn insert_permission_group(
    State(inner): Shared,
    Path(id): Path<String>,
    Item(group): Item<PermissionGroup>,
) -> Response {
    insert(&inner, &id, group, |a, g| {
        upsert_by(&mut a.permission_groups, g, |g| g.id.as_str());
    })
}

async fn insert_resource_group(
    State(inner): Shared,
    Path(id): Path<String>,
    Item(group): Item<ResourceGroup>,
) -> Response {
    insert(&inner, &id, group, |a, g| {
        upsert_by(&mut a.resource_groups, g, |g| g.id.as_str());
    })
}

async fn insert_zone(
    State(inner): Shared,
    Path(id): Path<String>,
    Item(zone): Item<Zone>,
) -> Response {
    insert(&inner, &id, zone, |a, z| {
        upsert_by(&mut a.zones, z, |z| z.id.as_str());
    })
}

/// Stores a user group as given, `{"id"?, "name", "policies"?, "members"?:
/// ["<member id>"…], …}` (a fresh id when it has none, `created_on` and
/// `modified_on` now when absent; same id replaces) → 201 with the group
/// and its members.
async fn insert_user_group(
    State(inner): Shared,
    Path(id): Path<String>,
    Body(mut value): Body<Value>,
) -> Response {
    if let Value::Object(map) = &mut value {
        map.entry("id")
            .or_insert_with(|| Value::String(crate::ids::random_id()));
        let now = crate::ids::now();
        map.entry("created_on")
            .or_insert_with(|| Value::String(now.clone()));
        map.entry("modified_on")
            .or_insert_with(|| Value::String(now));
    }
    let group: SeedUserGroup = match serde_json::from_value(value) {
        Ok(group) => group,
        Err(e) => return admin_error(StatusCode::BAD_REQUEST, format!("invalid item: {e}")),
    };
    let answer = json!(group);
    let added = crate::ids::now();
    inner
        .with_account_mut(&id, |a| {
            let members = group
                .members
                .iter()
                .map(|m| crate::state::GroupMembership {
                    id: m.as_str().to_owned(),
                    added: added.clone(),
                })
                .collect();
            let stored = crate::state::StoredUserGroup {
                group: group.group,
                members,
            };
            match a.user_group_mut(stored.group.id.as_str()) {
                Some(old) => *old = stored,
                None => a.user_groups.push(stored),
            }
            (StatusCode::CREATED, Json(answer)).into_response()
        })
        .unwrap_or_else(|| no_account(&id))
}

/// Takes `{"count": N}`: N generated account members, put in the group →
/// 201 `{added, member_ids, group_member_count}`.
async fn fill_user_group(
    State(inner): Shared,
    Path((id, group)): Path<(String, String)>,
    Body(Generate { count }): Body<Generate>,
) -> Response {
    if count > 100_000 {
        return admin_error(StatusCode::BAD_REQUEST, "count must be at most 100000");
    }
    match inner.fill_user_group(&id, &group, count) {
        Some(ids) => {
            let total = inner
                .with_account(&id, |a| a.user_group(&group).map_or(0, |g| g.members.len()))
                .unwrap_or(0);
            (
                StatusCode::CREATED,
                Json(json!({ "added": ids.len(), "member_ids": ids, "group_member_count": total })),
            )
                .into_response()
        }
        None => admin_error(
            StatusCode::NOT_FOUND,
            format!("no account {id} or no user group {group} in it"),
        ),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GenerateAccounts {
    accounts: usize,
    #[serde(default)]
    members: usize,
}

/// Takes `{"accounts": N, "members": M}`: N generated accounts of M
/// generated members each → 201 `{added, account_ids}`.
async fn generate_accounts(
    State(inner): Shared,
    Body(GenerateAccounts { accounts, members }): Body<GenerateAccounts>,
) -> Response {
    if accounts > 10_000 || accounts.saturating_mul(members) > 1_000_000 {
        return admin_error(
            StatusCode::BAD_REQUEST,
            "at most 10000 accounts and 1000000 members in all",
        );
    }
    let ids = inner.generate_accounts(accounts, members);
    (
        StatusCode::CREATED,
        Json(json!({ "added": ids.len(), "account_ids": ids })),
    )
        .into_response()
}
