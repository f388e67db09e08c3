//! Pagination against a small test server whose paging information can be
//! full, partial or absent, or which misbehaves (repeats a page forever,
//! answers with the wrong page).

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Json, Router};
use futures::TryStreamExt;
use member_client::{AccountId, Client, Credentials, ErrorKind, ListMembersParams};
use serde_json::{json, Value};

#[derive(Clone, Copy)]
enum Totals {
    Full,
    CountOnly,
    None,
    RepeatFirstPage,
    WrongPage,
    /// Full totals, but page 2 comes back empty.
    EmptySecondPage,
    /// Only `total_count`, and page 2 comes back empty.
    EmptySecondPageCountOnly,
    /// Full totals, but page 2 holds fewer items than its `count` says.
    SecondPageLosesItems,
    /// Full totals, and the last page brings fewer items than
    /// `total_count` says.
    TotalCountAboveItems,
}

struct Server {
    members: usize,
    totals: Totals,
    requests: AtomicUsize,
}

async fn list(
    State(server): State<Arc<Server>>,
    Query(q): Query<HashMap<String, String>>,
) -> Json<Value> {
    server.requests.fetch_add(1, Ordering::SeqCst);
    let page: usize = q.get("page").and_then(|p| p.parse().ok()).unwrap_or(1);
    let per_page: usize = q.get("per_page").and_then(|p| p.parse().ok()).unwrap_or(20);
    let served_page = match server.totals {
        Totals::RepeatFirstPage => 1,
        Totals::WrongPage if page == 2 => 3,
        _ => page,
    };
    let start = (served_page - 1) * per_page;
    let end = (start + per_page).min(server.members);
    let mut items: Vec<Value> = (start.min(end)..end)
        .map(|i| json!({"id": format!("{i:032x}"), "email": format!("m{i}@example.com"), "status": "accepted"}))
        .collect();
    let mut info = json!({"page": page, "per_page": per_page, "count": items.len()});
    let empty_now = matches!(
        server.totals,
        Totals::EmptySecondPage | Totals::EmptySecondPageCountOnly
    ) && page == 2;
    if empty_now {
        items.clear();
        info["count"] = json!(0);
    }
    if matches!(server.totals, Totals::SecondPageLosesItems) && page == 2 {
        items.truncate(3);
    }
    match server.totals {
        Totals::Full | Totals::EmptySecondPage | Totals::SecondPageLosesItems => {
            info["total_count"] = json!(server.members);
            info["total_pages"] = json!(server.members.div_ceil(per_page));
        }
        Totals::CountOnly | Totals::EmptySecondPageCountOnly => {
            info["total_count"] = json!(server.members);
        }
        Totals::TotalCountAboveItems => {
            info["total_count"] = json!(server.members + 7);
            info["total_pages"] = json!(server.members.div_ceil(per_page));
        }
        Totals::WrongPage => info["page"] = json!(served_page),
        Totals::None | Totals::RepeatFirstPage => {
            // No totals, and (for the repeat case) every page looks full.
        }
    }
    Json(
        json!({"success": true, "errors": [], "messages": [], "result": items, "result_info": info}),
    )
}

async fn start(members: usize, totals: Totals) -> (Client, Arc<Server>, AccountId) {
    let server = Arc::new(Server {
        members,
        totals,
        requests: AtomicUsize::new(0),
    });
    let app = Router::new()
        .route("/client/v4/accounts/{account}/members", get(list))
        .with_state(server.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let client = Client::builder()
        .base_url(&format!("http://{addr}/client/v4"))
        .credentials(Credentials::token("test-token"))
        .build()
        .unwrap();
    (
        client,
        server,
        AccountId::new(member_mock::default_seed::ACCOUNT).unwrap(),
    )
}

async fn collect(members: usize, totals: Totals) -> (usize, usize) {
    let (client, server, account) = start(members, totals).await;
    let all: Vec<_> = client
        .members(&account)
        .list(ListMembersParams::new())
        .try_collect()
        .await
        .unwrap();
    (all.len(), server.requests.load(Ordering::SeqCst))
}

#[tokio::test]
async fn with_totals_exactly_one_request_per_page() {
    assert_eq!(collect(1000, Totals::Full).await, (1000, 20));
    assert_eq!(collect(1001, Totals::Full).await, (1001, 21));
    assert_eq!(collect(0, Totals::Full).await, (0, 1));
}

#[tokio::test]
async fn with_total_count_only_no_extra_request() {
    assert_eq!(collect(1000, Totals::CountOnly).await, (1000, 20));
    assert_eq!(collect(37, Totals::CountOnly).await, (37, 1));
}

#[tokio::test]
async fn without_totals_a_short_page_ends_the_stream() {
    assert_eq!(collect(1001, Totals::None).await, (1001, 21));
    // A last full page cannot be told from a middle one without totals: one
    // more request finds the empty page.
    assert_eq!(collect(1000, Totals::None).await, (1000, 21));
}

#[tokio::test]
async fn a_server_repeating_a_page_is_an_error_not_a_loop() {
    let (client, server, account) = start(1000, Totals::RepeatFirstPage).await;
    let result: Result<Vec<_>, _> = client
        .members(&account)
        .list(ListMembersParams::new())
        .try_collect()
        .await;
    let err = result.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert!(err.to_string().contains("repeats"), "{err}");
    assert_eq!(server.requests.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_server_answering_the_wrong_page_is_an_error() {
    let (client, _server, account) = start(1000, Totals::WrongPage).await;
    let result: Result<Vec<_>, _> = client
        .members(&account)
        .list(ListMembersParams::new())
        .try_collect()
        .await;
    let err = result.unwrap_err();
    assert!(err.to_string().contains("asked for page 2"), "{err}");
}

#[tokio::test]
async fn a_stream_can_start_at_a_later_page_and_stop_early() {
    let (client, server, account) = start(1000, Totals::Full).await;
    let mut stream = client.members(&account).list(
        ListMembersParams::new()
            .page(3)
            .unwrap()
            .per_page(10)
            .unwrap(),
    );
    let first = stream.try_next().await.unwrap().unwrap();
    assert_eq!(first.id.unwrap().as_str(), format!("{:032x}", 20));
    drop(stream);
    assert_eq!(server.requests.load(Ordering::SeqCst), 1);
}

/// The error a list of `members` members fails with, and how many requests
/// it took.
async fn failure(members: usize, totals: Totals) -> (member_client::Error, usize) {
    let (client, server, account) = start(members, totals).await;
    let result: Result<Vec<_>, _> = client
        .members(&account)
        .list(ListMembersParams::new())
        .try_collect()
        .await;
    let err = result.expect_err("a list short of the server's totals is an error");
    (err, server.requests.load(Ordering::SeqCst))
}

#[tokio::test]
async fn an_empty_page_before_the_last_is_an_error_not_a_short_list() {
    let (err, requests) = failure(120, Totals::EmptySecondPage).await;
    assert_eq!(err.kind(), ErrorKind::Decode);
    let text = err.to_string();
    assert!(text.contains("page 2 is empty after 50 items"), "{text}");
    assert!(text.contains("3 pages and 120 items"), "{text}");
    assert_eq!(requests, 2, "nothing asked after the empty page");

    // With `total_count` alone the empty page is as wrong.
    let (err, _) = failure(120, Totals::EmptySecondPageCountOnly).await;
    let text = err.to_string();
    assert!(
        text.contains("page 2 is empty after 50 items") && text.contains("claims 120 items"),
        "{text}"
    );
}

#[tokio::test]
async fn a_page_with_fewer_items_than_its_count_is_an_error() {
    let (err, requests) = failure(120, Totals::SecondPageLosesItems).await;
    let text = err.to_string();
    assert!(
        text.contains("page 2 holds 3 items but its result_info says count 50"),
        "{text}"
    );
    assert_eq!(requests, 2);
}

#[tokio::test]
async fn a_last_page_short_of_total_count_is_an_error() {
    let (err, requests) = failure(120, Totals::TotalCountAboveItems).await;
    let text = err.to_string();
    assert!(
        text.contains("page 3 is the last page after 120 items")
            && text.contains("3 pages and 127 items"),
        "{text}"
    );
    assert_eq!(requests, 3);
}

#[tokio::test]
async fn a_stream_from_a_later_page_counts_the_pages_before_it() {
    // Started at page 3 of 10 a page, the 20 items before it count toward
    // `total_count`: the stream ends on the last page, no error, no extra
    // request.
    let (client, server, account) = start(45, Totals::CountOnly).await;
    let rest: Vec<_> = client
        .members(&account)
        .list(
            ListMembersParams::new()
                .page(3)
                .unwrap()
                .per_page(10)
                .unwrap(),
        )
        .try_collect()
        .await
        .unwrap();
    assert_eq!(rest.len(), 25);
    assert_eq!(server.requests.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn a_filtered_list_is_not_held_against_totals_that_may_count_everyone() {
    // Cloudflare documents `total_count` as the total without any search
    // parameters: a `status` filter's list ends where its pages end.
    let (client, server, account) = start(120, Totals::TotalCountAboveItems).await;
    let items: Vec<_> = client
        .members(&account)
        .list(ListMembersParams::new().status(member_client::MemberStatus::Accepted))
        .try_collect()
        .await
        .expect("a filtered list ends on its pages");
    assert_eq!(items.len(), 120);
    assert_eq!(server.requests.load(Ordering::SeqCst), 3);
}
