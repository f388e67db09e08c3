//! `export`: an account's current access written as an [`AccessFile`], by
//! name wherever a name says exactly one thing; and the names the plan's
//! differences are told in, chosen the same way.

use std::collections::BTreeMap;
use std::sync::Arc;

use futures::TryStreamExt;
use member_types::{
    Access, AccessFile, AccountId, GroupAccess, ListGroupMembersParams, ListZonesParams, Member,
    MemberAccess, PermissionGroup, Policy, PolicyEntry, ResourceGroup, Role, Scope, UserGroup,
    Zone, SCOPE_ALL, ZONE_SCOPE_PREFIX,
};

use crate::members::email_key;
use crate::{Client, Error, PolicyState, Resolver};

/// What is read once to name things: roles, permission groups, resource
/// groups and the account's zones.
pub(crate) struct Catalog {
    account: AccountId,
    pub(crate) roles: Arc<Vec<Role>>,
    pub(crate) permission_groups: Arc<Vec<PermissionGroup>>,
    pub(crate) resource_groups: Arc<Vec<ResourceGroup>>,
    zones: Vec<Zone>,
}

/// How many of `names` fold to `name` (trimmed, ASCII case).
fn count_named<'a>(name: &str, names: impl Iterator<Item = &'a str>) -> usize {
    let wanted = email_key(name);
    names.filter(|n| email_key(n) == wanted).count()
}

impl Catalog {
    /// Reads what names need, through `resolver`'s reads (each kind once)
    /// and one read of the account's zones.
    pub(crate) async fn read(client: &Client, resolver: &Resolver) -> Result<Self, Error> {
        let account = resolver.account_id().clone();
        Ok(Self {
            roles: resolver.roles().await?,
            permission_groups: resolver.permission_groups().await?,
            resource_groups: resolver.resource_groups().await?,
            zones: client
                .zones()
                .list(ListZonesParams::new().account(account.clone()))
                .try_collect()
                .await?,
            account,
        })
    }

    /// The account the catalog is of.
    pub(crate) fn account(&self) -> &AccountId {
        &self.account
    }

    /// A role by id: its name when no other role answers to it, else the
    /// id.
    pub(crate) fn role_by_id(&self, id: &str) -> String {
        match self.roles.iter().find(|r| r.id.as_str() == id) {
            Some(role) => self.role(role),
            None => id.to_owned(),
        }
    }

    /// A compared policy in the names form.
    pub(crate) fn policy_state(&self, policy: &PolicyState) -> PolicyEntry {
        let access = if policy.access == "deny" {
            Access::Deny
        } else {
            Access::Allow
        };
        let groups = policy
            .permission_groups
            .iter()
            .map(|g| self.permission_group(g.as_str()))
            .collect();
        let scopes = policy
            .resource_groups
            .iter()
            .map(|g| self.scope(g.as_str()))
            .chain(policy.inline_scopes.iter().map(|s| {
                self.short_scope(s)
                    .unwrap_or_else(|| format!("{} (new resource group)", s.key))
            }))
            .collect();
        let mut entry = PolicyEntry::new(&access, groups, scopes);
        for names in [&mut entry.allow, &mut entry.deny].into_iter().flatten() {
            names.sort();
        }
        entry.on.sort();
        entry
    }

    /// A role's name when no other role answers to it, else its id.
    fn role(&self, role: &Role) -> String {
        let same = count_named(&role.name, self.roles.iter().map(|r| r.name.as_str()));
        if same == 1 && !role.name.trim().is_empty() {
            role.name.clone()
        } else {
            role.id.as_str().to_owned()
        }
    }

    /// A permission group's name, else its label, when exactly one group
    /// answers to it (names and labels both count), else its id.
    fn permission_group(&self, id: &str) -> String {
        let Some(group) = self.permission_groups.iter().find(|g| g.id == id) else {
            return id.to_owned();
        };
        let answers = |reference: &str| {
            count_named(
                reference,
                self.permission_groups
                    .iter()
                    .flat_map(|g| g.name.as_deref().into_iter().chain(g.label())),
            )
        };
        for reference in group.name.as_deref().into_iter().chain(group.label()) {
            if !reference.trim().is_empty() && answers(reference) == 1 {
                return reference.to_owned();
            }
        }
        id.to_owned()
    }

    /// The scope reference of a resource group: `account` or
    /// `zone:<domain>` when it is the only group of exactly that scope (so
    /// the reference resolves back to it), else `group:<name>` when its name
    /// is unique, else its id.
    fn scope(&self, id: &str) -> String {
        let Some(group) = self.resource_groups.iter().find(|g| g.id == id) else {
            return id.to_owned();
        };
        let same_scope = self
            .resource_groups
            .iter()
            .filter(|g| g.scope.as_slice() == group.scope.as_slice())
            .count();
        if same_scope == 1 {
            if let [scope] = group.scope.as_slice() {
                if let Some(reference) = self.short_scope(scope) {
                    return reference;
                }
            }
        }
        if let Some(name) = group.name.as_deref().filter(|n| !n.trim().is_empty()) {
            let same_name = count_named(
                name,
                self.resource_groups
                    .iter()
                    .filter_map(|g| g.name.as_deref()),
            );
            if same_name == 1 {
                return format!("group:{name}");
            }
        }
        id.to_owned()
    }

    /// `account` or `zone:<domain>` for the two scope forms the resolver
    /// builds from them.
    fn short_scope(&self, scope: &Scope) -> Option<String> {
        let everything = scope.objects.len() == 1 && scope.objects[0].key == SCOPE_ALL;
        if !everything {
            return None;
        }
        if Scope::account_key(&self.account).ok()? == scope.key {
            return Some("account".to_owned());
        }
        let zone_id = scope.key.strip_prefix(ZONE_SCOPE_PREFIX)?;
        let zone = self.zones.iter().find(|z| z.id == zone_id)?;
        let same_name = count_named(&zone.name, self.zones.iter().map(|z| z.name.as_str()));
        (same_name == 1).then(|| format!("zone:{}", zone.name))
    }

    /// A policy in the names form. An access value other than allow and
    /// deny cannot be written down without changing its meaning, so it is
    /// an error rather than a guess.
    fn policy(&self, policy: &Policy) -> Result<PolicyEntry, Error> {
        let groups = policy
            .permission_groups
            .iter()
            .map(|g| self.permission_group(g.id.as_str()))
            .collect();
        let scopes = policy
            .resource_groups
            .iter()
            .map(|g| self.scope(g.id.as_str()))
            .collect();
        match &policy.access {
            Some(access @ (Access::Allow | Access::Deny)) => {
                Ok(PolicyEntry::new(access, groups, scopes))
            }
            other => Err(Error::protocol(format!(
                "a policy has access {other:?}, which the access file cannot express \
                 (only allow and deny); nothing was exported"
            ))),
        }
    }

    fn member(&self, member: &Member) -> Result<MemberAccess, Error> {
        let email = member
            .email()
            .ok_or_else(|| Error::protocol("a member has no email to write in the access file"))?;
        let mut access = MemberAccess::default();
        access.email = email.to_owned();
        access.roles = member.roles.iter().map(|r| self.role(r)).collect();
        access.policies = member
            .policies
            .iter()
            .map(|p| self.policy(p))
            .collect::<Result<_, _>>()?;
        Ok(access)
    }
}

impl Client {
    /// The current access of `account` as an [`AccessFile`], in canonical
    /// order: every member by email with their roles or policies, every user
    /// group with its policies and members. Roles, permission groups, scopes
    /// and groups are written by name where the name resolves back to
    /// exactly that thing, and by id where it would not, so that exporting
    /// and then diffing an unchanged account finds no change. Statuses are
    /// left out: a pending invitation whose access matches is not drift.
    ///
    /// Reads: members, roles, permission groups, resource groups, the
    /// account's zones and user groups (one paged read each), and each
    /// group's members.
    ///
    /// # Errors
    /// The reads' errors.
    pub async fn export_access(&self, account: &AccountId) -> Result<AccessFile, Error> {
        let resolver = self.resolver(account);
        let catalog = Catalog::read(self, &resolver).await?;
        let members: Arc<Vec<Member>> = resolver.members().await?;
        let emails: BTreeMap<String, String> = members
            .iter()
            .filter_map(|m| Some((m.id.as_ref()?.as_str().to_owned(), m.email()?.to_owned())))
            .collect();
        let groups: Arc<Vec<UserGroup>> = resolver.user_groups().await?;
        let mut file = AccessFile::default();
        file.account = account.as_str().to_owned();
        file.members = members
            .iter()
            .map(|m| catalog.member(m))
            .collect::<Result<_, _>>()?;
        for group in groups.iter() {
            let in_group: Vec<member_types::GroupMember> = self
                .user_groups(account)
                .members(&group.id)
                .list(ListGroupMembersParams::new())
                .try_collect()
                .await?;
            let mut access = GroupAccess::default();
            access.name = group_reference(group, &groups);
            access.policies = group
                .policies
                .iter()
                .map(|p| catalog.policy(p))
                .collect::<Result<_, _>>()?;
            access.members = in_group
                .iter()
                .map(|m| {
                    emails
                        .get(m.id.as_str())
                        .cloned()
                        .or_else(|| m.email().map(str::to_owned))
                        .unwrap_or_else(|| m.id.as_str().to_owned())
                })
                .collect();
            file.groups.push(access);
        }
        Ok(file.canonical())
    }
}

/// A group's name when no other group shares it, else its id.
fn group_reference(group: &UserGroup, all: &[UserGroup]) -> String {
    match group.name.as_deref() {
        Some(name)
            if !name.trim().is_empty()
                && count_named(name, all.iter().filter_map(|g| g.name.as_deref())) == 1 =>
        {
            name.to_owned()
        }
        _ => group.id.as_str().to_owned(),
    }
}
