//! member-client against member-mock over loopback HTTP: every operation,
//! the quirks of the real API, and faults through the whole stack.

mod common;

use std::time::Duration;

use common::*;
use futures::TryStreamExt;
use member_client::{
    Access, Client, CreateMember, Credentials, ErrorKind, InviteStatus, ListMembersParams,
    ListRolesParams, MemberId, MemberStatus, RoleId, UpdateMember,
};
use member_mock::{Fault, MockServer};

#[tokio::test]
async fn get_and_get_opt() {
    let mock = MockServer::start().await;
    let members = client(&mock).members(mock.account_id());
    let member = members.get(&id(JOHN)).await.unwrap();
    assert_eq!(member.email(), Some("user@example.com"));
    assert_eq!(member.roles[0].name, "Account Administrator");

    let missing = members
        .get_opt(&id("ffffffffffffffffffffffffffffffff"))
        .await
        .unwrap();
    assert!(missing.is_none());
    let err = members
        .get(&id("ffffffffffffffffffffffffffffffff"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert_eq!(err.status(), Some(404));
}

#[tokio::test]
async fn update_with_roles_and_with_policies() {
    let mock = MockServer::start().await;
    let members = client(&mock).members(mock.account_id());

    let updated = members
        .update(
            &id(BOB),
            UpdateMember::with_roles([role(READ_ONLY_ROLE), role(ADMIN_ROLE)]).unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(
        updated.role_ids(),
        [ADMIN_ROLE, READ_ONLY_ROLE].into_iter().collect()
    );
    let sent = mock.requests().pop().unwrap();
    assert_eq!(sent.method, "PUT");
    let body: serde_json::Value = serde_json::from_str(&sent.body).unwrap();
    assert_eq!(
        body,
        serde_json::json!({"roles": [{"id": READ_ONLY_ROLE}, {"id": ADMIN_ROLE}]})
    );

    let updated = members.set_policies(&id(BOB), [policy()]).await.unwrap();
    assert_eq!(updated.policies.len(), 1);
    assert_eq!(updated.policies[0].access, Some(Access::Allow));
    let stored = mock.member(mock.account_id(), BOB).unwrap();
    assert_eq!(stored.policies.len(), 1);

    let updated = members
        .set_roles(&id(BOB), [role(ADMIN_ROLE)])
        .await
        .unwrap();
    assert_eq!(updated.role_ids(), [ADMIN_ROLE].into_iter().collect());
}

#[tokio::test]
async fn invalid_input_is_refused_before_anything_is_sent() {
    let mock = MockServer::start().await;
    let members = client(&mock).members(mock.account_id());
    mock.clear_requests();

    let err = members
        .set_roles(&id(BOB), Vec::<RoleId>::new())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(err.to_string().contains("roles must not be empty"), "{err}");

    let server_id = MemberId::from_server("../roles");
    let err = members.get(&server_id).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(err.to_string().contains("member_id"), "{err}");

    let err = CreateMember::with_roles("not-an-email", [role(ADMIN_ROLE)]).unwrap_err();
    assert!(err.to_string().contains("email"));
    assert!(mock.requests().is_empty(), "nothing may be sent");
}

#[tokio::test]
async fn add_omits_roles_like_the_real_api_and_add_and_fetch_reads_them_back() {
    let mock = MockServer::start().await;
    let members = client(&mock).members(mock.account_id());

    let added = members
        .add(CreateMember::with_roles("new.hire@example.com", [role(READ_ONLY_ROLE)]).unwrap())
        .await
        .unwrap();
    assert_eq!(added.status, Some(MemberStatus::Pending));
    assert!(added.roles.is_empty(), "the POST response omits roles");
    let sent = mock.requests().pop().unwrap();
    let body: serde_json::Value = serde_json::from_str(&sent.body).unwrap();
    assert_eq!(
        body,
        serde_json::json!({"email": "new.hire@example.com", "roles": [READ_ONLY_ROLE]})
    );

    let full = members
        .add_and_fetch(CreateMember::with_policies("second@example.com", [policy()]).unwrap())
        .await
        .unwrap();
    assert_eq!(full.policies.len(), 1);
    let full = members
        .add_and_fetch(CreateMember::with_roles("third@example.com", [role(ADMIN_ROLE)]).unwrap())
        .await
        .unwrap();
    assert_eq!(full.role_ids(), [ADMIN_ROLE].into_iter().collect());
}

#[tokio::test]
async fn direct_add_is_refused_unless_the_account_allows_it() {
    let mock = MockServer::start().await;
    let members = client(&mock).members(mock.account_id());
    let body = CreateMember::with_roles("direct@example.com", [role(ADMIN_ROLE)])
        .unwrap()
        .status(InviteStatus::Accepted);
    let err = members.add(body.clone()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::BadRequest);
    assert!(err.codes().contains(&1001), "{:?}", err.codes());
    assert!(!err.may_have_been_applied() || err.status() == Some(400));

    mock.set_allow_direct_add(mock.account_id(), true);
    let added = members.add(body).await.unwrap();
    assert_eq!(added.status, Some(MemberStatus::Accepted));
}

#[tokio::test]
async fn unknown_role_is_a_400_with_code_1001() {
    let mock = MockServer::start().await;
    let members = client(&mock).members(mock.account_id());
    let err = members
        .set_roles(&id(BOB), [role("0000000000000000000000000000beef")])
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(400));
    assert!(err.codes().contains(&1001));
    assert!(err.cf_ray().is_some());
}

#[tokio::test]
async fn remove_then_get_opt_is_none() {
    let mock = MockServer::start().await;
    let members = client(&mock).members(mock.account_id());
    let removed = members.remove(&id(BOB)).await.unwrap();
    assert_eq!(removed.and_then(|r| r.id).as_deref(), Some(BOB));
    assert!(members.get_opt(&id(BOB)).await.unwrap().is_none());
    let sent = mock
        .requests()
        .into_iter()
        .find(|r| r.method == "DELETE")
        .unwrap();
    assert!(sent.body.is_empty(), "DELETE sends no body");
}

#[tokio::test]
async fn list_filters_and_find_by_email() {
    let mock = MockServer::start().await;
    let members = client(&mock).members(mock.account_id());
    let pending: Vec<_> = members
        .list(ListMembersParams::new().status(MemberStatus::Pending))
        .try_collect()
        .await
        .unwrap();
    assert!(!pending.is_empty());
    assert!(pending
        .iter()
        .all(|m| m.status == Some(MemberStatus::Pending)));

    let page = members
        .list(ListMembersParams::new().per_page(5).unwrap())
        .page()
        .await
        .unwrap();
    assert_eq!(page.items.len(), 5);
    let info = page.result_info.unwrap();
    assert_eq!(
        (info.page, info.per_page, info.count),
        (Some(1), Some(5), Some(5))
    );

    let bob = members
        .find_by_email("BOB.DNS@example.com")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(bob.id.unwrap().as_str(), BOB);
    assert!(members
        .find_by_email("nobody@example.com")
        .await
        .unwrap()
        .is_none());
}

#[tokio::test]
async fn roles_list_get_and_find_by_name() {
    let mock = MockServer::start().await;
    let roles = client(&mock).roles(mock.account_id());
    let all: Vec<_> = roles
        .list(ListRolesParams::new())
        .try_collect()
        .await
        .unwrap();
    assert!(all.len() >= 10, "{}", all.len());
    let page = roles
        .list(ListRolesParams::new().per_page(5).unwrap())
        .page()
        .await
        .unwrap();
    assert_eq!(page.items.len(), 5);
    let admin = roles.get(&role(ADMIN_ROLE)).await.unwrap();
    assert_eq!(admin.name, "Account Administrator");
    let found = roles
        .find_by_name("administrator read only")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.id.as_str(), READ_ONLY_ROLE);
    assert!(roles.find_by_name("No Such Role").await.unwrap().is_none());
}

#[tokio::test]
async fn pagination_over_1000_members_spends_no_extra_request() {
    let mock = MockServer::start().await;
    mock.add_members(1000);
    let total = mock.member_count(mock.account_id());
    let members = client(&mock).members(mock.account_id());
    mock.clear_requests();
    let all: Vec<_> = members
        .list(ListMembersParams::new())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), total);
    let lists = mock.requests().iter().filter(|r| r.method == "GET").count();
    assert_eq!(
        lists,
        total.div_ceil(50),
        "one request per page, none for an empty page"
    );
    let mut ids: Vec<_> = all.iter().map(|m| m.id.clone().unwrap()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), total, "no member twice");
}

// The retry's backoff passes on the paused clock.
#[tokio::test(start_paused = true)]
async fn html_502_then_success_is_retried_and_the_cf_ray_kept() {
    let mock = MockServer::start().await;
    let client = client(&mock);
    let members = client.members(mock.account_id());
    mock.inject(
        Fault::on("PUT", "/accounts/*/members/*")
            .times(1)
            .status(502)
            .html("<html><body><center><h1>502 Bad Gateway</h1></center></body></html>"),
    );
    let response = members
        .set_roles(&id(BOB), [role(ADMIN_ROLE)])
        .send_with_response()
        .await
        .unwrap();
    assert_eq!(response.attempts, 2);
    assert_eq!(response.status, 200);
    assert!(response.cf_ray().is_some());

    // With retries off, the same fault is an error that keeps status, cf-ray and an excerpt.
    mock.inject(
        Fault::on("GET", "/accounts/*/members/*")
            .times(1)
            .status(502)
            .html("<center><h1>502 Bad Gateway</h1></center>"),
    );
    let err = members.get(&id(BOB)).max_retries(0).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Server);
    assert_eq!(err.status(), Some(502));
    assert!(err.cf_ray().is_some());
    assert!(err.excerpt().unwrap().contains("502 Bad Gateway"));
}

#[tokio::test(start_paused = true)]
async fn rate_limit_is_waited_out_then_refused_over_the_cap() {
    let mock = MockServer::start().await;
    let members = client(&mock).members(mock.account_id());
    mock.inject(Fault::on("GET", "/accounts/*/members/*").times(1).status(429).retry_after(1).json(
        serde_json::json!({"success": false, "errors": [{"code": 10100, "message": "Rate limited"}], "messages": [], "result": null}),
    ));
    let started = tokio::time::Instant::now();
    let member = members.get(&id(BOB)).send_with_response().await.unwrap();
    assert_eq!(member.attempts, 2);
    assert_eq!(started.elapsed(), Duration::from_secs(1), "Retry-After: 1");

    mock.inject(
        Fault::on("GET", "/accounts/*/members/*")
            .times(1)
            .status(429)
            .retry_after(3600)
            .null_body(),
    );
    let err = members.get(&id(BOB)).await.unwrap_err();
    assert!(err.is_rate_limited());
    assert_eq!(err.retry_after(), Some(Duration::from_secs(3600)));
}

#[tokio::test]
async fn success_false_in_a_200_is_an_error() {
    let mock = MockServer::start().await;
    let members = client(&mock).members(mock.account_id());
    mock.inject(
        Fault::on("GET", "/accounts/*/members/*")
            .times(1)
            .success_false(1001, "Invalid request"),
    );
    let err = members.get(&id(BOB)).await.unwrap_err();
    assert_eq!(err.status(), Some(200));
    assert_eq!(err.codes(), vec![1001]);
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn wrong_credentials_give_403_code_10000() {
    let mock = MockServer::start().await;
    let client = Client::builder()
        .base_url(&mock.base_url())
        .credentials(Credentials::token("not-the-token"))
        .build()
        .unwrap();
    let err = client
        .members(mock.account_id())
        .get(&id(BOB))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(403));
    assert_eq!(err.codes(), vec![10000]);
    assert!(!err.to_string().contains("not-the-token"));
}

#[tokio::test]
async fn concurrent_updates_from_clones_of_one_client() {
    let mock = MockServer::start().await;
    let ids = mock.add_members(32);
    let client = client(&mock);
    let account = mock.account_id().clone();
    let tasks: Vec<_> = ids
        .iter()
        .cloned()
        .enumerate()
        .map(|(i, member)| {
            let client = client.clone();
            let account = account.clone();
            tokio::spawn(async move {
                let wanted = if i % 2 == 0 {
                    ADMIN_ROLE
                } else {
                    READ_ONLY_ROLE
                };
                let updated = client
                    .members(&account)
                    .set_roles(&member, [role(wanted)])
                    .await
                    .unwrap();
                (member, wanted, updated)
            })
        })
        .collect();
    for task in tasks {
        let (member, wanted, updated) = task.await.unwrap();
        assert_eq!(updated.role_ids(), [wanted].into_iter().collect());
        let stored = mock.member(&account, member.as_str()).unwrap();
        assert_eq!(stored.role_ids(), [wanted].into_iter().collect());
    }
}

#[tokio::test]
async fn responses_carry_messages_status_and_headers() {
    let mock = MockServer::start().await;
    let members = client(&mock).members(mock.account_id());
    mock.inject(
        Fault::on("GET", "/accounts/*/members/*")
            .times(1)
            .header("Ratelimit", "\"default\";r=49;t=30")
            .header("Ratelimit-Policy", "\"default\";q=1200;w=300"),
    );
    let response = members.get(&id(BOB)).send_with_response().await.unwrap();
    assert_eq!(response.status, 200);
    assert!(response.cf_ray().is_some());
    assert_eq!(
        response.rate_limit_policy(),
        Some("\"default\";q=1200;w=300")
    );
    assert!(response.rate_limit().is_some());
    assert!(response.messages.is_empty());
}

#[tokio::test]
async fn dry_run_prepares_without_sending() {
    let mock = MockServer::start().await;
    let members = client(&mock).members(mock.account_id());
    mock.clear_requests();
    let call = members.set_roles(&id(BOB), [role(ADMIN_ROLE)]);
    let prepared = call.prepare().unwrap();
    assert_eq!(prepared.method, member_client::Method::PUT);
    assert!(prepared
        .url
        .ends_with(&format!("/accounts/{}/members/{BOB}", mock.account_id())));
    assert_eq!(
        prepared.body,
        Some(serde_json::json!({"roles": [{"id": ADMIN_ROLE}]}))
    );
    assert_eq!(prepared.auth_scheme, "api-token");
    assert!(mock.requests().is_empty());
}
