//! Resource groups: list (exact `id` and `name` filters, one page), get,
//! create, update and delete, with scopes checked against the account's own
//! key and its zones. `scope` is written in the server's [`ScopeShape`].

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use member_types::json::shorten;
use member_types::{
    Envelope, ResourceGroup, ResourceGroupId, Scope, ScopeObject, Scopes, SCOPE_ALL,
    ZONE_SCOPE_PREFIX,
};
use serde_json::{Map, Value};

use crate::error::ApiError;
use crate::ids::random_id;
use crate::server::ScopeShape;
use crate::shared::Inner;
use crate::state::Account;

use super::request::{
    expect_array, expect_object, expect_string, json_object, required, AccountPath, QueryPairs,
};
use super::{json_ok, method_not_allowed, read_account, write_account, Shared};

/// The longest `name` filter taken.
const NAME_MAX: usize = 253;

pub(super) fn routes() -> Router<Arc<Inner>> {
    Router::new()
        .route(
            "/accounts/{account_id}/iam/resource_groups",
            get(list)
                .post(create)
                .fallback(method_not_allowed("GET, HEAD, POST")),
        )
        .route(
            "/accounts/{account_id}/iam/resource_groups/{resource_group_id}",
            get(get_one)
                .put(update)
                .delete(remove)
                .fallback(method_not_allowed("GET, HEAD, PUT, DELETE")),
        )
}

/// A group as answered: `scope` as one object or as an array, as the
/// server is set. A group holding several scopes (only a seed or the admin
/// API can store one) is always an array.
pub(crate) fn render(group: &ResourceGroup, shape: ScopeShape) -> Value {
    let mut value = serde_json::to_value(group).unwrap_or(Value::Null);
    let scopes = group.scope.as_slice();
    let scope = match (shape, scopes) {
        (ScopeShape::Object, [one]) => serde_json::to_value(one),
        _ => serde_json::to_value(scopes),
    };
    if let (Value::Object(map), Ok(scope)) = (&mut value, scope) {
        map.insert("scope".to_owned(), scope);
    }
    value
}

/// A new resource group of `scope`, named or not, with a fresh id.
pub(crate) fn new_group(name: Option<&str>, scope: Scope) -> ResourceGroup {
    let mut value = serde_json::json!({ "id": random_id(), "scope": [scope] });
    if let Some(name) = name {
        value["name"] = Value::String(name.to_owned());
    }
    serde_json::from_value(value).expect("a resource group built from its own parts")
}

/// Reads a request's `scope` (`field` names it, `at` points at it): one
/// `{key, objects}` object. `key` is this account's
/// (`com.cloudflare.api.account.<account id>`, objects `"*"` or zone keys of
/// its zones) or a zone key of one of its zones (objects `"*"` only).
pub(crate) fn read_scope(
    value: &Value,
    field: &str,
    at: &str,
    account: &Account,
) -> Result<Scope, ApiError> {
    let obj = expect_object(value, field, at)?;
    let key_field = format!("{field}.key");
    let key_at = format!("{at}/key");
    let key = required(obj, "key", &key_field, at)?;
    let key = expect_string(key, &key_field, &key_at, None)?;
    let whole_account = key == account.scope_key();
    if !whole_account && account.zone_of_key(key).is_none() {
        let why = if key.starts_with(ZONE_SCOPE_PREFIX) {
            format!(
                "{key_field}: unknown zone {:?} for this account",
                shorten(key)
            )
        } else {
            format!(
                "{key_field}: expected this account's key {:?} or a zone key \
                 (\"{ZONE_SCOPE_PREFIX}<zone id>\") of one of its zones, found {:?}",
                account.scope_key(),
                shorten(key)
            )
        };
        return Err(ApiError::invalid(why, Some(&key_at)));
    }
    let objects_field = format!("{field}.objects");
    let objects_at = format!("{at}/objects");
    let objects = required(obj, "objects", &objects_field, at)?;
    let objects = expect_array(objects, &objects_field, &objects_at)?;
    if objects.is_empty() {
        return Err(ApiError::invalid(
            format!("{objects_field}: at least one scope object is required (\"*\" for everything under the key)"),
            Some(&objects_at),
        ));
    }
    let mut scope = Scope::default();
    scope.key = key.to_owned();
    for (i, object) in objects.iter().enumerate() {
        let name = format!("{objects_field}[{i}]");
        let object_at = format!("{objects_at}/{i}");
        let object = expect_object(object, &name, &object_at)?;
        let okey = required(object, "key", &format!("{name}.key"), &object_at)?;
        let okey_at = format!("{object_at}/key");
        let okey = expect_string(okey, &format!("{name}.key"), &okey_at, None)?;
        let known = okey == SCOPE_ALL || (whole_account && account.zone_of_key(okey).is_some());
        if !known {
            let why = if whole_account {
                format!(
                    "{name}.key: expected \"*\" or the key of a zone of this account, found {:?}",
                    shorten(okey)
                )
            } else {
                format!(
                    "{name}.key: a zone scope takes only \"*\" as its object, found {:?}",
                    shorten(okey)
                )
            };
            return Err(ApiError::invalid(why, Some(&okey_at)));
        }
        let mut scope_object = ScopeObject::default();
        scope_object.key = okey.to_owned();
        scope.objects.push(scope_object);
    }
    Ok(scope)
}

/// A `name` of a body: a string that is not blank.
fn read_name(body: &Map<String, Value>) -> Result<Option<&str>, ApiError> {
    let Some(name) = body.get("name") else {
        return Ok(None);
    };
    let name = expect_string(name, "name", "/name", None)?;
    if name.trim().is_empty() {
        return Err(ApiError::invalid("name: must not be blank", Some("/name")));
    }
    Ok(Some(name))
}

/// One page holding every match, without `result_info`, as today's API
/// answers (older deployments paged it). `page` and `per_page` are ignored.
async fn list(
    State(inner): Shared,
    path: AccountPath,
    query: QueryPairs,
) -> Result<Response, ApiError> {
    let id = query.hex_id("id")?;
    let name = query.text("name", NAME_MAX)?;
    let shape = inner.scope_shape();
    read_account(&inner, &path.account, |account| {
        let groups: Vec<Value> = account
            .resource_groups
            .iter()
            .filter(|g| {
                id.is_none_or(|id| g.id.as_str() == id)
                    && name.is_none_or(|name| g.name.as_deref() == Some(name))
            })
            .map(|g| render(g, shape))
            .collect();
        Ok(json_ok(&Envelope::success(groups)))
    })
}

async fn get_one(State(inner): Shared, path: AccountPath) -> Result<Response, ApiError> {
    let id = path.id(ResourceGroupId::new)?;
    let shape = inner.scope_shape();
    read_account(&inner, &path.account, |account| {
        let group = account.resource_group(id.as_str()).ok_or_else(not_found)?;
        Ok(json_ok(&Envelope::success(render(group, shape))))
    })
}

fn not_found() -> ApiError {
    ApiError::not_found("Resource group")
}

/// `{name, scope}`, both required; names need not be unique.
async fn create(
    State(inner): Shared,
    path: AccountPath,
    body: Bytes,
) -> Result<Response, ApiError> {
    let body = json_object(&body)?;
    let shape = inner.scope_shape();
    write_account(&inner, &path.account, |account| {
        required(&body, "name", "name", "")?;
        let name = read_name(&body)?;
        let scope = required(&body, "scope", "scope", "")?;
        let scope = read_scope(scope, "scope", "/scope", account)?;
        let group = new_group(name, scope);
        let answer = render(&group, shape);
        account.resource_groups.push(group);
        Ok(json_ok(&Envelope::success(answer)))
    })
}

/// `{name?, scope?}`: what is sent replaces what was there (`{}` changes
/// nothing).
async fn update(
    State(inner): Shared,
    path: AccountPath,
    body: Bytes,
) -> Result<Response, ApiError> {
    let id = path.id(ResourceGroupId::new)?;
    let body = json_object(&body)?;
    let shape = inner.scope_shape();
    write_account(&inner, &path.account, |account| {
        if account.resource_group(id.as_str()).is_none() {
            return Err(not_found());
        }
        let name = read_name(&body)?;
        let scope = body
            .get("scope")
            .map(|s| read_scope(s, "scope", "/scope", account))
            .transpose()?;
        let group = account
            .resource_groups
            .iter_mut()
            .find(|g| g.id.as_str() == id.as_str())
            .ok_or_else(not_found)?;
        if let Some(name) = name {
            group.name = Some(name.to_owned());
        }
        if let Some(scope) = scope {
            group.scope = Scopes::Many(vec![scope]);
        }
        Ok(json_ok(&Envelope::success(render(group, shape))))
    })
}

/// Any body is ignored, as on Remove Member. Policies that name the group
/// keep their copy of it.
async fn remove(State(inner): Shared, path: AccountPath) -> Result<Response, ApiError> {
    let id = path.id(ResourceGroupId::new)?;
    write_account(&inner, &path.account, |account| {
        let at = account
            .resource_groups
            .iter()
            .position(|g| g.id.as_str() == id.as_str())
            .ok_or_else(not_found)?;
        account.resource_groups.remove(at);
        Ok(json_ok(&Envelope::success(
            serde_json::json!({ "id": id.as_str() }),
        )))
    })
}
