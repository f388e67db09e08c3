//! Permission groups over HTTP: the catalogue's real shape, the exact
//! `id`, `name` and `label` filters, V4 paging and Permission Group Details.

mod common;

use common::*;
use member_mock::MockServer;
use reqwest::StatusCode;
use serde_json::Value;

fn list_path(query: &str) -> String {
    format!("/accounts/{ACCOUNT}/iam/permission_groups{query}")
}

fn ids(reply: &Reply) -> Vec<String> {
    reply.json()["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn the_first_page_has_twenty_groups_in_the_real_shape() {
    let server = MockServer::start().await;
    let reply = get(&server, &list_path("")).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let body = reply.json();
    let info = &body["result_info"];
    assert_eq!(info["page"], 1);
    assert_eq!(info["per_page"], 20);
    assert_eq!(info["count"], 20);
    assert_eq!(info["total_count"], PERMISSION_GROUPS.len());
    assert_eq!(info["total_pages"], 2);
    let first = &body["result"][0];
    assert_eq!(first["id"], ZONE_READ_GROUP);
    assert_eq!(first["name"], "Zone Read");
    assert_eq!(first["status"], "V");
    assert!(first["created_on"].is_string() && first["modified_on"].is_string());
    // `meta` is a flat map of strings, booleans included.
    let meta = first["meta"].as_object().unwrap();
    assert!(meta.values().all(Value::is_string), "{meta:?}");
    assert_eq!(meta["editable"], "false");
    assert_eq!(meta["label"], "zone_read");
    assert_eq!(meta["scopes"], ACCOUNT_SCOPE_TYPE);
    assert!(meta["description"].is_string());
    assert!(!meta.contains_key("key") && !meta.contains_key("value"));
}

#[tokio::test]
async fn paging_walks_the_whole_catalogue() {
    let server = MockServer::start().await;
    let mut seen = Vec::new();
    for page in 1..=5 {
        let reply = get(&server, &list_path(&format!("?per_page=5&page={page}"))).await;
        assert_eq!(reply.status, StatusCode::OK);
        assert_eq!(reply.json()["result_info"]["total_pages"], 5);
        seen.extend(ids(&reply));
    }
    let expected: Vec<&str> = PERMISSION_GROUPS.iter().map(|g| g.0).collect();
    assert_eq!(seen, expected);
    let past = get(&server, &list_path("?per_page=5&page=6")).await;
    assert!(ids(&past).is_empty());
    assert_eq!(past.json()["result_info"]["count"], 0);

    for bad in ["?per_page=4", "?per_page=51", "?page=0", "?per_page=7.5"] {
        let reply = get(&server, &list_path(bad)).await;
        assert_invalid(
            &reply,
            &[if bad.contains("per_page") {
                "per_page"
            } else {
                "page"
            }],
        );
    }
}

#[tokio::test]
async fn filters_are_exact() {
    let server = MockServer::start().await;
    let by_name = get(&server, &list_path("?name=DNS")).await;
    assert_eq!(ids(&by_name), [DNS_GROUP]);
    // Exact: no prefix, no case folding.
    assert!(ids(&get(&server, &list_path("?name=dns")).await).is_empty());
    assert!(ids(&get(&server, &list_path("?name=DN")).await).is_empty());

    let by_label = get(&server, &list_path("?label=domain_dns")).await;
    assert_eq!(ids(&by_label), [DOMAIN_DNS_GROUP]);
    let group = &by_label.json()["result"][0];
    assert_eq!(group["name"], "Domain DNS");
    assert_eq!(group["meta"]["scopes"], ZONE_SCOPE_TYPE);
    assert!(ids(&get(&server, &list_path("?label=domain")).await).is_empty());

    let by_id = get(&server, &list_path(&format!("?id={DNS_WRITE_GROUP}"))).await;
    assert_eq!(ids(&by_id), [DNS_WRITE_GROUP]);
    assert_eq!(by_id.json()["result_info"]["total_count"], 1);

    // Together they must all match.
    let both = get(&server, &list_path("?name=DNS&label=dns_write")).await;
    assert!(ids(&both).is_empty());
    let both = get(&server, &list_path("?name=DNS%20Write&label=dns_write")).await;
    assert_eq!(ids(&both), [DNS_WRITE_GROUP]);

    // Every label of the catalogue finds exactly its group.
    for (id, _, label, _) in PERMISSION_GROUPS {
        let reply = get(&server, &list_path(&format!("?label={label}"))).await;
        assert_eq!(ids(&reply), [id]);
    }

    let bad = get(&server, &list_path("?id=not-an-id")).await;
    assert_invalid(&bad, &["id", "32 hexadecimal"]);
}

#[tokio::test]
async fn details_and_unknown_groups() {
    let server = MockServer::start().await;
    let reply = get(
        &server,
        &format!("/accounts/{ACCOUNT}/iam/permission_groups/{DOMAIN_API_GATEWAY_GROUP}"),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    let group = reply.json()["result"].clone();
    assert_eq!(group["name"], "Domain API Gateway");
    assert_eq!(group["meta"]["label"], "domain_api_gateway");
    assert_eq!(group["meta"]["scopes"], ZONE_SCOPE_TYPE);

    let unknown = get(
        &server,
        &format!("/accounts/{ACCOUNT}/iam/permission_groups/ffffffffffffffffffffffffffffffff"),
    )
    .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(unknown.error_codes(), [1003]);
    assert_eq!(unknown.first_message(), "Permission group not found");
    assert_no_route(
        &get(
            &server,
            &format!("/accounts/{ACCOUNT}/iam/permission_groups/nope!"),
        )
        .await,
    );

    // The other account has no catalogue; an account not seeded is 403.
    let other = get(
        &server,
        &format!("/accounts/{OTHER_ACCOUNT}/iam/permission_groups"),
    )
    .await;
    assert_eq!(other.json()["result_info"]["total_count"], 0);
    let forbidden = get(
        &server,
        "/accounts/ffffffffffffffffffffffffffffffff/iam/permission_groups",
    )
    .await;
    assert_eq!(forbidden.status, StatusCode::FORBIDDEN);
    assert_eq!(forbidden.error_codes(), [9109]);

    let post = call(
        &server,
        reqwest::Method::POST,
        &list_path(""),
        Some(serde_json::json!({})),
    )
    .await;
    assert_eq!(post.status, StatusCode::METHOD_NOT_ALLOWED);
}
