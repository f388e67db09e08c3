//! Bulk access changes: plan them against the current state, apply them
//! concurrently within the client's rate limit as a stream of outcomes, and
//! write what failed to a retry file.
//!
//! The steps a bulk tool (such as `cf-members apply FILE`) takes:
//!
//! 1. Read the wanted changes ([`Change`]: set roles, set policies, add,
//!    remove; a member named by id or by email). The changes-file format
//!    (its ops, which keys each takes and needs, and the messages for an
//!    entry that breaks a rule) is [`Change::from_entry`]; `Change`'s serde
//!    impls use it, so a JSON file maps onto it directly, and a tool reading
//!    another syntax (CSV) hands it the same entries.
//! 2. [`Members::plan`] reads the current members (one paged list), resolves
//!    emails (case-insensitively) to ids, and returns a [`Plan`]: for each
//!    change the member, its access before and after, [`PlanAction::Unchanged`]
//!    for members already in the wanted state (roles and policies compared as
//!    sets), and [`Problem`]s for what cannot be done — an unknown email is
//!    reported, never guessed, and nobody is added unless the change says
//!    [`Change::Add`].
//! 3. [`Members::apply`] runs [`Plan::changes`] concurrently (4 at a time by
//!    default) within the client's rate limit
//!    ([`ClientBuilder::rate_limit`](crate::ClientBuilder::rate_limit)) and
//!    yields one [`Outcome`] per change as it completes.
//! 4. [`RetryFile::from_outcomes`] keeps what failed or never started; fed
//!    back through [`Members::plan`], only what is still not in the wanted
//!    state is applied again, so a change that did land (an [`Outcome`] that
//!    [`may_have_been_applied`](Outcome::may_have_been_applied)) becomes a
//!    no-op instead of being applied twice.
//!
//! Stopping: [`Apply::cancel`] (or its [`CancelToken`]) starts nothing new;
//! changes already sent finish and are reported, the rest are reported as
//! [`ChangeResult::NotStarted`]. Dropping the stream stops at once: nothing
//! new starts, and the requests in flight are abandoned unreported.
//!
//! ```no_run
//! use futures::StreamExt;
//! use member_client::{Change, Client, MemberRef, RetryFile, RoleId};
//!
//! # async fn demo(client: Client) -> Result<(), Box<dyn std::error::Error>> {
//! let members = client.default_members()?;
//! let read_only: RoleId = "05784afa30c1afe1440e79d9351c7430".parse()?;
//! let wanted = vec![
//!     Change::set_roles(MemberRef::email("bob.dns@example.com"), [read_only.clone()]),
//!     Change::set_roles(MemberRef::email("nobody@example.com"), [read_only]),
//! ];
//! let plan = members.plan(&wanted).await?;
//! for problem in &plan.problems {
//!     eprintln!("skipped: {}", problem.message);
//! }
//! let outcomes: Vec<_> = members.apply(plan.changes()).collect().await;
//! let retry = RetryFile::from_outcomes(&outcomes);
//! std::fs::write("retry.json", serde_json::to_string_pretty(&retry)?)?;
//! # Ok(()) }
//! ```

mod changes;
mod format;
mod named;
mod plan;
mod planner;
mod retry;
mod run;

pub(crate) use crate::members::email_key;
pub use changes::{Change, MemberRef};
pub use format::{ChangeField, ChangeOp, EntryError, FieldNames, FieldShape, JsonKeys};
pub use named::{
    resolve_policies, resolve_roles, Named, NamedAccess, NamedChange, NamedPolicy, Unresolved,
};
pub(crate) use plan::{same_policies, KnownScopes};
pub use plan::{AccessState, Plan, PlanAction, PlanEntry, PolicyState, Problem, ProblemKind};
pub use retry::{RetryEntry, RetryFile};
pub use run::{Apply, ChangeError, ChangeResult, Outcome, DEFAULT_APPLY_CONCURRENCY};

#[cfg(test)]
mod tests {
    use crate::members::email_key;

    #[test]
    fn emails_fold_ascii_case_and_trim_only() {
        assert_eq!(email_key(" Bob.DNS@Example.COM "), "bob.dns@example.com");
        assert_eq!(email_key("\u{c9}ve@example.com"), "\u{c9}ve@example.com");
        assert_ne!(
            email_key("\u{c9}ve@example.com"),
            email_key("\u{e9}ve@example.com")
        );
    }
}
