//! Response classification: a response becomes a [`Raw`] result or an
//! [`Error`], and a [`Raw`] result becomes an [`ApiResponse`].

use member_types::{Envelope, ResponseInfo, ResultInfo};
use serde::de::{DeserializeOwned, IgnoredAny};
use serde_json::value::RawValue;

use crate::body::{excerpt, read_capped, ReadError, EXCERPT_CHARS};
use crate::error::{
    ApiError, BodyTooLargeError, ConnectionError, ConnectionStage, Context, DecodeError, Error,
    RedirectError,
};
use crate::response::{ApiResponse, ResponseMeta};

/// A classified successful response.
pub(crate) struct Raw<T> {
    pub(crate) status: u16,
    pub(crate) meta: ResponseMeta,
    pub(crate) result: Pending<T>,
    pub(crate) messages: Vec<ResponseInfo>,
    pub(crate) result_info: Option<ResultInfo>,
}

/// The `result` of a successful response: decoded in the same pass as the
/// envelope (the usual case), or kept as received, to be decoded after the
/// attempt loop by [`decode_result`]. The second form is taken whenever the
/// one pass fails, so a `result` that does not decode as `T` always fails the
/// same way: after the attempt counted as a success (it is not retried), with
/// the JSON path of the offending value.
pub(crate) enum Pending<T> {
    Decoded(T),
    Raw {
        ctx: Context,
        result: Option<Box<RawValue>>,
    },
}

/// Reads and classifies one response: a redirect is refused, the body is read
/// under `max_body_bytes`, then [`classify`] decides.
pub(crate) async fn receive<T: DeserializeOwned + 'static>(
    ctx: &Context,
    mut response: reqwest::Response,
    max_body_bytes: usize,
) -> Result<Raw<T>, Error> {
    let status = response.status().as_u16();
    // The headers are moved out, not copied: reading the body needs only
    // its length, which the body itself knows.
    let meta = ResponseMeta::new(std::mem::take(response.headers_mut()));
    if response.status().is_redirection() {
        let location = meta
            .headers()
            .get(http::header::LOCATION)
            .map(|v| excerpt(v.as_bytes(), EXCERPT_CHARS));
        return Err(Error::Redirect(Box::new(RedirectError {
            ctx: ctx.clone(),
            status,
            location,
            meta,
        })));
    }
    let body = match read_capped(response, max_body_bytes).await {
        Ok(body) => body,
        Err(ReadError::TooLarge { declared }) => {
            return Err(Error::BodyTooLarge(Box::new(BodyTooLargeError {
                ctx: ctx.clone(),
                status,
                limit: max_body_bytes,
                declared,
                meta,
            })))
        }
        Err(ReadError::Transport(e)) => {
            return Err(Error::Connection(Box::new(ConnectionError {
                ctx: ctx.clone(),
                stage: ConnectionStage::Body,
                source: Box::new(e),
            })))
        }
    };
    tracing::trace!(status, body = %excerpt(&body, 4096), "response body");
    classify(ctx, status, meta, &body)
}

/// `success` decides together with the status; error bodies are never
/// decoded as `Envelope<T>`, and a body that is not an envelope keeps a
/// short excerpt.
///
/// A 2xx body is first read in one pass as `Envelope<T>`, straight from the
/// buffered bytes (with [`member_types::json::from_slice`]: serde_json, or
/// simd-json with the `fast-json` feature): that is the whole decoding cost
/// of a successful call. Anything else (an envelope that says
/// `success: false`, a missing `result`, a body that is not an envelope, a
/// `result` that is not a `T`) goes through [`classify_slow`]. Both paths
/// give the same answer for every body: the fast one only ever accepts what
/// the slow one would also accept and decode to the same value.
fn classify<T: DeserializeOwned + 'static>(
    ctx: &Context,
    status: u16,
    meta: ResponseMeta,
    body: &[u8],
) -> Result<Raw<T>, Error> {
    if (200..300).contains(&status) {
        if let Ok(Envelope {
            success: true,
            messages,
            result: Some(result),
            result_info,
            ..
        }) = member_types::json::from_slice::<Envelope<T>>(body)
        {
            return Ok(Raw {
                status,
                meta,
                result: Pending::Decoded(result),
                messages,
                result_info,
            });
        }
    }
    classify_slow(ctx, status, meta, body)
}

/// An error status: the envelope's errors and messages when the body is an
/// envelope (its `result` is never decoded), else a short excerpt.
fn error_answer(ctx: &Context, status: u16, meta: ResponseMeta, body: &[u8]) -> Error {
    let (errors, messages, excerpt_text) =
        match serde_json::from_slice::<Envelope<IgnoredAny>>(body) {
            Ok(envelope) => (envelope.errors, envelope.messages, None),
            Err(_) => (Vec::new(), Vec::new(), Some(excerpt(body, EXCERPT_CHARS))),
        };
    Error::Api(Box::new(ApiError {
        ctx: ctx.clone(),
        status,
        success_false: false,
        errors,
        messages,
        excerpt: excerpt_text,
        meta,
        wait_refused_cap: None,
    }))
}

/// The classification of [`classify`] in two steps: the envelope with a raw
/// `result` (with the JSON path of what does not fit), the `result` later in
/// [`decode_result`].
fn classify_slow<T>(
    ctx: &Context,
    status: u16,
    meta: ResponseMeta,
    body: &[u8],
) -> Result<Raw<T>, Error> {
    let decode_error = |meta: ResponseMeta, message: String, json_path: Option<String>| {
        Error::Decode(Box::new(DecodeError {
            ctx: ctx.clone(),
            status,
            message,
            json_path,
            excerpt: Some(excerpt(body, EXCERPT_CHARS)),
            meta,
        }))
    };
    if !(200..300).contains(&status) {
        return Err(error_answer(ctx, status, meta, body));
    }
    if body.iter().all(u8::is_ascii_whitespace) {
        if status == 204 {
            return Ok(Raw {
                status,
                meta,
                result: Pending::Raw {
                    ctx: ctx.clone(),
                    result: None,
                },
                messages: Vec::new(),
                result_info: None,
            });
        }
        return Err(decode_error(meta, "the body is empty".to_owned(), None));
    }
    let mut de = serde_json::Deserializer::from_slice(body);
    let envelope: Envelope<Box<RawValue>> = match serde_path_to_error::deserialize(&mut de) {
        Ok(envelope) => envelope,
        Err(e) => {
            let path = e.path().to_string();
            let path = (path != ".").then_some(path);
            return Err(decode_error(
                meta,
                format!("not a Cloudflare envelope: {}", e.inner()),
                path,
            ));
        }
    };
    if let Err(e) = de.end() {
        return Err(decode_error(
            meta,
            format!("not a Cloudflare envelope: {e}"),
            None,
        ));
    }
    if !envelope.success {
        return Err(Error::Api(Box::new(ApiError {
            ctx: ctx.clone(),
            status,
            success_false: true,
            errors: envelope.errors,
            messages: envelope.messages,
            excerpt: None,
            meta,
            wait_refused_cap: None,
        })));
    }
    Ok(Raw {
        status,
        meta,
        result: Pending::Raw {
            ctx: ctx.clone(),
            result: envelope.result,
        },
        messages: envelope.messages,
        result_info: envelope.result_info,
    })
}

/// The [`ApiResponse`] of a classified success, decoding a `result` kept raw
/// now; a `result` that is not a `T` fails with its JSON path.
pub(crate) fn decode_result<T: DeserializeOwned + 'static>(
    raw: Raw<T>,
    attempts: u32,
) -> Result<ApiResponse<T>, Error> {
    let Raw {
        status,
        meta,
        result,
        messages,
        result_info,
    } = raw;
    let result = match result {
        Pending::Decoded(result) => result,
        Pending::Raw { mut ctx, result } => match decode_raw::<T>(result.as_deref()) {
            Ok(result) => result,
            Err((message, json_path)) => {
                ctx.attempts = attempts;
                return Err(Error::Decode(Box::new(DecodeError {
                    ctx,
                    status,
                    message,
                    json_path: Some(json_path),
                    excerpt: None,
                    meta,
                })));
            }
        },
    };
    Ok(ApiResponse {
        result,
        status,
        messages,
        result_info,
        meta,
        attempts,
    })
}

/// Decodes a raw `result` (missing is `null`); on failure, what was wrong
/// and where, as a path from `result`.
fn decode_raw<T: DeserializeOwned + 'static>(
    result: Option<&RawValue>,
) -> Result<T, (String, String)> {
    let text = result.map_or("null", RawValue::get);
    let mut de = serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize::<_, T>(&mut de).map_err(|e| {
        let inner_path = e.path().to_string();
        let json_path = match inner_path.as_str() {
            "." => "result".to_owned(),
            p if p.starts_with('[') => format!("result{p}"),
            p => format!("result.{p}"),
        };
        (e.inner().to_string(), json_path)
    })
}
