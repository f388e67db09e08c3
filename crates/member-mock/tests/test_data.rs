//! Data the real API can hold but the seed does not (two roles of one name,
//! two members of one email, more groups and zones), added from Rust and
//! over the admin API, then served by the API.

mod common;

use common::*;
use member_mock::{MockServer, Seed};
use member_types::{Member, MemberStatus, PermissionGroup, PermissionGroupId, Role, RoleId};
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn admin_post(server: &MockServer, path: &str, body: Value) -> (StatusCode, Value) {
    let response = client()
        .post(format!("{}/accounts/{ACCOUNT}{path}", server.admin_url()))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap())
}

fn names_of(reply: &Reply, key: &str) -> Vec<String> {
    reply.json()["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x[key].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test]
async fn duplicates_from_rust() {
    let server = MockServer::start().await;
    let account = server.account_id().clone();
    let role = Role::new(
        RoleId::new("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa").unwrap(),
        "dns",
        "Same name as DNS, in another case",
        Default::default(),
    );
    server.insert_role(&account, role);
    let roles = get(&server, &format!("/accounts/{ACCOUNT}/roles?per_page=50")).await;
    let names = names_of(&roles, "name");
    assert_eq!(
        names
            .iter()
            .filter(|n| n.eq_ignore_ascii_case("dns"))
            .count(),
        2
    );

    let mut twin = Member::default();
    twin.email = Some(BOB_EMAIL.to_owned());
    twin.status = Some(MemberStatus::Accepted);
    server.insert_member(&account, twin);
    let members = get(&server, &format!("{}?per_page=50", members_path())).await;
    assert_eq!(
        names_of(&members, "email")
            .iter()
            .filter(|e| *e == BOB_EMAIL)
            .count(),
        2
    );

    let mut group =
        PermissionGroup::new(PermissionGroupId::new("bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb").unwrap());
    group.name = Some("DNS".to_owned());
    server.insert_permission_group(&account, group);
    let dns = get(
        &server,
        &format!("/accounts/{ACCOUNT}/iam/permission_groups?name=DNS"),
    )
    .await;
    assert_eq!(dns.json()["result_info"]["total_count"], 2);

    let resource_group = serde_json::from_value(json!({
        "id": "cccccccccccccccccccccccccccccccc", "name": PRODUCTION_ZONES_NAME,
        "scope": {"key": format!("com.cloudflare.api.account.{ACCOUNT}"), "objects": [{"key": "*"}]}
    }))
    .unwrap();
    server.insert_resource_group(&account, resource_group);
    let groups = get(
        &server,
        &format!("/accounts/{ACCOUNT}/iam/resource_groups?name=Production%20zones"),
    )
    .await;
    assert_eq!(groups.json()["result"].as_array().unwrap().len(), 2);

    server.add_zone(&account, EXAMPLE_NET);
    let zones = get(&server, &format!("/zones?name={EXAMPLE_NET}")).await;
    assert_eq!(zones.json()["result_info"]["total_count"], 2);

    // A seed can hold the same from the start.
    let mut seed = Seed::default();
    seed.accounts[0].roles.push(Role::new(
        RoleId::new("dddddddddddddddddddddddddddddddd").unwrap(),
        "Billing",
        "A second Billing",
        Default::default(),
    ));
    let seeded = MockServer::builder().seed(seed).start().await.unwrap();
    let roles = get(&seeded, &format!("/accounts/{ACCOUNT}/roles?per_page=50")).await;
    assert_eq!(
        names_of(&roles, "name")
            .iter()
            .filter(|n| *n == "Billing")
            .count(),
        2
    );
}

#[tokio::test]
async fn duplicates_over_the_admin_api() {
    let server = MockServer::start().await;
    let (status, role) = admin_post(
        &server,
        "/roles",
        json!({"name": "DNS", "description": "A second DNS", "permissions": {}}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{role}");
    assert_eq!(
        role["id"].as_str().unwrap().len(),
        32,
        "an id is made when none is given"
    );

    let (status, _) = admin_post(
        &server,
        "/members",
        json!({"email": BOB_EMAIL, "status": "pending", "user": {"email": BOB_EMAIL}}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);

    let (status, group) = admin_post(
        &server,
        "/permission_groups",
        json!({"name": "DNS", "status": "V", "meta": {"label": "dns_admin", "scopes": "com.cloudflare.api.account"}}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{group}");
    let (status, _) = admin_post(
        &server,
        "/resource_groups",
        json!({"name": "Production zones", "scope": [{"key": "com.cloudflare.api.account.x", "objects": [{"key": "*"}]}]}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, zone) = admin_post(
        &server,
        "/zones",
        json!({"id": "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee", "name": "example.com", "status": "moved"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{zone}");
    let (status, bad) = admin_post(&server, "/zones", json!({"status": "active"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");

    let roles = get(&server, &format!("/accounts/{ACCOUNT}/roles?per_page=50")).await;
    assert_eq!(
        names_of(&roles, "name")
            .iter()
            .filter(|n| *n == "DNS")
            .count(),
        2
    );
    let members = get(&server, &format!("{}?per_page=50", members_path())).await;
    assert_eq!(
        names_of(&members, "email")
            .iter()
            .filter(|e| *e == BOB_EMAIL)
            .count(),
        2
    );
    let labels = get(
        &server,
        &format!("/accounts/{ACCOUNT}/iam/permission_groups?label=dns_admin"),
    )
    .await;
    assert_eq!(labels.json()["result_info"]["total_count"], 2);
    let groups = get(
        &server,
        &format!("/accounts/{ACCOUNT}/iam/resource_groups?name=Production%20zones"),
    )
    .await;
    assert_eq!(groups.json()["result"].as_array().unwrap().len(), 2);
    let zones = get(
        &server,
        &format!("/zones?name=example.com&account.id={ACCOUNT}"),
    )
    .await;
    assert_eq!(zones.json()["result_info"]["total_count"], 2);
    assert_eq!(zones.json()["result"][1]["status"], "moved");

    // The admin view shows the account's name and zones; reset drops the
    // additions.
    let account: Value = client()
        .get(format!("{}/accounts/{ACCOUNT}", server.admin_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(account["name"], ACCOUNT_NAME);
    assert_eq!(account["zones"].as_array().unwrap().len(), 4);
    let reset = client()
        .post(format!("{}/reset", server.admin_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(reset.status(), StatusCode::NO_CONTENT);
    assert_eq!(server.zones(server.account_id()).len(), 3);
    let missing = client()
        .post(format!(
            "{}/accounts/ffffffffffffffffffffffffffffffff/zones",
            server.admin_url()
        ))
        .json(&json!({"name": "x.com"}))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}
