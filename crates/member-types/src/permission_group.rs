//! Permission groups: the account's catalog of what a policy can allow or
//! deny (`GET /accounts/{account_id}/iam/permission_groups`), and the same
//! object as a policy references it.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::ValidationError;
use crate::ids::PermissionGroupId;
use crate::member::Meta;
use crate::params::{filter_text, paged_params, Paging};

/// A permission group, as the catalog lists it and as a policy references it.
///
/// The catalog sends `{id, name, status, meta, created_on, modified_on}`,
/// with `meta` a flat map of strings (`description`, `editable`, `label`,
/// `scopes`); a policy sends `{id, name, meta}`. Every field but `id` is
/// optional, and what is absent is left out when written back.
///
/// ```
/// use member_types::PermissionGroup;
///
/// let group: PermissionGroup = serde_json::from_str(r#"{
///     "id": "49ce85367bae433b9f0717ed4fea5c74", "name": "DNS", "status": "V",
///     "meta": {"label": "dns_admin", "scopes": "com.cloudflare.api.account", "editable": "false"},
///     "created_on": "2020-10-13T12:42:59.660479Z", "modified_on": "2020-10-13T12:42:59.660479Z"
/// }"#)?;
/// assert_eq!(group.label(), Some("dns_admin"));
/// assert_eq!(group.scope_type(), Some("com.cloudflare.api.account"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct PermissionGroup {
    /// Identifier of the permission group.
    #[serde(deserialize_with = "PermissionGroupId::deserialize_lenient")]
    #[schemars(with = "String")]
    pub id: PermissionGroupId,
    /// Attributes associated to the permission group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    /// Name of the permission group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The catalog's status code for the group (`V` in every answer seen).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// When the group was created (RFC 3339), as the catalog sends it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_on: Option<String>,
    /// When the group was last modified (RFC 3339), as the catalog sends it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified_on: Option<String>,
}

impl PermissionGroup {
    /// A reference by id only, as a policy request sends it.
    pub fn new(id: PermissionGroupId) -> Self {
        Self {
            id,
            meta: None,
            name: None,
            status: None,
            created_on: None,
            modified_on: None,
        }
    }

    /// A string attribute of `meta` (`label`, `scopes`, `description`,
    /// `editable`), when the server sent it as a string.
    pub fn meta_str(&self, key: &str) -> Option<&str> {
        self.meta.as_ref()?.other.get(key)?.as_str()
    }

    /// The group's label (`meta.label`), e.g. `dns_admin`.
    pub fn label(&self) -> Option<&str> {
        self.meta_str("label")
    }

    /// The type of scope the group applies to (`meta.scopes`):
    /// `com.cloudflare.api.account` or `com.cloudflare.api.account.zone`.
    pub fn scope_type(&self) -> Option<&str> {
        self.meta_str("scopes")
    }
}

/// Query parameters of List Permission Groups: exact `id`, `name` and
/// `label` filters (each optional), and paging.
///
/// ```
/// use member_types::{ListParams, ListPermissionGroupsParams};
///
/// let params = ListPermissionGroupsParams::new().name("DNS")?.per_page(50)?;
/// assert_eq!(params.to_query_string(), "name=DNS&per_page=50");
/// assert!(ListPermissionGroupsParams::new().label("  ").is_err());
/// # Ok::<(), member_types::ValidationError>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ListPermissionGroupsParams {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<PermissionGroupId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    label: Option<String>,
    #[serde(flatten)]
    paging: Paging,
}

impl ListPermissionGroupsParams {
    /// No filter, the API's default page size.
    pub fn new() -> Self {
        Self::default()
    }

    /// Only the group with this id.
    #[must_use]
    pub fn id(mut self, id: PermissionGroupId) -> Self {
        self.id = Some(id);
        self
    }

    /// Only groups with exactly this name (e.g. `DNS`).
    ///
    /// # Errors
    /// [`ValidationError::Empty`] for an empty or blank name.
    pub fn name(mut self, name: &str) -> Result<Self, ValidationError> {
        self.name = Some(filter_text("name", name)?);
        Ok(self)
    }

    /// Only groups with exactly this label (`meta.label`, e.g. `dns_admin`).
    ///
    /// # Errors
    /// [`ValidationError::Empty`] for an empty or blank label.
    pub fn label(mut self, label: &str) -> Result<Self, ValidationError> {
        self.label = Some(filter_text("label", label)?);
        Ok(self)
    }

    /// id, name, label: the filters in their stable order.
    fn filter_pairs(&self, pairs: &mut Vec<(&'static str, String)>) {
        if let Some(id) = &self.id {
            pairs.push(("id", id.as_str().to_owned()));
        }
        if let Some(name) = &self.name {
            pairs.push(("name", name.clone()));
        }
        if let Some(label) = &self.label {
            pairs.push(("label", label.clone()));
        }
    }
}

paged_params!(ListPermissionGroupsParams);
