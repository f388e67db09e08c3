//! The Cloudflare API the mock serves, one handler module per resource.
//!
//! Each resource module (`members`, `roles`, `permission_groups`,
//! `resource_groups`, `user_groups`, `zones`, `accounts`) owns its routes, its handlers
//! and its own request checks, built on the shared readers of [`request`]
//! (path ids, query and paging, JSON body fields) and [`policies`]. A new
//! resource is one new module and one line in [`routes`]; the README's
//! "Adding a resource" lists the steps.

use std::sync::Arc;

use axum::extract::{OriginalUri, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use member_types::Envelope;
use serde::Serialize;

use crate::error::ApiError;
use crate::shared::Inner;
use crate::state::Account;

mod accounts;
mod audit_logs;
mod members;
mod permission_groups;
mod policies;
mod request;
mod resource_groups;
mod roles;
mod user_groups;
mod zones;

type Shared = State<Arc<Inner>>;

/// Every resource's routes, relative to `/client/v4`.
pub(crate) fn routes() -> Router<Arc<Inner>> {
    Router::new()
        .merge(members::routes())
        .merge(roles::routes())
        .merge(permission_groups::routes())
        .merge(resource_groups::routes())
        .merge(user_groups::routes())
        .merge(zones::routes())
        .merge(accounts::routes())
        .merge(audit_logs::routes())
}

/// A success envelope as `application/json`.
pub(crate) fn json_ok<T: Serialize>(envelope: &Envelope<T>) -> Response {
    match serde_json::to_vec(envelope) {
        Ok(body) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json")],
            body,
        )
            .into_response(),
        Err(e) => {
            ApiError::invalid(format!("cannot serialize the response: {e}"), None).into_response()
        }
    }
}

/// Runs `f` on an account the credential can reach, else 403 code 9109
/// (an account not seeded, or seeded with `no_access`).
fn read_account<T>(
    inner: &Inner,
    account: &str,
    f: impl FnOnce(&Account) -> Result<T, ApiError>,
) -> Result<T, ApiError> {
    inner
        .with_account(account, |a| {
            if a.no_access {
                Err(ApiError::unknown_account())
            } else {
                f(a)
            }
        })
        .unwrap_or_else(|| Err(ApiError::unknown_account()))
}

/// Runs `f` on an account the credential can reach, for a change, else 403
/// code 9109.
fn write_account<T>(
    inner: &Inner,
    account: &str,
    f: impl FnOnce(&mut Account) -> Result<T, ApiError>,
) -> Result<T, ApiError> {
    inner
        .with_account_mut(account, |a| {
            if a.no_access {
                Err(ApiError::unknown_account())
            } else {
                f(a)
            }
        })
        .unwrap_or_else(|| Err(ApiError::unknown_account()))
}

/// The real API's answer to an unknown route.
pub(crate) async fn no_route(uri: OriginalUri) -> ApiError {
    ApiError::no_route(uri.0.path())
}

/// A route's answer to a method it does not take: 405 with `Allow`.
fn method_not_allowed(allow: &'static str) -> impl Fn() -> std::future::Ready<ApiError> + Clone {
    move || std::future::ready(ApiError::method_not_allowed(allow))
}
