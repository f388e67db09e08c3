//! Fault injection: make the next requests that match fail in chosen ways.
//!
//! A [`Fault`] matches by method (any when unset) and path pattern, and
//! applies to the next `times` matching requests (`None`: every one until
//! cleared). Patterns are matched against the path after `/client/v4`, and
//! `*` stands for any run of characters, `/` included:
//! `/accounts/*/members` matches the list, `/accounts/*/members/*` any one
//! member, `*` everything.
//!
//! What a fault does, in this order:
//! 1. waits for `delay` (alone, a fault just slows the real response down);
//! 2. drops the connection without an answer (`drop_connection`);
//! 3. answers with its own `status` and `body` when either is set (status
//!    500 when only a body is given), else lets the real handler answer;
//! 4. adds its `headers` (`Retry-After`, `Ratelimit`, …) to that answer;
//! 5. truncates the answer (`truncate`): the full `Content-Length` is sent
//!    with only the first half of the body, then the connection is closed.
//!
//! ```
//! use std::time::Duration;
//! use member_mock::Fault;
//!
//! let edge_502 = Fault::on("GET", "/accounts/*/members")
//!     .times(2)
//!     .status(502)
//!     .html("<html><body><center><h1>502 Bad Gateway</h1></center></body></html>");
//! let slow = Fault::any("*").delay(Duration::from_millis(200));
//! let json = serde_json::to_value(Fault::from(edge_502)).unwrap();
//! assert_eq!(json["status"], 502);
//! # let _ = slow;
//! ```

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The body a fault answers with.
///
/// In JSON (the admin API): `{"json": <any JSON>}`, `{"html": "<text>"}`,
/// `{"text": "<text>"}`, `"null"` (the JSON `null`) or `"empty"`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum FaultBody {
    /// A JSON document, sent as `application/json`.
    Json(Value),
    /// An HTML page, sent as `text/html` (like the edge's 502 pages).
    Html(String),
    /// Plain text, sent as `text/plain`.
    Text(String),
    /// The JSON `null`, sent as `application/json` (seen on some 429s).
    Null,
    /// No body at all.
    Empty,
}

impl FaultBody {
    pub(crate) fn content_type_and_bytes(&self) -> (Option<&'static str>, Vec<u8>) {
        match self {
            Self::Json(v) => (
                Some("application/json"),
                serde_json::to_vec(v).unwrap_or_default(),
            ),
            Self::Html(s) => (Some("text/html; charset=utf-8"), s.clone().into_bytes()),
            Self::Text(s) => (Some("text/plain; charset=utf-8"), s.clone().into_bytes()),
            Self::Null => (Some("application/json"), b"null".to_vec()),
            Self::Empty => (None, Vec::new()),
        }
    }
}

fn one() -> Option<u32> {
    Some(1)
}

fn any_path() -> String {
    "*".to_owned()
}

/// A fault to inject (see the [module docs](self)); build one with
/// [`Fault::on`] or [`Fault::any`], or send its JSON form to
/// `POST /__mock/faults`.
///
/// JSON form (every field optional):
/// `{"method": "GET", "path": "/accounts/*/members", "times": 1, "status": 502,
///   "body": {"html": "…"}, "headers": {"Retry-After": "3"}, "delay_ms": 100,
///   "drop_connection": false, "truncate": false}`; `"times": null` means
/// every matching request until the faults are cleared.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Fault {
    /// The HTTP method to match (any when `None`), compared case-insensitively.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// The path pattern, relative to `/client/v4`; `*` matches anything.
    #[serde(default = "any_path")]
    pub path: String,
    /// How many matching requests get the fault; `None` for all of them.
    #[serde(default = "one")]
    pub times: Option<u32>,
    /// The status to answer with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// The body to answer with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<FaultBody>,
    /// Headers added to the answer (the fault's own or the real one).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
    /// How long to wait before answering, in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delay_ms: Option<u64>,
    /// Close the connection without answering.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub drop_connection: bool,
    /// Send only half the body under the full `Content-Length`, then close.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub truncate: bool,
}

impl Fault {
    /// Starts a fault for requests with this method and path pattern.
    pub fn on(method: &str, path: &str) -> FaultBuilder {
        FaultBuilder(Fault {
            method: Some(method.to_ascii_uppercase()),
            ..Fault::blank(path)
        })
    }

    /// Starts a fault for requests with any method on this path pattern.
    pub fn any(path: &str) -> FaultBuilder {
        FaultBuilder(Fault::blank(path))
    }

    fn blank(path: &str) -> Self {
        Self {
            method: None,
            path: path.to_owned(),
            times: Some(1),
            status: None,
            body: None,
            headers: BTreeMap::new(),
            delay_ms: None,
            drop_connection: false,
            truncate: false,
        }
    }

    /// Whether this fault applies to a request (path relative to
    /// `/client/v4`).
    pub fn matches(&self, method: &str, path: &str) -> bool {
        if let Some(m) = &self.method {
            if !m.eq_ignore_ascii_case(method) {
                return false;
            }
        }
        let pattern = self
            .path
            .strip_prefix(crate::API_PREFIX)
            .unwrap_or(&self.path);
        glob_match(pattern, path)
    }

    /// Whether the fault answers by itself (rather than passing the request
    /// on to the real handler).
    pub fn answers(&self) -> bool {
        self.status.is_some() || self.body.is_some()
    }

    pub(crate) fn delay(&self) -> Option<Duration> {
        self.delay_ms.map(Duration::from_millis)
    }
}

/// Builds a [`Fault`]; every method returns the builder. Pass it to
/// [`MockServer::inject`](crate::MockServer::inject) (it converts into a
/// `Fault`) or call [`build`](Self::build).
#[derive(Clone, Debug)]
#[must_use]
pub struct FaultBuilder(Fault);

impl FaultBuilder {
    /// Applies to the next `n` matching requests (default 1).
    pub fn times(mut self, n: u32) -> Self {
        self.0.times = Some(n);
        self
    }

    /// Applies to every matching request until the faults are cleared.
    pub fn always(mut self) -> Self {
        self.0.times = None;
        self
    }

    /// Answers with this status.
    pub fn status(mut self, status: u16) -> Self {
        self.0.status = Some(status);
        self
    }

    /// Answers with this body.
    pub fn body(mut self, body: FaultBody) -> Self {
        self.0.body = Some(body);
        self
    }

    /// Answers with this JSON document.
    pub fn json(self, value: Value) -> Self {
        self.body(FaultBody::Json(value))
    }

    /// Answers with this HTML page.
    pub fn html(self, html: impl Into<String>) -> Self {
        self.body(FaultBody::Html(html.into()))
    }

    /// Answers with this plain text.
    pub fn text(self, text: impl Into<String>) -> Self {
        self.body(FaultBody::Text(text.into()))
    }

    /// Answers with the JSON `null`.
    pub fn null_body(self) -> Self {
        self.body(FaultBody::Null)
    }

    /// Answers with no body.
    pub fn empty_body(self) -> Self {
        self.body(FaultBody::Empty)
    }

    /// Answers with a Cloudflare failure envelope holding one error.
    pub fn cloudflare_error(self, status: u16, code: i64, message: &str) -> Self {
        self.status(status).json(serde_json::json!({
            "success": false,
            "errors": [{"code": code, "message": message}],
            "messages": [],
            "result": null,
        }))
    }

    /// Answers HTTP 200 with `success: false` and one error (a failure a
    /// client must not take for a success).
    pub fn success_false(self, code: i64, message: &str) -> Self {
        self.cloudflare_error(200, code, message)
    }

    /// Adds a header to the answer.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.0.headers.insert(name.to_owned(), value.to_owned());
        self
    }

    /// Adds `Retry-After: <seconds>`.
    pub fn retry_after(self, seconds: u64) -> Self {
        self.header("Retry-After", &seconds.to_string())
    }

    /// Adds the real API's rate-limit headers:
    /// `Ratelimit: "default";r=<remaining>;t=<reset seconds>` and
    /// `Ratelimit-Policy: "default";q=<limit>;w=<window seconds>`.
    pub fn ratelimit(self, remaining: u32, reset_secs: u64, limit: u32, window_secs: u64) -> Self {
        self.header(
            "Ratelimit",
            &format!("\"default\";r={remaining};t={reset_secs}"),
        )
        .header(
            "Ratelimit-Policy",
            &format!("\"default\";q={limit};w={window_secs}"),
        )
    }

    /// Waits this long before answering.
    pub fn delay(mut self, delay: Duration) -> Self {
        self.0.delay_ms = Some(u64::try_from(delay.as_millis()).unwrap_or(u64::MAX));
        self
    }

    /// Closes the connection without answering.
    pub fn drop_connection(mut self) -> Self {
        self.0.drop_connection = true;
        self
    }

    /// Sends half the body under the full `Content-Length`, then closes.
    pub fn truncate(mut self) -> Self {
        self.0.truncate = true;
        self
    }

    /// The fault.
    pub fn build(self) -> Fault {
        self.0
    }
}

impl From<FaultBuilder> for Fault {
    fn from(builder: FaultBuilder) -> Self {
        builder.0
    }
}

/// `*` matches any run of characters (`/` included); everything else is
/// literal.
pub(crate) fn glob_match(pattern: &str, text: &str) -> bool {
    let p = pattern.as_bytes();
    let t = text.as_bytes();
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && p[pi] == b'*' {
            star = Some((pi, ti));
            pi += 1;
        } else if pi < p.len() && p[pi] == t[ti] {
            pi += 1;
            ti += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == b'*' {
        pi += 1;
    }
    pi == p.len()
}

/// The pending faults, first injected first matched.
#[derive(Debug, Default)]
pub(crate) struct FaultSet {
    faults: Vec<Fault>,
}

impl FaultSet {
    pub(crate) fn push(&mut self, fault: Fault) {
        if fault.times != Some(0) {
            self.faults.push(fault);
        }
    }

    pub(crate) fn clear(&mut self) {
        self.faults.clear();
    }

    pub(crate) fn pending(&self) -> Vec<Fault> {
        self.faults.clone()
    }

    /// The first fault matching, with one use consumed.
    pub(crate) fn take(&mut self, method: &str, path: &str) -> Option<Fault> {
        let index = self.faults.iter().position(|f| f.matches(method, path))?;
        let fault = self.faults[index].clone();
        if let Some(times) = &mut self.faults[index].times {
            *times -= 1;
            if *times == 0 {
                self.faults.remove(index);
            }
        }
        Some(fault)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob() {
        assert!(glob_match("*", "/accounts/a/members"));
        assert!(glob_match("/accounts/*/members", "/accounts/a/members"));
        assert!(!glob_match("/accounts/*/members", "/accounts/a/members/b"));
        assert!(glob_match("/accounts/*/members*", "/accounts/a/members/b"));
        assert!(glob_match("/accounts/*/members/*", "/accounts/a/members/b"));
        assert!(!glob_match("/accounts/*/roles", "/accounts/a/members"));
        assert!(glob_match("/a*b*c", "/axxbyyc"));
        assert!(!glob_match("/a*b*c", "/axxbyy"));
    }

    #[test]
    fn times_are_consumed_in_order() {
        let mut set = FaultSet::default();
        set.push(Fault::on("get", "/x").times(2).status(500).build());
        set.push(Fault::any("*").status(503).build());
        assert_eq!(set.take("GET", "/x").unwrap().status, Some(500));
        assert_eq!(set.take("GET", "/x").unwrap().status, Some(500));
        assert_eq!(set.take("GET", "/x").unwrap().status, Some(503));
        assert!(set.take("GET", "/x").is_none());
    }

    #[test]
    fn json_form_defaults() {
        let f: Fault = serde_json::from_str(r#"{"status": 429, "body": "null"}"#).unwrap();
        assert_eq!(f.path, "*");
        assert_eq!(f.times, Some(1));
        assert_eq!(f.body, Some(FaultBody::Null));
        let always: Fault =
            serde_json::from_str(r#"{"times": null, "body": {"html": "<p>"}}"#).unwrap();
        assert_eq!(always.times, None);
    }
}
