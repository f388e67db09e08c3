//! `cf-members sync FILE`: the plan of `plan`, checked against the safety
//! rules, then made so: user groups first, the member changes through the
//! apply engine, then the group memberships of people it has just invited.

use std::io::{IsTerminal, Write};
use std::path::Path;

use member_client::{AccountId, Client, SyncSafety};
use serde_json::{json, Value};

use super::{file_account, plan_file, plan_json, plan_text, read_source};
use crate::apply::{self, Planned};
use crate::cli::{ApplyArgs, GlobalArgs, OutputFormat, RunArgs, SyncArgs};
use crate::commands::{write_json, write_text, Outcome};
use crate::output::paint::{paint_err, Tone};
use crate::output::{clean, plural};
use crate::report::Failure;
use crate::shell::note;

/// Runs `cf-members sync FILE`.
pub async fn run_sync(global: &GlobalArgs, args: SyncArgs) -> Outcome {
    let source = read_source(&args.file)?;
    let client = apply::client_for(global, args.run.rate_limit.as_ref())?;
    let account = file_account(global, &client, &source).await?;
    // The engine runs what this command has already shown and confirmed.
    let apply_args = ApplyArgs {
        file: args.file.clone(),
        run: RunArgs {
            yes: true,
            dry_run: false,
            ..args.run.clone()
        },
        retry_file: args.retry_file.clone(),
    };
    let retry_path = apply::retry_path(&apply_args, crate::changes::Format::Json);
    let plan = plan_file(&client, &account, &source, &args.file, args.prune).await?;
    let table = global.output == OutputFormat::Table;
    if table {
        write_text(&plan_text(&plan, &account, &args.file, args.prune))?;
    }

    let own = match client.current_user().send().await {
        Ok(user) => Some(user),
        Err(e) => {
            if global.verbose {
                eprintln!("cf-members: the token's own user is not known ({e})");
            }
            None
        }
    };
    let safety = SyncSafety::new(args.max_removals).own_user(
        own.as_ref()
            .and_then(|u| u.id.as_ref())
            .map(|id| id.as_str()),
        own.as_ref().map(|u| u.email.as_str()),
    );
    let refusals = plan.refusals(&safety);
    if !refusals.is_empty() {
        let mut err = std::io::stderr().lock();
        for refusal in &refusals {
            let _ = writeln!(err, "cf-members: refused: {refusal}");
        }
        return Err(Failure::usage(format!(
            "sync refused ({}); nothing was sent",
            plural(refusals.len(), "reason", "reasons")
        )));
    }
    if !plan.plan.problems.is_empty() {
        return Err(Failure::other(format!(
            "the plan has {}; nothing was sent",
            plural(plan.plan.problems.len(), "problem", "problems")
        )));
    }
    let total = plan.to_send();
    if total == 0 {
        if !table {
            write_json(&json!({"plan": plan_json(&plan, &account), "ran": false}))?;
        }
        note!("cf-members: nothing to send");
        return Ok(());
    }
    if args.run.dry_run {
        if !table {
            write_json(&json!({"plan": plan_json(&plan, &account), "ran": false}))?;
        }
        note!("cf-members: dry run: no change was sent");
        return Ok(());
    }
    if !args.run.yes && !ask(&args.file, table, total) {
        if !table {
            write_json(&json!({"plan": plan_json(&plan, &account), "ran": false}))?;
        }
        note!(
            "cf-members: no change was sent: run again with --yes to apply {}",
            plural(total, "change", "changes")
        );
        return Ok(());
    }

    // The engine checks its retry file before it sends; a sync checks it
    // before the user groups too, so that a retry file that cannot be
    // written stops the sync with nothing sent.
    if !plan.plan.changes().is_empty() {
        apply::check_writable(&retry_path)?;
    }

    // User groups first (created, or their policies set: a few requests),
    // then the member changes through the apply engine, then the group
    // memberships that need a membership id the engine has just made.
    let mut groups = GroupWork::default();
    let user_groups = client.user_groups(&account);
    for group in &plan.changes.new_groups {
        let sent = match group.body() {
            Ok(body) => user_groups
                .create(body)
                .send()
                .await
                .map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        };
        match sent {
            Ok(made) => {
                groups.done(&group.name, "create", json!({"id": made.id}));
                groups.created.insert(group.name.clone(), made.id);
            }
            Err(e) => groups.failed(&group.name, "create", &e),
        }
    }
    // A group's policies that take Super Administrator access away are set
    // last, after the member changes that may give it to somebody else,
    // and only if the guard, asked again, still lets them through.
    let (held_policies, first_policies): (Vec<_>, Vec<_>) = plan
        .changes
        .group_policies
        .iter()
        .cloned()
        .partition(|change| plan.takes_super_admin(change));
    for change in &first_policies {
        set_group_policies(&user_groups, change, &mut groups).await;
    }
    let places: Vec<String> = plan
        .changes
        .changes
        .iter()
        .map(|c| format!("{} ({c})", args.file.display()))
        .collect();
    let resolver = client.resolver(&account);
    let members = client.members(&account);
    let member_changes = plan.plan.changes().len();
    // Without member changes, or when the engine stopped before running,
    // the engine reports nothing: the JSON report is then the plan, whether
    // member changes ran (none did), and the groups' outcomes.
    let plan_value = (!table).then(|| plan_json(&plan, &account));
    let changes = plan.changes;
    let carried = if member_changes > 0 {
        let planned = Planned {
            plan: plan.plan,
            places: &places,
            show_plan: false,
            hold_report: true,
        };
        Some(
            apply::carry_out(
                global,
                &apply_args,
                &client,
                &resolver,
                &members,
                planned,
                &retry_path,
            )
            .await,
        )
    } else {
        None
    };
    if carried.as_ref().is_some_and(|c| c.interrupted) {
        if !changes.joins.is_empty() || !changes.new_groups.is_empty() {
            note!("cf-members: interrupted: group memberships not set; run sync again");
        }
        for change in &held_policies {
            groups.failed(
                &change.name,
                "set_policies",
                "not sent: the sync was interrupted before it (it takes Super Administrator \
                 access away and runs last); run sync again",
            );
        }
    } else {
        join_groups(&client, &account, &changes, &mut groups).await;
        for change in &held_policies {
            // Asked again with fresh reads: a change that was to make
            // somebody else Super Administrator may have failed.
            let fresh = client.resolver(&account);
            match client
                .group_lockout(&fresh, &change.group, Some(&change.policies))
                .await
            {
                Ok(None) => set_group_policies(&user_groups, change, &mut groups).await,
                Ok(Some(lockout)) => groups.failed(
                    &change.name,
                    "set_policies",
                    &format!(
                        "held back (it takes Super Administrator access away and runs last): \
                         {lockout}"
                    ),
                ),
                Err(e) => groups.failed(
                    &change.name,
                    "set_policies",
                    &format!(
                        "held back: cannot check that the account keeps an active Super \
                         Administrator ({e})"
                    ),
                ),
            }
        }
    }

    let (outcome, report) = match carried {
        Some(carried) => (carried.outcome, carried.report),
        None => (Ok(()), None),
    };
    if !table {
        let mut report =
            report.unwrap_or_else(|| json!({"plan": plan_value, "ran": member_changes == 0}));
        if let Some(map) = report.as_object_mut() {
            map.insert("groups".to_owned(), Value::Array(groups.report.clone()));
        }
        write_json(&report)?;
    }
    let group_changes = groups.report.len();
    if table && group_changes > 0 {
        let failed = groups.failures;
        write_text(&format!(
            "User groups: {}: {} done, {failed} failed{}\n",
            plural(group_changes, "change", "changes"),
            group_changes - failed,
            if failed > 0 {
                " (the retry file holds member changes only: run sync again for these)"
            } else {
                ""
            }
        ))?;
    }
    if groups.failures == 0 {
        outcome
    } else {
        let message = format!(
            "{} of the user groups did not succeed: run sync again",
            plural(groups.failures, "change", "changes")
        );
        match outcome {
            Ok(()) => Err(Failure::other(message)),
            Err(failure) => Err(failure.and_also(&message)),
        }
    }
}

/// Gives a user group the file's policies (one PUT), and records how it
/// went.
async fn set_group_policies(
    user_groups: &member_client::UserGroups,
    change: &member_client::GroupPolicies,
    groups: &mut GroupWork,
) {
    let sent = match change.body() {
        Ok(body) => user_groups
            .update(&change.group, body)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| e.to_string()),
        Err(e) => Err(e.to_string()),
    };
    match sent {
        Ok(()) => groups.done(&change.name, "set_policies", json!({"id": change.group})),
        Err(e) => groups.failed(&change.name, "set_policies", &e),
    }
}

/// The user-group part of a sync: what was done, for the report.
#[derive(Default)]
struct GroupWork {
    /// The groups this sync created, by the file's name.
    created: std::collections::HashMap<String, member_client::UserGroupId>,
    report: Vec<Value>,
    failures: usize,
}

impl GroupWork {
    fn done(&mut self, group: &str, action: &str, detail: Value) {
        let what = match action {
            "create" => "created".to_owned(),
            "set_policies" => "policies set".to_owned(),
            _ => {
                let count = detail["count"].as_u64().unwrap_or(0) as usize;
                format!("{} put in", plural(count, "member", "members"))
            }
        };
        note!("cf-members: user group {}: {what}", clean(group));
        let mut entry = json!({"group": group, "action": action, "ok": true});
        if let (Some(map), Value::Object(detail)) = (entry.as_object_mut(), detail) {
            map.extend(detail);
        }
        self.report.push(entry);
    }

    fn failed(&mut self, group: &str, action: &str, error: &str) {
        eprintln!(
            "cf-members: {} user group {}: {} failed: {}",
            paint_err(Tone::Bad, "error:"),
            clean(group),
            action.replace('_', " "),
            clean(error)
        );
        self.failures += 1;
        self.report.push(json!({
            "group": group, "action": action, "ok": false, "error": error,
        }));
    }
}

/// Puts into their groups the members of the groups this sync created and
/// the people it invited: their membership ids are read again, by email,
/// after the member changes.
async fn join_groups(
    client: &Client,
    account: &AccountId,
    changes: &member_client::AccessChanges,
    groups: &mut GroupWork,
) {
    use std::collections::BTreeMap;
    let mut wanted: BTreeMap<String, (member_client::UserGroupId, Vec<member_client::MemberId>)> =
        BTreeMap::new();
    for group in &changes.new_groups {
        if let Some(id) = groups.created.get(&group.name) {
            if !group.members.is_empty() {
                wanted
                    .entry(group.name.clone())
                    .or_insert_with(|| (id.clone(), Vec::new()))
                    .1
                    .extend(group.members.iter().cloned());
            }
        }
    }
    if !changes.joins.is_empty() {
        // A fresh resolver reads the members as they are now.
        match client.resolver(account).members().await {
            Ok(now) => {
                let (found, missing) = changes.joins_found(&now);
                for (join, member) in found {
                    let id = join
                        .group_id
                        .clone()
                        .or_else(|| groups.created.get(&join.group).cloned());
                    if let Some(id) = id {
                        wanted
                            .entry(join.group.clone())
                            .or_insert_with(|| (id, Vec::new()))
                            .1
                            .push(member);
                    }
                }
                for join in missing {
                    groups.failed(
                        &join.group,
                        "add_members",
                        &format!(
                            "{} is not a member of the account (not invited)",
                            join.email
                        ),
                    );
                }
            }
            Err(e) => {
                for join in &changes.joins {
                    groups.failed(&join.group, "add_members", &e.to_string());
                }
            }
        }
    }
    for (name, (id, members)) in wanted {
        let count = members.len();
        // A group may deny Super Administrator: asked again, with the
        // account as it is now (a handover of this sync may have failed).
        let joins: Vec<member_client::Change> = members
            .iter()
            .map(|m| member_client::Change::add_to_group(m, id.clone()))
            .collect();
        let fresh = client.resolver(account);
        let checked = async {
            let current = fresh.members().await?;
            let plan = client.members(account).plan_with(&current, &joins).await?;
            client.lockout(&fresh, &plan).await
        }
        .await;
        match checked {
            Ok(None) => {}
            Ok(Some(lockout)) => {
                groups.failed(&name, "add_members", &format!("held back: {lockout}"));
                continue;
            }
            Err(e) => {
                groups.failed(
                    &name,
                    "add_members",
                    &format!(
                        "held back: cannot check that the account keeps an active Super \
                         Administrator ({e})"
                    ),
                );
                continue;
            }
        }
        match client
            .user_groups(account)
            .members(&id)
            .add(members.clone())
            .send()
            .await
        {
            Ok(_) => groups.done(
                &name,
                "add_members",
                json!({"id": id, "members": members, "count": count}),
            ),
            Err(e) => groups.failed(&name, "add_members", &e.to_string()),
        }
    }
}

/// Asks on the terminal; anything but `y` or `yes` is a no, and so is a
/// run that is not on a terminal.
fn ask(file: &Path, table: bool, changes: usize) -> bool {
    let interactive = table
        && file.as_os_str() != "-"
        && !crate::shell::quiet()
        && std::io::stdin().is_terminal()
        && std::io::stderr().is_terminal();
    if !interactive {
        return false;
    }
    crate::shell::ask_yes(&format!("sync {}", plural(changes, "change", "changes")))
}
