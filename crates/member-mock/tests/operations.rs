//! The seven operations over real HTTP, with the seeds' envelope.

mod common;

use common::*;
use member_mock::MockServer;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

fn ids(result: &Value) -> Vec<String> {
    result
        .as_array()
        .expect("result is an array")
        .iter()
        .map(|m| m["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn list_members_has_the_seed_envelope_and_paging() {
    let server = MockServer::start().await;
    let reply = get(&server, &members_path()).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.header("content-type"), Some("application/json"));
    let body = reply.json();
    assert_eq!(body["success"], true);
    assert_eq!(body["errors"], json!([]));
    assert_eq!(body["messages"], json!([]));
    assert_eq!(
        body["result_info"],
        json!({"page": 1, "per_page": 20, "count": 6, "total_count": 6, "total_pages": 1})
    );
    assert_eq!(body["result"][0]["id"], JOHN);

    let page2 = get(&server, &format!("{}?per_page=5&page=2", members_path()))
        .await
        .json();
    assert_eq!(
        page2["result_info"],
        json!({"page": 2, "per_page": 5, "count": 1, "total_count": 6, "total_pages": 2})
    );
    assert_eq!(page2["result"].as_array().unwrap().len(), 1);

    let past = get(&server, &format!("{}?per_page=5&page=9", members_path()))
        .await
        .json();
    assert_eq!(past["result"], json!([]));
    assert_eq!(past["result_info"]["count"], 0);
}

#[tokio::test]
async fn list_members_filters_and_orders() {
    let server = MockServer::start().await;
    let pending = get(&server, &format!("{}?status=pending", members_path()))
        .await
        .json();
    let statuses: Vec<&str> = pending["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, vec!["pending"]);
    assert_eq!(pending["result_info"]["total_count"], 1);

    let emails = |v: &Value| -> Vec<String> {
        v["result"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["email"].as_str().unwrap().to_owned())
            .collect()
    };
    let asc = emails(
        &get(
            &server,
            &format!("{}?order=user.email&direction=asc", members_path()),
        )
        .await
        .json(),
    );
    let mut sorted = asc.clone();
    sorted.sort();
    assert_eq!(asc, sorted);
    assert_eq!(asc.len(), 6);
    let desc = emails(
        &get(
            &server,
            &format!("{}?order=user.email&direction=desc", members_path()),
        )
        .await
        .json(),
    );
    let mut reversed = asc.clone();
    reversed.reverse();
    assert_eq!(desc, reversed);

    let by_first = get(
        &server,
        &format!("{}?order=user.first_name", members_path()),
    )
    .await
    .json();
    // Dave has no first name: empty sorts first.
    assert_eq!(by_first["result"][1]["user"]["first_name"], "Alice");
    let by_status = get(
        &server,
        &format!("{}?order=status&direction=desc", members_path()),
    )
    .await
    .json();
    assert_eq!(by_status["result"][0]["status"], "pending");
}

#[tokio::test]
async fn list_parameters_out_of_range_are_named() {
    let server = MockServer::start().await;
    for (query, field) in [
        ("per_page=4", "per_page"),
        ("per_page=51", "per_page"),
        ("per_page=abc", "per_page"),
        ("per_page=5.5", "per_page"),
        ("page=0", "page"),
        ("status=suspended", "status"),
        ("order=user.age", "order"),
        ("direction=up", "direction"),
    ] {
        let reply = get(&server, &format!("{}?{query}", members_path())).await;
        assert_invalid(&reply, &[field]);
        assert_eq!(
            reply.json()["errors"][0]["source"]["pointer"],
            format!("/{field}"),
            "{query}"
        );
    }
    for ok in ["per_page=5", "per_page=50", "per_page=20.0", "page=3"] {
        let reply = get(&server, &format!("{}?{ok}", members_path())).await;
        assert_eq!(reply.status, StatusCode::OK, "{ok}: {}", reply.text);
    }
    let roles = get(&server, &format!("/accounts/{ACCOUNT}/roles?per_page=51")).await;
    assert_invalid(&roles, &["per_page"]);
}

#[tokio::test]
async fn member_details_match_the_seeds() {
    let server = MockServer::start().await;
    let reply = get(&server, &member_path(JOHN)).await;
    assert_eq!(reply.status, StatusCode::OK);
    let expected: Value = serde_json::from_str(SEED_RESPONSE).unwrap();
    assert_eq!(reply.json()["result"], expected["result"]);
}

#[tokio::test]
async fn the_seeds_curl_example_works_with_the_default_key() {
    let server = MockServer::start().await;
    // curl .../accounts/$ACCOUNT_ID/members/$MEMBER_ID -X PUT
    //   -H 'Content-Type: application/json' -H "X-Auth-Email: …" -H "X-Auth-Key: …" -d '{}'
    let reply = send(
        client()
            .put(format!("{}{}", server.base_url(), member_path(JOHN)))
            .header("Content-Type", "application/json")
            .header("X-Auth-Email", "user@example.com")
            .header("X-Auth-Key", "144c9defac04969c7bfad8efaa8ea194")
            .body("{}"),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let expected: Value = serde_json::from_str(SEED_RESPONSE).unwrap();
    let body = reply.json();
    assert_eq!(body["result"], expected["result"]);
    assert_eq!(body["success"], true);
}

#[tokio::test]
async fn add_member_then_read_it_back() {
    let server = MockServer::start().await;
    let reply = call(
        &server,
        Method::POST,
        &members_path(),
        Some(json!({"email": "new@example.com", "roles": [DNS_ROLE, READ_ONLY_ROLE]})),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let result = reply.json()["result"].clone();
    let id = result["id"].as_str().unwrap().to_owned();
    assert_eq!(id.len(), 32);
    assert_eq!(result["email"], "new@example.com");
    assert_eq!(result["status"], "pending");
    assert_eq!(result["user"]["email"], "new@example.com");
    assert!(
        result.get("roles").is_none(),
        "the add response omits roles"
    );

    let back = get(&server, &member_path(&id)).await.json()["result"].clone();
    let role_ids: Vec<&str> = back["roles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(role_ids, vec![DNS_ROLE, READ_ONLY_ROLE]);
    assert_eq!(back["roles"][0]["name"], "DNS");
    let list = get(&server, &members_path()).await.json();
    assert_eq!(list["result_info"]["total_count"], 7);
    assert_eq!(server.member_count(server.account_id()), 7);
}

#[tokio::test]
async fn add_member_with_policies() {
    let server = MockServer::start().await;
    let reply = call(
        &server,
        Method::POST,
        &members_path(),
        Some(json!({"email": "p@example.com", "policies": [{
            "access": "deny",
            "permission_groups": [{"id": DNS_WRITE_GROUP}],
            "resource_groups": [{"id": RESOURCE_GROUP}]
        }]})),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let policy = reply.json()["result"]["policies"][0].clone();
    assert_eq!(policy["access"], "deny");
    assert_eq!(policy["permission_groups"][0]["name"], "DNS Write");
    assert_eq!(policy["resource_groups"][0]["id"], RESOURCE_GROUP);
    assert_eq!(policy["id"].as_str().unwrap().len(), 32);
}

#[tokio::test]
async fn update_member_roles_and_policies() {
    let server = MockServer::start().await;
    let reply = call(
        &server,
        Method::PUT,
        &member_path(JOHN),
        Some(json!({"roles": [{"id": DNS_ROLE}, {"id": DNS_ROLE}]})),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let result = reply.json()["result"].clone();
    assert_eq!(
        result["roles"].as_array().unwrap().len(),
        1,
        "duplicates dropped"
    );
    assert_eq!(result["roles"][0]["id"], DNS_ROLE);
    assert!(result.get("policies").is_none());
    let stored = server.member(server.account_id(), JOHN).unwrap();
    assert_eq!(stored.roles[0].id.as_str(), DNS_ROLE);

    let reply = call(
        &server,
        Method::PUT,
        &member_path(JOHN),
        Some(json!({"policies": [{
            "access": "allow",
            "permission_groups": [{"id": ZONE_READ_GROUP}],
            "resource_groups": [{"id": RESOURCE_GROUP}]
        }]})),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let result = reply.json()["result"].clone();
    assert_eq!(
        result["policies"][0]["permission_groups"][0]["name"],
        "Zone Read"
    );
    assert!(result.get("roles").is_none());
    let back = get(&server, &member_path(JOHN)).await.json();
    assert_eq!(back["result"]["policies"], result["policies"]);
}

#[tokio::test]
async fn remove_member_returns_its_id() {
    let server = MockServer::start().await;
    let path = member_path(JOHN);
    let reply = call(&server, Method::DELETE, &path, None).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(
        reply.json(),
        json!({"success": true, "errors": [], "messages": [], "result": {"id": JOHN}})
    );
    assert_eq!(get(&server, &path).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        call(&server, Method::DELETE, &path, None).await.status,
        StatusCode::NOT_FOUND
    );
    assert!(server.member(server.account_id(), JOHN).is_none());
}

#[tokio::test]
async fn remove_member_ignores_a_body() {
    let server = MockServer::start().await;
    let reply = call(&server, Method::DELETE, &member_path(JOHN), Some(json!({}))).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
}

#[tokio::test]
async fn roles_are_listed_in_pages() {
    let server = MockServer::start().await;
    let all = get(&server, &format!("/accounts/{ACCOUNT}/roles"))
        .await
        .json();
    assert_eq!(
        all["result_info"],
        json!({"page": 1, "per_page": 20, "count": 12, "total_count": 12, "total_pages": 1})
    );
    for role in all["result"].as_array().unwrap() {
        let grants = role["permissions"].as_object().unwrap();
        assert_eq!(grants.len(), 12, "{}", role["name"]);
        assert!(!role["description"].as_str().unwrap().is_empty());
    }
    let names: Vec<&str> = all["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    for expected in [
        "Account Administrator",
        "Administrator Read Only",
        "Billing",
        "DNS",
    ] {
        assert!(names.contains(&expected), "{expected}");
    }
    let mut seen = Vec::new();
    for page in 1..=3 {
        let body = get(
            &server,
            &format!("/accounts/{ACCOUNT}/roles?per_page=5&page={page}"),
        )
        .await
        .json();
        assert_eq!(body["result_info"]["total_pages"], 3);
        seen.extend(ids(&body["result"]));
    }
    assert_eq!(seen.len(), 12);
    assert_eq!(seen, ids(&all["result"]));
}

#[tokio::test]
async fn role_details() {
    let server = MockServer::start().await;
    let reply = get(&server, &format!("/accounts/{ACCOUNT}/roles/{ADMIN_ROLE}")).await;
    assert_eq!(reply.status, StatusCode::OK);
    let expected: Value = serde_json::from_str(SEED_RESPONSE).unwrap();
    assert_eq!(reply.json()["result"], expected["result"]["roles"][0]);

    let unknown = get(
        &server,
        &format!("/accounts/{ACCOUNT}/roles/ffffffffffffffffffffffffffffffff"),
    )
    .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(unknown.json()["success"], false);
    assert_no_route(&get(&server, &format!("/accounts/{ACCOUNT}/roles/not-a-role!")).await);
}
