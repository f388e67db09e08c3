//! The retry file: what a run did not do, to feed back through the plan.

use serde::{Deserialize, Serialize};

#[cfg(doc)]
use crate::Members;

use super::{Change, ChangeError, Outcome};

/// One change to try again, from a [`RetryFile`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RetryEntry {
    /// The change.
    pub change: Change,
    /// Whether the failed attempt may have been applied all the same.
    /// [`Members::plan`] reads the state again, so such a change is then
    /// shown as unchanged rather than sent twice.
    pub may_have_been_applied: bool,
    /// Why it failed (none when it never started).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ChangeError>,
}

/// The changes of a run that failed or never started, to write as JSON and
/// feed back later.
///
/// Feed [`changes`](Self::changes) to [`Members::plan`], not straight to
/// [`Members::apply`]: the plan reads the current state, so a change whose
/// failure [`may_have_been_applied`](RetryEntry::may_have_been_applied) and
/// that did land is a no-op, and only what is still missing is sent.
///
/// ```
/// use member_client::{Change, MemberRef, RetryFile};
///
/// let retry = RetryFile::from_outcomes(&[]);
/// assert!(retry.is_empty());
/// let json = serde_json::to_string(&retry).unwrap();
/// assert_eq!(json, r#"{"changes":[]}"#);
/// let back: RetryFile = serde_json::from_str(&json).unwrap();
/// assert_eq!(back, retry);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RetryFile {
    /// The changes, in the order of the run's input.
    pub changes: Vec<RetryEntry>,
}

impl RetryFile {
    /// Keeps the outcomes that failed or never started, in input order.
    ///
    /// ```
    /// # fn f(outcomes: Vec<member_client::Outcome>) {
    /// let retry = member_client::RetryFile::from_outcomes(&outcomes);
    /// println!("{} to retry", retry.len());
    /// # }
    /// ```
    pub fn from_outcomes<'a>(outcomes: impl IntoIterator<Item = &'a Outcome>) -> Self {
        let mut kept: Vec<(usize, RetryEntry)> = outcomes
            .into_iter()
            .filter(|o| !o.is_applied())
            .map(|o| {
                (
                    o.index,
                    RetryEntry {
                        change: o.change.clone(),
                        may_have_been_applied: o.may_have_been_applied(),
                        error: o.error().cloned(),
                    },
                )
            })
            .collect();
        kept.sort_by_key(|(index, _)| *index);
        Self {
            changes: kept.into_iter().map(|(_, entry)| entry).collect(),
        }
    }

    /// The changes, for [`Members::plan`].
    ///
    /// ```
    /// assert!(member_client::RetryFile::default().changes().is_empty());
    /// ```
    pub fn changes(&self) -> Vec<Change> {
        self.changes.iter().map(|e| e.change.clone()).collect()
    }

    /// How many changes there are.
    ///
    /// ```
    /// assert_eq!(member_client::RetryFile::default().len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.changes.len()
    }

    /// Whether there is nothing to retry.
    ///
    /// ```
    /// assert!(member_client::RetryFile::default().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }
}
