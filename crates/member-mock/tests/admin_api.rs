//! The admin HTTP API under /__mock, and the request log.

mod common;

use common::*;
use member_mock::{MockServer, REDACTED};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

async fn admin(server: &MockServer, method: Method, path: &str, body: Option<Value>) -> Reply {
    let request = client().request(method, format!("{}{path}", server.admin_url()));
    send(match body {
        Some(body) => request.json(&body),
        None => request,
    })
    .await
}

#[tokio::test]
async fn config_tells_the_base_url_and_credentials() {
    let server = MockServer::start().await;
    let config = admin(&server, Method::GET, "/config", None).await.json();
    assert_eq!(config["base_url"], server.base_url());
    assert_eq!(config["account_id"], ACCOUNT);
    assert_eq!(config["token"], "mock-token");
    assert_eq!(config["email"], "user@example.com");
    assert_eq!(config["api_key"], server.api_key());
    assert_eq!(config["omit_roles_on_add"], true);
    assert_eq!(config["rate_limit"], Value::Null);
}

#[tokio::test]
async fn faults_over_http() {
    let server = MockServer::start().await;
    let added = admin(
        &server,
        Method::POST,
        "/faults",
        Some(
            json!({"method": "get", "path": "/accounts/*/members", "times": 2,
                    "status": 502, "body": {"html": "<h1>502 Bad Gateway</h1>"},
                    "headers": {"Retry-After": "5"}}),
        ),
    )
    .await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.text);
    assert_eq!(added.json(), json!({"added": 1, "pending": 1}));
    let many = admin(
        &server,
        Method::POST,
        "/faults",
        Some(json!([
            {"path": "/accounts/*/roles", "status": 429, "body": "null"},
            {"path": "/accounts/*/roles/*", "drop_connection": true, "times": null}
        ])),
    )
    .await;
    assert_eq!(many.json(), json!({"added": 2, "pending": 3}));
    let pending = admin(&server, Method::GET, "/faults", None).await.json();
    assert_eq!(pending.as_array().unwrap().len(), 3);
    assert_eq!(pending[0]["status"], 502);
    assert_eq!(pending[2]["times"], Value::Null);

    let html = get(&server, &members_path()).await;
    assert_eq!(html.status, StatusCode::BAD_GATEWAY);
    assert_eq!(html.text, "<h1>502 Bad Gateway</h1>");
    assert_eq!(html.header("retry-after"), Some("5"));
    let null = get(&server, &format!("/accounts/{ACCOUNT}/roles")).await;
    assert_eq!(
        (null.status, null.text.as_str()),
        (StatusCode::TOO_MANY_REQUESTS, "null")
    );
    let dropped = client()
        .get(format!(
            "{}/accounts/{ACCOUNT}/roles/{ADMIN_ROLE}",
            server.base_url()
        ))
        .bearer_auth(server.token())
        .send()
        .await;
    assert!(dropped.is_err());

    let cleared = admin(&server, Method::DELETE, "/faults", None).await;
    assert_eq!(cleared.status, StatusCode::NO_CONTENT);
    assert!(server.faults().is_empty());
    assert_eq!(
        get(&server, &format!("/accounts/{ACCOUNT}/roles/{ADMIN_ROLE}"))
            .await
            .status,
        StatusCode::OK
    );

    let bad = admin(
        &server,
        Method::POST,
        "/faults",
        Some(json!({"times": "twice"})),
    )
    .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.json()["error"]
        .as_str()
        .unwrap()
        .contains("invalid JSON body"));
}

#[tokio::test]
async fn request_log_over_http_is_redacted() {
    let server = MockServer::start().await;
    call(
        &server,
        Method::PUT,
        &member_path(JOHN),
        Some(json!({"roles": [{"id": DNS_ROLE}]})),
    )
    .await;
    send(
        client()
            .get(format!(
                "{}{}?per_page=5",
                server.base_url(),
                members_path()
            ))
            .header("X-Auth-Email", server.email())
            .header("X-Auth-Key", server.api_key()),
    )
    .await;
    let reply = admin(&server, Method::GET, "/requests", None).await;
    assert!(
        !reply.text.contains(server.token()),
        "token leaked: {}",
        reply.text
    );
    assert!(!reply.text.contains(server.api_key()), "key leaked");
    let log = reply.json();
    let log = log.as_array().unwrap();
    assert_eq!(log.len(), 2, "admin requests are not logged");
    assert_eq!(log[0]["method"], "PUT");
    assert_eq!(log[0]["path"], format!("/client/v4{}", member_path(JOHN)));
    assert_eq!(log[0]["json"], json!({"roles": [{"id": DNS_ROLE}]}));
    assert_eq!(log[1]["query"], "per_page=5");

    // The same from Rust.
    let requests = server.requests();
    assert_eq!(
        requests[0].header("authorization"),
        Some("Bearer [redacted]")
    );
    assert_eq!(requests[1].header("x-auth-key"), Some(REDACTED));
    assert_eq!(requests[1].header("X-Auth-Email"), Some("user@example.com"));
    assert_eq!(
        requests[0].body,
        format!("{{\"roles\":[{{\"id\":\"{DNS_ROLE}\"}}]}}")
    );

    assert_eq!(
        admin(&server, Method::DELETE, "/requests", None)
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    assert!(server.requests().is_empty());
    get(&server, &members_path()).await;
    assert_eq!(server.requests().len(), 1);
    server.clear_requests();
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn rate_limit_over_http() {
    let server = MockServer::start().await;
    let set = admin(
        &server,
        Method::PUT,
        "/rate-limit",
        Some(json!({"requests": 1, "window_secs": 60})),
    )
    .await;
    assert_eq!(
        set.json(),
        json!({"rate_limit": {"requests": 1, "window_secs": 60}})
    );
    assert_eq!(get(&server, &members_path()).await.status, StatusCode::OK);
    let limited = get(&server, &members_path()).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(limited.error_codes(), vec![10100]);
    assert_eq!(
        admin(&server, Method::GET, "/rate-limit", None)
            .await
            .json()["rate_limit"]["requests"],
        1
    );
    assert_eq!(
        admin(&server, Method::DELETE, "/rate-limit", None)
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(get(&server, &members_path()).await.status, StatusCode::OK);
    let zero = admin(
        &server,
        Method::PUT,
        "/rate-limit",
        Some(json!({"requests": 1, "window_secs": 0})),
    )
    .await;
    assert_eq!(zero.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn state_helpers_over_http() {
    let server = MockServer::start().await;
    let settings = admin(
        &server,
        Method::PATCH,
        "/settings",
        Some(json!({"omit_roles_on_add": false})),
    )
    .await;
    assert_eq!(
        settings.json(),
        json!({"omit_roles_on_add": false, "resource_group_scope": "object", "account_owned_token": false})
    );
    let account = admin(
        &server,
        Method::PATCH,
        &format!("/accounts/{ACCOUNT}"),
        Some(json!({"allow_direct_add": true})),
    )
    .await;
    assert_eq!(account.json(), json!({"allow_direct_add": true}));
    let added = call(
        &server,
        Method::POST,
        &members_path(),
        Some(json!({"email": "h@example.com", "roles": [DNS_ROLE], "status": "accepted"})),
    )
    .await;
    assert_eq!(added.json()["result"]["roles"][0]["id"], DNS_ROLE);
    assert_eq!(added.json()["result"]["status"], "accepted");

    let generated = admin(
        &server,
        Method::POST,
        &format!("/accounts/{ACCOUNT}/generate"),
        Some(json!({"count": 30})),
    )
    .await;
    assert_eq!(generated.json(), json!({"added": 30, "member_count": 37}));
    let inserted = admin(
        &server,
        Method::POST,
        &format!("/accounts/{ACCOUNT}/members"),
        Some(json!({"status": "accepted", "user": {"email": "ins@example.com"}})),
    )
    .await;
    assert_eq!(inserted.status, StatusCode::CREATED);
    assert_eq!(inserted.json()["email"], "ins@example.com");
    let all = admin(
        &server,
        Method::GET,
        &format!("/accounts/{ACCOUNT}/members"),
        None,
    )
    .await
    .json();
    assert_eq!(all.as_array().unwrap().len(), 38);
    let info = admin(&server, Method::GET, &format!("/accounts/{ACCOUNT}"), None)
        .await
        .json();
    assert_eq!(info["member_count"], 38);
    assert_eq!(info["roles"].as_array().unwrap().len(), 12);
    assert_eq!(info["permission_groups"][0]["id"], ZONE_READ_GROUP);
    assert_eq!(info["resource_groups"][0]["id"], RESOURCE_GROUP);

    admin(
        &server,
        Method::PATCH,
        "/settings",
        Some(json!({"account_owned_token": true, "resource_group_scope": "array"})),
    )
    .await;
    let reset = admin(&server, Method::POST, "/reset", None).await;
    assert_eq!(reset.status, StatusCode::NO_CONTENT);
    assert_eq!(server.member_count(server.account_id()), 6);
    assert!(server.requests().is_empty());
    // The settings are the builder's again.
    let settings = admin(&server, Method::PATCH, "/settings", Some(json!({}))).await;
    assert_eq!(
        settings.json(),
        json!({"omit_roles_on_add": true, "resource_group_scope": "object", "account_owned_token": false})
    );

    let missing = admin(&server, Method::GET, "/accounts/nope", None).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let unknown = admin(&server, Method::GET, "/nothing-here", None).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert!(unknown.json()["error"].as_str().unwrap().contains("README"));
}
