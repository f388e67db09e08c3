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

/// One problem of an access file: where (`members[1].roles[0]`, the
/// place a line can be found for), about whom, and what is wrong.
///
/// ```
/// use member_types::FileProblem;
/// let p = FileProblem::new("members[1].roles[0]", Some("bob@example.com"), "no role \"DNS\"");
/// assert_eq!(p.to_string(), "members[1].roles[0] (bob@example.com): no role \"DNS\"");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct FileProblem {
    /// The place in the file: keys and indexes from the top
    /// (`members[1].policies[0].allow[2]`, `groups[0].name`).
    pub place: String,
    /// The member's email or the group's name the place belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// What is wrong and how to put it right.
    pub message: String,
}

impl FileProblem {
    /// A problem at `place`.
    pub fn new(
        place: impl Into<String>,
        subject: Option<&str>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            place: place.into(),
            subject: subject.map(shorten),
            message: message.into(),
        }
    }
}

impl std::fmt::Display for FileProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.place)?;
        if let Some(subject) = &self.subject {
            write!(f, " ({subject})")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// The fold two names are the same under: trimmed, ASCII lowercase.
fn fold(name: &str) -> String {
    name.trim().to_ascii_lowercase()
}

/// For every name of `names` given more than once (folded), the indexes
/// of all its entries, in order.
fn repeats<'a>(names: impl Iterator<Item = &'a str>) -> Vec<Vec<usize>> {
    let mut at: std::collections::BTreeMap<String, Vec<usize>> = std::collections::BTreeMap::new();
    for (i, name) in names.enumerate() {
        at.entry(fold(name)).or_default().push(i);
    }
    let mut repeated: Vec<Vec<usize>> = at.into_values().filter(|v| v.len() > 1).collect();
    repeated.sort();
    repeated
}

/// `members[1], members[3]`.
fn places(list: &str, indexes: &[usize]) -> String {
    indexes
        .iter()
        .map(|i| format!("{list}[{i}]"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Every entry of `list` whose name another entry has too, each at its own
/// place: neither is used.
fn listed_twice(problems: &mut Vec<FileProblem>, list: &str, what: &str, names: &[&str]) {
    for indexes in repeats(names.iter().copied()) {
        for &i in &indexes {
            problems.push(FileProblem::new(
                format!("{list}[{i}]"),
                Some(names[i]),
                format!(
                    "this {what} is listed {} times ({}); list each {what} once: neither \
                     entry is used",
                    indexes.len(),
                    places(list, &indexes)
                ),
            ));
        }
    }
}

impl AccessFile {
    /// Checks the rules that need no server: an account, every member once
    /// with roles or policies, every group once, every policy well formed.
    /// Returns every problem, not just the first; an entry listed twice is
    /// reported at each of its places (neither is used).
    pub fn problems(&self) -> Vec<FileProblem> {
        let mut problems = Vec::new();
        if self.account.trim().is_empty() {
            problems.push(FileProblem::new(
                "account",
                None,
                "name the account (its name or id)",
            ));
        }
        let emails: Vec<&str> = self.members.iter().map(|m| m.email.as_str()).collect();
        listed_twice(&mut problems, "members", "member", &emails);
        let names: Vec<&str> = self.groups.iter().map(|g| g.name.as_str()).collect();
        listed_twice(&mut problems, "groups", "group", &names);
        for (i, member) in self.members.iter().enumerate() {
            let subject = Some(member.email.as_str());
            if let Err(e) = crate::check_email(&member.email) {
                problems.push(FileProblem::new(
                    format!("members[{i}].email"),
                    subject,
                    e.to_string(),
                ));
            }
            if let Some(MemberStatus::Unknown(status)) = &member.status {
                problems.push(FileProblem::new(
                    format!("members[{i}].status"),
                    subject,
                    format!(
                        "unknown status {:?}: expected accepted, pending or rejected (or \
                         leave it out)",
                        shorten(status.as_str())
                    ),
                ));
            }
            for indexes in repeats(member.roles.iter().map(String::as_str)) {
                let j = indexes[1];
                problems.push(FileProblem::new(
                    format!("members[{i}].roles[{j}]"),
                    subject,
                    format!("role {:?} is listed twice", shorten(&member.roles[j])),
                ));
            }
            for (j, policy) in member.policies.iter().enumerate() {
                if let Err(e) = policy.access() {
                    problems.push(FileProblem::new(
                        format!("members[{i}].policies[{j}]"),
                        subject,
                        e.to_string(),
                    ));
                }
            }
        }
        for (i, group) in self.groups.iter().enumerate() {
            let subject = Some(group.name.as_str());
            if group.name.trim().is_empty() {
                problems.push(FileProblem::new(
                    format!("groups[{i}].name"),
                    None,
                    "a group needs a name",
                ));
            }
            for indexes in repeats(group.members.iter().map(String::as_str)) {
                let j = indexes[1];
                problems.push(FileProblem::new(
                    format!("groups[{i}].members[{j}]"),
                    subject,
                    format!("member {:?} is listed twice", shorten(&group.members[j])),
                ));
            }
            for (j, policy) in group.policies.iter().enumerate() {
                if let Err(e) = policy.access() {
                    problems.push(FileProblem::new(
                        format!("groups[{i}].policies[{j}]"),
                        subject,
                        e.to_string(),
                    ));
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
        let fold = |s: &String| fold(s);
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
                {"email": "pat@example.com", "policies": [{"allow": ["A"], "deny": ["B"], "on": ["account"]}, {"allow": ["A"], "on": []}]},
                {"email": "sam@example.com", "roles": ["DNS"], "status": "acepted"}
            ],
            "groups": [{"name": "Ops", "members": ["a@example.com", "A@example.com"]}, {"name": "ops"}]
        }));
        let problems = f.problems();
        let text = problems
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n");
        let at = |place: &str| problems.iter().filter(|p| p.place == place).count();
        // Both entries of a member listed twice, each at its own place.
        assert_eq!(at("members[0]"), 1, "{text}");
        assert_eq!(at("members[1]"), 1, "{text}");
        assert!(
            text.contains("listed 2 times (members[0], members[1])"),
            "{text}"
        );
        // A member with neither roles nor policies is no problem of the
        // file itself: whether it can be so depends on the account.
        assert_eq!(at("members[2]"), 0, "{text}");
        assert!(
            text.contains("members[3].policies[0] (pat@example.com): allow and deny"),
            "{text}"
        );
        assert!(text.contains("on must not be empty"), "{text}");
        assert_eq!(at("groups[0]") + at("groups[1]"), 2, "{text}");
        assert!(
            text.contains("groups[0].members[1] (Ops): member \"A@example.com\" is listed twice"),
            "{text}"
        );
        assert!(
            text.contains("members[4].status (sam@example.com): unknown status \"acepted\""),
            "{text}"
        );
        assert_eq!(problems.len(), 8, "{text}");
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
