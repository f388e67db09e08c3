//! What [`Members::plan`](crate::Members::plan) says: [`Plan`], its entries
//! and problems, and the access states it compares.

use std::collections::{BTreeSet, HashMap};

use member_types::{
    CreateAccess, CreateMember, Member, MemberId, PermissionGroupId, Policy, PolicyRequest,
    ResourceGroup, ResourceGroupId, ResourceGroupRef, RoleId, Scope,
};
use serde::{Deserialize, Serialize};

#[cfg(doc)]
use crate::Members;

use super::Change;

/// One policy, as compared by [`Members::plan`]: access and the sets of
/// permission and resource group ids (order and names do not matter).
///
/// ```
/// use member_client::{Access, PermissionGroupId, PolicyRequest, PolicyState, ResourceGroupId};
/// let policy = PolicyRequest::new(
///     Access::Allow,
///     [PermissionGroupId::new("pg2")?, PermissionGroupId::new("pg1")?],
///     [ResourceGroupId::new("rg1")?],
/// )?;
/// let state = PolicyState::from(&policy);
/// assert_eq!(state.access, "allow");
/// assert_eq!(state.permission_groups.len(), 2);
/// # Ok::<(), member_client::ValidationError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PolicyState {
    /// `allow`, `deny`, or what the server sent.
    pub access: String,
    /// The permission group ids.
    pub permission_groups: BTreeSet<PermissionGroupId>,
    /// The resource group ids.
    pub resource_groups: BTreeSet<ResourceGroupId>,
    /// Inline scopes of a requested policy (each becomes an unnamed resource
    /// group on the server). The plan compares a policy by what its
    /// resource groups cover, so one with an inline scope equals a policy
    /// read back over a resource group of the same scopes.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub inline_scopes: BTreeSet<Scope>,
}

/// A scope as compared: its key and its objects' keys, in any order.
type ScopeKey = (String, BTreeSet<String>);

/// The scopes of the resource groups known (those that came with their
/// scopes: in members' policies, in the account's list), by id.
#[derive(Clone, Debug, Default)]
pub(crate) struct KnownScopes(HashMap<ResourceGroupId, BTreeSet<ScopeKey>>);

impl KnownScopes {
    pub(crate) fn of<'a>(groups: impl IntoIterator<Item = &'a ResourceGroup>) -> Self {
        let mut known = Self::default();
        known.add(groups);
        known
    }

    pub(crate) fn add<'a>(&mut self, groups: impl IntoIterator<Item = &'a ResourceGroup>) {
        for group in groups {
            let scopes: BTreeSet<ScopeKey> = group.scope.as_slice().iter().map(scope_key).collect();
            if !scopes.is_empty() {
                self.0.insert(group.id.clone(), scopes);
            }
        }
    }

    /// The scopes of every resource group the members' policies name.
    pub(crate) fn of_members(members: &[Member]) -> Self {
        Self::of(
            members
                .iter()
                .flat_map(|m| &m.policies)
                .flat_map(|p| &p.resource_groups),
        )
    }
}

fn scope_key(scope: &Scope) -> ScopeKey {
    (
        scope.key.clone(),
        scope.objects.iter().map(|o| o.key.clone()).collect(),
    )
}

/// What a policy grants: access, permission groups, and what its
/// resource groups cover (their scopes where known, else their ids).
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Reach<'a> {
    access: &'a str,
    permission_groups: &'a BTreeSet<PermissionGroupId>,
    scopes: BTreeSet<ScopeKey>,
    unknown: BTreeSet<&'a ResourceGroupId>,
}

impl PolicyState {
    fn reach<'a>(&'a self, known: &KnownScopes) -> Reach<'a> {
        let mut scopes: BTreeSet<ScopeKey> = self.inline_scopes.iter().map(scope_key).collect();
        let mut unknown = BTreeSet::new();
        for group in &self.resource_groups {
            match known.0.get(group) {
                Some(of) => scopes.extend(of.iter().cloned()),
                None => {
                    unknown.insert(group);
                }
            }
        }
        Reach {
            access: &self.access,
            permission_groups: &self.permission_groups,
            scopes,
            unknown,
        }
    }
}

/// Whether two sets of policies grant the same: a resource group counts
/// by what it covers, so a policy over one resource group is the same as
/// one over another group (or an inline scope) with the same scopes.
/// Without this, a file's `on: [account]` in an account with two
/// whole-account resource groups never matched, and every sync sent it
/// again.
pub(crate) fn same_policies(
    a: &BTreeSet<PolicyState>,
    b: &BTreeSet<PolicyState>,
    known: &KnownScopes,
) -> bool {
    if a == b {
        return true;
    }
    let reach_a: BTreeSet<Reach<'_>> = a.iter().map(|p| p.reach(known)).collect();
    let reach_b: BTreeSet<Reach<'_>> = b.iter().map(|p| p.reach(known)).collect();
    reach_a == reach_b
}

impl From<&PolicyRequest> for PolicyState {
    fn from(policy: &PolicyRequest) -> Self {
        Self {
            access: policy.access.as_str().to_owned(),
            permission_groups: policy
                .permission_groups
                .iter()
                .map(|g| g.id.clone())
                .collect(),
            resource_groups: policy
                .resource_groups
                .iter()
                .filter_map(ResourceGroupRef::group_id)
                .cloned()
                .collect(),
            inline_scopes: policy
                .resource_groups
                .iter()
                .filter_map(ResourceGroupRef::inline_scope)
                .cloned()
                .collect(),
        }
    }
}

impl From<&Policy> for PolicyState {
    fn from(policy: &Policy) -> Self {
        Self {
            access: policy
                .access
                .as_ref()
                .map(|a| a.as_str().to_owned())
                .unwrap_or_default(),
            permission_groups: policy
                .permission_groups
                .iter()
                .map(|g| g.id.clone())
                .collect(),
            resource_groups: policy
                .resource_groups
                .iter()
                .map(|g| g.id.clone())
                .collect(),
            inline_scopes: BTreeSet::new(),
        }
    }
}

/// A member's access as [`Members::plan`] compares it: role ids and
/// policies, as sets.
///
/// ```
/// use member_client::{AccessState, RoleId};
/// let a = AccessState::roles([RoleId::new("r2")?, RoleId::new("r1")?]);
/// let b = AccessState::roles([RoleId::new("r1")?, RoleId::new("r2")?, RoleId::new("r1")?]);
/// assert_eq!(a, b);
/// # Ok::<(), member_client::ValidationError>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AccessState {
    /// Role ids.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub roles: BTreeSet<RoleId>,
    /// Policies.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub policies: BTreeSet<PolicyState>,
}

impl AccessState {
    /// Exactly these roles and no policy.
    ///
    /// ```
    /// let state = member_client::AccessState::roles([]);
    /// assert!(state.roles.is_empty() && state.policies.is_empty());
    /// ```
    pub fn roles(roles: impl IntoIterator<Item = RoleId>) -> Self {
        Self {
            roles: roles.into_iter().collect(),
            policies: BTreeSet::new(),
        }
    }

    /// Exactly these policies and no role.
    ///
    /// ```
    /// let state = member_client::AccessState::policies([]);
    /// assert!(state.policies.is_empty());
    /// ```
    pub fn policies<'a>(policies: impl IntoIterator<Item = &'a PolicyRequest>) -> Self {
        Self {
            roles: BTreeSet::new(),
            policies: policies.into_iter().map(PolicyState::from).collect(),
        }
    }

    /// What a member has now.
    ///
    /// ```
    /// let state = member_client::AccessState::of_member(&member_client::Member::default());
    /// assert_eq!(state, member_client::AccessState::default());
    /// ```
    pub fn of_member(member: &Member) -> Self {
        Self {
            roles: member.roles.iter().map(|r| r.id.clone()).collect(),
            policies: member.policies.iter().map(PolicyState::from).collect(),
        }
    }

    /// Whether `self` and `other` give the same access: the same roles,
    /// and policies that grant the same ([`same_policies`]: resource
    /// groups by what they cover).
    pub(crate) fn same_as(&self, other: &Self, known: &KnownScopes) -> bool {
        self.roles == other.roles && same_policies(&self.policies, &other.policies, known)
    }

    pub(super) fn of_create(body: &CreateMember) -> Self {
        match &body.access {
            CreateAccess::Roles { roles } => Self::roles(roles.iter().cloned()),
            CreateAccess::Policies { policies } => Self::policies(policies),
            // `CreateAccess` may gain shapes; they compare as no access.
            _ => Self::default(),
        }
    }
}

/// What a [`PlanEntry`] does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum PlanAction {
    /// The member's roles or policies change.
    Update,
    /// A new member is added.
    Add,
    /// The member is removed.
    Remove,
    /// The member is put into a user group (the change's
    /// [`group`](Change::group)).
    AddToGroup,
    /// The member is taken out of a user group.
    RemoveFromGroup,
    /// The member is already in the wanted state (for a group change:
    /// already in the group, or already not in it): nothing is sent.
    Unchanged,
}

/// One change of a [`Plan`]: who, from what, to what.
///
/// ```
/// # fn show(plan: &member_client::Plan) {
/// for entry in &plan.entries {
///     println!("{:?} {:?}: {:?} -> {:?}", entry.action, entry.email, entry.from, entry.to);
/// }
/// # }
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PlanEntry {
    /// The position of the change in the list given to [`Members::plan`].
    pub input: usize,
    /// What happens.
    pub action: PlanAction,
    /// The member's id (none for a member still to be added).
    pub member_id: Option<MemberId>,
    /// The member's email, when known.
    pub email: Option<String>,
    /// The access now (none for a member still to be added).
    pub from: Option<AccessState>,
    /// The access wanted (none for a removal).
    pub to: Option<AccessState>,
    /// What [`Members::apply`] sends: the input change, naming the member by
    /// id; for an `add_roles` or `remove_roles` that changes something, the
    /// [`Change::SetRoles`] of the member's whole new set of roles.
    pub change: Change,
}

impl PlanEntry {
    /// Whether the member is already in the wanted state.
    ///
    /// ```
    /// # fn count(plan: &member_client::Plan) -> usize {
    /// plan.entries.iter().filter(|e| e.is_unchanged()).count()
    /// # }
    /// ```
    pub fn is_unchanged(&self) -> bool {
        self.action == PlanAction::Unchanged
    }
}

/// Why a change of the input is not in the plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ProblemKind {
    /// No member has this email (nobody is added unless the change says
    /// `add`).
    UnknownEmail,
    /// No member has this id.
    UnknownMember,
    /// Several members have this email.
    AmbiguousEmail,
    /// `add` for an email that is already a member with other access (use
    /// `set_roles` or `set_policies` to change it).
    AlreadyMember,
    /// Another change of the input is about the same member (for a group
    /// change: the same member and group).
    Duplicate,
    /// The user group of a group change does not exist (its members could
    /// not be read: not found).
    UnknownGroup,
    /// The change breaks a rule (see the message).
    Invalid,
}

/// A change of the input that the plan leaves out, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Problem {
    /// The position of the change in the list given to [`Members::plan`].
    pub input: usize,
    /// The change as given.
    pub change: Change,
    /// The kind of problem.
    pub kind: ProblemKind,
    /// What is wrong, for people.
    pub message: String,
}

/// What [`Members::plan`] found: the changes to make, the members already
/// in the wanted state, and the problems.
///
/// Serializable, so it can be shown as JSON (`--dry-run`) or kept.
///
/// ```
/// let plan = member_client::Plan::default();
/// assert!(plan.changes().is_empty());
/// assert!(plan.problems.is_empty());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Plan {
    /// One entry per change that can be made, unchanged ones included, in
    /// input order.
    pub entries: Vec<PlanEntry>,
    /// The changes left out, in input order.
    pub problems: Vec<Problem>,
}

impl Plan {
    /// The changes to send (unchanged members left out), each naming its
    /// member by id: the input of [`Members::apply`].
    ///
    /// ```
    /// assert!(member_client::Plan::default().changes().is_empty());
    /// ```
    pub fn changes(&self) -> Vec<Change> {
        self.entries
            .iter()
            .filter(|e| !e.is_unchanged())
            .map(|e| e.change.clone())
            .collect()
    }

    /// The entries for members already in the wanted state.
    ///
    /// ```
    /// assert_eq!(member_client::Plan::default().unchanged().count(), 0);
    /// ```
    pub fn unchanged(&self) -> impl Iterator<Item = &PlanEntry> {
        self.entries.iter().filter(|e| e.is_unchanged())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn group(id: &str, zone: &str) -> ResourceGroup {
        serde_json::from_value(json!({"id": id, "scope": [{
            "key": "com.cloudflare.api.account.023e105f4ecef8ad9ca31a8372d0c353",
            "objects": [{"key": format!("com.cloudflare.api.account.zone.{zone}")}]
        }]}))
        .unwrap()
    }

    fn policy(groups: &[&str], inline: Option<&str>) -> PolicyState {
        PolicyState {
            access: "allow".to_owned(),
            permission_groups: [PermissionGroupId::new("pg1").unwrap()].into(),
            resource_groups: groups
                .iter()
                .map(|g| ResourceGroupId::new(*g).unwrap())
                .collect(),
            inline_scopes: inline
                .map(|zone| {
                    serde_json::from_value(json!({
                        "key": "com.cloudflare.api.account.023e105f4ecef8ad9ca31a8372d0c353",
                        "objects": [{"key": format!("com.cloudflare.api.account.zone.{zone}")}]
                    }))
                    .unwrap()
                })
                .into_iter()
                .collect(),
        }
    }

    #[test]
    fn resource_groups_compare_by_what_they_cover() {
        let known = KnownScopes::of(&[group("rga", "z1"), group("rgb", "z1"), group("rgc", "z2")]);
        let set = |p: PolicyState| BTreeSet::from([p]);
        let same = |a, b| same_policies(&set(a), &set(b), &known);
        assert!(
            same(policy(&["rga"], None), policy(&["rgb"], None)),
            "two groups, one zone"
        );
        assert!(
            same(policy(&["rga"], None), policy(&[], Some("z1"))),
            "a group and the inline scope"
        );
        assert!(
            !same(policy(&["rga"], None), policy(&["rgc"], None)),
            "another zone"
        );
        assert!(
            !same(policy(&["rga"], None), policy(&["unknown"], None)),
            "a group not known"
        );
        assert!(same(policy(&["unknown"], None), policy(&["unknown"], None)));
        let mut denied = policy(&["rgb"], None);
        denied.access = "deny".to_owned();
        assert!(!same(policy(&["rga"], None), denied), "the access counts");
    }
}
