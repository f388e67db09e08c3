//! Zones, as much as a lookup by name needs (`GET /zones`).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::ValidationError;
use crate::ids::{AccountId, ZoneId};
use crate::params::{paged_params, Paging};

/// A zone: its id, name, status and account. The API sends dozens of other
/// keys; they are not kept.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct Zone {
    /// Zone identifier.
    #[serde(deserialize_with = "ZoneId::deserialize_lenient")]
    #[schemars(with = "String")]
    pub id: ZoneId,
    /// The domain name, e.g. `example.com`.
    pub name: String,
    /// The zone's status (`active`, `pending`, `initializing`, `moved`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// The account that owns the zone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<ZoneAccount>,
}

/// The account of a [`Zone`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct ZoneAccount {
    /// Account identifier.
    #[serde(
        default,
        deserialize_with = "AccountId::deserialize_lenient_opt",
        skip_serializing_if = "Option::is_none"
    )]
    #[schemars(with = "Option<String>")]
    pub id: Option<AccountId>,
    /// Account name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// Query parameters of List Zones, for a lookup: an exact `name`, the
/// owning account (`account.id`), and paging.
///
/// ```
/// use member_types::{AccountId, ListParams, ListZonesParams};
///
/// let account: AccountId = "023e105f4ecef8ad9ca31a8372d0c353".parse()?;
/// let params = ListZonesParams::new().name("example.com")?.account(account);
/// assert_eq!(
///     params.to_query_string(),
///     "name=example.com&account.id=023e105f4ecef8ad9ca31a8372d0c353"
/// );
/// // An operator prefix would turn the exact match into a search.
/// assert!(ListZonesParams::new().name("contains:example").is_err());
/// # Ok::<(), member_types::ValidationError>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ListZonesParams {
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(rename = "account.id", skip_serializing_if = "Option::is_none")]
    account: Option<AccountId>,
    #[serde(flatten)]
    paging: Paging,
}

impl ListZonesParams {
    /// No filter.
    pub fn new() -> Self {
        Self::default()
    }

    /// Only the zone with exactly this domain name.
    ///
    /// # Errors
    /// [`ValidationError`] for a blank name, one holding `:`, `/`, white
    /// space or control characters (the API reads `contains:` and similar
    /// prefixes as search operators), or one longer than a domain name can
    /// be (253 characters).
    ///
    /// ```
    /// use member_types::ListZonesParams;
    /// assert!(ListZonesParams::new().name("example.com").is_ok());
    /// assert!(ListZonesParams::new().name("contains:example").is_err());
    /// let long = format!("{}.com", "a".repeat(250));
    /// let err = ListZonesParams::new().name(&long).unwrap_err();
    /// assert!(err.to_string().contains("at most 253 characters"), "{err}");
    /// ```
    pub fn name(mut self, name: &str) -> Result<Self, ValidationError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(ValidationError::Empty {
                field: "zone name",
                hint: "give the zone's domain name, e.g. example.com",
            });
        }
        if name
            .chars()
            .any(|c| c == ':' || c == '/' || c.is_whitespace() || c.is_control())
        {
            return Err(ValidationError::Format {
                field: "zone name",
                value: crate::error::shorten(name),
                rule: "a domain name such as example.com (no ':', '/', or spaces)",
            });
        }
        // A domain name has at most 253 characters (an internationalized
        // one at least as many once encoded): a longer one names no zone,
        // and is not worth a request.
        if name.chars().count() > 253 {
            return Err(ValidationError::Format {
                field: "zone name",
                value: crate::error::shorten(name),
                rule: "a domain name of at most 253 characters, such as example.com",
            });
        }
        self.name = Some(name.to_owned());
        Ok(self)
    }

    /// Only zones of this account.
    #[must_use]
    pub fn account(mut self, account: AccountId) -> Self {
        self.account = Some(account);
        self
    }

    /// name, account.id: the filters in their stable order.
    fn filter_pairs(&self, pairs: &mut Vec<(&'static str, String)>) {
        if let Some(name) = &self.name {
            pairs.push(("name", name.clone()));
        }
        if let Some(account) = &self.account {
            pairs.push(("account.id", account.as_str().to_owned()));
        }
    }
}

paged_params!(ListZonesParams);
