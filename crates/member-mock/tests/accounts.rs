//! `GET /accounts` over real HTTP: the seeded accounts, the filters and
//! paging, the account the credential cannot read, the account-owned
//! token's refusal, and many generated accounts.

mod common;

use common::*;
use member_mock::MockServer;
use member_types::Account;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

fn names(reply: &Reply) -> Vec<String> {
    reply.json()["result"]
        .as_array()
        .unwrap_or_else(|| panic!("no result array: {}", reply.text))
        .iter()
        .map(|a| a["name"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn lists_every_account_the_token_can_read() {
    let server = MockServer::start().await;
    let reply = get(&server, "/accounts").await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let listed: Vec<(String, String)> = reply.json()["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["id"].as_str().unwrap().to_owned(),
                a["name"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let expected: Vec<(String, String)> = LISTED_ACCOUNTS
        .iter()
        .map(|(id, name)| ((*id).to_owned(), (*name).to_owned()))
        .collect();
    assert_eq!(listed, expected);
    let body = reply.json();
    assert_eq!(
        body["result_info"],
        json!({"page": 1, "per_page": 20, "count": 3, "total_count": 3, "total_pages": 1})
    );

    // The item as examples/accounts-page.json shows it.
    let example = body["result"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == ACCOUNT)
        .unwrap()
        .clone();
    assert_eq!(example["type"], "enterprise");
    assert_eq!(example["created_on"], "2019-05-14T08:30:12.118273Z");
    assert_eq!(example["settings"]["enforce_twofactor"], true);
    assert_eq!(example["settings"]["api_access_enabled"], Value::Null);
    assert_eq!(
        example["settings"]["abuse_contact_email"],
        "abuse@example.com"
    );
    assert_eq!(
        example["legacy_flags"]["enterprise_zone_quota"]["current"],
        3
    );
    let typed: Account = serde_json::from_value(example).unwrap();
    assert_eq!(typed.enforces_two_factor(), Some(true));
    assert!(
        typed.other.contains_key("legacy_flags"),
        "unknown keys are kept"
    );
    let partner = &body["result"][2];
    assert_eq!(partner["type"], "standard");
    assert_eq!(partner["managed_by"]["parent_org_name"], "Partner Corp Org");
}

#[tokio::test]
async fn name_direction_and_paging() {
    let server = MockServer::start().await;
    let reply = get(&server, "/accounts?name=partner%20corp").await;
    assert_eq!(names(&reply), [OTHER_ACCOUNT_NAME], "exact, ignoring case");
    let reply = get(&server, "/accounts?name=Partner").await;
    assert!(names(&reply).is_empty(), "not a substring");
    let reply = get(&server, "/accounts?direction=desc").await;
    assert_eq!(
        names(&reply),
        [OTHER_ACCOUNT_NAME, ACCOUNT_NAME, THIRD_ACCOUNT_NAME]
    );
    let reply = get(&server, &format!("/accounts?name={LOCKED_ACCOUNT_NAME}")).await;
    assert!(names(&reply).is_empty(), "the locked account is not listed");
    for bad in ["per_page=4", "per_page=51", "page=0", "direction=up"] {
        let reply = get(&server, &format!("/accounts?{bad}")).await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{bad}: {}",
            reply.text
        );
        assert_eq!(reply.error_codes(), [1001], "{bad}");
    }
    let wrong = call(&server, Method::POST, "/accounts", Some(json!({}))).await;
    assert_eq!(wrong.status, StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn bob_is_in_three_accounts() {
    let server = MockServer::start().await;
    let find = |account: &'static str| {
        let server = &server;
        async move {
            let reply = get(server, &format!("/accounts/{account}/members?per_page=50")).await;
            assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
            reply.json()["result"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|m| m["email"] == BOB_EMAIL)
                .cloned()
                .collect::<Vec<Value>>()
        }
    };
    let example = find(ACCOUNT).await;
    assert_eq!(example[0]["id"], BOB);
    assert_eq!(example[0]["status"], "accepted");
    let partner = find(OTHER_ACCOUNT).await;
    assert_eq!(partner[0]["id"], PARTNER_BOB);
    assert_eq!(partner[0]["roles"][0]["id"], SUPER_ADMIN_ROLE);
    let acme = find(THIRD_ACCOUNT).await;
    assert_eq!(acme[0]["id"], ACME_BOB);
    assert_eq!(acme[0]["status"], "pending");

    // Bob is Partner Corp's only Super Administrator.
    let all = get(&server, &format!("/accounts/{OTHER_ACCOUNT}/members"))
        .await
        .json();
    let supers: Vec<&Value> = all["result"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| {
            m["roles"]
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r["id"] == SUPER_ADMIN_ROLE)
        })
        .collect();
    assert_eq!(supers.len(), 1);
    assert_eq!(supers[0]["id"], PARTNER_BOB);
    let roles = get(&server, &format!("/accounts/{OTHER_ACCOUNT}/roles")).await;
    assert_eq!(roles.json()["result_info"]["total_count"], 3);
}

#[tokio::test]
async fn the_locked_account_refuses_everything() {
    let server = MockServer::start().await;
    for (method, path) in [
        (Method::GET, format!("/accounts/{LOCKED_ACCOUNT}/members")),
        (
            Method::GET,
            format!("/accounts/{LOCKED_ACCOUNT}/members/{LOCKED_IVAN}"),
        ),
        (
            Method::DELETE,
            format!("/accounts/{LOCKED_ACCOUNT}/members/{LOCKED_IVAN}"),
        ),
        (Method::GET, format!("/accounts/{LOCKED_ACCOUNT}/roles")),
        (
            Method::GET,
            format!("/accounts/{LOCKED_ACCOUNT}/iam/user_groups"),
        ),
        (
            Method::GET,
            format!("/accounts/{LOCKED_ACCOUNT}/iam/permission_groups"),
        ),
    ] {
        let reply = call(&server, method.clone(), &path, None).await;
        assert_eq!(
            reply.status,
            StatusCode::FORBIDDEN,
            "{method} {path}: {}",
            reply.text
        );
        assert_eq!(reply.error_codes(), [9109], "{path}");
    }
    // Still there, as stored.
    assert!(server
        .member(
            &member_types::AccountId::new(LOCKED_ACCOUNT).unwrap(),
            LOCKED_IVAN
        )
        .is_some());
}

#[tokio::test]
async fn an_account_owned_token_cannot_list_accounts() {
    let server = MockServer::builder()
        .account_owned_token(true)
        .start()
        .await
        .unwrap();
    let reply = get(&server, "/accounts").await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "{}", reply.text);
    assert_eq!(reply.error_codes(), [1001]);
    assert_eq!(
        reply.first_message(),
        "List accounts endpoint does not support account owned tokens."
    );
    // Its account's own endpoints still answer.
    assert_eq!(get(&server, &members_path()).await.status, StatusCode::OK);
    // An API key is the user's, and lists.
    let with_key = send(
        client()
            .get(format!("{}/accounts", server.base_url()))
            .header("X-Auth-Email", server.email())
            .header("X-Auth-Key", server.api_key()),
    )
    .await;
    assert_eq!(with_key.status, StatusCode::OK, "{}", with_key.text);

    // Over the admin API, and from the handle.
    let url = format!("{}/settings", server.admin_url());
    let reply = send(
        client()
            .patch(url)
            .json(&json!({"account_owned_token": false})),
    )
    .await;
    assert_eq!(reply.json()["account_owned_token"], false);
    assert_eq!(get(&server, "/accounts").await.status, StatusCode::OK);
    server.set_account_owned_token(true);
    assert_eq!(
        get(&server, "/accounts").await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn many_generated_accounts_page_in_bounds() {
    let server = MockServer::builder()
        .generated_accounts(200, 100)
        .request_log_limit(0)
        .start()
        .await
        .unwrap();
    let first = get(&server, "/accounts?per_page=50").await.json();
    assert_eq!(first["result_info"]["total_count"], 203);
    assert_eq!(first["result_info"]["total_pages"], 5);
    assert_eq!(first["result"].as_array().unwrap().len(), 50);
    let mut seen = 0;
    for page in 1..=5 {
        let reply = get(&server, &format!("/accounts?per_page=50&page={page}")).await;
        seen += reply.json()["result"].as_array().unwrap().len();
    }
    assert_eq!(seen, 203);
    let generated = first["result"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "Generated Account 00001")
        .unwrap()
        .clone();
    let id = generated["id"].as_str().unwrap();
    let members = get(&server, &format!("/accounts/{id}/members?per_page=5"))
        .await
        .json();
    assert_eq!(members["result_info"]["total_count"], 100);
    assert_eq!(
        members["result"][0]["roles"][0]["name"],
        "Administrator Read Only"
    );

    // More on a running server, from Rust and over the admin API; reset
    // keeps the builder's and drops the others.
    let added = server.add_accounts(2, 3);
    assert_eq!(added[0].as_str(), format!("acc0{:028x}", 201));
    let url = format!("{}/generate_accounts", server.admin_url());
    let reply = send(
        client()
            .post(url)
            .json(&json!({"accounts": 3, "members": 1})),
    )
    .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    assert_eq!(reply.json()["added"], 3);
    let total = get(&server, "/accounts").await.json();
    assert_eq!(total["result_info"]["total_count"], 208);
    server.reset();
    let total = get(&server, "/accounts").await.json();
    assert_eq!(total["result_info"]["total_count"], 203);
}
