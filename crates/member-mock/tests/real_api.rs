//! The real API's behaviour that the mock copies: body shapes, quirks,
//! errors, authentication and the `cf-ray` header.

mod common;

use common::*;
use member_mock::MockServer;
use reqwest::{Method, StatusCode};
use serde_json::json;

fn policy(group: &str, resource: &str) -> serde_json::Value {
    json!({"access": "allow", "permission_groups": [{"id": group}], "resource_groups": [{"id": resource}]})
}

#[tokio::test]
async fn update_takes_role_objects_and_refuses_strings() {
    let server = MockServer::start().await;
    let reply = call(
        &server,
        Method::PUT,
        &member_path(JOHN),
        Some(json!({"roles": [DNS_ROLE]})),
    )
    .await;
    assert_invalid(&reply, &["roles[0]", "role object", "found a string"]);
    assert_eq!(reply.json()["errors"][0]["source"]["pointer"], "/roles/0");
    // Nothing changed.
    let stored = server.member(server.account_id(), JOHN).unwrap();
    assert_eq!(stored.roles[0].id.as_str(), ADMIN_ROLE);
}

#[tokio::test]
async fn add_takes_role_strings_and_refuses_objects() {
    let server = MockServer::start().await;
    let reply = call(
        &server,
        Method::POST,
        &members_path(),
        Some(json!({"email": "x@example.com", "roles": [{"id": DNS_ROLE}]})),
    )
    .await;
    assert_invalid(&reply, &["roles[0]", "role id string", "found an object"]);
    assert_eq!(server.member_count(server.account_id()), 6);
}

#[tokio::test]
async fn update_with_roles_and_policies_lets_policies_win() {
    let server = MockServer::start().await;
    let reply = call(
        &server,
        Method::PUT,
        &member_path(JOHN),
        Some(json!({
            "roles": [{"id": DNS_ROLE}],
            "policies": [policy(DNS_WRITE_GROUP, RESOURCE_GROUP)]
        })),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let stored = server.member(server.account_id(), JOHN).unwrap();
    assert!(stored.roles.is_empty(), "roles were overridden");
    assert_eq!(stored.policies.len(), 1);
    assert_eq!(
        stored.policies[0].permission_groups[0].id.as_str(),
        DNS_WRITE_GROUP
    );
}

#[tokio::test]
async fn add_with_roles_and_policies_lets_policies_win() {
    let server = MockServer::start().await;
    let reply = call(
        &server,
        Method::POST,
        &members_path(),
        Some(json!({
            "email": "both@example.com",
            "roles": [DNS_ROLE],
            "policies": [policy(ZONE_READ_GROUP, RESOURCE_GROUP)]
        })),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let id = reply.json()["result"]["id"].as_str().unwrap().to_owned();
    let stored = server.member(server.account_id(), &id).unwrap();
    assert!(stored.roles.is_empty());
    assert_eq!(stored.policies.len(), 1);
}

#[tokio::test]
async fn direct_add_is_refused_unless_the_account_allows_it() {
    let server = MockServer::start().await;
    let body = json!({"email": "direct@example.com", "roles": [DNS_ROLE], "status": "accepted"});
    let refused = call(&server, Method::POST, &members_path(), Some(body.clone())).await;
    assert_invalid(&refused, &["accepted", "pending"]);
    assert_eq!(refused.json()["errors"][0]["source"]["pointer"], "/status");

    server.set_allow_direct_add(server.account_id(), true);
    let allowed = call(&server, Method::POST, &members_path(), Some(body)).await;
    assert_eq!(allowed.status, StatusCode::OK, "{}", allowed.text);
    assert_eq!(allowed.json()["result"]["status"], "accepted");

    let built = MockServer::builder()
        .allow_direct_add(true)
        .start()
        .await
        .unwrap();
    let reply = call(
        &built,
        Method::POST,
        &members_path(),
        Some(json!({"email": "d2@example.com", "roles": [DNS_ROLE], "status": "accepted"})),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
}

#[tokio::test]
async fn add_response_omits_roles_unless_switched_off() {
    let server = MockServer::start().await;
    let body = |email: &str| Some(json!({"email": email, "roles": [DNS_ROLE]}));
    let quirk = call(
        &server,
        Method::POST,
        &members_path(),
        body("a1@example.com"),
    )
    .await;
    assert!(quirk.json()["result"].get("roles").is_none());

    server.set_omit_roles_on_add(false);
    let full = call(
        &server,
        Method::POST,
        &members_path(),
        body("a2@example.com"),
    )
    .await;
    assert_eq!(full.json()["result"]["roles"][0]["id"], DNS_ROLE);

    let built = MockServer::builder()
        .omit_roles_on_add(false)
        .start()
        .await
        .unwrap();
    let full = call(
        &built,
        Method::POST,
        &members_path(),
        body("a3@example.com"),
    )
    .await;
    assert_eq!(full.json()["result"]["roles"][0]["name"], "DNS");
}

#[tokio::test]
async fn unknown_role_and_group_ids_are_1001() {
    let server = MockServer::start().await;
    let unknown = "ffffffffffffffffffffffffffffffff";
    let put = call(
        &server,
        Method::PUT,
        &member_path(JOHN),
        Some(json!({"roles": [{"id": unknown}]})),
    )
    .await;
    assert_invalid(&put, &["roles[0].id", "unknown role", unknown]);
    let post = call(
        &server,
        Method::POST,
        &members_path(),
        Some(json!({"email": "u@example.com", "roles": [unknown]})),
    )
    .await;
    assert_invalid(&post, &["roles[0]", "unknown role", unknown]);
    let group = call(
        &server,
        Method::PUT,
        &member_path(JOHN),
        Some(json!({"policies": [policy(unknown, RESOURCE_GROUP)]})),
    )
    .await;
    assert_invalid(
        &group,
        &[
            "policies[0].permission_groups[0].id",
            "unknown permission group",
        ],
    );
    let resource = call(
        &server,
        Method::POST,
        &members_path(),
        Some(json!({"email": "r@example.com", "policies": [policy(ZONE_READ_GROUP, unknown)]})),
    )
    .await;
    assert_invalid(
        &resource,
        &[
            "policies[0].resource_groups[0].id",
            "unknown resource group",
        ],
    );
}

#[tokio::test]
async fn unknown_member_is_404() {
    let server = MockServer::start().await;
    let path = member_path("0000000000000000000000000000dead");
    for method in [Method::GET, Method::DELETE] {
        let reply = call(&server, method.clone(), &path, None).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{method}");
        assert_eq!(reply.json()["success"], false);
        assert_eq!(reply.error_codes(), vec![1003]);
    }
    let put = call(
        &server,
        Method::PUT,
        &path,
        Some(json!({"roles": [{"id": DNS_ROLE}]})),
    )
    .await;
    assert_eq!(put.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_id_that_is_not_an_id_or_an_unknown_route_is_7003() {
    let server = MockServer::start().await;
    for path in [
        member_path("not-an-id"),
        member_path(&"a".repeat(33)),
        member_path("..%2Froles"),
        "/accounts/short/members".to_owned(),
        format!("/accounts/{ACCOUNT}/nothing"),
        format!("/accounts/{ACCOUNT}/members/{JOHN}/extra"),
        "/user/tokens".to_owned(),
    ] {
        let reply = get(&server, &path).await;
        assert_no_route(&reply);
        assert!(reply.first_message().contains("Could not route"), "{path}");
        assert_eq!(
            reply.json()["errors"][1]["message"],
            "No route for that URI"
        );
    }
    // Outside /client/v4 too.
    let outside = send(client().get(format!("http://{}/elsewhere", server.addr()))).await;
    assert_no_route(&outside);
}

#[tokio::test]
async fn unknown_account_is_forbidden() {
    let server = MockServer::start().await;
    let reply = get(
        &server,
        "/accounts/ffffffffffffffffffffffffffffffff/members",
    )
    .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(reply.error_codes(), vec![9109]);
}

#[tokio::test]
async fn wrong_method_is_405_with_allow() {
    let server = MockServer::start().await;
    let reply = call(&server, Method::PATCH, &members_path(), None).await;
    assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(reply.header("allow"), Some("GET, HEAD, POST"));
    assert_eq!(reply.error_codes(), vec![7001]);
}

#[tokio::test]
async fn validation_errors_name_what_was_wrong() {
    let server = MockServer::start().await;
    let post = |body: serde_json::Value| {
        let server = &server;
        async move { call(server, Method::POST, &members_path(), Some(body)).await }
    };
    assert_invalid(&post(json!({"roles": [DNS_ROLE]})).await, &["email"]);
    assert_invalid(
        &post(json!({"email": "no-at-sign", "roles": [DNS_ROLE]})).await,
        &["email"],
    );
    assert_invalid(
        &post(json!({"email": "dup@example.com"})).await,
        &["roles or policies"],
    );
    assert_invalid(
        &post(json!({"email": "s@example.com", "roles": [DNS_ROLE], "status": "maybe"})).await,
        &["status"],
    );
    assert_invalid(
        &post(json!({"email": "user@example.com", "roles": [DNS_ROLE]})).await,
        &["already a member"],
    );
    assert_invalid(
        &post(json!({"email": "q@example.com", "policies": [{"access": "sometimes",
            "permission_groups": [{"id": ZONE_READ_GROUP}], "resource_groups": [{"id": RESOURCE_GROUP}]}]}))
        .await,
        &["policies[0].access"],
    );
    let put = call(
        &server,
        Method::PUT,
        &member_path(JOHN),
        Some(json!({"user": {"email": 5}})),
    )
    .await;
    assert_invalid(&put, &["user.email", "string"]);
    let not_object = call(&server, Method::PUT, &member_path(JOHN), Some(json!([1]))).await;
    assert_invalid(&not_object, &["JSON object"]);
}

#[tokio::test]
async fn malformed_json_is_6007() {
    let server = MockServer::start().await;
    let reply = send(
        client()
            .put(format!("{}{}", server.base_url(), member_path(JOHN)))
            .bearer_auth(server.token())
            .body("{\"roles\": ["),
    )
    .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.error_codes(), vec![6007]);
}

#[tokio::test]
async fn pending_status_on_update_drops_the_change_silently() {
    let server = MockServer::start().await;
    let reply = call(
        &server,
        Method::PUT,
        &member_path(JOHN),
        Some(json!({"roles": [{"id": DNS_ROLE}], "status": "pending"})),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let stored = server.member(server.account_id(), JOHN).unwrap();
    assert_eq!(stored.roles[0].id.as_str(), ADMIN_ROLE, "change dropped");
}

// ----------------------------------------------------------------- auth ----

async fn with_headers(server: &MockServer, headers: &[(&str, &str)]) -> Reply {
    let mut request = client().get(format!("{}{}", server.base_url(), members_path()));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    send(request).await
}

fn chain(reply: &Reply) -> Vec<i64> {
    reply.json()["errors"][0]["error_chain"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["code"].as_i64().unwrap())
        .collect()
}

#[tokio::test]
async fn missing_or_malformed_credentials_are_6003_with_a_chain() {
    let server = MockServer::start().await;
    type Headers<'a> = Vec<(&'a str, &'a str)>;
    let cases: Vec<(Headers<'_>, Vec<i64>)> = vec![
        (vec![], vec![6111]),
        (vec![("Authorization", "Token mock-token")], vec![6111]),
        (vec![("Authorization", "Bearer ")], vec![6111]),
        (vec![("Authorization", "Bearer has space")], vec![6111]),
        (vec![("X-Auth-Email", "user@example.com")], vec![6103]),
        (
            vec![("X-Auth-Key", "144c9defac04969c7bfad8efaa8ea194")],
            vec![6102],
        ),
        (
            vec![
                ("X-Auth-Email", "not-an-email"),
                ("X-Auth-Key", "144c9defac04969c7bfad8efaa8ea194"),
            ],
            vec![6102],
        ),
        (
            vec![("X-Auth-Email", "nobody"), ("X-Auth-Key", "bad key!")],
            vec![6102, 6103],
        ),
    ];
    for (headers, expected) in cases {
        let reply = with_headers(&server, &headers).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{headers:?}");
        assert_eq!(reply.error_codes(), vec![6003], "{headers:?}");
        assert_eq!(reply.first_message(), "Invalid request headers");
        assert_eq!(chain(&reply), expected, "{headers:?}");
    }
}

#[tokio::test]
async fn wrong_credentials_are_403_10000() {
    let server = MockServer::start().await;
    let cases: Vec<Vec<(&str, &str)>> = vec![
        vec![("Authorization", "Bearer wrong-token")],
        vec![
            ("X-Auth-Email", "user@example.com"),
            ("X-Auth-Key", "0000wrongkey"),
        ],
        vec![
            ("X-Auth-Email", "other@example.com"),
            ("X-Auth-Key", "144c9defac04969c7bfad8efaa8ea194"),
        ],
        vec![("X-Auth-User-Service-Key", "v1.0-wrong")],
        // A right token does not excuse a wrong key sent with it.
        vec![
            ("Authorization", "Bearer mock-token"),
            ("X-Auth-Email", "user@example.com"),
            ("X-Auth-Key", "0000wrongkey"),
        ],
    ];
    for headers in cases {
        let reply = with_headers(&server, &headers).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{headers:?}");
        assert_eq!(reply.error_codes(), vec![10000], "{headers:?}");
        assert_eq!(reply.first_message(), "Authentication error");
    }
}

#[tokio::test]
async fn every_credential_scheme_is_accepted() {
    let server = MockServer::builder()
        .token("tok-123")
        .api_key("admin@example.org", "key-456")
        .user_service_key("v1.0-usk")
        .start()
        .await
        .unwrap();
    for headers in [
        vec![("Authorization", "Bearer tok-123")],
        vec![("authorization", "bearer tok-123")],
        vec![
            ("X-Auth-Email", "admin@example.org"),
            ("X-Auth-Key", "key-456"),
        ],
        vec![("X-Auth-User-Service-Key", "v1.0-usk")],
    ] {
        let reply = with_headers(&server, &headers).await;
        assert_eq!(reply.status, StatusCode::OK, "{headers:?}: {}", reply.text);
    }
    assert_eq!(server.token(), "tok-123");
    assert_eq!(server.email(), "admin@example.org");
    assert_eq!(server.api_key(), "key-456");
    assert_eq!(server.user_service_key(), "v1.0-usk");
    assert!(MockServer::builder()
        .token("has space")
        .start()
        .await
        .is_err());
}

// --------------------------------------------------------------- cf-ray ----

fn assert_ray(reply: &Reply) {
    let ray = reply.header("cf-ray").expect("cf-ray header");
    let (hex, suffix) = ray.split_once('-').expect("hex-SUFFIX");
    assert_eq!(hex.len(), 16, "{ray}");
    assert!(hex.chars().all(|c| c.is_ascii_hexdigit()), "{ray}");
    assert_eq!(suffix, "MOCK");
}

#[tokio::test]
async fn every_response_has_a_cf_ray() {
    let server = MockServer::start().await;
    let mut rays = Vec::new();
    for reply in [
        get(&server, &members_path()).await,
        get(&server, &member_path("not-an-id")).await,
        get(&server, "/nowhere").await,
        with_headers(&server, &[]).await,
        with_headers(&server, &[("Authorization", "Bearer nope")]).await,
        call(&server, Method::PATCH, &members_path(), None).await,
        send(client().get(format!("{}/config", server.admin_url()))).await,
    ] {
        assert_ray(&reply);
        rays.push(reply.header("cf-ray").unwrap().to_owned());
    }
    rays.sort();
    rays.dedup();
    assert_eq!(rays.len(), 7, "each response gets its own ray");
}

#[tokio::test]
async fn the_user_of_the_credential_is_the_default_email() {
    let server = MockServer::start().await;
    let reply = get(&server, "/user").await;
    assert_eq!(reply.status, 200, "{:?}", reply.json());
    assert_eq!(
        reply.json()["result"]["email"],
        member_mock::default_seed::JOHN_EMAIL
    );
}
