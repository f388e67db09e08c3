//! Starting, stopping and the request log's limit.

mod common;

use std::time::Duration;

use common::*;
use member_mock::MockServer;
use reqwest::StatusCode;

async fn refuses_connections(addr: std::net::SocketAddr) -> bool {
    for _ in 0..50 {
        if tokio::net::TcpStream::connect(addr).await.is_err() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    false
}

#[tokio::test(start_paused = true)]
async fn dropping_the_handle_stops_the_server() {
    let server = MockServer::start().await;
    let addr = server.addr();
    assert_eq!(get(&server, &members_path()).await.status, StatusCode::OK);
    drop(server);
    assert!(refuses_connections(addr).await, "still listening on {addr}");
}

#[tokio::test(start_paused = true)]
async fn shutdown_stops_the_server() {
    let server = MockServer::start().await;
    let addr = server.addr();
    assert_eq!(
        server.base_url(),
        format!("http://127.0.0.1:{}/client/v4", addr.port())
    );
    assert_eq!(server.admin_url(), format!("http://{addr}/__mock"));
    server.shutdown().await;
    assert!(refuses_connections(addr).await);
}

#[tokio::test(start_paused = true)]
async fn a_fixed_port_and_a_taken_port() {
    let first = MockServer::start().await;
    let port = first.addr().port();
    let err = MockServer::builder().port(port).start().await.unwrap_err();
    assert!(err.to_string().contains("cannot listen"), "{err}");
    first.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn the_request_log_keeps_the_newest() {
    let server = MockServer::builder()
        .request_log_limit(2)
        .start()
        .await
        .unwrap();
    for page in 1..=3 {
        get(&server, &format!("{}?page={page}", members_path())).await;
    }
    let queries: Vec<_> = server
        .requests()
        .into_iter()
        .map(|r| r.query.unwrap())
        .collect();
    assert_eq!(queries, vec!["page=2", "page=3"]);
}
