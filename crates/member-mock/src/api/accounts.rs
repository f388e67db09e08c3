//! Accounts: `GET /accounts` over every seeded account the credential can
//! read (`name`, exact ignoring case; `direction` by name; V4 paging with
//! `total_pages`), and the refusal an account-owned token gets.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use member_types::ResponseInfo;
use serde_json::{json, Map, Value};

use crate::error::ApiError;
use crate::shared::Inner;
use crate::state::Account;

use super::request::QueryPairs;
use super::{method_not_allowed, Shared};

/// The longest `name` filter taken.
const NAME_MAX: usize = 253;
/// `created_on` of an account the seed gives none.
const CREATED_ON: &str = "2020-01-01T00:00:00.000000Z";
/// The zone quota of an enterprise account.
const ENTERPRISE_ZONE_QUOTA: usize = 10;

pub(super) fn routes() -> Router<Arc<Inner>> {
    Router::new()
        .route(
            "/accounts",
            get(list).fallback(method_not_allowed("GET, HEAD")),
        )
        .route("/user", get(user).fallback(method_not_allowed("GET, HEAD")))
}

/// `GET /user`: the user the credential belongs to: the one whose email the
/// mock takes with its API key (`--email`, by default the seed's John), as
/// the seed's members show them, or just the email when no seeded member
/// has it. An account-owned token belongs to no user and is refused, as the
/// real API refuses it.
async fn user(State(inner): Shared, headers: HeaderMap) -> Result<Response, ApiError> {
    if inner.account_owned_token() && headers.contains_key(header::AUTHORIZATION) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            vec![ResponseInfo::new(
                9109,
                "Unauthorized to access requested resource",
            )],
        ));
    }
    let email = inner.creds.email.clone();
    let found = inner.with_accounts(|mut accounts| {
        accounts.find_map(|a| {
            a.members
                .iter()
                .filter_map(|m| m.user.as_ref())
                .find(|u| u.email.eq_ignore_ascii_case(&email))
                .map(|u| serde_json::to_value(u).unwrap_or(Value::Null))
        })
    });
    let user = found.unwrap_or_else(|| json!({ "email": email }));
    Ok(super::json_ok(&member_types::Envelope::success(user)))
}

/// 403 code 1001: what the real API answers an account-owned token.
fn account_owned_token() -> ApiError {
    ApiError::new(
        StatusCode::FORBIDDEN,
        vec![ResponseInfo::new(
            1001,
            "List accounts endpoint does not support account owned tokens.",
        )],
    )
}

/// An account as `GET /accounts` lists it, with the keys real answers carry
/// (`settings` with `null` values, `legacy_flags`) besides the SDKs' own.
fn render(account: &Account) -> Value {
    let info = &account.info;
    let given = info.settings.clone().unwrap_or_default();
    let mut settings = Map::new();
    settings.insert(
        "enforce_twofactor".to_owned(),
        json!(given.enforce_twofactor.unwrap_or(false)),
    );
    for key in [
        "api_access_enabled",
        "access_approval_expiry",
        "abuse_contact_email",
    ] {
        settings.insert(key.to_owned(), Value::Null);
    }
    settings.extend(given.other);
    let account_type = info.account_type.as_deref().unwrap_or("standard");
    let maximum = if account_type == "enterprise" {
        ENTERPRISE_ZONE_QUOTA
    } else {
        0
    };
    let current = account.zones.len().min(maximum);
    let mut value = json!({
        "id": account.id.as_str(),
        "name": account.name.as_deref().unwrap_or_default(),
        "type": account_type,
        "settings": settings,
        "legacy_flags": {"enterprise_zone_quota": {
            "maximum": maximum, "current": current, "available": maximum - current
        }},
        "created_on": info.created_on.as_deref().unwrap_or(CREATED_ON),
    });
    if let (Some(managed_by), Value::Object(map)) = (&info.managed_by, &mut value) {
        map.insert("managed_by".to_owned(), json!(managed_by));
    }
    value
}

async fn list(
    State(inner): Shared,
    headers: HeaderMap,
    query: QueryPairs,
) -> Result<Response, ApiError> {
    // A wrong token never gets here, so an `Authorization` header is the
    // token the mock accepts: when that is account-owned, the list is
    // refused (API keys are the user's own and may list).
    if inner.account_owned_token() && headers.contains_key(header::AUTHORIZATION) {
        return Err(account_owned_token());
    }
    let name = query.text("name", NAME_MAX)?;
    let desc = query.one_of("direction", &["asc", "desc"])? == Some("desc");
    let paging = query.paging()?;
    let (page, total) = inner.with_accounts(|accounts| {
        let mut found: Vec<&Account> = accounts
            .filter(|a| !a.no_access)
            .filter(|a| {
                name.is_none_or(|n| {
                    a.name
                        .as_deref()
                        .is_some_and(|an| an.to_lowercase() == n.to_lowercase())
                })
            })
            .collect();
        found.sort_by_cached_key(|a| {
            (
                a.name.as_deref().unwrap_or_default().to_lowercase(),
                a.id.as_str().to_owned(),
            )
        });
        if desc {
            found.reverse();
        }
        let total = found.len() as u64;
        let page: Vec<Value> = paging
            .of(found.into_iter())
            .into_iter()
            .map(render)
            .collect();
        (page, total)
    });
    Ok(paging.answer(page, total))
}
