//! Changes as people write them: roles, permission groups and scopes by
//! name ([`NamedChange`], [`NamedPolicy`], [`Named`]), and the step that
//! turns them into [`Change`]s with ids through one [`Resolver`], listing
//! every reference that did not resolve ([`Unresolved`]) instead of
//! stopping at the first.
//!
//! A changes file is read into [`NamedChange`]s
//! ([`NamedChange::from_entry`], the same rules as [`Change::from_entry`]);
//! [`NamedChange::resolve_all`] resolves them; the [`Change`]s go to
//! [`Members::plan`](crate::Members::plan). Members stay named by email in
//! the `Change`: the plan matches them against the members it reads, and
//! reports an unknown email as a [`Problem`](crate::Problem).

use std::collections::HashSet;
use std::fmt;
use std::marker::PhantomData;

use member_types::json::shorten;
use member_types::{
    Access, CreateMember, InviteStatus, PermissionGroupRef, PolicyId, PolicyRequest,
    ResourceGroupRef, RoleId, UserGroupId, ValidationError,
};
use serde::de::{self, Deserialize, Deserializer, MapAccess, Visitor};
use serde::Serialize;

use super::format::{FieldNames, JsonKeys};
use super::{Change, ChangeField, MemberRef};
use crate::{ResolveError, Resolver};

/// A permission group or resource group as a policy writes it: the API's
/// own object (`{"id": …}`, or an inline `{"scope": …}`), sent as is with
/// no read; or text that the [`Resolver`] turns into one.
///
/// JSON: the object, or a string.
///
/// ```
/// use member_client::{Named, PermissionGroupRef};
/// let by_name: Named<PermissionGroupRef> = serde_json::from_str(r#""DNS Write""#)?;
/// assert_eq!(by_name, Named::Name("DNS Write".to_owned()));
/// let by_id: Named<PermissionGroupRef> = serde_json::from_str(r#"{"id": "c8fed203ed3043cba015a93ad1616f1f"}"#)?;
/// assert!(matches!(by_id, Named::Given(_)));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(untagged)]
pub enum Named<T> {
    /// The API's form: an id is checked against the account by id alone
    /// when the policy is resolved ([`NamedPolicy::resolve`]); an inline
    /// scope is taken as given.
    Given(T),
    /// A reference to resolve: for a permission group its name, label or
    /// id; for a resource group a scope form (`account`, `zone:<domain>`,
    /// `group:<name>`) or its id ([`Resolver::scope`]).
    Name(String),
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Named<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Either<T>(PhantomData<T>);

        impl<'de, T: Deserialize<'de>> Visitor<'de> for Either<T> {
            type Value = Named<T>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a name (a string) or an object such as {\"id\": …}")
            }

            fn visit_str<E: de::Error>(self, text: &str) -> Result<Named<T>, E> {
                if text.trim().is_empty() {
                    return Err(E::custom("a name must not be empty"));
                }
                Ok(Named::Name(text.to_owned()))
            }

            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Named<T>, A::Error> {
                T::deserialize(de::value::MapAccessDeserializer::new(map)).map(Named::Given)
            }
        }

        deserializer.deserialize_any(Either(PhantomData))
    }
}

/// `meta.scopes` of a permission group that applies to zones.
const ZONE_SCOPE_TYPE: &str = "com.cloudflare.api.account.zone";

/// A policy whose permission groups and resource groups may be names.
///
/// JSON: a policy as the API takes it, where any item of
/// `permission_groups` or `resource_groups` may be a string instead:
///
/// ```
/// use member_client::NamedPolicy;
/// let policy: NamedPolicy = serde_json::from_str(r#"{"access": "allow",
///     "permission_groups": ["DNS Write", {"id": "c8fed203ed3043cba015a93ad1616f1f"}],
///     "resource_groups": ["zone:example.com"]}"#)?;
/// assert!(!policy.is_exact());
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[non_exhaustive]
pub struct NamedPolicy {
    /// The id of the policy being updated, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<PolicyId>,
    /// Allow or deny.
    pub access: Access,
    /// What the policy allows or denies (at least one).
    pub permission_groups: Vec<Named<PermissionGroupRef>>,
    /// Where (at least one).
    pub resource_groups: Vec<Named<ResourceGroupRef>>,
}

impl NamedPolicy {
    /// A policy of `access` on `permission_groups` over `resource_groups`;
    /// both lists must be non-empty.
    ///
    /// # Errors
    /// [`ValidationError`] for an empty list or an unknown access value.
    pub fn new(
        access: Access,
        permission_groups: impl IntoIterator<Item = Named<PermissionGroupRef>>,
        resource_groups: impl IntoIterator<Item = Named<ResourceGroupRef>>,
    ) -> Result<Self, ValidationError> {
        let policy = Self {
            id: None,
            access,
            permission_groups: permission_groups.into_iter().collect(),
            resource_groups: resource_groups.into_iter().collect(),
        };
        policy.validate()?;
        Ok(policy)
    }

    /// Checks what [`PolicyRequest::validate`] checks.
    ///
    /// # Errors
    /// The first rule broken.
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
        Ok(())
    }

    /// Whether nothing needs resolving (every item is in the API's form).
    pub fn is_exact(&self) -> bool {
        self.permission_groups
            .iter()
            .all(|g| matches!(g, Named::Given(_)))
            && self
                .resource_groups
                .iter()
                .all(|g| matches!(g, Named::Given(_)))
    }

    /// The policy as the API takes it, when nothing needs resolving.
    ///
    /// # Errors
    /// The first name, as a message saying it must be resolved, or the
    /// policy's [`ValidationError`].
    pub fn exact(&self) -> Result<PolicyRequest, String> {
        let mut groups = Vec::new();
        for group in &self.permission_groups {
            match group {
                Named::Given(g) => groups.push(g.id.clone()),
                Named::Name(name) => return Err(unresolved_name("permission group", name)),
            }
        }
        let mut scopes = Vec::new();
        for scope in &self.resource_groups {
            match scope {
                Named::Given(s) => scopes.push(s.clone()),
                Named::Name(name) => return Err(unresolved_name("resource group", name)),
            }
        }
        self.request(groups, scopes).map_err(|e| e.to_string())
    }

    fn request(
        &self,
        groups: Vec<member_types::PermissionGroupId>,
        scopes: Vec<ResourceGroupRef>,
    ) -> Result<PolicyRequest, ValidationError> {
        let policy = PolicyRequest::with_refs(self.access.clone(), groups, scopes)?;
        Ok(match &self.id {
            Some(id) => policy.with_id(id.clone()),
            None => policy,
        })
    }

    /// The policy with every name resolved through `resolver` (each kind
    /// read once per resolver). Items in the API's form (`{"id": …}`) are
    /// checked against the account's permission groups and resource groups
    /// by id alone, so that an id the API would refuse is refused before
    /// anything is sent; an inline scope is taken as given.
    ///
    /// # Errors
    /// Every item that did not resolve, each with its place in the policy
    /// (`.permission_groups[1]`).
    pub async fn resolve(&self, resolver: &Resolver) -> Result<PolicyRequest, Vec<Unresolved>> {
        let mut failed = Vec::new();
        let mut groups = Vec::new();
        let whole_account = self
            .resource_groups
            .iter()
            .any(|s| matches!(s, Named::Name(n) if n.trim().eq_ignore_ascii_case("account")));
        for (i, group) in self.permission_groups.iter().enumerate() {
            let place = || format!(".permission_groups[{i}]");
            let (name, found) = match group {
                // By id alone: never a name that happens to read the same.
                Named::Given(g) => (
                    g.id.as_str(),
                    resolver.given_permission_group(g.id.as_str()).await,
                ),
                Named::Name(name) => (name.as_str(), resolver.permission_group(name).await),
            };
            match found {
                // A zone permission group ("Domain …") belongs with zone
                // scopes; on the whole account it would not say which
                // zones, so it is refused rather than sent.
                Ok(g) if whole_account && g.scope_type() == Some(ZONE_SCOPE_TYPE) => {
                    failed.push(Unresolved::new(
                        ChangeField::Policies,
                        place(),
                        ResolveError::Invalid(ValidationError::Format {
                            field: "permission group",
                            value: member_types::json::shorten(name),
                            rule: "this permission group applies to zones (meta.scopes is \
                                   com.cloudflare.api.account.zone): give it zone scopes \
                                   (zone:<domain>) or a resource group of zones, not account",
                        }),
                    ))
                }
                Ok(g) => groups.push(g.id),
                Err(error) => failed.push(Unresolved::new(ChangeField::Policies, place(), error)),
            }
        }
        let mut scopes = Vec::new();
        for (i, scope) in self.resource_groups.iter().enumerate() {
            match scope {
                Named::Given(ResourceGroupRef::Id { id }) => {
                    match resolver.given_resource_group(id.as_str()).await {
                        Ok(group) => scopes.push(ResourceGroupRef::id(group.id)),
                        Err(error) => failed.push(Unresolved::new(
                            ChangeField::Policies,
                            format!(".resource_groups[{i}]"),
                            error,
                        )),
                    }
                }
                Named::Given(s) => scopes.push(s.clone()),
                Named::Name(name) => match resolver.scope(name).await {
                    Ok(s) => scopes.push(s),
                    Err(error) => failed.push(Unresolved::new(
                        ChangeField::Policies,
                        format!(".resource_groups[{i}]"),
                        error,
                    )),
                },
            }
        }
        if !failed.is_empty() {
            return Err(failed);
        }
        // Names that resolve to the same group (`DNS Write`, `dns write`,
        // its label, its id) say it once: the policy holds a set, and the
        // API would otherwise store it twice.
        let mut seen = HashSet::new();
        groups.retain(|id| seen.insert(id.clone()));
        let mut seen = HashSet::new();
        scopes.retain(|scope| seen.insert(scope.clone()));
        self.request(groups, scopes).map_err(|e| {
            vec![Unresolved::new(
                ChangeField::Policies,
                String::new(),
                e.into(),
            )]
        })
    }
}

fn unresolved_name(kind: &str, name: &str) -> String {
    format!(
        "{kind} {name:?} is a name: names are resolved by the plan \
         (NamedChange::resolve_all), not read as ids"
    )
}

impl From<PolicyRequest> for NamedPolicy {
    fn from(policy: PolicyRequest) -> Self {
        Self {
            id: policy.id,
            access: policy.access,
            permission_groups: policy
                .permission_groups
                .into_iter()
                .map(Named::Given)
                .collect(),
            resource_groups: policy
                .resource_groups
                .into_iter()
                .map(Named::Given)
                .collect(),
        }
    }
}

impl<'de> Deserialize<'de> for NamedPolicy {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Raw {
            #[serde(default)]
            id: Option<PolicyId>,
            access: Access,
            permission_groups: Vec<Named<PermissionGroupRef>>,
            resource_groups: Vec<Named<ResourceGroupRef>>,
        }
        let raw = Raw::deserialize(deserializer)?;
        let policy = Self {
            id: raw.id,
            access: raw.access,
            permission_groups: raw.permission_groups,
            resource_groups: raw.resource_groups,
        };
        policy.validate().map_err(de::Error::custom)?;
        Ok(policy)
    }
}

/// The access of a [`NamedChange`]: roles (names or ids) or policies.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum NamedAccess {
    /// Role names or ids.
    Roles(Vec<String>),
    /// Policies, whose groups may be names.
    Policies(Vec<NamedPolicy>),
}

/// A [`Change`] as a changes file writes it: roles by name or id, policies
/// with permission groups and scopes by name or in the API's form. The
/// member is a [`MemberRef`] (an email or an id), as in `Change`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum NamedChange {
    /// [`Change::SetRoles`].
    SetRoles {
        /// Who.
        member: MemberRef,
        /// Role names or ids.
        roles: Vec<String>,
    },
    /// [`Change::SetPolicies`].
    SetPolicies {
        /// Who.
        member: MemberRef,
        /// The policies.
        policies: Vec<NamedPolicy>,
    },
    /// [`Change::AddRoles`].
    AddRoles {
        /// Who.
        member: MemberRef,
        /// Role names or ids to give.
        roles: Vec<String>,
    },
    /// [`Change::RemoveRoles`].
    RemoveRoles {
        /// Who.
        member: MemberRef,
        /// Role names or ids to take.
        roles: Vec<String>,
    },
    /// [`Change::Add`].
    Add {
        /// The new member's email.
        email: String,
        /// Roles or policies.
        access: NamedAccess,
        /// Invitation or direct add.
        status: Option<InviteStatus>,
    },
    /// [`Change::Remove`].
    Remove {
        /// Who.
        member: MemberRef,
    },
    /// [`Change::AddToGroup`].
    AddToGroup {
        /// Who.
        member: MemberRef,
        /// The user group: its name (exact, any case) or id.
        group: String,
    },
    /// [`Change::RemoveFromGroup`].
    RemoveFromGroup {
        /// Who.
        member: MemberRef,
        /// The user group: its name (exact, any case) or id.
        group: String,
    },
}

impl From<Change> for NamedChange {
    fn from(change: Change) -> Self {
        let roles = |roles: Vec<RoleId>| roles.into_iter().map(|r| r.as_str().to_owned()).collect();
        match change {
            Change::SetRoles { member, roles: r } => Self::SetRoles {
                member,
                roles: roles(r),
            },
            Change::SetPolicies { member, policies } => Self::SetPolicies {
                member,
                policies: policies.into_iter().map(NamedPolicy::from).collect(),
            },
            Change::AddRoles { member, roles: r } => Self::AddRoles {
                member,
                roles: roles(r),
            },
            Change::RemoveRoles { member, roles: r } => Self::RemoveRoles {
                member,
                roles: roles(r),
            },
            Change::Add(body) => {
                let access = match body.access {
                    member_types::CreateAccess::Policies { policies } => {
                        NamedAccess::Policies(policies.into_iter().map(NamedPolicy::from).collect())
                    }
                    member_types::CreateAccess::Roles { roles: r } => NamedAccess::Roles(roles(r)),
                    // An access form to come: no names in it.
                    _ => NamedAccess::Roles(Vec::new()),
                };
                Self::Add {
                    email: body.email,
                    access,
                    status: body.status,
                }
            }
            Change::Remove { member } => Self::Remove { member },
            Change::AddToGroup { member, group } => Self::AddToGroup {
                member,
                group: group.as_str().to_owned(),
            },
            Change::RemoveFromGroup { member, group } => Self::RemoveFromGroup {
                member,
                group: group.as_str().to_owned(),
            },
        }
    }
}

impl NamedChange {
    /// Who the change is about (for an add, the new member's email).
    pub fn member(&self) -> MemberRef {
        match self {
            Self::SetRoles { member, .. }
            | Self::SetPolicies { member, .. }
            | Self::AddRoles { member, .. }
            | Self::RemoveRoles { member, .. }
            | Self::Remove { member }
            | Self::AddToGroup { member, .. }
            | Self::RemoveFromGroup { member, .. } => member.clone(),
            Self::Add { email, .. } => MemberRef::Email(email.clone()),
        }
    }

    /// The kind: `set_roles`, `set_policies`, `add_roles`, `remove_roles`,
    /// `add`, `remove`, `add_to_group`, `remove_from_group`.
    pub fn op(&self) -> &'static str {
        match self {
            Self::SetRoles { .. } => "set_roles",
            Self::SetPolicies { .. } => "set_policies",
            Self::AddRoles { .. } => "add_roles",
            Self::RemoveRoles { .. } => "remove_roles",
            Self::Add { .. } => "add",
            Self::Remove { .. } => "remove",
            Self::AddToGroup { .. } => "add_to_group",
            Self::RemoveFromGroup { .. } => "remove_from_group",
        }
    }

    /// Checks what can be checked without the server, as
    /// [`Change::validate`] does.
    ///
    /// # Errors
    /// The first rule broken.
    pub fn validate(&self) -> Result<(), ValidationError> {
        let check_member = |member: &MemberRef| match member {
            MemberRef::Id(id) => id.check().map(|_| ()),
            MemberRef::Email(email) => member_types::check_email(email),
        };
        let check_roles = |roles: &[String]| {
            if roles.is_empty() {
                return Err(ValidationError::Empty {
                    field: "roles",
                    hint: "give at least one role (to take all access away, remove the member)",
                });
            }
            Ok(())
        };
        let check_policies = |policies: &[NamedPolicy]| {
            if policies.is_empty() {
                return Err(ValidationError::Empty {
                    field: "policies",
                    hint: "give at least one policy (to take all access away, remove the member)",
                });
            }
            policies.iter().try_for_each(NamedPolicy::validate)
        };
        match self {
            Self::SetRoles { member, roles }
            | Self::AddRoles { member, roles }
            | Self::RemoveRoles { member, roles } => {
                check_member(member)?;
                check_roles(roles)
            }
            Self::SetPolicies { member, policies } => {
                check_member(member)?;
                check_policies(policies)
            }
            Self::Add { email, access, .. } => {
                member_types::check_email(email)?;
                match access {
                    NamedAccess::Roles(roles) => check_roles(roles),
                    NamedAccess::Policies(policies) => check_policies(policies),
                }
            }
            Self::Remove { member } => check_member(member),
            Self::AddToGroup { member, group } | Self::RemoveFromGroup { member, group } => {
                check_member(member)?;
                if group.trim().is_empty() {
                    return Err(ValidationError::Empty {
                        field: "group",
                        hint: "give the user group's name or id",
                    });
                }
                Ok(())
            }
        }
    }

    /// The change with ids, when it names nothing: roles read as role ids,
    /// every policy item in the API's form. This is how a retry file (which
    /// holds ids only) is read.
    ///
    /// # Errors
    /// A message for the first role that is not an id, or policy item that
    /// is a name, or an add body that breaks a rule.
    pub fn exact(&self) -> Result<Change, String> {
        let role_ids = |roles: &[String]| {
            roles
                .iter()
                .map(|r| RoleId::new(crate::resolve::hex_lower(r)).map_err(|e| e.to_string()))
                .collect::<Result<Vec<_>, _>>()
        };
        let policies = |policies: &[NamedPolicy]| {
            policies
                .iter()
                .map(NamedPolicy::exact)
                .collect::<Result<Vec<_>, _>>()
        };
        Ok(match self {
            Self::SetRoles { member, roles } => Change::set_roles(member.clone(), role_ids(roles)?),
            Self::AddRoles { member, roles } => Change::add_roles(member.clone(), role_ids(roles)?),
            Self::RemoveRoles { member, roles } => {
                Change::remove_roles(member.clone(), role_ids(roles)?)
            }
            Self::SetPolicies {
                member,
                policies: p,
            } => Change::set_policies(member.clone(), policies(p)?),
            Self::Add {
                email,
                access,
                status,
            } => {
                let body = match access {
                    NamedAccess::Roles(roles) => CreateMember::with_roles(email, role_ids(roles)?),
                    NamedAccess::Policies(p) => CreateMember::with_policies(email, policies(p)?),
                }
                .map_err(|e| e.to_string())?;
                Change::add(with_status(body, status))
            }
            Self::Remove { member } => Change::remove(member.clone()),
            Self::AddToGroup { member, group } => {
                Change::add_to_group(member.clone(), exact_group(group)?)
            }
            Self::RemoveFromGroup { member, group } => {
                Change::remove_from_group(member.clone(), exact_group(group)?)
            }
        })
    }

    /// The change with every role, permission group and scope resolved
    /// through `resolver` (each kind read at most once per resolver; ids
    /// of roles and permission groups are checked against what was read).
    ///
    /// # Errors
    /// Every reference that did not resolve, with its place
    /// ([`Unresolved::input`] is 0: see [`resolve_all`](Self::resolve_all)).
    pub async fn resolve(&self, resolver: &Resolver) -> Result<Change, Vec<Unresolved>> {
        match self {
            Self::SetRoles { member, roles } => Ok(Change::set_roles(
                member.clone(),
                resolve_roles(resolver, roles).await?,
            )),
            Self::SetPolicies { member, policies } => Ok(Change::set_policies(
                member.clone(),
                resolve_policies(resolver, policies).await?,
            )),
            Self::AddRoles { member, roles } => Ok(Change::add_roles(
                member.clone(),
                resolve_roles(resolver, roles).await?,
            )),
            Self::RemoveRoles { member, roles } => Ok(Change::remove_roles(
                member.clone(),
                resolve_roles(resolver, roles).await?,
            )),
            Self::Add {
                email,
                access,
                status,
            } => {
                let body = match access {
                    NamedAccess::Roles(roles) => {
                        CreateMember::with_roles(email, resolve_roles(resolver, roles).await?)
                    }
                    NamedAccess::Policies(policies) => CreateMember::with_policies(
                        email,
                        resolve_policies(resolver, policies).await?,
                    ),
                };
                let body = body.map_err(|e| {
                    vec![Unresolved::new(ChangeField::Email, String::new(), e.into())]
                })?;
                Ok(Change::add(with_status(body, status)))
            }
            Self::Remove { member } => Ok(Change::remove(member.clone())),
            Self::AddToGroup { member, group } => Ok(Change::add_to_group(
                member.clone(),
                resolve_group(resolver, group).await?,
            )),
            Self::RemoveFromGroup { member, group } => Ok(Change::remove_from_group(
                member.clone(),
                resolve_group(resolver, group).await?,
            )),
        }
    }

    /// Every change resolved, in order; or every reference of every change
    /// that did not resolve, each with the index of its change
    /// ([`Unresolved::input`]), so all can be fixed at once. Nothing is
    /// written; each kind is read at most once.
    ///
    /// # Errors
    /// The unresolved references, in input order.
    pub async fn resolve_all(
        resolver: &Resolver,
        changes: &[NamedChange],
    ) -> Result<Vec<Change>, Vec<Unresolved>> {
        let mut results = Vec::with_capacity(changes.len());
        for change in changes {
            results.push(change.resolve(resolver).await);
        }
        gather(results, |input, e| e.input = input)
    }
}

/// A user group given as an id (a retry file's form): taken as given.
fn exact_group(group: &str) -> Result<UserGroupId, String> {
    UserGroupId::new(crate::resolve::hex_lower(group.trim()))
        .map_err(|_| unresolved_name("user group", group))
}

/// A user group by name or id, through the resolver (the account's groups
/// read once).
async fn resolve_group(resolver: &Resolver, group: &str) -> Result<UserGroupId, Vec<Unresolved>> {
    resolver
        .user_group_id(group)
        .await
        .map_err(|error| vec![Unresolved::new(ChangeField::Group, String::new(), error)])
}

fn with_status(body: CreateMember, status: &Option<InviteStatus>) -> CreateMember {
    match status {
        Some(status) => body.status(*status),
        None => body,
    }
}

/// Role names or ids to role ids, every failure with its place (`[1]`).
///
/// # Errors
/// Every role that did not resolve.
pub async fn resolve_roles(
    resolver: &Resolver,
    roles: &[String],
) -> Result<Vec<RoleId>, Vec<Unresolved>> {
    let mut results = Vec::with_capacity(roles.len());
    for role in roles {
        results.push(
            resolver
                .role_id(role)
                .await
                .map_err(|error| vec![Unresolved::new(ChangeField::Roles, String::new(), error)]),
        );
    }
    gather(results, |i, e| e.path = format!("[{i}]"))
}

/// Policies with names to policies with ids, every failure with its place
/// (`[0].permission_groups[1]`).
///
/// # Errors
/// Every item that did not resolve.
pub async fn resolve_policies(
    resolver: &Resolver,
    policies: &[NamedPolicy],
) -> Result<Vec<PolicyRequest>, Vec<Unresolved>> {
    let mut results = Vec::with_capacity(policies.len());
    for policy in policies {
        results.push(policy.resolve(resolver).await);
    }
    gather(results, |i, e| e.path = format!("[{i}]{}", e.path))
}

/// Every item resolved, in order; or every failure of every item, each
/// `mark`ed with its item's index.
fn gather<T>(
    results: Vec<Result<T, Vec<Unresolved>>>,
    mark: impl Fn(usize, &mut Unresolved),
) -> Result<Vec<T>, Vec<Unresolved>> {
    let mut resolved = Vec::with_capacity(results.len());
    let mut failed = Vec::new();
    for (i, result) in results.into_iter().enumerate() {
        match result {
            Ok(item) => resolved.push(item),
            Err(errors) => failed.extend(errors.into_iter().map(|mut e| {
                mark(i, &mut e);
                e
            })),
        }
    }
    if failed.is_empty() {
        Ok(resolved)
    } else {
        Err(failed)
    }
}

/// A reference of a changes-file entry that did not resolve: which entry,
/// where in it, and why.
#[derive(Debug)]
#[non_exhaustive]
pub struct Unresolved {
    /// The index of the change in the input.
    pub input: usize,
    /// The field holding the reference.
    pub field: ChangeField,
    /// Where in the field: `[1]` (a role), `[0].permission_groups[1]`; empty
    /// for the field as a whole.
    pub path: String,
    /// Why: not found (with suggestions), ambiguous (with candidates),
    /// malformed, or the read failed.
    pub error: ResolveError,
}

impl Unresolved {
    fn new(field: ChangeField, path: String, error: ResolveError) -> Self {
        Self {
            input: 0,
            field,
            path,
            error,
        }
    }

    /// Whether the reference is fine but reading what to match it against
    /// failed (the fix is to retry, not to edit the file).
    pub fn is_request_error(&self) -> bool {
        self.error.request_error().is_some()
    }

    /// `"roles"[1]: no role "Admn" in account …`, the field named as the
    /// file's syntax names it.
    pub fn message(&self, names: &dyn FieldNames) -> String {
        format!(
            "{}{}: {}",
            names.name(self.field.key()),
            self.path,
            self.error
        )
    }
}

impl fmt::Display for Unresolved {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(&JsonKeys))
    }
}

impl std::error::Error for Unresolved {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use member_mock::default_seed::{
        ACCOUNT, ADMIN_ROLE, BOB, DNS_WRITE_GROUP, READ_ONLY_ROLE, RESOURCE_GROUP,
    };
    use member_mock::MockServer;
    use serde_json::{json, Value};

    fn named(entry: Value) -> Result<NamedChange, String> {
        NamedChange::from_entry(entry.as_object().expect("an object")).map_err(|e| e.to_string())
    }

    /// One row per form: the entry, and whether it reads (and whether
    /// without names, `exact`) or the message it is refused with.
    #[test]
    fn entries_may_name_roles_groups_and_scopes() {
        let by_id = json!({"access": "allow", "permission_groups": [{"id": DNS_WRITE_GROUP}],
                           "resource_groups": [{"id": RESOURCE_GROUP}]});
        let by_name = json!({"access": "deny", "permission_groups": ["DNS Write", {"id": DNS_WRITE_GROUP}],
                             "resource_groups": ["zone:example.com", "account", {"id": RESOURCE_GROUP}]});
        let rows: Vec<(Value, Result<bool, &str>)> = vec![
            (
                json!({"email": "a@example.com", "roles": [READ_ONLY_ROLE]}),
                Ok(true),
            ),
            (
                json!({"email": "a@example.com", "roles": ["Administrator Read Only"]}),
                Ok(false),
            ),
            (json!({"id": BOB, "policies": [by_id.clone()]}), Ok(true)),
            (json!({"id": BOB, "policies": [by_name.clone()]}), Ok(false)),
            (
                json!({"op": "add", "email": "n@example.com", "policies": [by_name]}),
                Ok(false),
            ),
            (
                json!({"op": "add", "email": "n@example.com", "roles": ["Super Administrator - All Privileges"], "status": "accepted"}),
                Ok(false),
            ),
            (
                json!({"id": BOB, "roles": []}),
                Err("roles must not be empty"),
            ),
            (
                json!({"id": BOB, "roles": [" "]}),
                Err(r#""roles"[0]: a role name must not be empty"#),
            ),
            (
                json!({"id": BOB, "roles": [5]}),
                Err(
                    r#""roles" must be a list of roles (names or ids), found a number in the list"#,
                ),
            ),
            (
                json!({"id": BOB, "policies": [{"access": "allow", "permission_groups": [""], "resource_groups": ["account"]}]}),
                Err(r#""policies"[0]: a name must not be empty"#),
            ),
            (
                json!({"id": BOB, "policies": [{"access": "allow", "permission_groups": [7], "resource_groups": ["account"]}]}),
                Err("a name (a string) or an object"),
            ),
            (
                json!({"id": BOB, "policies": [{"access": "allow", "permission_groups": ["DNS Write"], "resource_groups": []}]}),
                Err("resource_groups must not be empty"),
            ),
            (
                json!({"id": BOB, "policies": [{"access": "maybe", "permission_groups": ["DNS Write"], "resource_groups": ["account"]}]}),
                Err("expected one of: allow deny"),
            ),
        ];
        for (entry, expected) in rows {
            let got = named(entry.clone()).map(|change| change.exact().is_ok());
            match expected {
                Ok(exact) => assert_eq!(got, Ok(exact), "{entry}"),
                Err(part) => {
                    let message = got.expect_err(&entry.to_string());
                    assert!(message.contains(part), "{entry}: {message}");
                }
            }
        }
    }

    #[test]
    fn change_from_entry_still_takes_ids_only() {
        let entry = json!({"email": "a@example.com", "roles": ["Administrator Read Only"]});
        let message = Change::from_entry(entry.as_object().unwrap())
            .unwrap_err()
            .to_string();
        assert!(message.contains("role_id"), "{message}");
        let entry = json!({"id": BOB, "policies": [{"access": "allow",
            "permission_groups": ["DNS Write"], "resource_groups": [{"id": RESOURCE_GROUP}]}]});
        let message = Change::from_entry(entry.as_object().unwrap())
            .unwrap_err()
            .to_string();
        assert!(message.contains("\"DNS Write\" is a name"), "{message}");
    }

    #[test]
    fn a_change_with_ids_reads_back_as_itself() {
        let change: Change = serde_json::from_value(json!(
            {"op": "set_roles", "id": BOB, "roles": [READ_ONLY_ROLE]}
        ))
        .unwrap();
        assert_eq!(NamedChange::from(change.clone()).exact(), Ok(change));
    }

    async fn resolver() -> (MockServer, Resolver) {
        let mock = MockServer::builder()
            .start()
            .await
            .expect("member-mock starts");
        let client = crate::Client::builder()
            .credentials(crate::Credentials::token(mock.token()))
            .base_url(&mock.base_url())
            .build()
            .expect("a client");
        let resolver = client.resolver(&ACCOUNT.parse().unwrap());
        (mock, resolver)
    }

    /// Role names, ids and mistakes, resolved together: every mistake is
    /// listed with its entry and place, and the roles are read once.
    #[tokio::test]
    async fn resolve_all_lists_every_unresolved_reference_with_its_place() {
        let (mock, resolver) = resolver().await;
        let rows: Vec<(Value, Result<Value, &str>)> = vec![
            (
                json!({"email": "bob.dns@example.com", "roles": ["administrator read only", ADMIN_ROLE]}),
                Ok(
                    json!({"op": "set_roles", "email": "bob.dns@example.com", "roles": [READ_ONLY_ROLE, ADMIN_ROLE]}),
                ),
            ),
            (
                json!({"id": BOB, "roles": ["Administrator Read Onyl"]}),
                Err(
                    r#""roles"[0]: no role "Administrator Read Onyl" in account 023e105f4ecef8ad9ca31a8372d0c353; did you mean "Administrator Read Only"?"#,
                ),
            ),
            (
                json!({"op": "add", "email": "n@example.com", "roles": ["Billing", "ffffffffffffffffffffffffffffffff"]}),
                Err(r#""roles"[1]: no role "ffffffffffffffffffffffffffffffff""#),
            ),
            (
                json!({"op": "remove", "id": BOB}),
                Ok(json!({"op": "remove", "id": BOB})),
            ),
        ];
        let changes: Vec<NamedChange> = rows
            .iter()
            .map(|(e, _)| named(e.clone()).unwrap())
            .collect();
        let failed = NamedChange::resolve_all(&resolver, &changes)
            .await
            .unwrap_err();
        let failures: Vec<(usize, String)> =
            failed.iter().map(|u| (u.input, u.to_string())).collect();
        for (input, (entry, expected)) in rows.iter().enumerate() {
            let mine: Vec<&String> = failures
                .iter()
                .filter(|(i, _)| *i == input)
                .map(|(_, m)| m)
                .collect();
            match expected {
                Ok(change) => {
                    assert!(mine.is_empty(), "{entry}: {mine:?}");
                    let resolved = changes[input].resolve(&resolver).await.unwrap();
                    assert_eq!(&serde_json::to_value(resolved).unwrap(), change);
                }
                Err(part) => {
                    assert_eq!(mine.len(), 1, "{entry}: {mine:?}");
                    assert!(mine[0].starts_with(part), "{entry}: {}", mine[0]);
                }
            }
        }
        assert!(failed
            .iter()
            .all(|u| u.error.is_not_found() && !u.is_request_error()));
        let reads = mock.requests();
        assert!(reads.iter().all(|r| r.method == "GET"), "{reads:?}");
        assert_eq!(
            reads
                .iter()
                .filter(|r| r.query.as_deref().is_none_or(|q| !q.contains("page=2")))
                .count(),
            1,
            "one paged read of the roles: {reads:?}"
        );
    }
}
