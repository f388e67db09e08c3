//! Permission groups: the account's catalogue of what a policy can allow or
//! deny, read only (list with exact `id`, `name` and `label` filters and V4
//! paging, and get).

use std::sync::Arc;

use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use member_types::{Envelope, PermissionGroup, PermissionGroupId};

use crate::error::ApiError;
use crate::shared::Inner;

use super::request::{AccountPath, QueryPairs};
use super::{json_ok, method_not_allowed, read_account, Shared};

/// The longest `name` or `label` filter taken.
const FILTER_MAX: usize = 253;

pub(super) fn routes() -> Router<Arc<Inner>> {
    Router::new()
        .route(
            "/accounts/{account_id}/iam/permission_groups",
            get(list).fallback(method_not_allowed("GET, HEAD")),
        )
        .route(
            "/accounts/{account_id}/iam/permission_groups/{permission_group_id}",
            get(get_one).fallback(method_not_allowed("GET, HEAD")),
        )
}

/// `id`, `name` and `label` (on `meta.label`) are exact and case-sensitive;
/// given together, a group must match all of them.
async fn list(
    State(inner): Shared,
    path: AccountPath,
    query: QueryPairs,
) -> Result<Response, ApiError> {
    let id = query.hex_id("id")?;
    let name = query.text("name", FILTER_MAX)?;
    let label = query.text("label", FILTER_MAX)?;
    let paging = query.paging()?;
    read_account(&inner, &path.account, |account| {
        let matches = |g: &&PermissionGroup| {
            id.is_none_or(|id| g.id.as_str() == id)
                && name.is_none_or(|name| g.name.as_deref() == Some(name))
                && label.is_none_or(|label| g.label() == Some(label))
        };
        let total = account.permission_groups.iter().filter(matches).count() as u64;
        let page = paging.of(account.permission_groups.iter().filter(matches));
        Ok(paging.answer(page, total))
    })
}

async fn get_one(State(inner): Shared, path: AccountPath) -> Result<Response, ApiError> {
    let group = path.id(PermissionGroupId::new)?;
    read_account(&inner, &path.account, |account| {
        let group = account
            .permission_group(group.as_str())
            .ok_or_else(|| ApiError::not_found("Permission group"))?;
        Ok(json_ok(&Envelope::success(group)))
    })
}
