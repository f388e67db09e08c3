//! Update Member over loopback: a bare `reqwest` floor, a hand-written typed
//! client and member-client, and the time to decode the seeds' response.
//!
//! ```sh
//! cargo bench -p member-client --bench update_member
//! # or: cargo xtask bench
//! ```
//!
//! Everything is measured in one run so the ratios compare like with like:
//!
//! - a local HTTP/1.1 server on 127.0.0.1 (its own thread and single-thread
//!   runtime) answers `PUT /client/v4/accounts/{a}/members/{m}` with
//!   `fixtures/responses/update-member-seed.json`, byte for byte;
//! - (a) the floor: one `reqwest::Client` PUTs the same body with a bearer
//!   token and reads the response bytes;
//! - (b) member-client with its default settings (timeouts, retries, size
//!   cap): `client.members(&account).set_roles(&member, [role])`, which also
//!   validates ids, builds the body, checks the envelope and decodes
//!   `Member`;
//! - (c) the fair anchor: a hand-written typed client, the same `reqwest`
//!   PUT, a status check and `serde_json::from_slice::<Envelope<Member>>` of
//!   the bytes, nothing else: what any typed Rust client costs;
//! - each runs sequentially and with 16 concurrent tasks, the six scenarios
//!   interleaved over several rounds so that drift of the machine hits all of
//!   them alike;
//! - then the nanoseconds to decode the seeds' response into
//!   `Envelope<Member>` and into `serde_json::Value`, again interleaved.
//!
//! `BENCH_SECS` (default 6) is the measured time per scenario, `BENCH_ROUNDS`
//! (default 30) the number of slices it is cut into (many short rounds keep
//! the median of per-round ratios steady on a shared machine). For profilers,
//! `BENCH_ONLY=decode` runs only the decode part, `BENCH_ONLY=a`, `b` or `c`
//! only that client with 16 tasks (`BENCH_TASKS` sets another number;
//! `BENCH_REQUESTS=N` sends exactly N requests instead, for instruction
//! counts under callgrind). The clients run on one
//! single-thread runtime, the server on another thread, so on a two-core
//! machine each has a core.

use std::hint::black_box;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bytes::Bytes;
use member_client::{Client, Credentials, Member, MemberId, RoleId, UpdateMember};
use member_types::{AccountId, Envelope};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const SEED: &[u8] = include_bytes!("../../../fixtures/responses/update-member-seed.json");
use member_mock::default_seed::{ACCOUNT, ADMIN_ROLE as ROLE, JOHN as MEMBER};
const TOKEN: &str = "bench-token-0123456789";
const CONCURRENT: usize = 16;

fn env_f64(name: &str, default: f64) -> f64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|v: &f64| v.is_finite() && *v > 0.0)
        .unwrap_or(default)
}

// ---------------------------------------------------------------------------
// The server.

/// The response to a well-formed Update Member request: the seeds' example.
fn ok_response() -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
         cf-ray: 8c0ffee000000000-LHR\r\n\r\n",
        SEED.len()
    )
    .into_bytes();
    out.extend_from_slice(SEED);
    out
}

fn not_found_response() -> Vec<u8> {
    let body = br#"{"success":false,"errors":[{"code":7003,"message":"No route for that URI"}],"messages":[],"result":null}"#;
    let mut out = format!(
        "HTTP/1.1 404 Not Found\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}

/// Whether the request line is `PUT /client/v4/accounts/{a}/members/{m}`.
fn is_update_member(head: &[u8]) -> bool {
    let Some(line) = head.split(|&b| b == b'\r').next() else {
        return false;
    };
    let Ok(line) = std::str::from_utf8(line) else {
        return false;
    };
    let mut parts = line.split(' ');
    let (Some("PUT"), Some(path)) = (parts.next(), parts.next()) else {
        return false;
    };
    let segments: Vec<&str> = path.split('/').collect();
    matches!(
        segments.as_slice(),
        ["", "client", "v4", "accounts", a, "members", m] if !a.is_empty() && !m.is_empty()
    )
}

fn content_length(head: &[u8]) -> usize {
    let text = String::from_utf8_lossy(head);
    text.split("\r\n")
        .filter_map(|line| line.split_once(':'))
        .find(|(name, _)| name.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, value)| value.trim().parse().ok())
        .unwrap_or(0)
}

/// One keep-alive connection: read a request (head and body), answer, repeat.
async fn serve(mut stream: tokio::net::TcpStream, ok: Bytes, not_found: Bytes) {
    let mut buf: Vec<u8> = Vec::with_capacity(16 * 1024);
    loop {
        let head_end = loop {
            if let Some(pos) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break pos + 4;
            }
            match stream.read_buf(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        };
        let total = head_end + content_length(&buf[..head_end]);
        while buf.len() < total {
            match stream.read_buf(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
        let answer = if is_update_member(&buf[..head_end]) {
            &ok
        } else {
            &not_found
        };
        if stream.write_all(answer).await.is_err() {
            return;
        }
        buf.drain(..total);
    }
}

/// Starts the server on its own thread and single-thread runtime. It lives
/// until the process exits.
fn start_server() -> SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    listener.set_nonblocking(true).expect("non-blocking");
    let addr = listener.local_addr().expect("local address");
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("server runtime");
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
            let ok = Bytes::from(ok_response());
            let not_found = Bytes::from(not_found_response());
            while let Ok((stream, _)) = listener.accept().await {
                let _ = stream.set_nodelay(true);
                tokio::spawn(serve(stream, ok.clone(), not_found.clone()));
            }
        });
    });
    addr
}

// ---------------------------------------------------------------------------
// The clients.

/// What one request needs, for either client.
#[derive(Clone)]
enum Subject {
    /// (a) a bare reqwest client: PUT, read the bytes.
    Floor {
        http: reqwest::Client,
        url: String,
        auth: reqwest::header::HeaderValue,
        body: Bytes,
    },
    /// (c) a hand-written typed client: PUT, check the status, decode
    /// `Envelope<Member>` with serde_json.
    Typed {
        http: reqwest::Client,
        url: String,
        auth: reqwest::header::HeaderValue,
        body: Bytes,
    },
    /// (b) member-client.
    Members {
        client: Client,
        account: AccountId,
        member: MemberId,
        role: RoleId,
    },
}

impl Subject {
    async fn once(&self) {
        match self {
            Self::Floor {
                http,
                url,
                auth,
                body,
            } => {
                let response = http
                    .put(url.as_str())
                    .header(reqwest::header::AUTHORIZATION, auth.clone())
                    .header(reqwest::header::CONTENT_TYPE, "application/json")
                    .body(body.clone())
                    .send()
                    .await
                    .expect("floor: sent");
                assert_eq!(response.status(), 200, "floor: status");
                let bytes = response.bytes().await.expect("floor: body");
                black_box(bytes);
            }
            Self::Typed {
                http,
                url,
                auth,
                body,
            } => {
                let response = http
                    .put(url.as_str())
                    .header(reqwest::header::AUTHORIZATION, auth.clone())
                    .header(reqwest::header::CONTENT_TYPE, "application/json")
                    .body(body.clone())
                    .send()
                    .await
                    .expect("typed: sent");
                assert!(response.status().is_success(), "typed: status");
                let bytes = response.bytes().await.expect("typed: body");
                let envelope: Envelope<Member> =
                    serde_json::from_slice(&bytes).expect("typed: decoded");
                assert!(envelope.success, "typed: success");
                black_box(envelope);
            }
            Self::Members {
                client,
                account,
                member,
                role,
            } => {
                let updated: Member = client
                    .members(account)
                    .set_roles(member, [role.clone()])
                    .await
                    .expect("member-client: update");
                black_box(updated);
            }
        }
    }
}

/// Requests and latencies of one scenario, summed over rounds.
#[derive(Default)]
struct Tally {
    requests: u64,
    busy: Duration,
    latencies_ns: Vec<u64>,
    /// Requests per second and p50 (µs) of each round, for per-round ratios.
    rounds: Vec<(f64, f64)>,
}

impl Tally {
    fn rate(&self) -> f64 {
        rate(self.requests, self.busy)
    }

    /// The `q` quantile in microseconds.
    fn quantile_us(&mut self, q: f64) -> f64 {
        self.latencies_ns.sort_unstable();
        quantile_us(&self.latencies_ns, q)
    }
}

fn rate(requests: u64, busy: Duration) -> f64 {
    #[allow(clippy::cast_precision_loss, reason = "a printed rate")]
    let count = requests as f64;
    count / busy.as_secs_f64()
}

/// The `q` quantile of sorted nanoseconds, in microseconds (nearest rank).
fn quantile_us(sorted_ns: &[u64], q: f64) -> f64 {
    let len = sorted_ns.len();
    if len == 0 {
        return f64::NAN;
    }
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss,
        reason = "an index into a non-empty list"
    )]
    let rank = ((q * len as f64).ceil() as usize).clamp(1, len);
    #[allow(clippy::cast_precision_loss, reason = "a printed latency")]
    let us = sorted_ns[rank - 1] as f64 / 1_000.0;
    us
}

/// Sends exactly `n` requests with `tasks` concurrent loops (for counting
/// instructions per request under callgrind: the difference of two counts
/// over the difference of their `n`).
async fn run_count(subject: &Subject, tasks: usize, n: usize) {
    let left = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(n));
    let mut handles = Vec::with_capacity(tasks);
    for _ in 0..tasks {
        let subject = subject.clone();
        let left = left.clone();
        handles.push(tokio::spawn(async move {
            while left
                .fetch_update(
                    std::sync::atomic::Ordering::Relaxed,
                    std::sync::atomic::Ordering::Relaxed,
                    |k| k.checked_sub(1),
                )
                .is_ok()
            {
                subject.once().await;
            }
        }));
    }
    for handle in handles {
        handle.await.expect("a benchmark task panicked");
    }
}

/// Runs `subject` with `tasks` concurrent loops for `span`, adding to `tally`.
async fn run_for(subject: &Subject, tasks: usize, span: Duration, tally: &mut Tally) {
    let started = Instant::now();
    let until = started + span;
    let mut handles = Vec::with_capacity(tasks);
    for _ in 0..tasks {
        let subject = subject.clone();
        handles.push(tokio::spawn(async move {
            let mut latencies = Vec::with_capacity(64 * 1024);
            loop {
                let sent = Instant::now();
                if sent >= until {
                    break;
                }
                subject.once().await;
                #[allow(clippy::cast_possible_truncation, reason = "a latency in ns")]
                latencies.push(sent.elapsed().as_nanos() as u64);
            }
            latencies
        }));
    }
    let mut round = Vec::new();
    for handle in handles {
        round.extend(handle.await.expect("a benchmark task panicked"));
    }
    let busy = started.elapsed();
    round.sort_unstable();
    tally
        .rounds
        .push((rate(round.len() as u64, busy), quantile_us(&round, 0.50)));
    tally.requests += round.len() as u64;
    tally.latencies_ns.extend(round);
    tally.busy += busy;
}

/// The median and range of `b / a` over the rounds, `pick` choosing the
/// figure of a round.
fn round_ratios(a: &Tally, b: &Tally, pick: fn(&(f64, f64)) -> f64) -> (f64, f64, f64) {
    let ratios: Vec<f64> = a
        .rounds
        .iter()
        .zip(&b.rounds)
        .map(|(a, b)| pick(b) / pick(a))
        .collect();
    let low = ratios.iter().copied().fold(f64::INFINITY, f64::min);
    let high = ratios.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    (median(ratios), low, high)
}

// ---------------------------------------------------------------------------
// Decoding.

/// Nanoseconds per decode of the seeds' response with `decode`.
fn decode_ns(iterations: u32, decode: fn(&[u8])) -> f64 {
    let started = Instant::now();
    for _ in 0..iterations {
        decode(black_box(SEED));
    }
    started.elapsed().as_secs_f64() * 1e9 / f64::from(iterations)
}

/// A decode to time, by name.
type Decoder = fn(&[u8]);

fn typed_serde_json(bytes: &[u8]) {
    let value: Envelope<Member> = serde_json::from_slice(bytes).expect("the seed decodes");
    black_box(value);
}

fn typed_client_decoder(bytes: &[u8]) {
    let value: Envelope<Member> = member_types::json::from_slice(bytes).expect("the seed decodes");
    black_box(value);
}

fn value_serde_json(bytes: &[u8]) {
    let value: serde_json::Value = serde_json::from_slice(bytes).expect("the seed decodes");
    black_box(value);
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len().is_multiple_of(2) {
        (values[mid - 1] + values[mid]) / 2.0
    } else {
        values[mid]
    }
}

/// Decode timings, interleaved: the decoders alternate within each round,
/// and the medians over rounds are reported.
fn decode_benchmark(rounds: u32, budget: Duration) {
    let decoders: Vec<(String, Decoder)> = vec![
        (
            "`Envelope<Member>`, `serde_json::from_slice` (plain serde_json)".to_owned(),
            typed_serde_json,
        ),
        (
            format!(
                "`Envelope<Member>`, `member_types::json::from_slice` (as member-http: the member reader, then {})",
                member_types::json::DECODER
            ),
            typed_client_decoder,
        ),
        (
            "`serde_json::Value`, `serde_json::from_slice`".to_owned(),
            value_serde_json,
        ),
    ];
    // Calibrate: iterations for about budget / (decoders * rounds) each.
    let probe = decode_ns(2_000, value_serde_json);
    let per_measure = budget.as_secs_f64() / f64::from(rounds) / decoders.len() as f64;
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "a positive iteration count"
    )]
    let iterations = ((per_measure * 1e9 / probe) as u32).max(1_000);
    let mut times: Vec<Vec<f64>> = decoders.iter().map(|_| Vec::new()).collect();
    let mut ratios: Vec<Vec<f64>> = decoders.iter().map(|_| Vec::new()).collect();
    for _ in 0..rounds {
        let round: Vec<f64> = decoders
            .iter()
            .map(|(_, decode)| decode_ns(iterations, *decode))
            .collect();
        let value = round[round.len() - 1];
        for (i, t) in round.iter().enumerate() {
            times[i].push(*t);
            ratios[i].push(t / value);
        }
    }
    println!();
    println!(
        "Decode of fixtures/responses/update-member-seed.json ({} bytes), \
         median of {rounds} interleaved rounds x {iterations} iterations:",
        SEED.len()
    );
    println!();
    println!("| decode into, with | ns per decode | / `Value` |");
    println!("|---|---:|---:|");
    let mut client_ratio = f64::NAN;
    for (((name, _), t), r) in decoders.iter().zip(times).zip(ratios) {
        let (t, r) = (median(t), median(r));
        println!("| {name} | {t:.0} | {r:.3} |");
        if name.contains("member_types::json") {
            client_ratio = r;
        }
    }
    println!();
    println!(
        "- typed / Value with the client's decoder (the member reader, then {}) = {client_ratio:.3} \
         (median of per-round ratios; target <= 0.40: {})",
        member_types::json::DECODER,
        verdict(client_ratio <= 0.40)
    );
}

/// Cores, CPU model and load average, for the record (Linux; blank
/// elsewhere).
fn machine() -> String {
    let cores = std::thread::available_parallelism().map_or(0, std::num::NonZero::get);
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|text| {
            text.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_owned())
        })
        .unwrap_or_default();
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let load: Vec<&str> = load.split_whitespace().take(3).collect();
    format!(
        "machine: {cores} cores, CPU {model:?}, load average {} (before the run)",
        load.join(" ")
    )
}

fn verdict(ok: bool) -> &'static str {
    if ok {
        "met"
    } else {
        "MISSED"
    }
}

// ---------------------------------------------------------------------------

fn main() {
    // `cargo bench` passes `--bench`; anything else (`cargo test --benches`,
    // running the binary by hand) gets a quick smoke run.
    let quick = !std::env::args().any(|a| a == "--bench");
    let secs = if quick {
        0.2
    } else {
        env_f64("BENCH_SECS", 6.0)
    };
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "a small positive count"
    )]
    let rounds = if quick {
        1
    } else {
        env_f64("BENCH_ROUNDS", 30.0).round().max(1.0) as u32
    };
    let slice = Duration::from_secs_f64(secs / f64::from(rounds));

    // For instruction counts of one decoder: BENCH_ONLY=decode-typed,
    // decode-plain or decode-value with BENCH_REQUESTS decodes.
    if let Ok(which @ ("decode-typed" | "decode-plain" | "decode-value")) =
        std::env::var("BENCH_ONLY").as_deref()
    {
        let n: u32 = std::env::var("BENCH_REQUESTS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(10_000);
        let decode: Decoder = match which {
            "decode-typed" => typed_client_decoder,
            "decode-plain" => typed_serde_json,
            _ => value_serde_json,
        };
        println!("{which}: {:.0} ns per decode", decode_ns(n, decode));
        return;
    }
    // For profiling one part: BENCH_ONLY=decode skips the HTTP scenarios.
    if std::env::var("BENCH_ONLY").is_ok_and(|v| v == "decode") {
        decode_benchmark(rounds.max(15), Duration::from_secs_f64(secs.max(6.0)));
        return;
    }

    let addr = start_server();
    let base = format!("http://{addr}/client/v4");
    let account: AccountId = ACCOUNT.parse().expect("account id");
    let member: MemberId = MEMBER.parse().expect("member id");
    let role: RoleId = ROLE.parse().expect("role id");
    let body = serde_json::to_vec(&UpdateMember::with_roles([role.clone()]).expect("body"))
        .expect("serialize the body");

    let reqwest_client = || {
        reqwest::Client::builder()
            .no_proxy()
            .build()
            .expect("reqwest client")
    };
    let url = format!("{base}/accounts/{account}/members/{member}");
    let auth: reqwest::header::HeaderValue =
        format!("Bearer {TOKEN}").parse().expect("header value");
    let body = Bytes::from(body);
    let floor = Subject::Floor {
        http: reqwest_client(),
        url: url.clone(),
        auth: auth.clone(),
        body: body.clone(),
    };
    let typed = Subject::Typed {
        http: reqwest_client(),
        url,
        auth,
        body,
    };
    let client = Subject::Members {
        client: Client::builder()
            .base_url(&base)
            .credentials(Credentials::token(TOKEN))
            .build()
            .expect("member-client"),
        account,
        member,
        role,
    };

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("client runtime");
    // For profiling one client: BENCH_ONLY=a or BENCH_ONLY=b.
    if let Ok(only @ ("a" | "b" | "c")) = std::env::var("BENCH_ONLY").as_deref() {
        let subject = match only {
            "a" => &floor,
            "b" => &client,
            _ => &typed,
        };
        let tasks = env_f64("BENCH_TASKS", CONCURRENT as f64) as usize;
        if let Ok(n) = std::env::var("BENCH_REQUESTS") {
            let n: usize = n.parse().expect("BENCH_REQUESTS is a count");
            runtime.block_on(run_count(subject, tasks, n));
            println!("{only}: {n} requests with {tasks} tasks");
            return;
        }
        let mut tally = Tally::default();
        runtime.block_on(run_for(
            subject,
            tasks,
            Duration::from_secs_f64(secs),
            &mut tally,
        ));
        let p50 = tally.quantile_us(0.5);
        println!(
            "{only}: {} requests, {:.0} req/s with {tasks} tasks, p50 {p50:.1} µs",
            tally.requests,
            tally.rate(),
        );
        return;
    }
    let scenarios: [(&str, &Subject, usize); 6] = [
        ("(a) bare reqwest", &floor, 1),
        ("(c) typed reqwest + serde_json", &typed, 1),
        ("(b) member-client", &client, 1),
        ("(a) bare reqwest", &floor, CONCURRENT),
        ("(c) typed reqwest + serde_json", &typed, CONCURRENT),
        ("(b) member-client", &client, CONCURRENT),
    ];
    let mut tallies: Vec<Tally> = scenarios.iter().map(|_| Tally::default()).collect();
    runtime.block_on(async {
        // Warm up: connections, allocator, branch predictors.
        for (_, subject, tasks) in &scenarios {
            run_for(
                subject,
                *tasks,
                slice.min(Duration::from_millis(300)),
                &mut Tally::default(),
            )
            .await;
        }
        for _ in 0..rounds {
            for ((_, subject, tasks), tally) in scenarios.iter().zip(&mut tallies) {
                run_for(subject, *tasks, slice, tally).await;
            }
        }
    });

    println!("{}", machine());
    println!(
        "Update Member over loopback (127.0.0.1), {secs} s per scenario in {rounds} interleaved rounds, \
         decoder: the member reader, then {}",
        member_types::json::DECODER
    );
    println!();
    println!("| client | tasks | requests | req/s | p50 µs | p99 µs |");
    println!("|---|---:|---:|---:|---:|---:|");
    let mut summary = Vec::new();
    for ((name, _, tasks), tally) in scenarios.iter().zip(&mut tallies) {
        let (rate, p50, p99) = (
            tally.rate(),
            tally.quantile_us(0.50),
            tally.quantile_us(0.99),
        );
        println!(
            "| {name} | {tasks} | {} | {rate:.0} | {p50:.1} | {p99:.1} |",
            tally.requests
        );
        summary.push((rate, p50, p99));
    }
    let _ = summary;
    // Tallies: 0 a/1, 1 c/1, 2 b/1, 3 a/16, 4 c/16, 5 b/16.
    println!();
    println!(
        "| ratio | tasks | throughput, whole run | p50, whole run | p99, whole run \
         | throughput, median of rounds (range) | p50, median of rounds (range) |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|");
    let mut ratio_row = |name: &str, tasks: usize, base: usize, other: usize| {
        let (rate, rate_lo, rate_hi) = round_ratios(&tallies[base], &tallies[other], |r| r.0);
        let (p50, p50_lo, p50_hi) = round_ratios(&tallies[base], &tallies[other], |r| r.1);
        let whole = |t: &mut Tally| (t.rate(), t.quantile_us(0.50), t.quantile_us(0.99));
        let (br, bp50, bp99) = whole(&mut tallies[base]);
        let (or, op50, op99) = whole(&mut tallies[other]);
        println!(
            "| {name} | {tasks} | {:.3} | {:.3} | {:.3} | {rate:.3} ({rate_lo:.2}-{rate_hi:.2}) | {p50:.3} ({p50_lo:.2}-{p50_hi:.2}) |",
            or / br,
            op50 / bp50,
            op99 / bp99
        );
        (rate, p50)
    };
    let (_, _) = ratio_row("member-client / reqwest (b/a)", 1, 0, 2);
    let (_, _) = ratio_row("member-client / reqwest (b/a)", CONCURRENT, 3, 5);
    let (_, _) = ratio_row("typed / reqwest (c/a)", 1, 0, 1);
    let (_, _) = ratio_row("typed / reqwest (c/a)", CONCURRENT, 3, 4);
    let (_, seq_p50) = ratio_row("member-client / typed (b/c)", 1, 1, 2);
    let (par_rate, _) = ratio_row("member-client / typed (b/c)", CONCURRENT, 4, 5);
    println!();
    println!(
        "Targets, on the median of per-round ratios (the clients run back to back in each \
         round, so a burst of load elsewhere hits all):"
    );
    println!(
        "- throughput b/c at {CONCURRENT} tasks = {par_rate:.3} (target >= 0.97: {})",
        verdict(par_rate >= 0.97)
    );
    println!(
        "- sequential p50 b/c = {seq_p50:.3} (target <= 1.03: {})",
        verdict(seq_p50 <= 1.03)
    );

    decode_benchmark(
        if quick { 1 } else { 15 },
        Duration::from_secs_f64(if quick { 0.1 } else { 6.0 }),
    );
}
