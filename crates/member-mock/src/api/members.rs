//! Members: list, add, get, update and remove, with the body checks and the
//! quirks of the real API (role ids as objects on PUT and as strings on
//! POST, policies winning over roles, `status: pending` dropping an update,
//! `roles` left out of the add response).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use member_types::json::{kind_of, shorten};
use member_types::{
    check_email, Direction, Envelope, Member, MemberId, MemberOrder, MemberStatus, Policy, Role,
    User,
};
use serde_json::{Map, Value};

use crate::error::ApiError;
use crate::ids::random_id;
use crate::shared::Inner;
use crate::state::Account;

use super::policies::{read_policies, Policies};
use super::request::{
    expect_array, expect_object, expect_string, json_object, required, AccountPath, QueryPairs,
};
use super::{json_ok, method_not_allowed, read_account, write_account, Shared};

pub(super) fn routes() -> Router<Arc<Inner>> {
    Router::new()
        .route(
            "/accounts/{account_id}/members",
            get(list)
                .post(add)
                .fallback(method_not_allowed("GET, HEAD, POST")),
        )
        .route(
            "/accounts/{account_id}/members/{member_id}",
            get(get_one)
                .put(update)
                .delete(remove)
                .fallback(method_not_allowed("GET, HEAD, PUT, DELETE")),
        )
}

/// The order fields the list takes.
const ORDERS: &[&str] = &["user.first_name", "user.last_name", "user.email", "status"];

async fn list(
    State(inner): Shared,
    path: AccountPath,
    query: QueryPairs,
) -> Result<Response, ApiError> {
    let status = query.one_of("status", MemberStatus::KNOWN)?;
    let order = query
        .one_of("order", ORDERS)?
        .map(str::parse::<MemberOrder>)
        .transpose()
        .map_err(|e| ApiError::invalid_param("order", e.to_string()))?;
    let direction = query
        .one_of("direction", &["asc", "desc"])?
        .map(str::parse::<Direction>)
        .transpose()
        .map_err(|e| ApiError::invalid_param("direction", e.to_string()))?;
    let paging = query.paging()?;
    read_account(&inner, &path.account, |account| {
        let (members, total) =
            account.page_of_members(status, order, direction, paging.skip(), paging.take());
        Ok(paging.answer(members, total))
    })
}

async fn get_one(State(inner): Shared, path: AccountPath) -> Result<Response, ApiError> {
    let member = path.id(MemberId::new)?;
    read_account(&inner, &path.account, |account| {
        let member = account
            .members
            .get(member.as_str())
            .ok_or_else(|| ApiError::not_found("Member"))?;
        Ok(json_ok(&Envelope::success(member)))
    })
}

/// Any body is ignored: the real API takes none, the 2024 document declares
/// one.
async fn remove(State(inner): Shared, path: AccountPath) -> Result<Response, ApiError> {
    let member = path.id(MemberId::new)?;
    write_account(&inner, &path.account, |account| {
        account
            .remove_member(member.as_str())
            .ok_or_else(|| ApiError::not_found("Member"))?;
        Ok(json_ok(&Envelope::success(
            serde_json::json!({ "id": member.as_str() }),
        )))
    })
}

async fn update(
    State(inner): Shared,
    path: AccountPath,
    body: Bytes,
) -> Result<Response, ApiError> {
    let member_id = path.id(MemberId::new)?;
    let body = json_object(&body)?;
    write_account(&inner, &path.account, |account| {
        if account.members.get(member_id.as_str()).is_none() {
            return Err(ApiError::not_found("Member"));
        }
        let status = read_status(&body)?;
        check_update_extras(&body)?;
        // Policies win over roles when both are sent, as on the real API:
        // the roles are then not even read.
        let (roles, policies) = match (body.get("policies"), body.get("roles")) {
            (Some(p), _) => (None, Some(read_policies(p, account)?)),
            (None, Some(r)) => (Some(read_update_roles(r, account)?), None),
            (None, None) => (None, None),
        };
        let is_accepted = account
            .members
            .get(member_id.as_str())
            .and_then(|m| m.status.as_ref())
            .is_some_and(|s| *s == MemberStatus::Accepted);
        // As on the real API, `status: pending` sent for an accepted member
        // drops the permission change silently (and the groups of inline
        // scopes are not made).
        let dropped = status == Some("pending") && is_accepted;
        let policies = match policies {
            Some(policies) if !dropped => Some(policies.commit(account)),
            _ => None,
        };
        let member = account
            .members
            .get_mut(member_id.as_str())
            .ok_or_else(|| ApiError::not_found("Member"))?;
        if !dropped {
            if let Some(policies) = policies {
                member.policies = policies;
                member.roles.clear();
            } else if let Some(roles) = roles {
                member.roles = roles;
                member.policies.clear();
            }
        }
        Ok(json_ok(&Envelope::success(&*member)))
    })
}

async fn add(State(inner): Shared, path: AccountPath, body: Bytes) -> Result<Response, ApiError> {
    let body = json_object(&body)?;
    let omit_roles = inner.omit_roles_on_add();
    write_account(&inner, &path.account, |account| {
        let email = required(&body, "email", "email", "/email")?;
        let email = expect_string(email, "email", "/email", None)?;
        check_email(email).map_err(|e| ApiError::invalid(e.to_string(), Some("/email")))?;
        let status = read_status(&body)?;
        let access = match (body.get("policies"), body.get("roles")) {
            (Some(p), _) => Requested::Policies(read_policies(p, account)?),
            (None, Some(r)) => Requested::Roles(read_create_roles(r, account)?),
            (None, None) => {
                return Err(ApiError::invalid(
                    "roles or policies is required: send \"roles\": [\"<role id>\", …] or \"policies\": […]",
                    Some(""),
                ))
            }
        };
        let status =
            match status {
                Some("accepted") if !account.allow_direct_add => return Err(ApiError::invalid(
                    "status: \"accepted\" is not allowed for this account: it cannot add members \
                     directly; invite them (status \"pending\")",
                    Some("/status"),
                )),
                Some("accepted") => MemberStatus::Accepted,
                _ => MemberStatus::Pending,
            };
        if account.members.has_email(email) {
            return Err(ApiError::invalid(
                format!("email: {email} is already a member of this account"),
                Some("/email"),
            ));
        }
        let access = match access {
            Requested::Policies(policies) => Access::Policies(policies.commit(account)),
            Requested::Roles(roles) => Access::Roles(roles),
        };
        let mut member = new_member(email, status, access);
        account.members.upsert(member.clone());
        if omit_roles {
            // The real add response leaves `roles` out; GET has them.
            member.roles.clear();
        }
        Ok(json_ok(&Envelope::success(member)))
    })
}

/// What an add body asks for: roles, or policies whose inline scopes are
/// stored only once the whole body is accepted.
enum Requested {
    Roles(Vec<Role>),
    Policies(Policies),
}

/// What a new member may do: roles or policies, never both.
enum Access {
    Roles(Vec<Role>),
    Policies(Vec<Policy>),
}

fn new_member(email: &str, status: MemberStatus, access: Access) -> Member {
    let mut member = Member::default();
    member.id = Some(MemberId::from_server(random_id()));
    member.email = Some(email.to_owned());
    member.status = Some(status);
    let mut user = User::default();
    user.email = email.to_owned();
    user.two_factor_authentication_enabled = Some(false);
    member.user = Some(user);
    match access {
        Access::Roles(roles) => member.roles = roles,
        Access::Policies(policies) => member.policies = policies,
    }
    member
}

// --------------------------------------------------------------- bodies ----

/// The optional, read-only fields of the update-with-roles shape: checked
/// for type so that a malformed body is refused, then ignored (as the real
/// API ignores them).
fn check_update_extras(body: &Map<String, Value>) -> Result<(), ApiError> {
    if let Some(id) = body.get("id") {
        expect_string(id, "id", "/id", Some(32))?;
    }
    let Some(user) = body.get("user") else {
        return Ok(());
    };
    let user = expect_object(user, "user", "/user")?;
    let email = required(user, "email", "user.email", "/user")?;
    expect_string(email, "user.email", "/user/email", Some(90))?;
    for key in ["first_name", "last_name"] {
        match user.get(key) {
            None | Some(Value::Null) => {}
            Some(v) => {
                expect_string(v, &format!("user.{key}"), &format!("/user/{key}"), Some(60))?;
            }
        }
    }
    if let Some(id) = user.get("id") {
        expect_string(id, "user.id", "/user/id", Some(32))?;
    }
    match user.get("two_factor_authentication_enabled") {
        Some(v) if !v.is_boolean() => Err(ApiError::invalid(
            format!(
                "user.two_factor_authentication_enabled: expected a boolean, found {}",
                kind_of(v)
            ),
            Some("/user/two_factor_authentication_enabled"),
        )),
        _ => Ok(()),
    }
}

fn read_status(body: &Map<String, Value>) -> Result<Option<&str>, ApiError> {
    let Some(v) = body.get("status") else {
        return Ok(None);
    };
    let s = expect_string(v, "status", "/status", None)?;
    if s == "accepted" || s == "pending" {
        Ok(Some(s))
    } else {
        Err(ApiError::invalid(
            format!(
                "status: expected \"accepted\" or \"pending\", found {:?}",
                shorten(s)
            ),
            Some("/status"),
        ))
    }
}

/// Role ids of an update body: objects (`{"id": "…"}`), as PUT takes them;
/// the other fields of a role object are checked for type and ignored.
fn read_update_roles(value: &Value, account: &Account) -> Result<Vec<Role>, ApiError> {
    let items = expect_array(value, "roles", "/roles")?;
    let mut out: Vec<Role> = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let at = format!("/roles/{i}");
        let obj = match item {
            Value::Object(o) => o,
            Value::String(s) => {
                return Err(ApiError::invalid(
                    format!(
                    "roles[{i}]: expected a role object like {{\"id\": \"{}\"}}, found a string; \
                         Update Member takes role objects (Add Member takes role id strings)",
                    shorten(s)
                ),
                    Some(&at),
                ))
            }
            other => {
                return Err(ApiError::invalid(
                    format!(
                        "roles[{i}]: expected a role object like {{\"id\": \"…\"}}, found {}",
                        kind_of(other)
                    ),
                    Some(&at),
                ))
            }
        };
        let id = required(obj, "id", &format!("roles[{i}].id"), &at)?;
        let id = expect_string(id, &format!("roles[{i}].id"), &format!("{at}/id"), Some(32))?;
        for (key, max) in [("name", Some(120)), ("description", None)] {
            if let Some(v) = obj.get(key) {
                expect_string(v, &format!("roles[{i}].{key}"), &format!("{at}/{key}"), max)?;
            }
        }
        if let Some(p) = obj.get("permissions") {
            expect_object(
                p,
                &format!("roles[{i}].permissions"),
                &format!("{at}/permissions"),
            )?;
        }
        let role = known_role(account, id, &format!("roles[{i}].id"), &format!("{at}/id"))?;
        add_once(&mut out, role);
    }
    Ok(out)
}

/// Role ids of an add body: plain strings, as POST takes them.
fn read_create_roles(value: &Value, account: &Account) -> Result<Vec<Role>, ApiError> {
    let items = expect_array(value, "roles", "/roles")?;
    if items.is_empty() {
        return Err(ApiError::invalid(
            "roles: at least one role id is required",
            Some("/roles"),
        ));
    }
    let mut out: Vec<Role> = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let at = format!("/roles/{i}");
        let id = match item {
            Value::String(s) => s.as_str(),
            Value::Object(o) => {
                let hint = o.get("id").and_then(Value::as_str).unwrap_or("…");
                return Err(ApiError::invalid(
                    format!(
                        "roles[{i}]: expected a role id string like \"{}\", found an object; \
                         Add Member takes role id strings (Update Member takes role objects)",
                        shorten(hint)
                    ),
                    Some(&at),
                ));
            }
            other => {
                return Err(ApiError::invalid(
                    format!(
                        "roles[{i}]: expected a role id string, found {}",
                        kind_of(other)
                    ),
                    Some(&at),
                ))
            }
        };
        if id.chars().count() > 32 {
            return Err(ApiError::invalid(
                format!("roles[{i}]: at most 32 characters are allowed"),
                Some(&at),
            ));
        }
        let role = known_role(account, id, &format!("roles[{i}]"), &at)?;
        add_once(&mut out, role);
    }
    Ok(out)
}

/// A role of the account's catalogue, or a 400 naming the field.
fn known_role<'a>(
    account: &'a Account,
    id: &str,
    field: &str,
    pointer: &str,
) -> Result<&'a Role, ApiError> {
    account.role(id).ok_or_else(|| {
        ApiError::invalid(
            format!("{field}: unknown role {:?} for this account", shorten(id)),
            Some(pointer),
        )
    })
}

/// A role sent twice counts once.
fn add_once(roles: &mut Vec<Role>, role: &Role) {
    if !roles.iter().any(|r| r.id == role.id) {
        roles.push(role.clone());
    }
}
