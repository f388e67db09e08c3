//! `access_plan`: the changes of an access file planned by the one plan
//! engine, the differences told by name member by member and group by
//! group, and the rules a sync must pass before anything is sent.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use member_types::{AccessFile, AccountId, Member, MemberId, PolicyEntry, RoleId, UserGroupId};
use serde::Serialize;

use super::changes::{AccessChanges, StatusDrift};
use super::export::Catalog;
use super::AccessFileError;
use crate::lockout::SuperFacts;
use crate::members::email_key;
use crate::{AccessState, Client, Plan, PlanAction, PolicyState};

/// What a [`MemberDrift`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum DriftAction {
    /// In the file, not in the account: invited by a sync (`+`).
    Add,
    /// Roles or policies differ: set by a sync (`~`).
    Update,
    /// Not in the file, removed by a sync with prune (`-`).
    Remove,
    /// Not in the file and kept: a sync without prune leaves them (`-`,
    /// marked kept).
    NotInFile,
    /// Only the status differs from the one the file states: no change can
    /// set it (`~`).
    Status,
}

/// How one member differs from the file, by name.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct MemberDrift {
    /// The member's email.
    pub email: String,
    /// What the difference is.
    pub action: DriftAction,
    /// Roles the file has and the member does not.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub roles_added: Vec<String>,
    /// Roles the member has and the file does not.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub roles_removed: Vec<String>,
    /// Policies the file has and the member does not.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub policies_added: Vec<PolicyEntry>,
    /// Policies the member has and the file does not.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub policies_removed: Vec<PolicyEntry>,
    /// The status the file states and the one the member has, when they
    /// differ.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<StatusDrift>,
}

impl MemberDrift {
    /// A difference of `action` about `email`, nothing listed yet.
    fn new(email: String, action: DriftAction) -> Self {
        Self {
            email,
            action,
            roles_added: Vec::new(),
            roles_removed: Vec::new(),
            policies_added: Vec::new(),
            policies_removed: Vec::new(),
            status: None,
        }
    }
}

/// How one user group of the file differs from it, by name.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[non_exhaustive]
pub struct GroupDrift {
    /// The group's name.
    pub name: String,
    /// Whether the account does not have the group: a sync creates it
    /// (`+`), with every policy and member listed as added.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub created: bool,
    /// Members to put into the group, by email.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub members_added: Vec<String>,
    /// Members to take out of the group, by email.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub members_removed: Vec<String>,
    /// Policies the file gives the group and it does not have.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub policies_added: Vec<PolicyEntry>,
    /// Policies the group has and the file does not give it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub policies_removed: Vec<PolicyEntry>,
}

/// The limits a sync keeps to: how many members it may remove, and whose
/// membership it never removes.
///
/// ```
/// let safety = member_client::SyncSafety::new(5).own_user(None, Some("me@example.com"));
/// assert_eq!(safety.max_removals, 5);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SyncSafety {
    /// The most members one sync may remove.
    pub max_removals: usize,
    /// The user id of the token's own user, when the API says.
    pub own_user_id: Option<String>,
    /// The email of the token's own user, when the API says.
    pub own_email: Option<String>,
}

impl SyncSafety {
    /// At most `max_removals` removals, nobody protected yet.
    pub fn new(max_removals: usize) -> Self {
        Self {
            max_removals,
            ..Self::default()
        }
    }

    /// Never removes this user's membership.
    #[must_use]
    pub fn own_user(mut self, id: Option<&str>, email: Option<&str>) -> Self {
        self.own_user_id = id.map(str::to_owned);
        self.own_email = email.map(str::to_owned);
        self
    }
}

/// An access file planned against its account: the plan the apply engine
/// runs, the user-group policies to set, and every difference by name.
#[derive(Debug)]
#[non_exhaustive]
pub struct AccessPlan {
    /// The member and group-membership changes, planned
    /// ([`Plan::changes`] is what a sync sends, through
    /// [`Members::apply`](crate::Members::apply)).
    pub plan: Plan,
    /// Everything else the file says: group policies to set, statuses that
    /// differ, members not in the file, memberships that wait.
    pub changes: AccessChanges,
    /// The members that differ from the file, by email.
    pub members: Vec<MemberDrift>,
    /// The user groups of the file that differ from it, by name.
    pub groups: Vec<GroupDrift>,
    facts: SuperFacts,
    current: Vec<Member>,
}

impl Client {
    /// Plans `file` against `account`: [`Client::access_changes`], then
    /// [`Members::plan`](crate::Members::plan) (the engine `apply` uses),
    /// and every difference by name. Reads only; nothing is written.
    ///
    /// # Errors
    /// As [`Client::access_changes`].
    pub async fn access_plan(
        &self,
        account: &AccountId,
        file: &AccessFile,
        prune: bool,
    ) -> Result<AccessPlan, AccessFileError> {
        let changes = self.access_changes(account, file, prune).await?;
        let resolver = self.resolver(account);
        let catalog = Catalog::read(self, &resolver).await?;
        let groups = resolver.user_groups().await?;
        let current = resolver.members().await?;
        let plan = self.members(account).plan(&changes.changes).await?;
        let group_names: HashMap<&UserGroupId, String> = groups
            .iter()
            .map(|g| (&g.id, g.name.clone().unwrap_or_else(|| g.id.to_string())))
            .collect();
        let members = member_drift(&plan, &changes, &catalog, prune);
        let groups_drift = group_drift(&plan, &changes, &catalog, &group_names, &current);
        Ok(AccessPlan {
            facts: SuperFacts::new(
                catalog.account(),
                &catalog.roles,
                &catalog.permission_groups,
                &catalog.resource_groups,
                &groups,
            ),
            plan,
            changes,
            members,
            groups: groups_drift,
            current: current.to_vec(),
        })
    }
}

/// `to` minus `from`, and `from` minus `to`.
fn both_ways<T: Ord + Clone>(from: &BTreeSet<T>, to: &BTreeSet<T>) -> (Vec<T>, Vec<T>) {
    (
        to.difference(from).cloned().collect(),
        from.difference(to).cloned().collect(),
    )
}

fn member_drift(
    plan: &Plan,
    changes: &AccessChanges,
    catalog: &Catalog,
    prune: bool,
) -> Vec<MemberDrift> {
    let mut drift: BTreeMap<String, MemberDrift> = BTreeMap::new();
    for entry in &plan.entries {
        let action = match entry.action {
            PlanAction::Add => DriftAction::Add,
            PlanAction::Update => DriftAction::Update,
            PlanAction::Remove => DriftAction::Remove,
            _ => continue,
        };
        let email = entry
            .email
            .clone()
            .or_else(|| entry.member_id.as_ref().map(ToString::to_string))
            .unwrap_or_default();
        let empty = AccessState::default();
        let from = entry.from.as_ref().unwrap_or(&empty);
        let to = entry.to.as_ref().unwrap_or(&empty);
        let (roles_added, roles_removed) = both_ways(&from.roles, &to.roles);
        let (policies_added, policies_removed) = both_ways(&from.policies, &to.policies);
        let name_roles = |roles: Vec<RoleId>| {
            let mut names: Vec<String> = roles
                .iter()
                .map(|r| catalog.role_by_id(r.as_str()))
                .collect();
            names.sort();
            names
        };
        let name_policies = |policies: Vec<PolicyState>| {
            policies
                .iter()
                .map(|p| catalog.policy_state(p))
                .collect::<Vec<_>>()
        };
        drift.insert(
            email_key(&email),
            MemberDrift {
                email,
                action,
                roles_added: name_roles(roles_added),
                roles_removed: name_roles(roles_removed),
                policies_added: name_policies(policies_added),
                policies_removed: name_policies(policies_removed),
                status: None,
            },
        );
    }
    if !prune {
        for member in &changes.not_in_file {
            let email = member
                .email()
                .map(str::to_owned)
                .or_else(|| member.id.as_ref().map(ToString::to_string))
                .unwrap_or_default();
            drift.insert(
                email_key(&email),
                MemberDrift::new(email, DriftAction::NotInFile),
            );
        }
    }
    for status in &changes.status_drift {
        let email = &status.email;
        drift
            .entry(email_key(email))
            .or_insert_with(|| MemberDrift::new(email.clone(), DriftAction::Status))
            .status = Some(status.clone());
    }
    drift.into_values().collect()
}

fn group_drift(
    plan: &Plan,
    changes: &AccessChanges,
    catalog: &Catalog,
    names: &HashMap<&UserGroupId, String>,
    current: &[Member],
) -> Vec<GroupDrift> {
    let mut drift: BTreeMap<String, GroupDrift> = BTreeMap::new();
    fn of<'a>(
        drift: &'a mut BTreeMap<String, GroupDrift>,
        names: &HashMap<&UserGroupId, String>,
        group: &UserGroupId,
    ) -> &'a mut GroupDrift {
        let name = names
            .get(group)
            .cloned()
            .unwrap_or_else(|| group.to_string());
        drift.entry(name.clone()).or_insert_with(|| GroupDrift {
            name,
            ..GroupDrift::default()
        })
    }
    for entry in &plan.entries {
        let Some(group) = entry.change.group() else {
            continue;
        };
        let email = entry
            .email
            .clone()
            .or_else(|| {
                let id = entry.member_id.as_ref()?;
                current
                    .iter()
                    .find(|m| m.id.as_ref() == Some(id))
                    .and_then(|m| m.email().map(str::to_owned))
            })
            .or_else(|| entry.member_id.as_ref().map(ToString::to_string))
            .unwrap_or_default();
        match entry.action {
            PlanAction::AddToGroup => of(&mut drift, names, group).members_added.push(email),
            PlanAction::RemoveFromGroup => of(&mut drift, names, group).members_removed.push(email),
            _ => {}
        }
    }
    let email_of = |id: &MemberId| {
        current
            .iter()
            .find(|m| m.id.as_ref() == Some(id))
            .and_then(|m| m.email().map(str::to_owned))
            .unwrap_or_else(|| id.to_string())
    };
    for group in &changes.new_groups {
        let policies: BTreeSet<PolicyState> =
            group.policies.iter().map(PolicyState::from).collect();
        let drift = drift
            .entry(group.name.clone())
            .or_insert_with(|| GroupDrift {
                name: group.name.clone(),
                ..GroupDrift::default()
            });
        drift.created = true;
        drift
            .members_added
            .extend(group.members.iter().map(email_of));
        drift.policies_added = policies.iter().map(|p| catalog.policy_state(p)).collect();
    }
    for join in &changes.joins {
        let name = match &join.group_id {
            Some(id) => names.get(id).cloned().unwrap_or_else(|| join.group.clone()),
            None => join.group.clone(),
        };
        drift
            .entry(name.clone())
            .or_insert_with(|| GroupDrift {
                name,
                ..GroupDrift::default()
            })
            .members_added
            .push(join.email.clone());
    }
    for change in &changes.group_policies {
        let (added, removed) = both_ways(&change.from, &change.to());
        let group = of(&mut drift, names, &change.group);
        group.policies_added = added.iter().map(|p| catalog.policy_state(p)).collect();
        group.policies_removed = removed.iter().map(|p| catalog.policy_state(p)).collect();
    }
    for group in drift.values_mut() {
        group.members_added.sort_by_key(|e| email_key(e));
        group.members_removed.sort_by_key(|e| email_key(e));
    }
    drift.into_values().collect()
}

impl AccessPlan {
    /// Whether the account differs from the file in any way the plan sees:
    /// a member or group to change, a member not in the file (kept or
    /// removed), a status that differs, or a change the engine refused.
    pub fn has_drift(&self) -> bool {
        !self.members.is_empty() || !self.groups.is_empty() || !self.plan.problems.is_empty()
    }

    /// How many changes a sync sends: the plan's changes, the group
    /// policies to set, the groups to create with their members, and the
    /// people invited by the sync to put into groups.
    pub fn to_send(&self) -> usize {
        self.plan.changes().len()
            + self.changes.group_policies.len()
            + self
                .changes
                .new_groups
                .iter()
                .map(|g| 1 + g.members.len())
                .sum::<usize>()
            + self.changes.joins.len()
    }

    /// Whether setting the policies of `change` (one of
    /// [`AccessChanges::group_policies`](crate::AccessChanges::group_policies)) takes Super Administrator access
    /// from the group's members: the group's grant of it goes, or a deny of
    /// it comes. A sync sets such policies last, after the member changes
    /// (which may be what makes somebody else Super Administrator), and
    /// only when [`Client::group_lockout`], asked again, lets them through.
    pub fn takes_super_admin(&self, change: &crate::GroupPolicies) -> bool {
        self.facts.group_change_takes(&change.from, &change.to())
    }

    /// Why a sync of this plan must not go ahead, every reason at once;
    /// empty when it may. A sync refuses a plan that removes more than
    /// `safety.max_removals` members, that removes the token's own user,
    /// or that would leave an account that has an active Super
    /// Administrator without one (by role, by policy, or through a user
    /// group; a group the sync creates is not counted, so a plan that
    /// moves the last Super Administrator into a new group is refused
    /// rather than trusted).
    pub fn refusals(&self, safety: &SyncSafety) -> Vec<String> {
        let mut refusals = Vec::new();
        let removed: HashSet<&MemberId> = self
            .plan
            .entries
            .iter()
            .filter(|e| e.action == PlanAction::Remove)
            .filter_map(|e| e.member_id.as_ref())
            .collect();
        if removed.len() > safety.max_removals {
            refusals.push(format!(
                "the plan removes {} members, more than the {} allowed \
                 (--max-removals {} raises the limit)",
                removed.len(),
                safety.max_removals,
                removed.len()
            ));
        }
        for member in &self.current {
            let Some(id) = &member.id else { continue };
            if !removed.contains(id) {
                continue;
            }
            let user_id = member
                .user
                .as_ref()
                .and_then(|u| u.id.as_ref())
                .map(|id| id.as_str());
            let same_id = safety.own_user_id.is_some() && safety.own_user_id.as_deref() == user_id;
            let same_email = match (&safety.own_email, member.email()) {
                (Some(own), Some(email)) => email_key(own) == email_key(email),
                _ => false,
            };
            if same_id || same_email {
                refusals.push(format!(
                    "the plan removes {}, the token's own user; a sync never removes \
                     the membership it runs as (add them to the file, or remove them \
                     by hand)",
                    member.email().unwrap_or(id.as_str())
                ));
            }
        }
        let mut later = self.facts.clone();
        for change in &self.changes.group_policies {
            later
                .group_policies
                .insert(change.group.clone(), change.to());
        }
        let (before, after) = self.facts.super_admin_ids(
            &later,
            &self.current,
            &self.plan,
            &self.changes.group_members,
        );
        // A group the sync creates grants nothing here (see above), but a
        // deny in it does take it from the members put in it.
        let denied: HashSet<&MemberId> = self
            .changes
            .new_groups
            .iter()
            .filter(|g| {
                let policies: BTreeSet<PolicyState> =
                    g.policies.iter().map(PolicyState::from).collect();
                self.facts.group_change_takes(&BTreeSet::new(), &policies)
            })
            .flat_map(|g| &g.members)
            .collect();
        let after: Vec<&MemberId> = after.iter().filter(|id| !denied.contains(id)).collect();
        let email = |id: &MemberId| {
            self.current
                .iter()
                .find(|m| m.id.as_ref() == Some(id))
                .and_then(Member::email)
                .map_or_else(|| id.as_str().to_owned(), str::to_owned)
        };
        let before: Vec<String> = before.iter().map(email).collect();
        if !before.is_empty() && after.is_empty() {
            refusals.push(format!(
                "the plan would leave the account without an active Super \
                 Administrator (today: {}); keep at least one in the file",
                before.join(", ")
            ));
        }
        refusals
    }
}
