//! User groups and their members, permission groups, resource groups and
//! their scopes, as tables and details.

use super::*;

/// `SRE On-Call (9f3c…)`, or the id alone for a group without a name.
pub fn user_group_text(id: &str, name: Option<&str>) -> String {
    match name.filter(|n| !n.trim().is_empty()) {
        Some(name) => format!("{} ({})", clean(name), clean(id)),
        None => clean(id),
    }
}

/// The user groups table row: id, name, policies (how many), modified.
fn user_groups_table_row(item: &Value) -> Result<Vec<String>, Failure> {
    let group: UserGroup = decode(item, "a user group")?;
    Ok(vec![
        clean(group.id.as_str()),
        group.name.as_deref().map_or("-".to_owned(), clean),
        group.policies.len().to_string(),
        group.modified_on.as_deref().map_or("-".to_owned(), clean),
    ])
}

/// `groups list`: the table above, and one CSV row per user group.
pub static USER_GROUPS: ListView = ListView {
    what: "user groups",
    table: Table::Rows {
        headers: &["ID", "NAME", "POLICIES", "MODIFIED"],
        empty: "no user groups",
        row: user_groups_table_row,
    },
    columns: &["id", "name", "policies", "created_on", "modified_on"],
    row: user_group_row,
};

/// A user group's CSV cells: its policies spelled out, separated by `; `.
fn user_group_row(item: &Value) -> Result<Vec<String>, Failure> {
    let group: UserGroup = decode(item, "a user group")?;
    let policies: Vec<String> = group
        .policies
        .iter()
        .map(|p| policy_line(p, &HashMap::new()))
        .collect();
    Ok(vec![
        group.id.as_str().to_owned(),
        group.name.unwrap_or_default(),
        policies.join("; "),
        group.created_on.unwrap_or_default(),
        group.modified_on.unwrap_or_default(),
    ])
}

/// One user group: id, name, dates, every policy spelled out.
pub fn user_group_details(value: &Value) -> Result<String, Failure> {
    let group: UserGroup = decode(value, "a user group")?;
    let one = |v: Option<&str>| v.map(clean).into_iter().collect::<Vec<_>>();
    Ok(details(&[
        ("id", vec![clean(group.id.as_str())]),
        ("name", one(group.name.as_deref())),
        ("created", one(group.created_on.as_deref())),
        ("modified", one(group.modified_on.as_deref())),
        (
            "policies",
            group
                .policies
                .iter()
                .map(|p| paint::policy(&policy_line(p, &HashMap::new())))
                .collect(),
        ),
    ]))
}

/// A group member for people: `bob@example.com (4536…)`.
pub fn group_member_text(member: &GroupMember) -> String {
    match member.email() {
        Some(email) => format!("{} ({})", clean(email), clean(member.id.as_str())),
        None => clean(member.id.as_str()),
    }
}

/// The group members table row: id, email, status.
fn group_members_table_row(item: &Value) -> Result<Vec<String>, Failure> {
    let member: GroupMember = decode(item, "a group member")?;
    Ok(vec![
        clean(member.id.as_str()),
        member.email().map_or("-".to_owned(), clean),
        member
            .status
            .as_ref()
            .map_or("-".to_owned(), |s| paint::status(&clean(s.as_str()))),
    ])
}

/// `groups members GROUP list`: the table above, and one CSV row per
/// member.
pub static GROUP_MEMBERS: ListView = ListView {
    what: "group members",
    table: Table::Rows {
        headers: &["ID", "EMAIL", "STATUS"],
        empty: "no members in this group",
        row: group_members_table_row,
    },
    columns: &["id", "email", "status"],
    row: group_member_row,
};

fn group_member_row(item: &Value) -> Result<Vec<String>, Failure> {
    let member: GroupMember = decode(item, "a group member")?;
    Ok(vec![
        member.id.as_str().to_owned(),
        member.email().unwrap_or_default().to_owned(),
        member
            .status
            .as_ref()
            .map(|s| s.as_str().to_owned())
            .unwrap_or_default(),
    ])
}

/// A resource group for people: its name, or its scope when it has no name
/// a person gave it. The groups the API makes of an inline scope or for a
/// role are unnamed or named after a scope key
/// (`com.cloudflare.api.account.<id>`), which says less than the scope
/// itself (an account key whose objects are one zone is that zone, not the
/// account): those read `account`, `zone <id>` or `zones <id>, <id>`.
///
/// Zones are named from `names` (zone id to domain) where it knows them.
pub fn group_text_with(group: &ResourceGroup, names: &HashMap<String, String>) -> String {
    let name = group.name.as_deref().filter(|n| !n.trim().is_empty());
    let scope = group.scope.as_slice();
    match name {
        Some(name) if !name.starts_with(ACCOUNT_SCOPE_PREFIX) => clean(name),
        _ if !scope.is_empty() => scopes_text(scope, names),
        Some(name) => match name.strip_prefix(ZONE_SCOPE_PREFIX) {
            Some(zone) => clean(&format!(
                "zone {}",
                names.get(zone).map_or(zone, String::as_str)
            )),
            None => "account".to_owned(),
        },
        None => clean(group.id.as_str()),
    }
}

/// Scopes for people: `account`, `zone <id>`, `zones <id>, <id>`.
pub fn scopes_text(scopes: &[Scope], names: &HashMap<String, String>) -> String {
    let parts: Vec<String> = scopes.iter().map(|s| scope_text(s, names)).collect();
    if parts.is_empty() {
        "-".to_owned()
    } else {
        parts.join("; ")
    }
}

fn scope_text(scope: &Scope, names: &HashMap<String, String>) -> String {
    let zone = |id: &str| names.get(id).cloned().unwrap_or_else(|| id.to_owned());
    let objects: Vec<&str> = scope.objects.iter().map(|o| o.key.as_str()).collect();
    let everything = objects == [SCOPE_ALL];
    let text = if let Some(zone_id) = scope.key.strip_prefix(ZONE_SCOPE_PREFIX) {
        if everything {
            format!("zone {}", zone(zone_id))
        } else {
            format!("zone {}: {}", zone(zone_id), objects.join(", "))
        }
    } else if scope.key.starts_with(ACCOUNT_SCOPE_PREFIX) {
        if everything {
            "account".to_owned()
        } else {
            let zones: Vec<String> = objects
                .iter()
                .map(|o| zone(o.strip_prefix(ZONE_SCOPE_PREFIX).unwrap_or(o)))
                .collect();
            format!("zones {}", zones.join(", "))
        }
    } else {
        format!("{}: {}", scope.key, objects.join(", "))
    };
    clean(&text)
}

/// The permission groups table row: id, name, label, scope type.
fn permission_groups_table_row(item: &Value) -> Result<Vec<String>, Failure> {
    let group: PermissionGroup = decode(item, "a permission group")?;
    Ok(vec![
        clean(group.id.as_str()),
        group.name.as_deref().map_or("-".to_owned(), clean),
        group.label().map_or("-".to_owned(), clean),
        group.scope_type().map_or("-".to_owned(), scope_type),
    ])
}

/// `permission-groups list`: the table above, and one CSV row per group.
pub static PERMISSION_GROUPS: ListView = ListView {
    what: "permission groups",
    table: Table::Rows {
        headers: &["ID", "NAME", "LABEL", "SCOPE"],
        empty: "no permission groups",
        row: permission_groups_table_row,
    },
    columns: &["id", "name", "label", "scope"],
    row: permission_group_row,
};

fn permission_group_row(item: &Value) -> Result<Vec<String>, Failure> {
    let group: PermissionGroup = decode(item, "a permission group")?;
    Ok(vec![
        group.id.as_str().to_owned(),
        group.name.clone().unwrap_or_default(),
        group.label().unwrap_or_default().to_owned(),
        group.scope_type().map(scope_type).unwrap_or_default(),
    ])
}

/// `account` or `zone` for a permission group's `meta.scopes`.
fn scope_type(scopes: &str) -> String {
    let parts: Vec<&str> = scopes
        .split(',')
        .map(str::trim)
        .map(|s| match s {
            "com.cloudflare.api.account" => "account",
            "com.cloudflare.api.account.zone" => "zone",
            other => other,
        })
        .collect();
    clean(&parts.join(", "))
}

/// One permission group: id, name, label, scope type, description.
pub fn permission_group_details(value: &Value) -> Result<String, Failure> {
    let group: PermissionGroup = decode(value, "a permission group")?;
    let one = |v: Option<&str>| v.map(clean).into_iter().collect::<Vec<_>>();
    Ok(details(&[
        ("id", vec![clean(group.id.as_str())]),
        ("name", one(group.name.as_deref())),
        ("label", one(group.label())),
        (
            "scope",
            group.scope_type().map(scope_type).into_iter().collect(),
        ),
        ("description", one(group.meta_str("description"))),
    ]))
}

/// The resource groups table row: id, name, scope.
fn resource_groups_table_row(item: &Value) -> Result<Vec<String>, Failure> {
    let group: ResourceGroup = decode(item, "a resource group")?;
    Ok(vec![
        clean(group.id.as_str()),
        group.name.as_deref().map_or("-".to_owned(), clean),
        scopes_text(group.scope.as_slice(), &HashMap::new()),
    ])
}

/// `resource-groups list`: the table above, and one CSV row per group.
pub static RESOURCE_GROUPS: ListView = ListView {
    what: "resource groups",
    table: Table::Rows {
        headers: &["ID", "NAME", "SCOPE"],
        empty: "no resource groups",
        row: resource_groups_table_row,
    },
    columns: &["id", "name", "scope"],
    row: resource_group_row,
};

/// A resource group's CSV cells: its scopes as the table shows them
/// (`account`, `zone <id>`, `zones <id>, <id>`), separated by `; `.
fn resource_group_row(item: &Value) -> Result<Vec<String>, Failure> {
    let group: ResourceGroup = decode(item, "a resource group")?;
    Ok(vec![
        group.id.as_str().to_owned(),
        group.name.clone().unwrap_or_default(),
        if group.scope.as_slice().is_empty() {
            String::new()
        } else {
            scopes_text(group.scope.as_slice(), &HashMap::new())
        },
    ])
}

/// One resource group: id, name, each scope.
pub fn resource_group_details(value: &Value) -> Result<String, Failure> {
    let group: ResourceGroup = decode(value, "a resource group")?;
    Ok(details(&[
        ("id", vec![clean(group.id.as_str())]),
        (
            "name",
            group.name.as_deref().map(clean).into_iter().collect(),
        ),
        (
            "scope",
            group
                .scope
                .as_slice()
                .iter()
                .map(|s| scope_text(s, &HashMap::new()))
                .collect(),
        ),
    ]))
}
