//! The attempt loop: permits, timeouts, retries and their report.

use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, Method};
use serde::de::DeserializeOwned;
use tokio::time::Instant;
use tracing::field::Empty;
use tracing::Instrument;
use url::Url;

use crate::body::excerpt;
use crate::classify::{receive, Raw};
use crate::client::HttpClient;
use crate::error::{
    ConnectionError, ConnectionStage, Context, Error, ErrorKind, TimeoutError, TimeoutPhase,
};
use crate::limiter::{acquire, sleep_until, CancelToken, PermitStop};
use crate::options::{AttemptInfo, RequestOptions};
use crate::path::ApiPath;
use crate::retry::{backoff_delay, should_retry};

impl HttpClient {
    pub(crate) async fn execute<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &ApiPath,
        query: &[(&str, String)],
        body: Option<Bytes>,
        opts: &RequestOptions,
    ) -> Result<(Raw<T>, u32), Error> {
        let url = self.url(path, query)?;
        let headers = self.request_headers(body.is_some(), &opts.headers)?;
        let span = tracing::debug_span!(
            "cloudflare_request",
            method = %method,
            path = path.template(),
            attempt = Empty,
            status = Empty,
            cf_ray = Empty,
            elapsed_ms = Empty,
        );
        self.attempts(method, path, url, headers, body, opts)
            .instrument(span)
            .await
    }

    async fn attempts<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &ApiPath,
        url: Url,
        headers: HeaderMap,
        body: Option<Bytes>,
        opts: &RequestOptions,
    ) -> Result<(Raw<T>, u32), Error> {
        let inner = &*self.inner;
        let span = tracing::Span::current();
        let ctx = Context::new(&method, path.as_str());
        let started = Instant::now();
        let deadline = opts.deadline.or(inner.deadline);
        let deadline_at = deadline.map(|d| started + d);
        let attempt_timeout = opts.timeout.unwrap_or(inner.timeout);
        let max_retries = opts.max_retries.unwrap_or(inner.max_retries);
        let cancel = opts.cancel.as_ref();
        if let Some(body) = &body {
            tracing::trace!(body = %excerpt(body, 4096), "request body");
        }
        // The failure of the previous attempt, returned when a retry cannot
        // be sent after all (deadline or cancellation while waiting).
        let mut previous: Option<Error> = None;
        let mut attempt: u32 = 0;
        loop {
            attempt += 1;
            span.record("attempt", attempt);
            if cancel.is_some_and(CancelToken::is_cancelled) {
                return Err(previous.unwrap_or_else(|| Error::cancelled(&ctx)));
            }
            let (permit, rate_limit_wait) = match &inner.limiter {
                Some(limiter) => match acquire(limiter, deadline_at, cancel).await {
                    Ok((permit, waited)) => (Some(permit), waited),
                    Err(stop) => {
                        return Err(previous.unwrap_or_else(|| match stop {
                            PermitStop::Cancelled => Error::cancelled(&ctx),
                            PermitStop::Deadline => Error::Timeout(Box::new(TimeoutError {
                                ctx: ctx.clone(),
                                phase: TimeoutPhase::Queued,
                                limit: deadline.unwrap_or_default(),
                                source: None,
                            })),
                        }));
                    }
                },
                None => (None, Duration::ZERO),
            };
            let attempt_started = Instant::now();
            let (limit, phase) = match deadline_at {
                Some(at) if at.saturating_duration_since(attempt_started) <= attempt_timeout => (
                    at.saturating_duration_since(attempt_started),
                    TimeoutPhase::Deadline,
                ),
                _ => (attempt_timeout, TimeoutPhase::Attempt),
            };
            let timeout_error = |ctx: &Context| {
                let limit = match phase {
                    TimeoutPhase::Deadline => deadline.unwrap_or(limit),
                    _ => limit,
                };
                Error::Timeout(Box::new(TimeoutError {
                    ctx: ctx.clone(),
                    phase,
                    limit,
                    source: None,
                }))
            };
            let mut outcome = if limit.is_zero() {
                Err(timeout_error(&ctx))
            } else {
                let once = self.attempt_once::<T>(&ctx, &url, &headers, body.clone());
                match tokio::time::timeout(limit, once).await {
                    Ok(outcome) => outcome,
                    Err(_) => Err(timeout_error(&ctx)),
                }
            };
            let elapsed = attempt_started.elapsed();
            if let Some(permit) = permit {
                let meta = match &outcome {
                    Ok(raw) => Some(&raw.meta),
                    Err(e) => e.meta(),
                };
                permit.finish(meta);
            }

            let mut retry_in = None;
            // Whether the wait is left to the limiter (a 429 it now enforces
            // for every request of this client).
            let mut limiter_waits = false;
            if let Err(err) = &mut outcome {
                err.set_attempts(attempt);
                let rate_limited = err.status() == Some(429);
                if rate_limited {
                    if let Some(limiter) = &inner.limiter {
                        // The caller opted in to waiting what the server
                        // asks, above the single-call cap; everyone waits.
                        let wait = err
                            .retry_after()
                            .or_else(|| err.meta().and_then(|m| m.rate_limit()?.reset))
                            .unwrap_or_else(|| {
                                backoff_delay(attempt - 1, inner.jitter.next_unit())
                            });
                        limiter.block_for(wait);
                        if attempt <= max_retries && should_retry(&method, err) {
                            retry_in = Some(wait);
                            limiter_waits = true;
                        }
                    }
                }
                if !limiter_waits && attempt <= max_retries && should_retry(&method, err) {
                    match err.retry_after() {
                        Some(wait) if wait > inner.retry_after_cap => {
                            if let Error::Api(api) = err {
                                api.wait_refused_cap = Some(inner.retry_after_cap);
                            }
                        }
                        Some(wait) => retry_in = Some(wait),
                        None => {
                            retry_in = Some(backoff_delay(attempt - 1, inner.jitter.next_unit()));
                        }
                    }
                }
                // A wait that would pass the deadline is pointless: the
                // last real failure says more than a timeout would.
                if let (Some(wait), Some(at)) = (retry_in, deadline_at) {
                    if Instant::now() + wait >= at {
                        retry_in = None;
                    }
                }
            }

            let (status, cf_ray, error) = match &outcome {
                Ok(raw) => (Some(raw.status), raw.meta.cf_ray(), None),
                Err(e) => (e.status(), e.cf_ray(), Some(e.kind())),
            };
            if let Some(status) = status {
                span.record("status", status);
            }
            if let Some(ray) = cf_ray {
                span.record("cf_ray", ray);
            }
            span.record("elapsed_ms", started.elapsed().as_millis() as u64);
            tracing::debug!(
                attempt,
                status,
                cf_ray,
                error = error.map(ErrorKind::as_str),
                elapsed_ms = elapsed.as_millis() as u64,
                retry_in_ms = retry_in.map(|d| d.as_millis() as u64),
                rate_limit_wait_ms = rate_limit_wait.as_millis() as u64,
                "attempt finished"
            );
            if let Some(hook) = &inner.on_attempt {
                hook(&AttemptInfo {
                    method: method.clone(),
                    path: path.as_str().to_owned(),
                    template: path.template().to_owned(),
                    attempt,
                    status,
                    cf_ray: cf_ray.map(str::to_owned),
                    elapsed,
                    error,
                    retry_in,
                    rate_limit_wait,
                });
            }

            match (outcome, retry_in) {
                (Ok(raw), _) => return Ok((raw, attempt)),
                (Err(err), None) => return Err(err),
                // The next permit waits for the limiter's block.
                (Err(err), Some(_)) if limiter_waits => previous = Some(err),
                (Err(err), Some(wait)) => {
                    if !sleep_until(Instant::now() + wait, cancel).await {
                        return Err(err);
                    }
                    previous = Some(err);
                }
            }
        }
    }

    async fn attempt_once<T: DeserializeOwned>(
        &self,
        ctx: &Context,
        url: &Url,
        headers: &HeaderMap,
        body: Option<Bytes>,
    ) -> Result<Raw<T>, Error> {
        let inner = &*self.inner;
        let mut request = inner
            .http
            .request(ctx.method.clone(), url.clone())
            .headers(headers.clone());
        if let Some(body) = body {
            request = request.body(body);
        }
        let response = request
            .send()
            .await
            .map_err(|e| send_error(ctx, e, inner.connect_timeout))?;
        receive(ctx, response, inner.max_body_bytes).await
    }
}

fn send_error(ctx: &Context, err: reqwest::Error, connect_timeout: Duration) -> Error {
    if err.is_connect() && err.is_timeout() {
        return Error::Timeout(Box::new(TimeoutError {
            ctx: ctx.clone(),
            phase: TimeoutPhase::Connect,
            limit: connect_timeout,
            source: Some(Box::new(err)),
        }));
    }
    let stage = if err.is_connect() {
        ConnectionStage::Connect
    } else {
        ConnectionStage::Exchange
    };
    Error::Connection(Box::new(ConnectionError {
        ctx: ctx.clone(),
        stage,
        source: Box::new(err),
    }))
}
