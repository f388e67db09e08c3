//! The `policies` of a request body (members today; user groups take the
//! same shape): every group id is checked against the account's catalogue,
//! and a resource group may be given inline as `{"scope": {…}}`.

use member_types::json::shorten;
use member_types::{Policy, PolicyId, ResourceGroup};
use serde_json::{Map, Value};

use crate::error::ApiError;
use crate::ids::random_id;
use crate::state::Account;

use super::request::{expect_array, expect_object, expect_string, required};
use super::resource_groups::{new_group, read_scope};

/// A body's policies, and the unnamed resource groups its inline scopes
/// make: the caller adds those to the account once the whole request is
/// accepted ([`Policies::commit`]).
#[derive(Debug)]
pub(crate) struct Policies {
    pub(crate) policies: Vec<Policy>,
    new_groups: Vec<ResourceGroup>,
}

impl Policies {
    /// Stores the groups the inline scopes made, and gives the policies.
    pub(crate) fn commit(self, account: &mut Account) -> Vec<Policy> {
        account.resource_groups.extend(self.new_groups);
        self.policies
    }
}

/// Reads `policies`: at least one, each with `access` and at least one
/// permission group and one resource group of this account.
pub(crate) fn read_policies(value: &Value, account: &Account) -> Result<Policies, ApiError> {
    let items = expect_array(value, "policies", "/policies")?;
    if items.is_empty() {
        return Err(ApiError::invalid(
            "policies: at least one policy is required",
            Some("/policies"),
        ));
    }
    let mut out = Policies {
        policies: Vec::with_capacity(items.len()),
        new_groups: Vec::new(),
    };
    for (i, item) in items.iter().enumerate() {
        let policy = read_policy(item, i, account, &mut out.new_groups)?;
        out.policies.push(policy);
    }
    Ok(out)
}

fn read_policy(
    item: &Value,
    i: usize,
    account: &Account,
    new_groups: &mut Vec<ResourceGroup>,
) -> Result<Policy, ApiError> {
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
    policy.resource_groups = read_resource_groups(obj, &name, &at, account, new_groups)?;
    Ok(policy)
}

/// A policy's `resource_groups`: each `{"id": …}` of the account's, or
/// `{"scope": {…}}`, which makes a new unnamed group of that scope (its
/// copy in the policy holds the scope as an array, as member answers
/// do). An entry with both is ambiguous and refused.
fn read_resource_groups(
    policy: &Map<String, Value>,
    name: &str,
    at: &str,
    account: &Account,
    new_groups: &mut Vec<ResourceGroup>,
) -> Result<Vec<ResourceGroup>, ApiError> {
    let field = format!("{name}.resource_groups");
    let ptr = format!("{at}/resource_groups");
    let groups = required(policy, "resource_groups", &field, at)?;
    let groups = expect_array(groups, &field, &ptr)?;
    if groups.is_empty() {
        return Err(ApiError::invalid(
            format!("{field}: at least one resource group is required"),
            Some(&ptr),
        ));
    }
    let mut found = Vec::with_capacity(groups.len());
    for (g, group) in groups.iter().enumerate() {
        let gname = format!("{field}[{g}]");
        let gptr = format!("{ptr}/{g}");
        let gobj = expect_object(group, &gname, &gptr)?;
        match (gobj.get("id"), gobj.get("scope")) {
            (Some(_), Some(_)) => {
                return Err(ApiError::invalid(
                    format!(
                        "{gname}: send either \"id\" (an existing resource group) or \"scope\" \
                         (a new one), not both"
                    ),
                    Some(&gptr),
                ))
            }
            (None, Some(scope)) => {
                let scope = read_scope(
                    scope,
                    &format!("{gname}.scope"),
                    &format!("{gptr}/scope"),
                    account,
                )?;
                let group = new_group(None, scope);
                found.push(group.clone());
                new_groups.push(group);
            }
            (Some(gid), None) => {
                let gid = expect_string(gid, &format!("{gname}.id"), &format!("{gptr}/id"), None)?;
                let group = account.resource_group(gid).ok_or_else(|| {
                    ApiError::invalid(
                        format!("{gname}.id: unknown resource group {:?}", shorten(gid)),
                        Some(&format!("{gptr}/id")),
                    )
                })?;
                found.push(group.clone());
            }
            (None, None) => {
                return Err(ApiError::invalid(
                    format!("{gname}.id is required (or \"scope\" for a new resource group)"),
                    Some(&gptr),
                ))
            }
        }
    }
    Ok(found)
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
