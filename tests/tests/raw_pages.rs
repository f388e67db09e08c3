//! The raw list paging of member-client (`List::page_raw`, `List::pages_raw`)
//! against member-mock: every item kept exactly as received, values the
//! typed models do not know included, with each page's `result_info`.

use futures::TryStreamExt;
use member_client::{Client, Credentials, ErrorKind, ListMembersParams, ListRolesParams, Member};
use member_mock::{Fault, MockServer};
use serde_json::{json, Value};

fn client(mock: &MockServer) -> Client {
    Client::builder()
        .base_url(&mock.base_url())
        .credentials(Credentials::token(mock.token()))
        .build()
        .unwrap()
}

#[tokio::test]
async fn members_pages_raw_cover_every_member_and_keep_unknown_values() {
    let mock = MockServer::start().await;
    mock.add_members(100);
    let suspended: Member = serde_json::from_value(json!({
        "id": "5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a",
        "email": "sam.suspended@example.com",
        "status": "suspended",
        "user": {"email": "sam.suspended@example.com"},
    }))
    .unwrap();
    mock.insert_member(mock.account_id(), suspended);
    let total = mock.member_count(mock.account_id());
    let members = client(&mock).members(mock.account_id());

    let pages: Vec<_> = members
        .list(ListMembersParams::new())
        .pages_raw()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(pages.len(), total.div_ceil(50), "pages of 50");
    for page in &pages {
        let info = page.result_info.clone().expect("result_info kept");
        assert_eq!(info.total_count, Some(total as u64));
    }
    let items: Vec<&Value> = pages.iter().flat_map(|p| &p.items).collect();
    assert_eq!(items.len(), total);
    let sam = items
        .iter()
        .find(|m| m["id"] == "5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a")
        .expect("inserted member listed");
    assert_eq!(sam["status"], "suspended");
    // Exactly what a plain GET of the list returns, item for item.
    let typed: Vec<Member> = members
        .list(ListMembersParams::new())
        .try_collect()
        .await
        .unwrap();
    let typed_ids: Vec<String> = typed
        .iter()
        .map(|m| m.id.clone().unwrap().into_string())
        .collect();
    let raw_ids: Vec<&str> = items.iter().map(|m| m["id"].as_str().unwrap()).collect();
    assert_eq!(raw_ids, typed_ids);
}

#[tokio::test]
async fn one_raw_page_uses_the_parameters_as_given() {
    let mock = MockServer::start().await;
    let members = client(&mock).members(mock.account_id());
    let page = members
        .list(
            ListMembersParams::new()
                .page(2)
                .unwrap()
                .per_page(5)
                .unwrap(),
        )
        .page_raw()
        .await
        .unwrap();
    assert_eq!(page.items.len(), 1, "six seeded members, five per page");
    assert_eq!(page.result_info.unwrap().page, Some(2));
    let query = mock.requests()[0].query.clone().unwrap();
    assert_eq!(query, "page=2&per_page=5");
}

#[tokio::test]
async fn unknown_fields_survive_the_raw_path() {
    let mock = MockServer::start().await;
    let body = json!({
        "success": true, "errors": [], "messages": [],
        "result": [{"id": "0a2b4c6d8e0f4a1b3c5d7e9f1a3b5c7d", "name": "Zone Read Only",
                    "description": "d", "permissions": {}, "added_later": {"x": [1, 2]}}],
        "result_info": {"page": 1, "per_page": 50, "count": 1, "total_count": 1, "total_pages": 1}
    });
    mock.inject(
        Fault::on("GET", "/accounts/*/roles")
            .status(200)
            .json(body.clone()),
    );
    let roles = client(&mock).roles(mock.account_id());
    let pages: Vec<_> = roles
        .list(ListRolesParams::new())
        .pages_raw()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(pages.len(), 1);
    assert_eq!(pages[0].items, body["result"].as_array().unwrap().clone());
}

#[tokio::test]
async fn a_result_that_is_not_an_array_is_an_error() {
    let mock = MockServer::start().await;
    mock.inject(
        Fault::on("GET", "/accounts/*/roles")
            .status(200)
            .json(json!({"success": true, "errors": [], "messages": [], "result": {"id": "x"}})),
    );
    let roles = client(&mock).roles(mock.account_id());
    let err = roles
        .list(ListRolesParams::new())
        .page_raw()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert!(err.to_string().contains("must be an array"), "{err}");
}

/// `result: null` is an empty list, typed and raw (the API sends it for an
/// empty user group's members; IAM-NOTES "result: null for empty lists").
#[tokio::test]
async fn a_null_result_is_an_empty_list() {
    let mock = MockServer::start().await;
    let null_page = json!({"success": true, "errors": [], "messages": [], "result": null});
    mock.inject(
        Fault::on("GET", "/accounts/*/roles")
            .status(200)
            .json(null_page.clone())
            .times(3),
    );
    let roles = client(&mock).roles(mock.account_id());
    assert!(roles
        .list(ListRolesParams::new())
        .page()
        .await
        .unwrap()
        .items
        .is_empty());
    assert!(roles
        .list(ListRolesParams::new())
        .page_raw()
        .await
        .unwrap()
        .items
        .is_empty());
    let all: Vec<_> = roles
        .list(ListRolesParams::new())
        .try_collect()
        .await
        .unwrap();
    assert!(all.is_empty());
}
