//! Cloudflare-style error responses.

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use member_types::{Envelope, ResponseInfo};

/// Code for an invalid request (bad body, unknown role, refused status).
pub(crate) const CODE_INVALID_REQUEST: i64 = 1001;
/// Code for a member that does not exist.
pub(crate) const CODE_NOT_FOUND: i64 = 1003;
/// Code for a body that is not JSON.
pub(crate) const CODE_MALFORMED_JSON: i64 = 6007;
/// Code for a query parameter that breaks its rule.
pub(crate) const CODE_INVALID_PARAM: i64 = 1001;

/// An API error: an HTTP status, the envelope's errors, and extra headers.
#[derive(Debug)]
pub(crate) struct ApiError {
    pub(crate) status: StatusCode,
    pub(crate) errors: Vec<ResponseInfo>,
    pub(crate) headers: Vec<(&'static str, String)>,
}

impl ApiError {
    pub(crate) fn new(status: StatusCode, errors: Vec<ResponseInfo>) -> Self {
        Self {
            status,
            errors,
            headers: Vec::new(),
        }
    }

    /// 400 with code 1001, the message naming what was wrong, and a JSON
    /// pointer into the request when there is one.
    pub(crate) fn invalid(message: impl Into<String>, pointer: Option<&str>) -> Self {
        let mut info = ResponseInfo::new(CODE_INVALID_REQUEST, message);
        if let Some(pointer) = pointer {
            info = info.with_pointer(pointer);
        }
        Self::new(StatusCode::BAD_REQUEST, vec![info])
    }

    /// 400 for a query parameter outside its rule.
    pub(crate) fn invalid_param(name: &str, message: impl Into<String>) -> Self {
        let info = ResponseInfo::new(CODE_INVALID_PARAM, message).with_pointer(format!("/{name}"));
        Self::new(StatusCode::BAD_REQUEST, vec![info])
    }

    /// 400 with code 6007 for a body that is not JSON.
    pub(crate) fn malformed_json(detail: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            vec![ResponseInfo::new(
                CODE_MALFORMED_JSON,
                format!("Malformed JSON in request body: {detail}"),
            )],
        )
    }

    /// 404 with codes 7003 and 7000: the real API's answer to an unknown
    /// route, which is also what an identifier that is not an identifier
    /// gets.
    pub(crate) fn no_route(path: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            vec![
                ResponseInfo::new(
                    7003,
                    format!(
                        "Could not route to {path}, perhaps your object identifier is invalid?"
                    ),
                ),
                ResponseInfo::new(7000, "No route for that URI"),
            ],
        )
    }

    /// 405 with code 7001 and an `Allow` header.
    pub(crate) fn method_not_allowed(allow: &str) -> Self {
        let mut err = Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            vec![ResponseInfo::new(7001, "Method not allowed for this URI")],
        );
        err.headers.push(("allow", allow.to_owned()));
        err
    }

    /// 404 for a member (or role) that does not exist.
    pub(crate) fn not_found(what: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            vec![ResponseInfo::new(
                CODE_NOT_FOUND,
                format!("{what} not found"),
            )],
        )
    }

    /// 403 code 9109 for an account the credential cannot reach.
    pub(crate) fn unknown_account() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            vec![ResponseInfo::new(
                9109,
                "Unauthorized to access requested resource",
            )],
        )
    }

    /// 403 code 10000, the real API's answer to a wrong credential.
    pub(crate) fn authentication() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            vec![ResponseInfo::new(10000, "Authentication error")],
        )
    }

    /// 400 code 6003 wrapping the header errors (6111, 6102, 6103).
    pub(crate) fn bad_auth_headers(chain: Vec<ResponseInfo>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            vec![ResponseInfo::new(6003, "Invalid request headers").with_chain(chain)],
        )
    }

    /// 413 for a request body over the limit.
    pub(crate) fn too_large(limit: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            vec![ResponseInfo::new(
                CODE_INVALID_REQUEST,
                format!("Request body is larger than {limit} bytes"),
            )],
        )
    }
}

/// The JSON of a failure envelope: `result` is `null`, as the real API sends.
pub(crate) fn failure_body(errors: Vec<ResponseInfo>) -> Vec<u8> {
    let mut envelope = Envelope::<serde_json::Value>::failure(errors);
    envelope.result = Some(serde_json::Value::Null);
    serde_json::to_vec(&envelope).unwrap_or_else(|_| b"{\"success\":false}".to_vec())
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (
            self.status,
            [(
                axum::http::header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            failure_body(self.errors),
        )
            .into_response();
        for (name, value) in self.headers {
            if let Ok(value) = HeaderValue::from_str(&value) {
                response.headers_mut().insert(name, value);
            }
        }
        response
    }
}
