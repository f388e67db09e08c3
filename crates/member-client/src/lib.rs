//! A Rust client for Cloudflare account members.
//!
//! ```no_run
//! use member_client::{Client, MemberId, RoleId};
//!
//! # async fn demo() -> Result<(), member_client::Error> {
//! let client = Client::from_env()?;
//! let members = client.members(&"023e105f4ecef8ad9ca31a8372d0c353".parse()?);
//! let member: MemberId = "4536bcfad5faccb111b47003c79917fa".parse()?;
//! let role: RoleId = "3536bcfad5faccb999b47003c79917fb".parse()?;
//! let updated = members.set_roles(&member, [role]).await?;
//! println!("{:?} now has {:?}", updated.email(), updated.role_ids());
//! # Ok(()) }
//! ```
//!
//! - [`Client`]: configuration, from the environment or a builder.
//! - [`Accounts`]: every account the token can see, one by name; across
//!   accounts, [`Client::whois`], [`Client::offboard_plan`] /
//!   [`Client::offboard_run`] and [`Client::audit`].
//! - [`Members`]: get, update (roles or policies), add, remove, list
//!   ([`List`]: a stream of every item, or one page), find by email.
//! - [`Roles`]: get, list, find by name.
//! - [`PermissionGroups`]: the account's permission-group catalog: get,
//!   list by id, name or label.
//! - [`ResourceGroups`]: list, get, create, update, delete.
//! - [`Zones`]: list, and find a zone of an account by name.
//! - [`UserGroups`]: list, get, create, update, delete; [`GroupMembers`]:
//!   list, add, replace the whole set, remove one.
//! - [`Client::effective_access`]: a member's own roles and policies and
//!   those of every group they are in, each with its source.
//! - [`Resolver`]: names to ids for one account (members by email, roles and
//!   permission groups by name, scopes by zone or group name), each kind
//!   read once, nothing guessed ([`ResolveError`]).
//! - [`Members::plan`] and [`Members::apply`]: bulk access changes, planned
//!   against the current state, run concurrently within the rate limit
//!   ([`ClientBuilder::rate_limit`]) as a stream of [`Outcome`]s, with a
//!   [`RetryFile`] for what failed.
//! - [`Call`]: one request, with per-request timeout, retries and headers,
//!   `.await` for the result or `send_with_response()` for status, `cf-ray`,
//!   rate-limit headers and `messages`.
//!
//! The models, identifiers, request bodies and list parameters of
//! `member-types` are re-exported here; the rest of that crate (the envelope,
//! schema export, JSON helpers) is in [`reexports`].

mod access;
mod accounts;
mod apply;
mod audit_log;
mod call;
mod client;
mod collection;
mod effective;
mod everywhere;
mod lockout;
mod members;
mod paginate;
mod permission_groups;
mod quoted;
mod resolve;
mod resource_groups;
mod roles;
mod user_groups;
mod zones;

pub use access::{
    access_text, AccessChanges, AccessFileError, AccessPlan, AccessSource, DriftAction, GroupDrift,
    GroupJoin, GroupPolicies, MemberDrift, NewGroup, SourceError, SourceFormat, StatusDrift,
    SyncSafety,
};
pub use accounts::{Accounts, ACCOUNT_OWNED_TOKEN_CODE};
pub use apply::{
    resolve_policies, resolve_roles, AccessState, Apply, Change, ChangeError, ChangeField,
    ChangeOp, ChangeResult, EntryError, FieldNames, FieldShape, JsonKeys, MemberRef, Named,
    NamedAccess, NamedChange, NamedPolicy, Outcome, Plan, PlanAction, PlanEntry, PolicyState,
    Problem, ProblemKind, RetryEntry, RetryFile, Unresolved, DEFAULT_APPLY_CONCURRENCY,
};
pub use audit_log::{
    AuditFilter, AuditLogQuery, AUDIT_PAGE_MAX, AUDIT_RETENTION, DEFAULT_AUDIT_WINDOW,
};
pub use call::{Call, PreparedRequest};
pub use client::{Client, ClientBuilder, ENV_ACCOUNT_ID};
pub use collection::{List, Listed};
pub use effective::{EffectiveAccess, GrantSource, PolicyGrant};
pub use everywhere::{
    AccountError, AccountPresence, AccountRef, AuditRow, OffboardAction, OffboardEntry,
    OffboardOutcome, Presence, ACCOUNTS_AT_ONCE, SUPER_ADMIN_ROLE_NAME,
};
pub use lockout::Lockout;
pub use members::Members;
pub use paginate::{ItemStream, Page, PageStream, MAX_PAGES};
pub use permission_groups::PermissionGroups;
pub use resolve::{Candidate, RefKind, Resolution, ResolveError, Resolver};
pub use resource_groups::ResourceGroups;
pub use roles::Roles;
pub use user_groups::{GroupMembers, UserGroups};
pub use zones::Zones;

pub use member_http::{
    ApiResponse, AttemptInfo, CancelToken, Credentials, Error, ErrorKind, HeaderName, HeaderValue,
    Method, RateLimitConfig, RateLimitStatus, RequestOptions, ResponseMeta,
};
// The models, identifiers, bodies and parameters a facade user handles. The
// envelope, the schema export and the JSON helpers stay in member-types
// ([`reexports::member_types`]).
pub use member_types::{
    check_email, Access, AccessFile, Account, AccountId, AccountSettings, AuditAccount,
    AuditAction, AuditActor, AuditLog, AuditRaw, AuditResource, AuditZone, CreateAccess,
    CreateMember, CreateResourceGroup, CreateUserGroup, Cursors, Deleted, Direction, FileProblem,
    GroupAccess, GroupMember, GroupMemberList, GroupMemberRef, GroupMembersBody, Identifier,
    InviteStatus, ListAccountsParams, ListGroupMembersParams, ListMembersParams, ListParams,
    ListPermissionGroupsParams, ListResourceGroupsParams, ListRolesParams, ListUserGroupsParams,
    ListZonesParams, ManagedBy, Member, MemberAccess, MemberId, MemberOrder, MemberStatus, Meta,
    Paging, PermissionGrant, PermissionGroup, PermissionGroupId, PermissionGroupRef, Permissions,
    Policy, PolicyEntry, PolicyId, PolicyRequest, ResourceGroup, ResourceGroupId, ResourceGroupRef,
    ResponseInfo, ResultInfo, Role, RoleId, RolePermissions, RoleRef, Scope, ScopeObject, Scopes,
    Source, UnknownValue, UpdateMember, UpdateResourceGroup, UpdateUserGroup, User, UserGroup,
    UserGroupId, UserId, ValidationError, Zone, ZoneAccount, ZoneId, ACCOUNT_SCOPE_PREFIX,
    EMAIL_MAX_LEN, PER_PAGE_DEFAULT, PER_PAGE_MAX, PER_PAGE_MIN, SCOPE_ALL, ZONE_SCOPE_PREFIX,
};

/// The underlying crates, for what this facade does not re-export.
pub mod reexports {
    pub use member_http;
    pub use member_types;
}

/// The workspace README's code blocks, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
pub struct ReadmeDoctests;
