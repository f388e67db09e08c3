//! `cf-members groups …`: user groups (named sets of members sharing
//! policies) and their members. Every group and member is named as people
//! write them and resolved by the library's resolver; nothing is written
//! when a name does not resolve.

use std::collections::HashSet;

use futures::TryStreamExt;
use member_client::{
    resolve_policies, Access, Call, Change, Client, CreateUserGroup, GroupMember,
    ListGroupMembersParams, ListUserGroupsParams, Member, MemberId, NamedPolicy, PolicyRequest,
    PreparedRequest, Resolution, ResolveError, Resolver, UpdateUserGroup, UserGroup, UserGroups,
};
use serde_json::{json, Value};

use crate::cli::{
    GlobalArgs, GroupMembersAction, GroupMembersArgs, GroupMembersChange, GroupPolicyArgs,
    GroupsCommand, ListGroupsArgs, OutputFormat, SetGroupMembersArgs,
};
use crate::commands::{
    connect, dry_run, print_one, refuse_lockout, resolve_failure, send, show_list,
    unresolved_failure, usage, write_json, write_text, Outcome,
};
use crate::output::{self, clean, plural};
use crate::policies;
use crate::report::Failure;
use crate::shell::note;

/// Runs `cf-members groups …`.
pub async fn run(global: &GlobalArgs, command: GroupsCommand) -> Outcome {
    match command {
        GroupsCommand::List(args) => list(global, args).await,
        GroupsCommand::Get { group } => {
            let (client, account) = connect(global)?;
            let group = client
                .resolver(&account)
                .user_group(&group)
                .await
                .map_err(resolve_failure)?;
            let value = send(client.user_groups(&account).get(&group.id), false).await?;
            print_one(global, &value, output::user_group_details)
        }
        GroupsCommand::Create(args) => {
            let named = read_policies(&args.access, false)?;
            let (client, account) = connect(global)?;
            let resolver = client.resolver(&account);
            let policies = resolve(&resolver, named.as_deref()).await?;
            let body =
                CreateUserGroup::new(&args.name, policies.unwrap_or_default()).map_err(usage)?;
            crate::commands::refuse_taken_name(
                &resolver,
                crate::commands::GroupKind::User,
                &args.name,
                None,
            )
            .await?;
            let call = client.user_groups(&account).create(body);
            if args.dry_run {
                return dry_run(global, &call, &resolver.resolutions());
            }
            let value = send(call, true).await?;
            print_one(global, &value, output::user_group_details)
        }
        GroupsCommand::Update(args) => {
            // `--policies FILE` with [] clears the group's policies.
            let named = read_policies(&args.access, true)?;
            let (client, account) = connect(global)?;
            let resolver = client.resolver(&account);
            // The group and the policies are resolved before either is
            // reported, so every bad name is told at once.
            let group = resolver.user_group(&args.group).await;
            let policies = resolve(&resolver, named.as_deref()).await;
            let group = group.map_err(resolve_failure)?;
            let policies = policies?;
            let mut body = UpdateUserGroup::new();
            if let Some(name) = &args.name {
                body = body.name(name).map_err(usage)?;
                crate::commands::refuse_taken_name(
                    &resolver,
                    crate::commands::GroupKind::User,
                    name,
                    Some(group.id.as_str()),
                )
                .await?;
            }
            let replaces = policies.is_some();
            if let Some(policies) = policies {
                refuse_group_lockout(&client, &resolver, &group, Some(&policies)).await?;
                body = body.replace_policies(policies).map_err(usage)?;
            }
            let call = client.user_groups(&account).update(&group.id, body);
            if args.dry_run {
                let note = replaces.then(|| replace_note(&group));
                return noted_dry_run(global, &[&call], &resolver.resolutions(), note);
            }
            let value = send(call, true).await?;
            print_one(global, &value, output::user_group_details)
        }
        GroupsCommand::Delete(args) => {
            let (client, account) = connect(global)?;
            let resolver = client.resolver(&account);
            let group = resolver
                .user_group(&args.group)
                .await
                .map_err(resolve_failure)?;
            refuse_group_lockout(&client, &resolver, &group, None).await?;
            let call = client.user_groups(&account).delete(&group.id);
            if args.dry_run {
                return dry_run(global, &call, &[]);
            }
            let what = format!("user group {}", describe(&group));
            if !args.yes && !crate::groups::confirmed(&what, global) {
                return Err(
                    Failure::usage(format!("{what} was not deleted; nothing was sent"))
                        .with_hint("run again with --yes to delete it"),
                );
            }
            let value = send(call, true).await?;
            print_one(global, &value, |_| Ok(format!("deleted {what}\n")))
        }
        GroupsCommand::Members(args) => members(global, args).await,
    }
}

async fn list(global: &GlobalArgs, args: ListGroupsArgs) -> Outcome {
    let mut params = ListUserGroupsParams::new();
    if let Some(name) = &args.name {
        params = params.name(name).map_err(usage)?;
    }
    if let Some(text) = &args.search {
        params = params.fuzzy_name(text).map_err(usage)?;
    }
    if let Some(per_page) = args.paging.per_page {
        params = params.per_page(per_page).map_err(usage)?;
    }
    if let Some(page) = args.paging.page {
        params = params.page(page).map_err(usage)?;
    }
    let (client, account) = connect(global)?;
    let list = client.user_groups(&account).list(params);
    show_list(
        list,
        args.paging.page.is_some(),
        &output::USER_GROUPS,
        global,
    )
    .await
}

/// `SRE On-Call (9f3c…)`.
fn describe(group: &UserGroup) -> String {
    output::user_group_text(group.id.as_str(), group.name.as_deref())
}

fn replace_note(group: &UserGroup) -> String {
    let now = if group.policies.is_empty() {
        String::new()
    } else {
        format!(
            " (it has {} now)",
            plural(group.policies.len(), "policy", "policies")
        )
    };
    format!(
        "the policies given replace every policy of user group {}{now}, for every member of it",
        describe(group)
    )
}

/// The policies of `--policies FILE` or `--allow`/`--deny`, read and
/// checked (names not resolved yet); `None` when none is given.
fn read_policies(
    args: &GroupPolicyArgs,
    allow_none: bool,
) -> Result<Option<Vec<NamedPolicy>>, Failure> {
    if let Some(path) = &args.policies {
        return if allow_none {
            policies::read_allowing_none(path).map(Some)
        } else {
            policies::read(path).map(Some)
        };
    }
    if args.allow.is_empty() && args.deny.is_empty() {
        return Ok(None);
    }
    let allow = args
        .allow
        .iter()
        .map(|flag| policies::from_flag(Access::Allow, flag));
    let deny = args
        .deny
        .iter()
        .map(|flag| policies::from_flag(Access::Deny, flag));
    allow.chain(deny).collect::<Result<Vec<_>, _>>().map(Some)
}

async fn resolve(
    resolver: &Resolver,
    policies: Option<&[NamedPolicy]>,
) -> Result<Option<Vec<PolicyRequest>>, Failure> {
    match policies {
        None => Ok(None),
        Some(policies) => resolve_policies(resolver, policies)
            .await
            .map(Some)
            .map_err(unresolved_failure),
    }
}

/// The dry run of one or more calls, with a note first when there is one.
fn noted_dry_run<T>(
    global: &GlobalArgs,
    calls: &[&Call<T>],
    resolved: &[Resolution],
    note: Option<String>,
) -> Outcome {
    let requests = calls
        .iter()
        .map(|call| call.prepare())
        .collect::<Result<Vec<PreparedRequest>, _>>()
        .map_err(|e| Failure::from_client(&e, false))?;
    note!("cf-members: dry run: nothing was sent");
    match global.output {
        OutputFormat::Json | OutputFormat::Jsonl => {
            let mut value = match requests.as_slice() {
                [one] => output::dry_run_json(one, resolved),
                many => json!({
                    "dry_run": true,
                    "resolved": resolved.iter().map(output::resolution_json).collect::<Vec<_>>(),
                    "requests": many.iter().map(|r| output::dry_run_json(r, &[])).collect::<Vec<_>>(),
                }),
            };
            if let (Some(note), Some(object)) = (note, value.as_object_mut()) {
                object.insert("note".to_owned(), Value::from(note));
            }
            write_json(&value)
        }
        OutputFormat::Table => {
            let mut text = note.map(|n| format!("note: {n}\n")).unwrap_or_default();
            for (i, request) in requests.iter().enumerate() {
                let shown: &[Resolution] = if i == 0 { resolved } else { &[] };
                text.push_str(&output::dry_run_text(request, shown));
            }
            write_text(&text)
        }
        OutputFormat::Csv => Err(crate::accounts::csv_unsupported()),
    }
}

/// A member given on the command line, resolved.
struct Wanted {
    id: MemberId,
    /// How to show them: `bob@example.com (4536…)`.
    shown: String,
}

/// The group and the members named, every name resolved; every one that
/// did not resolve is told at once (exit 2, nothing sent).
async fn resolve_group_and_members(
    resolver: &Resolver,
    group: &str,
    members: &[String],
) -> Result<(UserGroup, Vec<Wanted>), Failure> {
    let mut failed: Vec<ResolveError> = Vec::new();
    let group = match resolver.user_group(group).await {
        Ok(group) => Some(group),
        Err(e) => {
            failed.push(e);
            None
        }
    };
    let mut wanted: Vec<Wanted> = Vec::new();
    let mut seen = HashSet::new();
    for reference in members {
        match resolver.member(reference).await {
            Ok(member) => {
                if let Some(found) = id_of(&member) {
                    if seen.insert(found.clone()) {
                        wanted.push(found_member(found, &member));
                    }
                } else {
                    failed.push(ResolveError::Request(member_client::Error::protocol(
                        format!("the member {reference} has no usable id in the list answer"),
                    )));
                }
            }
            Err(e) => failed.push(e),
        }
    }
    if let Some(at) = failed.iter().position(|e| e.request_error().is_some()) {
        return Err(resolve_failure(failed.swap_remove(at)));
    }
    match (group, failed.len()) {
        (Some(group), 0) => Ok((group, wanted)),
        (_, 1) => Err(resolve_failure(failed.swap_remove(0))),
        _ => {
            let mut message = format!("{} names did not resolve; nothing was sent:", failed.len());
            for e in &failed {
                message.push_str("\n  ");
                message.push_str(&clean(&e.to_string()));
            }
            Err(Failure::usage(message).with_hint(
                "`cf-members groups list` and `cf-members members list` show the names; \
                 `name:` or `id:` before a reference forces either reading",
            ))
        }
    }
}

/// Refuses (exit 2, nothing sent) giving `group` the policies `after` (or
/// deleting it, with `None`) when that would leave the account without an
/// active Super Administrator.
async fn refuse_group_lockout(
    client: &Client,
    resolver: &Resolver,
    group: &UserGroup,
    after: Option<&[PolicyRequest]>,
) -> Result<(), Failure> {
    match client.group_lockout(resolver, &group.id, after).await {
        Ok(None) => Ok(()),
        Ok(Some(lockout)) => Err(crate::commands::lockout_failure(&lockout)),
        Err(e) => Err(crate::commands::guard_read_failed(&e)),
    }
}

fn id_of(member: &Member) -> Option<MemberId> {
    member.id.clone().filter(|id| id.check().is_ok())
}

fn found_member(id: MemberId, member: &Member) -> Wanted {
    let shown = match member.email() {
        Some(email) => format!("{} ({})", clean(email), clean(id.as_str())),
        None => clean(id.as_str()),
    };
    Wanted { id, shown }
}

/// Every member of the group now.
async fn current_members(
    groups: &UserGroups,
    group: &UserGroup,
) -> Result<Vec<GroupMember>, Failure> {
    groups
        .members(&group.id)
        .list(ListGroupMembersParams::new())
        .try_collect()
        .await
        .map_err(|e| Failure::from_client(&e, false))
}

async fn members(global: &GlobalArgs, args: GroupMembersArgs) -> Outcome {
    let (client, account) = connect(global)?;
    let resolver = client.resolver(&account);
    let groups = client.user_groups(&account);
    match args.action {
        GroupMembersAction::List => {
            let group = resolver
                .user_group(&args.group)
                .await
                .map_err(resolve_failure)?;
            let list = groups
                .members(&group.id)
                .list(ListGroupMembersParams::new());
            show_list(list, false, &output::GROUP_MEMBERS, global).await
        }
        GroupMembersAction::Add(change) => {
            add(global, &client, &resolver, &groups, &args.group, change).await
        }
        GroupMembersAction::Remove(change) => {
            remove(global, &client, &resolver, &groups, &args.group, change).await
        }
        GroupMembersAction::Set(set_args) => {
            set(global, &client, &resolver, &groups, &args.group, set_args).await
        }
    }
}

/// Tells on stderr why a member is left out (already so).
fn skipped(members: &[Wanted], why: &str) {
    for member in members {
        note!("cf-members: {} {why}; not sent", member.shown);
    }
}

/// The group and the members named, split into those in it now and those
/// not (its members read once).
async fn in_and_out(
    resolver: &Resolver,
    groups: &UserGroups,
    group: &str,
    members: &[String],
) -> Result<(UserGroup, Vec<Wanted>, Vec<Wanted>), Failure> {
    let (group, wanted) = resolve_group_and_members(resolver, group, members).await?;
    let current: HashSet<MemberId> = current_members(groups, &group)
        .await?
        .into_iter()
        .map(|m| m.id)
        .collect();
    let (inside, outside) = wanted.into_iter().partition(|m| current.contains(&m.id));
    Ok((group, inside, outside))
}

async fn add(
    global: &GlobalArgs,
    client: &Client,
    resolver: &Resolver,
    groups: &UserGroups,
    group: &str,
    change: GroupMembersChange,
) -> Outcome {
    let (group, already, new) = in_and_out(resolver, groups, group, &change.members).await?;
    let what = format!("user group {}", describe(&group));
    skipped(&already, &format!("is already in {what}"));
    if new.is_empty() {
        note!("cf-members: nothing to add to {what}; nothing was sent");
        return nothing_sent(global);
    }
    // A group may deny Super Administrator: joining it can take it away.
    refuse_lockout(
        client,
        resolver,
        &new.iter()
            .map(|m| Change::add_to_group(&m.id, group.id.clone()))
            .collect::<Vec<_>>(),
    )
    .await?;
    let call = groups
        .members(&group.id)
        .add(new.iter().map(|m| m.id.clone()));
    if change.dry_run {
        return dry_run(global, &call, &resolver.resolutions());
    }
    let value = send(call, true).await?;
    print_one(global, &value, |_| {
        Ok(format!(
            "added to {what}: {}\n",
            new.iter()
                .map(|m| m.shown.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))
    })
}

async fn remove(
    global: &GlobalArgs,
    client: &Client,
    resolver: &Resolver,
    groups: &UserGroups,
    group: &str,
    change: GroupMembersChange,
) -> Outcome {
    let (group, present, absent) = in_and_out(resolver, groups, group, &change.members).await?;
    let what = format!("user group {}", describe(&group));
    skipped(&absent, &format!("is not in {what}"));
    if present.is_empty() {
        note!("cf-members: nothing to remove from {what}; nothing was sent");
        return nothing_sent(global);
    }
    refuse_lockout(
        client,
        resolver,
        &present
            .iter()
            .map(|m| Change::remove_from_group(&m.id, group.id.clone()))
            .collect::<Vec<_>>(),
    )
    .await?;
    let handle = groups.members(&group.id);
    let calls: Vec<_> = present.iter().map(|m| handle.remove(&m.id)).collect();
    if change.dry_run {
        let calls: Vec<&Call<_>> = calls.iter().collect();
        return noted_dry_run(global, &calls, &resolver.resolutions(), None);
    }
    let mut results = Vec::with_capacity(calls.len());
    for (call, member) in calls.into_iter().zip(&present) {
        match send(call, true).await {
            Ok(value) => results.push(value),
            Err(failure) => {
                if !results.is_empty() {
                    eprintln!(
                        "cf-members: removed before the failure: {}",
                        present[..results.len()]
                            .iter()
                            .map(|m| m.shown.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    );
                }
                eprintln!("cf-members: could not remove {}", member.shown);
                return Err(failure);
            }
        }
    }
    print_one(global, &Value::Array(results), |_| {
        Ok(format!(
            "removed from {what}: {}\n",
            present
                .iter()
                .map(|m| m.shown.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))
    })
}

/// JSON's answer when nothing was sent: an empty list.
fn nothing_sent(global: &GlobalArgs) -> Outcome {
    match global.output {
        OutputFormat::Json | OutputFormat::Jsonl => write_json(&Value::Array(Vec::new())),
        OutputFormat::Table => Ok(()),
        OutputFormat::Csv => Err(crate::accounts::csv_unsupported()),
    }
}

/// What `set` will do: who is added, who removed, how many stay.
struct SetPlan<'a> {
    group: &'a UserGroup,
    add: Vec<&'a Wanted>,
    remove: Vec<&'a GroupMember>,
    keep: usize,
    before: usize,
    after: usize,
}

impl SetPlan<'_> {
    fn is_empty(&self) -> bool {
        self.add.is_empty() && self.remove.is_empty()
    }

    fn text(&self) -> String {
        let mut out = format!(
            "Plan for user group {}: {} now, {} after\n",
            describe(self.group),
            plural(self.before, "member", "members"),
            plural(self.after, "member", "members"),
        );
        let mut section = |label: &str, names: Vec<String>| {
            if names.is_empty() {
                out.push_str(&format!("  {label:<7} nobody\n"));
            }
            for (i, name) in names.iter().enumerate() {
                let head = if i == 0 { label } else { "" };
                out.push_str(&format!("  {head:<7} {name}\n"));
            }
        };
        section("add:", self.add.iter().map(|m| m.shown.clone()).collect());
        section(
            "remove:",
            self.remove
                .iter()
                .map(|m| output::group_member_text(m))
                .collect(),
        );
        out.push_str(&format!(
            "  keep:   {}\n",
            plural(self.keep, "member", "members")
        ));
        if !self.is_empty() {
            out.push_str(
                "This replaces the group's whole membership in one request (PUT): whoever is \
                 not listed is removed.\n",
            );
        }
        out
    }

    fn json(&self, sent: bool, result: Option<Value>) -> Value {
        json!({
            "group": {"id": self.group.id.as_str(), "name": self.group.name},
            "add": self.add.iter().map(|m| m.id.as_str()).collect::<Vec<_>>(),
            "remove": self.remove.iter().map(|m| json!({"id": m.id.as_str(), "email": m.email()})).collect::<Vec<_>>(),
            "keep": self.keep,
            "before": self.before,
            "after": self.after,
            "sent": sent,
            "result": result,
        })
    }
}

async fn set(
    global: &GlobalArgs,
    client: &Client,
    resolver: &Resolver,
    groups: &UserGroups,
    group: &str,
    args: SetGroupMembersArgs,
) -> Outcome {
    let (group, wanted) = resolve_group_and_members(resolver, group, &args.members).await?;
    let current = current_members(groups, &group).await?;
    let current_ids: HashSet<&MemberId> = current.iter().map(|m| &m.id).collect();
    let wanted_ids: HashSet<&MemberId> = wanted.iter().map(|m| &m.id).collect();
    let plan = SetPlan {
        group: &group,
        add: wanted
            .iter()
            .filter(|m| !current_ids.contains(&m.id))
            .collect(),
        remove: current
            .iter()
            .filter(|m| !wanted_ids.contains(&m.id))
            .collect(),
        keep: wanted
            .iter()
            .filter(|m| current_ids.contains(&m.id))
            .count(),
        before: current_ids.len(),
        after: wanted_ids.len(),
    };
    let table = global.output == OutputFormat::Table;
    if table {
        write_text(&plan.text())?;
    }
    if plan.is_empty() {
        note!("cf-members: the group already holds exactly these members; nothing was sent");
        return if table {
            Ok(())
        } else {
            write_json(&plan.json(false, None))
        };
    }
    // Who joins counts too: handing the group to someone else is fine.
    let changes: Vec<Change> = plan
        .remove
        .iter()
        .map(|m| Change::remove_from_group(&m.id, group.id.clone()))
        .chain(
            plan.add
                .iter()
                .map(|m| Change::add_to_group(&m.id, group.id.clone())),
        )
        .collect();
    refuse_lockout(client, resolver, &changes).await?;
    let call = groups
        .members(&group.id)
        .replace_all(wanted.iter().map(|m| m.id.clone()));
    if args.dry_run {
        if table {
            write_text("\n")?;
            return dry_run(global, &call, &resolver.resolutions());
        }
        return write_json(&plan.json(false, None));
    }
    if !args.yes {
        if !table {
            write_json(&plan.json(false, None))?;
        }
        return Err(Failure::usage(format!(
            "user group {} was not changed; nothing was sent",
            describe(&group)
        ))
        .with_hint("check the plan, then run again with --yes to send it"));
    }
    let value = send(call, true).await?;
    if table {
        write_text(&format!(
            "set the members of user group {}: {} added, {} removed\n",
            describe(&group),
            plan.add.len(),
            plan.remove.len()
        ))
    } else {
        write_json(&plan.json(true, Some(value)))
    }
}
