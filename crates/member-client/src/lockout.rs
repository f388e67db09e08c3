//! The lockout guard: a plan that would leave an account which has an
//! active Super Administrator without one is refused, whichever command
//! made it (`members remove`, `members update`, `apply`, group membership
//! changes, `sync`).
//!
//! Somebody is a Super Administrator by the role of that name, by an allow
//! policy with the permission group of that name (or label) over a resource
//! group of the whole account, or through a user group with such a policy;
//! only accepted members count (an invitation cannot administer anything),
//! and a deny of that permission group (own or through a group, over any
//! scope) cancels it: a deny wins over an allow.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::fmt;

use futures::TryStreamExt;
use member_http::Error;
use member_types::{
    AccountId, ListGroupMembersParams, Member, MemberId, MemberStatus, PermissionGroup,
    PermissionGroupId, ResourceGroup, ResourceGroupId, Role, RoleId, Scope, UserGroup, UserGroupId,
    SCOPE_ALL,
};

use crate::{
    AccessState, Client, Plan, PlanAction, PolicyRequest, PolicyState, Resolver,
    SUPER_ADMIN_ROLE_NAME,
};

/// Why a plan is refused: it would leave the account without an active
/// Super Administrator, and nobody could then manage its members.
///
/// ```
/// # async fn demo(client: member_client::Client, account: member_client::AccountId) -> Result<(), Box<dyn std::error::Error>> {
/// use member_client::{Change, MemberRef};
///
/// let resolver = client.resolver(&account);
/// let change = Change::remove(MemberRef::email("alice.admin@example.com"));
/// let plan = client.members(&account).plan(&[change]).await?;
/// if let Some(lockout) = client.lockout(&resolver, &plan).await? {
///     eprintln!("refused: {lockout}");
///     return Ok(());
/// }
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Lockout {
    /// The account's active Super Administrators today, by email (the
    /// membership id when the server gave no email).
    pub today: Vec<String>,
}

impl fmt::Display for Lockout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "this would leave the account without an active Super Administrator \
             (today: {}); make someone else Super Administrator first",
            self.today.join(", ")
        )
    }
}

impl Client {
    /// Whether carrying out `plan` would leave the account of `resolver`
    /// without an active Super Administrator while it has one today:
    /// `Some` to refuse the plan, `None` when it may go ahead.
    ///
    /// Reads only, through `resolver`'s cache: nothing when the plan
    /// removes, changes or takes out of a group nobody; the members and the
    /// user groups when it does; and only when no other accepted member
    /// holds the Super Administrator role (or a user group has a deny
    /// policy, which may cancel that role), the roles, permission groups,
    /// resource groups and the groups' members, to count every way of
    /// holding it.
    ///
    /// # Errors
    /// The reads' errors.
    pub async fn lockout(
        &self,
        resolver: &Resolver,
        plan: &Plan,
    ) -> Result<Option<Lockout>, Error> {
        if touched(plan).is_empty() {
            return Ok(None);
        }
        self.lockout_after(resolver, plan, |_| {}).await
    }

    /// The members that `plan` takes Super Administrator access from: the
    /// accepted members who hold it today (by role, policy or user group)
    /// and would not after the plan.
    ///
    /// A plan that [`lockout`](Self::lockout) lets through keeps a Super
    /// Administrator only if its changes all succeed: when the change that
    /// makes someone Super Administrator fails, the one that takes it from
    /// the last one must not run. So these members' changes are run last,
    /// after the check is made again against the account as it then is
    /// (`cf-members apply` and `sync` do).
    ///
    /// Reads as [`lockout`](Self::lockout) does, and nothing more than the
    /// members when an accepted member holds the Super Administrator role
    /// and keeps it whatever becomes of the plan (nobody's changes then
    /// need to wait).
    ///
    /// # Errors
    /// The reads' errors.
    ///
    /// ```no_run
    /// # async fn demo(client: member_client::Client, account: member_client::AccountId, plan: member_client::Plan) -> Result<(), Box<dyn std::error::Error>> {
    /// let resolver = client.resolver(&account);
    /// let last = client.super_admin_losses(&resolver, &plan).await?;
    /// let (later, first): (Vec<_>, Vec<_>) = plan
    ///     .entries
    ///     .iter()
    ///     .filter(|e| !e.is_unchanged())
    ///     .partition(|e| e.member_id.as_ref().is_some_and(|id| last.contains(id)));
    /// # let _ = (later, first);
    /// # Ok(()) }
    /// ```
    pub async fn super_admin_losses(
        &self,
        resolver: &Resolver,
        plan: &Plan,
    ) -> Result<BTreeSet<MemberId>, Error> {
        if touched(plan).is_empty() {
            return Ok(BTreeSet::new());
        }
        let current = resolver.members().await?;
        if kept_either_way(&current, plan) && !groups_deny(resolver).await? {
            return Ok(BTreeSet::new());
        }
        let (facts, group_members) = self.super_facts(resolver).await?;
        let (today, after) = facts.super_admin_ids(&facts, &current, plan, &group_members);
        Ok(today.into_iter().filter(|id| !after.contains(id)).collect())
    }

    /// The membership ids of user group `group`'s members (every page).
    ///
    /// # Errors
    /// The list's errors.
    pub(crate) async fn group_member_ids(
        &self,
        account: &AccountId,
        group: &UserGroupId,
    ) -> Result<BTreeSet<MemberId>, Error> {
        self.user_groups(account)
            .members(group)
            .list(ListGroupMembersParams::new())
            .map_ok(|m| m.id)
            .try_collect()
            .await
    }

    /// What makes somebody a Super Administrator today, and the user
    /// groups' members.
    async fn super_facts(
        &self,
        resolver: &Resolver,
    ) -> Result<(SuperFacts, HashMap<UserGroupId, BTreeSet<MemberId>>), Error> {
        let groups = resolver.user_groups().await?;
        let mut group_members = HashMap::new();
        for group in groups.iter() {
            let members = self
                .group_member_ids(resolver.account_id(), &group.id)
                .await?;
            group_members.insert(group.id.clone(), members);
        }
        let facts = SuperFacts::new(
            resolver.account_id(),
            &resolver.roles().await?,
            &resolver.permission_groups().await?,
            &resolver.resource_groups().await?,
            &groups,
        );
        Ok((facts, group_members))
    }

    /// Who is a Super Administrator in `account` and how: what makes one
    /// (the roles, permission groups, resource groups and user groups,
    /// read once) and the members of the user groups that grant it, for
    /// [`SuperAdmins::holds`] on each member as a list brings them.
    ///
    /// # Errors
    /// The reads' errors.
    pub(crate) async fn super_admins_of(&self, account: &AccountId) -> Result<SuperAdmins, Error> {
        let resolver = self.resolver(account);
        let groups = resolver.user_groups().await?;
        let facts = SuperFacts::new(
            account,
            &resolver.roles().await?,
            &resolver.permission_groups().await?,
            &resolver.resource_groups().await?,
            &groups,
        );
        let mut group_members = HashMap::new();
        for group in groups.iter() {
            let grants = facts.group_policies.get(&group.id).is_some_and(|p| {
                p.iter()
                    .any(|p| facts.policy_grants(p) || facts.policy_denies(p))
            });
            if !grants {
                continue;
            }
            let members = self.group_member_ids(account, &group.id).await?;
            group_members.insert(group.id.clone(), members);
        }
        Ok(SuperAdmins {
            facts,
            group_members,
        })
    }

    /// Whether giving user group `group` the policies `policies` (or, with
    /// `None`, deleting it) would leave the account of `resolver` without
    /// an active Super Administrator while it has one today: `Some` to
    /// refuse, `None` when it may go ahead. Reads as
    /// [`lockout`](Self::lockout) does.
    ///
    /// # Errors
    /// The reads' errors.
    ///
    /// ```no_run
    /// # async fn demo(client: member_client::Client, account: member_client::AccountId, group: member_client::UserGroupId) -> Result<(), Box<dyn std::error::Error>> {
    /// let resolver = client.resolver(&account);
    /// if let Some(lockout) = client.group_lockout(&resolver, &group, None).await? {
    ///     eprintln!("not deleting the group: {lockout}");
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn group_lockout(
        &self,
        resolver: &Resolver,
        group: &UserGroupId,
        policies: Option<&[PolicyRequest]>,
    ) -> Result<Option<Lockout>, Error> {
        let after: BTreeSet<PolicyState> = policies
            .unwrap_or_default()
            .iter()
            .map(PolicyState::from)
            .collect();
        self.lockout_after(resolver, &Plan::default(), |facts| {
            facts.group_policies.insert(group.clone(), after);
        })
        .await
    }

    /// Whether giving resource group `group` the scopes `scopes` (or, with
    /// `None`, deleting it) would leave the account of `resolver` without
    /// an active Super Administrator while it has one today: the group no
    /// longer covering the whole account takes the grant from every
    /// Super Administrator policy over it. `Some` to refuse, `None` when it
    /// may go ahead. Reads as [`lockout`](Self::lockout) does.
    ///
    /// # Errors
    /// The reads' errors.
    ///
    /// ```no_run
    /// # async fn demo(client: member_client::Client, account: member_client::AccountId, group: member_client::ResourceGroupId) -> Result<(), Box<dyn std::error::Error>> {
    /// let resolver = client.resolver(&account);
    /// if let Some(lockout) = client.resource_group_lockout(&resolver, &group, None).await? {
    ///     eprintln!("not deleting the resource group: {lockout}");
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn resource_group_lockout(
        &self,
        resolver: &Resolver,
        group: &ResourceGroupId,
        scopes: Option<&[Scope]>,
    ) -> Result<Option<Lockout>, Error> {
        self.lockout_after(resolver, &Plan::default(), |facts| {
            let whole = scopes.is_some_and(|scopes| scopes.iter().any(|s| facts.everything(s)));
            if whole {
                facts.account_groups.insert(group.clone());
            } else {
                facts.account_groups.remove(group);
            }
        })
        .await
    }

    /// The check of [`lockout`](Self::lockout), with what makes somebody a
    /// Super Administrator after the plan changed by `edit` (a group's
    /// policies, a resource group's reach).
    async fn lockout_after(
        &self,
        resolver: &Resolver,
        plan: &Plan,
        edit: impl FnOnce(&mut SuperFacts),
    ) -> Result<Option<Lockout>, Error> {
        let current = resolver.members().await?;
        if kept_by_role(&current, plan) && !groups_deny(resolver).await? {
            return Ok(None);
        }
        let (facts, group_members) = self.super_facts(resolver).await?;
        let mut later = facts.clone();
        edit(&mut later);
        let (today, after) = facts.super_admins(&later, &current, plan, &group_members);
        Ok((!today.is_empty() && after.is_empty()).then_some(Lockout { today }))
    }
}

/// Whether a user group of the account has a deny policy, which may cancel
/// a member's Super Administrator role (deny wins, through a group too):
/// then the quick checks, which look at roles and members' own policies
/// alone, leave the question to the full one. One read of the groups
/// (cached); a failure to read them is an error, not a guess.
async fn groups_deny(resolver: &Resolver) -> Result<bool, Error> {
    let groups = resolver.user_groups().await?;
    Ok(groups
        .iter()
        .flat_map(|g| &g.policies)
        .any(|p| p.access == Some(member_types::Access::Deny)))
}

/// The ids of the Super Administrator role, as the members' own role
/// names tell them.
fn super_role_ids(current: &[Member]) -> HashSet<&RoleId> {
    current
        .iter()
        .flat_map(|m| &m.roles)
        .filter(|r| is_super_name(Some(&r.name)))
        .map(|r| &r.id)
        .collect()
}

/// Whether an accepted member holds the Super Administrator role after
/// `plan` (the role's id as the members' own role names tell it), so that
/// nothing else needs to be read.
fn kept_by_role(current: &[Member], plan: &Plan) -> bool {
    let super_roles = super_role_ids(current);
    if super_roles.is_empty() {
        return false;
    }
    let mut after: HashMap<&MemberId, Option<&AccessState>> = HashMap::new();
    for entry in &plan.entries {
        if let Some(id) = &entry.member_id {
            match entry.action {
                // A group joined may deny it: only the full check knows.
                PlanAction::Remove | PlanAction::AddToGroup => {
                    after.insert(id, None);
                }
                PlanAction::Update => {
                    // Unless a group change of the same member said None.
                    after.entry(id).or_insert(entry.to.as_ref());
                }
                _ => {}
            }
        }
    }
    current
        .iter()
        .filter(|m| is_active(m) && !denies_any(m))
        .any(|m| {
            let planned = m.id.as_ref().and_then(|id| after.get(id));
            match planned {
                Some(Some(to)) => to.roles.iter().any(|r| super_roles.contains(r)),
                Some(None) => false,
                None => m.roles.iter().any(|r| super_roles.contains(&r.id)),
            }
        })
}

/// The members whose access or groups the plan changes: what may take
/// Super Administrator from somebody (joining a group too: the group may
/// deny it).
fn touched(plan: &Plan) -> HashSet<&MemberId> {
    plan.entries
        .iter()
        .filter(|e| {
            matches!(
                e.action,
                PlanAction::Update
                    | PlanAction::Remove
                    | PlanAction::RemoveFromGroup
                    | PlanAction::AddToGroup
            )
        })
        .filter_map(|e| e.member_id.as_ref())
        .collect()
}

/// Whether an accepted member holds the Super Administrator role today and
/// keeps it whatever becomes of the plan's changes: the plan does not
/// remove them, and a change of their access (if any) keeps the role. Then
/// nobody's change needs to wait for another.
fn kept_either_way(current: &[Member], plan: &Plan) -> bool {
    let super_roles = super_role_ids(current);
    current
        .iter()
        .filter(|m| is_active(m) && !denies_any(m))
        .filter(|m| m.roles.iter().any(|r| super_roles.contains(&r.id)))
        .any(|m| {
            plan.entries
                .iter()
                .filter(|e| e.member_id.is_some() && e.member_id == m.id)
                .all(|e| match e.action {
                    // A group joined may deny it.
                    PlanAction::Remove | PlanAction::AddToGroup => false,
                    PlanAction::Update => {
                        e.to.as_ref()
                            .is_some_and(|to| to.roles.iter().any(|r| super_roles.contains(r)))
                    }
                    _ => true,
                })
        })
}

/// Whether `scope` is the whole account of `account_key`.
fn is_everything(account_key: &str, scope: &Scope) -> bool {
    scope.key == account_key && scope.objects.iter().any(|o| o.key == SCOPE_ALL)
}

fn is_super_name(name: Option<&str>) -> bool {
    name.is_some_and(|n| n.trim().eq_ignore_ascii_case(SUPER_ADMIN_ROLE_NAME))
}

/// Whether the member has a deny policy of its own (which may cancel its
/// role: the quick checks then leave the member to the full one).
fn denies_any(member: &Member) -> bool {
    member
        .policies
        .iter()
        .any(|p| p.access == Some(member_types::Access::Deny))
}

fn is_active(member: &Member) -> bool {
    member.status == Some(MemberStatus::Accepted)
}

/// Who is a Super Administrator of one account: [`Client::super_admins_of`].
#[derive(Clone, Debug)]
pub(crate) struct SuperAdmins {
    facts: SuperFacts,
    /// The members of the user groups whose policies grant (or deny) it.
    group_members: HashMap<UserGroupId, BTreeSet<MemberId>>,
}

impl SuperAdmins {
    /// Whether `member` is a Super Administrator (accepted or not): by
    /// role, by an allow policy of its own, or through a user group, and no
    /// deny of it.
    pub(crate) fn holds(&self, member: &Member) -> bool {
        let access = AccessState::of_member(member);
        let groups: Vec<&BTreeSet<PolicyState>> = match &member.id {
            Some(id) => self
                .group_members
                .iter()
                .filter(|(_, members)| members.contains(id))
                .filter_map(|(group, _)| self.facts.group_policies.get(group))
                .collect(),
            None => Vec::new(),
        };
        self.facts.holds(&access, &groups)
    }
}

/// What makes somebody a Super Administrator of the account.
#[derive(Clone, Debug, Default)]
pub(crate) struct SuperFacts {
    roles: HashSet<RoleId>,
    permission_groups: HashSet<PermissionGroupId>,
    /// The resource groups that cover the whole account.
    account_groups: HashSet<ResourceGroupId>,
    account_key: String,
    /// Each user group's policies today.
    pub(crate) group_policies: HashMap<UserGroupId, BTreeSet<PolicyState>>,
}

impl SuperFacts {
    pub(crate) fn new(
        account: &AccountId,
        roles: &[Role],
        permission_groups: &[PermissionGroup],
        resource_groups: &[ResourceGroup],
        groups: &[UserGroup],
    ) -> Self {
        let account_key = Scope::account_key(account).unwrap_or_default();
        let everything = |scope: &Scope| is_everything(&account_key, scope);
        Self {
            roles: roles
                .iter()
                .filter(|r| is_super_name(Some(&r.name)))
                .map(|r| r.id.clone())
                .collect(),
            permission_groups: permission_groups
                .iter()
                .filter(|g| is_super_name(g.name.as_deref()) || is_super_name(g.label()))
                .map(|g| g.id.clone())
                .collect(),
            account_groups: resource_groups
                .iter()
                .filter(|g| g.scope.as_slice().iter().any(everything))
                .map(|g| g.id.clone())
                .collect(),
            group_policies: groups
                .iter()
                .map(|g| {
                    (
                        g.id.clone(),
                        g.policies.iter().map(PolicyState::from).collect(),
                    )
                })
                .collect(),
            account_key,
        }
    }

    /// Whether `scope` is the whole account.
    fn everything(&self, scope: &Scope) -> bool {
        is_everything(&self.account_key, scope)
    }

    fn policy_grants(&self, policy: &PolicyState) -> bool {
        policy.access == "allow"
            && policy
                .permission_groups
                .iter()
                .any(|g| self.permission_groups.contains(g))
            && (policy
                .resource_groups
                .iter()
                .any(|g| self.account_groups.contains(g))
                || policy.inline_scopes.iter().any(|s| self.everything(s)))
    }

    /// Whether `policy` denies the Super Administrator permission group,
    /// over any scope.
    fn policy_denies(&self, policy: &PolicyState) -> bool {
        policy.access == "deny"
            && policy
                .permission_groups
                .iter()
                .any(|g| self.permission_groups.contains(g))
    }

    /// Whether giving a user group `to` instead of `from` takes Super
    /// Administrator access from its members: its grant goes, or a deny of
    /// it comes.
    pub(crate) fn group_change_takes(
        &self,
        from: &BTreeSet<PolicyState>,
        to: &BTreeSet<PolicyState>,
    ) -> bool {
        let grants = |set: &BTreeSet<PolicyState>| set.iter().any(|p| self.policy_grants(p));
        let denies = |set: &BTreeSet<PolicyState>| set.iter().any(|p| self.policy_denies(p));
        (grants(from) && !grants(to)) || (!denies(from) && denies(to))
    }

    /// Whether `access` and the policies of the member's user groups make
    /// a Super Administrator. In Cloudflare's policies a deny wins over an
    /// allow, so a deny of the Super Administrator permission group, over
    /// any scope, own or through a group, is taken to cancel it whichever
    /// way it is held: counting one Super Administrator fewer can only
    /// make the guard refuse more, never let a lockout through.
    fn holds(&self, access: &AccessState, groups: &[&BTreeSet<PolicyState>]) -> bool {
        let mut policies = access
            .policies
            .iter()
            .chain(groups.iter().flat_map(|g| g.iter()));
        if policies.clone().any(|p| self.policy_denies(p)) {
            return false;
        }
        access.roles.iter().any(|r| self.roles.contains(r))
            || policies.any(|p| self.policy_grants(p))
    }

    /// The active Super Administrators of `current` today (by these
    /// facts) and after `plan` (by `later`: the groups' policies and the
    /// resource groups' reach after it), by email. `groups_now` are the
    /// user groups' members today; the plan's group changes are applied to
    /// them.
    pub(crate) fn super_admins(
        &self,
        later: &SuperFacts,
        current: &[Member],
        plan: &Plan,
        groups_now: &HashMap<UserGroupId, BTreeSet<MemberId>>,
    ) -> (Vec<String>, Vec<String>) {
        let (before, after) = self.super_admin_ids(later, current, plan, groups_now);
        let email = |id: MemberId| {
            current
                .iter()
                .find(|m| m.id.as_ref() == Some(&id))
                .and_then(Member::email)
                .map_or_else(|| id.as_str().to_owned(), str::to_owned)
        };
        (
            before.into_iter().map(email).collect(),
            after.into_iter().map(email).collect(),
        )
    }

    /// [`super_admins`](Self::super_admins) by membership id, in the
    /// members' order.
    pub(crate) fn super_admin_ids(
        &self,
        later: &SuperFacts,
        current: &[Member],
        plan: &Plan,
        groups_now: &HashMap<UserGroupId, BTreeSet<MemberId>>,
    ) -> (Vec<MemberId>, Vec<MemberId>) {
        let later_facts = later;
        let mut removed: HashSet<&MemberId> = HashSet::new();
        let mut access_after: HashMap<&MemberId, &AccessState> = HashMap::new();
        let mut groups_after = groups_now.clone();
        for entry in &plan.entries {
            let Some(id) = entry.member_id.as_ref() else {
                continue;
            };
            match (entry.action, entry.change.group()) {
                (PlanAction::Remove, _) => {
                    removed.insert(id);
                }
                (PlanAction::Update, _) => {
                    if let Some(to) = &entry.to {
                        access_after.insert(id, to);
                    }
                }
                (PlanAction::AddToGroup, Some(group)) => {
                    groups_after
                        .entry(group.clone())
                        .or_default()
                        .insert(id.clone());
                }
                (PlanAction::RemoveFromGroup, Some(group)) => {
                    if let Some(members) = groups_after.get_mut(group) {
                        members.remove(id);
                    }
                }
                _ => {}
            }
        }
        let groups_of = |id: &MemberId,
                         members: &HashMap<UserGroupId, BTreeSet<MemberId>>,
                         policies: &HashMap<UserGroupId, BTreeSet<PolicyState>>|
         -> Vec<BTreeSet<PolicyState>> {
            members
                .iter()
                .filter(|(_, m)| m.contains(id))
                .filter_map(|(g, _)| policies.get(g).cloned())
                .collect()
        };
        let mut before = Vec::new();
        let mut after = Vec::new();
        for member in current {
            let Some(id) = &member.id else { continue };
            if !is_active(member) {
                continue;
            }
            let now = AccessState::of_member(member);
            let groups_today = groups_of(id, groups_now, &self.group_policies);
            if self.holds(&now, &groups_today.iter().collect::<Vec<_>>()) {
                before.push(id.clone());
            }
            if removed.contains(id) {
                continue;
            }
            let access_later = access_after.get(id).copied().unwrap_or(&now);
            let groups_later = groups_of(id, &groups_after, &later_facts.group_policies);
            if later_facts.holds(access_later, &groups_later.iter().collect::<Vec<_>>()) {
                after.push(id.clone());
            }
        }
        (before, after)
    }
}
