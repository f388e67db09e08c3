//! The rate limiter: off by default, 429 with code 10100 and Retry-After.

mod common;

use std::time::Duration;

use common::*;
use member_mock::{MockServer, RateLimitPolicy};
use reqwest::StatusCode;

#[tokio::test]
async fn off_by_default() {
    let server = MockServer::start().await;
    assert_eq!(server.rate_limit(), None);
    for _ in 0..30 {
        let reply = get(&server, &members_path()).await;
        assert_eq!(reply.status, StatusCode::OK);
        assert!(reply.header("ratelimit").is_none());
    }
}

#[tokio::test(start_paused = true)]
async fn over_the_limit_is_429_with_retry_after() {
    let server = MockServer::start().await;
    server.set_rate_limit(Some(RateLimitPolicy::new(3, Duration::from_secs(60))));
    for remaining in [2, 1, 0] {
        let reply = get(&server, &members_path()).await;
        assert_eq!(reply.status, StatusCode::OK);
        assert_eq!(
            reply.header("ratelimit"),
            Some(format!("\"default\";r={remaining};t=60").as_str())
        );
        assert_eq!(
            reply.header("ratelimit-policy"),
            Some("\"default\";q=3;w=60")
        );
    }
    let limited = get(&server, &members_path()).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(limited.error_codes(), vec![10100]);
    assert_eq!(limited.json()["success"], false);
    // No time passes on the paused clock: the whole window is left.
    assert_eq!(limited.header("retry-after"), Some("60"));
    assert!(limited.header("cf-ray").is_some());
    // Every route counts, unknown ones included.
    assert_eq!(
        get(&server, "/nowhere").await.status,
        StatusCode::TOO_MANY_REQUESTS
    );

    server.set_rate_limit(None);
    assert_eq!(get(&server, &members_path()).await.status, StatusCode::OK);
}

#[tokio::test(start_paused = true)]
async fn the_window_resets() {
    let server = MockServer::builder()
        .rate_limit(RateLimitPolicy::new(2, Duration::from_secs(1)))
        .start()
        .await
        .unwrap();
    assert_eq!(get(&server, &members_path()).await.status, StatusCode::OK);
    assert_eq!(get(&server, &members_path()).await.status, StatusCode::OK);
    let limited = get(&server, &members_path()).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(limited.header("retry-after"), Some("1"));
    // The window is one second to the nanosecond of Tokio's clock.
    tokio::time::sleep(Duration::from_millis(999)).await;
    let still = get(&server, &members_path()).await;
    assert_eq!(still.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(still.header("retry-after"), Some("1"));
    tokio::time::sleep(Duration::from_millis(1)).await;
    assert_eq!(get(&server, &members_path()).await.status, StatusCode::OK);
}

#[tokio::test]
async fn reset_restores_the_configured_limit() {
    let server = MockServer::builder()
        .rate_limit(RateLimitPolicy::new(1, Duration::from_secs(60)))
        .start()
        .await
        .unwrap();
    assert_eq!(get(&server, &members_path()).await.status, StatusCode::OK);
    assert_eq!(
        get(&server, &members_path()).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    server.reset();
    assert_eq!(
        server.rate_limit(),
        Some(RateLimitPolicy::new(1, Duration::from_secs(60)))
    );
    assert_eq!(get(&server, &members_path()).await.status, StatusCode::OK);
}

#[tokio::test(start_paused = true)]
async fn a_sliding_window_counts_any_interval() {
    let server = MockServer::builder()
        .rate_limit(RateLimitPolicy::sliding(2, Duration::from_secs(10)))
        .start()
        .await
        .unwrap();
    let first = get(&server, &members_path()).await;
    assert_eq!(first.header("ratelimit"), Some("\"default\";r=1;t=10"));
    tokio::time::sleep(Duration::from_secs(6)).await;
    let second = get(&server, &members_path()).await;
    assert_eq!(second.status, StatusCode::OK);
    // Nothing left; the first request leaves the window in 4 s.
    assert_eq!(second.header("ratelimit"), Some("\"default\";r=0;t=4"));
    tokio::time::sleep(Duration::from_secs(3)).await;
    let limited = get(&server, &members_path()).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(limited.header("retry-after"), Some("1"));
    tokio::time::sleep(Duration::from_secs(1)).await;
    // Ten seconds after the first: its slot is back, and only that one (a
    // fixed window opened by the first request would give both back).
    assert_eq!(get(&server, &members_path()).await.status, StatusCode::OK);
    let again = get(&server, &members_path()).await;
    assert_eq!(again.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(again.header("retry-after"), Some("6"));
    assert_eq!(
        server.rate_limit().map(|l| l.mode),
        Some(member_mock::WindowMode::Sliding)
    );
}
