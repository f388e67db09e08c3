//! The seven operations of the members API.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{OriginalUri, Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use member_types::{
    check_email, Direction, Envelope, Member, MemberId, MemberOrder, MemberStatus, Policy,
    PolicyId, ResultInfo, RoleId, User, PER_PAGE_DEFAULT, PER_PAGE_MAX, PER_PAGE_MIN,
};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::error::ApiError;
use crate::ids::random_id;
use crate::server::Inner;
use crate::state::Account;

type Shared = State<Arc<Inner>>;

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

/// The account id of the path, checked: an id that is not an id gets the
/// real API's "no route" answer.
fn account_id(id: &str, uri: &OriginalUri) -> Result<String, ApiError> {
    match member_types::AccountId::new(id) {
        Ok(id) => Ok(id.into_string()),
        Err(_) => Err(ApiError::no_route(uri.0.path())),
    }
}

fn with_account<T>(
    inner: &Inner,
    account: &str,
    f: impl FnOnce(&Account) -> Result<T, ApiError>,
) -> Result<T, ApiError> {
    let state = inner
        .state
        .read()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let account = state
        .account(account)
        .ok_or_else(ApiError::unknown_account)?;
    f(account)
}

fn with_account_mut<T>(
    inner: &Inner,
    account: &str,
    f: impl FnOnce(&mut Account) -> Result<T, ApiError>,
) -> Result<T, ApiError> {
    let mut state = inner
        .state
        .write()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let account = state
        .account_mut(account)
        .ok_or_else(ApiError::unknown_account)?;
    f(account)
}

// ---------------------------------------------------------------- query ----

fn query_pairs(
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Vec<(String, String)>, ApiError> {
    match query {
        Ok(Query(pairs)) => Ok(pairs),
        Err(e) => Err(ApiError::invalid(
            format!("invalid query string: {e}"),
            None,
        )),
    }
}

fn last<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .rev()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// A whole number in `min..=max` (an integer-valued float such as `20.0` is
/// accepted, as the API's schema says `number`).
fn number_param(
    pairs: &[(String, String)],
    name: &str,
    min: u64,
    max: u64,
    default: u64,
) -> Result<u64, ApiError> {
    let Some(raw) = last(pairs, name) else {
        return Ok(default);
    };
    let range = if max == u64::MAX {
        format!("a whole number from {min}")
    } else {
        format!("a whole number from {min} to {max}")
    };
    let bad = || {
        ApiError::invalid_param(
            name,
            format!(
                "Invalid value for {name}: {:?}; expected {range}",
                shorten(raw)
            ),
        )
    };
    let value: f64 = raw.trim().parse().map_err(|_| bad())?;
    #[allow(
        clippy::cast_precision_loss,
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "the value is checked to be a whole number in range first"
    )]
    if value.is_finite() && value.fract() == 0.0 && value >= min as f64 && value <= max as f64 {
        Ok(value as u64)
    } else {
        Err(bad())
    }
}

fn enum_param<'a>(
    pairs: &'a [(String, String)],
    name: &str,
    allowed: &[&str],
) -> Result<Option<&'a str>, ApiError> {
    match last(pairs, name) {
        None => Ok(None),
        Some(v) if allowed.contains(&v) => Ok(Some(v)),
        Some(v) => Err(ApiError::invalid_param(
            name,
            format!(
                "Invalid value for {name}: {:?}; expected one of {}",
                shorten(v),
                allowed.join(", ")
            ),
        )),
    }
}

fn shorten(s: &str) -> String {
    let mut out: String = s.chars().take(40).collect();
    if s.chars().count() > 40 {
        out.push('…');
    }
    out
}

// ---------------------------------------------------------------- list -----

/// `page` (from 1) and `per_page` (5 to 50, default 20), as both lists take
/// them.
fn paging(pairs: &[(String, String)]) -> Result<(u64, u64), ApiError> {
    let page = number_param(pairs, "page", 1, u64::from(u32::MAX), 1)?;
    let per_page = number_param(
        pairs,
        "per_page",
        u64::from(PER_PAGE_MIN),
        u64::from(PER_PAGE_MAX),
        u64::from(PER_PAGE_DEFAULT),
    )?;
    Ok((page, per_page))
}

pub(crate) async fn list_members(
    State(inner): Shared,
    uri: OriginalUri,
    path: Result<Path<String>, PathRejection>,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Ok(Path(account)) = path else {
        return Err(ApiError::no_route(uri.0.path()));
    };
    let account = account_id(&account, &uri)?;
    let pairs = query_pairs(query)?;
    let status = enum_param(&pairs, "status", MemberStatus::KNOWN)?;
    let order = enum_param(
        &pairs,
        "order",
        &["user.first_name", "user.last_name", "user.email", "status"],
    )?
    .map(|o| o.parse::<MemberOrder>())
    .transpose()
    .map_err(|e| ApiError::invalid_param("order", e.to_string()))?;
    let direction = enum_param(&pairs, "direction", &["asc", "desc"])?
        .map(|d| d.parse::<Direction>())
        .transpose()
        .map_err(|e| ApiError::invalid_param("direction", e.to_string()))?;
    let (page, per_page) = paging(&pairs)?;
    with_account(&inner, &account, |account| {
        let (members, total) = account.page_of_members(status, order, direction, page, per_page);
        let count = members.len() as u64;
        let envelope = Envelope::success(members)
            .with_result_info(ResultInfo::new(page, per_page, count, total));
        Ok(json_ok(&envelope))
    })
}

pub(crate) async fn list_roles(
    State(inner): Shared,
    uri: OriginalUri,
    path: Result<Path<String>, PathRejection>,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Ok(Path(account)) = path else {
        return Err(ApiError::no_route(uri.0.path()));
    };
    let account = account_id(&account, &uri)?;
    let pairs = query_pairs(query)?;
    let (page, per_page) = paging(&pairs)?;
    with_account(&inner, &account, |account| {
        let skip = usize::try_from((page - 1).saturating_mul(per_page)).unwrap_or(usize::MAX);
        let take = usize::try_from(per_page).unwrap_or(usize::MAX);
        let roles: Vec<_> = account.roles.iter().skip(skip).take(take).collect();
        let count = roles.len() as u64;
        let envelope = Envelope::success(roles).with_result_info(ResultInfo::new(
            page,
            per_page,
            count,
            account.roles.len() as u64,
        ));
        Ok(json_ok(&envelope))
    })
}

pub(crate) async fn get_role(
    State(inner): Shared,
    uri: OriginalUri,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Result<Response, ApiError> {
    let Ok(Path((account, role))) = path else {
        return Err(ApiError::no_route(uri.0.path()));
    };
    let account = account_id(&account, &uri)?;
    let role = RoleId::new(role).map_err(|_| ApiError::no_route(uri.0.path()))?;
    with_account(&inner, &account, |account| {
        let role = account
            .role(role.as_str())
            .ok_or_else(|| ApiError::not_found("Role"))?;
        Ok(json_ok(&Envelope::success(role)))
    })
}

// ---------------------------------------------------------- one member -----

fn member_path(
    path: Result<Path<(String, String)>, PathRejection>,
    uri: &OriginalUri,
) -> Result<(String, MemberId), ApiError> {
    let Ok(Path((account, member))) = path else {
        return Err(ApiError::no_route(uri.0.path()));
    };
    let account = account_id(&account, uri)?;
    let member = MemberId::new(member).map_err(|_| ApiError::no_route(uri.0.path()))?;
    Ok((account, member))
}

pub(crate) async fn get_member(
    State(inner): Shared,
    uri: OriginalUri,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Result<Response, ApiError> {
    let (account, member) = member_path(path, &uri)?;
    with_account(&inner, &account, |account| {
        let member = account
            .members
            .get(member.as_str())
            .ok_or_else(|| ApiError::not_found("Member"))?;
        Ok(json_ok(&Envelope::success(member)))
    })
}

pub(crate) async fn remove_member(
    State(inner): Shared,
    uri: OriginalUri,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Result<Response, ApiError> {
    // Any body is ignored: the real API takes none, the 2024 document
    // declares one.
    let (account, member) = member_path(path, &uri)?;
    with_account_mut(&inner, &account, |account| {
        account
            .members
            .remove(member.as_str())
            .ok_or_else(|| ApiError::not_found("Member"))?;
        Ok(json_ok(&Envelope::success(
            serde_json::json!({ "id": member.as_str() }),
        )))
    })
}

// --------------------------------------------------------------- bodies ----

fn parse_body(body: &Bytes) -> Result<Map<String, Value>, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::malformed_json(
            "the body is empty; send a JSON object",
        ));
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(other) => Err(ApiError::invalid(
            format!(
                "Invalid request body: expected a JSON object, found {}",
                kind(&other)
            ),
            Some(""),
        )),
        Err(e) => Err(ApiError::malformed_json(&e.to_string())),
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn expect_string<'a>(
    v: &'a Value,
    field: &str,
    pointer: &str,
    max: Option<usize>,
) -> Result<&'a str, ApiError> {
    let Value::String(s) = v else {
        return Err(ApiError::invalid(
            format!("{field}: expected a string, found {}", kind(v)),
            Some(pointer),
        ));
    };
    if let Some(max) = max {
        if s.chars().count() > max {
            return Err(ApiError::invalid(
                format!("{field}: at most {max} characters are allowed"),
                Some(pointer),
            ));
        }
    }
    Ok(s)
}

fn expect_array<'a>(v: &'a Value, field: &str, pointer: &str) -> Result<&'a Vec<Value>, ApiError> {
    match v {
        Value::Array(items) => Ok(items),
        other => Err(ApiError::invalid(
            format!("{field}: expected an array, found {}", kind(other)),
            Some(pointer),
        )),
    }
}

fn expect_object<'a>(
    v: &'a Value,
    field: &str,
    pointer: &str,
) -> Result<&'a Map<String, Value>, ApiError> {
    match v {
        Value::Object(o) => Ok(o),
        other => Err(ApiError::invalid(
            format!("{field}: expected an object, found {}", kind(other)),
            Some(pointer),
        )),
    }
}

/// Reads `policies`, checking every group id against the account's
/// catalogue.
fn read_policies(value: &Value, account: &Account) -> Result<Vec<Policy>, ApiError> {
    let items = expect_array(value, "policies", "/policies")?;
    if items.is_empty() {
        return Err(ApiError::invalid(
            "policies: at least one policy is required",
            Some("/policies"),
        ));
    }
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let at = format!("/policies/{i}");
        let name = format!("policies[{i}]");
        let obj = expect_object(item, &name, &at)?;
        let access = obj
            .get("access")
            .ok_or_else(|| ApiError::invalid(format!("{name}.access is required"), Some(&at)))?;
        let access = expect_string(
            access,
            &format!("{name}.access"),
            &format!("{at}/access"),
            None,
        )?;
        if access != "allow" && access != "deny" {
            return Err(ApiError::invalid(
                format!("{name}.access: expected \"allow\" or \"deny\", found {access:?}"),
                Some(&format!("{at}/access")),
            ));
        }
        let id = match obj.get("id") {
            None | Some(Value::Null) => PolicyId::from_server(random_id()),
            Some(v) => {
                let s = expect_string(v, &format!("{name}.id"), &format!("{at}/id"), None)?;
                PolicyId::new(s).map_err(|e| {
                    ApiError::invalid(format!("{name}.id: {e}"), Some(&format!("{at}/id")))
                })?
            }
        };
        let mut policy = Policy::default();
        policy.id = Some(id);
        policy.access = Some(access.parse().map_err(|e: member_types::ValidationError| {
            ApiError::invalid(e.to_string(), Some(&format!("{at}/access")))
        })?);
        for (key, what) in [
            ("permission_groups", "permission group"),
            ("resource_groups", "resource group"),
        ] {
            let field = format!("{name}.{key}");
            let ptr = format!("{at}/{key}");
            let groups = obj
                .get(key)
                .ok_or_else(|| ApiError::invalid(format!("{field} is required"), Some(&at)))?;
            let groups = expect_array(groups, &field, &ptr)?;
            if groups.is_empty() {
                return Err(ApiError::invalid(
                    format!("{field}: at least one {what} is required"),
                    Some(&ptr),
                ));
            }
            for (g, group) in groups.iter().enumerate() {
                let gname = format!("{field}[{g}]");
                let gptr = format!("{ptr}/{g}");
                let gobj = expect_object(group, &gname, &gptr)?;
                let gid = gobj.get("id").ok_or_else(|| {
                    ApiError::invalid(format!("{gname}.id is required"), Some(&gptr))
                })?;
                let gid = expect_string(gid, &format!("{gname}.id"), &format!("{gptr}/id"), None)?;
                let unknown = || {
                    ApiError::invalid(
                        format!("{gname}.id: unknown {what} {:?}", shorten(gid)),
                        Some(&format!("{gptr}/id")),
                    )
                };
                if key == "permission_groups" {
                    let found = account.permission_group(gid).ok_or_else(unknown)?;
                    policy.permission_groups.push(found.clone());
                } else {
                    let found = account.resource_group(gid).ok_or_else(unknown)?;
                    policy.resource_groups.push(found.clone());
                }
            }
        }
        out.push(policy);
    }
    Ok(out)
}

/// The optional, read-only fields of the update-with-roles shape: checked
/// for type so that a malformed body is refused, then ignored (as the real
/// API ignores them).
fn check_update_extras(body: &Map<String, Value>) -> Result<(), ApiError> {
    if let Some(id) = body.get("id") {
        expect_string(id, "id", "/id", Some(32))?;
    }
    if let Some(user) = body.get("user") {
        let user = expect_object(user, "user", "/user")?;
        let email = user
            .get("email")
            .ok_or_else(|| ApiError::invalid("user.email is required", Some("/user")))?;
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
        if let Some(v) = user.get("two_factor_authentication_enabled") {
            if !v.is_boolean() {
                return Err(ApiError::invalid(
                    format!(
                        "user.two_factor_authentication_enabled: expected a boolean, found {}",
                        kind(v)
                    ),
                    Some("/user/two_factor_authentication_enabled"),
                ));
            }
        }
    }
    Ok(())
}

fn read_status(body: &Map<String, Value>) -> Result<Option<&str>, ApiError> {
    match body.get("status") {
        None => Ok(None),
        Some(v) => {
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
    }
}

/// Role ids of an update body: objects (`{"id": "…"}`), as PUT takes them.
fn read_update_roles(
    value: &Value,
    account: &Account,
) -> Result<Vec<member_types::Role>, ApiError> {
    let items = expect_array(value, "roles", "/roles")?;
    let mut out: Vec<member_types::Role> = Vec::with_capacity(items.len());
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
                        kind(other)
                    ),
                    Some(&at),
                ))
            }
        };
        let id = obj
            .get("id")
            .ok_or_else(|| ApiError::invalid(format!("roles[{i}].id is required"), Some(&at)))?;
        let id = expect_string(id, &format!("roles[{i}].id"), &format!("{at}/id"), Some(32))?;
        if let Some(name) = obj.get("name") {
            expect_string(
                name,
                &format!("roles[{i}].name"),
                &format!("{at}/name"),
                Some(120),
            )?;
        }
        if let Some(d) = obj.get("description") {
            expect_string(
                d,
                &format!("roles[{i}].description"),
                &format!("{at}/description"),
                None,
            )?;
        }
        if let Some(p) = obj.get("permissions") {
            expect_object(
                p,
                &format!("roles[{i}].permissions"),
                &format!("{at}/permissions"),
            )?;
        }
        let role = account.role(id).ok_or_else(|| {
            ApiError::invalid(
                format!(
                    "roles[{i}].id: unknown role {:?} for this account",
                    shorten(id)
                ),
                Some(&format!("{at}/id")),
            )
        })?;
        if !out.iter().any(|r| r.id == role.id) {
            out.push(role.clone());
        }
    }
    Ok(out)
}

/// Role ids of an add body: plain strings, as POST takes them.
fn read_create_roles(
    value: &Value,
    account: &Account,
) -> Result<Vec<member_types::Role>, ApiError> {
    let items = expect_array(value, "roles", "/roles")?;
    if items.is_empty() {
        return Err(ApiError::invalid(
            "roles: at least one role id is required",
            Some("/roles"),
        ));
    }
    let mut out: Vec<member_types::Role> = Vec::with_capacity(items.len());
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
                        kind(other)
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
        let role = account.role(id).ok_or_else(|| {
            ApiError::invalid(
                format!(
                    "roles[{i}]: unknown role {:?} for this account",
                    shorten(id)
                ),
                Some(&at),
            )
        })?;
        if !out.iter().any(|r| r.id == role.id) {
            out.push(role.clone());
        }
    }
    Ok(out)
}

// --------------------------------------------------------------- update ----

pub(crate) async fn update_member(
    State(inner): Shared,
    uri: OriginalUri,
    path: Result<Path<(String, String)>, PathRejection>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let (account, member_id) = member_path(path, &uri)?;
    let body = parse_body(&body)?;
    with_account_mut(&inner, &account, |account| {
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
        let member = account
            .members
            .get_mut(member_id.as_str())
            .ok_or_else(|| ApiError::not_found("Member"))?;
        let is_accepted = member
            .status
            .as_ref()
            .is_some_and(|s| *s == MemberStatus::Accepted);
        // Seen on the real API: `status: pending` sent for an accepted member
        // makes the server drop the permission change silently.
        let dropped = status == Some("pending") && is_accepted;
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

// ------------------------------------------------------------------ add ----

pub(crate) async fn add_member(
    State(inner): Shared,
    uri: OriginalUri,
    path: Result<Path<String>, PathRejection>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let Ok(Path(account)) = path else {
        return Err(ApiError::no_route(uri.0.path()));
    };
    let account = account_id(&account, &uri)?;
    let body = parse_body(&body)?;
    let omit_roles = inner.omit_roles_on_add();
    with_account_mut(&inner, &account, |account| {
        let email = body
            .get("email")
            .ok_or_else(|| ApiError::invalid("email is required", Some("/email")))?;
        let email = expect_string(email, "email", "/email", None)?;
        check_email(email).map_err(|e| ApiError::invalid(e.to_string(), Some("/email")))?;
        let status = read_status(&body)?;
        let (roles, policies) = match (body.get("policies"), body.get("roles")) {
            (Some(p), _) => (None, Some(read_policies(p, account)?)),
            (None, Some(r)) => (Some(read_create_roles(r, account)?), None),
            (None, None) => (None, None),
        };
        if roles.is_none() && policies.is_none() {
            return Err(ApiError::invalid(
                "roles or policies is required: send \"roles\": [\"<role id>\", …] or \"policies\": […]",
                Some(""),
            ));
        }
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
        let mut member = Member::default();
        member.id = Some(MemberId::from_server(random_id()));
        member.email = Some(email.to_owned());
        member.status = Some(status);
        let mut user = User::default();
        user.email = email.to_owned();
        user.two_factor_authentication_enabled = Some(false);
        member.user = Some(user);
        if let Some(policies) = policies {
            member.policies = policies;
        } else if let Some(roles) = roles {
            member.roles = roles;
        }
        account.members.upsert(member.clone());
        if omit_roles {
            // The real add response leaves `roles` out; GET has them.
            member.roles.clear();
        }
        Ok(json_ok(&Envelope::success(member)))
    })
}

// -------------------------------------------------------------- fallbacks --

pub(crate) async fn no_route(uri: OriginalUri) -> ApiError {
    ApiError::no_route(uri.0.path())
}

pub(crate) fn method_not_allowed(
    allow: &'static str,
) -> impl Fn() -> std::future::Ready<ApiError> + Clone {
    move || std::future::ready(ApiError::method_not_allowed(allow))
}
