//! `cf-members offboard EMAIL`: the plan per account, then (with --yes) the
//! removals, a report per account, and a retry file of the accounts where
//! access may remain.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use futures::StreamExt;
use member_client::{AccountRef, Error, Member, OffboardAction, OffboardEntry, OffboardOutcome};
use serde_json::{json, Value};

use super::whois::roles_text;
use super::{account_json, account_text, error_json, of_accounts};
use crate::cli::{GlobalArgs, OffboardArgs, OutputFormat};
use crate::commands::{write_json, write_text, Outcome};
use crate::output::paint::{paint, paint_err, Tone};
use crate::output::{clean, plural};
use crate::progress::Progress;
use crate::report::{Failure, EXIT_FAILURE, EXIT_USAGE};
use crate::shell::note;

/// Why the last Super Administrator is not removed.
const LAST_SUPER_ADMIN: &str = "refused: the account's last Super Administrator (removing \
                                them would leave nobody able to manage the account); make \
                                someone else Super Administrator, then run again";

/// Runs `cf-members offboard`.
pub async fn run(global: &GlobalArgs, args: OffboardArgs) -> Outcome {
    let retry_path = args
        .retry_file
        .clone()
        .unwrap_or_else(|| default_retry_path(&args.email));
    if args.yes && !args.dry_run {
        check_writable(&retry_path)?;
    }
    let client = super::client(global, &args.accounts)?;
    let accounts = super::select(&client, &args.accounts).await?;
    let total = accounts.len();
    let mut progress = Progress::new("accounts", !global.verbose);
    progress.draw(&format!("reading {}", plural(total, "account", "accounts")));
    let plan = client
        .offboard_plan(&args.email, accounts)
        .await
        .map_err(|e| Failure::from_client(&e, false))?;
    progress.finish();
    let counts = Counts::of(&plan);
    let table = global.output == OutputFormat::Table;
    if table {
        write_text(&plan_text(&args.email, &plan, &counts))?;
    }

    let go = if counts.memberships == 0 {
        false
    } else if args.dry_run {
        note!("cf-members: dry run: nothing was removed");
        false
    } else if args.yes {
        true
    } else if table
        && !crate::shell::quiet()
        && std::io::stdin().is_terminal()
        && std::io::stderr().is_terminal()
    {
        let asked = ask(&args.email, &counts);
        if asked {
            check_writable(&retry_path)?;
        }
        asked
    } else {
        false
    };

    let outcomes = if go {
        Some(remove(&client, &plan, counts.memberships, global).await)
    } else {
        None
    };
    let left = Left::of(&plan, outcomes.as_deref());
    let retry = match &outcomes {
        Some(_) => Some(write_retry_file(&retry_path, &args.email, &left)),
        None => None,
    };
    if table {
        if let Some(outcomes) = &outcomes {
            write_text(&report_text(&plan, outcomes, &counts, &left))?;
            match &retry {
                Some(Ok(())) if left.accounts.is_empty() => println!(
                    "Retry file: {} (empty: nothing to retry)",
                    retry_path.display()
                ),
                Some(Ok(())) => println!(
                    "Retry file: {} ({}); once fixed: cf-members offboard {} --accounts @{} --yes",
                    retry_path.display(),
                    plural(left.accounts.len(), "account", "accounts"),
                    clean(&args.email),
                    retry_path.display()
                ),
                _ => {}
            }
        }
    } else {
        write_json(&report_json(
            &args,
            &plan,
            outcomes.as_deref(),
            &retry_path,
            &left,
        ))?;
    }
    if let Some(Err(failure)) = retry {
        failure.print();
    }
    verdict(&args, &counts, outcomes.is_some(), &left, total)
}

/// The plan's counts.
struct Counts {
    remove: usize,
    memberships: usize,
    not_member: usize,
    refused: usize,
    unreadable: usize,
}

impl Counts {
    fn of(plan: &[OffboardEntry]) -> Self {
        let mut counts = Self {
            remove: 0,
            memberships: 0,
            not_member: 0,
            refused: 0,
            unreadable: 0,
        };
        for entry in plan {
            match &entry.action {
                OffboardAction::Remove(members) => {
                    counts.remove += 1;
                    counts.memberships += members.len();
                }
                OffboardAction::NotMember => counts.not_member += 1,
                OffboardAction::LastSuperAdmin(_) => counts.refused += 1,
                _ => counts.unreadable += 1,
            }
        }
        counts
    }
}

/// The accounts where access may remain after the run (or, without one,
/// after the plan): removals that failed, refused, unreadable.
struct Left {
    accounts: Vec<LeftAccount>,
    failed_removals: usize,
}

struct LeftAccount {
    account: AccountRef,
    reason: &'static str,
    error: Option<String>,
}

impl Left {
    fn of(plan: &[OffboardEntry], outcomes: Option<&[OffboardOutcome]>) -> Self {
        let mut accounts = Vec::new();
        let mut failed_removals = 0;
        for entry in plan {
            let left = match &entry.action {
                OffboardAction::LastSuperAdmin(_) => Some(("refused", None)),
                OffboardAction::Unreadable(e) => Some(("unreadable", Some(e.to_string()))),
                OffboardAction::Remove(_) => {
                    let failures: Vec<&Error> = outcomes
                        .unwrap_or_default()
                        .iter()
                        .filter(|o| o.account.id == entry.account.id)
                        .filter_map(|o| o.result.as_ref().err())
                        .collect();
                    failed_removals += failures.len();
                    failures
                        .first()
                        .map(|e| ("removal failed", Some(e.to_string())))
                }
                _ => None,
            };
            if let Some((reason, error)) = left {
                accounts.push(LeftAccount {
                    account: entry.account.clone(),
                    reason,
                    error,
                });
            }
        }
        Self {
            accounts,
            failed_removals,
        }
    }
}

/// `bob@… (4536…) accepted; roles DNS`.
fn membership_text(member: &Member) -> String {
    let status = member.status.as_ref().map_or("-", |s| s.as_str());
    let what = if status == "pending" {
        "invitation"
    } else {
        "membership"
    };
    format!(
        "{what} {} ({}; roles {}{})",
        member
            .id
            .as_ref()
            .map_or("-".to_owned(), |id| clean(id.as_str())),
        clean(status),
        roles_text(member),
        match member.policies.len() {
            0 => String::new(),
            n => format!("; {}", plural(n, "policy", "policies")),
        }
    )
}

/// The plan for people.
fn plan_text(email: &str, plan: &[OffboardEntry], counts: &Counts) -> String {
    let mut out = if counts.memberships == 0 {
        format!(
            "Plan for {}: nothing to remove in {}",
            clean(email),
            plural(plan.len(), "account", "accounts")
        )
    } else {
        format!(
            "Plan for {}: remove {} in {}",
            clean(email),
            plural(counts.memberships, "membership", "memberships"),
            of_accounts(counts.remove, plan.len())
        )
    };
    out.push_str(&format!(
        "; {} not a member; {} refused; {} unreadable\n\n",
        counts.not_member, counts.refused, counts.unreadable
    ));
    for entry in plan {
        let account = account_text(&entry.account);
        match &entry.action {
            OffboardAction::Remove(members) => {
                out.push_str(&format!("remove        {account}\n"));
                for member in members {
                    out.push_str(&format!("    {}\n", membership_text(member)));
                }
            }
            OffboardAction::NotMember => {
                out.push_str(&format!("not a member  {account}\n"));
            }
            OffboardAction::LastSuperAdmin(members) => {
                out.push_str(&format!(
                    "{}       {account}\n    {LAST_SUPER_ADMIN}\n",
                    paint(Tone::Bad, "refused")
                ));
                for member in members {
                    out.push_str(&format!("    {}\n", membership_text(member)));
                }
            }
            OffboardAction::Unreadable(error) => {
                out.push_str(&format!(
                    "{}    {account}\n    {}\n",
                    paint(Tone::Bad, "unreadable"),
                    clean(&error.to_string())
                ));
            }
            _ => {}
        }
    }
    out
}

/// Removes the plan's memberships, reporting failures as they come.
async fn remove(
    client: &member_client::Client,
    plan: &[OffboardEntry],
    total: usize,
    global: &GlobalArgs,
) -> Vec<OffboardOutcome> {
    let mut progress = Progress::new("memberships", !global.verbose);
    let mut outcomes = Vec::with_capacity(total);
    let mut run = client.offboard_run(plan);
    progress.draw(&format!("removing: 0 of {total} memberships done"));
    while let Some(outcome) = run.next().await {
        if let Err(error) = &outcome.result {
            progress.finish();
            eprintln!(
                "cf-members: {} {}: membership {}: {}",
                paint_err(Tone::Bad, "failed:"),
                account_text(&outcome.account),
                outcome
                    .member
                    .id
                    .as_ref()
                    .map_or("-".to_owned(), |id| clean(id.as_str())),
                clean(&error.to_string())
            );
        }
        outcomes.push(outcome);
        progress.draw(&format!(
            "removing: {} of {total} memberships done",
            outcomes.len()
        ));
    }
    progress.finish();
    outcomes
}

/// Each account's outcome after the run.
fn report_text(
    plan: &[OffboardEntry],
    outcomes: &[OffboardOutcome],
    counts: &Counts,
    left: &Left,
) -> String {
    let removed_from = plan
        .iter()
        .filter(|e| matches!(e.action, OffboardAction::Remove(_)))
        .filter(|e| !left.accounts.iter().any(|l| l.account.id == e.account.id))
        .count();
    let mut out = format!(
        "\nDone: removed from {}; {} not a member; {} refused; {} unreadable; {} failed\n",
        plural(removed_from, "account", "accounts"),
        counts.not_member,
        counts.refused,
        counts.unreadable,
        plural(left.failed_removals, "removal", "removals"),
    );
    for entry in plan {
        let account = account_text(&entry.account);
        let line = match &entry.action {
            OffboardAction::Remove(_) => {
                let mine: Vec<&OffboardOutcome> = outcomes
                    .iter()
                    .filter(|o| o.account.id == entry.account.id)
                    .collect();
                let failed: Vec<String> = mine
                    .iter()
                    .filter_map(|o| {
                        o.result.as_ref().err().map(|e| {
                            format!(
                                "membership {}: {}",
                                o.member
                                    .id
                                    .as_ref()
                                    .map_or("-".to_owned(), |id| clean(id.as_str())),
                                clean(&e.to_string())
                            )
                        })
                    })
                    .collect();
                if failed.is_empty() {
                    format!(
                        "removed       {account} ({})",
                        plural(mine.len(), "membership", "memberships")
                    )
                } else {
                    format!(
                        "{}        {account}\n    {}",
                        paint(Tone::Bad, "failed"),
                        failed.join("\n    ")
                    )
                }
            }
            OffboardAction::NotMember => format!("not a member  {account}"),
            OffboardAction::LastSuperAdmin(_) => {
                format!(
                    "{}       {account}: still has access (the last Super Administrator)",
                    paint(Tone::Bad, "refused")
                )
            }
            OffboardAction::Unreadable(e) => {
                format!(
                    "{}    {account}: {}",
                    paint(Tone::Bad, "unreadable"),
                    clean(&e.to_string())
                )
            }
            _ => continue,
        };
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// The `-o json` report.
fn report_json(
    args: &OffboardArgs,
    plan: &[OffboardEntry],
    outcomes: Option<&[OffboardOutcome]>,
    retry_path: &Path,
    left: &Left,
) -> Value {
    let members = |members: &[Member]| -> Vec<Value> { members.iter().map(member_json).collect() };
    let entries: Vec<Value> = plan
        .iter()
        .map(|entry| {
            let account = account_json(&entry.account);
            match &entry.action {
                OffboardAction::Remove(m) => {
                    json!({"account": account, "action": "remove", "members": members(m)})
                }
                OffboardAction::LastSuperAdmin(m) => json!({
                    "account": account, "action": "refused_last_super_admin", "members": members(m)
                }),
                OffboardAction::Unreadable(e) => {
                    json!({"account": account, "action": "unreadable", "error": error_json(e)})
                }
                _ => json!({"account": account, "action": "not_member"}),
            }
        })
        .collect();
    let outcomes: Vec<Value> = outcomes
        .unwrap_or_default()
        .iter()
        .map(|o| {
            json!({
                "account": account_json(&o.account),
                "member_id": o.member.id.as_ref().map(|id| id.as_str()),
                "status": o.member.status.as_ref().map(|s| s.as_str()),
                "removed": o.result.is_ok(),
                "error": o.result.as_ref().err().map(error_json),
            })
        })
        .collect();
    let counts = Counts::of(plan);
    json!({
        "email": args.email,
        "dry_run": args.dry_run,
        "ran": !outcomes.is_empty(),
        "plan": entries,
        "outcomes": outcomes,
        "summary": {
            "accounts": plan.len(),
            "remove": counts.remove,
            "memberships": counts.memberships,
            "not_member": counts.not_member,
            "refused": counts.refused,
            "unreadable": counts.unreadable,
            "failed_removals": left.failed_removals,
            "access_may_remain": left.accounts.len(),
        },
        "retry_file": (!outcomes.is_empty()).then(|| json!({
            "path": retry_path.display().to_string(),
            "accounts": left.accounts.len(),
        })),
    })
}

fn member_json(member: &Member) -> Value {
    json!({
        "id": member.id.as_ref().map(|id| id.as_str()),
        "email": member.email(),
        "status": member.status.as_ref().map(|s| s.as_str()),
        "roles": member.roles.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(),
        "policies": member.policies.len(),
    })
}

/// The exit: 0 when nothing of the person is left anywhere (a plan: when
/// all of it can be removed), 1 when access remains or may remain (even
/// with --yes: an account refused or unreadable), 2 when removals were
/// planned, not confirmed, and would all go.
fn verdict(args: &OffboardArgs, counts: &Counts, ran: bool, left: &Left, total: usize) -> Outcome {
    let email = clean(&args.email);
    let unconfirmed = !ran && counts.memberships > 0 && !args.dry_run;
    if unconfirmed && !left.accounts.is_empty() {
        // Exit 1 wins: confirming would not finish the offboarding.
        note!(
            "cf-members: nothing was removed: run again with --yes to remove {} of {email} in {}",
            plural(counts.memberships, "membership", "memberships"),
            plural(counts.remove, "account", "accounts"),
        );
    }
    if unconfirmed && left.accounts.is_empty() {
        return Err(Failure::with_code(
            format!(
                "nothing was removed: run again with --yes to remove {} of {email} in {}",
                plural(counts.memberships, "membership", "memberships"),
                plural(counts.remove, "account", "accounts"),
            ),
            EXIT_USAGE,
        ));
    }
    if left.accounts.is_empty() {
        if !ran && counts.memberships == 0 {
            note!(
                "cf-members: nothing to do: {email} is not a member of any of the {}",
                plural(total, "account", "accounts")
            );
        }
        return Ok(());
    }
    let mut parts = Vec::new();
    if left.failed_removals > 0 {
        parts.push(format!(
            "{} failed",
            plural(left.failed_removals, "removal", "removals")
        ));
    }
    if counts.refused > 0 {
        parts.push(format!(
            "refused in {} (the last Super Administrator: {email} still has access there)",
            plural(counts.refused, "account", "accounts")
        ));
    }
    if counts.unreadable > 0 {
        parts.push(format!(
            "{} could not be read ({email} may have access there)",
            plural(counts.unreadable, "account", "accounts")
        ));
    }
    let hint = if ran {
        format!(
            "the retry file {} lists those accounts; once fixed: cf-members offboard {email} \
             --accounts @{} --yes",
            default_or(&args.retry_file, &args.email).display(),
            default_or(&args.retry_file, &args.email).display()
        )
    } else {
        "make someone else Super Administrator where refused, and give the token access \
         (Account Settings Read and Edit) where unreadable"
            .to_owned()
    };
    Err(Failure::with_code(
        format!("access may remain: {}", parts.join("; ")),
        EXIT_FAILURE,
    )
    .with_hint(hint))
}

fn default_or(path: &Option<PathBuf>, email: &str) -> PathBuf {
    path.clone().unwrap_or_else(|| default_retry_path(email))
}

/// `offboard-bob@example.com.retry.json` in the current directory.
fn default_retry_path(email: &str) -> PathBuf {
    let safe: String = email
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "@._-+".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    PathBuf::from(format!("offboard-{safe}.retry.json"))
}

/// Asks on the terminal; anything but `y` or `yes` is a no.
fn ask(email: &str, counts: &Counts) -> bool {
    crate::shell::ask_yes(&format!(
        "remove {} of {} in {}",
        plural(counts.memberships, "membership", "memberships"),
        clean(email),
        plural(counts.remove, "account", "accounts")
    ))
}

fn temp_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".partial");
    PathBuf::from(name)
}

/// Refuses (exit 2, nothing sent) a retry file that could not be written.
fn check_writable(path: &Path) -> Result<(), Failure> {
    let temp = temp_path(path);
    let refused = |why: String| {
        Failure::usage(format!(
            "cannot write the retry file {}: {why}; nothing was sent",
            path.display()
        ))
        .with_hint("--retry-file PATH chooses another place")
    };
    if path.is_dir() {
        return Err(refused("it is a directory".to_owned()));
    }
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(&temp)
        .and_then(|_| std::fs::remove_file(&temp))
        .map_err(|e| refused(e.to_string()))
}

/// Writes the retry file whole or not at all: the email and every account
/// where access may remain (`--accounts @FILE` reads it back).
fn write_retry_file(path: &Path, email: &str, left: &Left) -> Result<(), Failure> {
    let value = json!({
        "email": email,
        "accounts": left.accounts.iter().map(|l| json!({
            "id": l.account.id.as_str(),
            "name": l.account.name,
            "reason": l.reason,
            "error": l.error,
        })).collect::<Vec<_>>(),
    });
    let mut text = serde_json::to_string_pretty(&value)
        .map_err(|e| Failure::other(format!("cannot encode the retry file: {e}")))?;
    text.push('\n');
    let temp = temp_path(path);
    std::fs::write(&temp, &text)
        .and_then(|()| std::fs::rename(&temp, path))
        .map_err(|e| {
            let _ = std::fs::remove_file(&temp);
            eprintln!("cf-members: the retry file's content:\n{text}");
            Failure::other(format!(
                "cannot write the retry file {}: {e}",
                path.display()
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_retry_file_is_named_after_the_email() {
        assert_eq!(
            default_retry_path("Bob.DNS+x@example.com"),
            PathBuf::from("offboard-Bob.DNS+x@example.com.retry.json")
        );
        assert_eq!(
            default_retry_path("a/b@x.com"),
            PathBuf::from("offboard-a_b@x.com.retry.json")
        );
    }
}
