//! The plan as people read it, with where each entry came from.

use std::collections::HashMap;

use member_client::{AccessState, Change, InviteStatus, Plan, PlanAction, PlanEntry, PolicyState};

use crate::output::paint::{paint, Tone};
use crate::output::{clean, plural};

/// The plan, with where each entry came from and what will be sent.
pub(super) struct View<'a> {
    pub(super) plan: Plan,
    places: &'a [String],
    /// The positions in `plan.entries` of the changes to send, in order:
    /// the outcome with index `i` is about `plan.entries[to_send[i]]`.
    pub(super) to_send: Vec<usize>,
    /// User group names by id, for the group changes.
    pub(super) group_names: HashMap<String, String>,
    /// Permission group and resource group names by id, for policies.
    pub(super) policy_names: PolicyNames,
}

/// What a policy's ids are shown as: permission groups by name, resource
/// groups as `resource-groups list` shows them; an id not here is shown
/// as it is.
#[derive(Default)]
pub(super) struct PolicyNames {
    pub(super) permission_groups: HashMap<String, String>,
    pub(super) resource_groups: HashMap<String, String>,
}

impl<'a> View<'a> {
    pub(super) fn new(plan: Plan, places: &'a [String]) -> Self {
        let to_send = plan
            .entries
            .iter()
            .enumerate()
            .filter(|(_, e)| !e.is_unchanged())
            .map(|(i, _)| i)
            .collect();
        Self {
            plan,
            places,
            to_send,
            group_names: HashMap::new(),
            policy_names: PolicyNames::default(),
        }
    }

    /// Whether a change to show holds a policy (before or after).
    pub(super) fn mentions_policies(&self) -> bool {
        self.any_state(|state| !state.policies.is_empty())
    }

    /// Whether the access before or after of a change to show is `holds`.
    fn any_state(&self, holds: impl Fn(&AccessState) -> bool) -> bool {
        self.to_send.iter().any(|&i| {
            let entry = &self.plan.entries[i];
            [&entry.from, &entry.to].into_iter().flatten().any(&holds)
        })
    }

    /// Whether a change to show is about a user group.
    pub(super) fn mentions_groups(&self) -> bool {
        self.to_send
            .iter()
            .any(|&i| self.plan.entries[i].change.group().is_some())
    }

    /// `SRE On-Call (9f3c…)` for the group of a group change.
    fn group_of(&self, entry: &PlanEntry) -> Option<String> {
        let id = entry.change.group()?.as_str();
        Some(crate::output::user_group_text(
            id,
            self.group_names.get(id).map(String::as_str),
        ))
    }

    pub(super) fn place(&self, input: usize) -> &str {
        self.places.get(input).map_or("?", String::as_str)
    }

    pub(super) fn unchanged(&self) -> usize {
        self.plan.unchanged().count()
    }

    pub(super) fn sent_entry(&self, index: usize) -> Option<&PlanEntry> {
        self.to_send
            .get(index)
            .and_then(|&i| self.plan.entries.get(i))
    }

    pub(super) fn changes(&self) -> Vec<Change> {
        self.to_send
            .iter()
            .map(|&i| self.plan.entries[i].change.clone())
            .collect()
    }

    /// Whether a change to show involves roles (worth reading their names).
    pub(super) fn mentions_roles(&self) -> bool {
        self.any_state(|state| !state.roles.is_empty())
    }

    /// `bob@example.com (b1c5…)`, the email or the id alone when only one
    /// is known.
    pub(super) fn who(entry: &PlanEntry) -> String {
        match (&entry.email, &entry.member_id) {
            (Some(email), Some(id)) => format!("{} ({})", clean(email), clean(id.as_str())),
            (Some(email), None) => clean(email),
            (None, Some(id)) => clean(id.as_str()),
            (None, None) => clean(&entry.change.member().to_string()),
        }
    }

    pub(super) fn action(entry: &PlanEntry) -> &'static str {
        match entry.action {
            PlanAction::Update => "update",
            PlanAction::Add => match &entry.change {
                Change::Add(body) if body.status == Some(InviteStatus::Accepted) => {
                    "add (directly, no invitation)"
                }
                _ => "add (invitation)",
            },
            PlanAction::Remove => "remove",
            PlanAction::AddToGroup => "add to group",
            PlanAction::RemoveFromGroup => "remove from group",
            _ => "unchanged",
        }
    }

    /// What the plan shows for people.
    pub(super) fn plan_text(&self, roles: Option<&HashMap<String, String>>) -> String {
        let mut kinds: Vec<(PlanAction, &str, &str)> = vec![
            (PlanAction::Update, "update", "updates"),
            (PlanAction::Add, "add", "adds"),
            (PlanAction::Remove, "removal", "removals"),
            (PlanAction::AddToGroup, "group addition", "group additions"),
            (
                PlanAction::RemoveFromGroup,
                "group removal",
                "group removals",
            ),
        ];
        kinds.retain(|(action, _, _)| self.plan.entries.iter().any(|e| e.action == *action));
        let counts: Vec<String> = kinds
            .iter()
            .map(|(action, one, many)| {
                let n = self
                    .plan
                    .entries
                    .iter()
                    .filter(|e| e.action == *action)
                    .count();
                plural(n, one, many)
            })
            .collect();
        let changes = if self.to_send.is_empty() {
            "nothing to change".to_owned()
        } else {
            format!(
                "{} ({})",
                plural(self.to_send.len(), "change", "changes"),
                counts.join(", ")
            )
        };
        let mut out = format!(
            "Plan: {changes}; {} already in the wanted state; {}\n",
            plural(self.unchanged(), "member", "members"),
            plural(self.plan.problems.len(), "problem", "problems"),
        );
        for &i in &self.to_send {
            let entry = &self.plan.entries[i];
            out.push('\n');
            out.push_str(&format!(
                "{}  {}  [{}]\n",
                Self::action(entry),
                Self::who(entry),
                self.place(entry.input)
            ));
            if let Some(group) = self.group_of(entry) {
                out.push_str(&format!("    group: {group}\n"));
            }
            if let Some(from) = &entry.from {
                push_access(&mut out, "from", from, roles, &self.policy_names);
            }
            if let Some(to) = &entry.to {
                push_access(&mut out, "to", to, roles, &self.policy_names);
            }
        }
        if !self.plan.problems.is_empty() {
            out.push_str(&format!(
                "\n{} (skipped: nothing is sent for them, nobody is guessed):\n",
                paint(Tone::Bad, "Problems")
            ));
            for problem in &self.plan.problems {
                out.push_str(&format!(
                    "  {}: {}\n",
                    self.place(problem.input),
                    clean(&problem.message)
                ));
            }
        }
        out
    }
}

/// `    from: roles A, B` and one line per policy.
fn push_access(
    out: &mut String,
    label: &str,
    state: &AccessState,
    roles: Option<&HashMap<String, String>>,
    names: &PolicyNames,
) {
    let mut lines = Vec::new();
    if !state.roles.is_empty() {
        let mut names: Vec<String> = state
            .roles
            .iter()
            .map(|id| match roles {
                Some(known) => match known.get(id.as_str()) {
                    Some(name) => clean(name),
                    None => format!("{} (not a role of this account)", clean(id.as_str())),
                },
                None => clean(id.as_str()),
            })
            .collect();
        names.sort();
        lines.push(format!("roles {}", names.join(", ")));
    }
    for policy in &state.policies {
        lines.push(policy_text(policy, names));
    }
    if lines.is_empty() {
        lines.push("no access".to_owned());
    }
    for (n, line) in lines.iter().enumerate() {
        let head = if n == 0 {
            format!("{label}:")
        } else {
            String::new()
        };
        out.push_str(&format!("    {head:<6}{line}\n"));
    }
}

fn policy_text(policy: &PolicyState, names: &PolicyNames) -> String {
    let ids = |ids: Vec<String>| {
        if ids.is_empty() {
            "-".to_owned()
        } else {
            clean(&ids.join(", "))
        }
    };
    let named = |known: &HashMap<String, String>, id: &str| {
        known.get(id).cloned().unwrap_or_else(|| id.to_owned())
    };
    let access = clean(&policy.access);
    format!(
        "policy {} {} on {}",
        if access == "deny" {
            paint(Tone::Bad, &access)
        } else {
            access
        },
        ids(policy
            .permission_groups
            .iter()
            .map(|g| named(&names.permission_groups, g.as_str()))
            .collect()),
        ids(policy
            .resource_groups
            .iter()
            .map(|g| named(&names.resource_groups, g.as_str()))
            .chain(
                policy
                    .inline_scopes
                    .iter()
                    .map(|s| crate::output::scopes_text(std::slice::from_ref(s), &HashMap::new()))
            )
            .collect()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use member_client::RoleId;

    #[test]
    fn policies_are_spelled_out() {
        let policy = member_client::PolicyRequest::new(
            member_client::Access::Allow,
            [member_client::PermissionGroupId::new("pg1").unwrap()],
            [member_client::ResourceGroupId::new("rg1").unwrap()],
        )
        .unwrap();
        assert_eq!(
            policy_text(&PolicyState::from(&policy), &PolicyNames::default()),
            "policy allow pg1 on rg1"
        );
        let names = PolicyNames {
            permission_groups: [("pg1".to_owned(), "DNS Write".to_owned())].into(),
            resource_groups: [("rg1".to_owned(), "zones example.com".to_owned())].into(),
        };
        assert_eq!(
            policy_text(&PolicyState::from(&policy), &names),
            "policy allow DNS Write on zones example.com"
        );
        let mut out = String::new();
        let none = PolicyNames::default();
        push_access(
            &mut out,
            "to",
            &AccessState::policies([&policy]),
            None,
            &none,
        );
        assert_eq!(out, "    to:   policy allow pg1 on rg1\n");
        let mut out = String::new();
        push_access(&mut out, "from", &AccessState::default(), None, &none);
        assert_eq!(out, "    from: no access\n");
    }

    #[test]
    fn role_names_are_shown_and_unknown_ids_flagged() {
        let state = AccessState::roles([
            RoleId::new("r2").unwrap(),
            RoleId::new("r1").unwrap(),
            RoleId::new("zz").unwrap(),
        ]);
        let names: HashMap<String, String> = [("r1", "Billing"), ("r2", "Analytics")]
            .into_iter()
            .map(|(a, b)| (a.to_owned(), b.to_owned()))
            .collect();
        let mut out = String::new();
        push_access(
            &mut out,
            "to",
            &state,
            Some(&names),
            &PolicyNames::default(),
        );
        assert_eq!(
            out,
            "    to:   roles Analytics, Billing, zz (not a role of this account)\n"
        );
    }
}
