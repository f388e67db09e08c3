//! Members and roles, as tables and details.

use super::*;

fn decode_member(value: &Value) -> Result<Member, Failure> {
    decode(value, "a member")
}

fn decode_role(value: &Value) -> Result<Role, Failure> {
    decode(value, "a role")
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
