//! What a reference resolved to, and why one did not: the kinds, the
//! candidates, [`ResolveError`] and [`Resolution`].

use std::fmt;

use member_types::json::shorten;
use member_types::{AccountId, ValidationError};

use crate::Error;

/// What a reference names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RefKind {
    /// An account member (by email or membership id).
    Member,
    /// A role (by name or id).
    Role,
    /// A permission group (by name, label or id).
    PermissionGroup,
    /// A resource group (by name or id).
    ResourceGroup,
    /// A zone (by domain name).
    Zone,
    /// An account (by name or id).
    Account,
    /// A user group (by name or id).
    UserGroup,
}

impl RefKind {
    /// The kind in words, e.g. `permission group`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Member => "member",
            Self::Role => "role",
            Self::PermissionGroup => "permission group",
            Self::ResourceGroup => "resource group",
            Self::Zone => "zone",
            Self::Account => "account",
            Self::UserGroup => "user group",
        }
    }
}

impl fmt::Display for RefKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One of several things a reference matched.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Candidate {
    /// Its id, which names it exactly.
    pub id: String,
    /// Its name (or email), as the server sent it.
    pub name: String,
}

impl Candidate {
    /// A candidate with this id and name.
    pub fn new(id: &str, name: &str) -> Self {
        Self {
            id: id.to_owned(),
            name: name.to_owned(),
        }
    }
}

/// A reference that could not be turned into exactly one id. Nothing was
/// sent because of it.
#[derive(Debug)]
#[non_exhaustive]
pub enum ResolveError {
    /// Nothing matched.
    NotFound {
        /// What was looked for.
        kind: RefKind,
        /// The reference as given.
        reference: String,
        /// The account it was looked for in (none for accounts themselves).
        account: Option<AccountId>,
        /// The closest names, best first (at most three).
        suggestions: Vec<String>,
    },
    /// Several things matched.
    Ambiguous {
        /// What was looked for.
        kind: RefKind,
        /// The reference as given.
        reference: String,
        /// The account it was looked for in (none for accounts themselves).
        account: Option<AccountId>,
        /// Everything that matched.
        candidates: Vec<Candidate>,
    },
    /// The reference is not of a form this kind takes (an id with a bad
    /// character, an unknown scope form, …).
    Invalid(ValidationError),
    /// Reading what to match against failed.
    Request(Error),
}

impl ResolveError {
    /// Nothing of `kind` matched `reference`, outside any one account (an
    /// account looked up by name).
    pub fn not_found_anywhere(kind: RefKind, reference: &str, suggestions: Vec<String>) -> Self {
        Self::NotFound {
            kind,
            reference: reference.to_owned(),
            account: None,
            suggestions,
        }
    }

    /// Several things of `kind` matched `reference`, outside any one
    /// account.
    pub fn ambiguous_anywhere(kind: RefKind, reference: &str, candidates: Vec<Candidate>) -> Self {
        Self::Ambiguous {
            kind,
            reference: reference.to_owned(),
            account: None,
            candidates,
        }
    }

    /// Whether nothing matched.
    pub fn is_not_found(&self) -> bool {
        matches!(self, Self::NotFound { .. })
    }

    /// Whether several things matched.
    pub fn is_ambiguous(&self) -> bool {
        matches!(self, Self::Ambiguous { .. })
    }

    /// Whether the reference itself is malformed.
    pub fn is_invalid(&self) -> bool {
        matches!(self, Self::Invalid(_))
    }

    /// The kind looked for, for not-found and ambiguous references.
    pub fn kind(&self) -> Option<RefKind> {
        match self {
            Self::NotFound { kind, .. } | Self::Ambiguous { kind, .. } => Some(*kind),
            Self::Invalid(_) | Self::Request(_) => None,
        }
    }

    /// The request error, when reading failed.
    pub fn request_error(&self) -> Option<&Error> {
        match self {
            Self::Request(e) => Some(e),
            _ => None,
        }
    }
}

impl fmt::Display for ResolveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotFound {
                kind,
                reference,
                account,
                suggestions,
            } => {
                write!(f, "no {kind} {:?}", shorten(reference))?;
                if let Some(account) = account {
                    write!(f, " in account {account}")?;
                }
                match suggestions.as_slice() {
                    [] => {}
                    [one] => write!(f, "; did you mean {one:?}?")?,
                    many => {
                        let quoted: Vec<String> = many.iter().map(|s| format!("{s:?}")).collect();
                        write!(f, "; did you mean one of {}?", quoted.join(", "))?;
                    }
                }
                write!(
                    f,
                    " (names match case-insensitively; an id matches only an id)"
                )
            }
            Self::Ambiguous {
                kind,
                reference,
                account,
                candidates,
            } => {
                let listed: Vec<String> = candidates
                    .iter()
                    .map(|c| format!("{} ({})", c.id, c.name))
                    .collect();
                write!(
                    f,
                    "{:?} matches {} {kind}s",
                    shorten(reference),
                    candidates.len()
                )?;
                if let Some(account) = account {
                    write!(f, " in account {account}")?;
                }
                write!(
                    f,
                    ": {}; give the id of the one you mean",
                    listed.join(", ")
                )
            }
            Self::Invalid(e) => e.fmt(f),
            Self::Request(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for ResolveError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Invalid(e) => Some(e),
            Self::Request(e) => Some(e),
            _ => None,
        }
    }
}

impl From<ValidationError> for ResolveError {
    fn from(e: ValidationError) -> Self {
        Self::Invalid(e)
    }
}

impl From<Error> for ResolveError {
    fn from(e: Error) -> Self {
        match e {
            Error::Validation(v) => Self::Invalid(v),
            other => Self::Request(other),
        }
    }
}

/// What one reference resolved to (for `--dry-run` and logs).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Resolution {
    /// What was looked for.
    pub kind: RefKind,
    /// The reference as given.
    pub reference: String,
    /// The id it resolved to (for an inline scope, its key).
    pub id: String,
    /// The name (or email) of what it resolved to, when known.
    pub name: Option<String>,
}
