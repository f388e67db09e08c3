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

/// User group "Platform admins" ([`PLATFORM_ADMINS_NAME`]): one policy,
/// [`PLATFORM_ADMINS_POLICY`], allowing [`SUPER_ADMIN_GROUP`],
/// [`BILLING_GROUP`] and [`ACCOUNT_SETTINGS_WRITE_GROUP`] on
/// [`ACCOUNT_RESOURCE_GROUP`] (the whole account: Super Administrator). Its only member is
/// [`CAROL`], whose own roles are Billing and read only.
pub const PLATFORM_ADMINS_GROUP: &str = "5f0c2a7e9b1d4c3e8a6f4b2d0e9c7a15";
/// [`PLATFORM_ADMINS_GROUP`]'s name.
pub const PLATFORM_ADMINS_NAME: &str = "Platform admins";
/// [`PLATFORM_ADMINS_GROUP`]'s policy.
pub const PLATFORM_ADMINS_POLICY: &str = "a7c3e1f5b9d24e6a8c0b2d4f6e8a0c13";
/// User group "SRE on-call" ([`SRE_ONCALL_NAME`]), as in the IAM notes'
/// example: [`DOMAIN_API_GATEWAY_GROUP`] on [`PRODUCTION_ZONES_GROUP`] and
/// [`DNS_GROUP`] on [`ACCOUNT_RESOURCE_GROUP`]. Members [`BOB`] and
/// [`DAVE`] (pending).
pub const SRE_ONCALL_GROUP: &str = "e295d32279e3eb066e07d2cd0b34f0a5";
/// [`SRE_ONCALL_GROUP`]'s name.
pub const SRE_ONCALL_NAME: &str = "SRE on-call";
/// User group "Auditors" ([`AUDITORS_NAME`]): [`ADMIN_READ_ONLY_GROUP`] on
/// [`ACCOUNT_RESOURCE_GROUP`], and no members (its member list is
/// `"result": null`).
pub const AUDITORS_GROUP: &str = "0c1d2e3f4a5b4c6d8e7f9a0b1c2d3e4f";
/// [`AUDITORS_GROUP`]'s name.
pub const AUDITORS_NAME: &str = "Auditors";
/// The default account's user groups, in seed order.
pub const USER_GROUPS: [(&str, &str); 3] = [
    (PLATFORM_ADMINS_GROUP, PLATFORM_ADMINS_NAME),
    (SRE_ONCALL_GROUP, SRE_ONCALL_NAME),
    (AUDITORS_GROUP, AUDITORS_NAME),
];

/// [`OTHER_ACCOUNT`]'s (Partner Corp's) membership of [`BOB_EMAIL`]:
/// accepted, [`SUPER_ADMIN_ROLE`], the account's only Super Administrator.
pub const PARTNER_BOB: &str = "5b0b1e2d3c4f4a5b8c7d6e5f4a3b2c1d";
/// Frank Castillo in [`OTHER_ACCOUNT`]: accepted, [`READ_ONLY_ROLE`].
pub const PARTNER_FRANK: &str = "6f7a8b9c0d1e4f2a8b3c4d5e6f7a8b9c";
/// [`PARTNER_FRANK`]'s email.
pub const PARTNER_FRANK_EMAIL: &str = "frank.partner@example.com";
/// Grace Hopper in [`OTHER_ACCOUNT`]: pending, [`DNS_ROLE`].
pub const PARTNER_GRACE: &str = "7a8b9c0d1e2f4a3b9c4d5e6f7a8b9c0d";
/// [`PARTNER_GRACE`]'s email.
pub const PARTNER_GRACE_EMAIL: &str = "grace.partner@example.com";

/// A third account, "Acme Labs" ([`THIRD_ACCOUNT_NAME`]): standard, roles
/// [`SUPER_ADMIN_ROLE`], [`READ_ONLY_ROLE`] and [`DNS_ROLE`], no zones.
pub const THIRD_ACCOUNT: &str = "3c4d5e6f7a8b49c0d1e2f3a4b5c6d7e8";
/// [`THIRD_ACCOUNT`]'s name.
pub const THIRD_ACCOUNT_NAME: &str = "Acme Labs";
/// Heidi Lamarr in [`THIRD_ACCOUNT`]: accepted, [`SUPER_ADMIN_ROLE`].
pub const ACME_HEIDI: &str = "8b9c0d1e2f3a4b5c0d1e2f3a4b5c6d7e";
/// [`ACME_HEIDI`]'s email.
pub const ACME_HEIDI_EMAIL: &str = "heidi.owner@example.com";
/// [`THIRD_ACCOUNT`]'s membership of [`BOB_EMAIL`]: a pending invitation,
/// [`DNS_ROLE`].
pub const ACME_BOB: &str = "9c0d1e2f3a4b4c5d1e2f3a4b5c6d7e8f";

/// An account the credential has no access to, "Locked Corp"
/// ([`LOCKED_ACCOUNT_NAME`]): every request on it is 403 code 9109, and
/// `GET /accounts` leaves it out. It has one member, [`LOCKED_IVAN`].
pub const LOCKED_ACCOUNT: &str = "4d5e6f7a8b9c4ad0e1f2a3b4c5d6e7f8";
/// [`LOCKED_ACCOUNT`]'s name.
pub const LOCKED_ACCOUNT_NAME: &str = "Locked Corp";
/// Ivan Petrov in [`LOCKED_ACCOUNT`], its Super Administrator.
pub const LOCKED_IVAN: &str = "0d1e2f3a4b5c4d6e2f3a4b5c6d7e8f90";

/// Every account `GET /accounts` lists with the default seed, by name:
/// `(id, name)`.
pub const LISTED_ACCOUNTS: [(&str, &str); 3] = [
    (THIRD_ACCOUNT, THIRD_ACCOUNT_NAME),
    (ACCOUNT, ACCOUNT_NAME),
    (OTHER_ACCOUNT, OTHER_ACCOUNT_NAME),
];

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

/// Permission group "Zone Read" (label `zone_read`, account-scoped; the
/// seeds' example policy's).
pub const ZONE_READ_GROUP: &str = "c8fed203ed3043cba015a93ad1616f1f";
/// Permission group "Magic Network Monitoring" (label `magic_network_monitoring`, account-scoped).
pub const MAGIC_NETWORK_MONITORING_GROUP: &str = "82e64a83756745bbbb1c9c2701bf816b";
/// Permission group "DNS Write" (label `dns_write`, account-scoped).
pub const DNS_WRITE_GROUP: &str = "4755a26eedb94da69e1066d98aa820be";
/// Permission group "Billing Read" (label `billing_read`, account-scoped).
pub const BILLING_READ_GROUP: &str = "5d78fd7895974fd0bdbbbb079482721b";
/// Permission group "Analytics Read" (label `analytics_read`, account-scoped).
pub const ANALYTICS_READ_GROUP: &str = "9c88f9c5bce24ce7af9a958ba9c504db";
/// Permission group "Account Settings Write" (label `account_settings_write`, account-scoped).
pub const ACCOUNT_SETTINGS_WRITE_GROUP: &str = "1af1fa2adc104452b74a9a3364202f20";
/// Permission group "Firewall" (label `waf_admin`, account-scoped).
pub const FIREWALL_GROUP: &str = "10515a9267294c2e8dd974332556a33b";
/// Permission group "DNS" (label `dns_admin`, account-scoped).
pub const DNS_GROUP: &str = "49ce85367bae433b9f0717ed4fea5c74";
/// Permission group "Cloudflare Zero Trust" (label `teams_admin`, account-scoped).
pub const ZERO_TRUST_GROUP: &str = "5ac2b0d9b54d4ff78e99342191cb7114";
/// Permission group "Domain API Gateway Read" (label `domain_api_gateway_read`, zone-scoped).
pub const DOMAIN_API_GATEWAY_READ_GROUP: &str = "4757eb7bd807416ba3164efaae1d516e";
/// Permission group "Domain API Gateway" (label `domain_api_gateway`, zone-scoped).
pub const DOMAIN_API_GATEWAY_GROUP: &str = "7276dc8e5e31412297b6075e614a67dd";
/// Permission group "Super Administrator - All Privileges" (label
/// `super_admin`, account-scoped).
pub const SUPER_ADMIN_GROUP: &str = "9d8c7b6a5f4e4d3c2b1a0f9e8d7c6b5a";
/// Permission group "Administrator" (label `admin`, account-scoped).
pub const ADMIN_GROUP: &str = "a1b2c3d4e5f64718293a4b5c6d7e8f90";
/// Permission group "Administrator Read Only" (label `admin_read_only`, account-scoped).
pub const ADMIN_READ_ONLY_GROUP: &str = "b2c3d4e5f6a74829304b5c6d7e8f9a01";
/// Permission group "Billing" (label `billing_admin`, account-scoped).
pub const BILLING_GROUP: &str = "c3d4e5f6a7b8493a415c6d7e8f9a0b12";
/// Permission group "Account Settings Read" (label `account_settings_read`, account-scoped).
pub const ACCOUNT_SETTINGS_READ_GROUP: &str = "d4e5f6a7b8c94a4b526d7e8f9a0b1c23";
/// Permission group "Domain Administrator" (label `domain_admin`, zone-scoped).
pub const DOMAIN_ADMIN_GROUP: &str = "e5f6a7b8c9d04b5c637e8f9a0b1c2d34";
/// Permission group "Domain Administrator Read Only" (label `domain_admin_read_only`, zone-scoped).
pub const DOMAIN_ADMIN_READ_ONLY_GROUP: &str = "f6a7b8c9d0e14c6d748f9a0b1c2d3e45";
/// Permission group "Domain DNS" (label `domain_dns`, zone-scoped).
pub const DOMAIN_DNS_GROUP: &str = "07b8c9d0e1f24d7e85a0b1c2d3e4f556";
/// Permission group "Domain Page Rules" (label `domain_page_rules`, zone-scoped).
pub const DOMAIN_PAGE_RULES_GROUP: &str = "18c9d0e1f2a34e8f96b1c2d3e4f5a667";
/// Permission group "Domain SSL and Certificates" (label `domain_ssl_certificates`, zone-scoped).
pub const DOMAIN_SSL_GROUP: &str = "29d0e1f2a3b44f90a7c2d3e4f5a6b778";
/// Permission group "Domain Cache Purge" (label `domain_cache_purge`, zone-scoped).
pub const DOMAIN_CACHE_PURGE_GROUP: &str = "3ae1f2a3b4c54a01b8d3e4f5a6b7c889";

/// `meta.scopes` of an account-scoped permission group.
pub const ACCOUNT_SCOPE_TYPE: &str = "com.cloudflare.api.account";
/// `meta.scopes` of a zone-scoped permission group ("Domain …").
pub const ZONE_SCOPE_TYPE: &str = "com.cloudflare.api.account.zone";

/// The default account's permission-group catalogue, in the seed's order:
/// `(id, name, label, meta.scopes)`. Every label is distinct.
pub const PERMISSION_GROUPS: [(&str, &str, &str, &str); 22] = [
    (
        ZONE_READ_GROUP,
        "Zone Read",
        "zone_read",
        ACCOUNT_SCOPE_TYPE,
    ),
    (
        MAGIC_NETWORK_MONITORING_GROUP,
        "Magic Network Monitoring",
        "magic_network_monitoring",
        ACCOUNT_SCOPE_TYPE,
    ),
    (
        DNS_WRITE_GROUP,
        "DNS Write",
        "dns_write",
        ACCOUNT_SCOPE_TYPE,
    ),
    (
        BILLING_READ_GROUP,
        "Billing Read",
        "billing_read",
        ACCOUNT_SCOPE_TYPE,
    ),
    (
        ANALYTICS_READ_GROUP,
        "Analytics Read",
        "analytics_read",
        ACCOUNT_SCOPE_TYPE,
    ),
    (
        ACCOUNT_SETTINGS_WRITE_GROUP,
        "Account Settings Write",
        "account_settings_write",
        ACCOUNT_SCOPE_TYPE,
    ),
    (FIREWALL_GROUP, "Firewall", "waf_admin", ACCOUNT_SCOPE_TYPE),
    (DNS_GROUP, "DNS", "dns_admin", ACCOUNT_SCOPE_TYPE),
    (
        ZERO_TRUST_GROUP,
        "Cloudflare Zero Trust",
        "teams_admin",
        ACCOUNT_SCOPE_TYPE,
    ),
    (
        DOMAIN_API_GATEWAY_READ_GROUP,
        "Domain API Gateway Read",
        "domain_api_gateway_read",
        ZONE_SCOPE_TYPE,
    ),
    (
        DOMAIN_API_GATEWAY_GROUP,
        "Domain API Gateway",
        "domain_api_gateway",
        ZONE_SCOPE_TYPE,
    ),
    (
        SUPER_ADMIN_GROUP,
        "Super Administrator - All Privileges",
        "super_admin",
        ACCOUNT_SCOPE_TYPE,
    ),
    (ADMIN_GROUP, "Administrator", "admin", ACCOUNT_SCOPE_TYPE),
    (
        ADMIN_READ_ONLY_GROUP,
        "Administrator Read Only",
        "admin_read_only",
        ACCOUNT_SCOPE_TYPE,
    ),
    (
        BILLING_GROUP,
        "Billing",
        "billing_admin",
        ACCOUNT_SCOPE_TYPE,
    ),
    (
        ACCOUNT_SETTINGS_READ_GROUP,
        "Account Settings Read",
        "account_settings_read",
        ACCOUNT_SCOPE_TYPE,
    ),
    (
        DOMAIN_ADMIN_GROUP,
        "Domain Administrator",
        "domain_admin",
        ZONE_SCOPE_TYPE,
    ),
    (
        DOMAIN_ADMIN_READ_ONLY_GROUP,
        "Domain Administrator Read Only",
        "domain_admin_read_only",
        ZONE_SCOPE_TYPE,
    ),
    (
        DOMAIN_DNS_GROUP,
        "Domain DNS",
        "domain_dns",
        ZONE_SCOPE_TYPE,
    ),
    (
        DOMAIN_PAGE_RULES_GROUP,
        "Domain Page Rules",
        "domain_page_rules",
        ZONE_SCOPE_TYPE,
    ),
    (
        DOMAIN_SSL_GROUP,
        "Domain SSL and Certificates",
        "domain_ssl_certificates",
        ZONE_SCOPE_TYPE,
    ),
    (
        DOMAIN_CACHE_PURGE_GROUP,
        "Domain Cache Purge",
        "domain_cache_purge",
        ZONE_SCOPE_TYPE,
    ),
];

/// The seeds' resource group (the example policy's).
pub const RESOURCE_GROUP: &str = "6d7f2f5f5b1d4a0e9081fdc98d432fd1";
/// The resource group covering the whole [`ACCOUNT`] (named after its
/// scope key, as the API names a role's group).
pub const ACCOUNT_RESOURCE_GROUP: &str = "7e8f9a0b1c2d4e3f8a9b0c1d2e3f4a5b";
/// Resource group [`PRODUCTION_ZONES_NAME`]: [`EXAMPLE_COM_ZONE`] and
/// [`EXAMPLE_NET_ZONE`] of [`ACCOUNT`].
pub const PRODUCTION_ZONES_GROUP: &str = "ae6bd058e64609c17fb65d2a6d2168af";
/// [`PRODUCTION_ZONES_GROUP`]'s name.
pub const PRODUCTION_ZONES_NAME: &str = "Production zones";

/// [`ACCOUNT`]'s name (what its zones show as `account.name`).
pub const ACCOUNT_NAME: &str = "Example Corp";
/// A second account the credential reaches, with no members or roles: only
/// [`OTHER_EXAMPLE_COM_ZONE`], so that a zone lookup by name that forgets
/// `account.id` finds two `example.com`.
pub const OTHER_ACCOUNT: &str = "9f1e2d3c4b5a49687f8e9d0c1b2a3f4e";
/// [`OTHER_ACCOUNT`]'s name.
pub const OTHER_ACCOUNT_NAME: &str = "Partner Corp";

/// The domain of [`EXAMPLE_COM_ZONE`] and [`OTHER_EXAMPLE_COM_ZONE`].
pub const EXAMPLE_COM: &str = "example.com";
/// Zone [`EXAMPLE_COM`] of [`ACCOUNT`], active.
pub const EXAMPLE_COM_ZONE: &str = "aad9930b9d65bfc3a47abe3e97198baf";
/// The domain of [`EXAMPLE_NET_ZONE`].
pub const EXAMPLE_NET: &str = "example.net";
/// Zone [`EXAMPLE_NET`] of [`ACCOUNT`], active.
pub const EXAMPLE_NET_ZONE: &str = "a2c83bca1c87b40f82f9c5ca0fe0f64f";
/// The domain of [`EXAMPLE_ORG_ZONE`].
pub const EXAMPLE_ORG: &str = "example.org";
/// Zone [`EXAMPLE_ORG`] of [`ACCOUNT`], pending.
pub const EXAMPLE_ORG_ZONE: &str = "31e3686c5940cdd1efdddb5cc0ef5cd0";
/// Zone [`EXAMPLE_COM`] of [`OTHER_ACCOUNT`], active: same name as
/// [`EXAMPLE_COM_ZONE`].
pub const OTHER_EXAMPLE_COM_ZONE: &str = "b2d4f6a8c0e24b6d8f0a2c4e6a8c0e2f";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Seed;

    fn account() -> crate::SeedAccount {
        let seed = Seed::default();
        assert_eq!(seed.accounts.len(), 4);
        seed.accounts.into_iter().next().unwrap()
    }

    fn other_account() -> crate::SeedAccount {
        Seed::default().accounts.into_iter().nth(1).unwrap()
    }

    #[test]
    fn the_account() {
        let account = account();
        assert_eq!(account.id.as_str(), ACCOUNT);
        assert_eq!(account.name.as_deref(), Some(ACCOUNT_NAME));
        assert!(!account.allow_direct_add);
    }

    #[test]
    fn the_other_accounts() {
        let seed = Seed::default();
        let other = other_account();
        assert_eq!(other.id.as_str(), OTHER_ACCOUNT);
        assert_eq!(other.name.as_deref(), Some(OTHER_ACCOUNT_NAME));
        assert!(other.permission_groups.is_empty() && other.resource_groups.is_empty());
        let zones: Vec<(&str, &str, Option<&str>)> = other
            .zones
            .iter()
            .map(|z| (z.id.as_str(), z.name.as_str(), z.status.as_deref()))
            .collect();
        assert_eq!(
            zones,
            [(OTHER_EXAMPLE_COM_ZONE, EXAMPLE_COM, Some("active"))]
        );
        let people = |a: &crate::SeedAccount| -> Vec<(String, String, String, String)> {
            a.members
                .iter()
                .map(|m| {
                    (
                        m.id.as_ref().unwrap().as_str().to_owned(),
                        m.email.clone().unwrap(),
                        m.roles[0].id.as_str().to_owned(),
                        m.status.as_ref().unwrap().as_str().to_owned(),
                    )
                })
                .collect()
        };
        let row = |id: &str, email: &str, role: &str, status: &str| {
            (
                id.to_owned(),
                email.to_owned(),
                role.to_owned(),
                status.to_owned(),
            )
        };
        assert_eq!(
            people(&other),
            [
                row(PARTNER_BOB, BOB_EMAIL, SUPER_ADMIN_ROLE, "accepted"),
                row(
                    PARTNER_FRANK,
                    PARTNER_FRANK_EMAIL,
                    READ_ONLY_ROLE,
                    "accepted"
                ),
                row(PARTNER_GRACE, PARTNER_GRACE_EMAIL, DNS_ROLE, "pending"),
            ]
        );
        let third = &seed.accounts[2];
        assert_eq!(third.id.as_str(), THIRD_ACCOUNT);
        assert_eq!(third.name.as_deref(), Some(THIRD_ACCOUNT_NAME));
        assert_eq!(
            people(third),
            [
                row(ACME_HEIDI, ACME_HEIDI_EMAIL, SUPER_ADMIN_ROLE, "accepted"),
                row(ACME_BOB, BOB_EMAIL, DNS_ROLE, "pending"),
            ]
        );
        let locked = &seed.accounts[3];
        assert_eq!(locked.id.as_str(), LOCKED_ACCOUNT);
        assert_eq!(locked.name.as_deref(), Some(LOCKED_ACCOUNT_NAME));
        assert!(locked.no_access);
        assert_eq!(locked.members[0].id.as_ref().unwrap().as_str(), LOCKED_IVAN);
        assert_eq!(seed.accounts.len(), 4);
        let mut listed: Vec<(&str, &str)> = seed
            .accounts
            .iter()
            .filter(|a| !a.no_access)
            .map(|a| (a.id.as_str(), a.name.as_deref().unwrap()))
            .collect();
        listed.sort_by_key(|a| a.1.to_lowercase());
        assert_eq!(listed, LISTED_ACCOUNTS);
    }

    #[test]
    fn the_user_groups() {
        let account = account();
        let groups: Vec<(&str, &str, Vec<&str>)> = account
            .user_groups
            .iter()
            .map(|g| {
                (
                    g.group.id.as_str(),
                    g.group.name.as_deref().unwrap(),
                    g.members.iter().map(|m| m.as_str()).collect(),
                )
            })
            .collect();
        assert_eq!(
            groups,
            [
                (PLATFORM_ADMINS_GROUP, PLATFORM_ADMINS_NAME, vec![CAROL]),
                (SRE_ONCALL_GROUP, SRE_ONCALL_NAME, vec![BOB, DAVE]),
                (AUDITORS_GROUP, AUDITORS_NAME, vec![]),
            ]
        );
        let ids: Vec<(&str, &str)> = groups.iter().map(|g| (g.0, g.1)).collect();
        assert_eq!(ids, USER_GROUPS);
        let admins = &account.user_groups[0].group.policies[0];
        assert_eq!(admins.id.as_ref().unwrap().as_str(), PLATFORM_ADMINS_POLICY);
        let granted: Vec<&str> = admins
            .permission_groups
            .iter()
            .map(|g| g.id.as_str())
            .collect();
        assert_eq!(
            granted,
            [
                SUPER_ADMIN_GROUP,
                BILLING_GROUP,
                ACCOUNT_SETTINGS_WRITE_GROUP
            ]
        );
        assert_eq!(
            admins.resource_groups[0].id.as_str(),
            ACCOUNT_RESOURCE_GROUP
        );
        assert_eq!(
            admins.permission_groups[0].name.as_deref(),
            Some("Super Administrator - All Privileges")
        );
    }

    #[test]
    fn the_zones() {
        let zones: Vec<(String, String, Option<String>)> = account()
            .zones
            .into_iter()
            .map(|z| (z.id.as_str().to_owned(), z.name, z.status))
            .collect();
        let row = |id: &str, name: &str, status: &str| {
            (id.to_owned(), name.to_owned(), Some(status.to_owned()))
        };
        assert_eq!(
            zones,
            [
                row(EXAMPLE_COM_ZONE, EXAMPLE_COM, "active"),
                row(EXAMPLE_NET_ZONE, EXAMPLE_NET, "active"),
                row(EXAMPLE_ORG_ZONE, EXAMPLE_ORG, "pending"),
            ]
        );
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
            .take(6)
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

        let resource_groups: Vec<(&str, Option<&str>)> = account
            .resource_groups
            .iter()
            .map(|g| (g.id.as_str(), g.name.as_deref()))
            .collect();
        assert_eq!(
            resource_groups,
            [
                (
                    RESOURCE_GROUP,
                    Some("com.cloudflare.api.account.eb78d65290b24279ba6f44721b3ea3c4")
                ),
                (
                    ACCOUNT_RESOURCE_GROUP,
                    Some("com.cloudflare.api.account.023e105f4ecef8ad9ca31a8372d0c353")
                ),
                (PRODUCTION_ZONES_GROUP, Some(PRODUCTION_ZONES_NAME)),
            ]
        );
        let production = &account.resource_groups[2].scope.as_slice()[0];
        assert_eq!(
            production.key,
            format!("com.cloudflare.api.account.{ACCOUNT}")
        );
        let objects: Vec<&str> = production.objects.iter().map(|o| o.key.as_str()).collect();
        assert_eq!(
            objects,
            [
                format!("com.cloudflare.api.account.zone.{EXAMPLE_COM_ZONE}"),
                format!("com.cloudflare.api.account.zone.{EXAMPLE_NET_ZONE}"),
            ]
        );
    }

    #[test]
    fn the_permission_group_catalogue() {
        let account = account();
        let catalogue: Vec<(&str, &str, &str, &str)> = account
            .permission_groups
            .iter()
            .map(|g| {
                assert_eq!(g.status.as_deref(), Some("V"), "{g:?}");
                assert_eq!(g.meta_str("editable"), Some("false"), "{g:?}");
                assert!(g.meta_str("description").is_some(), "{g:?}");
                assert!(g.created_on.is_some() && g.modified_on.is_some(), "{g:?}");
                (
                    g.id.as_str(),
                    g.name.as_deref().unwrap(),
                    g.label().unwrap(),
                    g.scope_type().unwrap(),
                )
            })
            .collect();
        assert_eq!(catalogue, PERMISSION_GROUPS);
        let mut labels: Vec<&str> = catalogue.iter().map(|g| g.2).collect();
        labels.sort_unstable();
        labels.dedup();
        assert_eq!(labels.len(), PERMISSION_GROUPS.len(), "labels are distinct");
        assert!(catalogue.iter().any(|g| g.3 == ZONE_SCOPE_TYPE));
    }

    #[test]
    fn the_seeds_policies_keep_the_seeds_group_copies() {
        // John's and Erin's policies hold the groups as the seeds' example
        // showed them ({key, value} meta), not the catalogue's map.
        let account = account();
        let john = &account.members[0].policies[0];
        let meta = john.permission_groups[0].meta.as_ref().unwrap();
        assert_eq!(meta.key.as_deref(), Some("key"));
        assert_eq!(meta.value.as_deref(), Some("value"));
        let erin = &account.members[5].policies[0];
        let meta = erin.permission_groups[0].meta.as_ref().unwrap();
        assert_eq!(meta.value.as_deref(), Some("dns_write"));
    }
}
