//! What the integration tests share: member-mock's seed ids (re-exported
//! from `member_mock::default_seed`) and a client pointed at a mock.

#![allow(dead_code, reason = "each test file uses the part it needs")]

use member_client::{
    Access, Client, Credentials, MemberId, PermissionGroupId, PolicyRequest, ResourceGroupId,
    RoleId,
};
use member_mock::MockServer;

/// The seed's account, people, roles and groups, as member-mock names them.
pub use member_mock::default_seed::*;

/// A client for `mock`, with its token.
pub fn client(mock: &MockServer) -> Client {
    Client::builder()
        .base_url(&mock.base_url())
        .credentials(Credentials::token(mock.token()))
        .build()
        .unwrap()
}

pub fn id(s: &str) -> MemberId {
    MemberId::new(s).unwrap()
}

pub fn role(s: &str) -> RoleId {
    RoleId::new(s).unwrap()
}

/// Allow Zone Read on the seed's resource group.
pub fn policy() -> PolicyRequest {
    PolicyRequest::new(
        Access::Allow,
        [PermissionGroupId::new(ZONE_READ_GROUP).unwrap()],
        [ResourceGroupId::new(RESOURCE_GROUP).unwrap()],
    )
    .unwrap()
}
