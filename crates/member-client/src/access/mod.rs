//! Access as code: an account's whole access written down as an
//! [`AccessFile`](member_types::AccessFile), read back, compared and made
//! so.
//!
//! - [`Client::export_access`](crate::Client::export_access): the account
//!   as a file, names where they are unique (`export.rs`).
//! - [`AccessSource`]: a file's text (YAML or JSON) read, with the line of
//!   every place, for problems people can find (`source.rs`).
//! - [`Client::access_changes`](crate::Client::access_changes): the changes
//!   the file asks for, every name resolved (`changes.rs`).
//! - [`Client::access_plan`](crate::Client::access_plan): those changes
//!   planned by the one plan engine ([`Members::plan`](crate::Members::plan)),
//!   the differences by name, and the safety rules of a sync (`plan.rs`).

mod changes;
mod export;
mod plan;
mod source;

pub use changes::{AccessChanges, GroupJoin, GroupPolicies, NewGroup, StatusDrift};
pub use plan::{AccessPlan, DriftAction, GroupDrift, MemberDrift, SyncSafety};
pub use source::{access_text, AccessSource, SourceError, SourceFormat};

use member_types::FileProblem;

use crate::Error;

/// Why an access file cannot be turned into changes. Nothing was written.
#[derive(Debug)]
#[non_exhaustive]
pub enum AccessFileError {
    /// Every problem of the file, in one list: the ones found without the
    /// server ([`AccessFile::problems`](member_types::AccessFile::problems))
    /// and every name that did not resolve, each with its place.
    Invalid(Vec<FileProblem>),
    /// A read failed.
    Request(Error),
}

impl AccessFileError {
    /// The problems of the file (none for a failed read).
    pub fn problems(&self) -> &[FileProblem] {
        match self {
            Self::Invalid(problems) => problems,
            Self::Request(_) => &[],
        }
    }
}

impl std::fmt::Display for AccessFileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Invalid(problems) => {
                write!(f, "the access file has {} problem(s):", problems.len())?;
                problems.iter().try_for_each(|p| write!(f, "\n  {p}"))
            }
            Self::Request(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for AccessFileError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Request(e) => Some(e),
            Self::Invalid(_) => None,
        }
    }
}

impl From<Error> for AccessFileError {
    fn from(e: Error) -> Self {
        Self::Request(e)
    }
}
