//! The client-side rate limiter, on Tokio's paused clock: the budget, the
//! server's `Ratelimit` header, the shared block after a 429 (above the
//! `Retry-After` cap), cancellation and the deadline while queued.
//!
//! Two servers on 127.0.0.1: the scripted one of `common`, and a fixed-window
//! server written here that counts like the real API (and member-mock) on the
//! runtime's clock: N requests per window from the first request of the
//! window, `Ratelimit: "default";r=..;t=..` on every answer (t rounded up to
//! whole seconds), 429 with code 10100 and `Retry-After` past the limit.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{Reply, Server};
use member_http::{
    ApiPath, AttemptInfo, CancelToken, ErrorKind, HttpClient, RateLimitConfig, RequestOptions,
    TimeoutPhase,
};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::Instant;

fn path() -> ApiPath {
    ApiPath::new().lit("things")
}

async fn get(client: &HttpClient) -> Result<member_http::ApiResponse<Value>, member_http::Error> {
    client.get(&path(), &[], &RequestOptions::new()).await
}

/// Sends `n` GETs with at most `concurrency` in flight; returns the results
/// in completion order.
async fn run(
    client: &HttpClient,
    n: usize,
    concurrency: usize,
) -> Vec<Result<member_http::ApiResponse<Value>, member_http::Error>> {
    use futures::StreamExt;
    futures::stream::iter(0..n)
        .map(|_| get(client))
        .buffer_unordered(concurrency)
        .collect()
        .await
}

/// The most arrivals in any half-open interval `[t, t + window)`.
fn max_in_any_window(arrivals: &[Instant], window: Duration) -> usize {
    let mut sorted = arrivals.to_vec();
    sorted.sort();
    (0..sorted.len())
        .map(|i| {
            sorted[i..]
                .iter()
                .take_while(|t| **t < sorted[i] + window)
                .count()
        })
        .max()
        .unwrap_or(0)
}

// ------------------------------------------------- a fixed-window server ---

struct Window {
    limit: u32,
    window: Duration,
    /// At most `limit` in any interval of `window` instead of fixed windows.
    sliding: bool,
    /// How long each answer takes.
    delay: Duration,
    start: Option<Instant>,
    count: u32,
    arrivals: Vec<(Instant, u16)>,
}

/// Counts requests in fixed windows like the real API, on the runtime clock.
#[derive(Clone)]
struct WindowServer {
    addr: std::net::SocketAddr,
    state: Arc<Mutex<Window>>,
}

impl WindowServer {
    async fn start(limit: u32, window: Duration) -> Self {
        Self::spawn(limit, window, false).await
    }

    /// A strict server: at most `limit` in any interval of `window`
    /// (`(now - window, now]`); `t` is the time until the oldest counted
    /// request leaves the window.
    fn sliding(limit: u32, window: Duration) -> SlidingStart {
        SlidingStart {
            limit,
            window,
            delay: Duration::ZERO,
        }
    }

    async fn spawn(limit: u32, window: Duration, sliding: bool) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let state = Arc::new(Mutex::new(Window {
            limit,
            window,
            sliding,
            delay: Duration::ZERO,
            start: None,
            count: 0,
            arrivals: Vec::new(),
        }));
        let shared = state.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve(stream, shared.clone()));
            }
        });
        Self { addr, state }
    }

    fn client(&self, limit: Option<RateLimitConfig>) -> HttpClient {
        let mut builder = HttpClient::builder()
            .base_url(&format!("http://{}", self.addr))
            .credentials(member_http::Credentials::token(common::TOKEN));
        if let Some(limit) = limit {
            builder = builder.rate_limit(limit);
        }
        builder.build().unwrap()
    }

    /// (arrival, status) of every request so far.
    fn arrivals(&self) -> Vec<(Instant, u16)> {
        self.state.lock().unwrap().arrivals.clone()
    }

    fn count_429(&self) -> usize {
        self.arrivals().iter().filter(|(_, s)| *s == 429).count()
    }

    /// How many requests each server window counted (accepted ones).
    fn per_window(&self) -> Vec<u32> {
        let arrivals = self.arrivals();
        let window = self.state.lock().unwrap().window;
        let mut counts: Vec<u32> = Vec::new();
        let mut start: Option<Instant> = None;
        for (at, status) in arrivals {
            if start.is_none_or(|s| at >= s + window) {
                start = Some(at);
                counts.push(0);
            }
            if status == 200 {
                *counts.last_mut().unwrap() += 1;
            }
        }
        counts
    }
}

/// A sliding server to start, with an answer delay.
struct SlidingStart {
    limit: u32,
    window: Duration,
    delay: Duration,
}

impl SlidingStart {
    fn delay(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }
}

impl std::future::IntoFuture for SlidingStart {
    type Output = WindowServer;
    type IntoFuture = std::pin::Pin<Box<dyn std::future::Future<Output = WindowServer>>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let server = WindowServer::spawn(self.limit, self.window, true).await;
            server.state.lock().unwrap().delay = self.delay;
            server
        })
    }
}

async fn serve(mut stream: TcpStream, state: Arc<Mutex<Window>>) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    let now = Instant::now();
    let (status, headers, body, delay) = {
        let mut w = state.lock().unwrap();
        let delay = w.delay;
        let (allowed, remaining, reset) = if w.sliding {
            let window = w.window;
            let counted: Vec<Instant> = w
                .arrivals
                .iter()
                .filter(|(at, status)| *status == 200 && now.duration_since(*at) < window)
                .map(|(at, _)| *at)
                .collect();
            let allowed = (counted.len() as u32) < w.limit;
            let used = counted.len() as u32 + u32::from(allowed);
            let oldest = counted.first().copied().unwrap_or(now);
            let left = (oldest + window).saturating_duration_since(now);
            let reset = (left.as_secs() + u64::from(left.subsec_nanos() > 0)).max(1);
            (allowed, w.limit - used, reset)
        } else {
            fixed(&mut w, now)
        };
        let status = if allowed { 200 } else { 429 };
        w.arrivals.push((now, status));
        let mut headers = vec![
            format!("ratelimit: \"default\";r={remaining};t={reset}"),
            format!(
                "ratelimit-policy: \"default\";q={};w={}",
                w.limit,
                w.window.as_secs()
            ),
        ];
        let body = if allowed {
            json!({"success": true, "errors": [], "messages": [], "result": {"ok": true}})
        } else {
            headers.push(format!("retry-after: {reset}"));
            json!({"success": false, "errors": [{"code": 10100, "message": "rate limited"}],
                   "messages": [], "result": null})
        };
        (status, headers, body.to_string(), delay)
    };
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let mut out = format!("HTTP/1.1 {status} X\r\ncontent-type: application/json\r\n");
    for h in headers {
        out.push_str(&h);
        out.push_str("\r\n");
    }
    out.push_str(&format!(
        "content-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    ));
    let _ = stream.write_all(out.as_bytes()).await;
    let _ = stream.shutdown().await;
}

/// A fixed window from its first request: (allowed, remaining, reset secs).
fn fixed(w: &mut Window, now: Instant) -> (bool, u32, u64) {
    let start = match w.start {
        Some(s) if now < s + w.window => s,
        _ => {
            w.start = Some(now);
            w.count = 0;
            now
        }
    };
    let left = (start + w.window).saturating_duration_since(now);
    let reset = left.as_secs() + u64::from(left.subsec_nanos() > 0);
    let allowed = w.count < w.limit;
    if allowed {
        w.count += 1;
    }
    (allowed, w.limit - w.count, reset)
}

// ------------------------------------------------------------- budget ----

#[tokio::test(start_paused = true)]
async fn every_attempt_takes_a_permit_of_the_budget() {
    // No rate-limit headers: the budget alone decides. Burst 1 spaces the
    // attempts evenly, never more than 5 in any 10 s.
    let server = Server::start(vec![Reply::ok(json!({"n": 1}))]).await;
    let client = server
        .client()
        .rate_limit(RateLimitConfig::new(5, Duration::from_secs(10)).burst(1))
        .build()
        .unwrap();
    let started = Instant::now();
    let results = run(&client, 12, 4).await;
    assert!(results.iter().all(Result::is_ok));
    let arrivals: Vec<Instant> = server.requests().iter().map(|r| r.at).collect();
    assert_eq!(arrivals.len(), 12);
    assert!(max_in_any_window(&arrivals, Duration::from_secs(10)) <= 5);
    // 11 gaps of 2 s: the limit, not more.
    let last = *arrivals.iter().max().unwrap();
    assert_eq!(last - started, Duration::from_secs(22));

    // The default burst is the whole budget: 5 at once, and then, as each
    // slot comes back one window after its answer, the next 5.
    let server = Server::start(vec![Reply::ok(json!({"n": 1}))]).await;
    let client = server
        .client()
        .rate_limit(RateLimitConfig::new(5, Duration::from_secs(10)))
        .build()
        .unwrap();
    let started = Instant::now();
    run(&client, 7, 7).await;
    let mut offsets: Vec<Duration> = server.requests().iter().map(|r| r.at - started).collect();
    offsets.sort();
    let secs: Vec<u64> = offsets.iter().map(Duration::as_secs).collect();
    assert_eq!(secs, [0, 0, 0, 0, 0, 10, 10]);
    let arrivals: Vec<Instant> = server.requests().iter().map(|r| r.at).collect();
    assert!(max_in_any_window(&arrivals, Duration::from_secs(10)) <= 5);
}

#[tokio::test(start_paused = true)]
async fn retries_take_permits_too() {
    let server = Server::start(vec![
        Reply::fail(503, 10000, "busy"),
        Reply::ok(json!({"n": 1})),
    ])
    .await;
    let client = server
        .client()
        .max_retries(1)
        .rate_limit(RateLimitConfig::new(1, Duration::from_secs(30)))
        .build()
        .unwrap();
    let started = Instant::now();
    let response = get(&client).await.unwrap();
    assert_eq!(response.attempts, 2);
    let requests = server.requests();
    // The backoff is under a second; the permit for the retry takes 30 s.
    assert_eq!(requests[1].at - started, Duration::from_secs(30));
}

#[tokio::test(start_paused = true)]
async fn keeps_to_a_fixed_window_server_without_a_single_429() {
    // The client's own budget equals the server's; each slot comes back one
    // window after its answer, so the client uses each window whole.
    let server = WindowServer::start(10, Duration::from_secs(10)).await;
    let client = server.client(Some(RateLimitConfig::new(10, Duration::from_secs(10))));
    let started = Instant::now();
    let results = run(&client, 35, 4).await;
    assert!(results.iter().all(Result::is_ok));
    assert_eq!(server.count_429(), 0);
    assert_eq!(server.per_window(), [10, 10, 10, 5]);
    // Three windows waited, and nothing more: the minimum.
    let last = server.arrivals().iter().map(|(t, _)| *t).max().unwrap();
    assert_eq!(last - started, Duration::from_secs(30));
}

#[tokio::test(start_paused = true)]
async fn keeps_to_a_sliding_window_server_without_a_single_429() {
    // The strict server: at most 10 in any 10 s. The answers take 300 ms,
    // so the requests of a window are spread, and so are their slots.
    for (limit, delay) in [(10, 300), (40, 30), (7, 400)] {
        let server = WindowServer::sliding(limit, Duration::from_secs(10))
            .delay(Duration::from_millis(delay))
            .await;
        let client = server.client(Some(RateLimitConfig::new(limit, Duration::from_secs(10))));
        let started = Instant::now();
        let n = 100;
        let results = run(&client, n, 4).await;
        assert!(results.iter().all(Result::is_ok), "limit {limit}");
        assert_eq!(server.count_429(), 0, "limit {limit}");
        let arrivals: Vec<Instant> = server.arrivals().iter().map(|(t, _)| *t).collect();
        assert!(max_in_any_window(&arrivals, Duration::from_secs(10)) <= limit as usize);
        // No window waited out beyond the minimum. A slot is back one
        // window after its answer, which came one answer's time after the
        // server counted it: each window opens at most that much late, and
        // its budget goes in waves of 4 (the concurrency).
        let windows = n.div_ceil(limit as usize) as u32;
        let last = *arrivals.iter().max().unwrap() - started;
        let minimum = Duration::from_secs(10) * (windows - 1);
        let slack = Duration::from_millis(delay) * (windows - 1 + limit.div_ceil(4));
        assert!(
            last >= minimum && last <= minimum + slack && slack < Duration::from_secs(10),
            "limit {limit}: last request at {last:?}, minimum {minimum:?}"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn a_generous_budget_keeps_to_a_strict_servers_policy() {
    // Configured 1,200 per 300 s; the sliding server allows 10 per 10 s and
    // says so in Ratelimit-Policy.
    let server = WindowServer::sliding(10, Duration::from_secs(10)).await;
    let client = server.client(Some(RateLimitConfig::cloudflare()));
    let results = run(&client, 35, 4).await;
    assert!(results.iter().all(Result::is_ok));
    assert_eq!(server.count_429(), 0, "{:?}", server.arrivals());
    let arrivals: Vec<Instant> = server.arrivals().iter().map(|(t, _)| *t).collect();
    assert!(max_in_any_window(&arrivals, Duration::from_secs(10)) <= 10);
}

#[tokio::test(start_paused = true)]
async fn without_the_limiter_the_same_run_is_refused() {
    let server = WindowServer::start(10, Duration::from_secs(10)).await;
    let client = server.client(None);
    let results = run(&client, 35, 4).await;
    assert!(server.count_429() > 0, "{:?}", server.arrivals());
    let _ = results;
}

// ------------------------------------------------- the server's headers ---

#[tokio::test(start_paused = true)]
async fn low_remaining_in_the_header_slows_the_client() {
    // The first answer says one request is left for the next 5 s; the budget
    // (100 per 10 s) would allow many more at once.
    let server = Server::start(vec![
        Reply::ok(json!(1)).header("ratelimit", "\"default\";r=1;t=5"),
        Reply::ok(json!(2)),
    ])
    .await;
    let limit = RateLimitConfig::new(100, Duration::from_secs(10));
    let client = server.client().rate_limit(limit.clone()).build().unwrap();
    let started = Instant::now();
    for _ in 0..3 {
        get(&client).await.unwrap();
    }
    let at: Vec<Duration> = server.requests().iter().map(|r| r.at - started).collect();
    assert_eq!(at[0], Duration::ZERO);
    assert_eq!(at[1], Duration::ZERO);
    // Waits for the reset (5 s) and the margin (250 ms).
    assert_eq!(at[2], Duration::from_millis(5250));

    // The same server, headers ignored: no pause.
    let server = Server::start(vec![
        Reply::ok(json!(1)).header("ratelimit", "\"default\";r=1;t=5"),
        Reply::ok(json!(2)),
    ])
    .await;
    let client = server
        .client()
        .rate_limit(limit.follow_headers(false))
        .build()
        .unwrap();
    let started = Instant::now();
    for _ in 0..3 {
        get(&client).await.unwrap();
    }
    let last = server.requests()[2].at;
    assert_eq!(last - started, Duration::ZERO);
}

#[tokio::test(start_paused = true)]
async fn headers_keep_a_generous_budget_within_a_stricter_server() {
    // The caller configured 100 per 10 s; the server allows 5. The headers
    // alone keep the client from being refused.
    let server = WindowServer::start(5, Duration::from_secs(10)).await;
    let client = server.client(Some(RateLimitConfig::new(100, Duration::from_secs(10))));
    let results = run(&client, 17, 4).await;
    assert!(results.iter().all(Result::is_ok));
    assert_eq!(server.count_429(), 0);
    assert_eq!(server.per_window(), [5, 5, 5, 2]);
}

// ------------------------------------------------------------- 429s -----

#[tokio::test(start_paused = true)]
async fn a_429_holds_back_every_request_even_above_the_cap() {
    let (seen, hook) = {
        let seen = Arc::new(Mutex::new(Vec::<AttemptInfo>::new()));
        let sink = seen.clone();
        let hook: member_http::AttemptHook = Arc::new(move |i: &AttemptInfo| {
            sink.lock().unwrap().push(i.clone());
        });
        (seen, hook)
    };
    let server = Server::start(vec![
        Reply::fail(429, 10100, "rate limited").header("retry-after", "120"),
        Reply::ok(json!({"n": 1})),
    ])
    .await;
    let client = server
        .client()
        .retry_after_cap(Duration::from_secs(60))
        .on_attempt(hook)
        .rate_limit(RateLimitConfig::new(100, Duration::from_secs(10)))
        .build()
        .unwrap();
    let started = Instant::now();
    let first = {
        let client = client.clone();
        tokio::spawn(async move { get(&client).await })
    };
    tokio::time::sleep(Duration::from_secs(1)).await;
    // Sent after the 429 arrived: it waits for the same block.
    let other = {
        let client = client.clone();
        tokio::spawn(async move { get(&client).await })
    };
    let first = first.await.unwrap().expect("retried after 120 s");
    other.await.unwrap().expect("sent after the block");
    assert_eq!(first.attempts, 2);
    let at: Vec<Duration> = server.requests().iter().map(|r| r.at - started).collect();
    assert_eq!(at.len(), 3);
    assert_eq!(at[0], Duration::ZERO);
    assert!(
        at[1..].iter().all(|t| *t == Duration::from_secs(120)),
        "{at:?}"
    );
    let seen = seen.lock().unwrap();
    assert_eq!(seen[0].retry_in, Some(Duration::from_secs(120)));
    let waited: Vec<Duration> = seen[1..].iter().map(|i| i.rate_limit_wait).collect();
    assert!(waited.contains(&Duration::from_secs(120)), "{waited:?}");
    assert!(waited.contains(&Duration::from_secs(119)), "{waited:?}");
}

#[tokio::test(start_paused = true)]
async fn without_the_limiter_a_wait_above_the_cap_fails_at_once() {
    let server = Server::start(vec![
        Reply::fail(429, 10100, "rate limited").header("retry-after", "120"),
        Reply::ok(json!({"n": 1})),
    ])
    .await;
    let client = server
        .client()
        .retry_after_cap(Duration::from_secs(60))
        .build()
        .unwrap();
    let err = get(&client).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::RateLimited);
    assert_eq!(server.hits(), 1);
}

// ------------------------------------------- cancellation and deadline ---

#[tokio::test(start_paused = true)]
async fn cancelling_a_queued_request_sends_nothing() {
    let server = Server::start(vec![Reply::ok(json!({"n": 1}))]).await;
    let client = server
        .client()
        .rate_limit(RateLimitConfig::new(1, Duration::from_secs(100)))
        .build()
        .unwrap();
    get(&client).await.unwrap();
    let token = CancelToken::new();
    let queued = {
        let client = client.clone();
        let opts = RequestOptions::new().cancel_token(token.clone());
        tokio::spawn(async move { client.get::<Value>(&path(), &[], &opts).await })
    };
    tokio::time::sleep(Duration::from_secs(10)).await;
    token.cancel();
    let err = queued.await.unwrap().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Cancelled);
    assert!(err.is_local());
    assert!(!err.may_have_been_applied());
    assert!(
        err.to_string().contains("cancelled before it was sent"),
        "{err}"
    );
    assert_eq!(server.hits(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_deadline_that_would_pass_in_the_queue_fails_without_sending() {
    let server = Server::start(vec![Reply::ok(json!({"n": 1}))]).await;
    let client = server
        .client()
        .rate_limit(RateLimitConfig::new(1, Duration::from_secs(100)))
        .build()
        .unwrap();
    get(&client).await.unwrap();
    let started = Instant::now();
    let opts = RequestOptions::new().deadline(Duration::from_secs(5));
    let err = client.get::<Value>(&path(), &[], &opts).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert!(!err.may_have_been_applied());
    assert!(!err.is_retryable());
    match &err {
        member_http::Error::Timeout(t) => assert_eq!(t.phase(), TimeoutPhase::Queued),
        other => panic!("{other:?}"),
    }
    // It did not sit out the deadline: the wait was known to be too long.
    assert_eq!(started.elapsed(), Duration::ZERO);
    assert_eq!(server.hits(), 1);
}

#[tokio::test]
async fn a_zero_budget_is_refused_at_build() {
    let err = HttpClient::builder()
        .credentials(member_http::Credentials::token(common::TOKEN))
        .rate_limit(RateLimitConfig::new(0, Duration::from_secs(1)))
        .build()
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Config);
}
