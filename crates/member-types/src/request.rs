//! Request bodies for Update Member (PUT) and Add Member (POST).
//!
//! The two endpoints spell role assignments differently: PUT takes role
//! *objects* (`{"roles": [{"id": "…"}]}`), POST takes role id *strings*
//! (`{"roles": ["…"]}`). These types write the right shape for each, and a
//! body that carries both roles and policies cannot be expressed (the server
//! would silently let the policies win).
//!
//! ```
//! use member_types::{RoleId, UpdateMember};
//!
//! let body = UpdateMember::with_roles([RoleId::new("3536bcfad5faccb999b47003c79917fb")?])?;
//! assert_eq!(
//!     serde_json::to_string(&body).unwrap(),
//!     r#"{"roles":[{"id":"3536bcfad5faccb999b47003c79917fb"}]}"#
//! );
//! # Ok::<(), member_types::ValidationError>(())
//! ```

use std::fmt;

use schemars::JsonSchema;
use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

use crate::enums::{Access, InviteStatus};
use crate::error::{shorten, ValidationError};
use crate::ids::{PermissionGroupId, PolicyId, ResourceGroupId, RoleId};
use crate::member::{Policy, Scope};

/// Most characters an email address may have.
pub const EMAIL_MAX_LEN: usize = 90;

/// Checks an email address the way the API documents it: 1 to 90
/// characters, one `@` with something on both sides, no white space.
pub fn check_email(email: &str) -> Result<(), ValidationError> {
    let len = email.chars().count();
    if len == 0 || len > EMAIL_MAX_LEN {
        return Err(ValidationError::Length {
            field: "email",
            value: shorten(email),
            len,
            min: 1,
            max: EMAIL_MAX_LEN,
        });
    }
    let well_formed = match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.is_empty()
                && !domain.contains('@')
                && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        }
        None => false,
    };
    if !well_formed {
        return Err(ValidationError::Format {
            field: "email",
            value: shorten(email),
            rule: "expected an address like user@example.com (one @, no spaces)",
        });
    }
    Ok(())
}

/// Turns the `anyOf` of an untagged enum into `oneOf`: a body that matches
/// both shapes (roles *and* policies) must be refused, and with `anyOf` plus
/// `unevaluatedProperties` it would not be.
fn exactly_one_shape(schema: &mut schemars::Schema) {
    if let Some(any_of) = schema.remove("anyOf") {
        schema.insert("oneOf".to_owned(), any_of);
    }
}

/// Checks a role list: at least one role, every id valid.
fn check_role_list<'a>(
    mut roles: impl ExactSizeIterator<Item = &'a RoleId>,
) -> Result<(), ValidationError> {
    if roles.len() == 0 {
        return Err(ValidationError::Empty {
            field: "roles",
            hint: "give at least one role id (to take all access away, remove the member)",
        });
    }
    roles.try_for_each(|r| r.check().map(drop))
}

/// Checks a policy list: at least one policy, each valid.
fn check_policy_list(policies: &[PolicyRequest]) -> Result<(), ValidationError> {
    if policies.is_empty() {
        return Err(ValidationError::Empty {
            field: "policies",
            hint: "give at least one policy (to take all access away, remove the member)",
        });
    }
    policies.iter().try_for_each(PolicyRequest::validate)
}

/// A role reference in an Update Member body: `{"id": "…"}`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleRef {
    /// Role identifier tag.
    pub id: RoleId,
}

/// A permission group reference in a policy body: `{"id": "…"}`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PermissionGroupRef {
    /// Identifier of the permission group.
    pub id: PermissionGroupId,
}

/// A resource group in a policy body: an existing group, `{"id": "…"}`, or
/// an inline scope, `{"scope": {"key": …, "objects": [{"key": …}]}}`, for
/// which the API creates an unnamed resource group.
///
/// An entry with both `id` and `scope` is ambiguous and refused.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, JsonSchema)]
#[serde(untagged)]
#[schemars(deny_unknown_fields)]
#[non_exhaustive]
pub enum ResourceGroupRef {
    /// An existing resource group.
    Id {
        /// Identifier of the resource group.
        id: ResourceGroupId,
    },
    /// An inline scope: the API makes an unnamed resource group of it.
    Scope {
        /// The scope (one object, at least one scope object).
        scope: Scope,
    },
}

impl ResourceGroupRef {
    /// A reference to an existing resource group.
    pub fn id(id: ResourceGroupId) -> Self {
        Self::Id { id }
    }

    /// An inline scope.
    ///
    /// ```
    /// use member_types::{AccountId, ResourceGroupId, ResourceGroupRef, Scope};
    ///
    /// let by_id = ResourceGroupRef::id(ResourceGroupId::new("6d7f2f5f5b1d4a0e9081fdc98d432fd1")?);
    /// assert_eq!(serde_json::to_string(&by_id).unwrap(), r#"{"id":"6d7f2f5f5b1d4a0e9081fdc98d432fd1"}"#);
    ///
    /// let account: AccountId = "023e105f4ecef8ad9ca31a8372d0c353".parse()?;
    /// let inline = ResourceGroupRef::scope(Scope::account(&account)?)?;
    /// assert!(serde_json::to_string(&inline).unwrap().starts_with(r#"{"scope":{"key":"#));
    ///
    /// let both = r#"{"id": "6d7f2f5f5b1d4a0e9081fdc98d432fd1", "scope": {"key": "k", "objects": [{"key": "*"}]}}"#;
    /// assert!(serde_json::from_str::<ResourceGroupRef>(both).is_err());
    /// # Ok::<(), member_types::ValidationError>(())
    /// ```
    ///
    /// # Errors
    /// [`ValidationError`] for a scope without a key or objects.
    pub fn scope(scope: Scope) -> Result<Self, ValidationError> {
        scope.validate_request()?;
        Ok(Self::Scope { scope })
    }

    /// The resource group id, for the `{id}` form.
    pub fn group_id(&self) -> Option<&ResourceGroupId> {
        match self {
            Self::Id { id } => Some(id),
            Self::Scope { .. } => None,
        }
    }

    /// The inline scope, for the `{scope}` form.
    pub fn inline_scope(&self) -> Option<&Scope> {
        match self {
            Self::Id { .. } => None,
            Self::Scope { scope } => Some(scope),
        }
    }

    fn validate(&self) -> Result<(), ValidationError> {
        match self {
            Self::Id { id } => id.check().map(drop),
            Self::Scope { scope } => scope.validate_request(),
        }
    }
}

impl<'de> Deserialize<'de> for ResourceGroupRef {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Raw {
            #[serde(default)]
            id: Option<ResourceGroupId>,
            #[serde(default)]
            scope: Option<Scope>,
        }
        match Raw::deserialize(deserializer)? {
            Raw {
                id: Some(id),
                scope: None,
            } => Ok(Self::Id { id }),
            Raw {
                id: None,
                scope: Some(scope),
            } => Self::scope(scope).map_err(de::Error::custom),
            Raw { id: Some(_), .. } => Err(de::Error::custom(
                "a resource group entry has either an id or a scope, not both",
            )),
            Raw { .. } => Err(de::Error::custom(
                "a resource group entry needs an id or a scope",
            )),
        }
    }
}

/// A policy as the API takes it in a request body.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct PolicyRequest {
    /// Policy identifier, when updating an existing policy. Left out when
    /// `None`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<PolicyId>,
    /// Allow or deny operations against the resources.
    #[schemars(schema_with = "Access::strict_schema")]
    pub access: Access,
    /// The permission groups the policy grants (at least one).
    #[schemars(length(min = 1))]
    pub permission_groups: Vec<PermissionGroupRef>,
    /// The resource groups the policy applies to (at least one).
    #[schemars(length(min = 1))]
    pub resource_groups: Vec<ResourceGroupRef>,
}

impl PolicyRequest {
    /// Builds a policy; both lists must be non-empty.
    ///
    /// # Errors
    /// [`ValidationError::Empty`] when a list is empty, and
    /// [`ValidationError::Format`] for an access value this version does not
    /// know.
    pub fn new(
        access: Access,
        permission_groups: impl IntoIterator<Item = PermissionGroupId>,
        resource_groups: impl IntoIterator<Item = ResourceGroupId>,
    ) -> Result<Self, ValidationError> {
        Self::with_refs(
            access,
            permission_groups,
            resource_groups.into_iter().map(ResourceGroupRef::id),
        )
    }

    /// Builds a policy whose resource groups may be inline scopes
    /// ([`ResourceGroupRef`]); both lists must be non-empty.
    ///
    /// # Errors
    /// As for [`new`](Self::new), and for an inline scope without objects.
    pub fn with_refs(
        access: Access,
        permission_groups: impl IntoIterator<Item = PermissionGroupId>,
        resource_groups: impl IntoIterator<Item = ResourceGroupRef>,
    ) -> Result<Self, ValidationError> {
        let policy = Self {
            id: None,
            access,
            permission_groups: permission_groups
                .into_iter()
                .map(|id| PermissionGroupRef { id })
                .collect(),
            resource_groups: resource_groups.into_iter().collect(),
        };
        policy.validate()?;
        Ok(policy)
    }

    /// Sets the id of the policy being updated.
    #[must_use]
    pub fn with_id(mut self, id: PolicyId) -> Self {
        self.id = Some(id);
        self
    }

    /// Checks the rules [`new`](Self::new) checks.
    ///
    /// # Errors
    /// As for [`new`](Self::new).
    pub fn validate(&self) -> Result<(), ValidationError> {
        if self.access.is_unknown() {
            return Err(ValidationError::Format {
                field: "access",
                value: shorten(self.access.as_str()),
                rule: "expected one of: allow deny",
            });
        }
        if self.permission_groups.is_empty() {
            return Err(ValidationError::Empty {
                field: "permission_groups",
                hint: "a policy grants at least one permission group",
            });
        }
        if self.resource_groups.is_empty() {
            return Err(ValidationError::Empty {
                field: "resource_groups",
                hint: "a policy applies to at least one resource group",
            });
        }
        self.resource_groups
            .iter()
            .try_for_each(ResourceGroupRef::validate)
    }

    /// Converts a policy read from the server into a request policy, so a
    /// member's policies can be read, changed and written back.
    ///
    /// # Errors
    /// [`ValidationError`] when the server's policy has no `access`, empty
    /// groups, or ids that are not valid identifiers.
    pub fn from_policy(policy: &Policy) -> Result<Self, ValidationError> {
        let access = policy.access.clone().ok_or(ValidationError::Missing {
            field: "access",
            hint: "the policy has no access value to send back",
        })?;
        let request = Self {
            id: policy
                .id
                .as_ref()
                .map(|id| id.check().map(|_| id.clone()))
                .transpose()?,
            access,
            permission_groups: policy
                .permission_groups
                .iter()
                .map(|g| {
                    g.id.check()
                        .map(|_| PermissionGroupRef { id: g.id.clone() })
                })
                .collect::<Result<_, _>>()?,
            resource_groups: policy
                .resource_groups
                .iter()
                .map(|g| g.id.check().map(|_| ResourceGroupRef::id(g.id.clone())))
                .collect::<Result<_, _>>()?,
        };
        request.validate()?;
        Ok(request)
    }
}

impl<'de> Deserialize<'de> for PolicyRequest {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Raw {
            #[serde(default)]
            id: Option<PolicyId>,
            access: Access,
            permission_groups: Vec<PermissionGroupRef>,
            resource_groups: Vec<ResourceGroupRef>,
        }
        let raw = Raw::deserialize(deserializer)?;
        let policy = PolicyRequest {
            id: raw.id,
            access: raw.access,
            permission_groups: raw.permission_groups,
            resource_groups: raw.resource_groups,
        };
        policy.validate().map_err(de::Error::custom)?;
        Ok(policy)
    }
}

/// The body of Update Member (`PUT /accounts/{account_id}/members/{member_id}`):
/// exactly one of roles or policies.
///
/// Serializes to `{"roles": [{"id": "…"}, …]}` or `{"policies": […]}`. The
/// seeds also allow `status` and `user` on the roles shape; this type does
/// not send them, because a `status` sent on an update has been seen to make
/// the server drop the permission change silently (API-NOTES).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(untagged)]
#[schemars(deny_unknown_fields, transform = exactly_one_shape)]
#[non_exhaustive]
pub enum UpdateMember {
    /// Replace the member's roles.
    WithRoles {
        /// Roles assigned to this member (at least one).
        #[schemars(length(min = 1))]
        roles: Vec<RoleRef>,
    },
    /// Replace the member's policies.
    WithPolicies {
        /// Policies associated with this member (at least one).
        #[schemars(length(min = 1))]
        policies: Vec<PolicyRequest>,
    },
}

impl UpdateMember {
    /// Replaces the member's roles with these (at least one; duplicates are
    /// dropped, order kept).
    ///
    /// # Errors
    /// [`ValidationError::Empty`] when no role is given.
    pub fn with_roles(roles: impl IntoIterator<Item = RoleId>) -> Result<Self, ValidationError> {
        let roles: Vec<RoleRef> = first_of_each(roles)
            .into_iter()
            .map(|id| RoleRef { id })
            .collect();
        let body = Self::WithRoles { roles };
        body.validate()?;
        Ok(body)
    }

    /// Replaces the member's policies with these (at least one).
    ///
    /// # Errors
    /// [`ValidationError::Empty`] when no policy is given, or the policy's own
    /// errors.
    pub fn with_policies(
        policies: impl IntoIterator<Item = PolicyRequest>,
    ) -> Result<Self, ValidationError> {
        let body = Self::WithPolicies {
            policies: policies.into_iter().collect(),
        };
        body.validate()?;
        Ok(body)
    }

    /// Checks the rules the constructors check (useful after building the
    /// value by other means).
    ///
    /// # Errors
    /// As for the constructors.
    pub fn validate(&self) -> Result<(), ValidationError> {
        match self {
            Self::WithRoles { roles } => check_role_list(roles.iter().map(|r| &r.id)),
            Self::WithPolicies { policies } => check_policy_list(policies),
        }
    }
}

/// Either list, as read from a request body.
enum Grant<R> {
    Roles(Vec<R>),
    Policies(Vec<PolicyRequest>),
}

/// The fields of a request body, read by hand so that a body with both
/// `roles` and `policies` (or neither) is refused with a clear message.
struct BodyFields<R> {
    grant: Grant<R>,
    email: Option<String>,
    status: Option<InviteStatus>,
}

fn read_body_fields<'de, A, R>(mut map: A, allow_create: bool) -> Result<BodyFields<R>, A::Error>
where
    A: MapAccess<'de>,
    R: Deserialize<'de>,
{
    let mut roles: Option<Vec<R>> = None;
    let mut policies: Option<Vec<PolicyRequest>> = None;
    let mut email: Option<String> = None;
    let mut status: Option<InviteStatus> = None;
    while let Some(key) = map.next_key::<String>()? {
        let duplicate = match key.as_str() {
            "roles" => roles.replace(map.next_value()?).is_some(),
            "policies" => policies.replace(map.next_value()?).is_some(),
            "email" if allow_create => email.replace(map.next_value()?).is_some(),
            "status" if allow_create => status.replace(map.next_value()?).is_some(),
            other => {
                return Err(de::Error::custom(format!(
                    "unknown field `{}`, expected {}",
                    shorten(other),
                    if allow_create {
                        "`email`, `roles`, `policies` or `status`"
                    } else {
                        "`roles` or `policies`"
                    }
                )));
            }
        };
        if duplicate {
            return Err(de::Error::custom(format!("duplicate field `{key}`")));
        }
    }
    let grant = match (roles, policies) {
        (Some(roles), None) => Grant::Roles(roles),
        (None, Some(policies)) => Grant::Policies(policies),
        (Some(_), Some(_)) => return Err(de::Error::custom(ValidationError::Conflict {
            first: "roles",
            second: "policies",
            hint:
                "send either roles or policies (with both, the server silently lets policies win)",
        })),
        (None, None) => {
            return Err(de::Error::custom(ValidationError::Missing {
                field: "roles",
                hint: "send either roles or policies",
            }))
        }
    };
    Ok(BodyFields {
        grant,
        email,
        status,
    })
}

impl<'de> Deserialize<'de> for UpdateMember {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = UpdateMember;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object with either `roles` or `policies`")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<UpdateMember, A::Error> {
                let fields = read_body_fields::<A, RoleRef>(map, false)?;
                let body = match fields.grant {
                    Grant::Roles(roles) => UpdateMember::WithRoles { roles },
                    Grant::Policies(policies) => UpdateMember::WithPolicies { policies },
                };
                body.validate().map_err(de::Error::custom)?;
                Ok(body)
            }
        }
        deserializer.deserialize_map(V)
    }
}

/// What a new member is given: roles (as id strings on the wire) or policies.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(untagged)]
#[schemars(transform = exactly_one_shape)]
#[non_exhaustive]
pub enum CreateAccess {
    /// Role ids, sent as plain strings: `"roles": ["…"]`.
    Roles {
        /// Array of roles associated with this member (at least one).
        #[schemars(length(min = 1))]
        roles: Vec<RoleId>,
    },
    /// Policies: `"policies": […]`.
    Policies {
        /// Array of policies associated with this member (at least one).
        #[schemars(length(min = 1))]
        policies: Vec<PolicyRequest>,
    },
}

/// The body of Add Member (`POST /accounts/{account_id}/members`).
///
/// ```
/// use member_types::{CreateMember, InviteStatus, RoleId};
///
/// let body = CreateMember::with_roles("new@example.com", [RoleId::new("3536bcfad5faccb999b47003c79917fb")?])?
///     .status(InviteStatus::Pending);
/// assert_eq!(
///     serde_json::to_string(&body).unwrap(),
///     r#"{"email":"new@example.com","roles":["3536bcfad5faccb999b47003c79917fb"],"status":"pending"}"#
/// );
/// # Ok::<(), member_types::ValidationError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
#[non_exhaustive]
pub struct CreateMember {
    /// The contact email address of the user (at most 90 characters).
    #[schemars(length(min = 1, max = 90))]
    pub email: String,
    /// Roles or policies.
    #[serde(flatten)]
    pub access: CreateAccess,
    /// `pending` (an invitation, the API's default) or `accepted` (a direct
    /// add, for accounts with that entitlement). Left out when `None`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<InviteStatus>,
}

impl CreateMember {
    /// Invites `email` with these roles (at least one).
    ///
    /// # Errors
    /// [`ValidationError`] for a bad email or an empty role list.
    pub fn with_roles(
        email: impl Into<String>,
        roles: impl IntoIterator<Item = RoleId>,
    ) -> Result<Self, ValidationError> {
        let body = Self {
            email: email.into(),
            access: CreateAccess::Roles {
                roles: first_of_each(roles),
            },
            status: None,
        };
        body.validate()?;
        Ok(body)
    }

    /// Invites `email` with these policies (at least one).
    ///
    /// # Errors
    /// [`ValidationError`] for a bad email, an empty policy list or a bad
    /// policy.
    pub fn with_policies(
        email: impl Into<String>,
        policies: impl IntoIterator<Item = PolicyRequest>,
    ) -> Result<Self, ValidationError> {
        let body = Self {
            email: email.into(),
            access: CreateAccess::Policies {
                policies: policies.into_iter().collect(),
            },
            status: None,
        };
        body.validate()?;
        Ok(body)
    }

    /// Sets the status to send.
    #[must_use]
    pub fn status(mut self, status: InviteStatus) -> Self {
        self.status = Some(status);
        self
    }

    /// Checks the rules the constructors check.
    ///
    /// # Errors
    /// As for the constructors.
    pub fn validate(&self) -> Result<(), ValidationError> {
        check_email(&self.email)?;
        match &self.access {
            CreateAccess::Roles { roles } => check_role_list(roles.iter()),
            CreateAccess::Policies { policies } => check_policy_list(policies),
        }
    }
}

impl<'de> Deserialize<'de> for CreateMember {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = CreateMember;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object with `email` and either `roles` or `policies`")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<CreateMember, A::Error> {
                let fields = read_body_fields::<A, RoleId>(map, true)?;
                let email = fields
                    .email
                    .ok_or_else(|| de::Error::missing_field("email"))?;
                let access = match fields.grant {
                    Grant::Roles(roles) => CreateAccess::Roles { roles },
                    Grant::Policies(policies) => CreateAccess::Policies { policies },
                };
                let body = CreateMember {
                    email,
                    access,
                    status: fields.status,
                };
                body.validate().map_err(de::Error::custom)?;
                Ok(body)
            }
        }
        deserializer.deserialize_map(V)
    }
}

/// The roles in their order, each kept the first time it appears. A
/// member has a handful of roles, so they are compared one by one; only a
/// long list is hashed.
fn first_of_each(roles: impl IntoIterator<Item = RoleId>) -> Vec<RoleId> {
    let roles = roles.into_iter();
    let mut kept: Vec<RoleId> = Vec::with_capacity(roles.size_hint().0.max(1));
    let mut seen: Option<std::collections::HashSet<RoleId>> = None;
    for id in roles {
        let new = match &mut seen {
            Some(seen) => seen.insert(id.clone()),
            None if kept.len() < 16 => !kept.contains(&id),
            None => {
                let mut all: std::collections::HashSet<RoleId> = kept.iter().cloned().collect();
                let new = all.insert(id.clone());
                seen = Some(all);
                new
            }
        };
        if new {
            kept.push(id);
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    fn role(n: usize) -> RoleId {
        RoleId::new(format!("{n:032x}")).unwrap()
    }

    /// Duplicates are dropped, first place kept, in short lists (compared
    /// one by one) and long ones (hashed once past 16).
    #[test]
    fn each_role_is_kept_once_in_its_first_place() {
        assert_eq!(
            first_of_each([role(2), role(1), role(2), role(3), role(1)]),
            vec![role(2), role(1), role(3)]
        );
        let long: Vec<RoleId> = (0..40).chain((0..40).rev()).map(role).collect();
        assert_eq!(first_of_each(long), (0..40).map(role).collect::<Vec<_>>());
        assert!(first_of_each(std::iter::empty()).is_empty());
    }
}
