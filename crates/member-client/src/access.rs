//! Access as code: an account's current access written as an
//! [`AccessFile`], by name wherever a name says exactly one thing.

use std::collections::{BTreeMap, BTreeSet};

use futures::TryStreamExt;
use member_types::{
    Access, AccessFile, AccountId, GroupAccess, ListGroupMembersParams, ListMembersParams,
    ListPermissionGroupsParams, ListResourceGroupsParams, ListRolesParams, ListUserGroupsParams,
    ListZonesParams, Member, MemberAccess, PermissionGroup, Policy, PolicyEntry, ResourceGroup,
    Role, Scope, UserGroup, ValidationError, Zone, SCOPE_ALL, ZONE_SCOPE_PREFIX,
};

use crate::members::email_key;
use crate::{
    resolve_policies, resolve_roles, AccessState, Change, Client, Error, MemberRef, Named,
    NamedAccess, NamedChange, NamedPolicy, Unresolved,
};

/// What the export reads once, to name things.
struct Catalog {
    account: AccountId,
    roles: Vec<Role>,
    permission_groups: Vec<PermissionGroup>,
    resource_groups: Vec<ResourceGroup>,
    zones: Vec<Zone>,
}

/// How many of `names` fold to `name` (trimmed, ASCII case).
fn count_named<'a>(name: &str, names: impl Iterator<Item = &'a str>) -> usize {
    let wanted = email_key(name);
    names.filter(|n| email_key(n) == wanted).count()
}

impl Catalog {
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
        let catalog = Catalog {
            account: account.clone(),
            roles: self
                .roles(account)
                .list(ListRolesParams::new())
                .try_collect()
                .await?,
            permission_groups: self
                .permission_groups(account)
                .list(ListPermissionGroupsParams::new())
                .try_collect()
                .await?,
            resource_groups: self
                .resource_groups(account)
                .list(ListResourceGroupsParams::new())
                .try_collect()
                .await?,
            zones: self
                .zones()
                .list(ListZonesParams::new().account(account.clone()))
                .try_collect()
                .await?,
        };
        let members: Vec<Member> = self
            .members(account)
            .list(ListMembersParams::new())
            .try_collect()
            .await?;
        let emails: BTreeMap<String, String> = members
            .iter()
            .filter_map(|m| Some((m.id.as_ref()?.as_str().to_owned(), m.email()?.to_owned())))
            .collect();
        let groups: Vec<UserGroup> = self
            .user_groups(account)
            .list(ListUserGroupsParams::new())
            .try_collect()
            .await?;
        let mut file = AccessFile::default();
        file.account = account.as_str().to_owned();
        file.members = members
            .iter()
            .map(|m| catalog.member(m))
            .collect::<Result<_, _>>()?;
        for group in &groups {
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

/// Why an access file cannot be turned into changes. Nothing was written.
#[derive(Debug)]
#[non_exhaustive]
pub enum AccessFileError {
    /// Problems found without reading anything ([`AccessFile::problems`]),
    /// every one of them.
    Invalid(Vec<String>),
    /// Every name that did not resolve, with its place in the file
    /// (`members[1] (bob@example.com).roles[0]: no role …`).
    Unresolved(Vec<String>),
    /// A read failed.
    Request(Error),
}

impl std::fmt::Display for AccessFileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Invalid(problems) => {
                write!(f, "the access file has {} problem(s):", problems.len())?;
                problems.iter().try_for_each(|p| write!(f, "\n  {p}"))
            }
            Self::Unresolved(names) => {
                write!(
                    f,
                    "{} name(s) of the access file did not resolve:",
                    names.len()
                )?;
                names.iter().try_for_each(|n| write!(f, "\n  {n}"))
            }
            Self::Request(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for AccessFileError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Request(e) => Some(e),
            _ => None,
        }
    }
}

impl From<Error> for AccessFileError {
    fn from(e: Error) -> Self {
        Self::Request(e)
    }
}

/// The member changes an access file asks for, as the plan engine takes
/// them ([`Members::plan`](crate::Members::plan) says which are no-ops).
#[derive(Debug)]
#[non_exhaustive]
pub struct AccessChanges {
    /// One change per member of the file (set roles, set policies, or add
    /// when not yet a member) and, with `prune`, one removal per member of
    /// the account the file leaves out.
    pub changes: Vec<Change>,
    /// Members of the account the file leaves out. They are removed only
    /// with `prune`; without it they are kept, and listed here.
    pub not_in_file: Vec<Member>,
    /// Emails of members that hold both roles and policies exactly as the
    /// file says: nothing to send (Update Member could not set both).
    pub held_as_is: Vec<String>,
}

/// A member of the file with its index there.
type Entry<'a> = (usize, &'a MemberAccess);

/// The policy of a file, with every name still a name.
fn named_policy(entry: &PolicyEntry) -> Result<NamedPolicy, ValidationError> {
    let (access, groups) = entry.access()?;
    NamedPolicy::new(
        access,
        groups.iter().map(|g| Named::Name(g.clone())),
        entry.on.iter().map(|s| Named::Name(s.clone())),
    )
}

/// `"policies"[0].permission_groups[1]` in the file's words:
/// `policies[0].allow[1]` (or `deny`), `policies[0].on[0]`.
fn file_place(member: &MemberAccess, unresolved: &Unresolved) -> String {
    let field = unresolved.field.key();
    let mut path = unresolved.path.clone();
    if let Some(index) = path
        .strip_prefix('[')
        .and_then(|p| p.split(']').next())
        .and_then(|i| i.parse::<usize>().ok())
    {
        let verb = match member.policies.get(index).map(|p| p.allow.is_some()) {
            Some(false) => "deny",
            _ => "allow",
        };
        path = path
            .replace(".permission_groups", &format!(".{verb}"))
            .replace(".resource_groups", ".on");
    }
    format!("{field}{path}")
}

impl Client {
    /// The changes that make `account` match `file`, every name resolved
    /// once ([`Resolver`](crate::Resolver)); feed them to
    /// [`Members::plan`](crate::Members::plan) to see the difference and to
    /// [`Members::apply`](crate::Members::apply) to make it so. Members the
    /// file leaves out are removed only with `prune`.
    ///
    /// # Errors
    /// [`AccessFileError::Invalid`] with every offline problem,
    /// [`AccessFileError::Unresolved`] with every unresolved name and its
    /// place, or a read's error. Nothing is written in any case.
    pub async fn access_changes(
        &self,
        account: &AccountId,
        file: &AccessFile,
        prune: bool,
    ) -> Result<AccessChanges, AccessFileError> {
        let problems = file.problems();
        if !problems.is_empty() {
            return Err(AccessFileError::Invalid(problems));
        }
        let resolver = self.resolver(account);
        let current = resolver.members().await?;
        let wanted: BTreeSet<String> = file.members.iter().map(|m| email_key(&m.email)).collect();
        let (mixed, single): (Vec<Entry<'_>>, Vec<Entry<'_>>) = file
            .members
            .iter()
            .enumerate()
            .partition(|(_, m)| !m.roles.is_empty() && !m.policies.is_empty());
        let held_as_is = held_as_is(&resolver, &mixed, &current).await?;
        let mut named = Vec::with_capacity(single.len());
        let mut invalid = Vec::new();
        for (i, member) in &single {
            match named_change(member, &current) {
                Ok(change) => named.push(change),
                Err(e) => invalid.push(format!("members[{i}] ({}): {e}", member.email)),
            }
        }
        if !invalid.is_empty() {
            return Err(AccessFileError::Invalid(invalid));
        }
        let place_of = |input: usize| single[input].0;
        let mut changes = match NamedChange::resolve_all(&resolver, &named).await {
            Ok(changes) => changes,
            Err(unresolved) => {
                if let Some(request) = unresolved.iter().find(|u| u.is_request_error()) {
                    return Err(AccessFileError::Unresolved(vec![request.error.to_string()]));
                }
                let names = unresolved
                    .iter()
                    .map(|u| {
                        let index = place_of(u.input);
                        let member = &file.members[index];
                        format!(
                            "members[{index}] ({}).{}: {}",
                            member.email,
                            file_place(member, u),
                            u.error
                        )
                    })
                    .collect();
                return Err(AccessFileError::Unresolved(names));
            }
        };
        let not_in_file: Vec<Member> = current
            .iter()
            .filter(|m| m.email().is_none_or(|e| !wanted.contains(&email_key(e))))
            .cloned()
            .collect();
        if prune {
            for member in &not_in_file {
                if let Some(id) = &member.id {
                    changes.push(Change::remove(id.clone()));
                }
            }
        }
        Ok(AccessChanges {
            changes,
            not_in_file,
            held_as_is,
        })
    }
}

/// The members of the file with both roles and policies, each of whom must
/// hold exactly that now (a PUT can set only one of the two, so a change to
/// them cannot be made without losing the other half): their emails, or
/// every one that differs, or every name that did not resolve.
async fn held_as_is(
    resolver: &crate::Resolver,
    mixed: &[Entry<'_>],
    current: &[Member],
) -> Result<Vec<String>, AccessFileError> {
    let mut held = Vec::new();
    let mut refused = Vec::new();
    for (i, member) in mixed {
        let place = format!("members[{i}] ({})", member.email);
        let policies = member
            .policies
            .iter()
            .map(named_policy)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| AccessFileError::Invalid(vec![format!("{place}: {e}")]))?;
        let roles = resolve_roles(resolver, &member.roles).await;
        let policies = resolve_policies(resolver, &policies).await;
        let (roles, policies) = match (roles, policies) {
            (Ok(roles), Ok(policies)) => (roles, policies),
            (roles, policies) => {
                let failed = roles.err().into_iter().chain(policies.err()).flatten();
                refused.extend(
                    failed.map(|u| format!("{place}.{}: {}", file_place(member, &u), u.error)),
                );
                continue;
            }
        };
        let mut wanted = AccessState::roles(roles);
        wanted.policies = AccessState::policies(&policies).policies;
        let now = current
            .iter()
            .find(|m| {
                m.email()
                    .is_some_and(|e| email_key(e) == email_key(&member.email))
            })
            .map(AccessState::of_member);
        if now.as_ref() == Some(&wanted) {
            held.push(member.email.clone());
        } else {
            refused.push(format!(
                "{place}: roles and policies together can only be kept as they are \
                 (Update Member sets one or the other); give only roles or only policies"
            ));
        }
    }
    if refused.is_empty() {
        Ok(held)
    } else {
        Err(AccessFileError::Unresolved(refused))
    }
}

/// The change a file's member asks for: set roles or policies when they
/// are a member, an add (an invitation) when not.
fn named_change(member: &MemberAccess, current: &[Member]) -> Result<NamedChange, ValidationError> {
    let exists = current.iter().any(|m| {
        m.email()
            .is_some_and(|e| email_key(e) == email_key(&member.email))
    });
    let policies = member
        .policies
        .iter()
        .map(named_policy)
        .collect::<Result<Vec<_>, _>>()?;
    let reference = MemberRef::email(member.email.clone());
    Ok(match (exists, policies.is_empty()) {
        (true, true) => NamedChange::SetRoles {
            member: reference,
            roles: member.roles.clone(),
        },
        (true, false) => NamedChange::SetPolicies {
            member: reference,
            policies,
        },
        (false, true) => NamedChange::Add {
            email: member.email.clone(),
            access: NamedAccess::Roles(member.roles.clone()),
            status: None,
        },
        (false, false) => NamedChange::Add {
            email: member.email.clone(),
            access: NamedAccess::Policies(policies),
            status: None,
        },
    })
}
