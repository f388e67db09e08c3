//! Answers are gzip-compressed when the request asks for it, and only then.

mod common;

use std::io::Read;

use common::*;
use member_mock::MockServer;
use reqwest::StatusCode;

/// A client that does not decompress, so the bytes on the wire are seen.
fn raw_client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_gzip()
        .pool_max_idle_per_host(0)
        .build()
        .expect("client")
}

async fn list(server: &MockServer, accept_encoding: Option<&str>) -> reqwest::Response {
    let mut request = raw_client()
        .get(format!(
            "{}{}?per_page=50",
            server.base_url(),
            members_path()
        ))
        .bearer_auth(server.token());
    if let Some(encoding) = accept_encoding {
        request = request.header("accept-encoding", encoding);
    }
    request.send().await.expect("sent")
}

#[tokio::test]
async fn gzip_when_asked() {
    let server = MockServer::start().await;
    server.add_members(50);
    let plain = list(&server, None).await;
    assert_eq!(plain.status(), StatusCode::OK);
    assert!(plain.headers().get("content-encoding").is_none());
    let plain = plain.bytes().await.unwrap();

    let compressed = list(&server, Some("gzip")).await;
    assert_eq!(compressed.status(), StatusCode::OK);
    assert_eq!(compressed.headers()["content-encoding"], "gzip");
    assert!(compressed.headers().get("cf-ray").is_some());
    let compressed = compressed.bytes().await.unwrap();
    assert!(
        compressed.len() * 5 < plain.len(),
        "{} compressed bytes for {} plain",
        compressed.len(),
        plain.len()
    );
    let mut inflated = Vec::new();
    flate2::read::GzDecoder::new(&compressed[..])
        .read_to_end(&mut inflated)
        .unwrap();
    let (a, b): (serde_json::Value, serde_json::Value) = (
        serde_json::from_slice(&inflated).unwrap(),
        serde_json::from_slice(&plain).unwrap(),
    );
    // The same page (cf-ray and other headers aside).
    assert_eq!(a["result"], b["result"]);

    // An encoding the mock does not offer: plain.
    let other = list(&server, Some("br")).await;
    assert!(other.headers().get("content-encoding").is_none());
}

#[tokio::test]
async fn answers_of_the_edge_are_sent_as_they_are() {
    // The limiter (in front of the API) refuses everything: its 429 is
    // not compressed, and still says why.
    let server = MockServer::builder()
        .rate_limit(member_mock::RateLimitPolicy::new(
            0,
            std::time::Duration::from_secs(60),
        ))
        .start()
        .await
        .unwrap();
    let reply = list(&server, Some("gzip")).await;
    assert_eq!(reply.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(reply.headers().get("content-encoding").is_none());
    let body: serde_json::Value = reply.json().await.unwrap();
    assert_eq!(body["errors"][0]["code"], 10100);
}
