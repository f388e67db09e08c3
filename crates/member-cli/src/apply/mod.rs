//! `cf-members apply FILE`: read and check the file, plan it against the
//! current members, stop or ask or run it within the rate limit, report
//! every outcome, and write what did not happen to the retry file.
//!
//! Here the flow and the retry file; the plan as text in `view.rs`, the run
//! in `execute.rs`, the counts, exit and JSON report in `summary.rs`.

mod execute;
mod summary;
mod view;

use std::collections::HashMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use member_client::{NamedChange, RateLimitConfig, Resolver, RetryFile};

use self::execute::{execute, LastStage, Run};
use self::summary::{report, Summary};
use self::view::View;
use crate::changes::{self, Format, Input};
use crate::cli::{ApplyArgs, GlobalArgs, OutputFormat, RateLimitArg};
use crate::commands::{self, write_json, write_text};
use crate::output::plural;
use crate::report::Failure;
use crate::shell::note;

/// Where a retry file goes when FILE is stdin.
const STDIN_RETRY_FILE: &str = "cf-members.retry.json";

/// Runs `cf-members apply`.
pub async fn run(global: &GlobalArgs, args: ApplyArgs) -> commands::Outcome {
    // Everything that can be checked without the server, first.
    let input = changes::read(&args.file)?;
    let account = commands::account(global)?;
    let client = client_for(global, args.run.rate_limit.as_ref())?;
    let retry_path = retry_path(&args, input.format);
    check_retry_path(&args, &input, &retry_path)?;

    // Names first: every one that does not resolve is told at once, and
    // nothing is planned or sent. Each kind is read once, here and for the
    // role names of the plan's text.
    let resolver = client.resolver(&account);
    let wanted = NamedChange::resolve_all(&resolver, &input.changes)
        .await
        .map_err(|failed| changes::unresolved(&args.file, &input, failed))?;
    let members = client.members(&account);
    // Planned against the resolver's members, which the lockout guard
    // reads too: one list for both.
    let read = |e: member_client::Error| Failure::from_client(&e, false);
    let current = resolver.members().await.map_err(read)?;
    let plan = members.plan_with(&current, &wanted).await.map_err(read)?;
    commands::refuse_planned_lockout(&client, &resolver, &plan).await?;
    let planned = Planned {
        plan,
        places: &input.places,
        show_plan: true,
        hold_report: false,
    };
    carry_out(
        global,
        &args,
        &client,
        &resolver,
        &members,
        planned,
        &retry_path,
    )
    .await
    .outcome
}

/// The client of a run, with its client-side rate limit.
pub(crate) fn client_for(
    global: &GlobalArgs,
    rate_limit: Option<&RateLimitArg>,
) -> Result<member_client::Client, Failure> {
    let limit = match rate_limit {
        None => Some(RateLimitConfig::cloudflare()),
        Some(RateLimitArg::Limit(config)) => Some(config.clone()),
        Some(RateLimitArg::Off) => None,
    };
    commands::client_with(global, limit)
}

/// A plan to show and run, with where each of its inputs came from.
pub(crate) struct Planned<'a> {
    pub(crate) plan: member_client::Plan,
    pub(crate) places: &'a [String],
    /// Whether to print the plan as text first (a sync prints its own).
    pub(crate) show_plan: bool,
    /// Whether to return the JSON report (`-o json`) instead of printing
    /// it, for a caller that adds to it (a sync adds its user groups).
    pub(crate) hold_report: bool,
}

/// How a plan was carried out.
pub(crate) struct Carried {
    /// The exit of the run.
    pub(crate) outcome: commands::Outcome,
    /// The JSON report, when held ([`Planned::hold_report`], `-o json`).
    pub(crate) report: Option<serde_json::Value>,
    /// Whether Ctrl-C stopped the run before every change was made.
    pub(crate) interrupted: bool,
}

/// Shows the plan, then stops, asks or runs it within the rate limit,
/// reports every outcome and writes what did not happen to the retry file.
pub(crate) async fn carry_out(
    global: &GlobalArgs,
    args: &ApplyArgs,
    client: &member_client::Client,
    resolver: &Resolver,
    members: &member_client::Members,
    planned: Planned<'_>,
    retry_path: &Path,
) -> Carried {
    let mut carried = Carried {
        outcome: Ok(()),
        report: None,
        interrupted: false,
    };
    carried.outcome = run_planned(
        global,
        args,
        client,
        resolver,
        members,
        planned,
        retry_path,
        &mut carried,
    )
    .await;
    carried
}

#[allow(clippy::too_many_arguments, reason = "the steps of one run, in order")]
async fn run_planned(
    global: &GlobalArgs,
    args: &ApplyArgs,
    client: &member_client::Client,
    resolver: &Resolver,
    members: &member_client::Members,
    planned: Planned<'_>,
    retry_path: &Path,
    carried: &mut Carried,
) -> commands::Outcome {
    let hold_report = planned.hold_report;
    let mut view = View::new(planned.plan, planned.places);
    let table = global.output == OutputFormat::Table;
    let show = table && planned.show_plan;
    if show && view.mentions_groups() {
        // Already read when the file named the groups: no new request.
        if let Ok(groups) = resolver.user_groups().await {
            view.group_names = groups
                .iter()
                .filter_map(|g| Some((g.id.as_str().to_owned(), g.name.clone()?)))
                .collect();
        }
    }
    if show && view.mentions_policies() {
        // Only what resolving the file read already: no request is added
        // for the names (ids are shown where they are not known).
        if let Some(groups) = resolver.permission_groups_if_read() {
            view.policy_names.permission_groups = groups
                .iter()
                .filter_map(|g| Some((g.id.as_str().to_owned(), g.name.clone()?)))
                .collect();
        }
        if let Some(groups) = resolver.resource_groups_if_read() {
            view.policy_names.resource_groups = groups
                .iter()
                .map(|g| {
                    let text = crate::output::group_text_with(g, &HashMap::new());
                    (g.id.as_str().to_owned(), text)
                })
                .collect();
        }
    }
    let roles = if show && view.mentions_roles() {
        role_names(resolver).await
    } else {
        None
    };
    if show {
        write_text(&view.plan_text(roles.as_ref()))?;
    }

    let ran = if confirmed(args, &view, table, retry_path)? {
        let last = last_stage(client, resolver, &view).await?;
        Some(execute(members, &view, args.run.concurrency as usize, global, last).await)
    } else {
        None
    };
    let (retry, unsaved) = match &ran {
        Some(run) => save_retry(retry_path, run),
        None => (None, None),
    };
    carried.interrupted = ran.as_ref().is_some_and(|r| r.interrupted);
    let summary = Summary::new(&view, ran.as_ref());
    if table {
        if let Some(run) = &ran {
            write_text(&summary.text(run, retry_path, retry))?;
        }
    } else {
        let report = report(&view, args, ran.as_ref(), &summary, retry_path, retry);
        if hold_report {
            carried.report = Some(report);
        } else {
            write_json(&report)?;
        }
    }
    let verdict = summary.verdict(ran.as_ref(), retry_path);
    match unsaved {
        Some(failure) if verdict.is_ok() => Err(failure),
        _ => verdict,
    }
}

/// The changes that take Super Administrator access from somebody, to run
/// after the others and only after the guard is asked again (a change that
/// was to give it to somebody else may fail). A read that fails stops the
/// run with nothing sent.
async fn last_stage(
    client: &member_client::Client,
    resolver: &Resolver,
    view: &View<'_>,
) -> Result<Option<LastStage>, crate::report::Failure> {
    let losses = client
        .super_admin_losses(resolver, &view.plan)
        .await
        .map_err(|e| commands::guard_read_failed(&e))?;
    if losses.is_empty() {
        return Ok(None);
    }
    let indexes = (0..view.changes().len())
        .filter(|&i| {
            view.sent_entry(i)
                .and_then(|e| e.member_id.as_ref())
                .is_some_and(|id| losses.contains(id))
        })
        .collect();
    Ok(Some(LastStage {
        indexes,
        client: client.clone(),
        account: resolver.account_id().clone(),
    }))
}

/// Refuses (exit 2, nothing sent) a retry file that would overwrite the
/// changes file, or that cannot be written when the run goes ahead unasked.
pub(crate) fn check_retry_path(
    args: &ApplyArgs,
    input: &Input,
    retry_path: &Path,
) -> Result<(), Failure> {
    let from_stdin = args.file.as_os_str() == "-";
    if !from_stdin && same_file(retry_path, &args.file) && input.format != Format::RetryFile {
        return Err(Failure::usage(format!(
            "the retry file {} would overwrite the changes file",
            retry_path.display()
        ))
        .with_hint("--retry-file PATH chooses another place"));
    }
    if args.run.yes && !args.run.dry_run {
        check_writable(retry_path)?;
    }
    Ok(())
}

/// Whether to run the plan: `--yes`, or a yes on the terminal; never for a
/// dry run or a plan with nothing to send. Says why nothing is sent.
fn confirmed(
    args: &ApplyArgs,
    view: &View<'_>,
    table: bool,
    retry_path: &Path,
) -> Result<bool, Failure> {
    if args.run.dry_run {
        note!("cf-members: dry run: no change was sent");
        return Ok(false);
    }
    if view.to_send.is_empty() {
        // Nothing to send: no question, no retry file.
        return Ok(false);
    }
    if args.run.yes {
        return Ok(true);
    }
    let from_stdin = args.file.as_os_str() == "-";
    let interactive = table
        && !from_stdin
        && !crate::shell::quiet()
        && std::io::stdin().is_terminal()
        && std::io::stderr().is_terminal();
    if interactive && ask(view.to_send.len()) {
        check_writable(retry_path)?;
        return Ok(true);
    }
    note!(
        "cf-members: no change was sent: run again with --yes to apply {}",
        plural(view.to_send.len(), "change", "changes")
    );
    Ok(false)
}

/// Writes the run's retry file: how many changes it holds, or (`None`) the
/// failure to write it, reported later.
fn save_retry(retry_path: &Path, run: &Run) -> (Option<usize>, Option<Failure>) {
    let retry = RetryFile::from_outcomes(&run.outcomes);
    match write_retry_file(retry_path, &retry) {
        Ok(()) => (Some(retry.len()), None),
        Err(failure) => {
            // Checked before the run, so rare (a full disk): the changes to
            // retry go to stderr rather than being lost.
            failure.print();
            if let Ok(text) = serde_json::to_string_pretty(&retry) {
                eprintln!("cf-members: the retry file's content:\n{text}");
            }
            (None, Some(failure))
        }
    }
}

/// The default place of the retry file, or the one given.
pub(crate) fn retry_path(args: &ApplyArgs, format: Format) -> PathBuf {
    if let Some(path) = &args.retry_file {
        return path.clone();
    }
    if args.file.as_os_str() == "-" {
        return PathBuf::from(STDIN_RETRY_FILE);
    }
    if format == Format::RetryFile {
        return args.file.clone();
    }
    let mut name = args.file.as_os_str().to_owned();
    name.push(".retry.json");
    PathBuf::from(name)
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

fn temp_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".partial");
    PathBuf::from(name)
}

/// Refuses (exit 2, nothing sent) a retry file that could not be written.
pub(crate) fn check_writable(path: &Path) -> Result<(), Failure> {
    let temp = temp_path(path);
    if path.is_dir() {
        return Err(Failure::usage(format!(
            "the retry file {} is a directory; nothing was sent",
            path.display()
        ))
        .with_hint("--retry-file PATH takes the path of a file"));
    }
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(&temp)
        .and_then(|_| std::fs::remove_file(&temp))
        .map_err(|e| {
            Failure::usage(format!(
                "cannot write the retry file {}: {e}; nothing was sent",
                path.display()
            ))
            .with_hint("--retry-file PATH chooses another place")
        })
}

/// Writes the retry file whole or not at all (a temporary file, renamed).
fn write_retry_file(path: &Path, retry: &RetryFile) -> Result<(), Failure> {
    let mut text = serde_json::to_string_pretty(retry)
        .map_err(|e| Failure::other(format!("cannot encode the retry file: {e}")))?;
    text.push('\n');
    let temp = temp_path(path);
    std::fs::write(&temp, text)
        .and_then(|()| std::fs::rename(&temp, path))
        .map_err(|e| {
            let _ = std::fs::remove_file(&temp);
            Failure::other(format!(
                "cannot write the retry file {}: {e}",
                path.display()
            ))
        })
}

/// Asks on the terminal; anything but `y` or `yes` is a no.
fn ask(changes: usize) -> bool {
    crate::shell::ask_yes(&format!("apply {}", plural(changes, "change", "changes")))
}

/// The role names of the account by id; `None` (with a warning) when they
/// cannot be read, and ids are shown instead.
async fn role_names(resolver: &Resolver) -> Option<HashMap<String, String>> {
    match resolver.roles().await {
        Ok(roles) => Some(
            roles
                .iter()
                .map(|r| (r.id.as_str().to_owned(), r.name.clone()))
                .collect(),
        ),
        Err(e) => {
            note!(
                "cf-members: warning: cannot read the roles, so role ids are shown instead \
                 of names: {e}"
            );
            None
        }
    }
}
