//! `GET /zones` over HTTP: the item's keys, the filters and their operators,
//! one domain in two accounts, ordering and paging.

mod common;

use common::*;
use member_mock::MockServer;
use reqwest::StatusCode;

fn ids(reply: &Reply) -> Vec<String> {
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    reply.json()["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|z| z["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn every_reachable_zone_in_the_real_shape() {
    let server = MockServer::start().await;
    let reply = get(&server, "/zones").await;
    // By name, then account id: example.com (Example Corp, then Partner
    // Corp), example.net, example.org.
    assert_eq!(
        ids(&reply),
        [
            EXAMPLE_COM_ZONE,
            OTHER_EXAMPLE_COM_ZONE,
            EXAMPLE_NET_ZONE,
            EXAMPLE_ORG_ZONE
        ]
    );
    let body = reply.json();
    assert_eq!(body["result_info"]["total_count"], 4);
    assert_eq!(body["result_info"]["per_page"], 20);
    let zone = &body["result"][0];
    assert_eq!(zone["name"], EXAMPLE_COM);
    assert_eq!(zone["status"], "active");
    assert_eq!(zone["account"]["id"], ACCOUNT);
    assert_eq!(zone["account"]["name"], ACCOUNT_NAME);
    for key in [
        "paused",
        "type",
        "name_servers",
        "plan",
        "owner",
        "created_on",
        "modified_on",
    ] {
        assert!(zone.get(key).is_some(), "{key} missing");
    }
    assert_eq!(body["result"][1]["account"]["name"], OTHER_ACCOUNT_NAME);
}

#[tokio::test]
async fn a_name_alone_is_ambiguous_and_account_id_settles_it() {
    let server = MockServer::start().await;
    let both = get(&server, "/zones?name=example.com").await;
    assert_eq!(ids(&both), [EXAMPLE_COM_ZONE, OTHER_EXAMPLE_COM_ZONE]);
    let mine = get(
        &server,
        &format!("/zones?name=example.com&account.id={ACCOUNT}"),
    )
    .await;
    assert_eq!(ids(&mine), [EXAMPLE_COM_ZONE]);
    let theirs = get(
        &server,
        &format!("/zones?name=example.com&account.id={OTHER_ACCOUNT}"),
    )
    .await;
    assert_eq!(ids(&theirs), [OTHER_EXAMPLE_COM_ZONE]);
    let by_account_name = get(
        &server,
        "/zones?name=example.com&account.name=Partner%20Corp",
    )
    .await;
    assert_eq!(ids(&by_account_name), [OTHER_EXAMPLE_COM_ZONE]);
    // Domain names ignore case.
    assert_eq!(
        ids(&get(
            &server,
            &format!("/zones?name=EXAMPLE.COM&account.id={ACCOUNT}")
        )
        .await),
        [EXAMPLE_COM_ZONE]
    );
    // Exact by default: a part of a name finds nothing.
    assert!(ids(&get(&server, "/zones?name=example").await).is_empty());
    assert!(ids(&get(&server, "/zones?name=ample.com").await).is_empty());
}

#[tokio::test]
async fn name_operators_search() {
    let server = MockServer::start().await;
    let q = |query: &'static str| {
        let server = &server;
        async move { ids(&get(server, &format!("/zones?account.id={ACCOUNT}&{query}")).await) }
    };
    assert_eq!(q("name=contains:example.n").await, [EXAMPLE_NET_ZONE]);
    assert_eq!(q("name=starts_with:EXAMPLE.").await.len(), 3);
    assert!(q("name=starts_with_case_sensitive:EXAMPLE.")
        .await
        .is_empty());
    assert_eq!(q("name=ends_with:.org").await, [EXAMPLE_ORG_ZONE]);
    assert_eq!(
        q("name=contains_case_sensitive:.net").await,
        [EXAMPLE_NET_ZONE]
    );
    assert_eq!(
        q("name=not_equal:example.com").await,
        [EXAMPLE_NET_ZONE, EXAMPLE_ORG_ZONE]
    );
    assert_eq!(q("name=equal:example.org").await, [EXAMPLE_ORG_ZONE]);
    // Not an operator: the whole text is the name to match.
    assert!(q("name=regex:example").await.is_empty());
    assert_eq!(
        ids(&get(&server, "/zones?account.name=contains:partner").await),
        [OTHER_EXAMPLE_COM_ZONE]
    );
}

#[tokio::test]
async fn status_match_order_and_paging() {
    let server = MockServer::start().await;
    assert_eq!(
        ids(&get(&server, "/zones?status=pending").await),
        [EXAMPLE_ORG_ZONE]
    );
    assert!(ids(&get(&server, "/zones?status=moved").await).is_empty());
    // match=any: either filter is enough.
    let any = get(
        &server,
        &format!("/zones?match=any&status=pending&account.id={OTHER_ACCOUNT}"),
    )
    .await;
    assert_eq!(ids(&any), [OTHER_EXAMPLE_COM_ZONE, EXAMPLE_ORG_ZONE]);
    let all = get(
        &server,
        &format!("/zones?status=pending&account.id={OTHER_ACCOUNT}"),
    )
    .await;
    assert!(ids(&all).is_empty());

    let desc = get(&server, "/zones?order=name&direction=desc").await;
    assert_eq!(ids(&desc)[0], EXAMPLE_ORG_ZONE);
    let by_account = get(&server, "/zones?order=account.name&direction=desc").await;
    assert_eq!(ids(&by_account)[0], OTHER_EXAMPLE_COM_ZONE);

    let page2 = get(&server, "/zones?per_page=5&page=1").await;
    assert_eq!(page2.json()["result_info"]["total_pages"], 1);
    let past = get(&server, "/zones?per_page=5&page=2").await;
    assert!(ids(&past).is_empty());
    assert_eq!(past.json()["result_info"]["total_count"], 4);
}

#[tokio::test]
async fn bad_filters_are_400_naming_the_parameter() {
    let server = MockServer::start().await;
    for (query, word) in [
        ("status=gone", "status"),
        ("account.id=023e", "account.id"),
        ("order=size", "order"),
        ("direction=up", "direction"),
        ("match=some", "match"),
        ("per_page=100", "per_page"),
    ] {
        assert_invalid(&get(&server, &format!("/zones?{query}")).await, &[word]);
    }
    let long = "a".repeat(254);
    assert_invalid(
        &get(&server, &format!("/zones?name={long}")).await,
        &["name", "253"],
    );
}

#[tokio::test]
async fn zones_added_for_a_test_are_listed() {
    let server = MockServer::start().await;
    let account = server.account_id().clone();
    let zone = server.add_zone(&account, "example.com");
    let reply = get(
        &server,
        &format!("/zones?name=example.com&account.id={ACCOUNT}"),
    )
    .await;
    let found = ids(&reply);
    assert_eq!(found.len(), 2, "the seed's and the added one");
    assert!(found.contains(&zone.id.as_str().to_owned()));
    assert_eq!(server.zones(&account).len(), 4);
}
