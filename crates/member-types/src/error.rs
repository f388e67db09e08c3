//! The validation error shared by identifiers, request bodies and parameters.

/// Shortens a caller-supplied value for an error message: at most 40
/// characters, control characters escaped.
pub(crate) fn shorten(value: &str) -> String {
    const MAX: usize = 40;
    let mut out: String = value.chars().take(MAX).collect();
    if value.chars().count() > MAX {
        out.push('…');
    }
    out
}

/// A value supplied by the caller broke a documented rule. Nothing was sent.
///
/// Every variant names the field, shows the offending value (shortened) where
/// there is one, and states the rule, so the message alone says how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ValidationError {
    /// An identifier broke the identifier rule.
    #[error("invalid {field} {value:?}: {reason}; expected {rule}")]
    InvalidId {
        /// The field, e.g. `member_id`.
        field: &'static str,
        /// The offending value, shortened to 40 characters.
        value: String,
        /// What is wrong with it.
        reason: String,
        /// The rule it must follow.
        rule: String,
    },
    /// A string was longer or shorter than allowed.
    #[error("invalid {field} {value:?}: it has {len} characters; expected {min} to {max}")]
    Length {
        /// The field, e.g. `email`.
        field: &'static str,
        /// The offending value, shortened.
        value: String,
        /// Its length in characters.
        len: usize,
        /// Fewest characters allowed.
        min: usize,
        /// Most characters allowed.
        max: usize,
    },
    /// A value does not have the required form.
    #[error("invalid {field} {value:?}: {rule}")]
    Format {
        /// The field.
        field: &'static str,
        /// The offending value, shortened.
        value: String,
        /// The rule it must follow.
        rule: &'static str,
    },
    /// A list that the API requires to be non-empty was empty.
    #[error("{field} must not be empty: {hint}")]
    Empty {
        /// The field, e.g. `roles`.
        field: &'static str,
        /// How to fix it.
        hint: &'static str,
    },
    /// A number was outside its allowed range.
    #[error("invalid {field} {value}: expected {min} to {max}")]
    OutOfRange {
        /// The field, e.g. `per_page`.
        field: &'static str,
        /// The offending value.
        value: i64,
        /// Smallest allowed value.
        min: i64,
        /// Largest allowed value.
        max: i64,
    },
    /// Two fields that exclude each other were both given.
    #[error("{first} and {second} cannot be sent together: {hint}")]
    Conflict {
        /// One field.
        first: &'static str,
        /// The other field.
        second: &'static str,
        /// How to fix it.
        hint: &'static str,
    },
    /// A required field was missing.
    #[error("{field} is missing: {hint}")]
    Missing {
        /// The field.
        field: &'static str,
        /// How to fix it.
        hint: &'static str,
    },
}

impl ValidationError {
    /// The field the error is about.
    pub fn field(&self) -> &'static str {
        match self {
            Self::InvalidId { field, .. }
            | Self::Length { field, .. }
            | Self::Format { field, .. }
            | Self::Empty { field, .. }
            | Self::OutOfRange { field, .. }
            | Self::Missing { field, .. } => field,
            Self::Conflict { first, .. } => first,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shorten_keeps_short_values() {
        assert_eq!(shorten("abc"), "abc");
        assert_eq!(shorten(&"é".repeat(50)).chars().count(), 41);
    }
}
