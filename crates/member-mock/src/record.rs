//! The request log.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// What replaces a secret in the log.
pub const REDACTED: &str = "[redacted]";

/// A request as the mock received it, with credentials redacted.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RecordedRequest {
    /// The HTTP method, e.g. `GET`.
    pub method: String,
    /// The path, e.g. `/client/v4/accounts/…/members`.
    pub path: String,
    /// The query string without `?`, if any.
    pub query: Option<String>,
    /// Headers in arrival order, names lowercase. `Authorization` keeps its
    /// scheme (`Bearer [redacted]`); `X-Auth-Key`, `X-Auth-User-Service-Key`
    /// and `Cookie` values are `[redacted]`.
    pub headers: Vec<(String, String)>,
    /// The body as text (invalid UTF-8 replaced).
    pub body: String,
    /// The body as JSON, when it parses.
    pub json: Option<Value>,
}

impl RecordedRequest {
    /// The first value of a header (name compared case-insensitively).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub(crate) fn new(
        method: &str,
        path: &str,
        query: Option<&str>,
        headers: &axum::http::HeaderMap,
        body: &[u8],
    ) -> Self {
        let headers = headers
            .iter()
            .map(|(name, value)| {
                let name = name.as_str().to_ascii_lowercase();
                let text = String::from_utf8_lossy(value.as_bytes()).into_owned();
                let shown = match name.as_str() {
                    "authorization" => match text.split_once(' ') {
                        Some((scheme, _)) => format!("{scheme} {REDACTED}"),
                        None => REDACTED.to_owned(),
                    },
                    "x-auth-key" | "x-auth-user-service-key" | "cookie" => REDACTED.to_owned(),
                    _ => text,
                };
                (name, shown)
            })
            .collect();
        Self {
            method: method.to_owned(),
            path: path.to_owned(),
            query: query.map(str::to_owned),
            headers,
            body: String::from_utf8_lossy(body).into_owned(),
            json: serde_json::from_slice(body).ok(),
        }
    }
}
