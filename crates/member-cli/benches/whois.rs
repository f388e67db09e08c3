//! `cf-members whois` across many accounts at the rate limit (issue 15):
//! `cargo bench -p member-cli --bench whois` (or `cargo xtask bench-whois`).
//!
//! member-mock runs in this process on 127.0.0.1 with 200 generated
//! accounts of 100 members each beside its seeded ones, and its limiter at
//! 120 requests per 10 s (Cloudflare's 1,200 per 300 s, scaled), once counted
//! in fixed windows and once in a sliding window. The release `cf-members`
//! binary runs as a child under `/usr/bin/time -v`:
//! `whois member00001@example.com --accounts all --rate-limit 120/10 -o json`.
//!
//! Reported for each run: requests the mock received against the minimum
//! (the accounts pages plus every members page of every account, counted
//! beforehand with the limiter off), repeated requests (a 429 is always
//! retried, so zero repeats means zero 429s), the time against what the limit
//! allows ((ceil(requests / 120) - 1) × 10 s: the last window's batch goes as
//! soon as that window opens), and the CLI's peak resident memory.
//!
//! Environment (optional): `WHOIS_BENCH_ACCOUNTS` (200),
//! `WHOIS_BENCH_MEMBERS` (100), `WHOIS_BENCH_REQUESTS` (120),
//! `WHOIS_BENCH_WINDOW_SECS` (10), `WHOIS_BENCH_MODES` (`fixed,sliding`).

use std::collections::HashMap;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use futures::TryStreamExt;
use member_client::{Client, Credentials, ListAccountsParams, ListMembersParams};
use member_mock::{MockServer, RateLimitPolicy};

const EMAIL: &str = "member00001@example.com";

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Requests a complete read takes: the accounts pages, then every members
/// page of every account (one failing request for an unreadable one).
async fn minimum_requests(mock: &MockServer) -> (usize, usize) {
    let client = Client::builder()
        .base_url(&mock.base_url())
        .credentials(Credentials::token(mock.token()))
        .build()
        .expect("client");
    let mut requests = 0;
    let mut accounts = Vec::new();
    let mut pages = client
        .accounts()
        .list(ListAccountsParams::new())
        .pages_raw();
    while let Some(page) = pages.try_next().await.expect("accounts page") {
        requests += 1;
        accounts.extend(page.items);
    }
    for account in &accounts {
        let id = account["id"].as_str().expect("an account id");
        let id = id.parse().expect("account id");
        let mut pages = client
            .members(&id)
            .list(ListMembersParams::new())
            .pages_raw();
        loop {
            match pages.try_next().await {
                Ok(Some(_)) => requests += 1,
                Ok(None) => break,
                Err(_) => {
                    requests += 1;
                    break;
                }
            }
        }
    }
    (requests, accounts.len())
}

/// A `/usr/bin/time -v` field.
fn time_field<'a>(report: &'a str, name: &str) -> Option<&'a str> {
    report
        .lines()
        .find_map(|l| l.trim().strip_prefix(name))
        .map(|v| v.trim_start_matches(':').trim())
}

fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}

struct Run {
    mode: &'static str,
    load_before: String,
    load_after: String,
    requests: usize,
    minimum: usize,
    repeats: usize,
    elapsed: Duration,
    allowed: Duration,
    peak_kib: u64,
    exit: Option<i32>,
    member: usize,
    unreadable: usize,
    accounts: usize,
}

async fn run(
    mode: &'static str,
    accounts: usize,
    members: usize,
    quota: u32,
    window: Duration,
) -> Run {
    let mock = MockServer::builder()
        .generated_accounts(accounts, members)
        .request_log_limit(100_000)
        .start()
        .await
        .expect("member-mock starts");
    let (minimum, listed) = minimum_requests(&mock).await;
    let policy = match mode {
        "sliding" => RateLimitPolicy::sliding(quota, window),
        _ => RateLimitPolicy::new(quota, window),
    };
    mock.set_rate_limit(Some(policy));
    mock.clear_requests();

    let binary = env!("CARGO_BIN_EXE_cf-members");
    let load_before = load();
    let started = Instant::now();
    let child = Command::new("/usr/bin/time")
        .arg("-v")
        .arg(binary)
        .args(["whois", EMAIL, "--accounts", "all", "-o", "json"])
        .arg("--rate-limit")
        .arg(format!("{quota}/{}", window.as_secs()))
        .env("CLOUDFLARE_API_TOKEN", mock.token())
        .env("CLOUDFLARE_BASE_URL", mock.base_url())
        .env_remove("CLOUDFLARE_ACCOUNT_ID")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("/usr/bin/time runs cf-members");
    let output = tokio::task::spawn_blocking(move || child.wait_with_output())
        .await
        .expect("joined")
        .expect("cf-members ran");
    let elapsed = started.elapsed();
    let load_after = load();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let peak_kib = time_field(&stderr, "Maximum resident set size (kbytes)")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let exit = time_field(&stderr, "Exit status").and_then(|v| v.parse().ok());
    let report: serde_json::Value =
        serde_json::from_slice(&output.stdout).unwrap_or(serde_json::Value::Null);
    let count = |key: &str| report["summary"][key].as_u64().unwrap_or(0) as usize;

    let log = mock.requests();
    let mut seen: HashMap<(String, Option<String>), usize> = HashMap::new();
    for r in &log {
        *seen.entry((r.path.clone(), r.query.clone())).or_default() += 1;
    }
    let repeats = seen.values().map(|n| n - 1).sum();
    let windows = log.len().div_ceil(quota as usize).max(1);
    let allowed = window * (windows as u32 - 1);
    mock.shutdown().await;
    Run {
        mode,
        load_before,
        load_after,
        requests: log.len(),
        minimum,
        repeats,
        elapsed,
        allowed,
        peak_kib,
        exit,
        member: count("member"),
        unreadable: count("unreadable"),
        accounts: listed,
    }
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` only builds it.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let accounts = env_or("WHOIS_BENCH_ACCOUNTS", 200) as usize;
    let members = env_or("WHOIS_BENCH_MEMBERS", 100) as usize;
    let quota = env_or("WHOIS_BENCH_REQUESTS", 120) as u32;
    let window = Duration::from_secs(env_or("WHOIS_BENCH_WINDOW_SECS", 10));
    let modes = std::env::var("WHOIS_BENCH_MODES").unwrap_or_else(|_| "fixed,sliding".to_owned());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    println!(
        "whois {EMAIL} --accounts all: {accounts} generated accounts of {members} members \
         (and the seeded ones), member-mock limit {quota} per {} s, cf-members --rate-limit {quota}/{}",
        window.as_secs(),
        window.as_secs()
    );
    println!();
    println!(
        "| window | accounts | requests (minimum) | repeated | elapsed | limit allows | × allowed | \
         peak RSS | found in | unreadable | exit | load before / after |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
    let mut met = true;
    for mode in modes.split(',').map(str::trim) {
        let mode: &'static str = if mode == "sliding" {
            "sliding"
        } else {
            "fixed"
        };
        let r = runtime.block_on(run(mode, accounts, members, quota, window));
        let ratio = r.elapsed.as_secs_f64() / r.allowed.as_secs_f64().max(1e-9);
        println!(
            "| {} | {} | {} ({}) | {} | {:.2} s | {:.0} s | {:.3} | {:.1} MB | {} | {} | {} | {} / {} |",
            r.mode,
            r.accounts,
            r.requests,
            r.minimum,
            r.repeats,
            r.elapsed.as_secs_f64(),
            r.allowed.as_secs_f64(),
            ratio,
            r.peak_kib as f64 / 1024.0,
            r.member,
            r.unreadable,
            r.exit.map_or("?".to_owned(), |c| c.to_string()),
            r.load_before,
            r.load_after
        );
        met &= r.requests == r.minimum && r.repeats == 0 && ratio <= 1.10 && r.peak_kib < 64 * 1024;
    }
    println!();
    println!(
        "targets (requests = minimum, no repeat so no 429, time <= 1.10 x allowed, peak RSS < 64 MB): {}",
        if met { "met" } else { "MISSED" }
    );
}
