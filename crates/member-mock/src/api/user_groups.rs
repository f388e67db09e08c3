//! User groups: list (`id`, exact `name`, `fuzzyName`, `direction` by
//! name, V4 paging), create, get, update (policies replace the whole set)
//! and delete; and their members, whose bodies are bare arrays of
//! `{"id": "<account member id>"}`: list (`fuzzyEmail`, `direction` by
//! email, V4 paging, `result: null` when nothing is on the page), add,
//! replace, get and remove.

use std::collections::HashSet;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use member_types::json::shorten;
use member_types::{Envelope, MemberId, Policy, ResultInfo, UserGroup, UserGroupId};
use serde_json::{json, Map, Value};

use crate::error::ApiError;
use crate::ids::{now, random_id};
use crate::server::ScopeShape;
use crate::shared::Inner;
use crate::state::{Account, GroupMembership, StoredUserGroup};

use super::policies::read_policies;
use super::request::{
    expect_array, expect_object, expect_string, json_array, json_object, required, AccountPath,
    Paging, QueryPairs,
};
use super::resource_groups::render as render_resource_group;
use super::{json_ok, method_not_allowed, read_account, write_account, Shared};

/// The longest `name`, `fuzzyName` or `fuzzyEmail` taken.
const TEXT_MAX: usize = 253;

pub(super) fn routes() -> Router<Arc<Inner>> {
    Router::new()
        .route(
            "/accounts/{account_id}/iam/user_groups",
            get(list)
                .post(create)
                .fallback(method_not_allowed("GET, HEAD, POST")),
        )
        .route(
            "/accounts/{account_id}/iam/user_groups/{user_group_id}",
            get(get_one)
                .put(update)
                .delete(remove)
                .fallback(method_not_allowed("GET, HEAD, PUT, DELETE")),
        )
        .route(
            "/accounts/{account_id}/iam/user_groups/{user_group_id}/members",
            get(list_members)
                .post(add_members)
                .put(replace_members)
                .fallback(method_not_allowed("GET, HEAD, POST, PUT")),
        )
        .route(
            "/accounts/{account_id}/iam/user_groups/{user_group_id}/members/{member_id}",
            get(get_member)
                .delete(remove_member)
                .fallback(method_not_allowed("GET, HEAD, DELETE")),
        )
}

fn not_found() -> ApiError {
    ApiError::not_found("User group")
}

fn member_not_found() -> ApiError {
    ApiError::not_found("User group member")
}

/// Keeps only `keys` of an object.
fn pick(value: Value, keys: &[&str]) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(k, _)| keys.contains(&k.as_str()))
                .collect(),
        ),
        other => other,
    }
}

/// A policy as user-group answers show it: `{id, access,
/// permission_groups: [{id, name, meta}], resource_groups: [{id, name,
/// meta, scope}]}`, `scope` in the server's shape.
fn render_policy(policy: &Policy, shape: ScopeShape) -> Value {
    let permission_groups: Vec<Value> = policy
        .permission_groups
        .iter()
        .map(|g| {
            pick(
                serde_json::to_value(g).unwrap_or(Value::Null),
                &["id", "name", "meta"],
            )
        })
        .collect();
    let resource_groups: Vec<Value> = policy
        .resource_groups
        .iter()
        .map(|g| render_resource_group(g, shape))
        .collect();
    json!({
        "id": policy.id,
        "access": policy.access,
        "permission_groups": permission_groups,
        "resource_groups": resource_groups,
    })
}

/// A group as answered: `{id, name, created_on, modified_on, policies}`.
pub(crate) fn render(group: &UserGroup, shape: ScopeShape) -> Value {
    let policies: Vec<Value> = group
        .policies
        .iter()
        .map(|p| render_policy(p, shape))
        .collect();
    json!({
        "id": group.id.as_str(),
        "name": group.name,
        "created_on": group.created_on,
        "modified_on": group.modified_on,
        "policies": policies,
    })
}

/// A new group with a fresh id, created and modified now.
pub(crate) fn new_group(name: &str, policies: Vec<Policy>) -> UserGroup {
    let stamp = now();
    let mut group: UserGroup = serde_json::from_value(json!({
        "id": random_id(),
        "name": name,
        "created_on": stamp,
        "modified_on": stamp,
    }))
    .expect("a user group built from its own parts");
    group.policies = policies;
    group
}

/// A body's `name`: a string that is not blank.
fn read_name(body: &Map<String, Value>) -> Result<Option<&str>, ApiError> {
    let Some(name) = body.get("name") else {
        return Ok(None);
    };
    let name = expect_string(name, "name", "/name", Some(TEXT_MAX))?;
    if name.trim().is_empty() {
        return Err(ApiError::invalid("name: must not be blank", Some("/name")));
    }
    Ok(Some(name))
}

/// A body's `policies`, checked as a member's are (unknown groups refused,
/// inline scopes making unnamed resource groups, `{id, scope}` refused),
/// except that `[]` is allowed: no policies. The new resource groups are
/// stored with the policies' answer.
fn read_group_policies(
    body: &Map<String, Value>,
    account: &mut Account,
) -> Result<Option<Vec<Policy>>, ApiError> {
    let Some(value) = body.get("policies") else {
        return Ok(None);
    };
    if expect_array(value, "policies", "/policies")?.is_empty() {
        return Ok(Some(Vec::new()));
    }
    let policies = read_policies(value, account)?;
    Ok(Some(policies.commit(account)))
}

async fn list(
    State(inner): Shared,
    path: AccountPath,
    query: QueryPairs,
) -> Result<Response, ApiError> {
    let id = query.hex_id("id")?;
    let name = query.text("name", TEXT_MAX)?;
    let fuzzy = query.text("fuzzyName", TEXT_MAX)?.map(str::to_lowercase);
    let direction = query.one_of("direction", &["asc", "desc"])?;
    let paging = query.paging()?;
    let shape = inner.scope_shape();
    read_account(&inner, &path.account, |account| {
        let mut groups: Vec<&UserGroup> = account
            .user_groups
            .iter()
            .map(|g| &g.group)
            .filter(|g| {
                let group_name = g.name.as_deref().unwrap_or_default();
                id.is_none_or(|id| g.id.as_str() == id)
                    && name.is_none_or(|name| group_name == name)
                    && fuzzy
                        .as_deref()
                        .is_none_or(|f| group_name.to_lowercase().contains(f))
            })
            .collect();
        if let Some(direction) = direction {
            groups.sort_by_cached_key(|g| {
                (
                    g.name.as_deref().unwrap_or_default().to_lowercase(),
                    g.id.as_str().to_owned(),
                )
            });
            if direction == "desc" {
                groups.reverse();
            }
        }
        let total = groups.len() as u64;
        let page: Vec<Value> = paging
            .of(groups.into_iter())
            .into_iter()
            .map(|g| render(g, shape))
            .collect();
        Ok(paging.answer(page, total))
    })
}

async fn get_one(State(inner): Shared, path: AccountPath) -> Result<Response, ApiError> {
    let id = path.id(UserGroupId::new)?;
    let shape = inner.scope_shape();
    read_account(&inner, &path.account, |account| {
        let group = account.user_group(id.as_str()).ok_or_else(not_found)?;
        Ok(json_ok(&Envelope::success(render(&group.group, shape))))
    })
}

/// `{name, policies?}`: `name` is required and not blank; names need not
/// be unique.
async fn create(
    State(inner): Shared,
    path: AccountPath,
    body: Bytes,
) -> Result<Response, ApiError> {
    let body = json_object(&body)?;
    let shape = inner.scope_shape();
    write_account(&inner, &path.account, |account| {
        required(&body, "name", "name", "")?;
        let name = read_name(&body)?.unwrap_or_default();
        let policies = read_group_policies(&body, account)?.unwrap_or_default();
        let group = new_group(name, policies);
        let answer = render(&group, shape);
        account.user_groups.push(StoredUserGroup {
            group,
            members: Vec::new(),
        });
        Ok(json_ok(&Envelope::success(answer)))
    })
}

/// `{name?, policies?}`: `policies` replaces the whole set (`[]` removes
/// them all); `{}` changes nothing.
async fn update(
    State(inner): Shared,
    path: AccountPath,
    body: Bytes,
) -> Result<Response, ApiError> {
    let id = path.id(UserGroupId::new)?;
    let body = json_object(&body)?;
    let shape = inner.scope_shape();
    write_account(&inner, &path.account, |account| {
        if account.user_group(id.as_str()).is_none() {
            return Err(not_found());
        }
        let name = read_name(&body)?;
        let policies = read_group_policies(&body, account)?;
        let stored = account.user_group_mut(id.as_str()).ok_or_else(not_found)?;
        let group = &mut stored.group;
        if name.is_some() || policies.is_some() {
            group.modified_on = Some(now());
        }
        if let Some(name) = name {
            group.name = Some(name.to_owned());
        }
        if let Some(policies) = policies {
            group.policies = policies;
        }
        Ok(json_ok(&Envelope::success(render(group, shape))))
    })
}

/// Any body is ignored. The members stay in the account.
async fn remove(State(inner): Shared, path: AccountPath) -> Result<Response, ApiError> {
    let id = path.id(UserGroupId::new)?;
    write_account(&inner, &path.account, |account| {
        let at = account
            .user_groups
            .iter()
            .position(|g| g.group.id.as_str() == id.as_str())
            .ok_or_else(not_found)?;
        account.user_groups.remove(at);
        Ok(json_ok(&Envelope::success(json!({ "id": id.as_str() }))))
    })
}

/// A group member as listed: `{id, email, status}`, read from the account
/// member now.
fn render_member(account: &Account, id: &str) -> Value {
    let member = account.members.get(id);
    json!({
        "id": id,
        "email": member.and_then(|m| m.email()),
        "status": member.and_then(|m| m.status.as_ref()),
    })
}

/// A list of group members: `null` when empty, as the API answers.
fn member_list(items: Vec<Value>) -> Value {
    if items.is_empty() {
        Value::Null
    } else {
        Value::Array(items)
    }
}

/// `page`, `per_page`, `direction` (by email; join order without it) and
/// `fuzzyEmail` (a substring, ignoring case). A page without members
/// (an empty group, or a filter that matches nothing) is `"result": null`.
async fn list_members(
    State(inner): Shared,
    path: AccountPath,
    query: QueryPairs,
) -> Result<Response, ApiError> {
    let id = path.id(UserGroupId::new)?;
    let fuzzy = query.text("fuzzyEmail", TEXT_MAX)?.map(str::to_lowercase);
    let direction = query.one_of("direction", &["asc", "desc"])?;
    let paging = query.paging()?;
    read_account(&inner, &path.account, |account| {
        let group = account.user_group(id.as_str()).ok_or_else(not_found)?;
        let email = |m: &GroupMembership| -> String {
            account
                .members
                .get(&m.id)
                .and_then(|m| m.email())
                .unwrap_or_default()
                .to_lowercase()
        };
        let mut members: Vec<&GroupMembership> = group
            .members
            .iter()
            .filter(|m| fuzzy.as_deref().is_none_or(|f| email(m).contains(f)))
            .collect();
        if let Some(direction) = direction {
            members.sort_by_cached_key(|m| (email(m), m.id.clone()));
            if direction == "desc" {
                members.reverse();
            }
        }
        let total = members.len() as u64;
        let page: Vec<Value> = paging
            .of(members.into_iter())
            .into_iter()
            .map(|m| render_member(account, &m.id))
            .collect();
        Ok(paged(paging, page, total))
    })
}

fn paged(paging: Paging, page: Vec<Value>, total: u64) -> Response {
    let count = page.len() as u64;
    json_ok(
        &Envelope::success(member_list(page)).with_result_info(ResultInfo::new(
            paging.page,
            paging.per_page,
            count,
            total,
        )),
    )
}

/// Reads a members body, a bare array of `{"id": "<account member id>"}`:
/// each id must be a member of the account. Repeated ids count once.
fn read_member_refs(body: &Bytes, account: &Account) -> Result<Vec<String>, ApiError> {
    let items = json_array(body)?;
    let mut seen = HashSet::new();
    let mut ids = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let field = format!("[{i}]");
        let at = format!("/{i}");
        let obj = expect_object(item, &field, &at)?;
        let id = required(obj, "id", &format!("{field}.id"), &at)?;
        let id_at = format!("{at}/id");
        let id = expect_string(id, &format!("{field}.id"), &id_at, None)?;
        if account.members.get(id).is_none() {
            return Err(ApiError::invalid(
                format!(
                    "{field}.id: {:?} is not a member of this account (use a member id of \
                     GET /accounts/{}/members)",
                    shorten(id),
                    account.id.as_str()
                ),
                Some(&id_at),
            ));
        }
        if seen.insert(id.to_owned()) {
            ids.push(id.to_owned());
        }
    }
    Ok(ids)
}

/// Adds the members of a bare array (at least one). One already in the
/// group stays as it is, and the request still succeeds: adding is
/// idempotent. The answer is an array of the members the body named.
async fn add_members(
    State(inner): Shared,
    path: AccountPath,
    body: Bytes,
) -> Result<Response, ApiError> {
    let id = path.id(UserGroupId::new)?;
    write_account(&inner, &path.account, |account| {
        if account.user_group(id.as_str()).is_none() {
            return Err(not_found());
        }
        let ids = read_member_refs(&body, account)?;
        if ids.is_empty() {
            return Err(ApiError::invalid(
                "at least one member is required ([{\"id\": \"<member id>\"}]); \
                 PUT [] empties a group",
                Some(""),
            ));
        }
        let stamp = now();
        let group = account.user_group_mut(id.as_str()).ok_or_else(not_found)?;
        for member in &ids {
            if !group.has_member(member) {
                group.members.push(GroupMembership {
                    id: member.clone(),
                    added: stamp.clone(),
                });
            }
        }
        let answer: Vec<Value> = ids.iter().map(|m| render_member(account, m)).collect();
        Ok(json_ok(&Envelope::success(Value::Array(answer))))
    })
}

/// Replaces the group's members with those of a bare array (`[]` empties
/// it). The answer is the new set, `null` when empty.
async fn replace_members(
    State(inner): Shared,
    path: AccountPath,
    body: Bytes,
) -> Result<Response, ApiError> {
    let id = path.id(UserGroupId::new)?;
    write_account(&inner, &path.account, |account| {
        if account.user_group(id.as_str()).is_none() {
            return Err(not_found());
        }
        let ids = read_member_refs(&body, account)?;
        let stamp = now();
        let group = account.user_group_mut(id.as_str()).ok_or_else(not_found)?;
        let old = std::mem::take(&mut group.members);
        group.members = ids
            .iter()
            .map(|member| {
                old.iter()
                    .find(|m| &m.id == member)
                    .cloned()
                    .unwrap_or_else(|| GroupMembership {
                        id: member.clone(),
                        added: stamp.clone(),
                    })
            })
            .collect();
        let answer: Vec<Value> = ids.iter().map(|m| render_member(account, m)).collect();
        Ok(json_ok(&Envelope::success(member_list(answer))))
    })
}

/// `{id, created_at, email, status, user{id, email, first_name,
/// last_name}}`.
async fn get_member(State(inner): Shared, path: AccountPath) -> Result<Response, ApiError> {
    let id = path.id(UserGroupId::new)?;
    let member_id = path.id_at(1, MemberId::new)?;
    read_account(&inner, &path.account, |account| {
        let group = account.user_group(id.as_str()).ok_or_else(not_found)?;
        let membership = group
            .members
            .iter()
            .find(|m| m.id == member_id.as_str())
            .ok_or_else(member_not_found)?;
        let mut answer = render_member(account, &membership.id);
        let user = account
            .members
            .get(&membership.id)
            .and_then(|m| m.user.as_ref())
            .map(|u| {
                pick(
                    serde_json::to_value(u).unwrap_or(Value::Null),
                    &["id", "email", "first_name", "last_name"],
                )
            });
        if let Value::Object(map) = &mut answer {
            map.insert("created_at".to_owned(), json!(membership.added));
            if let Some(user) = user {
                map.insert("user".to_owned(), user);
            }
        }
        Ok(json_ok(&Envelope::success(answer)))
    })
}

/// Takes a member out of the group (they stay in the account); one not in
/// the group is a 404. Answers `{id, email, status}`.
async fn remove_member(State(inner): Shared, path: AccountPath) -> Result<Response, ApiError> {
    let id = path.id(UserGroupId::new)?;
    let member_id = path.id_at(1, MemberId::new)?;
    write_account(&inner, &path.account, |account| {
        let group = account.user_group_mut(id.as_str()).ok_or_else(not_found)?;
        let at = group
            .members
            .iter()
            .position(|m| m.id == member_id.as_str())
            .ok_or_else(member_not_found)?;
        group.members.remove(at);
        Ok(json_ok(&Envelope::success(render_member(
            account,
            member_id.as_str(),
        ))))
    })
}
