//! User groups and their members over real HTTP: every endpoint, the bare
//! array bodies, PUT replacing the set, `null` for an empty group, paging
//! a 120-member group, the fuzzy filters and the refusals.

mod common;

use common::*;
use member_mock::MockServer;
use member_types::{MemberId, UserGroup};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

fn groups_path() -> String {
    format!("/accounts/{ACCOUNT}/iam/user_groups")
}

fn group_path(id: &str) -> String {
    format!("/accounts/{ACCOUNT}/iam/user_groups/{id}")
}

fn group_members_path(id: &str) -> String {
    format!("/accounts/{ACCOUNT}/iam/user_groups/{id}/members")
}

fn names(reply: &Reply) -> Vec<String> {
    reply.json()["result"]
        .as_array()
        .unwrap_or_else(|| panic!("no result array: {}", reply.text))
        .iter()
        .map(|g| g["name"].as_str().unwrap().to_owned())
        .collect()
}

fn ids(reply: &Reply) -> Vec<String> {
    reply.json()["result"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|m| m["id"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

fn bodies(ids: &[&str]) -> Value {
    Value::Array(ids.iter().map(|id| json!({ "id": id })).collect())
}

#[tokio::test]
async fn list_and_get_the_seeded_groups() {
    let server = MockServer::start().await;
    let reply = get(&server, &groups_path()).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(
        names(&reply),
        [PLATFORM_ADMINS_NAME, SRE_ONCALL_NAME, AUDITORS_NAME]
    );
    let body = reply.json();
    assert_eq!(body["result_info"]["total_count"], 3);
    assert_eq!(body["result_info"]["per_page"], 20);

    // The item has the shape of examples/user-group.json.
    let reply = get(&server, &group_path(SRE_ONCALL_GROUP)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let group = reply.json()["result"].clone();
    assert_eq!(group["id"], SRE_ONCALL_GROUP);
    assert_eq!(group["name"], SRE_ONCALL_NAME);
    assert_eq!(group["created_on"], "2026-03-02T09:14:27.512903Z");
    let policy = &group["policies"][0];
    assert_eq!(policy["access"], "allow");
    let pg = policy["permission_groups"][0].as_object().unwrap();
    let mut keys: Vec<&str> = pg.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["id", "meta", "name"]);
    assert_eq!(pg["name"], "Domain API Gateway");
    assert_eq!(pg["meta"]["label"], "domain_api_gateway");
    let rg = &policy["resource_groups"][0];
    assert_eq!(rg["id"], PRODUCTION_ZONES_GROUP);
    assert!(rg["scope"].is_object(), "today's scope shape: {rg}");
    // It decodes as member-types reads it.
    let typed: UserGroup = serde_json::from_value(group).unwrap();
    assert_eq!(typed.policies.len(), 2);

    // Platform admins gives Carol (Billing and read only) admin-level access.
    let admins = get(&server, &group_path(PLATFORM_ADMINS_GROUP))
        .await
        .json();
    let granted: Vec<&str> = admins["result"]["policies"][0]["permission_groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["id"].as_str().unwrap())
        .collect();
    assert!(granted.contains(&SUPER_ADMIN_GROUP));
    let members = get(&server, &group_members_path(PLATFORM_ADMINS_GROUP)).await;
    assert_eq!(ids(&members), [CAROL]);
    assert_eq!(members.json()["result"][0]["email"], CAROL_EMAIL);
    assert_eq!(members.json()["result"][0]["status"], "accepted");
}

#[tokio::test]
async fn list_filters_sorting_and_paging() {
    let server = MockServer::start().await;
    let reply = get(&server, &format!("{}?name={}", groups_path(), "Auditors")).await;
    assert_eq!(names(&reply), [AUDITORS_NAME]);
    // `name` is exact.
    let reply = get(&server, &format!("{}?name=auditors", groups_path())).await;
    assert!(names(&reply).is_empty());
    // `fuzzyName` is a substring, ignoring case.
    let reply = get(&server, &format!("{}?fuzzyName=ADMIN", groups_path())).await;
    assert_eq!(names(&reply), [PLATFORM_ADMINS_NAME]);
    let reply = get(&server, &format!("{}?fuzzyName=o", groups_path())).await;
    assert_eq!(
        names(&reply),
        [PLATFORM_ADMINS_NAME, SRE_ONCALL_NAME, AUDITORS_NAME]
    );
    let reply = get(&server, &format!("{}?id={SRE_ONCALL_GROUP}", groups_path())).await;
    assert_eq!(names(&reply), [SRE_ONCALL_NAME]);
    let reply = get(&server, &format!("{}?direction=asc", groups_path())).await;
    assert_eq!(
        names(&reply),
        [AUDITORS_NAME, PLATFORM_ADMINS_NAME, SRE_ONCALL_NAME]
    );
    let reply = get(&server, &format!("{}?direction=desc", groups_path())).await;
    assert_eq!(
        names(&reply),
        [SRE_ONCALL_NAME, PLATFORM_ADMINS_NAME, AUDITORS_NAME]
    );

    for k in 0..9 {
        let group = serde_json::from_value(json!({
            "id": format!("{k:032x}"), "name": format!("Team {k}"),
            "created_on": "2026-01-01T00:00:00Z", "modified_on": "2026-01-01T00:00:00Z"
        }))
        .unwrap();
        server.insert_user_group(server.account_id(), group);
    }
    let page = get(&server, &format!("{}?per_page=5&page=3", groups_path())).await;
    let body = page.json();
    assert_eq!(names(&page), ["Team 7", "Team 8"]);
    assert_eq!(body["result_info"]["total_count"], 12);
    assert_eq!(body["result_info"]["total_pages"], 3);

    for bad in [
        "id=nothex",
        "direction=up",
        "per_page=51",
        "per_page=4",
        "page=0",
    ] {
        let reply = get(&server, &format!("{}?{bad}", groups_path())).await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{bad}: {}",
            reply.text
        );
        assert_eq!(reply.error_codes(), [1001], "{bad}");
    }
}

#[tokio::test]
async fn create_update_and_delete() {
    let server = MockServer::start().await;
    let reply = call(
        &server,
        Method::POST,
        &groups_path(),
        Some(json!({"name": "Billing team", "policies": [{
            "access": "allow",
            "permission_groups": [{"id": BILLING_GROUP}],
            "resource_groups": [{"id": ACCOUNT_RESOURCE_GROUP}]
        }]})),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let created = reply.json()["result"].clone();
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(id.len(), 32);
    assert_eq!(created["name"], "Billing team");
    assert_eq!(created["created_on"], created["modified_on"]);
    assert_eq!(
        created["policies"][0]["permission_groups"][0]["name"],
        "Billing"
    );
    assert_eq!(created["policies"][0]["id"].as_str().unwrap().len(), 32);
    assert_eq!(
        get(&server, &group_path(&id)).await.json()["result"],
        created
    );

    // Without policies.
    let reply = call(
        &server,
        Method::POST,
        &groups_path(),
        Some(json!({"name": "Empty"})),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(reply.json()["result"]["policies"], json!([]));

    // Rename only: the policies stay.
    let reply = call(
        &server,
        Method::PUT,
        &group_path(&id),
        Some(json!({"name": "Billing"})),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(reply.json()["result"]["name"], "Billing");
    assert_eq!(reply.json()["result"]["policies"], created["policies"]);

    // `policies` replaces the whole set; an inline scope makes a group.
    let before = server.resource_groups(server.account_id()).len();
    let scope = json!({"key": format!("com.cloudflare.api.account.{ACCOUNT}"),
        "objects": [{"key": format!("com.cloudflare.api.account.zone.{EXAMPLE_COM_ZONE}")}]});
    let reply = call(
        &server,
        Method::PUT,
        &group_path(&id),
        Some(json!({"policies": [
            {"access": "allow", "permission_groups": [{"id": DNS_GROUP}], "resource_groups": [{"scope": scope}]},
            {"access": "deny", "permission_groups": [{"id": FIREWALL_GROUP}], "resource_groups": [{"id": PRODUCTION_ZONES_GROUP}]}
        ]})),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let policies = reply.json()["result"]["policies"].clone();
    assert_eq!(policies.as_array().unwrap().len(), 2);
    assert_eq!(policies[0]["permission_groups"][0]["id"], DNS_GROUP);
    assert_eq!(policies[1]["access"], "deny");
    assert_eq!(
        server.resource_groups(server.account_id()).len(),
        before + 1
    );
    assert_eq!(policies[0]["resource_groups"][0]["scope"], scope);
    assert_eq!(reply.json()["result"]["name"], "Billing");

    // `[]` removes them all.
    let reply = call(
        &server,
        Method::PUT,
        &group_path(&id),
        Some(json!({"policies": []})),
    )
    .await;
    assert_eq!(reply.json()["result"]["policies"], json!([]));
    // `{}` changes nothing.
    let reply = call(&server, Method::PUT, &group_path(&id), Some(json!({}))).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(reply.json()["result"]["name"], "Billing");

    let reply = call(&server, Method::DELETE, &group_path(&id), None).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(reply.json()["result"], json!({ "id": id }));
    let reply = get(&server, &group_path(&id)).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(reply.error_codes(), [1003]);
    assert_eq!(reply.first_message(), "User group not found");
    let reply = call(&server, Method::DELETE, &group_path(&id), None).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn group_bodies_are_checked_like_member_policies() {
    let server = MockServer::start().await;
    let post = |body: Value| {
        let server = &server;
        async move { call(server, Method::POST, &groups_path(), Some(body)).await }
    };
    assert_invalid(&post(json!({})).await, &["name is required"]);
    assert_invalid(&post(json!({"name": "  "})).await, &["name", "blank"]);
    assert_invalid(&post(json!({"name": 5})).await, &["name", "string"]);
    let unknown = post(json!({"name": "x", "policies": [{"access": "allow",
        "permission_groups": [{"id": "00000000000000000000000000000000"}],
        "resource_groups": [{"id": ACCOUNT_RESOURCE_GROUP}]}]}))
    .await;
    assert_invalid(
        &unknown,
        &[
            "policies[0].permission_groups[0].id",
            "unknown permission group",
        ],
    );
    assert_eq!(
        unknown.json()["errors"][0]["source"]["pointer"],
        "/policies/0/permission_groups/0/id"
    );
    assert_invalid(
        &post(json!({"name": "x", "policies": [{"access": "allow",
            "permission_groups": [{"id": DNS_GROUP}],
            "resource_groups": [{"id": "ffffffffffffffffffffffffffffffff"}]}]}))
        .await,
        &["unknown resource group"],
    );
    let both = post(json!({"name": "x", "policies": [{"access": "allow",
        "permission_groups": [{"id": DNS_GROUP}],
        "resource_groups": [{"id": ACCOUNT_RESOURCE_GROUP, "scope": {"key": "k", "objects": [{"key": "*"}]}}]}]}))
    .await;
    assert_invalid(&both, &["not both"]);
    assert_invalid(
        &post(json!({"name": "x", "policies": [{"access": "maybe",
            "permission_groups": [{"id": DNS_GROUP}], "resource_groups": [{"id": ACCOUNT_RESOURCE_GROUP}]}]}))
        .await,
        &["access"],
    );
    assert_invalid(
        &post(json!({"name": "x", "policies": {}})).await,
        &["policies", "array"],
    );
    // Nothing was made by the refused requests.
    assert_eq!(server.user_groups(server.account_id()).len(), 3);
    let put = call(
        &server,
        Method::PUT,
        &group_path(AUDITORS_GROUP),
        Some(json!({"name": ""})),
    )
    .await;
    assert_invalid(&put, &["blank"]);
    let put = call(
        &server,
        Method::PUT,
        &group_path("00000000000000000000000000000000"),
        Some(json!({})),
    )
    .await;
    assert_eq!(put.status, StatusCode::NOT_FOUND);
    assert_no_route(&get(&server, &group_path("not-an-id!")).await);
    let wrong = call(
        &server,
        Method::PATCH,
        &group_path(AUDITORS_GROUP),
        Some(json!({})),
    )
    .await;
    assert_eq!(wrong.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(wrong.header("allow"), Some("GET, HEAD, PUT, DELETE"));
}

#[tokio::test]
async fn members_add_replace_get_and_remove() {
    let server = MockServer::start().await;
    let path = group_members_path(AUDITORS_GROUP);

    // An empty group answers `result: null`.
    let reply = get(&server, &path).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(reply.json()["result"], Value::Null);
    assert_eq!(reply.json()["result_info"]["total_count"], 0);

    // POST takes a bare array and answers an array of the members named.
    let reply = call(&server, Method::POST, &path, Some(bodies(&[ALICE, DAVE]))).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(
        reply.json()["result"],
        json!([
            {"id": ALICE, "email": ALICE_EMAIL, "status": "accepted"},
            {"id": DAVE, "email": DAVE_EMAIL, "status": "pending"},
        ])
    );
    // Adding one already there succeeds and changes nothing (idempotent).
    let reply = call(&server, Method::POST, &path, Some(bodies(&[DAVE, JOHN]))).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(ids(&get(&server, &path).await), [ALICE, DAVE, JOHN]);

    // Member details.
    let reply = get(&server, &format!("{path}/{ALICE}")).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let details = reply.json()["result"].clone();
    assert_eq!(details["id"], ALICE);
    assert_eq!(details["email"], ALICE_EMAIL);
    assert_eq!(details["status"], "accepted");
    assert_eq!(details["user"]["first_name"], "Alice");
    assert_eq!(details["user"]["email"], ALICE_EMAIL);
    assert!(details["created_at"].as_str().unwrap().ends_with('Z'));

    // PUT replaces the whole set.
    let reply = call(&server, Method::PUT, &path, Some(bodies(&[ERIN, ALICE]))).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(ids(&reply), [ERIN, ALICE]);
    assert_eq!(ids(&get(&server, &path).await), [ERIN, ALICE]);

    // DELETE one: `{id, email, status}`; again is a 404.
    let reply = call(&server, Method::DELETE, &format!("{path}/{ERIN}"), None).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(
        reply.json()["result"],
        json!({"id": ERIN, "email": ERIN_EMAIL, "status": "accepted"})
    );
    let reply = call(&server, Method::DELETE, &format!("{path}/{ERIN}"), None).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND, "{}", reply.text);
    assert_eq!(reply.error_codes(), [1003]);
    assert_eq!(
        get(&server, &format!("{path}/{ERIN}")).await.status,
        StatusCode::NOT_FOUND
    );
    // Erin is still in the account.
    assert!(server.member(server.account_id(), ERIN).is_some());

    // PUT [] empties the group: `null`.
    let reply = call(&server, Method::PUT, &path, Some(json!([]))).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(reply.json()["result"], Value::Null);
    assert_eq!(get(&server, &path).await.json()["result"], Value::Null);
}

#[tokio::test]
async fn members_bodies_are_bare_arrays_of_account_members() {
    let server = MockServer::start().await;
    let path = group_members_path(SRE_ONCALL_GROUP);
    for method in [Method::POST, Method::PUT] {
        let object = call(
            &server,
            method.clone(),
            &path,
            Some(json!({"members": [{"id": ALICE}]})),
        )
        .await;
        assert_invalid(&object, &["expected a JSON array", "found an object"]);
        let stranger = call(
            &server,
            method.clone(),
            &path,
            Some(bodies(&[ALICE, PARTNER_FRANK])),
        )
        .await;
        assert_invalid(
            &stranger,
            &["[1].id", PARTNER_FRANK, "not a member of this account"],
        );
        assert_eq!(stranger.json()["errors"][0]["source"]["pointer"], "/1/id");
        assert_invalid(
            &call(&server, method.clone(), &path, Some(json!([{}]))).await,
            &["[0].id is required"],
        );
        assert_invalid(
            &call(&server, method.clone(), &path, Some(json!(["abc"]))).await,
            &["[0]", "object"],
        );
        let empty = call(&server, method.clone(), &path, None).await;
        assert_eq!(empty.status, StatusCode::BAD_REQUEST);
        assert_eq!(empty.error_codes(), [6007]);
    }
    assert_invalid(
        &call(&server, Method::POST, &path, Some(json!([]))).await,
        &["at least one member"],
    );
    // Nothing changed.
    assert_eq!(ids(&get(&server, &path).await), [BOB, DAVE]);
    let missing = call(
        &server,
        Method::POST,
        &group_members_path("00000000000000000000000000000000"),
        Some(bodies(&[ALICE])),
    )
    .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.first_message(), "User group not found");
    assert_no_route(&get(&server, &format!("{path}/bad-id!")).await);
}

#[tokio::test]
async fn a_member_removed_from_the_account_leaves_its_groups() {
    let server = MockServer::start().await;
    let reply = call(&server, Method::DELETE, &member_path(BOB), None).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(
        ids(&get(&server, &group_members_path(SRE_ONCALL_GROUP)).await),
        [DAVE]
    );
    assert_eq!(
        server.user_group_members(server.account_id(), SRE_ONCALL_GROUP),
        Some(vec![MemberId::from_server(DAVE)])
    );
}

#[tokio::test]
async fn a_group_of_120_members_pages_in_three() {
    let server = MockServer::start().await;
    let added = server.fill_user_group(server.account_id(), AUDITORS_GROUP, 120);
    assert_eq!(added.len(), 120);
    let path = group_members_path(AUDITORS_GROUP);
    let mut seen = Vec::new();
    for (page, expected) in [(1, 50), (2, 50), (3, 20)] {
        let reply = get(&server, &format!("{path}?per_page=50&page={page}")).await;
        let body = reply.json();
        assert_eq!(body["result_info"]["count"], expected, "page {page}");
        assert_eq!(body["result_info"]["total_count"], 120);
        assert_eq!(body["result_info"]["total_pages"], 3);
        seen.extend(ids(&reply));
    }
    let added: Vec<String> = added.iter().map(|id| id.as_str().to_owned()).collect();
    assert_eq!(seen, added);
    // Past the end: nothing on the page, `null`.
    let past = get(&server, &format!("{path}?per_page=50&page=4"))
        .await
        .json();
    assert_eq!(past["result"], Value::Null);
    assert_eq!(past["result_info"]["total_count"], 120);

    // fuzzyEmail (a substring, ignoring case) and direction (by email).
    let reply = get(
        &server,
        &format!("{path}?fuzzyEmail=MEMBER0001&per_page=50"),
    )
    .await;
    let emails: Vec<String> = reply.json()["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["email"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(emails.len(), 10, "{emails:?}");
    assert!(emails.iter().all(|e| e.starts_with("member0001")));
    let desc = get(&server, &format!("{path}?direction=desc&per_page=5"))
        .await
        .json();
    assert_eq!(desc["result"][0]["email"], "member00120@example.com");
    let asc = get(&server, &format!("{path}?direction=asc&per_page=5"))
        .await
        .json();
    assert_eq!(asc["result"][0]["email"], "member00001@example.com");
    let none = get(&server, &format!("{path}?fuzzyEmail=nobody"))
        .await
        .json();
    assert_eq!(none["result"], Value::Null);
    for bad in ["per_page=51", "direction=sideways", "page=0"] {
        let reply = get(&server, &format!("{path}?{bad}")).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{bad}");
    }
}

#[tokio::test]
async fn test_data_over_the_admin_api() {
    let server = MockServer::start().await;
    let admin = |method: Method, path: String, body: Value| {
        let url = format!("{}{path}", server.admin_url());
        async move { send(client().request(method, url).json(&body)).await }
    };
    let reply = admin(
        Method::POST,
        format!("/accounts/{ACCOUNT}/user_groups"),
        json!({"name": "Platform admins", "members": [JOHN]}),
    )
    .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    let id = reply.json()["id"].as_str().unwrap().to_owned();
    assert_eq!(reply.json()["members"], json!([JOHN]));
    // Two groups of one name, as only test data can make.
    let found = get(
        &server,
        &format!("{}?name=Platform%20admins", groups_path()),
    )
    .await;
    assert_eq!(found.json()["result_info"]["total_count"], 2);

    let reply = admin(
        Method::POST,
        format!("/accounts/{ACCOUNT}/user_groups/{id}/generate"),
        json!({"count": 60}),
    )
    .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    assert_eq!(reply.json()["added"], 60);
    assert_eq!(reply.json()["group_member_count"], 61);
    let page = get(&server, &format!("{}?per_page=50", group_members_path(&id)))
        .await
        .json();
    assert_eq!(page["result_info"]["total_count"], 61);
    assert_eq!(page["result"][0]["id"], JOHN);
    let missing = admin(
        Method::POST,
        format!("/accounts/{ACCOUNT}/user_groups/ffffffffffffffffffffffffffffffff/generate"),
        json!({"count": 1}),
    )
    .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);

    // Rust: members set as given.
    server.set_user_group_members(server.account_id(), &id, [MemberId::from_server(ALICE)]);
    assert_eq!(ids(&get(&server, &group_members_path(&id)).await), [ALICE]);
    server.reset();
    assert_eq!(server.user_groups(server.account_id()).len(), 3);
}
