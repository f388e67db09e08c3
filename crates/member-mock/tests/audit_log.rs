//! The audit log: every membership write the mock serves is an entry of
//! the real shape, served with the API's window, filters and cursors.

mod common;

use common::*;
use member_mock::MockServer;
use reqwest::Method;
use serde_json::json;

const WINDOW: &str = "since=2020-01-01&before=2100-01-01";

fn audit_path(query: &str) -> String {
    format!("/accounts/{ACCOUNT}/logs/audit?{WINDOW}&{query}")
}

/// Three writes: Bob's roles, Dave removed, Bob out of SRE on-call.
async fn three_writes(server: &MockServer) {
    let put = call(
        server,
        Method::PUT,
        &member_path(BOB),
        Some(json!({"roles": [{"id": READ_ONLY_ROLE}]})),
    )
    .await;
    assert_eq!(put.status, 200, "{:?}", put.json());
    let delete = call(server, Method::DELETE, &member_path(DAVE), None).await;
    assert_eq!(delete.status, 200, "{:?}", delete.json());
    let out = call(
        server,
        Method::DELETE,
        &format!("/accounts/{ACCOUNT}/iam/user_groups/{SRE_ONCALL_GROUP}/members/{BOB}"),
        None,
    )
    .await;
    assert_eq!(out.status, 200, "{:?}", out.json());
    // A read and a refused write are not entries.
    get(server, &member_path(BOB)).await;
    let refused = call(
        server,
        Method::PUT,
        &member_path("ffffffffffffffffffffffffffffffff"),
        Some(json!({"roles": [{"id": READ_ONLY_ROLE}]})),
    )
    .await;
    assert_eq!(refused.status, 404, "{:?}", refused.json());
}

#[tokio::test]
async fn every_membership_write_is_an_entry_of_the_real_shape() {
    let server = MockServer::start().await;
    three_writes(&server).await;
    let log = server.audit_log();
    assert_eq!(log.len(), 3, "{log:#?}");
    let reply = get(&server, &audit_path("")).await;
    assert_eq!(reply.status, 200, "{:?}", reply.json());
    let body = reply.json();
    let entries = body["result"].as_array().unwrap();
    // Newest first.
    assert_eq!(
        entries[0]["action"]["description"],
        "Remove User Group Member"
    );
    assert_eq!(entries[2]["action"]["description"], "Update Member");
    let update = &entries[2];
    assert_eq!(update["action"]["type"], "update");
    assert_eq!(update["action"]["result"], "success");
    assert_eq!(update["actor"]["email"], JOHN_EMAIL);
    assert_eq!(update["actor"]["context"], "api_token");
    assert_eq!(update["raw"]["method"], "PUT");
    assert_eq!(update["raw"]["status_code"], 200);
    assert_eq!(
        update["raw"]["uri"],
        format!("/accounts/{ACCOUNT}/members/{BOB}")
    );
    assert_eq!(update["resource"]["id"], BOB);
    assert_eq!(update["resource"]["product"], "members");
    assert_eq!(update["account"]["name"], "Example Corp");
    assert_eq!(
        entries[0]["resource"]["request"]["user_group_id"],
        SRE_ONCALL_GROUP
    );
    assert_eq!(body["result_info"]["count"], 3);
}

#[tokio::test]
async fn filters_positive_and_negative_and_the_required_window() {
    let server = MockServer::start().await;
    three_writes(&server).await;
    let ids = |reply: &Reply| -> Vec<String> {
        reply.json()["result"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["resource"]["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let bob = get(&server, &audit_path(&format!("resource_id={BOB}"))).await;
    assert_eq!(ids(&bob), [BOB, BOB]);
    let not_bob = get(&server, &audit_path(&format!("resource_id.not={BOB}"))).await;
    assert_eq!(ids(&not_bob), [DAVE]);
    let both = get(
        &server,
        &audit_path(&format!(
            "resource_id={BOB}&resource_id={DAVE}&action_type=delete"
        )),
    )
    .await;
    assert_eq!(ids(&both), [BOB, DAVE]);
    let by = get(&server, &audit_path("actor_email=nobody@example.com")).await;
    assert!(ids(&by).is_empty());
    // The window is required, and unknown parameters are refused.
    let no_window = get(&server, &format!("/accounts/{ACCOUNT}/logs/audit")).await;
    assert_eq!(no_window.status, 400);
    assert!(no_window.first_message().contains("since and before"));
    let unknown = get(&server, &audit_path("actor_mail=x")).await;
    assert_eq!(unknown.status, 400);
    let past = get(
        &server,
        &format!("/accounts/{ACCOUNT}/logs/audit?since=2020-01-01&before=2020-02-01"),
    )
    .await;
    assert!(ids(&past).is_empty());
}

#[tokio::test]
async fn cursor_pages_give_every_entry_once_in_both_shapes() {
    let server = MockServer::start().await;
    three_writes(&server).await;
    for after in [false, true] {
        server.set_audit_cursors_after(after);
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        for _ in 0..10 {
            let query = match &cursor {
                Some(c) => format!("limit=2&cursor={c}"),
                None => "limit=2".to_owned(),
            };
            let body = get(&server, &audit_path(&query)).await.json();
            for e in body["result"].as_array().unwrap() {
                seen.push(e["id"].as_str().unwrap().to_owned());
            }
            let info = &body["result_info"];
            let next = if after {
                assert!(info.get("cursor").is_none());
                info["cursors"]["after"].as_str()
            } else {
                info["cursor"].as_str()
            };
            match next {
                Some(next) => cursor = Some(next.to_owned()),
                None => break,
            }
        }
        let mut unique = seen.clone();
        unique.dedup();
        assert_eq!(seen.len(), 3, "after={after}: {seen:?}");
        assert_eq!(unique.len(), 3);
    }
}
