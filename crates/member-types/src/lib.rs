//! Models of the Cloudflare account-members API: members, roles, policies,
//! request bodies, list parameters and the response envelope, with JSON
//! Schema derivation.
//!
//! This crate does no I/O and depends on no HTTP crate: use it alone to read
//! and write member payloads, or export its schemas for other languages (see
//! [`schema`]).
//!
//! It is built to survive the real API:
//! - unknown fields are accepted at any depth;
//! - unknown enum values are kept ([`MemberStatus::Unknown`]) and written back;
//! - both documented shapes of role permissions and resource-group scopes are
//!   accepted and written back as received;
//! - identifiers from the server are never refused, while identifiers a
//!   caller supplies are checked before they can reach a URL.
//!
//! ```
//! use member_types::{Envelope, Member, MemberStatus};
//!
//! let body = r#"{"success":true,"errors":[],"messages":[],
//!   "result":{"id":"4536bcfad5faccb111b47003c79917fa","status":"suspended","roles":[]}}"#;
//! let envelope: Envelope<Member> = serde_json::from_str(body)?;
//! let member = envelope.result.unwrap();
//! assert_eq!(member.status.as_ref().map(MemberStatus::as_str), Some("suspended"));
//! # Ok::<(), serde_json::Error>(())
//! ```

mod access_file;
mod account;
mod audit_log;
mod deleted;
mod enums;
mod envelope;
mod error;
mod ids;
pub mod json;
mod member;
mod params;
mod permission_group;
mod request;
mod resource_group;
mod role;
pub mod schema;
mod serde_util;
mod user_group;
mod zone;

pub use access_file::{AccessFile, FileProblem, GroupAccess, MemberAccess, PolicyEntry};
pub use account::{Account, AccountSettings, ListAccountsParams, ManagedBy};
pub use audit_log::{
    AuditAccount, AuditAction, AuditActor, AuditLog, AuditRaw, AuditResource, AuditZone,
};
pub use deleted::Deleted;
pub use enums::{Access, Direction, InviteStatus, MemberOrder, MemberStatus, UnknownValue};
pub use envelope::{Cursors, Envelope, ResponseInfo, ResultInfo, Source};
pub use error::ValidationError;
pub use ids::{
    AccountId, Identifier, MemberId, PermissionGroupId, PolicyId, ResourceGroupId, RoleId,
    UserGroupId, UserId, ZoneId,
};
pub use member::{Member, Meta, Policy, Scope, ScopeObject, Scopes, User};
pub use params::{
    ListMembersParams, ListParams, ListRolesParams, Paging, PER_PAGE_DEFAULT, PER_PAGE_MAX,
    PER_PAGE_MIN,
};
pub use permission_group::{ListPermissionGroupsParams, PermissionGroup};
pub use request::{
    check_email, CreateAccess, CreateMember, PermissionGroupRef, PolicyRequest, ResourceGroupRef,
    RoleRef, UpdateMember, EMAIL_MAX_LEN,
};
pub use resource_group::{
    CreateResourceGroup, ListResourceGroupsParams, ResourceGroup, UpdateResourceGroup,
    ACCOUNT_SCOPE_PREFIX, SCOPE_ALL, ZONE_SCOPE_PREFIX,
};
pub use role::{PermissionGrant, Permissions, Role, RolePermissions};
pub use user_group::{
    CreateUserGroup, GroupMember, GroupMemberList, GroupMemberRef, GroupMembersBody,
    ListGroupMembersParams, ListUserGroupsParams, UpdateUserGroup, UserGroup,
};
pub use zone::{ListZonesParams, Zone, ZoneAccount};
