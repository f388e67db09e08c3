//! `access_changes`: what an access file asks of an account, as changes the
//! plan engine takes, every name of the file resolved once and every
//! problem of the file told at once.

use std::collections::{BTreeSet, HashMap, HashSet};

use member_types::json::shorten;
use member_types::{
    AccessFile, AccountId, CreateUserGroup, FileProblem, Member, MemberAccess, MemberId,
    MemberStatus, PolicyEntry, PolicyRequest, UpdateUserGroup, UserGroup, UserGroupId,
    ValidationError,
};

use super::AccessFileError;
use crate::members::email_key;
use crate::resolve::{reading, Reading, ResolveError};
use crate::{
    resolve_policies, resolve_roles, AccessState, Change, Client, MemberRef, Named, NamedAccess,
    NamedChange, NamedPolicy, PolicyState, Resolver, Unresolved,
};

/// The changes an access file asks for, as the plan engine takes them
/// ([`Members::plan`](crate::Members::plan) says which are no-ops), and
/// what the file says that is not a change.
#[derive(Debug, Default)]
#[non_exhaustive]
pub struct AccessChanges {
    /// One change per member of the file (set roles, set policies, or add
    /// when not yet a member), one per member to put into or take out of a
    /// user group of the file, and, with `prune`, one removal per member of
    /// the account the file leaves out.
    pub changes: Vec<Change>,
    /// The user groups of the file whose policies differ from the file's:
    /// each is given the file's policies (a PUT of the group).
    pub group_policies: Vec<GroupPolicies>,
    /// The user groups of the file the account does not have: a sync
    /// creates each with the file's policies, then puts its members in.
    pub new_groups: Vec<NewGroup>,
    /// Members whose status differs from the one the file states (a
    /// status is compared only when stated). No change can set it: an
    /// invitation is accepted by the person invited.
    pub status_drift: Vec<StatusDrift>,
    /// Members of the account the file leaves out. They are removed only
    /// with `prune`; without it they are kept, and listed here.
    pub not_in_file: Vec<Member>,
    /// Emails of members that hold both roles and policies exactly as the
    /// file says: nothing to send (Update Member could not set both).
    pub held_as_is: Vec<String>,
    /// Group memberships of people the same sync invites: they have no
    /// membership id until the invitation exists, so a sync puts them into
    /// their groups after the member changes
    /// ([`AccessChanges::joins_found`] finds their ids then).
    pub joins: Vec<GroupJoin>,
    /// The members of every user group of the account now, by group id
    /// (the groups the file names and the others), for the safety rules.
    pub(crate) group_members: HashMap<UserGroupId, BTreeSet<MemberId>>,
}

/// A user group whose policies are to be replaced by the file's.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct GroupPolicies {
    /// The group.
    pub group: UserGroupId,
    /// Its name, as the file gives it.
    pub name: String,
    /// Its policies now, as compared.
    pub from: BTreeSet<PolicyState>,
    /// The policies wanted, resolved.
    pub policies: Vec<PolicyRequest>,
}

impl GroupPolicies {
    /// The Update User Group body that makes it so.
    ///
    /// # Errors
    /// [`ValidationError`] for a policy the body refuses.
    pub fn body(&self) -> Result<UpdateUserGroup, ValidationError> {
        UpdateUserGroup::new().replace_policies(self.policies.clone())
    }

    /// The policies wanted, as compared.
    pub fn to(&self) -> BTreeSet<PolicyState> {
        self.policies.iter().map(PolicyState::from).collect()
    }
}

/// A user group of the file that the account does not have yet.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct NewGroup {
    /// Its name, as the file gives it.
    pub name: String,
    /// Its policies, resolved.
    pub policies: Vec<PolicyRequest>,
    /// Its members that are members of the account now (the ones the same
    /// sync invites are [`AccessChanges::joins`]).
    pub members: Vec<MemberId>,
}

impl NewGroup {
    /// The Create User Group body that makes it.
    ///
    /// # Errors
    /// [`ValidationError`] for a name or a policy the body refuses.
    pub fn body(&self) -> Result<CreateUserGroup, ValidationError> {
        CreateUserGroup::new(&self.name, self.policies.clone())
    }
}

/// Somebody the file puts into a user group and the same sync invites.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct GroupJoin {
    /// Their email, as the file gives it.
    pub email: String,
    /// The group's name, as the file gives it.
    pub group: String,
    /// The group's id; `None` for a group the same sync creates
    /// ([`AccessChanges::new_groups`]).
    pub group_id: Option<UserGroupId>,
}

impl AccessChanges {
    /// The [`joins`](Self::joins) whose member can be found, by email, among
    /// `members` (the account's members read after the invitations were
    /// sent), with that member's id; and the joins of people not found
    /// (their invitation failed or was not sent), which are left undone.
    pub fn joins_found(&self, members: &[Member]) -> (Vec<(GroupJoin, MemberId)>, Vec<GroupJoin>) {
        let mut by_email: HashMap<String, Vec<&MemberId>> = HashMap::new();
        for member in members {
            if let (Some(email), Some(id)) = (member.email(), &member.id) {
                by_email.entry(email_key(email)).or_default().push(id);
            }
        }
        let mut found = Vec::new();
        let mut missing = Vec::new();
        for join in &self.joins {
            match by_email.get(&email_key(&join.email)).map(Vec::as_slice) {
                // Exactly one member has the email: nothing is guessed.
                Some([id]) => found.push((join.clone(), (*id).clone())),
                _ => missing.push(join.clone()),
            }
        }
        (found, missing)
    }
}

/// A member whose status is not the one the file states.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct StatusDrift {
    /// The member's email.
    pub email: String,
    /// The status the file states.
    pub wanted: MemberStatus,
    /// The status now.
    pub now: Option<MemberStatus>,
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

/// The index of `list[i]` at the start of `place` (`members[3].roles[0]`).
fn index_in(place: &str, list: &str) -> Option<usize> {
    let rest = place.strip_prefix(list)?.strip_prefix('[')?;
    rest.split(']').next()?.parse().ok()
}

/// An unresolved policy reference's place in the file's words:
/// `policies[0].allow[1]` (or `deny`), `policies[0].on[0]`.
fn policy_place(policies: &[PolicyEntry], path: &str) -> String {
    let mut path = path.to_owned();
    if let Some(index) = index_in(&path, "") {
        let verb = match policies.get(index).map(|p| p.allow.is_some()) {
            Some(false) => "deny",
            _ => "allow",
        };
        path = path
            .replace(".permission_groups", &format!(".{verb}"))
            .replace(".resource_groups", ".on");
    }
    format!("policies{path}")
}

/// An unresolved reference of a member's entry in the file's words.
fn member_place(member: &MemberAccess, unresolved: &Unresolved) -> String {
    if unresolved.field.key() == "policies" {
        policy_place(&member.policies, &unresolved.path)
    } else {
        format!("{}{}", unresolved.field.key(), unresolved.path)
    }
}

/// Every problem of the file so far, and the read error that stops all.
#[derive(Default)]
struct Findings {
    problems: Vec<FileProblem>,
}

impl Findings {
    fn push(&mut self, place: String, subject: &str, message: impl Into<String>) {
        self.problems
            .push(FileProblem::new(place, Some(subject), message));
    }

    /// Keeps the unresolved references as problems at their places; a
    /// failed read is returned instead, since it is no fault of the file.
    fn unresolved(
        &mut self,
        unresolved: Vec<Unresolved>,
        place: impl Fn(&Unresolved) -> (String, String),
    ) -> Result<(), AccessFileError> {
        for u in unresolved {
            let (at, subject) = place(&u);
            match u.error {
                ResolveError::Request(e) => return Err(AccessFileError::Request(e)),
                error => self.push(at, &subject, error.to_string()),
            }
        }
        Ok(())
    }
}

impl Client {
    /// The changes that make `account` match `file`, every name resolved
    /// once ([`Resolver`]); feed them to
    /// [`Members::plan`](crate::Members::plan) to see the difference and to
    /// [`Members::apply`](crate::Members::apply) to make it so
    /// ([`Client::access_plan`] does both and names the differences).
    /// Members the file leaves out are removed only with `prune`; user
    /// groups the file leaves out are left as they are; a user group of the
    /// file gets exactly the file's policies and members.
    ///
    /// # Errors
    /// [`AccessFileError::Invalid`] with every problem of the file at once:
    /// the ones found without the server, every name that did not resolve,
    /// every member listed twice (both entries refused, neither used), each
    /// with its place; or a read's error. Nothing is written in any case.
    pub async fn access_changes(
        &self,
        account: &AccountId,
        file: &AccessFile,
        prune: bool,
    ) -> Result<AccessChanges, AccessFileError> {
        let offline = file.problems();
        let bad_members: HashSet<usize> = offline
            .iter()
            .filter_map(|p| index_in(&p.place, "members"))
            .collect();
        let bad_groups: HashSet<usize> = offline
            .iter()
            .filter_map(|p| index_in(&p.place, "groups"))
            .collect();
        let mut found = Findings { problems: offline };
        let resolver = self.resolver(account);
        let current = resolver.members().await?;
        let mut out = AccessChanges::default();

        let good: Vec<Entry<'_>> = file
            .members
            .iter()
            .enumerate()
            .filter(|(i, _)| !bad_members.contains(i))
            .collect();
        let (mixed, single): (Vec<Entry<'_>>, Vec<Entry<'_>>) = good
            .iter()
            .copied()
            .partition(|(_, m)| !m.roles.is_empty() && !m.policies.is_empty());
        out.held_as_is = held_as_is(&resolver, &mixed, &current, &mut found).await?;
        let mut named = Vec::with_capacity(single.len());
        for (i, member) in &single {
            if member.roles.is_empty() && member.policies.is_empty() {
                // Access through user groups only: kept when the member has
                // no access of their own, else a problem (Update Member
                // cannot take it all away).
                if let Err(why) = no_own_access(member, &current) {
                    found.push(format!("members[{i}]"), &member.email, why);
                }
                continue;
            }
            match named_change(member, &current) {
                Ok(change) => named.push(change),
                Err(e) => found.push(format!("members[{i}]"), &member.email, e.to_string()),
            }
        }
        match NamedChange::resolve_all(&resolver, &named).await {
            Ok(changes) => out.changes = changes,
            Err(unresolved) => found.unresolved(unresolved, |u| {
                let (index, member) = single[u.input];
                (
                    format!("members[{index}].{}", member_place(member, u)),
                    member.email.clone(),
                )
            })?,
        }
        out.status_drift = status_drift(&good, &current);

        let file_emails: HashSet<String> =
            file.members.iter().map(|m| email_key(&m.email)).collect();
        out.not_in_file = current
            .iter()
            .filter(|m| {
                m.email()
                    .is_none_or(|e| !file_emails.contains(&email_key(e)))
            })
            .cloned()
            .collect();
        let removed: HashSet<MemberId> = if prune {
            out.not_in_file
                .iter()
                .filter_map(|m| m.id.clone())
                .collect()
        } else {
            HashSet::new()
        };

        let groups = resolver.user_groups().await?;
        for group in groups.iter() {
            let members = self.group_member_ids(account, &group.id).await?;
            out.group_members.insert(group.id.clone(), members);
        }
        let people = People::new(&current, &file_emails);
        for (i, group) in file.groups.iter().enumerate() {
            if bad_groups.contains(&i) {
                continue;
            }
            self.group_changes(&resolver, i, group, &people, &removed, &mut out, &mut found)
                .await?;
        }

        if prune {
            for member in &out.not_in_file {
                if let Some(id) = &member.id {
                    out.changes.push(Change::remove(id.clone()));
                }
            }
        }
        if found.problems.is_empty() {
            Ok(out)
        } else {
            Err(AccessFileError::Invalid(found.problems))
        }
    }

    /// The changes of one user group of the file: its members (put in,
    /// taken out) and its policies.
    #[allow(clippy::too_many_arguments)]
    async fn group_changes(
        &self,
        resolver: &Resolver,
        i: usize,
        group: &member_types::GroupAccess,
        people: &People<'_>,
        removed: &HashSet<MemberId>,
        out: &mut AccessChanges,
        found: &mut Findings,
    ) -> Result<(), AccessFileError> {
        let name = group.name.as_str();
        // A group the account does not have is created by the sync, under
        // the name the file gives (without a `name:` prefix). One given by
        // id (`id:…`, or 32 hex digits, as export writes a group whose name
        // is shared) is never created: that id is gone, and its name is
        // not known. An ambiguous name, or any other failure, is a problem.
        let existing: Option<UserGroup> = match resolver.user_group(name).await {
            Ok(existing) => Some(existing),
            Err(ResolveError::Request(e)) => return Err(AccessFileError::Request(e)),
            Err(e) if e.is_not_found() => match reading(name) {
                Reading::Name(_) => None,
                Reading::Id(_) => {
                    found.push(
                        format!("groups[{i}].name"),
                        name,
                        format!(
                            "{e} (a group named by id is not created: give the new \
                             group's name, or `name:` before a name that looks like an id)"
                        ),
                    );
                    return Ok(());
                }
            },
            Err(e) => {
                found.push(format!("groups[{i}].name"), name, e.to_string());
                return Ok(());
            }
        };
        // The name a new group is created with, and is known by in this run.
        let new_name = match reading(name) {
            Reading::Name(plain) => plain,
            Reading::Id(_) => name,
        };
        let mut named = Vec::with_capacity(group.policies.len());
        for (j, policy) in group.policies.iter().enumerate() {
            match named_policy(policy) {
                Ok(policy) => named.push(policy),
                Err(e) => found.push(format!("groups[{i}].policies[{j}]"), name, e.to_string()),
            }
        }
        let policies = match resolve_policies(resolver, &named).await {
            Ok(policies) => Some(policies),
            Err(unresolved) => {
                found.unresolved(unresolved, |u| {
                    (
                        format!("groups[{i}].{}", policy_place(&group.policies, &u.path)),
                        name.to_owned(),
                    )
                })?;
                None
            }
        };
        let group_id = existing.as_ref().map(|g| g.id.clone());
        let mut wanted = BTreeSet::new();
        for (j, email) in group.members.iter().enumerate() {
            match people.find(email) {
                Ok(Some(id)) => {
                    wanted.insert(id);
                }
                Ok(None) => out.joins.push(GroupJoin {
                    email: email.clone(),
                    group: if group_id.is_some() { name } else { new_name }.to_owned(),
                    group_id: group_id.clone(),
                }),
                Err(why) => found.push(format!("groups[{i}].members[{j}]"), name, why),
            }
        }
        let Some(existing) = existing else {
            if let Some(policies) = policies {
                out.new_groups.push(NewGroup {
                    name: new_name.to_owned(),
                    policies,
                    members: wanted.into_iter().collect(),
                });
            }
            return Ok(());
        };
        let now = out
            .group_members
            .get(&existing.id)
            .cloned()
            .unwrap_or_default();
        for id in wanted.difference(&now) {
            out.changes
                .push(Change::add_to_group(id.clone(), existing.id.clone()));
        }
        for id in now.difference(&wanted) {
            // A member removed from the account leaves its groups with it.
            if !removed.contains(id) {
                out.changes
                    .push(Change::remove_from_group(id.clone(), existing.id.clone()));
            }
        }
        if let Some(policies) = policies {
            let from: BTreeSet<PolicyState> =
                existing.policies.iter().map(PolicyState::from).collect();
            let change = GroupPolicies {
                group: existing.id.clone(),
                name: name.to_owned(),
                from,
                policies,
            };
            // By what the resource groups cover: another group with the
            // same scopes (or an inline scope) is no change.
            let mut known = crate::apply::KnownScopes::default();
            if let Ok(catalog) = resolver.resource_groups().await {
                known.add(catalog.iter());
            }
            known.add(existing.policies.iter().flat_map(|p| &p.resource_groups));
            if !crate::apply::same_policies(&change.from, &change.to(), &known) {
                out.group_policies.push(change);
            }
        }
        Ok(())
    }
}

/// The account's members by email, and the emails the file lists.
struct People<'a> {
    by_email: HashMap<String, Vec<&'a Member>>,
    in_file: &'a HashSet<String>,
}

impl<'a> People<'a> {
    fn new(current: &'a [Member], in_file: &'a HashSet<String>) -> Self {
        let mut by_email: HashMap<String, Vec<&Member>> = HashMap::new();
        for member in current {
            if let Some(email) = member.email() {
                by_email.entry(email_key(email)).or_default().push(member);
            }
        }
        Self { by_email, in_file }
    }

    /// The member id of a group member of the file; `None` for one the
    /// file invites now; why not, for the rest.
    fn find(&self, email: &str) -> Result<Option<MemberId>, String> {
        let key = email_key(email);
        let email = shorten(email);
        if !self.in_file.contains(&key) {
            return Err(format!(
                "{email:?} is not under members: (a group member must be a member of the \
                 account: list them there too)"
            ));
        }
        match self.by_email.get(&key).map(Vec::as_slice) {
            None | Some([]) => Ok(None),
            Some([member]) => member
                .id
                .clone()
                .map(Some)
                .ok_or_else(|| format!("the server gave {email:?} no member id")),
            Some(several) => Err(format!(
                "{} members of the account have the email {email:?}",
                several.len()
            )),
        }
    }
}

/// The members of the file whose stated status is not theirs.
fn status_drift(good: &[Entry<'_>], current: &[Member]) -> Vec<StatusDrift> {
    good.iter()
        .filter_map(|(_, member)| {
            let wanted = member.status.clone()?;
            let now = current
                .iter()
                .find(|m| {
                    m.email()
                        .is_some_and(|e| email_key(e) == email_key(&member.email))
                })?
                .status
                .clone();
            (now.as_ref() != Some(&wanted)).then(|| StatusDrift {
                email: member.email.clone(),
                wanted,
                now,
            })
        })
        .collect()
}

/// The members of the file with both roles and policies, each of whom must
/// hold exactly that now (a PUT can set only one of the two, so a change to
/// them cannot be made without losing the other half): their emails; every
/// one that differs, and every name that did not resolve, is a problem.
async fn held_as_is(
    resolver: &Resolver,
    mixed: &[Entry<'_>],
    current: &[Member],
    found: &mut Findings,
) -> Result<Vec<String>, AccessFileError> {
    let mut held = Vec::new();
    for (i, member) in mixed {
        let place = format!("members[{i}]");
        let mut policies = Vec::with_capacity(member.policies.len());
        for policy in &member.policies {
            match named_policy(policy) {
                Ok(policy) => policies.push(policy),
                Err(e) => found.push(place.clone(), &member.email, e.to_string()),
            }
        }
        let roles = resolve_roles(resolver, &member.roles).await;
        let policies = resolve_policies(resolver, &policies).await;
        let (roles, policies) = match (roles, policies) {
            (Ok(roles), Ok(policies)) => (roles, policies),
            (roles, policies) => {
                let roles = roles.err().unwrap_or_default();
                let policies = policies.err().unwrap_or_default();
                found.unresolved(roles, |u| {
                    (format!("{place}.roles{}", u.path), member.email.clone())
                })?;
                found.unresolved(policies, |u| {
                    (
                        format!("{place}.{}", policy_place(&member.policies, &u.path)),
                        member.email.clone(),
                    )
                })?;
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
            found.push(
                place,
                &member.email,
                "roles and policies together can only be kept as they are (Update Member \
                 sets one or the other); give only roles or only policies",
            );
        }
    }
    Ok(held)
}

/// A file's member with neither roles nor policies (their access comes
/// through user groups): nothing to send when the account's member has no
/// access of their own either; otherwise why it cannot be so.
fn no_own_access(member: &MemberAccess, current: &[Member]) -> Result<(), String> {
    let now = current.iter().find(|m| {
        m.email()
            .is_some_and(|e| email_key(e) == email_key(&member.email))
    });
    match now {
        Some(m) if m.roles.is_empty() && m.policies.is_empty() => Ok(()),
        Some(_) => Err(
            "no roles or policies, but the member has some of their own, which \
                        Update Member cannot take all away: give the roles or policies to keep \
                        (or leave the member out and sync with --prune to remove them)"
                .to_owned(),
        ),
        None => Err(
            "give roles or policies: an invitation needs some (a member's access \
                     through user groups comes once they are a member)"
                .to_owned(),
        ),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_in_the_files_words() {
        assert_eq!(index_in("members[3].roles[0]", "members"), Some(3));
        assert_eq!(index_in("groups[12]", "groups"), Some(12));
        assert_eq!(index_in("groups[1]", "members"), None);
        let policies = vec![
            PolicyEntry::new(
                &member_types::Access::Allow,
                vec!["A".into()],
                vec!["account".into()],
            ),
            PolicyEntry::new(
                &member_types::Access::Deny,
                vec!["B".into()],
                vec!["account".into()],
            ),
        ];
        assert_eq!(
            policy_place(&policies, "[1].permission_groups[0]"),
            "policies[1].deny[0]"
        );
        assert_eq!(
            policy_place(&policies, "[0].resource_groups[2]"),
            "policies[0].on[2]"
        );
    }
}
