//! What the integration tests share: member-mock's seed ids and a client
//! pointed at a mock.

#![allow(dead_code, reason = "each test file uses the part it needs")]

use member_client::{
    Access, Client, Credentials, MemberId, PermissionGroupId, PolicyRequest, ResourceGroupId,
    RoleId,
};
use member_mock::MockServer;

/// Roles of member-mock's default seed account.
pub const ADMIN_ROLE: &str = "3536bcfad5faccb999b47003c79917fb";
pub const SUPER_ADMIN_ROLE: &str = "33666b9c79b9a5273fc7344ff42f953d";
pub const READ_ONLY_ROLE: &str = "05784afa30c1afe1440e79d9351c7430";
pub const BILLING_ROLE: &str = "3f7a2f9e6d1c4b6a8e0f5d2c1b9a8e71";
pub const DNS_ROLE: &str = "b7e5d3c1a9f84b2e8c6d4a2f0e9b7c5d";

/// Members of member-mock's default seed account.
pub const JOHN: &str = "4536bcfad5faccb111b47003c79917fa";
pub const BOB: &str = "b1c5d2e8f3a64b7c9d0e1f2a3b4c5d6e";
pub const CAROL: &str = "c2d6e3f9a4b75c8d0e1f2a3b4c5d6e7f";
pub const DAVE: &str = "d3e7f4a0b5c86d9e1f2a3b4c5d6e7f80";
pub const ERIN: &str = "e4f8a5b1c6d97e0f2a3b4c5d6e7f8091";

/// A permission group and a resource group usable in policies.
pub const ZONE_READ_GROUP: &str = "c8fed203ed3043cba015a93ad1616f1f";
pub const RESOURCE_GROUP: &str = "6d7f2f5f5b1d4a0e9081fdc98d432fd1";

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
