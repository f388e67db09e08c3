//! The detail of each error that concerns a sent request: what the server
//! answered, or how the exchange failed, with the request's [`Context`].

use std::fmt;
use std::time::Duration;

use member_types::ResponseInfo;

use super::{BoxError, Context, TimeoutPhase};
use crate::response::ResponseMeta;

fn status_text(status: u16) -> String {
    let reason = http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason());
    match reason {
        Some(reason) => format!("HTTP {status} {reason}"),
        None => format!("HTTP {status}"),
    }
}

/// `, cf-ray …, after N attempts`, the tail of every response error.
fn write_tail(f: &mut fmt::Formatter<'_>, meta: &ResponseMeta, ctx: &Context) -> fmt::Result {
    if let Some(ray) = meta.cf_ray() {
        write!(f, " (cf-ray {ray})")?;
    }
    if ctx.attempts > 1 {
        write!(f, " after {} attempts", ctx.attempts)?;
    }
    Ok(())
}

fn write_info(f: &mut fmt::Formatter<'_>, info: &ResponseInfo) -> fmt::Result {
    write!(f, "{} {}", info.code, info.message)?;
    if let Some(pointer) = info.source.as_ref().and_then(|s| s.pointer.as_deref()) {
        write!(f, " (at {pointer})")?;
    }
    if !info.error_chain.is_empty() {
        f.write_str(" [")?;
        for (i, nested) in info.error_chain.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write_info(f, nested)?;
        }
        f.write_str("]")?;
    }
    Ok(())
}

fn secs(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s.fract() == 0.0 {
        format!("{s:.0}s")
    } else {
        format!("{s:.3}s")
    }
}

/// An error answer from the API: an error status, or `success: false`.
#[derive(Debug)]
pub struct ApiError {
    pub(crate) ctx: Context,
    pub(crate) status: u16,
    pub(crate) success_false: bool,
    pub(crate) errors: Vec<ResponseInfo>,
    pub(crate) messages: Vec<ResponseInfo>,
    pub(crate) excerpt: Option<String>,
    pub(crate) meta: ResponseMeta,
    /// Set when the server asked to wait longer than this cap.
    pub(crate) wait_refused_cap: Option<Duration>,
}

impl ApiError {
    /// The HTTP status.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// Whether the status was 2xx and the envelope said `success: false`.
    pub fn is_unsuccessful_2xx(&self) -> bool {
        self.success_false
    }

    /// The envelope's errors, each with its code, message,
    /// `documentation_url`, `source.pointer` and `error_chain`.
    pub fn errors(&self) -> &[ResponseInfo] {
        &self.errors
    }

    /// The envelope's messages.
    pub fn messages(&self) -> &[ResponseInfo] {
        &self.messages
    }

    /// The body excerpt when the body was not an envelope.
    pub fn excerpt(&self) -> Option<&str> {
        self.excerpt.as_deref()
    }

    /// The response headers.
    pub fn meta(&self) -> &ResponseMeta {
        &self.meta
    }

    /// When the server asked to wait longer than the client's cap, the cap.
    pub fn wait_refused_cap(&self) -> Option<Duration> {
        self.wait_refused_cap
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.ctx, status_text(self.status))?;
        if self.success_false {
            f.write_str(" with success:false")?;
        }
        if !self.errors.is_empty() {
            f.write_str(": ")?;
            for (i, info) in self.errors.iter().enumerate() {
                if i > 0 {
                    f.write_str("; ")?;
                }
                write_info(f, info)?;
            }
        } else if let Some(excerpt) = &self.excerpt {
            write!(f, ": the body is not a Cloudflare envelope: {excerpt:?}")?;
        }
        if let (Some(cap), Some(wait)) = (self.wait_refused_cap, self.meta.retry_after()) {
            write!(
                f,
                "; the server asked to wait {}, longer than the {} limit",
                secs(wait),
                secs(cap)
            )?;
        }
        write_tail(f, &self.meta, &self.ctx)
    }
}

impl std::error::Error for ApiError {}

/// A redirect answer; redirects are never followed.
#[derive(Debug)]
pub struct RedirectError {
    pub(crate) ctx: Context,
    pub(crate) status: u16,
    pub(crate) location: Option<String>,
    pub(crate) meta: ResponseMeta,
}

impl RedirectError {
    /// The `Location` header, when there was one.
    pub fn location(&self) -> Option<&str> {
        self.location.as_deref()
    }
}

impl fmt::Display for RedirectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {} redirect", self.ctx, status_text(self.status))?;
        match &self.location {
            Some(location) => write!(f, " to {location:?}")?,
            None => f.write_str(" without a Location")?,
        }
        f.write_str(" refused: redirects are never followed (check the base URL)")?;
        write_tail(f, &self.meta, &self.ctx)
    }
}

impl std::error::Error for RedirectError {}

/// A response body larger than the configured limit.
#[derive(Debug)]
pub struct BodyTooLargeError {
    pub(crate) ctx: Context,
    pub(crate) status: u16,
    pub(crate) limit: usize,
    pub(crate) declared: Option<u64>,
    pub(crate) meta: ResponseMeta,
}

impl BodyTooLargeError {
    /// The limit in bytes.
    pub fn limit(&self) -> usize {
        self.limit
    }

    /// The `Content-Length` the server declared, when it declared one.
    pub fn declared(&self) -> Option<u64> {
        self.declared
    }
}

impl fmt::Display for BodyTooLargeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {} with a body larger than the {}-byte limit",
            self.ctx,
            status_text(self.status),
            self.limit
        )?;
        if let Some(declared) = self.declared {
            write!(f, " (Content-Length {declared})")?;
        }
        write_tail(f, &self.meta, &self.ctx)
    }
}

impl std::error::Error for BodyTooLargeError {}

/// A response that could not be decoded.
#[derive(Debug)]
pub struct DecodeError {
    pub(crate) ctx: Context,
    pub(crate) status: u16,
    pub(crate) message: String,
    pub(crate) json_path: Option<String>,
    pub(crate) excerpt: Option<String>,
    pub(crate) meta: ResponseMeta,
}

impl DecodeError {
    /// The JSON path that failed, e.g. `result.roles[0].id`.
    pub fn json_path(&self) -> Option<&str> {
        self.json_path.as_deref()
    }

    /// What was wrong there.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {} but the response could not be decoded",
            self.ctx,
            status_text(self.status)
        )?;
        if let Some(path) = &self.json_path {
            write!(f, " at `{path}`")?;
        }
        write!(f, ": {}", self.message)?;
        if let Some(excerpt) = &self.excerpt {
            write!(f, "; body: {excerpt:?}")?;
        }
        write_tail(f, &self.meta, &self.ctx)
    }
}

impl std::error::Error for DecodeError {}

/// How far a failed connection got.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ConnectionStage {
    /// Connecting (nothing was sent).
    Connect,
    /// Sending the request or waiting for the response head.
    Exchange,
    /// Reading the response body.
    Body,
}

/// A failed connection.
#[derive(Debug)]
pub struct ConnectionError {
    pub(crate) ctx: Context,
    pub(crate) stage: ConnectionStage,
    pub(crate) source: BoxError,
}

impl ConnectionError {
    /// Whether the connection could not be made at all, so the request
    /// certainly did not reach the server.
    pub fn is_connect(&self) -> bool {
        self.stage == ConnectionStage::Connect
    }
}

impl fmt::Display for ConnectionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.stage {
            ConnectionStage::Connect => "could not connect to the server (nothing was sent)",
            ConnectionStage::Exchange => {
                "the connection failed after the request may have been sent"
            }
            ConnectionStage::Body => "the connection failed while reading the response",
        };
        write!(f, "{}: {what}", self.ctx)?;
        if self.ctx.attempts > 1 {
            write!(f, " after {} attempts", self.ctx.attempts)?;
        }
        Ok(())
    }
}

impl std::error::Error for ConnectionError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&*self.source)
    }
}

/// A timeout.
#[derive(Debug)]
pub struct TimeoutError {
    pub(crate) ctx: Context,
    pub(crate) phase: TimeoutPhase,
    pub(crate) limit: Duration,
    pub(crate) source: Option<BoxError>,
}

impl TimeoutError {
    /// Which limit elapsed.
    pub fn phase(&self) -> TimeoutPhase {
        self.phase
    }

    /// The limit that elapsed.
    pub fn limit(&self) -> Duration {
        self.limit
    }
}

impl fmt::Display for TimeoutError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let limit = secs(self.limit);
        match self.phase {
            TimeoutPhase::Connect => write!(
                f,
                "{}: could not connect within {limit} (nothing was sent)",
                self.ctx
            )?,
            TimeoutPhase::Attempt => {
                write!(f, "{}: no complete response within {limit}", self.ctx)?
            }
            TimeoutPhase::Deadline => {
                write!(f, "{}: the overall deadline of {limit} elapsed", self.ctx)?;
            }
            TimeoutPhase::Queued => write!(
                f,
                "{}: the overall deadline of {limit} would pass while waiting for the \
                 client-side rate limit (nothing was sent)",
                self.ctx
            )?,
        }
        if self.ctx.attempts > 1 {
            write!(f, " after {} attempts", self.ctx.attempts)?;
        }
        Ok(())
    }
}

impl std::error::Error for TimeoutError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}
