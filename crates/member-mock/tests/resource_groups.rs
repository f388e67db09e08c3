//! Resource groups over HTTP: the single-page list and its filters, both
//! `scope` shapes, create/update/delete with their scope checks, and inline
//! scopes in member policies.

mod common;

use common::*;
use member_mock::{MockServer, ScopeShape};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

fn groups_path() -> String {
    format!("/accounts/{ACCOUNT}/iam/resource_groups")
}

fn group_path(id: &str) -> String {
    format!("/accounts/{ACCOUNT}/iam/resource_groups/{id}")
}

fn account_key() -> String {
    format!("com.cloudflare.api.account.{ACCOUNT}")
}

fn zone_key(zone: &str) -> String {
    format!("com.cloudflare.api.account.zone.{zone}")
}

#[tokio::test]
async fn the_list_is_one_page_with_scope_objects() {
    let server = MockServer::start().await;
    let reply = get(&server, &groups_path()).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let body = reply.json();
    assert!(body.get("result_info").is_none(), "a single page: {body}");
    let groups = body["result"].as_array().unwrap();
    assert_eq!(groups.len(), 3);
    let production = &groups[2];
    assert_eq!(production["id"], PRODUCTION_ZONES_GROUP);
    assert_eq!(production["name"], PRODUCTION_ZONES_NAME);
    assert_eq!(production["scope"]["key"], account_key());
    assert_eq!(
        production["scope"]["objects"],
        json!([{"key": zone_key(EXAMPLE_COM_ZONE)}, {"key": zone_key(EXAMPLE_NET_ZONE)}])
    );
    assert_eq!(groups[1]["meta"], json!({"editable": "false"}));

    // Paging parameters are ignored: still everything.
    let paged = get(&server, &format!("{}?per_page=5&page=2", groups_path())).await;
    assert_eq!(paged.json()["result"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn filters_are_exact() {
    let server = MockServer::start().await;
    let by_name = get(
        &server,
        &format!("{}?name=Production%20zones", groups_path()),
    )
    .await;
    assert_eq!(by_name.json()["result"][0]["id"], PRODUCTION_ZONES_GROUP);
    assert_eq!(by_name.json()["result"].as_array().unwrap().len(), 1);
    let none = get(
        &server,
        &format!("{}?name=production%20zones", groups_path()),
    )
    .await;
    assert_eq!(none.json()["result"], json!([]));
    let by_id = get(
        &server,
        &format!("{}?id={ACCOUNT_RESOURCE_GROUP}", groups_path()),
    )
    .await;
    assert_eq!(by_id.json()["result"][0]["id"], ACCOUNT_RESOURCE_GROUP);
    assert_invalid(
        &get(&server, &format!("{}?id=xyz", groups_path())).await,
        &["id"],
    );
}

#[tokio::test]
async fn the_array_shape_is_selectable_per_server() {
    let server = MockServer::builder()
        .resource_group_scope(ScopeShape::Array)
        .start()
        .await
        .unwrap();
    let list = get(&server, &groups_path()).await.json();
    assert!(list["result"][2]["scope"].is_array());
    assert_eq!(list["result"][2]["scope"][0]["key"], account_key());
    let one = get(&server, &group_path(PRODUCTION_ZONES_GROUP))
        .await
        .json();
    assert_eq!(
        one["result"]["scope"][0]["objects"][1]["key"],
        zone_key(EXAMPLE_NET_ZONE)
    );

    // And back, from Rust or over the admin API.
    server.set_resource_group_scope(ScopeShape::Object);
    let one = get(&server, &group_path(PRODUCTION_ZONES_GROUP))
        .await
        .json();
    assert!(one["result"]["scope"].is_object());
    let admin = client()
        .patch(format!("{}/settings", server.admin_url()))
        .json(&json!({"resource_group_scope": "array"}))
        .send()
        .await
        .unwrap();
    assert_eq!(admin.status(), StatusCode::OK);
    assert_eq!(server.resource_group_scope(), ScopeShape::Array);
    let one = get(&server, &group_path(PRODUCTION_ZONES_GROUP))
        .await
        .json();
    assert!(one["result"]["scope"].is_array());
}

#[tokio::test]
async fn create_get_update_delete() {
    let server = MockServer::start().await;
    let scope = json!({"key": account_key(), "objects": [{"key": zone_key(EXAMPLE_ORG_ZONE)}]});
    let created = call(
        &server,
        Method::POST,
        &groups_path(),
        Some(json!({"name": "Staging", "scope": scope})),
    )
    .await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.text);
    let group = created.json()["result"].clone();
    let id = group["id"].as_str().unwrap().to_owned();
    assert_eq!(id.len(), 32);
    assert_eq!(group["name"], "Staging");
    assert_eq!(group["scope"], scope);

    let read = get(&server, &group_path(&id)).await;
    assert_eq!(read.json()["result"], group);

    // A zone scope with "*", and a new name.
    let zone_scope = json!({"key": zone_key(EXAMPLE_NET_ZONE), "objects": [{"key": "*"}]});
    let updated = call(
        &server,
        Method::PUT,
        &group_path(&id),
        Some(json!({"name": "Staging net", "scope": zone_scope})),
    )
    .await;
    assert_eq!(updated.status, StatusCode::OK, "{}", updated.text);
    assert_eq!(updated.json()["result"]["name"], "Staging net");
    assert_eq!(updated.json()["result"]["scope"], zone_scope);
    // Name only: the scope stays.
    let renamed = call(
        &server,
        Method::PUT,
        &group_path(&id),
        Some(json!({"name": "S"})),
    )
    .await;
    assert_eq!(renamed.json()["result"]["scope"], zone_scope);
    let unchanged = call(&server, Method::PUT, &group_path(&id), Some(json!({}))).await;
    assert_eq!(unchanged.json()["result"]["name"], "S");

    let deleted = call(&server, Method::DELETE, &group_path(&id), None).await;
    assert_eq!(deleted.status, StatusCode::OK);
    assert_eq!(deleted.json()["result"], json!({"id": id}));
    let gone = get(&server, &group_path(&id)).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    assert_eq!(gone.error_codes(), [1003]);
    assert_eq!(gone.first_message(), "Resource group not found");
    for method in [Method::PUT, Method::DELETE] {
        let again = call(
            &server,
            method,
            &group_path(&id),
            Some(json!({"name": "x"})),
        )
        .await;
        assert_eq!(again.status, StatusCode::NOT_FOUND);
    }
    assert_no_route(&get(&server, &group_path("not-an-id!")).await);
}

#[tokio::test]
async fn bad_bodies_are_400_naming_the_field() {
    let server = MockServer::start().await;
    let post = |body: Value| {
        let server = &server;
        async move { call(server, Method::POST, &groups_path(), Some(body)).await }
    };
    let all = json!({"key": account_key(), "objects": [{"key": "*"}]});
    assert_invalid(&post(json!({"scope": all})).await, &["name is required"]);
    assert_invalid(
        &post(json!({"name": " ", "scope": all})).await,
        &["name", "blank"],
    );
    assert_invalid(&post(json!({"name": "x"})).await, &["scope is required"]);
    assert_invalid(
        &post(json!({"name": "x", "scope": {"key": account_key(), "objects": []}})).await,
        &["scope.objects", "at least one"],
    );
    assert_invalid(
        &post(json!({"name": "x", "scope": [all]})).await,
        &["scope", "expected an object"],
    );
    // Another account's key, or a zone of another account.
    let other = post(json!({"name": "x", "scope": {
        "key": format!("com.cloudflare.api.account.{OTHER_ACCOUNT}"), "objects": [{"key": "*"}]}}))
    .await;
    assert_invalid(&other, &["scope.key", "this account's key"]);
    assert_eq!(other.json()["errors"][0]["source"]["pointer"], "/scope/key");
    let theirs = post(json!({"name": "x", "scope": {
        "key": zone_key(OTHER_EXAMPLE_COM_ZONE), "objects": [{"key": "*"}]}}))
    .await;
    assert_invalid(&theirs, &["scope.key", "unknown zone"]);
    let object = post(json!({"name": "x", "scope": {
        "key": account_key(), "objects": [{"key": zone_key(OTHER_EXAMPLE_COM_ZONE)}]}}))
    .await;
    assert_invalid(&object, &["scope.objects[0].key", "zone of this account"]);
    assert_eq!(
        object.json()["errors"][0]["source"]["pointer"],
        "/scope/objects/0/key"
    );
    let zone_objects = post(json!({"name": "x", "scope": {
        "key": zone_key(EXAMPLE_COM_ZONE), "objects": [{"key": zone_key(EXAMPLE_NET_ZONE)}]}}))
    .await;
    assert_invalid(&zone_objects, &["only \"*\""]);
    let not_json = send(
        client()
            .post(format!("{}{}", server.base_url(), groups_path()))
            .bearer_auth(server.token())
            .body("{"),
    )
    .await;
    assert_eq!(not_json.error_codes(), [6007]);
    // Nothing was made.
    assert_eq!(server.resource_groups(server.account_id()).len(), 3);
}

fn policy_with(resource_groups: Value) -> Value {
    json!({"policies": [{
        "access": "allow",
        "permission_groups": [{"id": DOMAIN_DNS_GROUP}],
        "resource_groups": resource_groups
    }]})
}

#[tokio::test]
async fn an_inline_scope_makes_an_unnamed_group() {
    let server = MockServer::start().await;
    let scope = json!({"key": zone_key(EXAMPLE_COM_ZONE), "objects": [{"key": "*"}]});
    let reply = call(
        &server,
        Method::PUT,
        &member_path(BOB),
        Some(policy_with(json!([{"scope": scope}]))),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let policy = reply.json()["result"]["policies"][0].clone();
    let group = &policy["resource_groups"][0];
    let id = group["id"].as_str().unwrap().to_owned();
    assert_eq!(id.len(), 32);
    assert!(group.get("name").is_none(), "{group}");
    // Inside a member's policy, scope is an array, as member answers send it.
    assert_eq!(group["scope"], json!([scope]));

    // The account now has it, with no usable name; GET member shows it too.
    let stored = get(&server, &group_path(&id)).await;
    assert_eq!(stored.status, StatusCode::OK);
    assert_eq!(stored.json()["result"]["scope"], scope);
    assert!(stored.json()["result"].get("name").is_none());
    assert_eq!(server.resource_groups(server.account_id()).len(), 4);
    let bob = get(&server, &member_path(BOB)).await.json();
    assert_eq!(bob["result"]["policies"][0]["resource_groups"][0]["id"], id);

    // Add Member takes it too; a refused add makes no group.
    let refused = call(
        &server,
        Method::POST,
        &members_path(),
        Some({
            let mut body = policy_with(json!([{"scope": scope}]));
            body["email"] = json!(BOB_EMAIL);
            body
        }),
    )
    .await;
    assert_invalid(&refused, &["already a member"]);
    assert_eq!(server.resource_groups(server.account_id()).len(), 4);
    let added = call(
        &server,
        Method::POST,
        &members_path(),
        Some({
            let mut body = policy_with(json!([{"id": RESOURCE_GROUP}, {"scope": scope}]));
            body["email"] = json!("inline@example.com");
            body
        }),
    )
    .await;
    assert_eq!(added.status, StatusCode::OK, "{}", added.text);
    let groups = &added.json()["result"]["policies"][0]["resource_groups"];
    assert_eq!(groups[0]["id"], RESOURCE_GROUP);
    assert_ne!(
        groups[1]["id"],
        json!(id),
        "each inline scope is a new group"
    );
    assert_eq!(server.resource_groups(server.account_id()).len(), 5);
}

#[tokio::test]
async fn policy_group_entries_are_checked() {
    let server = MockServer::start().await;
    let put = |body: Value| {
        let server = &server;
        async move { call(server, Method::PUT, &member_path(BOB), Some(body)).await }
    };
    let scope = json!({"key": account_key(), "objects": [{"key": "*"}]});
    let both = put(policy_with(
        json!([{"id": ACCOUNT_RESOURCE_GROUP, "scope": scope}]),
    ))
    .await;
    assert_invalid(&both, &["policies[0].resource_groups[0]", "not both"]);
    assert_eq!(
        both.json()["errors"][0]["source"]["pointer"],
        "/policies/0/resource_groups/0"
    );
    let neither = put(policy_with(json!([{}]))).await;
    assert_invalid(&neither, &["policies[0].resource_groups[0].id is required"]);
    let unknown = put(policy_with(
        json!([{"id": "ffffffffffffffffffffffffffffffff"}]),
    ))
    .await;
    assert_invalid(&unknown, &["unknown resource group"]);
    let bad_scope = put(policy_with(json!([{"scope": {
        "key": format!("com.cloudflare.api.account.{OTHER_ACCOUNT}"), "objects": [{"key": "*"}]}}])))
    .await;
    assert_invalid(&bad_scope, &["policies[0].resource_groups[0].scope.key"]);
    assert_eq!(
        bad_scope.json()["errors"][0]["source"]["pointer"],
        "/policies/0/resource_groups/0/scope/key"
    );
    let unknown_permission = put(json!({"policies": [{
        "access": "allow",
        "permission_groups": [{"id": "ffffffffffffffffffffffffffffffff"}],
        "resource_groups": [{"scope": scope}]
    }]}))
    .await;
    assert_invalid(&unknown_permission, &["unknown permission group"]);
    // Nothing was stored by the refused requests.
    assert_eq!(server.resource_groups(server.account_id()).len(), 3);
    let bob = server.member(server.account_id(), BOB).unwrap();
    assert!(bob.policies.is_empty());

    // `status: pending` on an accepted member drops the change: no group.
    let mut dropped = policy_with(json!([{"scope": scope}]));
    dropped["status"] = json!("pending");
    assert_eq!(put(dropped).await.status, StatusCode::OK);
    assert_eq!(server.resource_groups(server.account_id()).len(), 3);
}
