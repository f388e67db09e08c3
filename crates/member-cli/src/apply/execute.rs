//! Running the plan's changes: progress and failures on stderr, Ctrl-C.

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::pin::Pin;

use futures::StreamExt;
use member_client::{
    AccountId, Change, ChangeError, ChangeResult, Client, ErrorKind, MemberId, MemberRef, Members,
    Outcome,
};

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

/// The changes to hold back until the others have run: those that take
/// Super Administrator access from somebody, with what is needed to check
/// again, against the account as it then is, that one remains.
pub(crate) struct LastStage {
    /// Indexes into the plan's changes to send.
    pub(crate) indexes: Vec<usize>,
    pub(crate) client: Client,
    pub(crate) account: AccountId,
}

/// Runs the plan's changes, reporting failures and progress on stderr, and
/// stopping cleanly on Ctrl-C. The changes of `last` run after all the
/// others, and only when the lockout guard, asked again with fresh reads,
/// still lets them through (a change that was to make somebody else Super
/// Administrator may have failed); otherwise they do not start.
pub(super) async fn execute(
    members: &Members,
    view: &View<'_>,
    concurrency: usize,
    global: &GlobalArgs,
    last: Option<LastStage>,
) -> Run {
    let changes = view.changes();
    let total = changes.len();
    let held: HashSet<usize> = last
        .as_ref()
        .map(|l| l.indexes.iter().copied().collect())
        .unwrap_or_default();
    // Group changes of members this run adds wait for their adds, which
    // give them the membership id to send.
    let joins: Vec<usize> = (0..total)
        .filter(|&i| {
            matches!(
                &changes[i],
                Change::AddToGroup {
                    member: MemberRef::Email(_),
                    ..
                }
            )
        })
        .collect();
    let first: Vec<usize> = (0..total)
        .filter(|i| !held.contains(i) && !joins.contains(i))
        .collect();
    let mut runner = Runner {
        progress: Progress::new("changes", !global.verbose),
        outcomes: Vec::with_capacity(total),
        failed: 0,
        interrupts: 0,
        listening: true,
        ctrl_c: Box::pin(tokio::signal::ctrl_c()),
        total,
        quit: false,
    };
    runner.draw();
    runner
        .stage(members, view, &changes, &first, concurrency)
        .await;
    if !joins.is_empty() {
        runner
            .join_new_members(members, view, &changes, &joins, concurrency)
            .await;
    }
    if let Some(last) = last.filter(|l| !l.indexes.is_empty()) {
        let go = !runner.quit && runner.interrupts == 0 && {
            runner.progress.finish();
            still_safe(&last, &changes).await
        };
        if go {
            runner
                .stage(members, view, &changes, &last.indexes, concurrency)
                .await;
        } else if !runner.quit {
            for &index in &last.indexes {
                runner.outcomes.push(Outcome::new(
                    index,
                    changes[index].clone(),
                    ChangeResult::NotStarted,
                ));
            }
        }
    }
    runner.progress.finish();
    let interrupts = runner.interrupts;
    let mut outcomes = runner.outcomes;
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

/// Whether the held-back changes may still go: the members read again and
/// the guard asked again about those changes alone. A refusal, or a read
/// that fails, is told on stderr, and then they do not start.
async fn still_safe(last: &LastStage, changes: &[Change]) -> bool {
    let held: Vec<Change> = last.indexes.iter().map(|&i| changes[i].clone()).collect();
    let resolver = last.client.resolver(&last.account);
    let checked = async {
        let current = resolver.members().await?;
        let plan = last
            .client
            .members(&last.account)
            .plan_with(&current, &held)
            .await?;
        last.client.lockout(&resolver, &plan).await
    }
    .await;
    let why = match checked {
        Ok(None) => return true,
        Ok(Some(lockout)) => clean(&lockout.to_string()),
        Err(e) => format!(
            "cannot check that the account keeps an active Super Administrator ({})",
            clean(&e.to_string())
        ),
    };
    let (what, verb, it) = if held.len() == 1 {
        ("change that takes", "was", "it")
    } else {
        ("changes that take", "were", "them")
    };
    eprintln!(
        "cf-members: {} {} {what} Super Administrator access away (run after the others) \
         {verb} not started: {why}; the retry file keeps {it}",
        paint_err(Tone::Bad, "held back:"),
        held.len(),
    );
    false
}

/// The state of a run across its stages.
struct Runner {
    progress: Progress,
    /// One outcome per change sent, in completion order, indexed into the
    /// plan's changes.
    outcomes: Vec<Outcome>,
    failed: usize,
    interrupts: usize,
    listening: bool,
    ctrl_c: Pin<Box<dyn Future<Output = std::io::Result<()>>>>,
    total: usize,
    /// A second Ctrl-C: quit without waiting.
    quit: bool,
}

impl Runner {
    fn draw(&mut self) {
        let mut line = format!(
            "applying: {} of {} changes done",
            self.outcomes.len(),
            self.total
        );
        if self.failed > 0 {
            line.push_str(&format!(", {} failed", self.failed));
        }
        if self.interrupts > 0 {
            line.push_str("; stopping after the changes in flight");
        }
        self.progress.draw(&line);
    }

    /// Runs the group changes at `joins` (members named by email: people
    /// this run has just added) with the membership ids their adds gave;
    /// the join of somebody whose add did not succeed does not start.
    async fn join_new_members(
        &mut self,
        members: &Members,
        view: &View<'_>,
        changes: &[Change],
        joins: &[usize],
        concurrency: usize,
    ) {
        let added: HashMap<String, MemberId> = self
            .outcomes
            .iter()
            .filter_map(|o| match (&o.change, &o.result) {
                (Change::Add(body), ChangeResult::Applied { member: Some(m) }) => {
                    Some((body.email.trim().to_ascii_lowercase(), m.id.clone()?))
                }
                _ => None,
            })
            .collect();
        let mut rewritten = changes.to_vec();
        let mut ready = Vec::new();
        for &index in joins {
            let id = match &changes[index] {
                Change::AddToGroup {
                    member: MemberRef::Email(email),
                    group,
                } => added
                    .get(&email.trim().to_ascii_lowercase())
                    .map(|id| (id.clone(), group.clone())),
                _ => None,
            };
            match id {
                Some((id, group)) if self.interrupts == 0 && !self.quit => {
                    rewritten[index] = Change::add_to_group(id, group);
                    ready.push(index);
                }
                _ if self.quit => {}
                _ => {
                    if self.interrupts == 0 {
                        self.progress.finish();
                        eprintln!(
                            "cf-members: {} {}: {}: the add of this member did not succeed \
                             (or gave no membership id), so it was not started; the retry file \
                             keeps it",
                            paint_err(Tone::Bad, "not started:"),
                            view.sent_entry(index).map_or("?", |e| view.place(e.input)),
                            clean(&changes[index].to_string()),
                        );
                    }
                    self.outcomes.push(Outcome::new(
                        index,
                        changes[index].clone(),
                        ChangeResult::NotStarted,
                    ));
                }
            }
        }
        self.stage(members, view, &rewritten, &ready, concurrency)
            .await;
    }

    /// Runs the changes at `indexes` of `changes`; outcomes keep the
    /// indexes into `changes`.
    async fn stage(
        &mut self,
        members: &Members,
        view: &View<'_>,
        changes: &[Change],
        indexes: &[usize],
        concurrency: usize,
    ) {
        if indexes.is_empty() || self.quit {
            return;
        }
        let mut apply = members
            .apply(indexes.iter().map(|&i| changes[i].clone()))
            .concurrency(concurrency);
        let stop = apply.cancel_token();
        if self.interrupts > 0 {
            stop.cancel();
        }
        loop {
            tokio::select! {
                // The signal first, so that it is listened for before
                // anything is sent.
                biased;
                signal = &mut self.ctrl_c, if self.listening => {
                    if signal.is_err() {
                        self.listening = false;
                        continue;
                    }
                    self.interrupts += 1;
                    self.progress.finish();
                    if self.interrupts == 1 {
                        stop.cancel();
                        note!(
                            "cf-members: Ctrl-C: stopping; no new change starts, the ones in \
                             flight finish (Ctrl-C again to quit at once)"
                        );
                        self.ctrl_c = Box::pin(tokio::signal::ctrl_c());
                        self.draw();
                    } else {
                        note!(
                            "cf-members: Ctrl-C again: quitting without waiting; the changes \
                             in flight may have been applied"
                        );
                        self.quit = true;
                        break;
                    }
                }
                next = apply.next() => match next {
                    Some(mut outcome) => {
                        outcome.index = indexes[outcome.index];
                        if let Some(error) = outcome.error() {
                            self.failed += 1;
                            self.progress.finish();
                            print_failure(view, &outcome, error);
                        }
                        self.outcomes.push(outcome);
                        self.draw();
                    }
                    None => break,
                }
            }
        }
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
