//! Requests per second against member-mock on loopback.
//!
//! `cargo bench -p member-mock --bench loopback` (BENCH_SECS sets the time per
//! scenario, default 3; BENCH_CONCURRENCY the requests in flight, default 8).
//! Client and server share the machine, so the numbers are a floor.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use member_mock::MockServer;

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

async fn run(name: &str, url: String, token: &str, secs: u64, concurrency: u64) {
    let client = reqwest::Client::new();
    let done = Arc::new(AtomicU64::new(0));
    let bytes = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + Duration::from_secs(secs);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (client, url, token) = (client.clone(), url.clone(), token.to_owned());
        let (done, bytes) = (done.clone(), bytes.clone());
        tasks.push(tokio::spawn(async move {
            while Instant::now() < deadline {
                let response = client.get(&url).bearer_auth(&token).send().await;
                let body = response.expect("sent").bytes().await.expect("read");
                bytes.fetch_add(body.len() as u64, Ordering::Relaxed);
                done.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    for task in tasks {
        task.await.expect("worker");
    }
    let elapsed = started.elapsed().as_secs_f64();
    let count = done.load(Ordering::Relaxed);
    #[allow(clippy::cast_precision_loss, reason = "a printed rate")]
    let (rate, mib) = (
        count as f64 / elapsed,
        bytes.load(Ordering::Relaxed) as f64 / elapsed / (1024.0 * 1024.0),
    );
    println!("{name:<44} {count:>8} requests  {rate:>9.0} req/s  {mib:>7.1} MiB/s");
}

fn main() {
    let secs = env_u64("BENCH_SECS", 3);
    let concurrency = env_u64("BENCH_CONCURRENCY", 8);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let server = MockServer::builder()
            .request_log_limit(1_000)
            .start()
            .await
            .expect("start");
        let base = server.base_url();
        let account = server.account_id().clone();
        println!(
            "member-mock loopback benchmark: {secs} s per scenario, {concurrency} requests in flight"
        );
        run(
            "GET member details",
            format!("{base}/accounts/{account}/members/4536bcfad5faccb111b47003c79917fa"),
            server.token(),
            secs,
            concurrency,
        )
        .await;
        run(
            "GET role details",
            format!("{base}/accounts/{account}/roles/3536bcfad5faccb999b47003c79917fb"),
            server.token(),
            secs,
            concurrency,
        )
        .await;
        server.add_members(9_994);
        run(
            "GET members page 1 (per_page=50, 10k members)",
            format!("{base}/accounts/{account}/members?per_page=50"),
            server.token(),
            secs,
            concurrency,
        )
        .await;
        run(
            "GET members page 150 (per_page=50, 10k)",
            format!("{base}/accounts/{account}/members?per_page=50&page=150"),
            server.token(),
            secs,
            concurrency,
        )
        .await;
        run(
            "GET members by email desc (per_page=50, 10k)",
            format!("{base}/accounts/{account}/members?per_page=50&order=user.email&direction=desc"),
            server.token(),
            secs,
            concurrency,
        )
        .await;
        server.shutdown().await;
    });
}
