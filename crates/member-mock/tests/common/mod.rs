//! Helpers shared by the HTTP tests: a client and a few request shortcuts.

#![allow(dead_code, reason = "each test file uses a different subset")]

use member_mock::MockServer;
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::Value;

pub const ACCOUNT: &str = "023e105f4ecef8ad9ca31a8372d0c353";
pub const SEED_MEMBER: &str = "4536bcfad5faccb111b47003c79917fa";
pub const ADMIN_ROLE: &str = "3536bcfad5faccb999b47003c79917fb";
pub const READ_ONLY_ROLE: &str = "05784afa30c1afe1440e79d9351c7430";
pub const DNS_ROLE: &str = "b7e5d3c1a9f84b2e8c6d4a2f0e9b7c5d";
pub const ZONE_READ_GROUP: &str = "c8fed203ed3043cba015a93ad1616f1f";
pub const DNS_WRITE_GROUP: &str = "4755a26eedb94da69e1066d98aa820be";
pub const SEED_RESOURCE_GROUP: &str = "6d7f2f5f5b1d4a0e9081fdc98d432fd1";

/// The seeds' documented Update Member response.
pub const SEED_RESPONSE: &str =
    include_str!("../../../../fixtures/responses/update-member-seed.json");

/// A response, read whole.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub text: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The codes of the envelope's errors, in order.
    pub fn error_codes(&self) -> Vec<i64> {
        self.json()["errors"]
            .as_array()
            .map(|errors| errors.iter().filter_map(|e| e["code"].as_i64()).collect())
            .unwrap_or_default()
    }

    /// The first error's message.
    pub fn first_message(&self) -> String {
        self.json()["errors"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .expect("client")
}

/// Sends `method path` (relative to the base URL) with the server's token.
pub async fn call(server: &MockServer, method: Method, path: &str, body: Option<Value>) -> Reply {
    let request = client()
        .request(method, format!("{}{path}", server.base_url()))
        .bearer_auth(server.token());
    send(match body {
        Some(body) => request.json(&body),
        None => request,
    })
    .await
}

pub async fn send(request: reqwest::RequestBuilder) -> Reply {
    let response = request.send().await.expect("request sent");
    let status = response.status();
    let headers = response.headers().clone();
    let text = response.text().await.expect("body read");
    Reply {
        status,
        headers,
        text,
    }
}

pub async fn get(server: &MockServer, path: &str) -> Reply {
    call(server, Method::GET, path, None).await
}

pub fn members_path() -> String {
    format!("/accounts/{ACCOUNT}/members")
}

pub fn member_path(id: &str) -> String {
    format!("/accounts/{ACCOUNT}/members/{id}")
}

/// Asserts a 400 with code 1001 whose message mentions every `words`.
pub fn assert_invalid(reply: &Reply, words: &[&str]) {
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.text);
    assert_eq!(reply.error_codes(), vec![1001], "{}", reply.text);
    let message = reply.first_message();
    for word in words {
        assert!(message.contains(word), "{word:?} not in {message:?}");
    }
    assert_eq!(reply.json()["success"], false);
}

/// Asserts the real API's "no route" answer.
pub fn assert_no_route(reply: &Reply) {
    assert_eq!(reply.status, StatusCode::NOT_FOUND, "{}", reply.text);
    assert_eq!(reply.error_codes(), vec![7003, 7000], "{}", reply.text);
}
