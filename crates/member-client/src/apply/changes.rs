//! What a bulk run is asked to do: [`Change`], and [`MemberRef`], who it is
//! about.

use std::fmt;

use member_types::{CreateMember, MemberId, PolicyRequest, RoleId, UserGroupId, ValidationError};
use serde::{Deserialize, Serialize};

use super::ChangeOp;

/// Who a change is about: a member id, or an email that
/// [`Members::plan`](crate::Members::plan) resolves (case-insensitively).
///
/// JSON: `{"id": "…"}` or `{"email": "…"}` (inside a [`Change`], these keys
/// sit beside `op`).
///
/// ```
/// use member_client::{MemberId, MemberRef};
///
/// let by_id = MemberRef::from(MemberId::new("4536bcfad5faccb111b47003c79917fa")?);
/// assert_eq!(by_id.to_string(), "4536bcfad5faccb111b47003c79917fa");
/// let by_email = MemberRef::email("Bob.DNS@example.com");
/// assert_eq!(by_email.as_email(), Some("Bob.DNS@example.com"));
/// assert_eq!(serde_json::to_string(&by_email).unwrap(), r#"{"email":"Bob.DNS@example.com"}"#);
/// # Ok::<(), member_client::ValidationError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MemberRef {
    /// The membership id.
    Id(MemberId),
    /// The member's email.
    Email(String),
}

impl MemberRef {
    /// A member named by email.
    ///
    /// ```
    /// assert!(member_client::MemberRef::email("a@example.com").as_id().is_none());
    /// ```
    pub fn email(email: impl Into<String>) -> Self {
        Self::Email(email.into())
    }

    /// The id, when the member is named by id.
    ///
    /// ```
    /// use member_client::{MemberId, MemberRef};
    /// let id = MemberId::new("abc123")?;
    /// assert_eq!(MemberRef::from(id.clone()).as_id(), Some(&id));
    /// # Ok::<(), member_client::ValidationError>(())
    /// ```
    pub fn as_id(&self) -> Option<&MemberId> {
        match self {
            Self::Id(id) => Some(id),
            Self::Email(_) => None,
        }
    }

    /// The email, when the member is named by email.
    ///
    /// ```
    /// assert_eq!(member_client::MemberRef::email("a@example.com").as_email(), Some("a@example.com"));
    /// ```
    pub fn as_email(&self) -> Option<&str> {
        match self {
            Self::Id(_) => None,
            Self::Email(email) => Some(email),
        }
    }
}

impl From<MemberId> for MemberRef {
    fn from(id: MemberId) -> Self {
        Self::Id(id)
    }
}

impl From<&MemberId> for MemberRef {
    fn from(id: &MemberId) -> Self {
        Self::Id(id.clone())
    }
}

impl fmt::Display for MemberRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Id(id) => f.write_str(id.as_str()),
            Self::Email(email) => f.write_str(email),
        }
    }
}

/// One wanted access change.
///
/// JSON (what a changes file or a [`RetryFile`](crate::RetryFile) holds),
/// one object per change, `op` naming the kind (the rules are
/// [`Change::from_entry`]'s):
///
/// ```json
/// {"op": "set_roles", "email": "bob.dns@example.com", "roles": ["05784afa30c1afe1440e79d9351c7430"]}
/// {"op": "set_policies", "id": "4536bcfad5faccb111b47003c79917fa", "policies": [{"access": "allow", "permission_groups": [{"id": "…"}], "resource_groups": [{"id": "…"}]}]}
/// {"op": "add_roles", "email": "bob.dns@example.com", "roles": ["05784afa30c1afe1440e79d9351c7430"]}
/// {"op": "remove_roles", "email": "bob.dns@example.com", "roles": ["05784afa30c1afe1440e79d9351c7430"]}
/// {"op": "add", "email": "new@example.com", "roles": ["05784afa30c1afe1440e79d9351c7430"]}
/// {"op": "remove", "id": "4536bcfad5faccb111b47003c79917fa"}
/// {"op": "add_to_group", "email": "bob.dns@example.com", "group": "a1b2c3d4e5f60718293a4b5c6d7e8f90"}
/// {"op": "remove_from_group", "id": "4536bcfad5faccb111b47003c79917fa", "group": "a1b2c3d4e5f60718293a4b5c6d7e8f90"}
/// ```
///
/// Setting roles replaces the member's policies too (the API keeps one or
/// the other), and setting policies replaces the roles. Adding or removing
/// roles changes the member's roles by those given and keeps the others.
///
/// ```
/// use member_client::{Change, MemberRef, RoleId};
///
/// let change = Change::set_roles(
///     MemberRef::email("bob.dns@example.com"),
///     [RoleId::new("05784afa30c1afe1440e79d9351c7430")?],
/// );
/// let json = serde_json::to_string(&change).unwrap();
/// assert_eq!(
///     json,
///     r#"{"op":"set_roles","email":"bob.dns@example.com","roles":["05784afa30c1afe1440e79d9351c7430"]}"#
/// );
/// assert_eq!(serde_json::from_str::<Change>(&json).unwrap(), change);
/// # Ok::<(), member_client::ValidationError>(())
/// ```
// Serialize and Deserialize are in `format.rs`, with the rules of the
// changes-file format they follow.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Change {
    /// Replace the member's roles (and drop its policies).
    SetRoles {
        /// Who.
        member: MemberRef,
        /// The roles wanted (at least one; order does not matter).
        roles: Vec<RoleId>,
    },
    /// Replace the member's policies (and drop its roles).
    SetPolicies {
        /// Who.
        member: MemberRef,
        /// The policies wanted (at least one; order does not matter).
        policies: Vec<PolicyRequest>,
    },
    /// Invite (or directly add) a new member: the only change that adds
    /// anybody.
    Add(CreateMember),
    /// Give the member these roles on top of those it has. Planned against
    /// the member's roles: [`Members::plan`](crate::Members::plan) makes it
    /// a [`SetRoles`](Self::SetRoles) of the whole set (nothing is sent
    /// when the member has them all already), and refuses it for a member
    /// with policies (setting roles would drop them).
    AddRoles {
        /// Who.
        member: MemberRef,
        /// The roles to give (at least one).
        roles: Vec<RoleId>,
    },
    /// Take these roles from the member, keeping its other roles. Planned
    /// as [`AddRoles`](Self::AddRoles) is: a member without any of them is
    /// unchanged, and a change that would leave no role is refused (remove
    /// the member instead).
    RemoveRoles {
        /// Who.
        member: MemberRef,
        /// The roles to take (at least one).
        roles: Vec<RoleId>,
    },
    /// Remove the member from the account.
    Remove {
        /// Who.
        member: MemberRef,
    },
    /// Put the member into a user group (the group's other members stay).
    /// Planned against the group's members: a member already in it is
    /// unchanged, and nothing is sent.
    AddToGroup {
        /// Who.
        member: MemberRef,
        /// The user group.
        group: UserGroupId,
    },
    /// Take the member out of a user group. A member not in it is
    /// unchanged, and nothing is sent.
    RemoveFromGroup {
        /// Who.
        member: MemberRef,
        /// The user group.
        group: UserGroupId,
    },
}

impl Change {
    /// Replace `member`'s roles with `roles`.
    ///
    /// ```
    /// use member_client::{Change, MemberId, RoleId};
    /// let change = Change::set_roles(MemberId::new("abc")?, [RoleId::new("r1")?]);
    /// assert!(change.validate().is_ok());
    /// # Ok::<(), member_client::ValidationError>(())
    /// ```
    pub fn set_roles(
        member: impl Into<MemberRef>,
        roles: impl IntoIterator<Item = RoleId>,
    ) -> Self {
        Self::SetRoles {
            member: member.into(),
            roles: roles.into_iter().collect(),
        }
    }

    /// Replace `member`'s policies with `policies`.
    ///
    /// ```
    /// use member_client::{Access, Change, MemberRef, PermissionGroupId, PolicyRequest, ResourceGroupId};
    /// let policy = PolicyRequest::new(
    ///     Access::Allow,
    ///     [PermissionGroupId::new("c8fed203ed3043cba015a93ad1616f1f")?],
    ///     [ResourceGroupId::new("6d7f2f5f5b1d4a0e9081fdc98d432fd1")?],
    /// )?;
    /// let change = Change::set_policies(MemberRef::email("a@example.com"), [policy]);
    /// assert_eq!(change.member(), MemberRef::email("a@example.com"));
    /// # Ok::<(), member_client::ValidationError>(())
    /// ```
    pub fn set_policies(
        member: impl Into<MemberRef>,
        policies: impl IntoIterator<Item = PolicyRequest>,
    ) -> Self {
        Self::SetPolicies {
            member: member.into(),
            policies: policies.into_iter().collect(),
        }
    }

    /// Give `member` `roles` on top of those it has.
    ///
    /// ```
    /// use member_client::{Change, MemberRef, RoleId};
    /// let change = Change::add_roles(MemberRef::email("a@example.com"), [RoleId::new("r1")?]);
    /// assert_eq!(change.op(), "add_roles");
    /// assert!(change.validate().is_ok());
    /// # Ok::<(), member_client::ValidationError>(())
    /// ```
    pub fn add_roles(
        member: impl Into<MemberRef>,
        roles: impl IntoIterator<Item = RoleId>,
    ) -> Self {
        Self::AddRoles {
            member: member.into(),
            roles: roles.into_iter().collect(),
        }
    }

    /// Take `roles` from `member`, keeping its other roles.
    ///
    /// ```
    /// use member_client::{Change, MemberId, RoleId};
    /// let change = Change::remove_roles(MemberId::new("abc")?, [RoleId::new("r1")?]);
    /// assert_eq!(change.to_string(), "remove_roles abc");
    /// assert!(Change::remove_roles(MemberId::new("abc")?, []).validate().is_err());
    /// # Ok::<(), member_client::ValidationError>(())
    /// ```
    pub fn remove_roles(
        member: impl Into<MemberRef>,
        roles: impl IntoIterator<Item = RoleId>,
    ) -> Self {
        Self::RemoveRoles {
            member: member.into(),
            roles: roles.into_iter().collect(),
        }
    }

    /// Add a member.
    ///
    /// ```
    /// use member_client::{Change, CreateMember, RoleId};
    /// let change = Change::add(CreateMember::with_roles("new@example.com", [RoleId::new("r1")?])?);
    /// assert_eq!(change.member().as_email(), Some("new@example.com"));
    /// # Ok::<(), member_client::ValidationError>(())
    /// ```
    pub fn add(body: CreateMember) -> Self {
        Self::Add(body)
    }

    /// Remove `member`.
    ///
    /// ```
    /// use member_client::{Change, MemberId};
    /// let change = Change::remove(MemberId::new("abc")?);
    /// assert_eq!(change.member().as_id().map(|id| id.as_str()), Some("abc"));
    /// # Ok::<(), member_client::ValidationError>(())
    /// ```
    pub fn remove(member: impl Into<MemberRef>) -> Self {
        Self::Remove {
            member: member.into(),
        }
    }

    /// Put `member` into `group`.
    ///
    /// ```
    /// use member_client::{Change, MemberRef, UserGroupId};
    /// let change = Change::add_to_group(MemberRef::email("a@example.com"), UserGroupId::new("g1")?);
    /// assert_eq!(change.op(), "add_to_group");
    /// assert_eq!(change.group().map(|g| g.as_str()), Some("g1"));
    /// # Ok::<(), member_client::ValidationError>(())
    /// ```
    pub fn add_to_group(member: impl Into<MemberRef>, group: UserGroupId) -> Self {
        Self::AddToGroup {
            member: member.into(),
            group,
        }
    }

    /// Take `member` out of `group`.
    ///
    /// ```
    /// use member_client::{Change, MemberId, UserGroupId};
    /// let change = Change::remove_from_group(MemberId::new("abc")?, UserGroupId::new("g1")?);
    /// assert_eq!(change.to_string(), "remove_from_group abc");
    /// # Ok::<(), member_client::ValidationError>(())
    /// ```
    pub fn remove_from_group(member: impl Into<MemberRef>, group: UserGroupId) -> Self {
        Self::RemoveFromGroup {
            member: member.into(),
            group,
        }
    }

    /// The user group of a group change (`add_to_group`,
    /// `remove_from_group`).
    pub fn group(&self) -> Option<&UserGroupId> {
        match self {
            Self::AddToGroup { group, .. } | Self::RemoveFromGroup { group, .. } => Some(group),
            _ => None,
        }
    }

    /// Who the change is about (for an add, the new member's email).
    ///
    /// ```
    /// use member_client::{Change, MemberRef};
    /// assert_eq!(Change::remove(MemberRef::email("a@example.com")).member().to_string(), "a@example.com");
    /// ```
    pub fn member(&self) -> MemberRef {
        match self {
            Self::SetRoles { member, .. }
            | Self::SetPolicies { member, .. }
            | Self::AddRoles { member, .. }
            | Self::RemoveRoles { member, .. }
            | Self::Remove { member }
            | Self::AddToGroup { member, .. }
            | Self::RemoveFromGroup { member, .. } => member.clone(),
            Self::Add(body) => MemberRef::Email(body.email.clone()),
        }
    }

    /// A short name of the kind: `set_roles`, `set_policies`, `add_roles`,
    /// `remove_roles`, `add`, `remove`, `add_to_group`, `remove_from_group`
    /// (the `op` of its changes-file entry).
    ///
    /// ```
    /// use member_client::{Change, MemberRef};
    /// assert_eq!(Change::remove(MemberRef::email("a@example.com")).op(), "remove");
    /// ```
    pub fn op(&self) -> &'static str {
        self.kind().as_str()
    }

    /// The kind, as a [`ChangeOp`].
    ///
    /// ```
    /// use member_client::{Change, ChangeOp, MemberRef};
    /// assert_eq!(Change::remove(MemberRef::email("a@example.com")).kind(), ChangeOp::Remove);
    /// ```
    pub fn kind(&self) -> ChangeOp {
        match self {
            Self::SetRoles { .. } => ChangeOp::SetRoles,
            Self::SetPolicies { .. } => ChangeOp::SetPolicies,
            Self::AddRoles { .. } => ChangeOp::AddRoles,
            Self::RemoveRoles { .. } => ChangeOp::RemoveRoles,
            Self::Add(_) => ChangeOp::Add,
            Self::Remove { .. } => ChangeOp::Remove,
            Self::AddToGroup { .. } => ChangeOp::AddToGroup,
            Self::RemoveFromGroup { .. } => ChangeOp::RemoveFromGroup,
        }
    }

    /// Checks what can be checked without the server: ids, emails, and
    /// non-empty role and policy lists.
    ///
    /// # Errors
    /// The first rule broken.
    ///
    /// ```
    /// use member_client::{Change, MemberRef};
    /// let empty = Change::set_roles(MemberRef::email("a@example.com"), []);
    /// assert!(empty.validate().is_err());
    /// assert!(Change::remove(MemberRef::email("not an email")).validate().is_err());
    /// ```
    pub fn validate(&self) -> Result<(), ValidationError> {
        let check_member = |member: &MemberRef| match member {
            MemberRef::Id(id) => id.check().map(|_| ()),
            MemberRef::Email(email) => member_types::check_email(email),
        };
        match self {
            Self::SetRoles { member, roles } => {
                check_member(member)?;
                member_types::UpdateMember::with_roles(roles.iter().cloned())?.validate()
            }
            Self::SetPolicies { member, policies } => {
                check_member(member)?;
                member_types::UpdateMember::with_policies(policies.iter().cloned())?.validate()
            }
            Self::AddRoles { member, roles } | Self::RemoveRoles { member, roles } => {
                check_member(member)?;
                // The same rules as a set of roles: at least one, each a
                // valid id.
                member_types::UpdateMember::with_roles(roles.iter().cloned())?.validate()
            }
            Self::Add(body) => body.validate(),
            Self::Remove { member } => check_member(member),
            Self::AddToGroup { member, group } | Self::RemoveFromGroup { member, group } => {
                check_member(member)?;
                group.check().map(drop)
            }
        }
    }
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.op(), self.member())
    }
}
