//! The `policies` of a request body (members today; user groups take the
//! same shape): every group id is checked against the account's catalogue.

use member_types::json::shorten;
use member_types::{Policy, PolicyId};
use serde_json::{Map, Value};

use crate::error::ApiError;
use crate::ids::random_id;
use crate::state::Account;

use super::request::{expect_array, expect_object, expect_string, required};

/// Reads `policies`: at least one, each with `access` and at least one
/// permission group and one resource group of this account.
pub(crate) fn read_policies(value: &Value, account: &Account) -> Result<Vec<Policy>, ApiError> {
    let items = expect_array(value, "policies", "/policies")?;
    if items.is_empty() {
        return Err(ApiError::invalid(
            "policies: at least one policy is required",
            Some("/policies"),
        ));
    }
    items
        .iter()
        .enumerate()
        .map(|(i, item)| read_policy(item, i, account))
        .collect()
}

fn read_policy(item: &Value, i: usize, account: &Account) -> Result<Policy, ApiError> {
    let at = format!("/policies/{i}");
    let name = format!("policies[{i}]");
    let obj = expect_object(item, &name, &at)?;
    let access_at = format!("{at}/access");
    let access = required(obj, "access", &format!("{name}.access"), &at)?;
    let access = expect_string(access, &format!("{name}.access"), &access_at, None)?;
    if access != "allow" && access != "deny" {
        return Err(ApiError::invalid(
            format!("{name}.access: expected \"allow\" or \"deny\", found {access:?}"),
            Some(&access_at),
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
        ApiError::invalid(e.to_string(), Some(&access_at))
    })?);
    policy.permission_groups = read_groups(obj, &name, &at, "permission_groups", |id| {
        account.permission_group(id).cloned()
    })?;
    policy.resource_groups = read_groups(obj, &name, &at, "resource_groups", |id| {
        account.resource_group(id).cloned()
    })?;
    Ok(policy)
}

/// A policy's groups under `key` (`permission_groups`, `resource_groups`),
/// each `{"id": …}` found by `lookup` in the account's catalogue; at least
/// one is required.
fn read_groups<T>(
    policy: &Map<String, Value>,
    name: &str,
    at: &str,
    key: &str,
    lookup: impl Fn(&str) -> Option<T>,
) -> Result<Vec<T>, ApiError> {
    let what = key.trim_end_matches('s').replace('_', " ");
    let field = format!("{name}.{key}");
    let ptr = format!("{at}/{key}");
    let groups = required(policy, key, &field, at)?;
    let groups = expect_array(groups, &field, &ptr)?;
    if groups.is_empty() {
        return Err(ApiError::invalid(
            format!("{field}: at least one {what} is required"),
            Some(&ptr),
        ));
    }
    let mut found = Vec::with_capacity(groups.len());
    for (g, group) in groups.iter().enumerate() {
        let gname = format!("{field}[{g}]");
        let gptr = format!("{ptr}/{g}");
        let gobj = expect_object(group, &gname, &gptr)?;
        let gid = required(gobj, "id", &format!("{gname}.id"), &gptr)?;
        let gid = expect_string(gid, &format!("{gname}.id"), &format!("{gptr}/id"), None)?;
        let group = lookup(gid).ok_or_else(|| {
            ApiError::invalid(
                format!("{gname}.id: unknown {what} {:?}", shorten(gid)),
                Some(&format!("{gptr}/id")),
            )
        })?;
        found.push(group);
    }
    Ok(found)
}
