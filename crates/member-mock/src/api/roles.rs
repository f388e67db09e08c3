//! Roles: the account's catalogue, read only (list and get).

use std::sync::Arc;

use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use member_types::{Envelope, RoleId};

use crate::error::ApiError;
use crate::shared::Inner;

use super::request::{AccountPath, QueryPairs};
use super::{json_ok, method_not_allowed, read_account, Shared};

pub(super) fn routes() -> Router<Arc<Inner>> {
    Router::new()
        .route(
            "/accounts/{account_id}/roles",
            get(list).fallback(method_not_allowed("GET, HEAD")),
        )
        .route(
            "/accounts/{account_id}/roles/{role_id}",
            get(get_one).fallback(method_not_allowed("GET, HEAD")),
        )
}

async fn list(
    State(inner): Shared,
    path: AccountPath,
    query: QueryPairs,
) -> Result<Response, ApiError> {
    let paging = query.paging()?;
    read_account(&inner, &path.account, |account| {
        let roles = paging.of(account.roles.iter());
        Ok(paging.answer(roles, account.roles.len() as u64))
    })
}

async fn get_one(State(inner): Shared, path: AccountPath) -> Result<Response, ApiError> {
    let role = path.id(RoleId::new)?;
    read_account(&inner, &path.account, |account| {
        let role = account
            .role(role.as_str())
            .ok_or_else(|| ApiError::not_found("Role"))?;
        Ok(json_ok(&Envelope::success(role)))
    })
}
