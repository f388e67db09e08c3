//! Per-attempt timeouts (default, per client, per request, covering the
//! body) and the overall deadline across retries, on Tokio's paused clock.

mod common;

use std::time::Duration;

use common::{Reply, Server};
use member_http::{ApiPath, Error, ErrorKind, RequestOptions, TimeoutPhase};
use serde_json::{json, Value};
use tokio::time::Instant;

const HOUR: Duration = Duration::from_secs(3600);

fn path() -> ApiPath {
    ApiPath::new().lit("slow")
}

fn phase(err: &Error) -> TimeoutPhase {
    match err {
        Error::Timeout(t) => t.phase(),
        other => panic!("expected a timeout, got {other}"),
    }
}

/// Asserts `elapsed` is `expected`, give or take scheduling.
fn assert_near(elapsed: Duration, expected: Duration) {
    assert!(
        elapsed >= expected && elapsed < expected + Duration::from_millis(100),
        "elapsed {elapsed:?}, expected {expected:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn default_attempt_timeout_is_60_seconds() {
    let server = Server::start(vec![Reply::ok(json!(1)).after(HOUR)]).await;
    let client = server.client().max_retries(0).build().unwrap();
    let started = Instant::now();
    let err = client
        .get::<Value>(&path(), &[], &RequestOptions::new())
        .await
        .unwrap_err();
    assert_near(started.elapsed(), Duration::from_secs(60));
    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert_eq!(phase(&err), TimeoutPhase::Attempt);
    assert!(err.is_retryable());
    assert!(err.may_have_been_applied());
    assert!(err.to_string().contains("60s"), "{err}");
}

#[tokio::test(start_paused = true)]
async fn attempt_timeout_per_client_and_per_request() {
    let server = Server::start(vec![Reply::ok(json!(1)).after(HOUR)]).await;
    let client = server
        .client()
        .max_retries(0)
        .timeout(Duration::from_secs(2))
        .build()
        .unwrap();
    let started = Instant::now();
    client
        .get::<Value>(&path(), &[], &RequestOptions::new())
        .await
        .unwrap_err();
    assert_near(started.elapsed(), Duration::from_secs(2));

    let started = Instant::now();
    let opts = RequestOptions::new().timeout(Duration::from_secs(7));
    client.get::<Value>(&path(), &[], &opts).await.unwrap_err();
    assert_near(started.elapsed(), Duration::from_secs(7));
}

#[tokio::test(start_paused = true)]
async fn attempt_timeout_covers_a_stalled_body() {
    let server = Server::start(vec![Reply::SlowBody {
        status: 200,
        declared: 1000,
    }])
    .await;
    let client = server
        .client()
        .max_retries(0)
        .timeout(Duration::from_secs(3))
        .build()
        .unwrap();
    let started = Instant::now();
    let err = client
        .get::<Value>(&path(), &[], &RequestOptions::new())
        .await
        .unwrap_err();
    assert_near(started.elapsed(), Duration::from_secs(3));
    assert_eq!(phase(&err), TimeoutPhase::Attempt);
}

#[tokio::test(start_paused = true)]
async fn deadline_bounds_all_attempts_and_waits() {
    let server = Server::start(vec![Reply::ok(json!(1)).after(HOUR)]).await;
    let client = server
        .client()
        .timeout(Duration::from_secs(4))
        .deadline(Duration::from_secs(10))
        .max_retries(10)
        .jitter_seed(1)
        .build()
        .unwrap();
    let started = Instant::now();
    let err = client
        .get::<Value>(&path(), &[], &RequestOptions::new())
        .await
        .unwrap_err();
    // 4 s, ~0.5 s, 4 s, ~1 s, then the rest of the 10 s.
    assert_near(started.elapsed(), Duration::from_secs(10));
    assert_eq!(phase(&err), TimeoutPhase::Deadline);
    assert!(!err.is_retryable(), "a deadline is final");
    assert_eq!(server.hits(), 3);
    assert_eq!(err.attempts(), Some(3));
    let text = err.to_string();
    assert!(text.contains("deadline of 10s"), "{text}");
}

#[tokio::test(start_paused = true)]
async fn deadline_per_request() {
    let server = Server::start(vec![Reply::ok(json!(1)).after(HOUR)]).await;
    let client = server.client().build().unwrap();
    let started = Instant::now();
    let opts = RequestOptions::new().deadline(Duration::from_secs(3));
    let err = client.get::<Value>(&path(), &[], &opts).await.unwrap_err();
    assert_near(started.elapsed(), Duration::from_secs(3));
    assert_eq!(phase(&err), TimeoutPhase::Deadline);
    assert_eq!(server.hits(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_wait_past_the_deadline_returns_the_last_failure_at_once() {
    let server = Server::start(vec![
        Reply::fail(503, 10000, "busy").header("retry-after", "10"),
        Reply::ok(json!(1)),
    ])
    .await;
    let client = server
        .client()
        .deadline(Duration::from_secs(5))
        .build()
        .unwrap();
    let started = Instant::now();
    let err = client
        .get::<Value>(&path(), &[], &RequestOptions::new())
        .await
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(1));
    assert_eq!(err.status(), Some(503));
    assert_eq!(err.retry_after(), Some(Duration::from_secs(10)));
    assert_eq!(server.hits(), 1);
}

/// A listener whose accept queue is full: the kernel drops further SYNs, so
/// a connection attempt hangs until the client's connect timeout.
fn saturated_listener() -> (tokio::net::TcpListener, Vec<std::net::TcpStream>) {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let listener = socket.listen(0).unwrap();
    let addr = listener.local_addr().unwrap();
    let mut fillers = Vec::new();
    for _ in 0..8 {
        match std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(200)) {
            Ok(stream) => fillers.push(stream),
            Err(_) => return (listener, fillers),
        }
    }
    panic!("the accept queue never filled up");
}

#[tokio::test(start_paused = true)]
async fn connect_timeout_means_nothing_was_sent_so_even_post_is_retried() {
    let (listener, _fillers) = saturated_listener();
    let addr = listener.local_addr().unwrap();
    let client = member_http::HttpClient::builder()
        .base_url(&format!("http://{addr}"))
        .credentials(member_http::Credentials::token(common::TOKEN))
        .connect_timeout(Duration::from_secs(2))
        .jitter_seed(5)
        .build()
        .unwrap();
    let started = Instant::now();
    let err = client
        .post::<Value, _>(
            &path(),
            &json!({"email": "a@example.com"}),
            &RequestOptions::new(),
        )
        .await
        .unwrap_err();
    // Three connect timeouts of 2 s, with backoff between them.
    let elapsed = started.elapsed();
    assert!(
        elapsed >= Duration::from_secs(6) + Duration::from_millis(375 + 750)
            && elapsed <= Duration::from_secs(6) + Duration::from_millis(1500 + 100),
        "{elapsed:?}"
    );
    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert_eq!(phase(&err), TimeoutPhase::Connect);
    assert!(!err.may_have_been_applied());
    assert_eq!(err.attempts(), Some(3));
    assert!(
        err.to_string().contains("could not connect within 2s"),
        "{err}"
    );
}

#[tokio::test(start_paused = true)]
async fn is_timeout_covers_every_phase() {
    let server = Server::start(vec![Reply::ok(json!(1)).after(HOUR)]).await;
    let client = server.client().max_retries(0).build().unwrap();
    let err = client
        .get::<Value>(&path(), &[], &RequestOptions::new())
        .await
        .unwrap_err();
    assert!(
        err.is_timeout() && phase(&err) == TimeoutPhase::Attempt,
        "{err}"
    );
    let server = Server::start(vec![Reply::ok(json!(1)).after(HOUR)]).await;
    let client = server.client().max_retries(0).build().unwrap();
    let opts = RequestOptions::new().deadline(Duration::from_secs(3));
    let err = client.get::<Value>(&path(), &[], &opts).await.unwrap_err();
    assert!(
        err.is_timeout() && phase(&err) == TimeoutPhase::Deadline,
        "{err}"
    );
    assert!(!err.is_not_found());
}
