//! `cf-members apply FILE`: read and check the file, plan it against the
//! current members, stop or ask or run it within the rate limit, report
//! every outcome, and write what did not happen to the retry file.

use std::collections::{HashMap, HashSet};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use futures::{StreamExt, TryStreamExt};
use member_client::{
    AccessState, Change, ChangeResult, Client, ErrorKind, InviteStatus, ListRolesParams, Members,
    Outcome, Plan, PlanAction, PlanEntry, PolicyState, RateLimitConfig, RetryFile, Role,
};
use serde_json::{json, Value};

use crate::changes::{self, Format, Input};
use crate::cli::{ApplyArgs, GlobalArgs, OutputFormat, RateLimitArg};
use crate::commands::{self, write_json, write_text};
use crate::output::{clean, plural};
use crate::progress::Progress;
use crate::report::{Failure, EXIT_FAILURE, EXIT_INTERRUPTED};

/// Where a retry file goes when FILE is stdin.
const STDIN_RETRY_FILE: &str = "cf-members.retry.json";

/// Runs `cf-members apply`.
pub async fn run(global: &GlobalArgs, args: ApplyArgs) -> commands::Outcome {
    // Everything that can be checked without the server, first.
    let input = changes::read(&args.file)?;
    let account = commands::account(global)?;
    let limit = match &args.rate_limit {
        None => Some(RateLimitConfig::cloudflare()),
        Some(RateLimitArg::Limit(config)) => Some(config.clone()),
        Some(RateLimitArg::Off) => None,
    };
    let client = commands::client_with(global, limit)?;
    let retry_path = retry_path(&args, input.format);
    let from_stdin = args.file.as_os_str() == "-";
    if !from_stdin && same_file(&retry_path, &args.file) && input.format != Format::RetryFile {
        return Err(Failure::usage(format!(
            "the retry file {} would overwrite the changes file",
            retry_path.display()
        ))
        .with_hint("--retry-file PATH chooses another place"));
    }
    let will_run = args.yes && !args.dry_run;
    if will_run {
        check_writable(&retry_path)?;
    }

    let members = client.members(&account);
    let plan = members
        .plan(&input.changes)
        .await
        .map_err(|e| Failure::from_client(&e, false))?;
    let view = View::new(plan, &input);
    let table = global.output == OutputFormat::Table;
    let roles = if table && view.mentions_roles() {
        role_names(&client, &account).await
    } else {
        None
    };
    if table {
        write_text(&view.plan_text(roles.as_ref()))?;
    }

    let mut ran = None;
    if args.dry_run {
        eprintln!("cf-members: dry run: no change was sent");
    } else if view.to_send.is_empty() {
        // Nothing to send: no question, no retry file.
    } else {
        let go = if args.yes {
            true
        } else if table
            && !from_stdin
            && std::io::stdin().is_terminal()
            && std::io::stderr().is_terminal()
        {
            let yes = ask(view.to_send.len());
            if yes {
                check_writable(&retry_path)?;
            }
            yes
        } else {
            false
        };
        if go {
            ran = Some(execute(&members, &view, args.concurrency as usize, global).await);
        } else {
            eprintln!(
                "cf-members: no change was sent: run again with --yes to apply {}",
                plural(view.to_send.len(), "change", "changes")
            );
        }
    }

    let mut unsaved = None;
    let retry = match &ran {
        Some(run) => {
            let retry = RetryFile::from_outcomes(&run.outcomes);
            if let Err(failure) = write_retry_file(&retry_path, &retry) {
                // Checked before the run, so rare (a full disk): the changes
                // to retry go to stderr rather than being lost.
                failure.print();
                if let Ok(text) = serde_json::to_string_pretty(&retry) {
                    eprintln!("cf-members: the retry file's content:\n{text}");
                }
                unsaved = Some(failure);
                None
            } else {
                Some(retry.len())
            }
        }
        None => None,
    };
    let summary = Summary::new(&view, ran.as_ref());
    if table {
        if let Some(run) = &ran {
            write_text(&summary.text(run, &retry_path, retry))?;
        }
    } else {
        write_json(&report(
            &view,
            &args,
            ran.as_ref(),
            &summary,
            &retry_path,
            retry,
        ))?;
    }
    let verdict = summary.verdict(ran.as_ref(), &retry_path);
    match unsaved {
        Some(failure) if verdict.is_ok() => Err(failure),
        _ => verdict,
    }
}

/// The default place of the retry file, or the one given.
fn retry_path(args: &ApplyArgs, format: Format) -> PathBuf {
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
fn check_writable(path: &Path) -> Result<(), Failure> {
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
    let mut err = std::io::stderr().lock();
    let _ = write!(
        err,
        "apply {}? [y/N] ",
        plural(changes, "change", "changes")
    );
    let _ = err.flush();
    drop(err);
    let mut answer = String::new();
    match std::io::stdin().read_line(&mut answer) {
        Ok(_) => matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes"),
        Err(_) => false,
    }
}

/// The role names of the account by id; `None` (with a warning) when they
/// cannot be read, and ids are shown instead.
async fn role_names(
    client: &Client,
    account: &member_client::AccountId,
) -> Option<HashMap<String, String>> {
    let listed: Result<Vec<Role>, _> = client
        .roles(account)
        .list(ListRolesParams::new())
        .try_collect()
        .await;
    match listed {
        Ok(roles) => Some(
            roles
                .into_iter()
                .map(|r| (r.id.as_str().to_owned(), r.name))
                .collect(),
        ),
        Err(e) => {
            eprintln!(
                "cf-members: warning: cannot read the roles, so role ids are shown instead \
                 of names: {e}"
            );
            None
        }
    }
}

/// The plan, with where each entry came from and what will be sent.
struct View<'a> {
    plan: Plan,
    places: &'a [String],
    /// The positions in `plan.entries` of the changes to send, in order:
    /// the outcome with index `i` is about `plan.entries[to_send[i]]`.
    to_send: Vec<usize>,
}

impl<'a> View<'a> {
    fn new(plan: Plan, input: &'a Input) -> Self {
        let to_send = plan
            .entries
            .iter()
            .enumerate()
            .filter(|(_, e)| !e.is_unchanged())
            .map(|(i, _)| i)
            .collect();
        Self {
            plan,
            places: &input.places,
            to_send,
        }
    }

    fn place(&self, input: usize) -> &str {
        self.places.get(input).map_or("?", String::as_str)
    }

    fn unchanged(&self) -> usize {
        self.plan.unchanged().count()
    }

    fn sent_entry(&self, index: usize) -> Option<&PlanEntry> {
        self.to_send
            .get(index)
            .and_then(|&i| self.plan.entries.get(i))
    }

    fn changes(&self) -> Vec<Change> {
        self.to_send
            .iter()
            .map(|&i| self.plan.entries[i].change.clone())
            .collect()
    }

    /// Whether a change to show involves roles (worth reading their names).
    fn mentions_roles(&self) -> bool {
        self.to_send.iter().any(|&i| {
            let entry = &self.plan.entries[i];
            [&entry.from, &entry.to]
                .into_iter()
                .flatten()
                .any(|state| !state.roles.is_empty())
        })
    }

    /// `bob@example.com (b1c5…)`, the email or the id alone when only one
    /// is known.
    fn who(entry: &PlanEntry) -> String {
        match (&entry.email, &entry.member_id) {
            (Some(email), Some(id)) => format!("{} ({})", clean(email), clean(id.as_str())),
            (Some(email), None) => clean(email),
            (None, Some(id)) => clean(id.as_str()),
            (None, None) => clean(&entry.change.member().to_string()),
        }
    }

    fn action(entry: &PlanEntry) -> &'static str {
        match entry.action {
            PlanAction::Update => "update",
            PlanAction::Add => match &entry.change {
                Change::Add(body) if body.status == Some(InviteStatus::Accepted) => {
                    "add (directly, no invitation)"
                }
                _ => "add (invitation)",
            },
            PlanAction::Remove => "remove",
            _ => "unchanged",
        }
    }

    /// What the plan shows for people.
    fn plan_text(&self, roles: Option<&HashMap<String, String>>) -> String {
        let mut kinds: Vec<(PlanAction, &str, &str)> = vec![
            (PlanAction::Update, "update", "updates"),
            (PlanAction::Add, "add", "adds"),
            (PlanAction::Remove, "removal", "removals"),
        ];
        kinds.retain(|(action, _, _)| self.plan.entries.iter().any(|e| e.action == *action));
        let counts: Vec<String> = kinds
            .iter()
            .map(|(action, one, many)| {
                let n = self
                    .plan
                    .entries
                    .iter()
                    .filter(|e| e.action == *action)
                    .count();
                plural(n, one, many)
            })
            .collect();
        let changes = if self.to_send.is_empty() {
            "nothing to change".to_owned()
        } else {
            format!(
                "{} ({})",
                plural(self.to_send.len(), "change", "changes"),
                counts.join(", ")
            )
        };
        let mut out = format!(
            "Plan: {changes}; {} already in the wanted state; {}\n",
            plural(self.unchanged(), "member", "members"),
            plural(self.plan.problems.len(), "problem", "problems"),
        );
        for &i in &self.to_send {
            let entry = &self.plan.entries[i];
            out.push('\n');
            out.push_str(&format!(
                "{}  {}  [{}]\n",
                Self::action(entry),
                Self::who(entry),
                self.place(entry.input)
            ));
            if let Some(from) = &entry.from {
                push_access(&mut out, "from", from, roles);
            }
            if let Some(to) = &entry.to {
                push_access(&mut out, "to", to, roles);
            }
        }
        if !self.plan.problems.is_empty() {
            out.push_str("\nProblems (skipped: nothing is sent for them, nobody is guessed):\n");
            for problem in &self.plan.problems {
                out.push_str(&format!(
                    "  {}: {}\n",
                    self.place(problem.input),
                    clean(&problem.message)
                ));
            }
        }
        out
    }
}

/// `    from: roles A, B` and one line per policy.
fn push_access(
    out: &mut String,
    label: &str,
    state: &AccessState,
    roles: Option<&HashMap<String, String>>,
) {
    let mut lines = Vec::new();
    if !state.roles.is_empty() {
        let mut names: Vec<String> = state
            .roles
            .iter()
            .map(|id| match roles {
                Some(known) => match known.get(id.as_str()) {
                    Some(name) => clean(name),
                    None => format!("{} (not a role of this account)", clean(id.as_str())),
                },
                None => clean(id.as_str()),
            })
            .collect();
        names.sort();
        lines.push(format!("roles {}", names.join(", ")));
    }
    for policy in &state.policies {
        lines.push(policy_text(policy));
    }
    if lines.is_empty() {
        lines.push("no access".to_owned());
    }
    for (n, line) in lines.iter().enumerate() {
        let head = if n == 0 {
            format!("{label}:")
        } else {
            String::new()
        };
        out.push_str(&format!("    {head:<6}{line}\n"));
    }
}

fn policy_text(policy: &PolicyState) -> String {
    let ids = |ids: Vec<&str>| {
        if ids.is_empty() {
            "-".to_owned()
        } else {
            clean(&ids.join(", "))
        }
    };
    format!(
        "policy {} {} on {}",
        clean(&policy.access),
        ids(policy
            .permission_groups
            .iter()
            .map(|g| g.as_str())
            .collect()),
        ids(policy.resource_groups.iter().map(|g| g.as_str()).collect()),
    )
}

/// What a run gave.
struct Run {
    /// One outcome per change sent, in completion order.
    outcomes: Vec<Outcome>,
    /// Stopped by Ctrl-C before every change was applied.
    interrupted: bool,
    /// Changes whose outcome is unknown: abandoned by a second Ctrl-C.
    abandoned: HashSet<usize>,
    /// How many changes ran at once.
    concurrency: usize,
}

/// Runs the plan's changes, reporting failures and progress on stderr, and
/// stopping cleanly on Ctrl-C.
async fn execute(
    members: &Members,
    view: &View<'_>,
    concurrency: usize,
    global: &GlobalArgs,
) -> Run {
    let changes = view.changes();
    let total = changes.len();
    let mut apply = members.apply(changes.clone()).concurrency(concurrency);
    let stop = apply.cancel_token();
    let mut progress = Progress::new("changes", !global.verbose);
    let mut outcomes: Vec<Outcome> = Vec::with_capacity(total);
    let mut failed = 0;
    let mut interrupts = 0;
    let mut listening = true;
    let mut ctrl_c = Box::pin(tokio::signal::ctrl_c());
    let draw = |progress: &mut Progress, done: usize, failed: usize, stopping: bool| {
        let mut line = format!("applying: {done} of {total} changes done");
        if failed > 0 {
            line.push_str(&format!(", {failed} failed"));
        }
        if stopping {
            line.push_str("; stopping after the changes in flight");
        }
        progress.draw(&line);
    };
    draw(&mut progress, 0, 0, false);
    loop {
        tokio::select! {
            // The signal first, so that it is listened for before anything
            // is sent.
            biased;
            signal = &mut ctrl_c, if listening => {
                if signal.is_err() {
                    listening = false;
                    continue;
                }
                interrupts += 1;
                progress.finish();
                if interrupts == 1 {
                    stop.cancel();
                    eprintln!(
                        "cf-members: Ctrl-C: stopping; no new change starts, the ones in flight \
                         finish (Ctrl-C again to quit at once)"
                    );
                    ctrl_c = Box::pin(tokio::signal::ctrl_c());
                    draw(&mut progress, outcomes.len(), failed, true);
                } else {
                    eprintln!(
                        "cf-members: Ctrl-C again: quitting without waiting; the changes in \
                         flight may have been applied"
                    );
                    break;
                }
            }
            next = apply.next() => match next {
                Some(outcome) => {
                    if let Some(error) = outcome.error() {
                        failed += 1;
                        progress.finish();
                        let entry = view.sent_entry(outcome.index);
                        let place = entry.map_or("?", |e| view.place(e.input));
                        let who = entry.map_or_else(
                            || clean(&outcome.change.to_string()),
                            |e| format!("{} {}", View::action(e), View::who(e)),
                        );
                        let unsure = if error.may_have_been_applied {
                            " (it may have been applied: the retry reads the state first)"
                        } else {
                            ""
                        };
                        eprintln!(
                            "cf-members: failed: {place}: {who}: {}{unsure}",
                            clean(&error.message)
                        );
                    }
                    outcomes.push(outcome);
                    draw(&mut progress, outcomes.len(), failed, interrupts > 0);
                }
                None => break,
            }
        }
    }
    progress.finish();
    drop(apply);
    let mut abandoned = HashSet::new();
    if outcomes.len() < total {
        let reported: HashSet<usize> = outcomes.iter().map(|o| o.index).collect();
        for (index, change) in changes.into_iter().enumerate() {
            if !reported.contains(&index) {
                if let Some(outcome) = abandoned_outcome(index, change) {
                    abandoned.insert(index);
                    outcomes.push(outcome);
                }
            }
        }
    }
    // A Ctrl-C that came after the last change had started stopped nothing.
    let interrupted = interrupts > 0 && outcomes.iter().any(|o| !o.is_applied());
    Run {
        outcomes,
        interrupted,
        abandoned,
        concurrency,
    }
}

/// The outcome of a change abandoned by a second Ctrl-C: it may have been
/// sent, so it counts as possibly applied. (Built through serde: the
/// library's types are not meant to be built by hand.)
fn abandoned_outcome(index: usize, change: Change) -> Option<Outcome> {
    serde_json::from_value(json!({
        "index": index,
        "change": change,
        "result": {"failed": {
            "kind": ErrorKind::Cancelled.as_str(),
            "message": "abandoned by a second Ctrl-C before its outcome was known; \
                        it may have been sent",
            "may_have_been_applied": true,
        }},
    }))
    .ok()
}

/// The counts of a plan and its run.
struct Summary {
    changes: usize,
    applied: usize,
    failed: usize,
    not_started: usize,
    abandoned: usize,
    unchanged: usize,
    problems: usize,
}

impl Summary {
    fn new(view: &View<'_>, run: Option<&Run>) -> Self {
        let mut summary = Self {
            changes: view.to_send.len(),
            applied: 0,
            failed: 0,
            not_started: 0,
            abandoned: 0,
            unchanged: view.unchanged(),
            problems: view.plan.problems.len(),
        };
        for outcome in run.map_or(&[][..], |r| &r.outcomes) {
            match &outcome.result {
                ChangeResult::Applied { .. } => summary.applied += 1,
                ChangeResult::NotStarted => summary.not_started += 1,
                _ if run.is_some_and(|r| r.abandoned.contains(&outcome.index)) => {
                    summary.abandoned += 1;
                }
                _ => summary.failed += 1,
            }
        }
        summary
    }

    fn json(&self) -> Value {
        json!({
            "changes": self.changes,
            "applied": self.applied,
            "failed": self.failed,
            "not_started": self.not_started,
            "abandoned": self.abandoned,
            "unchanged": self.unchanged,
            "problems": self.problems,
        })
    }

    /// The closing lines for people.
    /// `retry`: how many changes the retry file holds, `None` when it
    /// could not be written.
    fn text(&self, run: &Run, retry_path: &Path, retry: Option<usize>) -> String {
        let mut counts = vec![
            format!("{} applied", self.applied),
            format!("{} failed", self.failed),
            format!("{} not started", self.not_started),
        ];
        if self.abandoned > 0 {
            counts.push(format!(
                "{} unknown (abandoned by a second Ctrl-C; at most {} of them were in flight)",
                self.abandoned,
                self.abandoned.min(run.concurrency)
            ));
        }
        let mut out = format!(
            "\n{}: {}: {}; {} unchanged; {}\n",
            if run.interrupted {
                "Interrupted"
            } else {
                "Done"
            },
            plural(self.changes, "change", "changes"),
            counts.join(", "),
            self.unchanged,
            plural(self.problems, "problem", "problems"),
        );
        let path = retry_path.display();
        match retry {
            None => out.push_str(&format!(
                "Retry file: {path} could not be written; its content is on stderr\n"
            )),
            Some(0) => out.push_str(&format!("Retry file: {path} (empty: nothing to retry)\n")),
            Some(n) => out.push_str(&format!(
                "Retry file: {path} ({}); to retry them: cf-members apply {path} --yes\n",
                plural(n, "change", "changes")
            )),
        }
        out
    }

    /// The exit: 0 when every entry is (or, for a plan, can be) in the
    /// wanted state; 130 after Ctrl-C; 1 otherwise.
    fn verdict(&self, run: Option<&Run>, retry_path: &Path) -> commands::Outcome {
        let retry_hint = || {
            format!(
                "the retry file {} lists them; to retry just those: cf-members apply {} --yes",
                retry_path.display(),
                retry_path.display()
            )
        };
        let left = self.failed + self.not_started + self.abandoned;
        if let Some(run) = run {
            if run.interrupted {
                return Err(Failure::with_code(
                    format!(
                        "interrupted by Ctrl-C: {} of {} applied, {} left",
                        self.applied,
                        plural(self.changes, "change", "changes"),
                        left
                    ),
                    EXIT_INTERRUPTED,
                )
                .with_hint(retry_hint()));
            }
            if left > 0 {
                return Err(Failure::with_code(
                    format!(
                        "{} of {} did not apply ({} failed, {} not started)",
                        left,
                        plural(self.changes, "change", "changes"),
                        self.failed,
                        self.not_started + self.abandoned
                    ),
                    EXIT_FAILURE,
                )
                .with_hint(retry_hint()));
            }
        }
        if self.problems > 0 {
            return Err(Failure::with_code(
                format!(
                    "{} of the file cannot be applied (see the problems of the plan)",
                    plural(self.problems, "entry", "entries")
                ),
                EXIT_FAILURE,
            )
            .with_hint(
                "fix or remove those entries (with --yes the other entries run all the same)",
            ));
        }
        Ok(())
    }
}

/// The `-o json` report: the plan, the outcomes, the counts.
fn report(
    view: &View<'_>,
    args: &ApplyArgs,
    run: Option<&Run>,
    summary: &Summary,
    retry_path: &Path,
    retry: Option<usize>,
) -> Value {
    let place = |input: usize| Value::String(view.place(input).to_owned());
    let mut plan = serde_json::to_value(&view.plan).unwrap_or(Value::Null);
    for key in ["entries", "problems"] {
        if let Some(items) = plan.get_mut(key).and_then(Value::as_array_mut) {
            for item in items {
                let input = item
                    .get("input")
                    .and_then(Value::as_u64)
                    .unwrap_or(u64::MAX);
                if let Some(map) = item.as_object_mut() {
                    map.insert("place".to_owned(), place(input as usize));
                }
            }
        }
    }
    let mut outcomes: Vec<&Outcome> = run.map_or_else(Vec::new, |r| r.outcomes.iter().collect());
    outcomes.sort_by_key(|o| o.index);
    let outcomes: Vec<Value> = outcomes
        .into_iter()
        .map(|outcome| {
            let mut value = serde_json::to_value(outcome).unwrap_or(Value::Null);
            if let (Some(map), Some(entry)) =
                (value.as_object_mut(), view.sent_entry(outcome.index))
            {
                map.insert("input".to_owned(), json!(entry.input));
                map.insert("place".to_owned(), place(entry.input));
                map.insert("member_id".to_owned(), json!(entry.member_id));
                map.insert("email".to_owned(), json!(entry.email));
            }
            value
        })
        .collect();
    json!({
        "dry_run": args.dry_run,
        "ran": run.is_some(),
        "interrupted": run.is_some_and(|r| r.interrupted),
        "plan": plan,
        "outcomes": outcomes,
        "summary": summary.json(),
        "retry_file": retry.map(|n| json!({
            "path": retry_path.display().to_string(),
            "changes": n,
        })),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use member_client::{MemberId, RoleId};

    #[test]
    fn an_abandoned_change_is_kept_as_possibly_applied() {
        let change = Change::set_roles(
            MemberId::new("b1c5d2e8f3a64b7c9d0e1f2a3b4c5d6e").unwrap(),
            [RoleId::new("05784afa30c1afe1440e79d9351c7430").unwrap()],
        );
        let outcome = abandoned_outcome(3, change.clone()).expect("builds through serde");
        assert_eq!(outcome.index, 3);
        assert!(!outcome.is_applied() && outcome.may_have_been_applied());
        let retry = RetryFile::from_outcomes([&outcome]);
        assert_eq!(retry.changes(), [change]);
        assert!(retry.changes[0].may_have_been_applied);
    }

    #[test]
    fn policies_are_spelled_out() {
        let policy = member_client::PolicyRequest::new(
            member_client::Access::Allow,
            [member_client::PermissionGroupId::new("pg1").unwrap()],
            [member_client::ResourceGroupId::new("rg1").unwrap()],
        )
        .unwrap();
        assert_eq!(
            policy_text(&PolicyState::from(&policy)),
            "policy allow pg1 on rg1"
        );
        let mut out = String::new();
        push_access(&mut out, "to", &AccessState::policies([&policy]), None);
        assert_eq!(out, "    to:   policy allow pg1 on rg1\n");
        let mut out = String::new();
        push_access(&mut out, "from", &AccessState::default(), None);
        assert_eq!(out, "    from: no access\n");
    }

    #[test]
    fn role_names_are_shown_and_unknown_ids_flagged() {
        let state = AccessState::roles([
            RoleId::new("r2").unwrap(),
            RoleId::new("r1").unwrap(),
            RoleId::new("zz").unwrap(),
        ]);
        let names: HashMap<String, String> = [("r1", "Billing"), ("r2", "Analytics")]
            .into_iter()
            .map(|(a, b)| (a.to_owned(), b.to_owned()))
            .collect();
        let mut out = String::new();
        push_access(&mut out, "to", &state, Some(&names));
        assert_eq!(
            out,
            "    to:   roles Analytics, Billing, zz (not a role of this account)\n"
        );
    }
}
