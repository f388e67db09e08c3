//! The table of every retry rule, and the backoff schedule.

use super::*;
use crate::error::{ApiError, ConnectionError, ConnectionStage, Context, TimeoutError};
use crate::response::ResponseMeta;
use http::{HeaderMap, HeaderValue};

const SECOND: Duration = Duration::from_secs(1);

fn api(status: u16, headers: &[(&'static str, &str)]) -> Error {
    let mut map = HeaderMap::new();
    for (name, value) in headers {
        map.insert(*name, HeaderValue::from_str(value).unwrap());
    }
    Error::Api(Box::new(ApiError {
        ctx: Context::new(&Method::GET, "/x"),
        status,
        success_false: false,
        errors: Vec::new(),
        messages: Vec::new(),
        excerpt: None,
        meta: ResponseMeta::new(map),
        wait_refused_cap: None,
    }))
}

fn connection(stage: ConnectionStage) -> Error {
    Error::Connection(Box::new(ConnectionError {
        ctx: Context::new(&Method::GET, "/x"),
        stage,
        source: "lost".into(),
    }))
}

fn timeout(phase: TimeoutPhase) -> Error {
    Error::Timeout(Box::new(TimeoutError {
        ctx: Context::new(&Method::GET, "/x"),
        phase,
        limit: SECOND,
        source: None,
    }))
}

const POLICY: RetryPolicy = RetryPolicy {
    max_retries: 2,
    retry_after_cap: Duration::from_secs(60),
    limiter: false,
};
const LIMITED: RetryPolicy = RetryPolicy {
    limiter: true,
    ..POLICY
};

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

fn ms(ms: u64) -> Duration {
    Duration::from_millis(ms)
}

/// One row: the policy, method, attempt, failure, deadline (from now),
/// jitter draw, and the decision expected.
struct Row {
    what: &'static str,
    policy: RetryPolicy,
    method: Method,
    attempt: u32,
    failure: Error,
    deadline_in: Option<Duration>,
    jitter: f64,
    expected: Decision,
}

fn row(what: &'static str, method: Method, failure: Error, expected: Decision) -> Row {
    Row {
        what,
        policy: POLICY,
        method,
        attempt: 1,
        failure,
        deadline_in: None,
        jitter: 0.0,
        expected,
    }
}

fn give_up_blocking(wait: Duration) -> Decision {
    Decision::GiveUp {
        limiter_block: Some(wait),
        wait_refused_cap: None,
    }
}

const GIVE_UP: Decision = Decision::GIVE_UP;

fn table() -> Vec<Row> {
    use Decision::{RetryAfter, WaitForLimiter};
    let (get, post, put, delete) = (Method::GET, Method::POST, Method::PUT, Method::DELETE);
    let mut rows = Vec::new();
    // Transient statuses of idempotent requests, with the first backoff.
    for status in [408, 409, 429, 500, 502, 503, 504] {
        rows.push(row(
            "transient status",
            get.clone(),
            api(status, &[]),
            RetryAfter(ms(500)),
        ));
    }
    for status in [400, 401, 403, 404, 405, 422] {
        rows.push(row(
            "permanent status",
            get.clone(),
            api(status, &[]),
            GIVE_UP,
        ));
    }
    rows.extend([
        row("PUT 503", put.clone(), api(503, &[]), RetryAfter(ms(500))),
        row(
            "DELETE lost",
            delete,
            connection(ConnectionStage::Exchange),
            RetryAfter(ms(500)),
        ),
        row(
            "GET connect",
            get.clone(),
            connection(ConnectionStage::Connect),
            RetryAfter(ms(500)),
        ),
        row(
            "GET lost",
            get.clone(),
            connection(ConnectionStage::Exchange),
            RetryAfter(ms(500)),
        ),
        row(
            "GET body cut",
            get.clone(),
            connection(ConnectionStage::Body),
            RetryAfter(ms(500)),
        ),
        row(
            "GET attempt timeout",
            get.clone(),
            timeout(TimeoutPhase::Attempt),
            RetryAfter(ms(500)),
        ),
        row(
            "GET connect timeout",
            get.clone(),
            timeout(TimeoutPhase::Connect),
            RetryAfter(ms(500)),
        ),
        row(
            "deadline timeout",
            get.clone(),
            timeout(TimeoutPhase::Deadline),
            GIVE_UP,
        ),
        row(
            "queued timeout",
            get.clone(),
            timeout(TimeoutPhase::Queued),
            GIVE_UP,
        ),
        row("local error", get.clone(), Error::config("x"), GIVE_UP),
        row("protocol error", get.clone(), Error::protocol("x"), GIVE_UP),
        // POST: only when it certainly was not processed.
        row(
            "POST connect",
            post.clone(),
            connection(ConnectionStage::Connect),
            RetryAfter(ms(500)),
        ),
        row(
            "POST connect timeout",
            post.clone(),
            timeout(TimeoutPhase::Connect),
            RetryAfter(ms(500)),
        ),
        row("POST 429", post.clone(), api(429, &[]), RetryAfter(ms(500))),
        row(
            "POST maybe processed: lost",
            post.clone(),
            connection(ConnectionStage::Exchange),
            GIVE_UP,
        ),
        row(
            "POST maybe processed: body",
            post.clone(),
            connection(ConnectionStage::Body),
            GIVE_UP,
        ),
        row(
            "POST maybe processed: timeout",
            post.clone(),
            timeout(TimeoutPhase::Attempt),
            GIVE_UP,
        ),
        row(
            "POST maybe processed: 503",
            post.clone(),
            api(503, &[]),
            GIVE_UP,
        ),
        row(
            "POST maybe processed: 408",
            post.clone(),
            api(408, &[]),
            GIVE_UP,
        ),
        // x-should-retry overrides the status rule of idempotent requests.
        row(
            "x-should-retry true on 400",
            get.clone(),
            api(400, &[("x-should-retry", "true")]),
            RetryAfter(ms(500)),
        ),
        row(
            "x-should-retry false on 503",
            get.clone(),
            api(503, &[("x-should-retry", "false")]),
            GIVE_UP,
        ),
        row(
            "x-should-retry false on 429",
            get.clone(),
            api(429, &[("x-should-retry", "false")]),
            GIVE_UP,
        ),
        row(
            "x-should-retry junk on 503",
            get.clone(),
            api(503, &[("x-should-retry", "maybe")]),
            RetryAfter(ms(500)),
        ),
        // ... but never makes a POST that may have been processed retry.
        row(
            "POST x-should-retry true on 500",
            post.clone(),
            api(500, &[("x-should-retry", "true")]),
            GIVE_UP,
        ),
        row(
            "POST x-should-retry false on 429",
            post.clone(),
            api(429, &[("x-should-retry", "false")]),
            GIVE_UP,
        ),
        row(
            "POST x-should-retry true on 429",
            post.clone(),
            api(429, &[("x-should-retry", "true")]),
            RetryAfter(ms(500)),
        ),
        // Retry-After below, at and above the cap.
        row(
            "Retry-After below the cap",
            get.clone(),
            api(503, &[("retry-after", "7")]),
            RetryAfter(secs(7)),
        ),
        row(
            "Retry-After at the cap",
            get.clone(),
            api(429, &[("retry-after", "60")]),
            RetryAfter(secs(60)),
        ),
        row(
            "retry-after-ms",
            get.clone(),
            api(429, &[("retry-after-ms", "1250")]),
            RetryAfter(ms(1250)),
        ),
        row(
            "Retry-After above the cap",
            get.clone(),
            api(429, &[("retry-after", "61")]),
            Decision::GiveUp {
                limiter_block: None,
                wait_refused_cap: Some(secs(60)),
            },
        ),
        row(
            "Retry-After on a permanent status",
            get.clone(),
            api(400, &[("retry-after", "1")]),
            GIVE_UP,
        ),
    ]);
    // Attempts run out: the last attempt is never retried, and a wait over
    // the cap is then not reported as refused.
    rows.push(Row {
        attempt: 3,
        ..row("no retries left", get.clone(), api(503, &[]), GIVE_UP)
    });
    rows.push(Row {
        attempt: 3,
        ..row(
            "no retries left, wait over cap",
            get.clone(),
            api(429, &[("retry-after", "90")]),
            GIVE_UP,
        )
    });
    rows.push(Row {
        policy: RetryPolicy {
            max_retries: 0,
            ..POLICY
        },
        ..row("max_retries 0", get.clone(), api(503, &[]), GIVE_UP)
    });
    // Backoff doubles to a cap, with jitter taking off at most a quarter.
    for (attempt, nominal) in [
        (1, 500),
        (2, 1000),
        (3, 2000),
        (4, 4000),
        (5, 8000),
        (6, 8000),
        (40, 8000),
    ] {
        let policy = RetryPolicy {
            max_retries: 100,
            ..POLICY
        };
        rows.push(Row {
            policy,
            attempt,
            ..row(
                "backoff, no jitter",
                get.clone(),
                api(503, &[]),
                RetryAfter(ms(nominal)),
            )
        });
        rows.push(Row {
            policy,
            attempt,
            jitter: 0.5,
            ..row(
                "backoff, half jitter",
                get.clone(),
                api(503, &[]),
                RetryAfter(Duration::from_micros(nominal * 875)),
            )
        });
        rows.push(Row {
            policy,
            attempt,
            jitter: 1.0,
            ..row(
                "backoff, full jitter",
                get.clone(),
                api(503, &[]),
                RetryAfter(Duration::from_micros(nominal * 750)),
            )
        });
    }
    // The deadline vetoes a wait that would reach it.
    rows.extend([
        Row {
            deadline_in: Some(ms(400)),
            ..row(
                "backoff past the deadline",
                get.clone(),
                api(503, &[]),
                GIVE_UP,
            )
        },
        Row {
            deadline_in: Some(ms(500)),
            ..row(
                "backoff reaching the deadline",
                get.clone(),
                api(503, &[]),
                GIVE_UP,
            )
        },
        Row {
            deadline_in: Some(ms(501)),
            ..row(
                "backoff within the deadline",
                get.clone(),
                api(503, &[]),
                RetryAfter(ms(500)),
            )
        },
        Row {
            deadline_in: Some(secs(5)),
            ..row(
                "Retry-After past the deadline",
                get.clone(),
                api(429, &[("retry-after", "7")]),
                GIVE_UP,
            )
        },
        Row {
            deadline_in: Some(Duration::ZERO),
            ..row("deadline now", get.clone(), api(503, &[]), GIVE_UP)
        },
    ]);
    // 429 under the limiter: the limiter waits, whatever the cap, and
    // blocks even when the request is not retried.
    rows.extend([
        Row {
            policy: LIMITED,
            ..row(
                "limiter 429 Retry-After",
                get.clone(),
                api(429, &[("retry-after", "90")]),
                WaitForLimiter(secs(90)),
            )
        },
        Row {
            policy: LIMITED,
            ..row(
                "limiter 429 Retry-After over Ratelimit",
                get.clone(),
                api(
                    429,
                    &[("retry-after", "3"), ("ratelimit", "\"default\";r=0;t=30")],
                ),
                WaitForLimiter(secs(3)),
            )
        },
        Row {
            policy: LIMITED,
            ..row(
                "limiter 429 Ratelimit reset",
                get.clone(),
                api(429, &[("ratelimit", "\"default\";r=0;t=30")]),
                WaitForLimiter(secs(30)),
            )
        },
        Row {
            policy: LIMITED,
            ..row(
                "limiter 429 backoff",
                get.clone(),
                api(429, &[]),
                WaitForLimiter(ms(500)),
            )
        },
        Row {
            policy: LIMITED,
            ..row(
                "limiter POST 429",
                post.clone(),
                api(429, &[("retry-after", "90")]),
                WaitForLimiter(secs(90)),
            )
        },
        Row {
            policy: LIMITED,
            ..row(
                "limiter 429 x-should-retry false",
                get.clone(),
                api(429, &[("retry-after", "5"), ("x-should-retry", "false")]),
                give_up_blocking(secs(5)),
            )
        },
        Row {
            policy: LIMITED,
            attempt: 3,
            ..row(
                "limiter 429 no retries left",
                get.clone(),
                api(429, &[("retry-after", "5")]),
                give_up_blocking(secs(5)),
            )
        },
        Row {
            policy: LIMITED,
            deadline_in: Some(secs(4)),
            ..row(
                "limiter 429 past the deadline",
                get.clone(),
                api(429, &[("retry-after", "5")]),
                give_up_blocking(secs(5)),
            )
        },
        Row {
            policy: LIMITED,
            ..row(
                "limiter leaves a 503 to the backoff",
                get.clone(),
                api(503, &[]),
                RetryAfter(ms(500)),
            )
        },
        Row {
            policy: LIMITED,
            ..row(
                "limiter leaves a 503 Retry-After to the cap",
                get.clone(),
                api(503, &[("retry-after", "61")]),
                Decision::GiveUp {
                    limiter_block: None,
                    wait_refused_cap: Some(secs(60)),
                },
            )
        },
    ]);
    rows
}

#[test]
fn every_rule() {
    let now = Instant::now();
    for row in table() {
        let deadline = row.deadline_in.map(|d| now + d);
        let decision = decide(
            &row.policy,
            &row.method,
            row.attempt,
            &row.failure,
            now,
            deadline,
            || row.jitter,
        );
        assert_eq!(
            decision, row.expected,
            "{}: {} attempt {} ({:?})",
            row.what, row.method, row.attempt, row.failure
        );
    }
}

#[test]
fn jitter_is_drawn_only_for_a_backoff() {
    let now = Instant::now();
    let draws = std::cell::Cell::new(0);
    let jitter = || {
        draws.set(draws.get() + 1);
        0.0
    };
    let with_wait = api(503, &[("retry-after", "1")]);
    decide(&POLICY, &Method::GET, 1, &with_wait, now, None, jitter);
    decide(&POLICY, &Method::GET, 1, &api(400, &[]), now, None, jitter);
    decide(&POLICY, &Method::GET, 3, &api(503, &[]), now, None, jitter);
    assert_eq!(draws.get(), 0);
    decide(&POLICY, &Method::GET, 1, &api(503, &[]), now, None, jitter);
    // Under the limiter, a 429 draws for its block even when not retried.
    decide(&LIMITED, &Method::GET, 3, &api(429, &[]), now, None, jitter);
    assert_eq!(draws.get(), 2);
}

#[test]
fn is_retryable_is_the_idempotent_rule() {
    for row in table() {
        assert_eq!(
            row.failure.is_retryable(),
            may_repeat(&row.failure, true),
            "{}",
            row.what
        );
    }
    assert!(!may_repeat(&api(503, &[]), false));
    assert!(api(503, &[]).is_retryable());
}

#[test]
fn seeded_jitter_is_reproducible_and_in_range() {
    let a = Jitter::new(Some(7));
    let b = Jitter::new(Some(7));
    for _ in 0..1000 {
        let x = a.next_unit();
        assert_eq!(x, b.next_unit());
        assert!((0.0..1.0).contains(&x));
    }
}

#[test]
fn backoff_schedule() {
    assert_eq!(backoff_delay(0, 0.0), ms(500));
    assert_eq!(backoff_delay(1, 0.0), secs(1));
    assert_eq!(backoff_delay(10, 0.0), secs(8));
    assert_eq!(backoff_delay(0, 0.999_999), Duration::from_micros(375_000));
}

#[test]
fn backoff_bounds() {
    for retry in 0..12 {
        let nominal = INITIAL_BACKOFF
            .saturating_mul(1 << retry.min(8))
            .min(MAX_BACKOFF);
        let hi = backoff_delay(retry, 0.0);
        let lo = backoff_delay(retry, 1.0);
        assert_eq!(hi, nominal);
        assert_eq!(lo, nominal.mul_f64(1.0 - JITTER_FRACTION));
        for unit in [0.1, 0.5, 0.9, 0.999_999] {
            let wait = backoff_delay(retry, unit);
            assert!(lo <= wait && wait <= hi, "{retry} {unit}: {wait:?}");
        }
    }
    assert_eq!(backoff_delay(u32::MAX, f64::NAN), MAX_BACKOFF);
    assert_eq!(backoff_delay(0, -3.0), INITIAL_BACKOFF);
    assert_eq!(backoff_delay(0, 7.0), INITIAL_BACKOFF.mul_f64(0.75));
}

#[test]
fn methods() {
    assert!(is_idempotent(&Method::PUT));
    assert!(!is_idempotent(&Method::POST));
    assert!(!is_idempotent(&Method::PATCH));
}
