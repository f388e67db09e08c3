//! What a run comes to: the counts, the closing lines, the exit, and the
//! `-o json` report.

use std::path::Path;

use member_client::{ChangeResult, Outcome};
use serde_json::{json, Value};

use super::execute::Run;
use super::view::View;
use crate::cli::ApplyArgs;
use crate::commands;
use crate::output::paint::{paint, Tone};
use crate::output::plural;
use crate::report::{Failure, EXIT_FAILURE, EXIT_INTERRUPTED};

/// The counts of a plan and its run.
pub(super) struct Summary {
    changes: usize,
    applied: usize,
    failed: usize,
    not_started: usize,
    abandoned: usize,
    unchanged: usize,
    problems: usize,
}

impl Summary {
    pub(super) fn new(view: &View<'_>, run: Option<&Run>) -> Self {
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
    pub(super) fn text(&self, run: &Run, retry_path: &Path, retry: Option<usize>) -> String {
        let failed = format!("{} failed", self.failed);
        let mut counts = vec![
            format!("{} applied", self.applied),
            if self.failed > 0 {
                paint(Tone::Bad, &failed)
            } else {
                failed
            },
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
    pub(super) fn verdict(&self, run: Option<&Run>, retry_path: &Path) -> commands::Outcome {
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
pub(super) fn report(
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
        "dry_run": args.run.dry_run,
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
