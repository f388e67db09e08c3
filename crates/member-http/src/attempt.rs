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
use crate::limiter::{acquire, sleep_until, CancelToken, Permit, PermitStop};
use crate::options::{AttemptInfo, RequestOptions};
use crate::path::ApiPath;
use crate::retry::{decide, Decision, RetryPolicy};

impl HttpClient {
    /// Builds the request once, then runs its attempts in one
    /// `cloudflare_request` span; the result and how many attempts it took.
    pub(crate) async fn execute<T: DeserializeOwned + 'static>(
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
        let exchange = Exchange::new(self, method, path, url, headers, body, opts);
        self.attempts(&exchange).instrument(span).await
    }

    /// Sends attempts until one succeeds or [`decide`] gives up.
    async fn attempts<T: DeserializeOwned + 'static>(
        &self,
        ex: &Exchange<'_>,
    ) -> Result<(Raw<T>, u32), Error> {
        let span = tracing::Span::current();
        if let Some(body) = &ex.body {
            tracing::trace!(body = %excerpt(body, 4096), "request body");
        }
        // The failure of the previous attempt, returned when a retry cannot
        // be sent after all (deadline or cancellation while waiting).
        let mut previous: Option<Error> = None;
        let mut attempt: u32 = 0;
        loop {
            attempt += 1;
            span.record("attempt", attempt);
            if ex.cancel.is_some_and(CancelToken::is_cancelled) {
                return Err(previous.unwrap_or_else(|| Error::cancelled(&ex.ctx)));
            }
            let (permit, rate_limit_wait) = match self.permit(ex).await {
                Ok(permit) => permit,
                Err(stopped) => return Err(previous.unwrap_or(stopped)),
            };
            let attempt_started = Instant::now();
            let mut outcome = self.timed_attempt::<T>(ex, attempt_started).await;
            let elapsed = attempt_started.elapsed();
            if let Some(permit) = permit {
                permit.finish(match &outcome {
                    Ok(raw) => Some(&raw.meta),
                    Err(e) => e.meta(),
                });
            }
            let decision = match &mut outcome {
                Ok(_) => None,
                Err(err) => {
                    err.set_attempts(attempt);
                    Some(self.decide(ex, attempt, err))
                }
            };
            let report = Report {
                attempt,
                elapsed,
                retry_in: decision.and_then(Decision::retry_in),
                rate_limit_wait,
            };
            self.report(ex, &report, &outcome, &span);
            match (outcome, decision) {
                (Ok(raw), _) => return Ok((raw, attempt)),
                // The next permit waits for the limiter's block.
                (Err(err), Some(Decision::WaitForLimiter(_))) => previous = Some(err),
                (Err(err), Some(Decision::RetryAfter(wait))) => {
                    if !sleep_until(Instant::now() + wait, ex.cancel).await {
                        return Err(err);
                    }
                    previous = Some(err);
                }
                (Err(err), _) => return Err(err),
            }
        }
    }

    /// Waits for the rate limiter's permit, when the limiter is on; how long
    /// it took. Fails, nothing sent, when the request is cancelled or the
    /// deadline would pass in the queue.
    async fn permit(&self, ex: &Exchange<'_>) -> Result<(Option<Permit<'_>>, Duration), Error> {
        let Some(limiter) = &self.inner.limiter else {
            return Ok((None, Duration::ZERO));
        };
        match acquire(limiter, ex.deadline_at, ex.cancel).await {
            Ok((permit, waited)) => Ok((Some(permit), waited)),
            Err(PermitStop::Cancelled) => Err(Error::cancelled(&ex.ctx)),
            Err(PermitStop::Deadline) => Err(Error::Timeout(Box::new(TimeoutError {
                ctx: ex.ctx.clone(),
                phase: TimeoutPhase::Queued,
                limit: ex.deadline.unwrap_or_default(),
                source: None,
            }))),
        }
    }

    /// One attempt under the per-attempt timeout, or under what is left of
    /// the deadline when that is shorter.
    async fn timed_attempt<T: DeserializeOwned + 'static>(
        &self,
        ex: &Exchange<'_>,
        attempt_started: Instant,
    ) -> Result<Raw<T>, Error> {
        let (limit, phase) = match ex.deadline_at {
            Some(at) if at.saturating_duration_since(attempt_started) <= ex.attempt_timeout => (
                at.saturating_duration_since(attempt_started),
                TimeoutPhase::Deadline,
            ),
            _ => (ex.attempt_timeout, TimeoutPhase::Attempt),
        };
        let timeout_error = || {
            let limit = match phase {
                TimeoutPhase::Deadline => ex.deadline.unwrap_or(limit),
                _ => limit,
            };
            Error::Timeout(Box::new(TimeoutError {
                ctx: ex.ctx.clone(),
                phase,
                limit,
                source: None,
            }))
        };
        if limit.is_zero() {
            return Err(timeout_error());
        }
        let once = self.attempt_once::<T>(&ex.ctx, &ex.url, &ex.headers, ex.body.clone());
        match tokio::time::timeout(limit, once).await {
            Ok(outcome) => outcome,
            Err(_) => Err(timeout_error()),
        }
    }

    /// [`decide`] for a failed attempt, with what the decision asks to
    /// record: the limiter's block, the refused wait in the error.
    fn decide(&self, ex: &Exchange<'_>, attempt: u32, err: &mut Error) -> Decision {
        let inner = &*self.inner;
        let decision = decide(
            &ex.policy,
            &ex.method,
            attempt,
            err,
            Instant::now(),
            ex.deadline_at,
            || inner.jitter.next_unit(),
        );
        match decision {
            Decision::WaitForLimiter(wait)
            | Decision::GiveUp {
                limiter_block: Some(wait),
                ..
            } => {
                if let Some(limiter) = &inner.limiter {
                    limiter.block_for(wait);
                }
            }
            _ => {}
        }
        if let (
            Decision::GiveUp {
                wait_refused_cap: Some(cap),
                ..
            },
            Error::Api(api),
        ) = (decision, &mut *err)
        {
            api.wait_refused_cap = Some(cap);
        }
        decision
    }

    /// Records one attempt: the span's fields, a debug event and the
    /// caller's [`AttemptHook`](crate::AttemptHook).
    fn report<T>(
        &self,
        ex: &Exchange<'_>,
        report: &Report,
        outcome: &Result<Raw<T>, Error>,
        span: &tracing::Span,
    ) {
        let (status, cf_ray, error) = match outcome {
            Ok(raw) => (Some(raw.status), raw.meta.cf_ray(), None),
            Err(e) => (e.status(), e.cf_ray(), Some(e.kind())),
        };
        if let Some(status) = status {
            span.record("status", status);
        }
        if let Some(ray) = cf_ray {
            span.record("cf_ray", ray);
        }
        span.record("elapsed_ms", ex.started.elapsed().as_millis() as u64);
        tracing::debug!(
            attempt = report.attempt,
            status,
            cf_ray,
            error = error.map(ErrorKind::as_str),
            elapsed_ms = report.elapsed.as_millis() as u64,
            retry_in_ms = report.retry_in.map(|d| d.as_millis() as u64),
            rate_limit_wait_ms = report.rate_limit_wait.as_millis() as u64,
            "attempt finished"
        );
        if let Some(hook) = &self.inner.on_attempt {
            hook(&AttemptInfo {
                method: ex.method.clone(),
                path: ex.path.as_str().to_owned(),
                template: ex.path.template().to_owned(),
                attempt: report.attempt,
                status,
                cf_ray: cf_ray.map(str::to_owned),
                elapsed: report.elapsed,
                error,
                retry_in: report.retry_in,
                rate_limit_wait: report.rate_limit_wait,
            });
        }
    }

    async fn attempt_once<T: DeserializeOwned + 'static>(
        &self,
        ctx: &Context,
        url: &Url,
        headers: &HeaderMap,
        body: Option<Bytes>,
    ) -> Result<Raw<T>, Error> {
        let inner = &*self.inner;
        // The request is built whole rather than through reqwest's builder,
        // which would merge the headers into an empty map one by one.
        let mut request = reqwest::Request::new(ctx.method.clone(), url.clone());
        *request.headers_mut() = headers.clone();
        *request.body_mut() = body.map(reqwest::Body::from);
        let response = inner
            .http
            .execute(request)
            .await
            .map_err(|e| send_error(ctx, e, inner.limits.connect_timeout))?;
        receive(ctx, response, inner.limits.max_body_bytes).await
    }
}

/// One request's fixed parts, shared by its attempts.
struct Exchange<'a> {
    method: Method,
    path: &'a ApiPath,
    ctx: Context,
    url: Url,
    headers: HeaderMap,
    body: Option<Bytes>,
    started: Instant,
    /// The overall deadline's length, and when it passes.
    deadline: Option<Duration>,
    deadline_at: Option<Instant>,
    attempt_timeout: Duration,
    policy: RetryPolicy,
    cancel: Option<&'a CancelToken>,
}

impl<'a> Exchange<'a> {
    /// The request's settings: `opts` where it sets them, else the client's.
    fn new(
        client: &HttpClient,
        method: Method,
        path: &'a ApiPath,
        url: Url,
        headers: HeaderMap,
        body: Option<Bytes>,
        opts: &'a RequestOptions,
    ) -> Self {
        let inner = &*client.inner;
        let started = Instant::now();
        let deadline = opts.deadline.or(inner.limits.deadline);
        Self {
            ctx: Context::new(&method, path.as_str()),
            method,
            path,
            url,
            headers,
            body,
            started,
            deadline,
            deadline_at: deadline.map(|d| started + d),
            attempt_timeout: opts.timeout.unwrap_or(inner.limits.timeout),
            policy: RetryPolicy {
                max_retries: opts.max_retries.unwrap_or(inner.limits.max_retries),
                retry_after_cap: inner.limits.retry_after_cap,
                limiter: inner.limiter.is_some(),
            },
            cancel: opts.cancel.as_ref(),
        }
    }
}

/// What one attempt's report says beside its outcome.
struct Report {
    attempt: u32,
    elapsed: Duration,
    retry_in: Option<Duration>,
    rate_limit_wait: Duration,
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
