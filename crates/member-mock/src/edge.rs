//! What stands in front of every route, as Cloudflare's edge does: the app
//! (API under `/client/v4` behind the credential check, admin API under
//! `/__mock`), the request log, faults, the rate limiter and the `cf-ray`
//! header on every answer.

use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;

use crate::auth::authenticate;
use crate::error::ApiError;
use crate::fault::{Fault, FaultBody};
use crate::rate_limit::Verdict;
use crate::record::RecordedRequest;
use crate::shared::Inner;
use crate::{api, ADMIN_PREFIX, API_PREFIX};

/// The whole HTTP app of a mock.
pub(crate) fn app(inner: Arc<Inner>) -> Router {
    // The API's answers are gzip-compressed when the request asks for it
    // (`Accept-Encoding`), as Cloudflare's are. The layer sits inside the
    // edge, so what the edge adds (429s, faults) is sent as is, and a
    // truncating fault cuts the compressed bytes.
    let api = api::routes()
        .route_layer(middleware::from_fn_with_state(
            inner.clone(),
            crate::audit::record,
        ))
        .route_layer(middleware::from_fn_with_state(inner.clone(), auth_layer))
        .layer(tower_http::compression::CompressionLayer::new());
    Router::new()
        .nest(API_PREFIX, api)
        .nest(ADMIN_PREFIX, crate::admin::router())
        .fallback(api::no_route)
        .layer(middleware::from_fn_with_state(inner.clone(), edge))
        .with_state(inner)
}

async fn auth_layer(State(inner): State<Arc<Inner>>, request: Request, next: Next) -> Response {
    match authenticate(&inner.creds, request.headers()) {
        Ok(()) => next.run(request).await,
        Err(e) => e.into_response(),
    }
}

fn set_header(response: &mut Response, name: &str, value: &str) {
    if let (Ok(name), Ok(value)) = (
        HeaderName::from_bytes(name.as_bytes()),
        HeaderValue::from_str(value),
    ) {
        response.headers_mut().insert(name, value);
    }
}

/// Stamps a `cf-ray`, unless the handler (the audit log's layer, which
/// records it) already did.
fn add_cf_ray(response: &mut Response) {
    if !response.headers().contains_key("cf-ray") {
        set_header(response, "cf-ray", &crate::ids::cf_ray());
    }
}

/// Logs the request, applies faults and the rate limiter, and stamps every
/// answer with a `cf-ray`. Admin requests only get the `cf-ray`.
async fn edge(State(inner): State<Arc<Inner>>, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    if path == ADMIN_PREFIX || path.starts_with(&format!("{ADMIN_PREFIX}/")) {
        let mut response = next.run(request).await;
        add_cf_ray(&mut response);
        return response;
    }
    let (parts, body) = request.into_parts();
    let method = parts.method.as_str().to_owned();
    let query = parts.uri.query().map(str::to_owned);
    let record = |bytes: &[u8]| {
        inner.record(RecordedRequest::new(
            &method,
            &path,
            query.as_deref(),
            &parts.headers,
            bytes,
        ));
    };
    let Ok(bytes) = axum::body::to_bytes(body, inner.body_limit).await else {
        record(b"");
        let mut response = ApiError::too_large(inner.body_limit).into_response();
        add_cf_ray(&mut response);
        return response;
    };
    record(&bytes);
    let relative = path.strip_prefix(API_PREFIX).unwrap_or(&path);
    let fault = inner.take_fault(&method, relative);
    if let Some(fault) = &fault {
        if let Some(delay) = fault.delay() {
            tokio::time::sleep(delay).await;
        }
        if fault.drop_connection {
            return dropped_connection();
        }
    }
    let mut response = match &fault {
        Some(fault) if fault.answers() => fault_response(fault),
        _ => match inner.check_rate_limit() {
            Some(verdict) if !verdict.allowed => rate_limited(&verdict),
            verdict => {
                let request = Request::from_parts(parts, Body::from(bytes));
                let mut response = next.run(request).await;
                for (name, value) in verdict.iter().flat_map(Verdict::headers) {
                    set_header(&mut response, name, &value);
                }
                response
            }
        },
    };
    if let Some(fault) = &fault {
        for (name, value) in &fault.headers {
            set_header(&mut response, name, value);
        }
    }
    add_cf_ray(&mut response);
    match fault {
        Some(fault) if fault.truncate => truncated(response).await,
        _ => response,
    }
}

/// 429 with code 10100, `Retry-After` and the rate-limit headers.
fn rate_limited(verdict: &Verdict) -> Response {
    let mut err = ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        vec![member_types::ResponseInfo::new(
            10100,
            format!(
                "Rate limited: more than {} requests in {} seconds; retry after {} seconds",
                verdict.limit.requests,
                verdict.limit.window.as_secs().max(1),
                verdict.reset_secs
            ),
        )],
    );
    err.headers
        .push(("retry-after", verdict.reset_secs.to_string()));
    let mut response = err.into_response();
    for (name, value) in verdict.headers() {
        set_header(&mut response, name, &value);
    }
    response
}

fn fault_response(fault: &Fault) -> Response {
    let status = StatusCode::from_u16(fault.status.unwrap_or(500))
        .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let (content_type, bytes) = fault
        .body
        .as_ref()
        .map(FaultBody::content_type_and_bytes)
        .unwrap_or((None, Vec::new()));
    let mut response = (status, bytes).into_response();
    response.headers_mut().remove(header::CONTENT_TYPE);
    if let Some(content_type) = content_type {
        set_header(&mut response, "content-type", content_type);
    }
    response
}

fn broken_stream(first: Option<Bytes>) -> Body {
    use futures::StreamExt;
    let error = || std::io::Error::new(std::io::ErrorKind::ConnectionAborted, "fault injected");
    match first {
        None => Body::from_stream(futures::stream::iter([Err::<Bytes, _>(error())])),
        // The pause lets the server flush the head and the first half before
        // the failure closes the connection.
        Some(bytes) => Body::from_stream(futures::stream::iter([Ok(bytes)]).chain(
            futures::stream::once(async move {
                tokio::time::sleep(Duration::from_millis(50)).await;
                Err(error())
            }),
        )),
    }
}

/// A response whose body fails before a byte is written: the server closes
/// the connection without an answer.
fn dropped_connection() -> Response {
    Response::new(broken_stream(None))
}

/// Sends the full `Content-Length` with the first half of the body, then
/// fails the body, which closes the connection.
async fn truncated(response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let half = bytes.slice(..bytes.len() / 2);
    parts
        .headers
        .insert(header::CONTENT_LENGTH, HeaderValue::from(bytes.len()));
    Response::from_parts(parts, broken_stream(Some(half)))
}
