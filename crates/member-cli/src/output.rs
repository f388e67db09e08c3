//! What goes to stdout: the API's `result` as JSON, or tables for people;
//! lists also as JSON Lines and CSV, written as they arrive (`list.rs`).

mod list;
pub mod paint;

use std::io::Write;

use std::collections::HashMap;

use member_client::{
    EffectiveAccess, GrantSource, GroupMember, Member, PermissionGroup, Policy, PreparedRequest,
    Resolution, ResourceGroup, Role, Scope, UserGroup, ACCOUNT_SCOPE_PREFIX, SCOPE_ALL,
    ZONE_SCOPE_PREFIX,
};
use serde_json::Value;

use crate::report::Failure;

pub use list::{csv_error, ListView, ListWriter, Table};

/// Writes `value` as one pretty-printed JSON document and a newline, or
/// (`-o jsonl`) on one line.
pub fn json(out: &mut impl Write, value: &Value) -> std::io::Result<()> {
    if crate::shell::json_lines() {
        serde_json::to_writer(&mut *out, value)?;
    } else {
        serde_json::to_writer_pretty(&mut *out, value)?;
    }
    out.write_all(b"\n")
}

/// A CSV cell as written: the value as the server sent it (the CSV writer
/// quotes commas, quotes and line breaks), except what would play tricks
/// where the file is shown (a spreadsheet, a terminal): bidi controls and
/// control characters other than tab and line breaks become `<U+XXXX>`.
pub fn csv_cell(text: &str) -> String {
    let tricky =
        |c: char| is_bidi_control(c) || (c.is_control() && !matches!(c, '\t' | '\n' | '\r'));
    if !text.chars().any(tricky) {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if tricky(c) {
            push_escaped(&mut out, c);
        } else {
            out.push(c);
        }
    }
    out
}

/// The invisible characters that reorder the text around them, so that a
/// name can display as another: the embeddings and overrides (U+202A to
/// U+202E), the isolates (U+2066 to U+2069) and the marks (U+200E, U+200F,
/// U+061C).
fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
    )
}

/// `<U+202E>`: a character shown by its code point.
fn push_escaped(out: &mut String, c: char) {
    out.push_str(&format!("<U+{:04X}>", u32::from(c)));
}

/// Server text made safe for a terminal: control characters (which could
/// move the cursor or change colours) become `?`, and bidi controls (which
/// could make a name display as another) show as `<U+202E>`.
pub fn clean(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() {
            out.push('?');
        } else if is_bidi_control(c) {
            push_escaped(&mut out, c);
        } else {
            out.push(c);
        }
    }
    out
}

/// Aligned columns separated by two spaces; the last column is not padded.
/// A cell may be painted ([`paint`]): its colour takes no width.
pub fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(paint::width(cell));
        }
    }
    let mut out = String::new();
    let header_row: Vec<String> = headers.iter().map(|h| (*h).to_owned()).collect();
    for row in std::iter::once(&header_row).chain(rows) {
        let last = row.len().saturating_sub(1);
        for (i, cell) in row.iter().enumerate() {
            if i == last {
                out.push_str(cell);
            } else {
                out.push_str(cell);
                let pad = widths[i] - paint::width(cell) + 2;
                out.extend(std::iter::repeat_n(' ', pad));
            }
        }
        out.push('\n');
    }
    out
}

/// `label:   value` lines, values of several lines indented under the first.
fn details(fields: &[(&str, Vec<String>)]) -> String {
    let width = fields
        .iter()
        .map(|(label, _)| label.chars().count() + 1)
        .max()
        .unwrap_or(0);
    let mut out = String::new();
    for (label, values) in fields {
        let mut values = values.iter();
        let first = values.next().map_or("-", String::as_str);
        out.push_str(&format!("{:<width$}  {first}\n", format!("{label}:")));
        for more in values {
            out.push_str(&format!("{:<width$}  {more}\n", ""));
        }
    }
    out
}

fn decode_member(value: &Value) -> Result<Member, Failure> {
    decode(value, "a member")
}

fn decode_role(value: &Value) -> Result<Role, Failure> {
    decode(value, "a role")
}

/// A server answer read as `what`, for the human form.
fn decode<T: serde::de::DeserializeOwned>(value: &Value, what: &str) -> Result<T, Failure> {
    T::deserialize(value).map_err(|e| {
        Failure::other(format!(
            "the server's answer could not be read as {what}: {e}"
        ))
        .with_hint("`-o json` prints it as received")
    })
}

fn name_of(member: &Member) -> String {
    let user = member.user.as_ref();
    let parts: Vec<&str> = [
        user.and_then(|u| u.first_name.as_deref()),
        user.and_then(|u| u.last_name.as_deref()),
    ]
    .into_iter()
    .flatten()
    .filter(|s| !s.is_empty())
    .collect();
    if parts.is_empty() {
        "-".to_owned()
    } else {
        clean(&parts.join(" "))
    }
}

/// `1 change`, `2 changes`.
pub fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The roles of a member by name, then how many policies they have.
fn access_summary(member: &Member) -> String {
    let mut parts: Vec<String> = member.roles.iter().map(|r| clean(&r.name)).collect();
    parts.sort();
    let mut text = parts.join(", ");
    if !member.policies.is_empty() {
        if !text.is_empty() {
            text.push_str("; ");
        }
        text.push_str(&plural(member.policies.len(), "policy", "policies"));
    }
    if text.is_empty() {
        "-".to_owned()
    } else {
        text
    }
}

/// The members table row: id, email, name, status, roles by name.
fn members_table_row(item: &Value) -> Result<Vec<String>, Failure> {
    let member = decode_member(item)?;
    Ok(vec![
        member
            .id
            .as_ref()
            .map_or("-".to_owned(), |id| clean(id.as_str())),
        member.email().map_or("-".to_owned(), clean),
        name_of(&member),
        member
            .status
            .as_ref()
            .map_or("-".to_owned(), |s| paint::status(&clean(s.as_str()))),
        access_summary(&member),
    ])
}

/// `members list`: the table above, and one CSV row per member.
pub static MEMBERS: ListView = ListView {
    what: "members",
    table: Table::Rows {
        headers: &["ID", "EMAIL", "NAME", "STATUS", "ROLES"],
        empty: "no members",
        row: members_table_row,
    },
    columns: &[
        "id",
        "email",
        "first_name",
        "last_name",
        "status",
        "two_factor",
        "roles",
        "policies",
        "user_id",
    ],
    row: member_row,
};

/// A member's CSV cells: roles by name and policies as
/// `allow|deny GROUPS on SCOPES`, each list separated by `; ` (as `audit`).
fn member_row(item: &Value) -> Result<Vec<String>, Failure> {
    let member = decode_member(item)?;
    let user = member.user.as_ref();
    let text = |v: Option<&str>| v.unwrap_or_default().to_owned();
    let mut roles: Vec<&str> = member.roles.iter().map(|r| r.name.as_str()).collect();
    roles.sort_unstable();
    Ok(vec![
        text(member.id.as_ref().map(|id| id.as_str())),
        text(member.email()),
        text(user.and_then(|u| u.first_name.as_deref())),
        text(user.and_then(|u| u.last_name.as_deref())),
        text(member.status.as_ref().map(|s| s.as_str())),
        flag(user.and_then(|u| u.two_factor_authentication_enabled)),
        roles.join("; "),
        crate::accounts::whois::policy_lines(&member).join("; "),
        text(user.and_then(|u| u.id.as_ref()).map(|id| id.as_str())),
    ])
}

/// `true`, `false`, or empty when the server did not say.
pub fn flag(value: Option<bool>) -> String {
    value.map(|b| b.to_string()).unwrap_or_default()
}

/// One member: every field, roles by name and id, policies spelled out
/// (`names`: permission groups and zones by id, for what the answer does
/// not name).
/// `roles_expected` is false for the Add Member answer, which the real API
/// sends without roles.
pub fn member_details(
    value: &Value,
    roles_expected: bool,
    names: &HashMap<String, String>,
) -> Result<String, Failure> {
    let member = decode_member(value)?;
    let mut roles: Vec<String> = member
        .roles
        .iter()
        .map(|r| format!("{} ({})", clean(&r.name), clean(r.id.as_str())))
        .collect();
    roles.sort();
    if roles.is_empty()
        && !roles_expected
        && value.get("roles").is_none()
        && member.policies.is_empty()
    {
        roles.push("(not in the API's answer: `cf-members members get ID` shows them)".to_owned());
    }
    let policies: Vec<String> = member
        .policies
        .iter()
        .map(|p| paint::policy(&policy_line(p, names)))
        .collect();
    let two_factor = member
        .user
        .as_ref()
        .and_then(|u| u.two_factor_authentication_enabled)
        .map(|on| if on { "enabled" } else { "disabled" }.to_owned());
    let one = |v: Option<String>| v.into_iter().collect::<Vec<_>>();
    Ok(details(&[
        ("id", one(member.id.as_ref().map(|id| clean(id.as_str())))),
        ("email", one(member.email().map(clean))),
        ("name", vec![name_of(&member)]),
        (
            "status",
            one(member
                .status
                .as_ref()
                .map(|s| paint::status(&clean(s.as_str())))),
        ),
        ("2fa", one(two_factor)),
        ("roles", roles),
        ("policies", policies),
    ]))
}

/// A policy for people: `allow DNS Write, Zone Read on example.com`, every
/// permission group by its name (from the policy, else from `names`, the
/// catalog by id), every resource group by name or scope.
pub fn policy_line(policy: &Policy, names: &HashMap<String, String>) -> String {
    let list = |names: Vec<String>| {
        if names.is_empty() {
            "-".to_owned()
        } else {
            names.join(", ")
        }
    };
    format!(
        "{} {} on {}",
        policy.access.as_ref().map_or("?", |a| a.as_str()),
        list(
            policy
                .permission_groups
                .iter()
                .map(|g| clean(
                    g.name
                        .as_deref()
                        .or_else(|| names.get(g.id.as_str()).map(String::as_str))
                        .unwrap_or(g.id.as_str())
                ))
                .collect()
        ),
        list(
            policy
                .resource_groups
                .iter()
                .map(|g| group_text_with(g, names))
                .collect()
        ),
    )
}

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

/// A member's effective access for people: who, their own roles and
/// policies, then each group they are in with what it grants.
pub fn effective_text(access: &EffectiveAccess, names: &HashMap<String, String>) -> String {
    let member = &access.member;
    let mut roles: Vec<String> = access
        .roles()
        .iter()
        .map(|r| format!("{} ({})", clean(&r.name), clean(r.id.as_str())))
        .collect();
    roles.sort();
    let grants = access.policies();
    let direct: Vec<String> = grants
        .iter()
        .filter(|g| g.source == GrantSource::Direct)
        .map(|g| paint::policy(&policy_line(&g.policy, names)))
        .collect();
    let groups: Vec<String> = access
        .groups
        .iter()
        .map(|g| user_group_text(g.id.as_str(), g.name.as_deref()))
        .collect();
    let mut out = details(&[
        (
            "id",
            member.id.iter().map(|id| clean(id.as_str())).collect(),
        ),
        ("email", member.email().map(clean).into_iter().collect()),
        (
            "status",
            member
                .status
                .iter()
                .map(|s| paint::status(&clean(s.as_str())))
                .collect(),
        ),
        ("roles", roles),
        ("policies", direct),
        ("groups", groups),
    ]);
    for group in &access.groups {
        out.push_str(&format!(
            "\nthrough user group {}:\n",
            user_group_text(group.id.as_str(), group.name.as_deref())
        ));
        if group.policies.is_empty() {
            out.push_str("  (no policies)\n");
        }
        for policy in &group.policies {
            out.push_str(&format!(
                "  {}\n",
                paint::policy(&policy_line(policy, names))
            ));
        }
    }
    out
}

/// A member's effective access as one JSON value: the member, their roles,
/// the groups they are in, and every policy grant with its source.
pub fn effective_json(access: &EffectiveAccess, names: &HashMap<String, String>) -> Value {
    let member = &access.member;
    let grants: Vec<Value> = access
        .policies()
        .iter()
        .map(|grant| {
            let source = match &grant.source {
                GrantSource::Group { id, name } => {
                    serde_json::json!({"type": "group", "id": id.as_str(), "name": name})
                }
                _ => serde_json::json!({"type": "direct"}),
            };
            let mut policy = serde_json::to_value(&grant.policy).unwrap_or(Value::Null);
            // Every permission group by name, even when the policy came
            // without names.
            if let Some(groups) = policy
                .get_mut("permission_groups")
                .and_then(Value::as_array_mut)
            {
                for group in groups {
                    let id = group.get("id").and_then(Value::as_str).map(str::to_owned);
                    if let (Some(id), Some(object)) = (id, group.as_object_mut()) {
                        if !object.contains_key("name") {
                            if let Some(name) = names.get(&id) {
                                object.insert("name".to_owned(), Value::from(name.clone()));
                            }
                        }
                    }
                }
            }
            serde_json::json!({"source": source, "policy": policy})
        })
        .collect();
    serde_json::json!({
        "member": {
            "id": member.id.as_ref().map(|id| id.as_str()),
            "email": member.email(),
            "status": member.status.as_ref().map(|s| s.as_str()),
        },
        "roles": access.roles().iter().map(|r| serde_json::json!({"id": r.id.as_str(), "name": r.name})).collect::<Vec<_>>(),
        "groups": access.groups.iter().map(|g| serde_json::json!({"id": g.id.as_str(), "name": g.name})).collect::<Vec<_>>(),
        "grants": grants,
    })
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
fn scopes_text(scopes: &[Scope], names: &HashMap<String, String>) -> String {
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

/// The roles table row: id, name, description.
fn roles_table_row(item: &Value) -> Result<Vec<String>, Failure> {
    let role = decode_role(item)?;
    Ok(vec![
        clean(role.id.as_str()),
        clean(&role.name),
        clean(&role.description),
    ])
}

/// `roles list`: the table above, and one CSV row per role.
pub static ROLES: ListView = ListView {
    what: "roles",
    table: Table::Rows {
        headers: &["ID", "NAME", "DESCRIPTION"],
        empty: "no roles",
        row: roles_table_row,
    },
    columns: &["id", "name", "description"],
    row: role_row,
};

fn role_row(item: &Value) -> Result<Vec<String>, Failure> {
    let role = decode_role(item)?;
    Ok(vec![
        role.id.as_str().to_owned(),
        role.name,
        role.description,
    ])
}

/// One role with its permissions (`area: read, write`).
pub fn role_details(value: &Value) -> Result<String, Failure> {
    let role = decode_role(value)?;
    let grants = role.permissions.to_grants();
    let mut permissions: Vec<String> = grants
        .named()
        .into_iter()
        .map(|(area, grant)| {
            let mut can = Vec::new();
            if grant.read == Some(true) {
                can.push("read");
            }
            if grant.write == Some(true) {
                can.push("write");
            }
            format!(
                "{area}: {}",
                if can.is_empty() {
                    "none".to_owned()
                } else {
                    can.join(", ")
                }
            )
        })
        .collect();
    permissions.extend(
        grants
            .other
            .iter()
            .map(|(area, value)| clean(&format!("{area}: {value}"))),
    );
    Ok(details(&[
        ("id", vec![clean(role.id.as_str())]),
        ("name", vec![clean(&role.name)]),
        ("description", vec![clean(&role.description)]),
        ("permissions", permissions),
    ]))
}

/// `role "Billing" = 3f7a… (Billing)`: what a reference resolved to.
pub fn resolution_text(r: &Resolution) -> String {
    let mut line = format!("{} {:?} = {}", r.kind, r.reference, r.id);
    if let Some(name) = r.name.as_deref().filter(|n| *n != r.reference) {
        line.push_str(&format!(" ({name})"));
    }
    clean(&line)
}

/// What a reference resolved to, as JSON.
pub fn resolution_json(r: &Resolution) -> Value {
    serde_json::json!({
        "kind": r.kind.as_str(),
        "reference": r.reference,
        "id": r.id,
        "name": r.name,
    })
}

/// The dry-run description: what each name resolved to, method and URL,
/// the credential scheme (never a secret), and the body.
pub fn dry_run_text(request: &PreparedRequest, resolved: &[Resolution]) -> String {
    let mut out = String::new();
    for r in resolved {
        out.push_str("resolved: ");
        out.push_str(&resolution_text(r));
        out.push('\n');
    }
    out.push_str(&format!(
        "{} {}\nauth: {}\n",
        request.method, request.url, request.auth_scheme
    ));
    match &request.body {
        Some(body) => {
            out.push_str("body:\n");
            out.push_str(&serde_json::to_string_pretty(body).unwrap_or_default());
            out.push('\n');
        }
        None => out.push_str("body: none\n"),
    }
    out
}

/// The dry-run description as one JSON object.
pub fn dry_run_json(request: &PreparedRequest, resolved: &[Resolution]) -> Value {
    serde_json::json!({
        "dry_run": true,
        "resolved": resolved.iter().map(resolution_json).collect::<Vec<_>>(),
        "method": request.method.as_str(),
        "url": request.url,
        "auth_scheme": request.auth_scheme,
        "body": request.body,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    use serde_json::json;

    fn group(value: serde_json::Value) -> ResourceGroup {
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn resource_groups_named_after_a_scope_key_read_as_their_scope() {
        let account = "com.cloudflare.api.account.eb78d65290b24279ba6f44721b3ea3c4";
        let zone = "com.cloudflare.api.account.zone.23f8d65290b24279ba6f44721b3eaad5";
        let names: HashMap<String, String> = [(
            "23f8d65290b24279ba6f44721b3eaad5".to_owned(),
            "example.com".to_owned(),
        )]
        .into();
        // The seeds' group: named after the account, scoped to one zone.
        let seed = group(
            json!({"id": "6d7f2f5f5b1d4a0e9081fdc98d432fd1", "name": account,
            "scope": [{"key": account, "objects": [{"key": zone}]}]}),
        );
        assert_eq!(
            group_text_with(&seed, &HashMap::new()),
            "zones 23f8d65290b24279ba6f44721b3eaad5"
        );
        assert_eq!(group_text_with(&seed, &names), "zones example.com");
        let whole = group(json!({"id": "a1", "name": account,
            "scope": [{"key": account, "objects": [{"key": "*"}]}]}));
        assert_eq!(group_text_with(&whole, &names), "account");
        // A name a person gave is shown as given.
        let named = group(json!({"id": "a2", "name": "Production zones",
            "scope": [{"key": account, "objects": [{"key": zone}]}]}));
        assert_eq!(group_text_with(&named, &names), "Production zones");
        // A scope-key name without a scope: what the name says.
        let bare_zone = group(json!({"id": "a3", "name": zone}));
        assert_eq!(group_text_with(&bare_zone, &names), "zone example.com");
        assert_eq!(
            group_text_with(&bare_zone, &HashMap::new()),
            "zone 23f8d65290b24279ba6f44721b3eaad5"
        );
        let bare_account = group(json!({"id": "a4", "name": account}));
        assert_eq!(group_text_with(&bare_account, &names), "account");
        let nothing = group(json!({"id": "a5"}));
        assert_eq!(group_text_with(&nothing, &names), "a5");
    }

    #[test]
    fn columns_line_up_and_the_last_is_not_padded() {
        let text = table(
            &["ID", "NAME"],
            &[
                vec!["a".into(), "Ann".into()],
                vec!["bbbb".into(), "Bo".into()],
            ],
        );
        assert_eq!(text, "ID    NAME\na     Ann\nbbbb  Bo\n");
    }

    #[test]
    fn control_characters_never_reach_the_terminal() {
        assert_eq!(clean("a\u{1b}[31mb\nc"), "a?[31mb?c");
    }

    #[test]
    fn bidi_controls_are_shown_not_obeyed() {
        // "admin" written backwards behind a right-to-left override.
        assert_eq!(
            clean("bob\u{202E}nimda\u{202C}.com"),
            "bob<U+202E>nimda<U+202C>.com"
        );
        for c in [
            '\u{061C}', '\u{200E}', '\u{200F}', '\u{202A}', '\u{202B}', '\u{202D}', '\u{2066}',
            '\u{2067}', '\u{2068}', '\u{2069}',
        ] {
            let shown = clean(&format!("a{c}b"));
            assert_eq!(shown, format!("a<U+{:04X}>b", u32::from(c)));
        }
        assert_eq!(
            clean("Zoë Ørsted 山田 \u{200D}"),
            "Zoë Ørsted 山田 \u{200D}"
        );
    }

    #[test]
    fn csv_cells_keep_line_breaks_and_show_tricks() {
        assert_eq!(csv_cell("a, \"b\"\r\nc\td"), "a, \"b\"\r\nc\td");
        assert_eq!(csv_cell("x\u{202E}y\u{1b}[2Jz"), "x<U+202E>y<U+001B>[2Jz");
    }

    #[test]
    fn details_indent_continuation_lines() {
        let text = details(&[
            ("id", vec!["x".into()]),
            ("roles", vec!["A".into(), "B".into()]),
            ("policies", vec![]),
        ]);
        assert_eq!(
            text,
            "id:        x\nroles:     A\n           B\npolicies:  -\n"
        );
    }
}
