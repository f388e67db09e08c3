//! Retry rules: which failures are retried for idempotent methods and for
//! POST, `x-should-retry`, the backoff schedule with seeded jitter,
//! `Retry-After` (seconds, HTTP date, over the cap) and `retry-after-ms`.
//!
//! Every test runs on Tokio's paused clock: waits of seconds take no real
//! time, and the server's arrival times measure the client's waits exactly.

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use common::{refused_addr, Reply, Server};
use member_http::{
    ApiPath, AttemptInfo, ErrorKind, HttpClient, HttpClientBuilder, Method, RequestOptions,
};
use serde_json::{json, Value};
use tokio::time::Instant;

fn path() -> ApiPath {
    ApiPath::new().lit("things")
}

fn recorder() -> (Arc<Mutex<Vec<AttemptInfo>>>, member_http::AttemptHook) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    let hook: member_http::AttemptHook = Arc::new(move |info: &AttemptInfo| {
        sink.lock().unwrap().push(info.clone());
    });
    (seen, hook)
}

async fn send(
    client: &HttpClient,
    method: Method,
) -> Result<member_http::ApiResponse<Value>, member_http::Error> {
    let body = json!({"email": "a@example.com"});
    let body = (method == Method::POST || method == Method::PUT).then_some(&body);
    client
        .request(method, &path(), &[], body, &RequestOptions::new())
        .await
}

fn build(builder: HttpClientBuilder) -> HttpClient {
    builder.build().expect("client")
}

#[tokio::test(start_paused = true)]
async fn get_retries_each_transient_status() {
    for status in [408, 409, 429, 500, 502, 503, 504] {
        let server = Server::start(vec![
            Reply::fail(status, 10000, "transient"),
            Reply::ok(json!({"n": 1})),
        ])
        .await;
        let client = build(server.client());
        let response = send(&client, Method::GET)
            .await
            .unwrap_or_else(|e| panic!("{status}: {e}"));
        assert_eq!(response.result, json!({"n": 1}), "{status}");
        assert_eq!(response.attempts, 2, "{status}");
        assert_eq!(server.hits(), 2, "{status}");
    }
}

#[tokio::test(start_paused = true)]
async fn put_and_delete_are_retried_like_get() {
    for method in [Method::PUT, Method::DELETE] {
        let server = Server::start(vec![
            Reply::fail(503, 10000, "busy"),
            Reply::Reset,
            Reply::ok(json!(null)),
        ])
        .await;
        let client = build(server.client());
        let response = send(&client, method.clone())
            .await
            .expect("third attempt succeeds");
        assert_eq!(response.attempts, 3);
        let methods: Vec<_> = server.requests().iter().map(|r| r.method.clone()).collect();
        assert_eq!(methods, vec![method.as_str(); 3]);
    }
}

#[tokio::test(start_paused = true)]
async fn final_statuses_are_not_retried() {
    let cases = [
        (400, ErrorKind::BadRequest),
        (401, ErrorKind::Authentication),
        (403, ErrorKind::PermissionDenied),
        (404, ErrorKind::NotFound),
        (405, ErrorKind::OtherStatus),
        (422, ErrorKind::Unprocessable),
    ];
    for (status, kind) in cases {
        let server =
            Server::start(vec![Reply::fail(status, 1001, "no"), Reply::ok(json!(1))]).await;
        let client = build(server.client());
        let err = send(&client, Method::GET).await.unwrap_err();
        assert_eq!(err.kind(), kind, "{status}");
        assert!(!err.is_retryable(), "{status}");
        assert!(!err.may_have_been_applied(), "{status}");
        assert_eq!(server.hits(), 1, "{status}");
    }
}

#[tokio::test(start_paused = true)]
async fn gives_up_after_max_retries() {
    let server = Server::start(vec![Reply::fail(503, 10000, "busy")]).await;
    let client = build(server.client());
    let err = send(&client, Method::GET).await.unwrap_err();
    assert_eq!(server.hits(), 3, "2 retries by default");
    assert_eq!(err.kind(), ErrorKind::Server);
    assert_eq!(err.attempts(), Some(3));
    assert!(err.to_string().contains("after 3 attempts"), "{err}");
    assert!(err.may_have_been_applied());
}

#[tokio::test(start_paused = true)]
async fn max_retries_per_client_and_per_request() {
    let server = Server::start(vec![Reply::fail(500, 10000, "busy")]).await;
    let client = build(server.client().max_retries(4));
    send(&client, Method::GET).await.unwrap_err();
    assert_eq!(server.hits(), 5);

    let opts = RequestOptions::new().max_retries(0);
    let err = client.get::<Value>(&path(), &[], &opts).await.unwrap_err();
    assert_eq!(err.attempts(), Some(1));
    assert_eq!(server.hits(), 6);
}

#[tokio::test(start_paused = true)]
async fn get_retries_after_lost_connections() {
    let server = Server::start(vec![Reply::Reset, Reply::Close, Reply::ok(json!("done"))]).await;
    let (seen, hook) = recorder();
    let client = build(server.client().on_attempt(hook));
    let response = send(&client, Method::GET)
        .await
        .expect("third attempt succeeds");
    assert_eq!(response.result, json!("done"));
    let seen = seen.lock().unwrap();
    let kinds: Vec<_> = seen.iter().map(|a| a.error).collect();
    assert_eq!(
        kinds,
        vec![
            Some(ErrorKind::Connection),
            Some(ErrorKind::Connection),
            None
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn connect_failures_are_retried_then_reported_as_not_applied() {
    let addr = refused_addr();
    let (seen, hook) = recorder();
    let client = build(
        HttpClient::builder()
            .base_url(&format!("http://{addr}"))
            .credentials(member_http::Credentials::token(common::TOKEN))
            .on_attempt(hook),
    );
    let err = send(&client, Method::GET).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Connection);
    assert!(!err.may_have_been_applied());
    assert!(err.is_retryable());
    assert_eq!(err.attempts(), Some(3));
    assert!(
        std::error::Error::source(&err).is_some(),
        "the cause is kept"
    );
    assert_eq!(seen.lock().unwrap().len(), 3);
}

#[tokio::test(start_paused = true)]
async fn get_retries_after_attempt_timeout() {
    let server = Server::start(vec![
        Reply::ok(json!("late")).after(Duration::from_secs(120)),
        Reply::ok(json!("on time")),
    ])
    .await;
    let client = build(server.client());
    let started = Instant::now();
    let response = send(&client, Method::GET).await.expect("second attempt");
    assert_eq!(response.result, json!("on time"));
    assert!(
        started.elapsed() >= Duration::from_secs(60),
        "waited for the default timeout"
    );
    assert_eq!(server.hits(), 2);
}

// --- POST -------------------------------------------------------------------

#[tokio::test(start_paused = true)]
async fn post_is_not_retried_after_5xx() {
    let server = Server::start(vec![Reply::fail(503, 10000, "busy"), Reply::ok(json!(1))]).await;
    let client = build(server.client());
    let err = send(&client, Method::POST).await.unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert!(err.is_retryable(), "retryable for an idempotent request");
    assert!(err.may_have_been_applied());
    assert_eq!(server.hits(), 1);
}

#[tokio::test(start_paused = true)]
async fn post_is_not_retried_when_the_connection_is_lost_after_writing() {
    for reply in [Reply::Reset, Reply::Close] {
        let server = Server::start(vec![reply.clone(), Reply::ok(json!(1))]).await;
        let client = build(server.client());
        let err = send(&client, Method::POST).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Connection, "{reply:?}");
        assert!(err.may_have_been_applied(), "{reply:?}");
        assert_eq!(server.hits(), 1, "{reply:?}");
        assert_eq!(server.requests()[0].body, br#"{"email":"a@example.com"}"#);
    }
}

#[tokio::test(start_paused = true)]
async fn post_is_not_retried_after_timeout() {
    let server = Server::start(vec![
        Reply::ok(json!(1)).after(Duration::from_secs(120)),
        Reply::ok(json!(2)),
    ])
    .await;
    let client = build(server.client());
    let err = send(&client, Method::POST).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert!(err.may_have_been_applied());
    assert_eq!(server.hits(), 1);
}

#[tokio::test(start_paused = true)]
async fn post_is_not_retried_after_408_or_409() {
    for status in [408, 409] {
        let server = Server::start(vec![Reply::fail(status, 1, "x"), Reply::ok(json!(1))]).await;
        let client = build(server.client());
        assert!(send(&client, Method::POST).await.is_err());
        assert_eq!(server.hits(), 1, "{status}");
    }
}

#[tokio::test(start_paused = true)]
async fn post_is_retried_after_429() {
    let server = Server::start(vec![
        Reply::fail(429, 10100, "rate limited"),
        Reply::ok(json!({"id": "new"})),
    ])
    .await;
    let client = build(server.client());
    let response = send(&client, Method::POST).await.expect("retried");
    assert_eq!(response.result, json!({"id": "new"}));
    assert_eq!(server.hits(), 2);
}

#[tokio::test(start_paused = true)]
async fn post_is_retried_after_connect_failure() {
    // Nothing listens at first; a server appears on the same port while the
    // client waits to retry.
    let addr = refused_addr();
    let (listening_tx, listening_rx) = tokio::sync::oneshot::channel();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let listener = tokio::net::TcpListener::bind(addr).await.expect("rebind");
        let server = Server::serve(listener, vec![Reply::ok(json!({"id": "created"}))]);
        let _ = listening_tx.send(server);
    });
    let (seen, hook) = recorder();
    let client = build(
        HttpClient::builder()
            .base_url(&format!("http://{addr}"))
            .credentials(member_http::Credentials::token(common::TOKEN))
            .on_attempt(hook),
    );
    let response = send(&client, Method::POST)
        .await
        .expect("retried after connect failure");
    assert_eq!(response.result, json!({"id": "created"}));
    assert_eq!(response.attempts, 2);
    let server = listening_rx.await.unwrap();
    assert_eq!(server.hits(), 1, "the POST reached the server once");
    let seen = seen.lock().unwrap();
    assert_eq!(seen[0].error, Some(ErrorKind::Connection));
    assert_eq!(seen[0].status, None);
}

// --- x-should-retry ---------------------------------------------------------

#[tokio::test(start_paused = true)]
async fn x_should_retry_false_stops_a_retry() {
    for method in [Method::GET, Method::POST] {
        let server = Server::start(vec![
            Reply::fail(429, 10100, "slow down").header("x-should-retry", "false"),
            Reply::ok(json!(1)),
        ])
        .await;
        let client = build(server.client());
        let err = send(&client, method.clone()).await.unwrap_err();
        assert!(err.is_rate_limited());
        assert!(!err.is_retryable(), "{method}");
        assert_eq!(server.hits(), 1, "{method}");
    }
}

#[tokio::test(start_paused = true)]
async fn x_should_retry_true_retries_a_final_status() {
    let server = Server::start(vec![
        Reply::fail(400, 1001, "try again").header("x-should-retry", "true"),
        Reply::ok(json!(1)),
    ])
    .await;
    let client = build(server.client());
    send(&client, Method::GET).await.expect("retried");
    assert_eq!(server.hits(), 2);
}

#[tokio::test(start_paused = true)]
async fn x_should_retry_true_never_repeats_a_post_after_5xx() {
    let server = Server::start(vec![
        Reply::fail(500, 10000, "oops").header("x-should-retry", "true"),
        Reply::ok(json!(1)),
    ])
    .await;
    let client = build(server.client());
    send(&client, Method::POST).await.unwrap_err();
    assert_eq!(server.hits(), 1);
}

// --- backoff and jitter -------------------------------------------------------

async fn backoff_run(seed: u64) -> (Vec<Duration>, Vec<Instant>) {
    let server = Server::start(vec![Reply::fail(503, 10000, "busy")]).await;
    let (seen, hook) = recorder();
    let client = build(
        server
            .client()
            .max_retries(6)
            .jitter_seed(seed)
            .on_attempt(hook),
    );
    send(&client, Method::GET).await.unwrap_err();
    let waits = seen
        .lock()
        .unwrap()
        .iter()
        .filter_map(|a| a.retry_in)
        .collect();
    let arrivals = server.requests().iter().map(|r| r.at).collect();
    (waits, arrivals)
}

#[tokio::test(start_paused = true)]
async fn backoff_doubles_to_a_cap_with_bounded_jitter() {
    let (waits, arrivals) = backoff_run(42).await;
    assert_eq!(waits.len(), 6);
    assert_eq!(arrivals.len(), 7);
    let nominal_ms = [500u64, 1000, 2000, 4000, 8000, 8000];
    for (i, (wait, nominal)) in waits.iter().zip(nominal_ms).enumerate() {
        let nominal = Duration::from_millis(nominal);
        assert!(
            *wait <= nominal && *wait >= nominal.mul_f64(0.75),
            "retry {i}: {wait:?} outside [{:?}, {nominal:?}]",
            nominal.mul_f64(0.75)
        );
        // The client really waited that long, and no longer.
        let gap = arrivals[i + 1] - arrivals[i];
        assert!(gap >= *wait, "retry {i}: gap {gap:?} < wait {wait:?}");
        assert!(
            gap < *wait + Duration::from_millis(50),
            "retry {i}: gap {gap:?}"
        );
    }
    // Jitter really varies the waits.
    assert!(
        waits
            .iter()
            .zip(nominal_ms)
            .any(|(w, n)| *w != Duration::from_millis(n)),
        "{waits:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn seeded_jitter_is_reproducible() {
    let (first, _) = backoff_run(7).await;
    let (again, _) = backoff_run(7).await;
    let (other, _) = backoff_run(8).await;
    assert_eq!(first, again);
    assert_ne!(first, other);
}

// --- Retry-After --------------------------------------------------------------

async fn single_retry_wait(first: Reply, method: Method) -> (Duration, Duration) {
    let server = Server::start(vec![first, Reply::ok(json!(1))]).await;
    let (seen, hook) = recorder();
    let client = build(server.client().on_attempt(hook));
    send(&client, method).await.expect("retried");
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    let wait = seen.lock().unwrap()[0]
        .retry_in
        .expect("a retry was planned");
    (wait, requests[1].at - requests[0].at)
}

#[tokio::test(start_paused = true)]
async fn retry_after_seconds_is_honoured() {
    let reply = Reply::fail(429, 10100, "slow down").header("retry-after", "7");
    let (wait, gap) = single_retry_wait(reply, Method::POST).await;
    assert_eq!(wait, Duration::from_secs(7));
    assert!(
        gap >= wait && gap < wait + Duration::from_millis(50),
        "{gap:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn retry_after_http_date_is_honoured() {
    let date = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(20));
    let reply = Reply::fail(503, 10000, "busy").header("retry-after", &date);
    let (wait, gap) = single_retry_wait(reply, Method::GET).await;
    // HTTP dates have whole seconds.
    assert!(
        wait > Duration::from_secs(18) && wait <= Duration::from_secs(20),
        "{wait:?}"
    );
    assert!(gap >= wait, "{gap:?}");
}

#[tokio::test(start_paused = true)]
async fn retry_after_ms_is_honoured_and_preferred() {
    let reply = Reply::fail(503, 10000, "busy")
        .header("retry-after", "30")
        .header("retry-after-ms", "1250");
    let (wait, gap) = single_retry_wait(reply, Method::GET).await;
    assert_eq!(wait, Duration::from_millis(1250));
    assert!(
        gap >= wait && gap < wait + Duration::from_millis(50),
        "{gap:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn retry_after_over_the_cap_fails_at_once_with_the_wait() {
    let date = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(600));
    let cases = [
        ("retry-after", "120".to_owned(), Duration::from_secs(120)),
        ("retry-after", date, Duration::from_secs(600)),
        (
            "retry-after-ms",
            "90000".to_owned(),
            Duration::from_secs(90),
        ),
    ];
    for (name, value, expected) in cases {
        let server = Server::start(vec![
            Reply::fail(429, 10100, "rate limited")
                .header(name, &value)
                .header("ratelimit", "\"default\";r=0;t=120")
                .header("cf-ray", "8f00aa11bb22cc33-LHR"),
            Reply::ok(json!(1)),
        ])
        .await;
        let client = build(server.client());
        let started = Instant::now();
        let err = send(&client, Method::GET).await.unwrap_err();
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "{name}: failed at once"
        );
        assert_eq!(server.hits(), 1, "{name}");
        assert!(err.is_rate_limited(), "{name}");
        let wait = err.retry_after().expect("the wait is kept");
        assert!(
            wait <= expected && wait > expected - Duration::from_secs(2),
            "{name}: {wait:?}"
        );
        assert_eq!(err.cf_ray(), Some("8f00aa11bb22cc33-LHR"));
        let limit = err.meta().unwrap().rate_limit().unwrap();
        assert_eq!(limit.remaining, Some(0));
        let text = err.to_string();
        assert!(text.contains("longer than the 60s limit"), "{text}");
    }
}

#[tokio::test(start_paused = true)]
async fn retry_after_cap_is_configurable() {
    let server = Server::start(vec![
        Reply::fail(429, 10100, "rate limited").header("retry-after", "7"),
        Reply::ok(json!(1)),
    ])
    .await;
    let client = build(server.client().retry_after_cap(Duration::from_secs(5)));
    let err = send(&client, Method::GET).await.unwrap_err();
    assert_eq!(err.retry_after(), Some(Duration::from_secs(7)));
    assert_eq!(server.hits(), 1);
}
