//! The planner: each wanted change, against the current members, becomes
//! a [`PlanEntry`] or a [`Problem`].

use std::collections::{HashMap, HashSet};

use futures::TryStreamExt;
use member_http::{Error, ErrorKind};
use member_types::{
    GroupMember, ListGroupMembersParams, ListMembersParams, Member, MemberId, RoleId, UserGroupId,
};

use super::plan::{AccessState, KnownScopes, Plan, PlanAction, PlanEntry, Problem, ProblemKind};
use super::{email_key, Change, MemberRef};
use crate::Members;

impl Members {
    /// Resolves and compares `desired` against the current members (read
    /// with one paged list) and says what [`apply`](Self::apply) would do.
    ///
    /// - Members are matched by id, or by email with ASCII case folded and
    ///   spaces trimmed, as the server compares them (the top-level `email`
    ///   or the user's).
    /// - A member already in the wanted state is an entry with
    ///   [`PlanAction::Unchanged`]: roles and policies are compared as sets,
    ///   a policy's resource groups by what they cover (their scopes, as the
    ///   members' policies give them), so another resource group or an
    ///   inline scope over the same scopes is no change.
    ///   Setting roles on a member that also has policies is a change (the
    ///   API drops the policies), and the reverse.
    /// - Unknown emails and ids, ambiguous emails, a second change for the
    ///   same member and invalid changes are [`Problem`]s; nothing is
    ///   guessed, and only [`Change::Add`] adds anybody. An add for an email
    ///   that is already a member with the same access is unchanged; with
    ///   other access it is a problem.
    /// - A group change ([`Change::AddToGroup`], [`Change::RemoveFromGroup`])
    ///   is planned against the group's current members (each group a
    ///   change names is read once, only when there is one): a member
    ///   already in the group (or already not in it) is unchanged, and
    ///   nothing is sent for it. A group that is not found is a
    ///   [`ProblemKind::UnknownGroup`]. A member may have one change of
    ///   their own access and one change per group. An
    ///   [`Change::AddToGroup`] of an email that an add of the same input
    ///   invites is an entry with no [`member_id`](crate::PlanEntry::member_id),
    ///   its change still naming the member by email: send it after the add,
    ///   with the membership id the add's answer gives
    ///   ([`Change::add_to_group`]); [`Members::apply`] refuses it as it is.
    ///
    /// # Errors
    /// The lists' errors. Problems of single changes are not errors.
    ///
    /// ```no_run
    /// use member_client::{Change, MemberRef, PlanAction, RoleId};
    ///
    /// # async fn demo(members: member_client::Members) -> Result<(), Box<dyn std::error::Error>> {
    /// let role: RoleId = "05784afa30c1afe1440e79d9351c7430".parse()?;
    /// let plan = members
    ///     .plan(&[Change::set_roles(MemberRef::email("BOB.dns@example.com"), [role])])
    ///     .await?;
    /// for entry in &plan.entries {
    ///     match entry.action {
    ///         PlanAction::Unchanged => println!("{:?}: already so", entry.email),
    ///         _ => println!("{:?}: {:?} -> {:?}", entry.email, entry.from, entry.to),
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn plan(&self, desired: &[Change]) -> Result<Plan, Error> {
        let current: Vec<Member> = self.list(ListMembersParams::new()).try_collect().await?;
        self.plan_with(&current, desired).await
    }

    /// [`plan`](Self::plan) against members already read (say
    /// [`Resolver::members`](crate::Resolver::members), which a command that
    /// took an email has read anyway): the members are not listed again;
    /// the groups a change names are still read.
    ///
    /// # Errors
    /// The group reads' errors.
    ///
    /// ```no_run
    /// use member_client::{Change, MemberRef};
    ///
    /// # async fn demo(client: member_client::Client, account: member_client::AccountId) -> Result<(), Box<dyn std::error::Error>> {
    /// let resolver = client.resolver(&account);
    /// let current = resolver.members().await?;
    /// let change = Change::remove(MemberRef::email("bob.dns@example.com"));
    /// let plan = client.members(&account).plan_with(&current, &[change]).await?;
    /// assert!(plan.problems.is_empty());
    /// # Ok(()) }
    /// ```
    pub async fn plan_with(&self, current: &[Member], desired: &[Change]) -> Result<Plan, Error> {
        let groups = self.group_members(desired).await?;
        Ok(make_plan(current, &groups, desired))
    }

    /// The members of each group a valid change names, each group read
    /// once; `None` for a group that is not found.
    async fn group_members(&self, desired: &[Change]) -> Result<GroupSets, Error> {
        let mut sets = GroupSets::new();
        let named = desired
            .iter()
            .filter(|change| change.validate().is_ok())
            .filter_map(Change::group);
        for group in named {
            if sets.contains_key(group) {
                continue;
            }
            let read: Result<Vec<GroupMember>, Error> = self
                .user_groups()
                .members(group)
                .list(ListGroupMembersParams::new())
                .try_collect()
                .await;
            let set = match read {
                Ok(members) => Some(members.into_iter().map(|m| m.id).collect()),
                Err(e) if e.kind() == ErrorKind::NotFound => None,
                Err(e) => return Err(e),
            };
            sets.insert(group.clone(), set);
        }
        Ok(sets)
    }
}

/// The members of each group a change names (`None`: no such group).
type GroupSets = HashMap<UserGroupId, Option<HashSet<MemberId>>>;

/// Why a change is left out of the plan: the kind, and what is wrong (the
/// message of the [`Problem`] without the change itself).
type Rejection = (ProblemKind, String);

/// The plan of `desired` against `current`.
fn make_plan(current: &[Member], groups: &GroupSets, desired: &[Change]) -> Plan {
    let current = Current::new(current);
    // Who each change is about (the member id, or for a new member the
    // email key), and where else in the input the same one is: two changes
    // about one member are both refused, since applying either would be a
    // guess.
    let keys: Vec<Option<String>> = desired.iter().map(|c| key_of(&current, c)).collect();
    let mut at: HashMap<&str, Vec<usize>> = HashMap::new();
    for (input, key) in keys.iter().enumerate() {
        if let Some(key) = key {
            at.entry(key.as_str()).or_default().push(input);
        }
    }
    let mut plan = Plan::default();
    for (input, change) in desired.iter().enumerate() {
        let others = keys[input]
            .as_deref()
            .and_then(|k| at.get(k))
            .filter(|inputs| inputs.len() > 1);
        let planned = match others {
            Some(inputs) => Err(duplicate(change, input, inputs)),
            None => plan_one(&current, groups, input, change),
        };
        match planned {
            Ok(entry) => plan.entries.push(entry),
            Err((kind, what)) => plan.problems.push(Problem {
                input,
                change: change.clone(),
                kind,
                message: format!("{change}: {what}"),
            }),
        }
    }
    refuse_more_about_new_members(&mut plan);
    join_new_members(&mut plan, groups);
    plan
}

/// A change of the member's access or membership (not of a group) about
/// an email that an add of the same input invites (`add` then `remove`,
/// `add` then `add_roles`) is a second change about the same member: both
/// are refused, as for a member who exists, since applying either would
/// be a guess (`add` then `remove` would otherwise send the invitation the
/// file's last word takes back). Group changes are claimed per group, as
/// for a member who exists: `add_to_group` goes with the add.
fn refuse_more_about_new_members(plan: &mut Plan) {
    let about_new = |problem: &Problem| match (&problem.kind, problem.change.member()) {
        (ProblemKind::UnknownEmail, MemberRef::Email(email))
            if problem.change.group().is_none() =>
        {
            Some(email_key(&email))
        }
        _ => None,
    };
    let adds: HashMap<String, usize> = plan
        .entries
        .iter()
        .filter(|e| e.action == PlanAction::Add)
        .filter_map(|e| Some((email_key(e.email.as_deref()?), e.input)))
        .collect();
    let mut clashes: HashMap<String, Vec<usize>> = HashMap::new();
    for problem in &plan.problems {
        if let Some(key) = about_new(problem).filter(|k| adds.contains_key(k)) {
            clashes.entry(key).or_default().push(problem.input);
        }
    }
    if clashes.is_empty() {
        return;
    }
    let numbers = |inputs: &[usize]| {
        inputs
            .iter()
            .map(|i| format!("#{}", i + 1))
            .collect::<Vec<_>>()
            .join(", ")
    };
    for problem in &mut plan.problems {
        let Some(key) = about_new(problem).filter(|k| clashes.contains_key(k)) else {
            continue;
        };
        problem.kind = ProblemKind::Duplicate;
        problem.message = format!(
            "{}: change #{} of the input invites the same member (changes are numbered from \
             1); neither is applied: keep one",
            problem.change,
            adds[&key] + 1
        );
    }
    let (refused, kept): (Vec<PlanEntry>, Vec<PlanEntry>) = std::mem::take(&mut plan.entries)
        .into_iter()
        .partition(|e| {
            e.action == PlanAction::Add
                && e.email
                    .as_deref()
                    .is_some_and(|email| clashes.contains_key(&email_key(email)))
        });
    plan.entries = kept;
    for entry in refused {
        let others = entry
            .email
            .as_deref()
            .and_then(|email| clashes.get(&email_key(email)))
            .map_or_else(String::new, |inputs| numbers(inputs));
        plan.problems.push(Problem {
            input: entry.input,
            message: format!(
                "{}: change {others} of the input is about the same member (changes are \
                 numbered from 1); neither is applied: keep one",
                entry.change
            ),
            change: entry.change,
            kind: ProblemKind::Duplicate,
        });
    }
    plan.problems.sort_by_key(|p| p.input);
}

/// An `add_to_group` for an email that is not a member yet but that an
/// add of the same plan invites is no problem: it becomes an entry with
/// no member id, which a run sends once the add has given the membership
/// its id ([`PlanEntry::member_id`] is `None`, and the change still names
/// the member by email).
fn join_new_members(plan: &mut Plan, groups: &GroupSets) {
    let added: HashSet<String> = plan
        .entries
        .iter()
        .filter(|e| e.action == PlanAction::Add)
        .filter_map(|e| e.email.as_deref().map(email_key))
        .collect();
    if added.is_empty() {
        return;
    }
    let mut kept = Vec::new();
    let mut seen: HashSet<(String, UserGroupId)> = HashSet::new();
    for problem in std::mem::take(&mut plan.problems) {
        let joins = match (&problem.kind, &problem.change) {
            (
                ProblemKind::UnknownEmail,
                Change::AddToGroup {
                    member: MemberRef::Email(email),
                    group,
                },
            ) if added.contains(&email_key(email)) => Some((email.clone(), group.clone())),
            _ => None,
        };
        match joins {
            Some((email, group)) if !seen.insert((email_key(&email), group.clone())) => {
                kept.push(Problem {
                    kind: ProblemKind::Duplicate,
                    message: format!(
                        "{}: another change of the input puts the same new member into the \
                         same group; keep one",
                        problem.change
                    ),
                    ..problem
                });
            }
            Some((email, group)) if matches!(groups.get(&group), Some(Some(_))) => {
                plan.entries.push(PlanEntry {
                    input: problem.input,
                    action: PlanAction::AddToGroup,
                    member_id: None,
                    email: Some(email.clone()),
                    from: None,
                    to: None,
                    change: Change::add_to_group(MemberRef::Email(email), group),
                });
            }
            Some((_, group)) => kept.push(Problem {
                kind: ProblemKind::UnknownGroup,
                message: format!("{}: no user group has the id {group}", problem.change),
                ..problem
            }),
            None => kept.push(problem),
        }
    }
    plan.problems = kept;
    plan.entries.sort_by_key(|e| e.input);
}

/// The claim key of a valid change whose member is found.
fn key_of(current: &Current<'_>, change: &Change) -> Option<String> {
    change.validate().ok()?;
    let member = current.find(change).ok()?;
    let member_id = usable_id(member).ok()?;
    Some(claim_key(member_id.as_ref(), change))
}

/// Why a change about the same member as another of the input is refused.
fn duplicate(change: &Change, input: usize, inputs: &[usize]) -> Rejection {
    let others: Vec<String> = inputs
        .iter()
        .filter(|&&i| i != input)
        .map(|i| format!("#{}", i + 1))
        .collect();
    let what = if change.group().is_some() {
        "the same member and group"
    } else {
        "the same member"
    };
    (
        ProblemKind::Duplicate,
        format!(
            "change {} of the input is about {what} (changes are numbered from 1); \
             neither is applied: keep one",
            others.join(", ")
        ),
    )
}

/// The entry of one change, or why it has none.
fn plan_one(
    current: &Current<'_>,
    groups: &GroupSets,
    input: usize,
    change: &Change,
) -> Result<PlanEntry, Rejection> {
    change
        .validate()
        .map_err(|e| (ProblemKind::Invalid, e.to_string()))?;
    let member = current.find(change)?;
    let member_id = usable_id(member)?;
    if change.group().is_some() {
        return group_entry(input, change, member, member_id, groups);
    }
    entry_for(input, change, member, member_id, &current.scopes)
}

/// The entry of a group change about `member`, against the group's
/// members: unchanged when the member is already in (for an add) or
/// already not in (for a remove).
fn group_entry(
    input: usize,
    change: &Change,
    member: Option<&Member>,
    member_id: Option<MemberId>,
    groups: &GroupSets,
) -> Result<PlanEntry, Rejection> {
    let (Some(group), Some(id)) = (change.group(), member_id.as_ref()) else {
        return Err((
            ProblemKind::Invalid,
            "no member id to send the change to".to_owned(),
        ));
    };
    let in_group = match groups.get(group) {
        Some(Some(members)) => members.contains(id),
        _ => {
            return Err((
                ProblemKind::UnknownGroup,
                format!("no user group has the id {group}"),
            ))
        }
    };
    let (action, resolved) = match change {
        Change::AddToGroup { .. } => (
            if in_group {
                PlanAction::Unchanged
            } else {
                PlanAction::AddToGroup
            },
            Change::add_to_group(id, group.clone()),
        ),
        _ => (
            if in_group {
                PlanAction::RemoveFromGroup
            } else {
                PlanAction::Unchanged
            },
            Change::remove_from_group(id, group.clone()),
        ),
    };
    Ok(PlanEntry {
        input,
        action,
        email: member.and_then(|m| m.email().map(str::to_owned)),
        member_id,
        from: None,
        to: None,
        change: resolved,
    })
}

/// The current members, by id and by [`email_key`], and the scopes of
/// the resource groups their policies name.
struct Current<'a> {
    by_id: HashMap<&'a str, &'a Member>,
    by_email: HashMap<String, Vec<&'a Member>>,
    scopes: KnownScopes,
}

impl<'a> Current<'a> {
    fn new(members: &'a [Member]) -> Self {
        let mut by_id = HashMap::new();
        let mut by_email: HashMap<String, Vec<&Member>> = HashMap::new();
        for member in members {
            if let Some(id) = &member.id {
                by_id.insert(id.as_str(), member);
            }
            if let Some(email) = member.email() {
                by_email.entry(email_key(email)).or_default().push(member);
            }
        }
        Self {
            by_id,
            by_email,
            scopes: KnownScopes::of_members(members),
        }
    }

    /// The member the change is about; `None` for an add of a new email.
    fn find(&self, change: &Change) -> Result<Option<&'a Member>, Rejection> {
        let is_add = matches!(change, Change::Add(_));
        match change.member() {
            MemberRef::Id(id) => match self.by_id.get(id.as_str()) {
                Some(member) => Ok(Some(*member)),
                None if is_add => Ok(None),
                None => Err((
                    ProblemKind::UnknownMember,
                    format!("no member has the id {id}"),
                )),
            },
            MemberRef::Email(email) => {
                match self.by_email.get(&email_key(&email)).map(Vec::as_slice) {
                    Some([member]) => Ok(Some(*member)),
                    Some(several) if several.len() > 1 => Err((
                        ProblemKind::AmbiguousEmail,
                        format!("{} members have this email", several.len()),
                    )),
                    _ if is_add => Ok(None),
                    _ => Err((
                        ProblemKind::UnknownEmail,
                        "no member has this email (nobody is added unless the change is an add)"
                            .to_owned(),
                    )),
                }
            }
        }
    }
}

/// The id to send a change of `member` to; `None` for a member still to be
/// added.
fn usable_id(member: Option<&Member>) -> Result<Option<MemberId>, Rejection> {
    match member.map(|m| m.id.as_ref().filter(|id| id.check().is_ok())) {
        None => Ok(None),
        Some(Some(id)) => Ok(Some(id.clone())),
        Some(None) => Err((
            ProblemKind::Invalid,
            "the server gave this member no usable id".to_owned(),
        )),
    }
}

/// Who the change is about, for finding a second change about the same
/// member: the member id, or for a new member its email key; for a group
/// change, the member id and the group.
fn claim_key(member_id: Option<&MemberId>, change: &Change) -> String {
    if let (Some(id), Some(group)) = (member_id, change.group()) {
        return format!("{id} in group {group}");
    }
    match (member_id, change) {
        (Some(id), _) => id.as_str().to_owned(),
        (None, Change::Add(body)) => email_key(&body.email),
        (None, _) => change.member().to_string(),
    }
}

/// The entry of a change about `member` (found, with its id), or of an add.
fn entry_for(
    input: usize,
    change: &Change,
    member: Option<&Member>,
    member_id: Option<MemberId>,
    scopes: &KnownScopes,
) -> Result<PlanEntry, Rejection> {
    let from = member.map(AccessState::of_member);
    let (action, to, resolved) = match (change, &member_id) {
        (Change::SetRoles { roles, .. }, Some(id)) => (
            PlanAction::Update,
            Some(AccessState::roles(roles.iter().cloned())),
            Change::set_roles(id, roles.iter().cloned()),
        ),
        (Change::SetPolicies { policies, .. }, Some(id)) => (
            PlanAction::Update,
            Some(AccessState::policies(policies)),
            Change::set_policies(id, policies.iter().cloned()),
        ),
        (Change::AddRoles { roles, .. } | Change::RemoveRoles { roles, .. }, Some(id)) => {
            let Some(member) = member else {
                return Err((
                    ProblemKind::Invalid,
                    "no member to change the roles of".to_owned(),
                ));
            };
            match edited_roles(member, change, roles)? {
                // The member's whole set, sent as a set of roles.
                Some(wanted) => (
                    PlanAction::Update,
                    Some(AccessState::roles(wanted.iter().cloned())),
                    Change::set_roles(id, wanted),
                ),
                // Nothing to send: the access stays as it is.
                None => {
                    let kept = change_with_id(change, id);
                    return Ok(PlanEntry {
                        input,
                        action: PlanAction::Unchanged,
                        email: member.email().map(str::to_owned),
                        member_id,
                        to: from.clone(),
                        from,
                        change: kept,
                    });
                }
            }
        }
        (Change::Remove { .. }, Some(id)) => (PlanAction::Remove, None, Change::remove(id)),
        (Change::Add(body), _) => {
            let to = AccessState::of_create(body);
            // The same access, its scopes compared by what they cover (a
            // retried invitation that landed, its scope inline): unchanged.
            if member.is_some() && !from.as_ref().is_some_and(|f| f.same_as(&to, scopes)) {
                return Err((
                    ProblemKind::AlreadyMember,
                    "already a member with other access; use set_roles or set_policies to \
                     change it"
                        .to_owned(),
                ));
            }
            (PlanAction::Add, Some(to), change.clone())
        }
        // `find` gives every change but an add a member, and `usable_id`
        // that member an id; group changes are `group_entry`'s.
        (Change::AddToGroup { .. } | Change::RemoveFromGroup { .. }, _) | (_, None) => {
            return Err((
                ProblemKind::Invalid,
                "no member id to send the change to".to_owned(),
            ))
        }
    };
    // Policies compare by what their resource groups cover: another
    // resource group (or an inline scope) with the same scopes is no change.
    let same = match (&from, &to) {
        (Some(from), Some(to)) => from.same_as(to, scopes),
        _ => false,
    };
    let action = if member.is_some() && same {
        PlanAction::Unchanged
    } else {
        action
    };
    let email = match change {
        Change::Add(body) => Some(body.email.clone()),
        _ => member.and_then(|m| m.email().map(str::to_owned)),
    };
    Ok(PlanEntry {
        input,
        action,
        member_id,
        email,
        from,
        to,
        change: resolved,
    })
}

/// `change` (an `add_roles` or `remove_roles`) naming the member by `id`.
fn change_with_id(change: &Change, id: &MemberId) -> Change {
    match change {
        Change::AddRoles { roles, .. } => Change::add_roles(id, roles.iter().cloned()),
        Change::RemoveRoles { roles, .. } => Change::remove_roles(id, roles.iter().cloned()),
        other => other.clone(),
    }
}

/// The roles `member` is to have after an `add_roles` or `remove_roles`
/// of `given`: its roles in their order, without those taken, then those
/// given that it lacks; `None` when that is the roles it has (nothing is
/// sent). Refused when it would send something that loses access the
/// change does not name: the member's policies (setting roles drops them),
/// or its last role.
fn edited_roles(
    member: &Member,
    change: &Change,
    given: &[RoleId],
) -> Result<Option<Vec<RoleId>>, Rejection> {
    let current: Vec<RoleId> = member.roles.iter().map(|r| r.id.clone()).collect();
    let adding = matches!(change, Change::AddRoles { .. });
    let mut wanted: Vec<RoleId> = current
        .iter()
        .filter(|r| adding || !given.contains(r))
        .cloned()
        .collect();
    if adding {
        for role in given {
            if !wanted.contains(role) {
                wanted.push(role.clone());
            }
        }
    }
    let unchanged = wanted.len() == current.len() && wanted.iter().all(|r| current.contains(r));
    if unchanged {
        return Ok(None);
    }
    if !member.policies.is_empty() {
        return Err((
            ProblemKind::Invalid,
            format!(
                "the member has {} {}, and giving roles drops a member's policies; use \
                 set_roles to replace them with roles on purpose, or set_policies to change them",
                member.policies.len(),
                if member.policies.len() == 1 {
                    "policy"
                } else {
                    "policies"
                }
            ),
        ));
    }
    if wanted.is_empty() {
        return Err((
            ProblemKind::Invalid,
            "that would take every role from the member, who would keep no access; use \
             remove to remove the member"
                .to_owned(),
        ));
    }
    Ok(Some(wanted))
}

#[cfg(test)]
mod tests {
    use super::*;
    use member_types::{
        Access, CreateMember, PermissionGroupId, PolicyRequest, ResourceGroupId, RoleId,
    };
    use serde_json::json;

    const BOB: &str = "b1c5d2e8f3a64b7c9d0e1f2a3b4c5d6e";
    const ERIN: &str = "e1e2e3e4e5e6e7e8e9e0e1e2e3e4e5e6";
    const DNS: &str = "b7e5d3c1a9f84b2e8c6d4a2f0e9b7c5d";
    const READ: &str = "05784afa30c1afe1440e79d9351c7430";
    const PG: &str = "c8fed203ed3043cba015a93ad1616f1f";
    const RG: &str = "6d7f2f5f5b1d4a0e9081fdc98d432fd1";

    /// The account the rows are planned against (as the server sends it).
    fn members() -> Vec<Member> {
        let policy = json!({"id": "p1", "access": "allow",
            "permission_groups": [{"id": PG}], "resource_groups": [{"id": RG}]});
        serde_json::from_value(json!([
            {"id": BOB, "email": "Bob.DNS@example.com", "roles": [{"id": DNS, "name": "DNS", "description": "", "permissions": {}}]},
            {"id": ERIN, "user": {"email": "erin@example.com"}, "policies": [policy]},
            {"id": "a1", "email": "twin@example.com"},
            {"id": "a2", "email": "TWIN@example.com"},
            {"email": "ghost@example.com"},
            {"id": "a3", "email": "\u{c9}ve@example.com"},
            {"id": "a4", "email": " spaced@example.com "},
        ]))
        .expect("members read")
    }

    const ON_CALL: &str = "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1";
    const EMPTY: &str = "b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2";
    const GONE: &str = "c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3";

    /// The groups the rows are planned against: ON_CALL holds Bob, EMPTY
    /// nobody, GONE does not exist.
    fn groups() -> GroupSets {
        [
            (group(ON_CALL), Some([id(BOB)].into_iter().collect())),
            (group(EMPTY), Some(HashSet::new())),
            (group(GONE), None),
        ]
        .into_iter()
        .collect()
    }

    fn group(id: &str) -> UserGroupId {
        UserGroupId::new(id).unwrap()
    }

    fn id(id: &str) -> MemberId {
        MemberId::new(id).unwrap()
    }

    fn role(id: &str) -> RoleId {
        RoleId::new(id).unwrap()
    }

    fn email(email: &str) -> MemberRef {
        MemberRef::email(email)
    }

    fn policy() -> PolicyRequest {
        PolicyRequest::new(
            Access::Allow,
            [PermissionGroupId::new(PG).unwrap()],
            [ResourceGroupId::new(RG).unwrap()],
        )
        .unwrap()
    }

    fn add(email: &str, roles: &[&str]) -> Change {
        Change::add(CreateMember::with_roles(email, roles.iter().map(|r| role(r))).unwrap())
    }

    /// What the plan does with the last change of `changes`.
    fn last(changes: &[Change]) -> Result<PlanAction, ProblemKind> {
        let plan = make_plan(&members(), &groups(), changes);
        let input = changes.len() - 1;
        match (
            plan.entries.iter().find(|e| e.input == input),
            plan.problems.iter().find(|p| p.input == input),
        ) {
            (Some(entry), None) => Ok(entry.action),
            (None, Some(problem)) => Err(problem.kind),
            other => panic!("{other:?}"),
        }
    }

    /// One row per rule: the changes, and what becomes of the last one.
    #[test]
    fn each_rule_gives_an_entry_or_a_problem() {
        use PlanAction::{Add, Remove, Unchanged, Update};
        use ProblemKind::*;
        let rows: Vec<(&str, Vec<Change>, Result<PlanAction, ProblemKind>)> = vec![
            (
                "same roles by id",
                vec![Change::set_roles(id(BOB), [role(DNS)])],
                Ok(Unchanged),
            ),
            (
                "email in another ASCII case",
                vec![Change::set_roles(email("BOB.dns@EXAMPLE.com"), [role(DNS)])],
                Ok(Unchanged),
            ),
            (
                "server email with spaces",
                vec![Change::remove(email("spaced@example.com"))],
                Ok(Remove),
            ),
            (
                "roles compared as sets",
                vec![Change::set_roles(id(BOB), [role(DNS), role(DNS)])],
                Ok(Unchanged),
            ),
            (
                "other roles",
                vec![Change::set_roles(id(BOB), [role(READ)])],
                Ok(Update),
            ),
            (
                "roles for a member with policies",
                vec![Change::set_roles(id(ERIN), [role(DNS)])],
                Ok(Update),
            ),
            (
                "same policies, the user's email",
                vec![Change::set_policies(email("erin@example.com"), [policy()])],
                Ok(Unchanged),
            ),
            (
                "policies for a member with roles",
                vec![Change::set_policies(id(BOB), [policy()])],
                Ok(Update),
            ),
            (
                "remove by email",
                vec![Change::remove(email("bob.dns@example.com"))],
                Ok(Remove),
            ),
            (
                "unknown email",
                vec![Change::set_roles(email("nobody@example.com"), [role(DNS)])],
                Err(UnknownEmail),
            ),
            (
                "Unicode case is not folded",
                vec![Change::remove(email("\u{e9}ve@example.com"))],
                Err(UnknownEmail),
            ),
            (
                "unknown id",
                vec![Change::remove(id("ffffffffffffffffffffffffffffffff"))],
                Err(UnknownMember),
            ),
            (
                "two members, one email",
                vec![Change::remove(email("Twin@example.com"))],
                Err(AmbiguousEmail),
            ),
            (
                "a member without an id",
                vec![Change::remove(email("ghost@example.com"))],
                Err(Invalid),
            ),
            (
                "an invalid change",
                vec![Change::set_roles(id(BOB), [])],
                Err(Invalid),
            ),
            (
                "add a new email",
                vec![add("new@example.com", &[DNS])],
                Ok(Add),
            ),
            (
                "add a member as it is",
                vec![add("bob.dns@example.com", &[DNS])],
                Ok(Unchanged),
            ),
            (
                "add a member with other access",
                vec![add("bob.dns@example.com", &[READ])],
                Err(AlreadyMember),
            ),
            (
                "a second change, by id then email",
                vec![
                    Change::set_roles(id(BOB), [role(READ)]),
                    Change::remove(email("bob.dns@example.com")),
                ],
                Err(Duplicate),
            ),
            (
                "a second add of one new email",
                vec![
                    add("new@example.com", &[DNS]),
                    add("NEW@example.com", &[READ]),
                ],
                Err(Duplicate),
            ),
        ];
        for (name, changes, expected) in rows {
            assert_eq!(last(&changes), expected, "{name}");
        }
    }

    /// One row per rule of add_roles and remove_roles: the changes, what
    /// becomes of the last one, and for an update the roles it sends.
    #[test]
    fn role_edits_are_planned_against_the_member_roles() {
        use PlanAction::{Unchanged, Update};
        use ProblemKind::*;
        type Row = (
            &'static str,
            Vec<Change>,
            Result<PlanAction, ProblemKind>,
            Vec<&'static str>,
        );
        let rows: Vec<Row> = vec![
            (
                "a role added to the one held",
                vec![Change::add_roles(
                    email("bob.dns@example.com"),
                    [role(READ)],
                )],
                Ok(Update),
                vec![DNS, READ],
            ),
            (
                "a role already held",
                vec![Change::add_roles(id(BOB), [role(DNS)])],
                Ok(Unchanged),
                vec![],
            ),
            (
                "a held and a new role, twice",
                vec![Change::add_roles(
                    id(BOB),
                    [role(READ), role(DNS), role(READ)],
                )],
                Ok(Update),
                vec![DNS, READ],
            ),
            (
                "a role not held, removed",
                vec![Change::remove_roles(id(BOB), [role(READ)])],
                Ok(Unchanged),
                vec![],
            ),
            (
                "the last role removed",
                vec![Change::remove_roles(id(BOB), [role(DNS)])],
                Err(Invalid),
                vec![],
            ),
            (
                "the last role removed with another",
                vec![Change::remove_roles(id(BOB), [role(DNS), role(READ)])],
                Err(Invalid),
                vec![],
            ),
            (
                "a role added to a member with policies",
                vec![Change::add_roles(email("erin@example.com"), [role(READ)])],
                Err(Invalid),
                vec![],
            ),
            (
                "a role not held removed from a member with policies",
                vec![Change::remove_roles(
                    email("erin@example.com"),
                    [role(READ)],
                )],
                Ok(Unchanged),
                vec![],
            ),
            (
                "a member without roles",
                vec![Change::add_roles(id("a1"), [role(READ)])],
                Ok(Update),
                vec![READ],
            ),
            (
                "an unknown email",
                vec![Change::add_roles(email("nobody@example.com"), [role(READ)])],
                Err(UnknownEmail),
                vec![],
            ),
            (
                "an ambiguous email",
                vec![Change::remove_roles(
                    email("twin@example.com"),
                    [role(READ)],
                )],
                Err(AmbiguousEmail),
                vec![],
            ),
            (
                "no roles",
                vec![Change::add_roles(id(BOB), [])],
                Err(Invalid),
                vec![],
            ),
            (
                "with another change of the member",
                vec![
                    Change::remove(id(BOB)),
                    Change::add_roles(id(BOB), [role(READ)]),
                ],
                Err(Duplicate),
                vec![],
            ),
        ];
        for (name, changes, expected, sends) in rows {
            assert_eq!(last(&changes), expected, "{name}");
            let plan = make_plan(&members(), &groups(), &changes);
            let sent = plan.changes();
            if expected == Ok(Update) {
                let roles: Vec<RoleId> = sends.iter().map(|r| role(r)).collect();
                assert_eq!(sent.len(), 1, "{name}");
                let wanted =
                    Change::set_roles(plan.entries[0].member_id.clone().unwrap(), roles.clone());
                assert_eq!(sent[0], wanted, "{name}");
                assert_eq!(
                    plan.entries[0].to,
                    Some(AccessState::roles(roles)),
                    "{name}"
                );
            } else {
                assert!(sent.is_empty(), "{name}: {sent:?}");
            }
        }
        // An unchanged entry keeps the change as given (by id), so a
        // retry of it is an add_roles again, and its access stays.
        let plan = make_plan(
            &members(),
            &groups(),
            &[Change::add_roles(email("bob.dns@example.com"), [role(DNS)])],
        );
        assert_eq!(
            plan.entries[0].change,
            Change::add_roles(id(BOB), [role(DNS)])
        );
        assert_eq!(plan.entries[0].from, plan.entries[0].to);
        let problem = make_plan(
            &members(),
            &groups(),
            &[Change::add_roles(email("erin@example.com"), [role(READ)])],
        );
        assert!(
            problem.problems[0].message.contains("1 policy"),
            "{}",
            problem.problems[0].message
        );
    }

    #[test]
    fn a_member_the_plan_adds_can_be_put_into_a_group_by_email() {
        use PlanAction::AddToGroup;
        let join = |group: &str| Change::add_to_group(email("NEW@example.com"), self::group(group));
        let add = add("new@example.com", &[DNS]);
        assert_eq!(last(&[add.clone(), join(ON_CALL)]), Ok(AddToGroup));
        let plan = make_plan(&members(), &groups(), &[join(ON_CALL), add.clone()]);
        assert!(plan.problems.is_empty(), "{:?}", plan.problems);
        let entry = &plan.entries[0];
        assert_eq!((entry.input, entry.member_id.as_ref()), (0, None));
        assert_eq!(
            entry.change,
            join(ON_CALL),
            "named by email until the add gives an id"
        );
        assert_eq!(plan.changes().len(), 2);
        // Without the add, or into a group that does not exist, or twice:
        // problems.
        assert_eq!(last(&[join(ON_CALL)]), Err(ProblemKind::UnknownEmail));
        assert_eq!(
            last(&[add.clone(), join(GONE)]),
            Err(ProblemKind::UnknownGroup)
        );
        assert_eq!(
            last(&[add.clone(), join(ON_CALL), join(ON_CALL)]),
            Err(ProblemKind::Duplicate)
        );
        // A removal from a group is not made for somebody not yet there.
        let leave = Change::remove_from_group(email("new@example.com"), group(ON_CALL));
        assert_eq!(last(&[add, leave]), Err(ProblemKind::UnknownEmail));
    }

    /// One row per rule of the group changes: the changes, and what
    /// becomes of the last one.
    #[test]
    fn each_group_rule_gives_an_entry_or_a_problem() {
        use PlanAction::{AddToGroup, RemoveFromGroup, Unchanged};
        use ProblemKind::*;
        let join = |who: MemberRef, g: &str| Change::add_to_group(who, group(g));
        let leave = |who: MemberRef, g: &str| Change::remove_from_group(who, group(g));
        let rows: Vec<(&str, Vec<Change>, Result<PlanAction, ProblemKind>)> = vec![
            (
                "add someone already in",
                vec![join(id(BOB).into(), ON_CALL)],
                Ok(Unchanged),
            ),
            (
                "add by email in another case, already in",
                vec![join(email("BOB.dns@EXAMPLE.com"), ON_CALL)],
                Ok(Unchanged),
            ),
            (
                "add someone not in",
                vec![join(id(ERIN).into(), ON_CALL)],
                Ok(AddToGroup),
            ),
            (
                "add to an empty group",
                vec![join(email("erin@example.com"), EMPTY)],
                Ok(AddToGroup),
            ),
            (
                "remove someone in",
                vec![leave(email("bob.dns@example.com"), ON_CALL)],
                Ok(RemoveFromGroup),
            ),
            (
                "remove someone not in",
                vec![leave(id(ERIN).into(), ON_CALL)],
                Ok(Unchanged),
            ),
            (
                "remove from an empty group",
                vec![leave(id(BOB).into(), EMPTY)],
                Ok(Unchanged),
            ),
            (
                "a group that does not exist",
                vec![join(id(BOB).into(), GONE)],
                Err(UnknownGroup),
            ),
            (
                "a group nobody read",
                vec![join(id(BOB).into(), "d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4")],
                Err(UnknownGroup),
            ),
            (
                "an unknown email",
                vec![join(email("nobody@example.com"), ON_CALL)],
                Err(UnknownEmail),
            ),
            (
                "an unknown id",
                vec![leave(
                    id("ffffffffffffffffffffffffffffffff").into(),
                    ON_CALL,
                )],
                Err(UnknownMember),
            ),
            (
                "a member without an id",
                vec![join(email("ghost@example.com"), ON_CALL)],
                Err(Invalid),
            ),
            (
                "an invalid group id",
                vec![Change::add_to_group(
                    id(BOB),
                    UserGroupId::from_server("../x"),
                )],
                Err(Invalid),
            ),
            (
                "own access and a group: both planned",
                vec![
                    Change::set_roles(id(BOB), [role(READ)]),
                    join(id(BOB).into(), EMPTY),
                ],
                Ok(AddToGroup),
            ),
            (
                "two groups: both planned",
                vec![
                    leave(id(BOB).into(), ON_CALL),
                    join(email("bob.dns@example.com"), EMPTY),
                ],
                Ok(AddToGroup),
            ),
            (
                "the same member and group twice",
                vec![
                    join(id(BOB).into(), EMPTY),
                    leave(email("Bob.DNS@example.com"), EMPTY),
                ],
                Err(Duplicate),
            ),
        ];
        for (name, changes, expected) in rows {
            assert_eq!(last(&changes), expected, "{name}");
        }
    }

    #[test]
    fn group_entries_send_the_member_by_id_to_the_group() {
        let plan = make_plan(
            &members(),
            &groups(),
            &[
                Change::add_to_group(email("Erin@example.com"), group(ON_CALL)),
                Change::add_to_group(id(BOB), group(ON_CALL)),
            ],
        );
        let entry = &plan.entries[0];
        assert_eq!(entry.change, Change::add_to_group(id(ERIN), group(ON_CALL)));
        assert_eq!(entry.email.as_deref(), Some("erin@example.com"));
        assert_eq!((entry.from.as_ref(), entry.to.as_ref()), (None, None));
        // Only what is not already so is sent.
        assert_eq!(
            plan.changes(),
            [Change::add_to_group(id(ERIN), group(ON_CALL))]
        );
        let plan = make_plan(
            &members(),
            &groups(),
            &[Change::add_to_group(id(BOB), group(GONE))],
        );
        assert_eq!(
            plan.problems[0].message,
            format!("add_to_group {BOB}: no user group has the id {GONE}")
        );
    }

    #[test]
    fn entries_name_the_member_by_id_and_say_from_and_to() {
        let plan = make_plan(
            &members(),
            &groups(),
            &[Change::set_roles(
                email("BOB.DNS@example.com"),
                [role(READ)],
            )],
        );
        let entry = &plan.entries[0];
        assert_eq!(entry.change, Change::set_roles(id(BOB), [role(READ)]));
        assert_eq!(entry.member_id, Some(id(BOB)));
        assert_eq!(entry.email.as_deref(), Some("Bob.DNS@example.com"));
        assert_eq!(entry.from, Some(AccessState::roles([role(DNS)])));
        assert_eq!(entry.to, Some(AccessState::roles([role(READ)])));
        let plan = make_plan(
            &members(),
            &groups(),
            &[Change::remove(email("nobody@example.com"))],
        );
        assert_eq!(
            plan.problems[0].message,
            "remove nobody@example.com: no member has this email (nobody is added unless the \
             change is an add)"
        );
    }
}
