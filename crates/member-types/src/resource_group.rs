//! Resource groups: named sets of scopes that a policy applies to
//! (`/accounts/{account_id}/iam/resource_groups`), their request bodies, and
//! the scope keys they are built from.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::{shorten, ValidationError};
use crate::ids::{AccountId, Identifier, ResourceGroupId, ZoneId};
use crate::member::{Meta, Scope, ScopeObject, Scopes};
use crate::params::{paged_params, Paging};

/// The scope-key prefix of an account: `com.cloudflare.api.account.<account_id>`.
pub const ACCOUNT_SCOPE_PREFIX: &str = "com.cloudflare.api.account.";
/// The scope-key prefix of a zone: `com.cloudflare.api.account.zone.<zone_id>`.
pub const ZONE_SCOPE_PREFIX: &str = "com.cloudflare.api.account.zone.";
/// The object key that means everything under a scope key.
pub const SCOPE_ALL: &str = "*";

/// A resource group, as the resource-group endpoints return it and as a
/// policy references it.
///
/// `scope` comes as one object or as an array of them, depending on the
/// API version; both are read, and written back as received
/// ([`Scopes`]). Groups the API made from an inline scope may have no
/// usable `name`: identify them by their scope.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct ResourceGroup {
    /// Identifier of the resource group.
    #[serde(deserialize_with = "ResourceGroupId::deserialize_lenient")]
    #[schemars(with = "String")]
    pub id: ResourceGroupId,
    /// The scope associated to the resource group.
    #[serde(default)]
    pub scope: Scopes,
    /// Attributes associated to the resource group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    /// Name of the resource group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

impl Scope {
    /// The scope key of an account: `com.cloudflare.api.account.<id>`.
    ///
    /// # Errors
    /// The id's [`ValidationError`] when it breaks its rule.
    pub fn account_key(account: &AccountId) -> Result<String, ValidationError> {
        Ok(format!("{ACCOUNT_SCOPE_PREFIX}{}", account.checked()?))
    }

    /// The scope key of a zone: `com.cloudflare.api.account.zone.<id>`.
    ///
    /// # Errors
    /// The id's [`ValidationError`] when it breaks its rule.
    pub fn zone_key(zone: &ZoneId) -> Result<String, ValidationError> {
        Ok(format!("{ZONE_SCOPE_PREFIX}{}", zone.checked()?))
    }

    /// The whole account: `{key: account, objects: [{key: "*"}]}`.
    ///
    /// ```
    /// use member_types::{AccountId, Scope};
    ///
    /// let account: AccountId = "023e105f4ecef8ad9ca31a8372d0c353".parse()?;
    /// let scope = Scope::account(&account)?;
    /// assert_eq!(scope.key, "com.cloudflare.api.account.023e105f4ecef8ad9ca31a8372d0c353");
    /// assert_eq!(scope.objects[0].key, "*");
    /// # Ok::<(), member_types::ValidationError>(())
    /// ```
    ///
    /// # Errors
    /// The id's [`ValidationError`] when it breaks its rule.
    pub fn account(account: &AccountId) -> Result<Self, ValidationError> {
        Ok(Self::everything_under(Self::account_key(account)?))
    }

    /// One whole zone: `{key: zone, objects: [{key: "*"}]}`.
    ///
    /// # Errors
    /// The id's [`ValidationError`] when it breaks its rule.
    pub fn zone(zone: &ZoneId) -> Result<Self, ValidationError> {
        Ok(Self::everything_under(Self::zone_key(zone)?))
    }

    /// Some zones of an account: `{key: account, objects: [{key: zone}, …]}`.
    ///
    /// ```
    /// use member_types::{AccountId, Scope, ZoneId};
    ///
    /// let account: AccountId = "023e105f4ecef8ad9ca31a8372d0c353".parse()?;
    /// let zone: ZoneId = "aad9930b9d65bfc3a47abe3e97198baf".parse()?;
    /// let scope = Scope::zones(&account, [&zone])?;
    /// assert_eq!(scope.objects[0].key, "com.cloudflare.api.account.zone.aad9930b9d65bfc3a47abe3e97198baf");
    /// assert!(Scope::zones(&account, []).is_err());
    /// # Ok::<(), member_types::ValidationError>(())
    /// ```
    ///
    /// # Errors
    /// [`ValidationError::Empty`] without zones; an id's error when it breaks
    /// its rule.
    pub fn zones<'a>(
        account: &AccountId,
        zones: impl IntoIterator<Item = &'a ZoneId>,
    ) -> Result<Self, ValidationError> {
        let objects = zones
            .into_iter()
            .map(|zone| Self::zone_key(zone).map(|key| ScopeObject { key }))
            .collect::<Result<Vec<_>, _>>()?;
        let scope = Self {
            key: Self::account_key(account)?,
            objects,
        };
        scope.validate_request()?;
        Ok(scope)
    }

    fn everything_under(key: String) -> Self {
        Self {
            key,
            objects: vec![ScopeObject {
                key: SCOPE_ALL.to_owned(),
            }],
        }
    }

    /// The rules of a scope in a request: a key, and at least one object,
    /// each with a key.
    ///
    /// # Errors
    /// [`ValidationError`] naming the rule broken.
    pub fn validate_request(&self) -> Result<(), ValidationError> {
        if self.key.trim().is_empty() {
            return Err(ValidationError::Empty {
                field: "scope.key",
                hint: "use Scope::account or Scope::zone to build the key",
            });
        }
        if self.objects.is_empty() {
            return Err(ValidationError::Empty {
                field: "scope.objects",
                hint: "give at least one object (\"*\" for everything under the key)",
            });
        }
        if let Some(object) = self.objects.iter().find(|o| o.key.trim().is_empty()) {
            return Err(ValidationError::Format {
                field: "scope.objects[].key",
                value: shorten(&object.key),
                rule: "every scope object needs a key (\"*\" or a zone key)",
            });
        }
        Ok(())
    }
}

fn check_name(name: &str) -> Result<String, ValidationError> {
    if name.trim().is_empty() {
        return Err(ValidationError::Empty {
            field: "name",
            hint: "give the resource group a name",
        });
    }
    Ok(name.to_owned())
}

/// The body of Create Resource Group
/// (`POST /accounts/{account_id}/iam/resource_groups`): a name and one scope.
///
/// ```
/// use member_types::{AccountId, CreateResourceGroup, Scope};
///
/// let account: AccountId = "023e105f4ecef8ad9ca31a8372d0c353".parse()?;
/// let body = CreateResourceGroup::new("Everything", Scope::account(&account)?)?;
/// assert_eq!(
///     serde_json::to_value(&body).unwrap(),
///     serde_json::json!({"name": "Everything", "scope": {
///         "key": "com.cloudflare.api.account.023e105f4ecef8ad9ca31a8372d0c353",
///         "objects": [{"key": "*"}]}})
/// );
/// # Ok::<(), member_types::ValidationError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
#[non_exhaustive]
pub struct CreateResourceGroup {
    /// Name of the resource group.
    #[schemars(length(min = 1))]
    pub name: String,
    /// The scope the group covers (one object; at least one scope object).
    pub scope: Scope,
}

impl CreateResourceGroup {
    /// A checked body.
    ///
    /// # Errors
    /// [`ValidationError`] for a blank name or a scope without objects.
    pub fn new(name: &str, scope: Scope) -> Result<Self, ValidationError> {
        scope.validate_request()?;
        Ok(Self {
            name: check_name(name)?,
            scope,
        })
    }
}

/// The body of Update Resource Group
/// (`PUT /accounts/{account_id}/iam/resource_groups/{resource_group_id}`):
/// a new name, a new scope, or both.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
#[non_exhaustive]
pub struct UpdateResourceGroup {
    /// The new name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The new scope (replaces the old one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<Scope>,
}

impl UpdateResourceGroup {
    /// A body that changes nothing yet; add [`name`](Self::name) or
    /// [`scope`](Self::scope).
    pub fn new() -> Self {
        Self::default()
    }

    /// Renames the group.
    ///
    /// # Errors
    /// [`ValidationError::Empty`] for a blank name.
    pub fn name(mut self, name: &str) -> Result<Self, ValidationError> {
        self.name = Some(check_name(name)?);
        Ok(self)
    }

    /// Replaces the group's scope.
    ///
    /// # Errors
    /// [`ValidationError`] for a scope without objects.
    pub fn scope(mut self, scope: Scope) -> Result<Self, ValidationError> {
        scope.validate_request()?;
        self.scope = Some(scope);
        Ok(self)
    }

    /// Checks that the body changes something.
    ///
    /// # Errors
    /// [`ValidationError::Missing`] when neither name nor scope is set.
    pub fn validate(&self) -> Result<(), ValidationError> {
        if self.name.is_none() && self.scope.is_none() {
            return Err(ValidationError::Missing {
                field: "name or scope",
                hint: "an update changes the name, the scope, or both",
            });
        }
        Ok(())
    }
}

/// Query parameters of List Resource Groups: exact `id` and `name` filters.
///
/// The list is answered as a single page by the current API and paged by
/// older versions, so no paging is sent unless set; the client pages on only
/// when the server's totals say there is more.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ListResourceGroupsParams {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<ResourceGroupId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(flatten)]
    paging: Paging,
}

impl ListResourceGroupsParams {
    /// No filter.
    pub fn new() -> Self {
        Self::default()
    }

    /// Only the group with this id.
    #[must_use]
    pub fn id(mut self, id: ResourceGroupId) -> Self {
        self.id = Some(id);
        self
    }

    /// Only groups with exactly this name.
    ///
    /// # Errors
    /// [`ValidationError::Empty`] for a blank name.
    pub fn name(mut self, name: &str) -> Result<Self, ValidationError> {
        self.name = Some(check_name(name)?);
        Ok(self)
    }

    /// id, name: the filters in their stable order.
    fn filter_pairs(&self, pairs: &mut Vec<(&'static str, String)>) {
        if let Some(id) = &self.id {
            pairs.push(("id", id.as_str().to_owned()));
        }
        if let Some(name) = &self.name {
            pairs.push(("name", name.clone()));
        }
    }
}

paged_params!(ListResourceGroupsParams);
