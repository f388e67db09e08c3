//! Helpers shared by the HTTP tests: a client and a few request shortcuts.

#![allow(dead_code, reason = "each test file uses a different subset")]

use member_mock::MockServer;
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::Value;

/// The seed's account, people, roles and groups.
pub use member_mock::default_seed::*;

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
