//! Running the plan's changes: progress and failures on stderr, Ctrl-C.

use std::collections::HashSet;

use futures::StreamExt;
use member_client::{Change, ChangeError, ChangeResult, ErrorKind, Members, Outcome};

use super::view::View;
use crate::cli::GlobalArgs;
use crate::output::clean;
use crate::output::paint::{paint_err, Tone};
use crate::progress::Progress;
use crate::shell::note;

/// What a run gave.
pub(super) struct Run {
    /// One outcome per change sent, in completion order.
    pub(super) outcomes: Vec<Outcome>,
    /// Stopped by Ctrl-C before every change was applied.
    pub(super) interrupted: bool,
    /// Changes whose outcome is unknown: abandoned by a second Ctrl-C.
    pub(super) abandoned: HashSet<usize>,
    /// How many changes ran at once.
    pub(super) concurrency: usize,
}

/// Runs the plan's changes, reporting failures and progress on stderr, and
/// stopping cleanly on Ctrl-C.
pub(super) async fn execute(
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
                    note!(
                        "cf-members: Ctrl-C: stopping; no new change starts, the ones in flight \
                         finish (Ctrl-C again to quit at once)"
                    );
                    ctrl_c = Box::pin(tokio::signal::ctrl_c());
                    draw(&mut progress, outcomes.len(), failed, true);
                } else {
                    note!(
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
                        print_failure(view, &outcome, error);
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
    let abandoned = add_abandoned(&mut outcomes, changes);
    // A Ctrl-C that came after the last change had started stopped nothing.
    let interrupted = interrupts > 0 && outcomes.iter().any(|o| !o.is_applied());
    Run {
        outcomes,
        interrupted,
        abandoned,
        concurrency,
    }
}

/// `cf-members: failed: entry 2 (line 3): update bob@… (…): message`.
fn print_failure(view: &View<'_>, outcome: &Outcome, error: &ChangeError) {
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
        "cf-members: {} {place}: {who}: {}{unsure}",
        paint_err(Tone::Bad, "failed:"),
        clean(&error.message)
    );
}

/// Adds an outcome for each change of `changes` that has none (abandoned by
/// a second Ctrl-C), and returns their indexes.
fn add_abandoned(outcomes: &mut Vec<Outcome>, changes: Vec<Change>) -> HashSet<usize> {
    let reported: HashSet<usize> = outcomes.iter().map(|o| o.index).collect();
    let mut abandoned = HashSet::new();
    for (index, change) in changes.into_iter().enumerate() {
        if !reported.contains(&index) {
            abandoned.insert(index);
            outcomes.push(abandoned_outcome(index, change));
        }
    }
    abandoned
}

/// The outcome of a change abandoned by a second Ctrl-C: it may have been
/// sent, so it counts as possibly applied.
fn abandoned_outcome(index: usize, change: Change) -> Outcome {
    let error = ChangeError::new(
        ErrorKind::Cancelled,
        "abandoned by a second Ctrl-C before its outcome was known; it may have been sent",
        true,
    );
    Outcome::new(index, change, ChangeResult::Failed(error))
}

#[cfg(test)]
mod tests {
    use super::*;
    use member_client::{MemberId, RetryFile, RoleId};

    #[test]
    fn an_abandoned_change_is_kept_as_possibly_applied() {
        let change = Change::set_roles(
            MemberId::new("b1c5d2e8f3a64b7c9d0e1f2a3b4c5d6e").unwrap(),
            [RoleId::new("05784afa30c1afe1440e79d9351c7430").unwrap()],
        );
        let outcome = abandoned_outcome(3, change.clone());
        assert_eq!(outcome.index, 3);
        assert!(!outcome.is_applied() && outcome.may_have_been_applied());
        let retry = RetryFile::from_outcomes([&outcome]);
        assert_eq!(retry.changes(), [change]);
        assert!(retry.changes[0].may_have_been_applied);
    }
}
