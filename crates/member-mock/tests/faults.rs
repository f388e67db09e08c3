//! Every fault kind, over real HTTP.

mod common;

use std::time::Duration;

use common::*;
use member_mock::{Fault, FaultBody, MockServer};
use reqwest::{Method, StatusCode};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::time::Instant;

#[tokio::test]
async fn status_and_json_body_for_the_next_n_requests() {
    let server = MockServer::start().await;
    server.inject(
        Fault::on("GET", "/accounts/*/members")
            .times(2)
            .cloudflare_error(503, 10013, "Service unavailable"),
    );
    for _ in 0..2 {
        let reply = get(&server, &members_path()).await;
        assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(reply.header("content-type"), Some("application/json"));
        assert_eq!(reply.error_codes(), vec![10013]);
        assert!(reply.header("cf-ray").is_some());
    }
    assert_eq!(get(&server, &members_path()).await.status, StatusCode::OK);
    assert!(server.faults().is_empty());
}

#[tokio::test]
async fn html_502_from_the_edge() {
    let server = MockServer::start().await;
    let page = "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>cloudflare</center></body></html>";
    server.inject(Fault::any("*").status(502).html(page));
    let reply = get(&server, &member_path(JOHN)).await;
    assert_eq!(reply.status, StatusCode::BAD_GATEWAY);
    assert_eq!(
        reply.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(reply.text, page);
    assert!(reply.header("cf-ray").is_some());
}

#[tokio::test]
async fn null_text_and_empty_bodies() {
    let server = MockServer::start().await;
    server.inject(Fault::any("*").status(429).null_body().retry_after(7));
    server.inject(Fault::any("*").status(500).text("upstream exploded"));
    server.inject(Fault::any("*").status(504).empty_body());
    let null = get(&server, &members_path()).await;
    assert_eq!(null.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(null.text, "null");
    assert_eq!(null.header("content-type"), Some("application/json"));
    assert_eq!(null.header("retry-after"), Some("7"));
    let text = get(&server, &members_path()).await;
    assert_eq!(text.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(text.text, "upstream exploded");
    assert_eq!(
        text.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
    let empty = get(&server, &members_path()).await;
    assert_eq!(empty.status, StatusCode::GATEWAY_TIMEOUT);
    assert_eq!(empty.text, "");
    assert!(empty.header("content-type").is_none());
}

#[tokio::test]
async fn rate_limit_headers_on_a_429() {
    let server = MockServer::start().await;
    server.inject(
        Fault::any("/accounts/*/members")
            .cloudflare_error(429, 10100, "Rate limited")
            .retry_after(30)
            .ratelimit(0, 30, 1200, 300),
    );
    let reply = get(&server, &members_path()).await;
    assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(reply.header("retry-after"), Some("30"));
    assert_eq!(reply.header("ratelimit"), Some("\"default\";r=0;t=30"));
    assert_eq!(
        reply.header("ratelimit-policy"),
        Some("\"default\";q=1200;w=300")
    );
}

#[tokio::test]
async fn headers_can_be_added_to_the_real_answer() {
    let server = MockServer::start().await;
    server.inject(Fault::any("*").header("X-Extra", "yes").retry_after(1));
    let reply = get(&server, &members_path()).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.header("x-extra"), Some("yes"));
    assert_eq!(reply.header("retry-after"), Some("1"));
    assert_eq!(reply.json()["success"], true);
}

#[tokio::test]
async fn success_false_in_a_200() {
    let server = MockServer::start().await;
    server.inject(Fault::on("PUT", "*").success_false(1001, "Invalid role assignment"));
    let reply = call(
        &server,
        Method::PUT,
        &member_path(JOHN),
        Some(json!({"roles": [{"id": DNS_ROLE}]})),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    let body = reply.json();
    assert_eq!(body["success"], false);
    assert_eq!(body["result"], serde_json::Value::Null);
    assert_eq!(reply.error_codes(), vec![1001]);
    // The fault answered: the member was not changed.
    let stored = server.member(server.account_id(), JOHN).unwrap();
    assert_eq!(stored.roles[0].id.as_str(), ADMIN_ROLE);
}

#[tokio::test(start_paused = true)]
async fn delay_slows_the_real_answer() {
    let server = MockServer::start().await;
    server.inject(Fault::any("*").delay(Duration::from_millis(300)));
    let started = Instant::now();
    let reply = get(&server, &members_path()).await;
    assert_eq!(started.elapsed(), Duration::from_millis(300));
    assert_eq!(reply.status, StatusCode::OK);
    assert!(server.faults().is_empty(), "used up");

    // A client with a shorter timeout gives up.
    let started = Instant::now();
    server.inject(Fault::any("*").delay(Duration::from_millis(500)));
    let err = client()
        .get(format!("{}{}", server.base_url(), members_path()))
        .bearer_auth(server.token())
        .timeout(Duration::from_millis(100))
        .send()
        .await
        .unwrap_err();
    assert!(err.is_timeout(), "{err}");
    assert_eq!(started.elapsed(), Duration::from_millis(100));
}

#[tokio::test]
async fn dropped_connection_gets_no_answer() {
    let server = MockServer::start().await;
    server.inject(Fault::on("DELETE", "/accounts/*/members/*").drop_connection());
    let err = client()
        .delete(format!("{}{}", server.base_url(), member_path(JOHN)))
        .bearer_auth(server.token())
        .send()
        .await
        .unwrap_err();
    assert!(err.is_request() || err.is_connect(), "{err:?}");
    assert!(err.status().is_none());
    // The request was dropped before the handler ran.
    assert!(server.member(server.account_id(), JOHN).is_some());
    // The request was received (and logged).
    assert_eq!(server.requests().last().unwrap().method, "DELETE");
    let again = call(&server, Method::DELETE, &member_path(JOHN), None).await;
    assert_eq!(again.status, StatusCode::OK);
}

/// Sends a raw HTTP/1.1 request and reads until the server closes.
async fn raw_get(server: &MockServer, path: &str) -> Vec<u8> {
    let mut stream = tokio::net::TcpStream::connect(server.addr()).await.unwrap();
    let request = format!(
        "GET /client/v4{path} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {}\r\nConnection: close\r\n\r\n",
        server.addr(),
        server.token()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut out = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut out)).await;
    out
}

#[tokio::test(start_paused = true)]
async fn truncated_body_is_cut_short_of_its_content_length() {
    let server = MockServer::start().await;
    server.inject(Fault::any("/accounts/*/members/*").truncate());
    let raw = raw_get(&server, &member_path(JOHN)).await;
    let text = String::from_utf8_lossy(&raw);
    let (head, body) = text.split_once("\r\n\r\n").expect("a head was sent");
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length: "))
        .expect("content-length")
        .parse()
        .unwrap();
    assert!(length > 100);
    assert_eq!(
        body.len(),
        length / 2,
        "half the body, then the connection closed"
    );
    assert!(serde_json::from_str::<serde_json::Value>(body).is_err());

    // reqwest sees an error reading the body.
    server.inject(Fault::any("*").truncate());
    let response = client()
        .get(format!("{}{}", server.base_url(), members_path()))
        .bearer_auth(server.token())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.bytes().await.is_err());
}

#[tokio::test(start_paused = true)]
async fn truncate_applies_to_a_fault_answer_too() {
    let server = MockServer::start().await;
    server.inject(
        Fault::any("*")
            .status(200)
            .json(json!({"success": true, "errors": [], "messages": [], "result": {"id": "x"}}))
            .truncate(),
    );
    let raw = raw_get(&server, &members_path()).await;
    let text = String::from_utf8_lossy(&raw);
    let body = text.split_once("\r\n\r\n").unwrap().1;
    assert!(body.starts_with("{\"errors\"") || body.starts_with("{\"success\""));
    assert!(body.len() < 40);
}

#[tokio::test]
async fn matching_by_method_and_path() {
    let server = MockServer::start().await;
    server.inject(
        Fault::on("POST", "/accounts/*/members")
            .status(500)
            .always(),
    );
    server.inject(Fault::any("/accounts/*/roles*").status(502).times(1));
    // Other methods and paths are untouched.
    assert_eq!(get(&server, &members_path()).await.status, StatusCode::OK);
    assert_eq!(
        get(&server, &member_path(JOHN)).await.status,
        StatusCode::OK
    );
    for _ in 0..3 {
        let reply = call(
            &server,
            Method::POST,
            &members_path(),
            Some(json!({"email": "f@example.com", "roles": [DNS_ROLE]})),
        )
        .await;
        assert_eq!(reply.status, StatusCode::INTERNAL_SERVER_ERROR);
    }
    assert_eq!(
        get(&server, &format!("/accounts/{ACCOUNT}/roles/{ADMIN_ROLE}"))
            .await
            .status,
        StatusCode::BAD_GATEWAY
    );
    let pending = server.faults();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].times, None);
    assert_eq!(pending[0].body, None::<FaultBody>);
    server.clear_faults();
    assert!(server.faults().is_empty());
    assert_eq!(
        server.member_count(server.account_id()),
        6,
        "no add went through"
    );
}
