//! Who is in the default seed ([`DEFAULT_SEED_JSON`](crate::seed::DEFAULT_SEED_JSON),
//! `seeds/default.json`): the account, its members with their emails, its
//! roles and its permission and resource groups, named once so that tests
//! (here and in other crates) never copy an id.
//!
//! ```
//! use member_mock::{default_seed, MockServer};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let server = MockServer::start().await;
//! assert_eq!(server.account_id().as_str(), default_seed::ACCOUNT);
//! let bob = server.member(server.account_id(), default_seed::BOB).unwrap();
//! assert_eq!(bob.email.as_deref(), Some(default_seed::BOB_EMAIL));
//! assert_eq!(bob.roles[0].id.as_str(), default_seed::DNS_ROLE);
//! # }
//! ```
//!
//! The values are the seed file's; a unit test holds every constant to it.

/// The default account (the seeds' example account): what
/// [`MockServer::account_id`](crate::MockServer::account_id) is unless a
/// seed replaces it. It does not allow direct adds.
pub const ACCOUNT: &str = "023e105f4ecef8ad9ca31a8372d0c353";

/// John Appleseed: accepted, [`ADMIN_ROLE`] plus [`JOHN_POLICY`], exactly
/// the seeds' example member.
pub const JOHN: &str = "4536bcfad5faccb111b47003c79917fa";
/// [`JOHN`]'s email, also the mock's default `X-Auth-Email`.
pub const JOHN_EMAIL: &str = "user@example.com";
/// [`JOHN`]'s policy: allow [`ZONE_READ_GROUP`] and
/// [`MAGIC_NETWORK_MONITORING_GROUP`] on [`RESOURCE_GROUP`].
pub const JOHN_POLICY: &str = "f267e341f3dd4697bd3b9f71dd96247f";

/// Alice Zimmermann: accepted, [`SUPER_ADMIN_ROLE`].
pub const ALICE: &str = "9a7806061c88ada191ed06f989cc3dac";
/// [`ALICE`]'s email.
pub const ALICE_EMAIL: &str = "alice.admin@example.com";

/// Bob Martin: accepted, [`DNS_ROLE`].
pub const BOB: &str = "b1c5d2e8f3a64b7c9d0e1f2a3b4c5d6e";
/// [`BOB`]'s email.
pub const BOB_EMAIL: &str = "bob.dns@example.com";

/// Carol Baker: accepted, [`BILLING_ROLE`] and [`READ_ONLY_ROLE`].
pub const CAROL: &str = "c2d6e3f9a4b75c8d0e1f2a3b4c5d6e7f";
/// [`CAROL`]'s email.
pub const CAROL_EMAIL: &str = "carol.billing@example.com";

/// Dave, invited and not yet accepted (pending), [`READ_ONLY_ROLE`]; no name.
pub const DAVE: &str = "d3e7f4a0b5c86d9e1f2a3b4c5d6e7f80";
/// [`DAVE`]'s email.
pub const DAVE_EMAIL: &str = "dave.invited@example.com";

/// Erin Young: accepted, [`ERIN_POLICY`] only (no role).
pub const ERIN: &str = "e4f8a5b1c6d97e0f2a3b4c5d6e7f8091";
/// [`ERIN`]'s email.
pub const ERIN_EMAIL: &str = "erin.policies@example.com";
/// [`ERIN`]'s policy: allow [`DNS_WRITE_GROUP`] and [`ANALYTICS_READ_GROUP`]
/// on [`ACCOUNT_RESOURCE_GROUP`].
pub const ERIN_POLICY: &str = "0b1c2d3e4f5a4b6c8d7e9f0a1b2c3d4e";

/// Role "Account Administrator" (its grants as in the seeds).
pub const ADMIN_ROLE: &str = "3536bcfad5faccb999b47003c79917fb";
/// Role "Super Administrator - All Privileges".
pub const SUPER_ADMIN_ROLE: &str = "33666b9c79b9a5273fc7344ff42f953d";
/// Role "Administrator Read Only" (the role generated members get).
pub const READ_ONLY_ROLE: &str = "05784afa30c1afe1440e79d9351c7430";
/// Role "Analytics".
pub const ANALYTICS_ROLE: &str = "298ce8a0e2ba4f1e9e5d4b1e6c9c9a01";
/// Role "Billing".
pub const BILLING_ROLE: &str = "3f7a2f9e6d1c4b6a8e0f5d2c1b9a8e71";
/// Role "Cache Purge".
pub const CACHE_PURGE_ROLE: &str = "a4c1e2d7b8f94e0c9d3b6a5f2e1c0d9b";
/// Role "DNS".
pub const DNS_ROLE: &str = "b7e5d3c1a9f84b2e8c6d4a2f0e9b7c5d";
/// Role "Firewall".
pub const FIREWALL_ROLE: &str = "c2f4e6a8b0d14c3e9f5a7b9d1e3f5a7c";
/// Role "Load Balancer".
pub const LOAD_BALANCER_ROLE: &str = "d9b1c3e5f7a94d6b8c0e2f4a6b8d0f2e";
/// Role "Log Share".
pub const LOG_SHARE_ROLE: &str = "e8a0b2c4d6f84e7a9b1c3d5e7f9a1b3d";
/// Role "SSL/TLS, Caching, Performance, Page Rules, and Customization".
pub const SSL_TLS_ROLE: &str = "f1d3e5a7c9b14f8e0a2c4e6a8c0e2a4b";
/// Role "Zone Read Only".
pub const ZONE_READ_ONLY_ROLE: &str = "0a2b4c6d8e0f4a1b3c5d7e9f1a3b5c7d";

/// Permission group "Zone Read" (the seeds' example policy's).
pub const ZONE_READ_GROUP: &str = "c8fed203ed3043cba015a93ad1616f1f";
/// Permission group "Magic Network Monitoring".
pub const MAGIC_NETWORK_MONITORING_GROUP: &str = "82e64a83756745bbbb1c9c2701bf816b";
/// Permission group "DNS Write".
pub const DNS_WRITE_GROUP: &str = "4755a26eedb94da69e1066d98aa820be";
/// Permission group "Billing Read".
pub const BILLING_READ_GROUP: &str = "5d78fd7895974fd0bdbbbb079482721b";
/// Permission group "Analytics Read".
pub const ANALYTICS_READ_GROUP: &str = "9c88f9c5bce24ce7af9a958ba9c504db";
/// Permission group "Account Settings Write".
pub const ACCOUNT_SETTINGS_WRITE_GROUP: &str = "1af1fa2adc104452b74a9a3364202f20";

/// The seeds' resource group (the example policy's).
pub const RESOURCE_GROUP: &str = "6d7f2f5f5b1d4a0e9081fdc98d432fd1";
/// The resource group covering the whole [`ACCOUNT`].
pub const ACCOUNT_RESOURCE_GROUP: &str = "7e8f9a0b1c2d4e3f8a9b0c1d2e3f4a5b";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Seed;

    fn account() -> crate::SeedAccount {
        let seed = Seed::default();
        assert_eq!(seed.accounts.len(), 1);
        seed.accounts.into_iter().next().unwrap()
    }

    #[test]
    fn the_account() {
        let account = account();
        assert_eq!(account.id.as_str(), ACCOUNT);
        assert!(!account.allow_direct_add);
    }

    #[test]
    fn the_members_with_their_roles_and_policies() {
        let account = account();

        type Row<'a> = (&'a str, &'a str, Vec<&'a str>, Vec<&'a str>);
        let members: Vec<Row<'_>> = account
            .members
            .iter()
            .map(|m| {
                (
                    m.id.as_ref().unwrap().as_str(),
                    m.email.as_deref().unwrap(),
                    m.roles.iter().map(|r| r.id.as_str()).collect(),
                    m.policies
                        .iter()
                        .map(|p| p.id.as_ref().unwrap().as_str())
                        .collect(),
                )
            })
            .collect();
        assert_eq!(
            members,
            [
                (JOHN, JOHN_EMAIL, vec![ADMIN_ROLE], vec![JOHN_POLICY]),
                (ALICE, ALICE_EMAIL, vec![SUPER_ADMIN_ROLE], vec![]),
                (BOB, BOB_EMAIL, vec![DNS_ROLE], vec![]),
                (
                    CAROL,
                    CAROL_EMAIL,
                    vec![BILLING_ROLE, READ_ONLY_ROLE],
                    vec![]
                ),
                (DAVE, DAVE_EMAIL, vec![READ_ONLY_ROLE], vec![]),
                (ERIN, ERIN_EMAIL, vec![], vec![ERIN_POLICY]),
            ]
        );
        let groups_of = |policy: &member_types::Policy| -> (Vec<String>, Vec<String>) {
            (
                policy
                    .permission_groups
                    .iter()
                    .map(|g| g.id.as_str().to_owned())
                    .collect(),
                policy
                    .resource_groups
                    .iter()
                    .map(|g| g.id.as_str().to_owned())
                    .collect(),
            )
        };
        assert_eq!(
            groups_of(&account.members[0].policies[0]),
            (
                vec![
                    ZONE_READ_GROUP.to_owned(),
                    MAGIC_NETWORK_MONITORING_GROUP.to_owned()
                ],
                vec![RESOURCE_GROUP.to_owned()]
            )
        );
        assert_eq!(
            groups_of(&account.members[5].policies[0]),
            (
                vec![DNS_WRITE_GROUP.to_owned(), ANALYTICS_READ_GROUP.to_owned()],
                vec![ACCOUNT_RESOURCE_GROUP.to_owned()]
            )
        );
    }

    #[test]
    fn the_roles() {
        let account = account();
        let roles: Vec<(&str, &str)> = account
            .roles
            .iter()
            .map(|r| (r.id.as_str(), r.name.as_str()))
            .collect();
        assert_eq!(
            roles,
            [
                (ADMIN_ROLE, "Account Administrator"),
                (SUPER_ADMIN_ROLE, "Super Administrator - All Privileges"),
                (READ_ONLY_ROLE, "Administrator Read Only"),
                (ANALYTICS_ROLE, "Analytics"),
                (BILLING_ROLE, "Billing"),
                (CACHE_PURGE_ROLE, "Cache Purge"),
                (DNS_ROLE, "DNS"),
                (FIREWALL_ROLE, "Firewall"),
                (LOAD_BALANCER_ROLE, "Load Balancer"),
                (LOG_SHARE_ROLE, "Log Share"),
                (
                    SSL_TLS_ROLE,
                    "SSL/TLS, Caching, Performance, Page Rules, and Customization"
                ),
                (ZONE_READ_ONLY_ROLE, "Zone Read Only"),
            ]
        );
    }

    #[test]
    fn the_groups() {
        let account = account();
        let groups: Vec<(&str, Option<&str>)> = account
            .permission_groups
            .iter()
            .map(|g| (g.id.as_str(), g.name.as_deref()))
            .collect();
        assert_eq!(
            groups,
            [
                (ZONE_READ_GROUP, Some("Zone Read")),
                (
                    MAGIC_NETWORK_MONITORING_GROUP,
                    Some("Magic Network Monitoring")
                ),
                (DNS_WRITE_GROUP, Some("DNS Write")),
                (BILLING_READ_GROUP, Some("Billing Read")),
                (ANALYTICS_READ_GROUP, Some("Analytics Read")),
                (ACCOUNT_SETTINGS_WRITE_GROUP, Some("Account Settings Write")),
            ]
        );

        let resource_groups: Vec<&str> = account
            .resource_groups
            .iter()
            .map(|g| g.id.as_str())
            .collect();
        assert_eq!(resource_groups, [RESOURCE_GROUP, ACCOUNT_RESOURCE_GROUP]);
    }
}
