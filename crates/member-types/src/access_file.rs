//! The access file: an account's whole access written down by name, to be
//! reviewed, diffed and synced (access as code).
//!
//! ```yaml
//! account: Example Corp              # a name or an id
//! members:
//!   - email: bob.dns@example.com
//!     roles: [Administrator Read Only]
//!   - email: erin.policies@example.com
//!     policies:
//!       - allow: [DNS Write, Zone Read]
//!         on: [zone:example.com]
//!       - deny: [Billing Read]
//!         on: [account]
//! groups:
//!   - name: Platform admins
//!     policies:
//!       - allow: [Account Settings Write]
//!         on: [account]
//!     members: [carol.billing@example.com]
//! ```
//!
//! Every list is a set: order never matters, and a name appearing twice is
//! refused. Names are resolved the way every other name is (roles and
//! permission groups by name or id, scopes as `account`, `zone:<domain>`,
//! `group:<resource group>` or an id).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::enums::{Access, MemberStatus};
use crate::error::{shorten, ValidationError};

/// The desired access of one account.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct AccessFile {
    /// The account: its name or its id.
    pub account: String,
    /// The account's members, by email.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<MemberAccess>,
    /// The account's user groups, by name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<GroupAccess>,
}

/// One member's desired access: roles, or policies. A member can hold
/// both (the API returns such members), and a file may say so to keep them
/// as they are; since Update Member sets one or the other, a change to such
/// a member is refused rather than half made.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct MemberAccess {
    /// The member's email.
    pub email: String,
    /// Roles by name or id.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<String>,
    /// Policies in the names form.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub policies: Vec<PolicyEntry>,
    /// The membership's status, compared only when given (a pending
    /// invitation with the wanted access is not drift).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "MemberStatus::strict_schema")]
    pub status: Option<MemberStatus>,
}

/// One user group's desired policies and members.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct GroupAccess {
    /// The group's name.
    pub name: String,
    /// The group's policies in the names form.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub policies: Vec<PolicyEntry>,
    /// The group's members, by email.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<String>,
}

/// A policy in the names form: `allow` or `deny` permission groups `on`
/// scopes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct PolicyEntry {
    /// Permission groups allowed (by name, label or id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow: Option<Vec<String>>,
    /// Permission groups denied (by name, label or id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deny: Option<Vec<String>>,
    /// Scopes: `account`, `zone:<domain>`, `group:<resource group>` or a
    /// resource group id.
    pub on: Vec<String>,
}

impl PolicyEntry {
    /// A policy allowing `groups` on `scopes`.
    pub fn new(access: &Access, groups: Vec<String>, scopes: Vec<String>) -> Self {
        let (allow, deny) = if *access == Access::Deny {
            (None, Some(groups))
        } else {
            (Some(groups), None)
        };
        Self {
            allow,
            deny,
            on: scopes,
        }
    }

    /// Whether the policy allows or denies, and its permission groups.
    ///
    /// # Errors
    /// [`ValidationError`] unless exactly one of `allow` and `deny` is
    /// given, with at least one group, and `on` names at least one scope.
    pub fn access(&self) -> Result<(Access, &[String]), ValidationError> {
        let (access, groups) = match (&self.allow, &self.deny) {
            (Some(groups), None) => (Access::Allow, groups),
            (None, Some(groups)) => (Access::Deny, groups),
            (Some(_), Some(_)) => return Err(ValidationError::Conflict {
                first: "allow",
                second: "deny",
                hint:
                    "a policy has exactly one of allow: [...] and deny: [...]; write two policies",
            }),
            (None, None) => {
                return Err(ValidationError::Missing {
                    field: "allow or deny",
                    hint: "a policy has exactly one of allow: [...] and deny: [...]",
                })
            }
        };
        if groups.is_empty() {
            return Err(ValidationError::Empty {
                field: "allow/deny",
                hint: "name at least one permission group",
            });
        }
        if self.on.is_empty() {
            return Err(ValidationError::Empty {
                field: "on",
                hint: "name at least one scope: account, zone:<domain> or group:<name>",
            });
        }
        Ok((access, groups))
    }
}

/// The first name of `names` that appears twice (ASCII case folded), for a
/// refusal that names it.
fn first_repeat<'a>(names: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let mut seen = std::collections::BTreeSet::new();
    names
        .into_iter()
        .find(|name| !seen.insert(name.trim().to_ascii_lowercase()))
}

impl AccessFile {
    /// Checks the rules that need no server: an account, every member once
    /// with roles or policies (not both), every group once, every policy
    /// well formed. Returns every problem, not just the first.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if self.account.trim().is_empty() {
            problems.push("account: name the account (its name or id)".to_owned());
        }
        if let Some(email) = first_repeat(self.members.iter().map(|m| m.email.as_str())) {
            problems.push(format!(
                "members: {:?} is listed more than once (each member once; neither entry is used)",
                shorten(email)
            ));
        }
        if let Some(name) = first_repeat(self.groups.iter().map(|g| g.name.as_str())) {
            problems.push(format!(
                "groups: {:?} is listed more than once (each group once; neither entry is used)",
                shorten(name)
            ));
        }
        for (i, member) in self.members.iter().enumerate() {
            let place = format!("members[{i}] ({})", shorten(&member.email));
            if let Err(e) = crate::check_email(&member.email) {
                problems.push(format!("{place}: {e}"));
            }
            if member.roles.is_empty() && member.policies.is_empty() {
                problems.push(format!(
                    "{place}: give roles or policies (to take all access away, leave the member out and sync with --prune)"
                ));
            }
            if let Some(role) = first_repeat(member.roles.iter().map(String::as_str)) {
                problems.push(format!("{place}: role {:?} is listed twice", shorten(role)));
            }
            for (j, policy) in member.policies.iter().enumerate() {
                if let Err(e) = policy.access() {
                    problems.push(format!("{place}.policies[{j}]: {e}"));
                }
            }
        }
        for (i, group) in self.groups.iter().enumerate() {
            let place = format!("groups[{i}] ({})", shorten(&group.name));
            if group.name.trim().is_empty() {
                problems.push(format!("{place}: a group needs a name"));
            }
            if let Some(email) = first_repeat(group.members.iter().map(String::as_str)) {
                problems.push(format!(
                    "{place}: member {:?} is listed twice",
                    shorten(email)
                ));
            }
            for (j, policy) in group.policies.iter().enumerate() {
                if let Err(e) = policy.access() {
                    problems.push(format!("{place}.policies[{j}]: {e}"));
                }
            }
        }
        problems
    }

    /// The same file in its canonical order: members by email, groups by
    /// name, every list sorted, so two files with the same access compare
    /// and print equal.
    #[must_use]
    pub fn canonical(mut self) -> Self {
        let fold = |s: &String| s.trim().to_ascii_lowercase();
        for member in &mut self.members {
            member.roles.sort_by_key(fold);
            canonical_policies(&mut member.policies);
        }
        self.members.sort_by_key(|m| fold(&m.email));
        for group in &mut self.groups {
            group.members.sort_by_key(fold);
            canonical_policies(&mut group.policies);
        }
        self.groups.sort_by_key(|g| fold(&g.name));
        self
    }
}

fn canonical_policies(policies: &mut [PolicyEntry]) {
    for policy in policies.iter_mut() {
        for groups in [&mut policy.allow, &mut policy.deny].into_iter().flatten() {
            groups.sort();
        }
        policy.on.sort();
    }
    policies.sort_by(|a, b| (&a.allow, &a.deny, &a.on).cmp(&(&b.allow, &b.deny, &b.on)));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(json: serde_json::Value) -> AccessFile {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn every_problem_at_once() {
        let f = file(serde_json::json!({
            "account": "Example Corp",
            "members": [
                {"email": "bob@example.com", "roles": ["DNS"]},
                {"email": "BOB@example.com", "roles": ["Billing"]},
                {"email": "nobody@example.com"},
                {"email": "pat@example.com", "policies": [{"allow": ["A"], "deny": ["B"], "on": ["account"]}, {"allow": ["A"], "on": []}]}
            ],
            "groups": [{"name": "Ops", "members": ["a@example.com", "A@example.com"]}, {"name": "ops"}]
        }));
        let problems = f.problems();
        let text = problems.join("\n");
        assert!(
            text.contains("\"BOB@example.com\" is listed more than once"),
            "{text}"
        );
        assert!(text.contains("give roles or policies"), "{text}");
        assert!(text.contains("exactly one of allow"), "{text}");
        assert!(text.contains("on must not be empty"), "{text}");
        assert!(
            text.contains("groups: \"ops\" is listed more than once"),
            "{text}"
        );
        assert!(
            text.contains("member \"A@example.com\" is listed twice"),
            "{text}"
        );
        assert_eq!(problems.len(), 6, "{text}");
    }

    #[test]
    fn unknown_keys_are_refused() {
        let err = serde_json::from_value::<AccessFile>(serde_json::json!({
            "account": "x", "members": [{"email": "a@example.com", "role": ["DNS"]}]
        }))
        .unwrap_err();
        assert!(err.to_string().contains("unknown field `role`"), "{err}");
    }

    #[test]
    fn canonical_order_ignores_the_order_written() {
        let a = file(serde_json::json!({"account": "x", "members": [
            {"email": "b@example.com", "roles": ["Z", "A"]},
            {"email": "a@example.com", "policies": [
                {"deny": ["Q"], "on": ["zone:b.com", "account"]},
                {"allow": ["Y", "X"], "on": ["account"]}]}
        ]}));
        let b = file(serde_json::json!({"account": "x", "members": [
            {"email": "a@example.com", "policies": [
                {"allow": ["X", "Y"], "on": ["account"]},
                {"deny": ["Q"], "on": ["account", "zone:b.com"]}]},
            {"email": "b@example.com", "roles": ["A", "Z"]}
        ]}));
        assert_ne!(a, b);
        assert_eq!(a.canonical(), b.canonical());
    }
}
