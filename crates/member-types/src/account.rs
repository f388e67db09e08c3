//! Accounts, as `GET /accounts` lists them.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::enums::Direction;
use crate::error::ValidationError;
use crate::ids::AccountId;
use crate::params::{filter_text, paged_params, Paging};

/// An account the token can see.
///
/// The API adds settings and flags over time and sends most of them as
/// `null`; what this type does not name is kept in [`other`](Self::other)
/// and in [`AccountSettings::other`], and written back as received.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct Account {
    /// Account identifier.
    #[serde(deserialize_with = "AccountId::deserialize_lenient")]
    #[schemars(with = "String")]
    pub id: AccountId,
    /// Account name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `standard` or `enterprise` (kept as sent).
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub account_type: Option<String>,
    /// Account settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settings: Option<AccountSettings>,
    /// When the account was created (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_on: Option<String>,
    /// The organization that manages the account, when one does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub managed_by: Option<ManagedBy>,
    /// Other keys, kept as received.
    #[serde(flatten)]
    pub other: BTreeMap<String, serde_json::Value>,
}

impl Account {
    /// Whether the account requires two-factor authentication of its
    /// members (`settings.enforce_twofactor`), when the server says.
    pub fn enforces_two_factor(&self) -> Option<bool> {
        self.settings.as_ref()?.enforce_twofactor
    }
}

/// The settings of an [`Account`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct AccountSettings {
    /// Whether members must use two-factor authentication.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enforce_twofactor: Option<bool>,
    /// Other settings (most are `null`), kept as received.
    #[serde(flatten)]
    pub other: BTreeMap<String, serde_json::Value>,
}

/// The organization managing an [`Account`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct ManagedBy {
    /// The parent organization's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_org_id: Option<String>,
    /// The parent organization's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_org_name: Option<String>,
}

/// Query parameters of List Accounts: a `name` filter, the sort
/// `direction`, and paging.
///
/// ```
/// use member_types::{ListAccountsParams, ListParams};
///
/// let params = ListAccountsParams::new().name("Example Corp")?.per_page(50)?;
/// // For display; the client percent-encodes the pairs it sends.
/// assert_eq!(params.to_query_string(), "name=Example Corp&per_page=50");
/// # Ok::<(), member_types::ValidationError>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ListAccountsParams {
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    direction: Option<Direction>,
    #[serde(flatten)]
    paging: Paging,
}

impl ListAccountsParams {
    /// No filter.
    pub fn new() -> Self {
        Self::default()
    }

    /// Only accounts with this name.
    ///
    /// # Errors
    /// [`ValidationError::Empty`] for a blank name.
    pub fn name(mut self, name: &str) -> Result<Self, ValidationError> {
        self.name = Some(filter_text("account name", name)?);
        Ok(self)
    }

    /// Sort direction.
    #[must_use]
    pub fn direction(mut self, direction: Direction) -> Self {
        self.direction = Some(direction);
        self
    }

    /// name, direction: the filters in their stable order.
    fn filter_pairs(&self, pairs: &mut Vec<(&'static str, String)>) {
        if let Some(name) = &self.name {
            pairs.push(("name", name.clone()));
        }
        if let Some(direction) = self.direction {
            pairs.push(("direction", direction.as_str().to_owned()));
        }
    }
}

paged_params!(ListAccountsParams);
