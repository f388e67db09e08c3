//! 10,000 members served in pages of 50, and the Rust state helpers.

mod common;

use std::collections::HashSet;

use common::*;
use member_mock::{MockServer, Seed, SeedAccount};
use member_types::{AccountId, Member, MemberStatus};
use reqwest::StatusCode;

/// Every page is serialized on its own: each response stays the size of one
/// page whatever the account holds, and paging visits every member once.
#[tokio::test]
async fn ten_thousand_members_in_pages_of_fifty() {
    let server = MockServer::start().await;
    let added = server.add_members(9_994);
    assert_eq!(added.len(), 9_994);
    assert_eq!(server.member_count(server.account_id()), 10_000);

    let http = client();
    let mut seen = HashSet::new();
    let mut largest = 0;
    for page in 1..=200 {
        let response = http
            .get(format!(
                "{}{}?per_page=50&page={page}",
                server.base_url(),
                members_path()
            ))
            .bearer_auth(server.token())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let bytes = response.bytes().await.unwrap();
        largest = largest.max(bytes.len());
        let body: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        let info = &body["result_info"];
        assert_eq!(info["count"], 50);
        assert_eq!(info["total_count"], 10_000);
        assert_eq!(info["total_pages"], 200);
        for member in body["result"].as_array().unwrap() {
            assert!(seen.insert(member["id"].as_str().unwrap().to_owned()));
        }
    }
    assert_eq!(seen.len(), 10_000);
    // One page of generated members is ~25 KB; the whole account would be
    // ~5 MB.
    assert!(largest < 64 * 1024, "a page was {largest} bytes");

    let past = get(&server, &format!("{}?per_page=50&page=201", members_path()))
        .await
        .json();
    assert_eq!(past["result_info"]["count"], 0);

    // Filters and ordering work at this size too.
    let pending = get(
        &server,
        &format!("{}?status=pending&per_page=50", members_path()),
    )
    .await
    .json();
    assert_eq!(pending["result_info"]["total_count"], 3_332);
    let last = get(
        &server,
        &format!(
            "{}?order=user.email&direction=desc&per_page=5",
            members_path()
        ),
    )
    .await
    .json();
    assert_eq!(last["result"][0]["email"], "user@example.com");
}

#[tokio::test]
async fn rust_state_helpers() {
    let server = MockServer::start().await;
    let account = server.account_id().clone();
    assert_eq!(server.roles(&account).len(), 12);
    assert_eq!(
        server.permission_groups(&account).len(),
        PERMISSION_GROUPS.len()
    );
    assert_eq!(server.resource_groups(&account).len(), 3);

    let mut member = Member::default();
    member.email = Some("helper@example.com".to_owned());
    member.status = Some(MemberStatus::Accepted);
    let stored = server.insert_member(&account, member);
    let id = stored.id.clone().unwrap();
    let reply = get(&server, &member_path(id.as_str())).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.json()["result"]["email"], "helper@example.com");
    assert_eq!(server.members(&account).len(), 7);

    // A second account, and a custom seed.
    let other: AccountId = "ffffffffffffffffffffffffffffffff".parse().unwrap();
    server.add_account(SeedAccount::new(other.clone()));
    let reply = get(
        &server,
        "/accounts/ffffffffffffffffffffffffffffffff/members",
    )
    .await;
    assert_eq!(reply.json()["result_info"]["total_count"], 0);

    let seeded = MockServer::builder()
        .seed(Seed::empty(other.clone()))
        .start()
        .await
        .unwrap();
    assert_eq!(seeded.account_id(), &other);
    assert!(seeded.members(&other).is_empty());
    seeded.shutdown().await;
}

#[test]
fn seed_errors_name_the_place() {
    let err = Seed::from_json(r#"{"accounts": [{"id": "short"}]}"#)
        .unwrap_err()
        .to_string();
    assert!(err.contains("/accounts/0/id"), "{err}");
    let err = Seed::from_json(
        r#"{"accounts": [{"id": "0123456789abcdef0123456789abcdef", "members": [{"email": "a@b.c", "roles": ["nope"]}]}]}"#,
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("/accounts/0/members/0/roles/0"), "{err}");
    assert!(err.contains("unknown role"), "{err}");
    assert!(Seed::from_json(r#"{"accounts": []}"#).is_err());
    let default = Seed::default();
    assert_eq!(default.accounts[0].members.len(), 6);
}
