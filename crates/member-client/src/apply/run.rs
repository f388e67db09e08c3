//! Running changes: [`Apply`], the stream of one [`Outcome`] per change.

use std::fmt;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use futures::stream::{self, BoxStream, Stream, StreamExt};
use member_http::{CancelToken, Error, ErrorKind};
use member_types::{Member, ValidationError};
use serde::{Deserialize, Serialize};

use super::{Change, MemberRef};
use crate::Members;

#[cfg(doc)]
use super::Plan;

/// How many changes [`Members::apply`] runs at once unless told otherwise.
pub const DEFAULT_APPLY_CONCURRENCY: usize = 4;

/// Why a change failed, kept in a serializable form (the [`Error`] itself
/// is kept too, but not serialized).
///
/// ```
/// # fn show(outcome: &member_client::Outcome) {
/// if let Some(error) = outcome.error() {
///     eprintln!("{} failed: {} (applied? {})", outcome.change, error.message, error.may_have_been_applied);
/// }
/// # }
/// ```
#[derive(Clone, Debug, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ChangeError {
    /// [`ErrorKind::as_str`], e.g. `bad_request`.
    pub kind: String,
    /// The error's one-line message.
    pub message: String,
    /// The HTTP status, when there was an answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// Cloudflare error codes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub codes: Vec<i64>,
    /// The answer's `cf-ray`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cf_ray: Option<String>,
    /// Whether the change may have been applied all the same
    /// ([`Error::may_have_been_applied`]): check before repeating it.
    pub may_have_been_applied: bool,
    #[serde(skip)]
    source: Option<Arc<Error>>,
}

impl ChangeError {
    /// A failure known only by its kind and message (no HTTP answer), such
    /// as a change abandoned before its outcome was known.
    ///
    /// ```
    /// use member_client::{ChangeError, ErrorKind};
    /// let error = ChangeError::new(ErrorKind::Cancelled, "abandoned", true);
    /// assert_eq!(error.kind, "cancelled");
    /// assert!(error.error().is_none() && error.may_have_been_applied);
    /// ```
    pub fn new(kind: ErrorKind, message: impl Into<String>, may_have_been_applied: bool) -> Self {
        Self {
            kind: kind.as_str().to_owned(),
            message: message.into(),
            status: None,
            codes: Vec::new(),
            cf_ray: None,
            may_have_been_applied,
            source: None,
        }
    }

    /// The error, when this value was not read back from JSON.
    ///
    /// ```
    /// # fn kind(e: &member_client::ChangeError) -> Option<member_client::ErrorKind> {
    /// e.error().map(|e| e.kind())
    /// # }
    /// ```
    pub fn error(&self) -> Option<&Error> {
        self.source.as_deref()
    }
}

impl PartialEq for ChangeError {
    fn eq(&self, other: &Self) -> bool {
        self.kind == other.kind
            && self.message == other.message
            && self.status == other.status
            && self.codes == other.codes
            && self.cf_ray == other.cf_ray
            && self.may_have_been_applied == other.may_have_been_applied
    }
}

impl From<Error> for ChangeError {
    fn from(error: Error) -> Self {
        Self {
            kind: error.kind().as_str().to_owned(),
            message: error.to_string(),
            status: error.status(),
            codes: error.codes(),
            cf_ray: error.cf_ray().map(str::to_owned),
            may_have_been_applied: error.may_have_been_applied(),
            source: Some(Arc::new(error)),
        }
    }
}

/// How one change ended.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ChangeResult {
    /// The server accepted it; the member as it answered (none for a
    /// removal).
    Applied {
        /// The member after the change.
        member: Option<Box<Member>>,
    },
    /// It failed.
    Failed(ChangeError),
    /// It was never sent: the run was cancelled first.
    NotStarted,
}

/// The outcome of one change of [`Members::apply`].
///
/// ```
/// # fn tally(outcomes: &[member_client::Outcome]) {
/// let applied = outcomes.iter().filter(|o| o.is_applied()).count();
/// let unsure = outcomes.iter().filter(|o| !o.is_applied() && o.may_have_been_applied()).count();
/// println!("{applied} applied, {unsure} failed but may have landed");
/// # }
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Outcome {
    /// The position of the change in the list given to [`Members::apply`].
    pub index: usize,
    /// The change.
    pub change: Change,
    /// How it ended.
    pub result: ChangeResult,
}

impl Outcome {
    /// The outcome `result` of the change at `index`.
    ///
    /// ```
    /// use member_client::{Change, ChangeResult, MemberId, Outcome};
    /// let outcome = Outcome::new(0, Change::remove(MemberId::new("abc")?), ChangeResult::NotStarted);
    /// assert!(!outcome.may_have_been_applied());
    /// # Ok::<(), member_client::ValidationError>(())
    /// ```
    pub fn new(index: usize, change: Change, result: ChangeResult) -> Self {
        Self {
            index,
            change,
            result,
        }
    }

    /// Whether the server accepted the change.
    ///
    /// ```
    /// # fn f(o: &member_client::Outcome) -> bool {
    /// o.is_applied()
    /// # }
    /// ```
    pub fn is_applied(&self) -> bool {
        matches!(self.result, ChangeResult::Applied { .. })
    }

    /// Whether the change may have taken effect: `true` when applied, and
    /// for failures where the request may have been processed anyway (a 5xx,
    /// a timeout after sending); `false` when it certainly did not.
    ///
    /// ```
    /// # fn f(o: &member_client::Outcome) -> bool {
    /// o.may_have_been_applied()
    /// # }
    /// ```
    pub fn may_have_been_applied(&self) -> bool {
        match &self.result {
            ChangeResult::Applied { .. } => true,
            ChangeResult::Failed(e) => e.may_have_been_applied,
            ChangeResult::NotStarted => false,
        }
    }

    /// The failure, when it failed.
    ///
    /// ```
    /// # fn f(o: &member_client::Outcome) -> Option<&str> {
    /// o.error().map(|e| e.message.as_str())
    /// # }
    /// ```
    pub fn error(&self) -> Option<&ChangeError> {
        match &self.result {
            ChangeResult::Failed(e) => Some(e),
            _ => None,
        }
    }
}

/// The running changes of [`Members::apply`]: a [`Stream`] of one
/// [`Outcome`] per change, in completion order.
///
/// Nothing starts until the stream is polled. At most
/// [`concurrency`](Self::concurrency) changes are in flight (default
/// [`DEFAULT_APPLY_CONCURRENCY`]), all within the client's rate limit.
/// [`cancel`](Self::cancel) starts nothing new and lets the changes in flight
/// finish: the stream then yields their outcomes and
/// [`ChangeResult::NotStarted`] for every change left, and ends. Dropping the
/// stream abandons the changes in flight without their outcomes.
///
/// ```no_run
/// use futures::StreamExt;
/// # async fn demo(members: member_client::Members, changes: Vec<member_client::Change>) {
/// let mut run = members.apply(changes).concurrency(8);
/// let stop = run.cancel_token(); // e.g. cancelled from a Ctrl-C handler
/// let total = run.len();
/// let mut done = 0;
/// while let Some(outcome) = run.next().await {
///     done += 1;
///     eprintln!("[{done}/{total}] {}: applied={}", outcome.change, outcome.is_applied());
/// }
/// # let _ = stop; }
/// ```
#[must_use = "an Apply does nothing until it is polled as a stream"]
pub struct Apply {
    members: Members,
    pending: Option<Vec<Change>>,
    total: usize,
    concurrency: usize,
    cancel: CancelToken,
    running: Option<BoxStream<'static, Outcome>>,
}

impl fmt::Debug for Apply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Apply")
            .field("account", self.members.account_id())
            .field("total", &self.total)
            .field("concurrency", &self.concurrency)
            .field("cancelled", &self.cancel.is_cancelled())
            .field("started", &self.running.is_some())
            .finish()
    }
}

impl Apply {
    /// Runs up to `n` changes at once (at least 1). Only before the first
    /// poll; later it has no effect.
    ///
    /// ```
    /// # fn f(members: member_client::Members) {
    /// let run = members.apply(Vec::new()).concurrency(8);
    /// # let _ = run; }
    /// ```
    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = n.max(1);
        self
    }

    /// Uses `token` to stop the run (instead of its own), e.g. one shared
    /// with a Ctrl-C handler.
    ///
    /// ```
    /// # fn f(members: member_client::Members) {
    /// let token = member_client::CancelToken::new();
    /// let run = members.apply(Vec::new()).with_cancel_token(token.clone());
    /// token.cancel();
    /// assert!(run.cancel_token().is_cancelled());
    /// # }
    /// ```
    pub fn with_cancel_token(mut self, token: CancelToken) -> Self {
        self.cancel = token;
        self
    }

    /// The token that stops the run; cancel it from anywhere.
    ///
    /// ```
    /// # fn f(members: member_client::Members) {
    /// let run = members.apply(Vec::new());
    /// let token = run.cancel_token();
    /// token.cancel();
    /// # }
    /// ```
    pub fn cancel_token(&self) -> CancelToken {
        self.cancel.clone()
    }

    /// Starts no new change; the ones in flight finish and are reported.
    ///
    /// ```
    /// # fn f(members: member_client::Members) {
    /// let run = members.apply(Vec::new());
    /// run.cancel();
    /// # }
    /// ```
    pub fn cancel(&self) {
        self.cancel.cancel();
    }

    /// How many changes (and so outcomes) there are in all.
    ///
    /// ```
    /// # fn f(members: member_client::Members) {
    /// assert_eq!(members.apply(Vec::new()).len(), 0);
    /// # }
    /// ```
    pub fn len(&self) -> usize {
        self.total
    }

    /// Whether there are no changes at all.
    ///
    /// ```
    /// # fn f(members: member_client::Members) {
    /// assert!(members.apply(Vec::new()).is_empty());
    /// # }
    /// ```
    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    fn start(&mut self) -> BoxStream<'static, Outcome> {
        let changes = self.pending.take().unwrap_or_default();
        let members = self.members.clone();
        let cancel = self.cancel.clone();
        stream::iter(changes.into_iter().enumerate())
            .map(move |(index, change)| run_one(members.clone(), index, change, cancel.clone()))
            .buffer_unordered(self.concurrency)
            .boxed()
    }
}

impl Stream for Apply {
    type Item = Outcome;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Outcome>> {
        let this = self.get_mut();
        if this.running.is_none() {
            this.running = Some(this.start());
        }
        match &mut this.running {
            Some(running) => running.poll_next_unpin(cx),
            None => Poll::Ready(None),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match &self.running {
            Some(running) => running.size_hint(),
            None => (self.total, Some(self.total)),
        }
    }
}

/// An `add_roles` or `remove_roles` change given to [`Members::apply`]
/// directly: what it sends depends on the member's roles, which only the
/// plan reads.
fn unplanned(change: &Change) -> Error {
    Error::Validation(ValidationError::Format {
        field: "change",
        value: change.to_string(),
        rule: "add_roles and remove_roles become the member's whole set of roles in \
               Members::plan: apply the changes of the plan",
    })
}

fn unresolved(member: &MemberRef) -> Error {
    Error::Validation(ValidationError::Format {
        field: "member",
        value: member.to_string(),
        rule: "a member named by email must be resolved to its id first: \
               apply the changes of Members::plan",
    })
}

async fn run_one(members: Members, index: usize, change: Change, cancel: CancelToken) -> Outcome {
    let outcome = |result| Outcome {
        index,
        change: change.clone(),
        result,
    };
    if cancel.is_cancelled() {
        return outcome(ChangeResult::NotStarted);
    }
    let members = members.with_cancel(cancel);
    let result: Result<Option<Member>, Error> = match &change {
        Change::SetRoles {
            member: MemberRef::Id(id),
            roles,
        } => members
            .set_roles(id, roles.iter().cloned())
            .send()
            .await
            .map(Some),
        Change::SetPolicies {
            member: MemberRef::Id(id),
            policies,
        } => members
            .set_policies(id, policies.iter().cloned())
            .send()
            .await
            .map(Some),
        Change::Add(body) => members.add(body.clone()).send().await.map(Some),
        Change::Remove {
            member: MemberRef::Id(id),
        } => members.remove(id).send().await.map(|_| None),
        Change::AddToGroup {
            member: MemberRef::Id(id),
            group,
        } => members
            .user_groups()
            .members(group)
            .add([id.clone()])
            .send()
            .await
            .map(|_| None),
        Change::RemoveFromGroup {
            member: MemberRef::Id(id),
            group,
        } => members
            .user_groups()
            .members(group)
            .remove(id)
            .send()
            .await
            .map(|_| None),
        Change::AddRoles { .. } | Change::RemoveRoles { .. } => Err(unplanned(&change)),
        Change::SetRoles { member, .. }
        | Change::SetPolicies { member, .. }
        | Change::Remove { member }
        | Change::AddToGroup { member, .. }
        | Change::RemoveFromGroup { member, .. } => Err(unresolved(member)),
    };
    outcome(match result {
        Ok(member) => ChangeResult::Applied {
            member: member.map(Box::new),
        },
        Err(e) if e.kind() == ErrorKind::Cancelled => ChangeResult::NotStarted,
        Err(e) => ChangeResult::Failed(e.into()),
    })
}

impl Members {
    /// Runs `changes` concurrently within the client's rate limit, yielding
    /// one [`Outcome`] per change as it completes (see [`Apply`]).
    ///
    /// Each change is sent as given: a member named by email is refused
    /// (nothing sent) — run [`plan`](Self::plan) first and apply
    /// [`Plan::changes`]. A set-roles or set-policies change is a PUT (so
    /// retried like one), an add is a POST (retried only when it certainly
    /// was not processed), a removal a DELETE.
    ///
    /// ```no_run
    /// use futures::StreamExt;
    /// # async fn demo(members: member_client::Members, plan: member_client::Plan) {
    /// let outcomes: Vec<_> = members.apply(plan.changes()).concurrency(4).collect().await;
    /// # let _ = outcomes; }
    /// ```
    pub fn apply(&self, changes: impl IntoIterator<Item = Change>) -> Apply {
        let changes: Vec<Change> = changes.into_iter().collect();
        Apply {
            members: self.clone(),
            total: changes.len(),
            pending: Some(changes),
            concurrency: DEFAULT_APPLY_CONCURRENCY,
            cancel: CancelToken::new(),
            running: None,
        }
    }
}
