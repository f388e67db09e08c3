//! What a DELETE returns.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The result of a DELETE (Remove Member, and the deletes of other
/// resources): the id of what was removed, when the server sends one. The API
/// also answers `result: null`, which a caller reads as `Option<Deleted>`.
///
/// ```
/// use member_types::Deleted;
///
/// let gone: Option<Deleted> = serde_json::from_str(r#"{"id":"4536bcfad5faccb111b47003c79917fa"}"#)?;
/// assert_eq!(gone.and_then(|d| d.id).as_deref(), Some("4536bcfad5faccb111b47003c79917fa"));
/// let nothing: Option<Deleted> = serde_json::from_str("null")?;
/// assert!(nothing.is_none());
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct Deleted {
    /// Identifier of the removed item, as the server sent it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
}

impl Deleted {
    /// A result naming the removed item.
    pub fn new(id: impl Into<String>) -> Self {
        Self {
            id: Some(id.into()),
        }
    }
}
