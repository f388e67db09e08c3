//! The resolver against member-mock: names to ids, nothing guessed, each
//! kind read once (the mock's request log counts the reads).

mod common;

use common::*;
use member_client::{RefKind, ResolveError, ResourceGroupRef, Scope, ZoneId};
use member_mock::MockServer;

/// The GET requests to `path_suffix` in the mock's log.
fn reads(mock: &MockServer, path_suffix: &str) -> usize {
    mock.requests()
        .iter()
        .filter(|r| r.method == "GET" && r.path.ends_with(path_suffix))
        .count()
}

#[tokio::test]
async fn members_by_email_and_roles_by_name_with_one_read_each() {
    let mock = MockServer::start().await;
    let resolver = client(&mock).resolver(mock.account_id());
    mock.clear_requests();

    let bob = resolver.member_id("Bob.DNS@Example.com").await.unwrap();
    assert_eq!(bob.as_str(), BOB);
    let alice = resolver
        .member_id(" alice.admin@example.com ")
        .await
        .unwrap();
    assert_eq!(alice.as_str(), ALICE);
    let read_only = resolver.role_id("administrator read only").await.unwrap();
    assert_eq!(read_only.as_str(), READ_ONLY_ROLE);
    let admin = resolver.role_id(ADMIN_ROLE).await.unwrap();
    assert_eq!(admin.as_str(), ADMIN_ROLE);

    assert_eq!(reads(&mock, "/members"), 1, "{:#?}", mock.requests());
    assert_eq!(reads(&mock, "/roles"), 1, "{:#?}", mock.requests());
    assert_eq!(mock.requests().len(), 2);

    // An id is taken as given for a member: no read at all.
    mock.clear_requests();
    let fresh = client(&mock).resolver(mock.account_id());
    assert_eq!(fresh.member_id(BOB).await.unwrap().as_str(), BOB);
    assert!(mock.requests().is_empty());

    // What each name resolved to, for --dry-run.
    let log = resolver.resolutions();
    assert_eq!(log[0].kind, RefKind::Member);
    assert_eq!(log[0].id, BOB);
    assert_eq!(log[0].name.as_deref(), Some(BOB_EMAIL));
    assert!(log
        .iter()
        .any(|r| r.kind == RefKind::Role && r.id == READ_ONLY_ROLE));
}

#[tokio::test]
async fn permission_groups_by_name_label_or_id() {
    let mock = MockServer::start().await;
    let resolver = client(&mock).resolver(mock.account_id());
    mock.clear_requests();

    let by_name = resolver.permission_group_id("dns write").await.unwrap();
    let by_label = resolver.permission_group_id("dns_write").await.unwrap();
    let by_id = resolver.permission_group_id(DNS_WRITE_GROUP).await.unwrap();
    assert_eq!(by_name.as_str(), DNS_WRITE_GROUP);
    assert_eq!(by_label, by_name);
    assert_eq!(by_id, by_name);
    // The catalog (22 groups) is one paged read of 50.
    assert_eq!(reads(&mock, "/iam/permission_groups"), 1);
}

#[tokio::test]
async fn a_misspelt_name_is_not_found_with_suggestions() {
    let mock = MockServer::start().await;
    let resolver = client(&mock).resolver(mock.account_id());

    let err = resolver
        .role_id("Adminstrator Read Only")
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err}");
    let ResolveError::NotFound {
        kind, suggestions, ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(*kind, RefKind::Role);
    assert_eq!(
        suggestions.first().map(String::as_str),
        Some("Administrator Read Only")
    );
    let text = err.to_string();
    assert!(
        text.contains("no role \"Adminstrator Read Only\""),
        "{text}"
    );
    assert!(text.contains("did you mean"), "{text}");
    assert!(text.contains(ACCOUNT), "{text}");

    let err = resolver.permission_group_id("DNS Wirte").await.unwrap_err();
    assert!(err.is_not_found());
    assert!(err.to_string().contains("\"DNS Write\""), "{err}");
}

#[tokio::test]
async fn an_email_two_members_share_is_ambiguous_and_lists_both() {
    let mock = MockServer::start().await;
    let twin = mock.insert_member(
        mock.account_id(),
        serde_json::from_value(serde_json::json!({
            "id": "0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f",
            "email": "BOB.DNS@example.com",
            "status": "pending"
        }))
        .unwrap(),
    );
    let resolver = client(&mock).resolver(mock.account_id());

    let err = resolver.member_id(BOB_EMAIL).await.unwrap_err();
    assert!(err.is_ambiguous(), "{err}");
    let ResolveError::Ambiguous { candidates, .. } = &err else {
        panic!("{err:?}")
    };
    let ids: Vec<&str> = candidates.iter().map(|c| c.id.as_str()).collect();
    assert!(ids.contains(&BOB), "{ids:?}");
    assert!(ids.contains(&twin.id.as_ref().unwrap().as_str()), "{ids:?}");
    assert!(err.to_string().contains("give the id"), "{err}");
    // Being exact works.
    assert_eq!(resolver.member_id(BOB).await.unwrap().as_str(), BOB);
}

#[tokio::test]
async fn a_malformed_reference_costs_no_request() {
    let mock = MockServer::start().await;
    let resolver = client(&mock).resolver(mock.account_id());
    mock.clear_requests();

    let err = resolver.member_id("bob at example").await.unwrap_err();
    assert!(err.is_invalid(), "{err}");
    let err = resolver.role_id("id:not/an/id").await.unwrap_err();
    assert!(err.is_invalid(), "{err}");
    let err = resolver.scope("zone:").await.unwrap_err();
    assert!(err.is_invalid(), "{err}");
    let err = resolver.scope("everything").await.unwrap_err();
    assert!(err.is_invalid(), "{err}");
    assert!(err.to_string().contains("zone:<domain>"), "{err}");
    assert!(mock.requests().is_empty(), "{:#?}", mock.requests());
}

#[tokio::test]
async fn scopes_by_zone_account_and_group_name() {
    let mock = MockServer::start().await;
    let resolver = client(&mock).resolver(mock.account_id());
    mock.clear_requests();

    // A zone no group covers exactly: an inline scope of that zone.
    let zone = resolver.scope("zone:Example.com").await.unwrap();
    let expected = Scope::zone(&ZoneId::new(EXAMPLE_COM_ZONE).unwrap()).unwrap();
    assert_eq!(zone, ResourceGroupRef::scope(expected).unwrap());
    // The zone lookup names the account: the other account's example.com
    // does not make it ambiguous.
    let zone_reads: Vec<_> = mock
        .requests()
        .into_iter()
        .filter(|r| r.path.ends_with("/zones"))
        .collect();
    assert_eq!(zone_reads.len(), 1);
    assert!(
        zone_reads[0]
            .query
            .as_deref()
            .unwrap_or_default()
            .contains(&format!("account.id={ACCOUNT}")),
        "{:?}",
        zone_reads[0].query
    );

    // The whole account: the existing account-wide group, not a new one.
    let account = resolver.scope("account").await.unwrap();
    assert_eq!(
        account.group_id().map(|id| id.as_str()),
        Some(ACCOUNT_RESOURCE_GROUP)
    );
    // A group by name, and by id.
    let named = resolver
        .scope(&format!("group:{PRODUCTION_ZONES_NAME}"))
        .await
        .unwrap();
    assert_eq!(
        named.group_id().map(|id| id.as_str()),
        Some(PRODUCTION_ZONES_GROUP)
    );
    let by_id = resolver.scope(PRODUCTION_ZONES_GROUP).await.unwrap();
    assert_eq!(by_id, named);
    // One resource-group read for all of it.
    assert_eq!(reads(&mock, "/iam/resource_groups"), 1);

    let err = resolver.scope("zone:nowhere.example").await.unwrap_err();
    assert!(err.is_not_found(), "{err}");
    assert_eq!(err.kind(), Some(RefKind::Zone));
}

#[tokio::test]
async fn concurrent_resolutions_share_one_read() {
    let mock = MockServer::start().await;
    let resolver = client(&mock).resolver(mock.account_id());
    mock.clear_requests();

    let other = resolver.clone();
    let (a, b, c) = tokio::join!(
        resolver.role_id("DNS"),
        resolver.role_id("Billing"),
        other.role_id("Firewall"),
    );
    assert_eq!(a.unwrap().as_str(), DNS_ROLE);
    assert_eq!(b.unwrap().as_str(), BILLING_ROLE);
    assert_eq!(c.unwrap().as_str(), FIREWALL_ROLE);
    assert_eq!(reads(&mock, "/roles"), 1, "{:#?}", mock.requests());
}

#[tokio::test]
async fn user_groups_by_name_or_id_with_one_read() {
    let mock = MockServer::start().await;
    let resolver = client(&mock).resolver(mock.account_id());
    mock.clear_requests();

    let by_name = resolver.user_group_id("platform ADMINS").await.unwrap();
    assert_eq!(by_name.as_str(), PLATFORM_ADMINS_GROUP);
    let by_id = resolver.user_group(SRE_ONCALL_GROUP).await.unwrap();
    assert_eq!(by_id.name.as_deref(), Some(SRE_ONCALL_NAME));
    assert_eq!(
        reads(&mock, "/iam/user_groups"),
        1,
        "{:#?}",
        mock.requests()
    );

    let missing = resolver.user_group("Platform admin").await.unwrap_err();
    assert_eq!(missing.kind(), Some(RefKind::UserGroup));
    assert!(
        missing
            .to_string()
            .contains("did you mean \"Platform admins\""),
        "{missing}"
    );
    // An id of no group is not found either (checked against the list).
    let unknown = resolver
        .user_group_id("ffffffffffffffffffffffffffffffff")
        .await
        .unwrap_err();
    assert!(unknown.is_not_found());
    assert_eq!(reads(&mock, "/iam/user_groups"), 1);

    // A malformed id costs no request.
    mock.clear_requests();
    let fresh = client(&mock).resolver(mock.account_id());
    assert!(fresh.user_group("id:../x").await.unwrap_err().is_invalid());
    assert!(mock.requests().is_empty());

    assert!(resolver
        .resolutions()
        .iter()
        .any(|r| r.kind == RefKind::UserGroup && r.id == PLATFORM_ADMINS_GROUP));
}
