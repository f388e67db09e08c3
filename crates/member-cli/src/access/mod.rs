//! `cf-members export`, `plan FILE` and `sync FILE`: the account's access
//! as a reviewed file, the difference, and making it so (`sync.rs`).

mod sync;

pub use sync::run_sync;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use member_client::{
    access_text, AccessFileError, AccessPlan, AccessSource, AccountId, Client, DriftAction,
    PolicyEntry, SourceFormat,
};
use serde_json::{json, Value};

use crate::cli::{ExportArgs, GlobalArgs, OutputFormat, PlanArgs};
use crate::commands::{self, write_json, write_text, Outcome};
use crate::output::{clean, plural};
use crate::report::{Failure, EXIT_DRIFT};

/// After the `export` help.
pub const EXPORT_HELP: &str = "\
Writes every member (by email, with roles or policies by name) and every user
group (policies and members) of the account, sorted, names where they are
unique and ids where a name is ambiguous: `export` then `plan` on an unchanged
account shows no change. Statuses are left out (a pending invitation with the
right access is not drift).

  cf-members export --account-id 'Example Corp' > access.yaml
  cf-members -o json export --out access.json";

/// After the `plan` help.
pub const PLAN_HELP: &str = "\
Compares roles, policies, permission groups, resource groups and group members
as sets (order, policy ids, meta and the form of `scope` never count). The
account is the file's `account:` (a name or an id); --account-id, when given,
must be the same account.

  + invited   ~ changed   - removed (--prune) or not in the file (kept)

Exit status: 0 no drift, 3 drift, 2 a problem with the file or the options
(every unresolved name and every member listed twice is told with its line;
nothing is sent), 1 any other failure.";

/// After the `sync` help.
pub const SYNC_HELP: &str = "\
Plans as `cf-members plan` does, then runs the plan through the engine of
`cf-members apply` (rate limit, concurrency, retry file, Ctrl-C, summary).
User groups of the file that the account lacks are created first; people the
sync invites are put into their groups once invited, in the same run. User
groups are never deleted. Without --prune nobody is removed. Refused, with nothing sent: a plan that
would leave the account without an active Super Administrator, one removing
more than --max-removals members, and one removing the token's own user.

  cf-members sync access.yaml            # the plan; asks on a terminal
  cf-members sync access.yaml --yes --prune --max-removals 10

Exit status: 0 done or nothing to do, 2 a problem with the file or a refusal
(nothing sent), 1 a change failed (see the retry file), 130 Ctrl-C.";

/// Reads the access file at `path` (`-` is stdin), every problem of its
/// syntax with its line.
fn read_source(path: &Path) -> Result<AccessSource, Failure> {
    let stdin = path.as_os_str() == "-";
    let mut text = String::new();
    let read = if stdin {
        std::io::stdin().read_to_string(&mut text).map(|_| ())
    } else {
        std::fs::read_to_string(path).map(|t| text = t)
    };
    read.map_err(|e| {
        Failure::usage(format!(
            "cannot read the access file {}: {e}",
            path.display()
        ))
    })?;
    let format = SourceFormat::guess(&path.to_string_lossy(), &text);
    AccessSource::parse(&text, format).map_err(|e| {
        Failure::usage(format!(
            "{}{}: {}; nothing was sent",
            path.display(),
            e.line.map(|l| format!(":{l}")).unwrap_or_default(),
            e.message
        ))
        .with_hint("an access file has account:, members: and groups: (see cf-members plan --help)")
    })
}

/// The account of the file: its `account:` (an id, or a name looked up),
/// which must be the account of `--account-id` when that is given too.
async fn file_account(
    global: &GlobalArgs,
    client: &Client,
    source: &AccessSource,
) -> Result<AccountId, Failure> {
    let named = source.file.account.trim();
    let from_file = if named.len() == 32 && named.bytes().all(|b| b.is_ascii_hexdigit()) {
        AccountId::new(named.to_ascii_lowercase()).map_err(|e| Failure::usage(e.to_string()))?
    } else {
        client
            .accounts()
            .resolve(named)
            .await
            .map_err(|e| {
                Failure::usage(format!("account: {e}; nothing was sent"))
                    .with_hint("write the account's id in the file's account: to skip the lookup")
            })?
            .id
    };
    if global
        .account_id
        .as_deref()
        .is_some_and(|a| !a.trim().is_empty())
    {
        let given = commands::account(global)?;
        if given != from_file {
            return Err(Failure::usage(format!(
                "the file is for account {from_file}, but --account-id (or \
                 CLOUDFLARE_ACCOUNT_ID) names {given}; nothing was sent"
            ))
            .with_hint("leave --account-id out, or fix the file's account:"));
        }
    }
    Ok(from_file)
}

/// Plans the file, every problem of it on stderr with its line.
async fn plan_file(
    client: &Client,
    account: &AccountId,
    source: &AccessSource,
    path: &Path,
    prune: bool,
) -> Result<AccessPlan, Failure> {
    match client.access_plan(account, &source.file, prune).await {
        Ok(plan) => Ok(plan),
        Err(AccessFileError::Invalid(problems)) => {
            let mut lines: Vec<(usize, String)> = problems
                .iter()
                .map(|p| {
                    let line = source.line_of(&p.place);
                    let at = line.map(|l| format!(":{l}")).unwrap_or_default();
                    (
                        line.unwrap_or(0),
                        format!("{}{at}: {}", path.display(), clean(&p.to_string())),
                    )
                })
                .collect();
            lines.sort_by_key(|(line, _)| *line);
            let mut err = std::io::stderr().lock();
            for (_, line) in &lines {
                let _ = writeln!(err, "{line}");
            }
            Err(Failure::usage(format!(
                "{} in {}; nothing was sent",
                plural(problems.len(), "problem", "problems"),
                path.display()
            )))
        }
        Err(AccessFileError::Request(e)) => Err(Failure::from_client(&e, false)),
        Err(other) => Err(Failure::other(other.to_string())),
    }
}

/// Runs `cf-members export`.
pub async fn run_export(global: &GlobalArgs, args: ExportArgs) -> Outcome {
    let account = commands::account(global)?;
    let client = commands::client_with(global, None)?;
    let file = client
        .export_access(&account)
        .await
        .map_err(|e| Failure::from_client(&e, false))?;
    let format = if matches!(global.output, OutputFormat::Json | OutputFormat::Jsonl) {
        SourceFormat::Json
    } else {
        SourceFormat::Yaml
    };
    let mut text = if global.output == OutputFormat::Jsonl {
        // JSON Lines: the one value on one line.
        let mut line = serde_json::to_string(&file).map_err(|e| Failure::other(e.to_string()))?;
        line.push('\n');
        line
    } else {
        access_text(&file, format).map_err(|e| Failure::other(e.to_string()))?
    };
    if format == SourceFormat::Yaml {
        text.insert_str(
            0,
            &format!(
                "# The access of account {account}, written by `cf-members export`.\n\
                 # Edit it, then: cf-members plan FILE; cf-members sync FILE\n"
            ),
        );
    }
    match &args.out {
        None => write_text(&text),
        Some(path) => write_whole(path, &text),
    }
}

/// Writes `text` to `path` whole or not at all (a temporary file, renamed).
fn write_whole(path: &Path, text: &str) -> Outcome {
    let mut temp = path.as_os_str().to_owned();
    temp.push(".partial");
    let temp = PathBuf::from(temp);
    std::fs::write(&temp, text)
        .and_then(|()| std::fs::rename(&temp, path))
        .map_err(|e| {
            let _ = std::fs::remove_file(&temp);
            Failure::other(format!("cannot write {}: {e}", path.display()))
        })
}

/// Runs `cf-members plan FILE`.
pub async fn run_plan(global: &GlobalArgs, args: PlanArgs) -> Outcome {
    let source = read_source(&args.file)?;
    let client = commands::client_with(global, None)?;
    let account = file_account(global, &client, &source).await?;
    let plan = plan_file(&client, &account, &source, &args.file, args.prune).await?;
    if global.output == OutputFormat::Table {
        write_text(&plan_text(&plan, &account, &args.file, args.prune))?;
    } else {
        write_json(&plan_json(&plan, &account))?;
    }
    if plan.has_drift() {
        Err(Failure::silent(EXIT_DRIFT))
    } else {
        Ok(())
    }
}

/// `allow [DNS Write, Zone Read] on [zone:example.com]`.
fn policy_text(policy: &PolicyEntry) -> String {
    let (verb, groups) = match (&policy.allow, &policy.deny) {
        (_, Some(groups)) => ("deny", groups),
        (Some(groups), None) => ("allow", groups),
        (None, None) => ("allow", &Vec::new()),
    };
    clean(&format!(
        "{verb} [{}] on [{}]",
        groups.join(", "),
        policy.on.join(", ")
    ))
}

/// The indented lines of what goes and what comes, in that order:
/// `    - role DNS`, then `    + role Administrator Read Only`.
fn both(
    out: &mut String,
    what: &str,
    removed: impl Iterator<Item = String>,
    added: impl Iterator<Item = String>,
) {
    use std::fmt::Write as _;
    for item in removed {
        let _ = writeln!(out, "    - {what} {item}");
    }
    for item in added {
        let _ = writeln!(out, "    + {what} {item}");
    }
}

/// The plan as people read it, Terraform style.
fn plan_text(plan: &AccessPlan, account: &AccountId, path: &Path, prune: bool) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let _ = writeln!(out, "Account {account} against {}:", path.display());
    let (mut add, mut change, mut remove, mut kept) = (0, 0, 0, 0);
    for member in &plan.members {
        let (sign, note) = match member.action {
            DriftAction::Add => {
                add += 1;
                ("+", " (invited)")
            }
            DriftAction::Update | DriftAction::Status => {
                change += 1;
                ("~", "")
            }
            DriftAction::Remove => {
                remove += 1;
                ("-", " (removed: not in the file)")
            }
            DriftAction::NotInFile => {
                kept += 1;
                ("-", " (not in the file; kept: sync --prune removes them)")
            }
            _ => ("?", ""),
        };
        let _ = writeln!(out, "\n{sign} {}{note}", clean(&member.email));
        if member.action != DriftAction::Remove {
            both(
                &mut out,
                "role",
                member.roles_removed.iter().map(|r| clean(r)),
                member.roles_added.iter().map(|r| clean(r)),
            );
            both(
                &mut out,
                "policy",
                member.policies_removed.iter().map(policy_text),
                member.policies_added.iter().map(policy_text),
            );
        }
        if let Some(status) = &member.status {
            let now = status.now.as_ref().map_or("none", |s| s.as_str());
            let _ = writeln!(
                out,
                "    ~ status {now}, the file says {} (only the person invited can accept; \
                 sync cannot change it)",
                status.wanted.as_str()
            );
        }
    }
    let mut created = 0;
    for group in &plan.groups {
        if group.created {
            created += 1;
            let _ = writeln!(out, "\n+ group {} (created)", clean(&group.name));
        } else {
            change += 1;
            let _ = writeln!(out, "\n~ group {}", clean(&group.name));
        }
        both(
            &mut out,
            "member",
            group.members_removed.iter().map(|e| clean(e)),
            group.members_added.iter().map(|e| clean(e)),
        );
        both(
            &mut out,
            "policy",
            group.policies_removed.iter().map(policy_text),
            group.policies_added.iter().map(policy_text),
        );
    }
    for problem in &plan.plan.problems {
        let _ = writeln!(out, "\n! {}", clean(&problem.message));
    }
    for join in &plan.changes.joins {
        let _ = writeln!(
            out,
            "\nnote: {} joins the user group {} once invited (after the member changes)",
            clean(&join.email),
            clean(&join.group)
        );
    }
    for email in &plan.changes.held_as_is {
        let _ = writeln!(
            out,
            "\nnote: {} holds roles and policies together, as the file says: kept as is",
            clean(email)
        );
    }
    if plan.has_drift() {
        let mut summary = format!(
            "\nDrift: {} to invite, {} to change, {} to remove",
            add, change, remove
        );
        if created > 0 {
            let _ = write!(
                summary,
                ", {}",
                plural(created, "user group to create", "user groups to create")
            );
        }
        if kept > 0 {
            let _ = write!(
                summary,
                ", {} not in the file{}",
                kept,
                if prune { "" } else { " (kept without --prune)" }
            );
        }
        let _ = writeln!(out, "{summary}.");
    } else {
        let _ = writeln!(out, "\nNo drift: the account matches the file.");
    }
    out
}

fn plan_json(plan: &AccessPlan, account: &AccountId) -> Value {
    json!({
        "account": account,
        "drift": plan.has_drift(),
        "members": plan.members,
        "groups": plan.groups,
        "problems": plan.plan.problems,
        "joins": plan.changes.joins,
        "held_as_is": plan.changes.held_as_is,
        "to_send": plan.to_send(),
    })
}
