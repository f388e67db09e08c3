//! Listing 1,000 members with and without compression:
//! `cargo bench -p member-client --bench list_members`.
//!
//! member-mock (in this process, 127.0.0.1) holds 1,000 members in its
//! default account; member-client lists them all (20 pages of 50), once
//! asking for gzip (the default) and once not (`compression(false)`). A
//! small TCP proxy in front of the mock counts the bytes on the wire in each
//! direction. The runs are interleaved over `LIST_BENCH_ROUNDS` rounds
//! (default 5) and the medians reported: bytes, the time on loopback (where
//! the wire costs nothing, so compressing costs more than it saves), and
//! that time plus the bytes' transfer time at `LIST_BENCH_MBIT` (default
//! 100) Mbit/s, a model of a real link (computed, not simulated: Tokio's
//! timers are too coarse to pace small answers, and round trips are left
//! out, which favours neither side).

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::TryStreamExt;
use member_client::{Client, Credentials, ListMembersParams, Member};
use member_mock::MockServer;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const MEMBERS: usize = 1_000;

#[derive(Default)]
struct Counts {
    up: AtomicU64,
    down: AtomicU64,
}

/// Copies `from` to `to`, counting.
async fn pump(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    count: Arc<Counts>,
    down: bool,
) {
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        if to.write_all(&buf[..n]).await.is_err() {
            break;
        }
        let counter = if down { &count.down } else { &count.up };
        counter.fetch_add(n as u64, Ordering::Relaxed);
    }
    let _ = to.shutdown().await;
}

/// A counting proxy on 127.0.0.1 to `target`.
async fn proxy(target: SocketAddr) -> (SocketAddr, Arc<Counts>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let counts = Arc::new(Counts::default());
    let shared = counts.clone();
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let Ok(server) = TcpStream::connect(target).await else {
                continue;
            };
            let _ = (client.set_nodelay(true), server.set_nodelay(true));
            let (cr, cw) = client.into_split();
            let (sr, sw) = server.into_split();
            tokio::spawn(pump(cr, sw, shared.clone(), false));
            tokio::spawn(pump(sr, cw, shared.clone(), true));
        }
    });
    (addr, counts)
}

struct Case {
    name: String,
    client: Client,
    counts: Arc<Counts>,
    times: Vec<Duration>,
    down: Vec<u64>,
    up: Vec<u64>,
}

async fn list_once(case: &mut Case, account: &member_client::AccountId) {
    let (up0, down0) = (
        case.counts.up.load(Ordering::Relaxed),
        case.counts.down.load(Ordering::Relaxed),
    );
    let started = Instant::now();
    let members: Vec<Member> = case
        .client
        .members(account)
        .list(ListMembersParams::new())
        .try_collect()
        .await
        .expect("listed");
    let elapsed = started.elapsed();
    assert_eq!(members.len(), MEMBERS);
    // The proxy counts what it forwarded; let the last bytes settle.
    tokio::time::sleep(Duration::from_millis(20)).await;
    case.times.push(elapsed);
    case.up.push(case.counts.up.load(Ordering::Relaxed) - up0);
    case.down
        .push(case.counts.down.load(Ordering::Relaxed) - down0);
}

fn median<T: Copy + Ord>(values: &[T]) -> T {
    let mut sorted = values.to_vec();
    sorted.sort();
    sorted[sorted.len() / 2]
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let quick = !std::env::args().any(|a| a == "--bench");
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let rounds: usize = if quick {
        1
    } else {
        std::env::var("LIST_BENCH_ROUNDS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(5)
    };
    let mbit: f64 = std::env::var("LIST_BENCH_MBIT")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100.0);
    let mock = MockServer::builder()
        .request_log_limit(0)
        .start()
        .await
        .expect("member-mock starts");
    let account = mock.account_id().clone();
    let have = mock.member_count(&account);
    mock.add_members(MEMBERS.saturating_sub(have));

    let mut cases = Vec::new();
    for gzip in [true, false] {
        let (addr, counts) = proxy(mock.addr()).await;
        let client = Client::builder()
            .base_url(&format!("http://{addr}/client/v4"))
            .credentials(Credentials::token(mock.token()))
            .compression(gzip)
            .build()
            .expect("client");
        cases.push(Case {
            name: if gzip {
                "gzip (default)"
            } else {
                "uncompressed"
            }
            .to_owned(),
            client,
            counts,
            times: Vec::new(),
            down: Vec::new(),
            up: Vec::new(),
        });
    }
    // Warm up: connections, the mock's pages.
    for case in &mut cases {
        list_once(case, &account).await;
        case.times.clear();
        case.down.clear();
        case.up.clear();
    }
    for _ in 0..rounds {
        for case in &mut cases {
            list_once(case, &account).await;
        }
    }
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "List Members, {MEMBERS} members in pages of 50, member-client through a counting proxy on \
         127.0.0.1, median of {rounds} interleaved rounds; load average {}",
        load.split_whitespace().take(3).collect::<Vec<_>>().join(" ")
    );
    println!();
    println!(
        "| answers | bytes received (answers) | bytes sent (requests) | time on loopback | \
         + transfer at {mbit} Mbit/s |"
    );
    println!("|---|---:|---:|---:|---:|");
    for case in &cases {
        let (down, up) = (median(&case.down), median(&case.up));
        let loopback = median(&case.times).as_secs_f64() * 1e3;
        let transfer = (down + up) as f64 * 8.0 / (mbit * 1e6) * 1e3;
        println!(
            "| {} | {down} | {up} | {loopback:.1} ms | {:.1} ms |",
            case.name,
            loopback + transfer
        );
    }
    mock.shutdown().await;
}
