//! User groups: named sets of account members that share policies
//! (`/accounts/{account_id}/iam/user_groups`), and their members.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::enums::{Direction, MemberStatus};
use crate::error::ValidationError;
use crate::ids::{MemberId, UserGroupId};
use crate::member::{Policy, User};
use crate::params::{filter_text, paged_params, Paging};
use crate::request::PolicyRequest;
use crate::serde_util::null_as_empty;

/// A user group, as the user-group endpoints return it.
///
/// Its `policies` are granted to every member of the group. The list may be
/// absent or `null` (read as empty) and comes back in any order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct UserGroup {
    /// User group identifier.
    #[serde(deserialize_with = "UserGroupId::deserialize_lenient")]
    #[schemars(with = "String")]
    pub id: UserGroupId,
    /// Name of the user group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The policies every member of the group has.
    #[serde(
        default,
        deserialize_with = "null_as_empty",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub policies: Vec<Policy>,
    /// When the group was created (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_on: Option<String>,
    /// When the group was last modified (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified_on: Option<String>,
}

/// A member of a user group, as the group's member endpoints return it.
///
/// `id` is the account membership id (the one of `GET …/members`), not the
/// user id.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct GroupMember {
    /// Account membership identifier.
    #[serde(deserialize_with = "MemberId::deserialize_lenient")]
    #[schemars(with = "String")]
    pub id: MemberId,
    /// The member's email.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// The membership's status (`accepted` or `pending`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<MemberStatus>,
    /// The user, when the server sends it (member details).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<User>,
}

impl GroupMember {
    /// The member's email: the top-level `email`, or else the user's.
    pub fn email(&self) -> Option<&str> {
        self.email
            .as_deref()
            .or_else(|| self.user.as_ref().map(|u| u.email.as_str()))
    }
}

fn check_name(name: &str) -> Result<String, ValidationError> {
    if name.trim().is_empty() {
        return Err(ValidationError::Empty {
            field: "name",
            hint: "give the user group a name",
        });
    }
    Ok(name.to_owned())
}

fn check_policies(policies: &[PolicyRequest]) -> Result<(), ValidationError> {
    policies.iter().try_for_each(PolicyRequest::validate)
}

/// The body of Create User Group
/// (`POST /accounts/{account_id}/iam/user_groups`): a name and its policies
/// (possibly none; `policies` is always sent, since one version of the API
/// requires it).
///
/// ```
/// use member_types::CreateUserGroup;
///
/// let body = CreateUserGroup::new("SRE on-call", [])?;
/// assert_eq!(serde_json::to_string(&body).unwrap(), r#"{"name":"SRE on-call","policies":[]}"#);
/// # Ok::<(), member_types::ValidationError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
#[non_exhaustive]
pub struct CreateUserGroup {
    /// Name of the user group.
    #[schemars(length(min = 1))]
    pub name: String,
    /// The policies every member of the group gets.
    pub policies: Vec<PolicyRequest>,
}

impl CreateUserGroup {
    /// A checked body.
    ///
    /// # Errors
    /// [`ValidationError`] for a blank name or an invalid policy.
    pub fn new(
        name: &str,
        policies: impl IntoIterator<Item = PolicyRequest>,
    ) -> Result<Self, ValidationError> {
        let policies: Vec<PolicyRequest> = policies.into_iter().collect();
        check_policies(&policies)?;
        Ok(Self {
            name: check_name(name)?,
            policies,
        })
    }
}

/// The body of Update User Group
/// (`PUT /accounts/{account_id}/iam/user_groups/{user_group_id}`): a new
/// name, and/or the group's whole new set of policies.
///
/// `policies` **replaces** every policy of the group; an empty list removes
/// them all. Leave it unset to keep them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
#[non_exhaustive]
pub struct UpdateUserGroup {
    /// The new name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The group's new policies, replacing all of them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policies: Option<Vec<PolicyRequest>>,
}

impl UpdateUserGroup {
    /// A body that changes nothing yet.
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

    /// Replaces every policy of the group with these (none removes them
    /// all).
    ///
    /// # Errors
    /// [`ValidationError`] for an invalid policy.
    pub fn replace_policies(
        mut self,
        policies: impl IntoIterator<Item = PolicyRequest>,
    ) -> Result<Self, ValidationError> {
        let policies: Vec<PolicyRequest> = policies.into_iter().collect();
        check_policies(&policies)?;
        self.policies = Some(policies);
        Ok(self)
    }

    /// Checks that the body changes something.
    ///
    /// # Errors
    /// [`ValidationError::Missing`] when neither name nor policies is set.
    pub fn validate(&self) -> Result<(), ValidationError> {
        if self.name.is_none() && self.policies.is_none() {
            return Err(ValidationError::Missing {
                field: "name or policies",
                hint: "an update renames the group, replaces its policies, or both",
            });
        }
        self.policies.as_deref().map_or(Ok(()), check_policies)
    }
}

/// An account member in a group-members body: `{"id": "<member id>"}`.
#[derive(
    Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(deny_unknown_fields)]
pub struct GroupMemberRef {
    /// Account membership identifier.
    pub id: MemberId,
}

/// The body of Add Group Members (POST) and Replace Group Members (PUT) on
/// `/accounts/{account_id}/iam/user_groups/{user_group_id}/members`: a bare
/// JSON array `[{"id": …}, …]`, not an object.
///
/// ```
/// use member_types::{GroupMembersBody, MemberId};
///
/// let body = GroupMembersBody::new([MemberId::new("4536bcfad5faccb111b47003c79917fa")?]);
/// assert_eq!(serde_json::to_string(&body).unwrap(), r#"[{"id":"4536bcfad5faccb111b47003c79917fa"}]"#);
/// # Ok::<(), member_types::ValidationError>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(transparent)]
pub struct GroupMembersBody(pub Vec<GroupMemberRef>);

impl GroupMembersBody {
    /// The members, each once, in the order given.
    pub fn new(members: impl IntoIterator<Item = MemberId>) -> Self {
        let mut seen = std::collections::BTreeSet::new();
        Self(
            members
                .into_iter()
                .filter(|id| seen.insert(id.clone()))
                .map(|id| GroupMemberRef { id })
                .collect(),
        )
    }

    /// Checks every id.
    ///
    /// # Errors
    /// The first id's [`ValidationError`].
    pub fn validate(&self) -> Result<(), ValidationError> {
        self.0.iter().try_for_each(|m| m.id.check().map(drop))
    }
}

/// Query parameters of List User Groups: exact `id` and `name`, a
/// substring `fuzzyName`, the sort `direction` (by name), and paging.
///
/// ```
/// use member_types::{ListParams, ListUserGroupsParams};
///
/// let params = ListUserGroupsParams::new().fuzzy_name("sre")?;
/// assert_eq!(params.to_query_string(), "fuzzyName=sre");
/// # Ok::<(), member_types::ValidationError>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ListUserGroupsParams {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<UserGroupId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(rename = "fuzzyName", skip_serializing_if = "Option::is_none")]
    fuzzy_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    direction: Option<Direction>,
    #[serde(flatten)]
    paging: Paging,
}

impl ListUserGroupsParams {
    /// No filter.
    pub fn new() -> Self {
        Self::default()
    }

    /// Only the group with this id.
    #[must_use]
    pub fn id(mut self, id: UserGroupId) -> Self {
        self.id = Some(id);
        self
    }

    /// Only groups with exactly this name.
    ///
    /// # Errors
    /// [`ValidationError::Empty`] for a blank name.
    pub fn name(mut self, name: &str) -> Result<Self, ValidationError> {
        self.name = Some(filter_text("name", name)?);
        Ok(self)
    }

    /// Only groups whose name contains this text.
    ///
    /// # Errors
    /// [`ValidationError::Empty`] for blank text.
    pub fn fuzzy_name(mut self, text: &str) -> Result<Self, ValidationError> {
        self.fuzzy_name = Some(filter_text("fuzzyName", text)?);
        Ok(self)
    }

    /// Sort direction (by name).
    #[must_use]
    pub fn direction(mut self, direction: Direction) -> Self {
        self.direction = Some(direction);
        self
    }

    /// id, name, fuzzyName, direction: the filters in their stable order.
    fn filter_pairs(&self, pairs: &mut Vec<(&'static str, String)>) {
        if let Some(id) = &self.id {
            pairs.push(("id", id.as_str().to_owned()));
        }
        if let Some(name) = &self.name {
            pairs.push(("name", name.clone()));
        }
        if let Some(text) = &self.fuzzy_name {
            pairs.push(("fuzzyName", text.clone()));
        }
        if let Some(direction) = self.direction {
            pairs.push(("direction", direction.as_str().to_owned()));
        }
    }
}

paged_params!(ListUserGroupsParams);

/// Query parameters of List Group Members: a substring `fuzzyEmail`, the
/// sort `direction` (by email), and paging.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ListGroupMembersParams {
    #[serde(rename = "fuzzyEmail", skip_serializing_if = "Option::is_none")]
    fuzzy_email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    direction: Option<Direction>,
    #[serde(flatten)]
    paging: Paging,
}

impl ListGroupMembersParams {
    /// No filter.
    pub fn new() -> Self {
        Self::default()
    }

    /// Only members whose email contains this text.
    ///
    /// # Errors
    /// [`ValidationError::Empty`] for blank text.
    pub fn fuzzy_email(mut self, text: &str) -> Result<Self, ValidationError> {
        self.fuzzy_email = Some(filter_text("fuzzyEmail", text)?);
        Ok(self)
    }

    /// Sort direction (by email).
    #[must_use]
    pub fn direction(mut self, direction: Direction) -> Self {
        self.direction = Some(direction);
        self
    }

    /// fuzzyEmail, direction: the filters in their stable order.
    fn filter_pairs(&self, pairs: &mut Vec<(&'static str, String)>) {
        if let Some(text) = &self.fuzzy_email {
            pairs.push(("fuzzyEmail", text.clone()));
        }
        if let Some(direction) = self.direction {
            pairs.push(("direction", direction.as_str().to_owned()));
        }
    }
}

paged_params!(ListGroupMembersParams);

/// The members a write on a group's members returns: an array in one API
/// version, a single object in another, `null` in a third; always read as
/// a list.
#[derive(Clone, Debug, Default, PartialEq, Serialize, JsonSchema)]
#[serde(transparent)]
pub struct GroupMemberList(pub Vec<GroupMember>);

impl<'de> Deserialize<'de> for GroupMemberList {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Shape {
            Many(Vec<GroupMember>),
            One(GroupMember),
        }
        Ok(match Option::<Shape>::deserialize(deserializer)? {
            None => Self(Vec::new()),
            Some(Shape::Many(members)) => Self(members),
            Some(Shape::One(member)) => Self(vec![member]),
        })
    }
}
