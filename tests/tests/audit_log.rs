//! The audit log through the client against member-mock: positive filters,
//! one member's changes, every entry once across small cursor pages in
//! both cursor shapes, and the default window.

mod common;

use std::time::{Duration, SystemTime};

use common::*;
use futures::TryStreamExt;
use member_client::{AuditFilter, AuditLog, Change, MemberId, MemberRef, RoleId};
use member_mock::MockServer;

async fn entries(query: member_client::AuditLogQuery) -> Vec<AuditLog> {
    query.stream().try_collect().await.unwrap()
}

/// Three membership changes through the apply engine.
async fn three_changes(mock: &MockServer) {
    let client = client(mock);
    let members = client.members(mock.account_id());
    let plan = members
        .plan(&[
            Change::set_roles(
                MemberRef::email(BOB_EMAIL),
                [RoleId::new(READ_ONLY_ROLE).unwrap()],
            ),
            Change::set_roles(
                MemberRef::email(ERIN_EMAIL),
                [RoleId::new(DNS_ROLE).unwrap()],
            ),
            Change::remove(MemberRef::email(DAVE_EMAIL)),
        ])
        .await
        .unwrap();
    let outcomes: Vec<_> = futures::StreamExt::collect(members.apply(plan.changes())).await;
    assert!(outcomes.iter().all(|o| o.is_applied()), "{outcomes:?}");
}

#[tokio::test]
async fn filters_one_member_and_every_page_once_in_both_cursor_shapes() {
    let mock = MockServer::start().await;
    three_changes(&mock).await;
    let client = client(&mock);
    let account = mock.account_id();
    let hour_ago = SystemTime::now() - Duration::from_secs(3600);

    let all = entries(
        client
            .audit_log(account)
            .since(hour_ago)
            .membership_changes(),
    )
    .await;
    assert_eq!(all.len(), 3, "{all:#?}");
    assert!(all.iter().all(|e| e.actor_email() == Some(JOHN_EMAIL)));
    // Newest first: Dave's removal is not necessarily last sent, so compare
    // as a set of (member, action).
    let mut what: Vec<(String, String)> = all
        .iter()
        .map(|e| {
            (
                e.resource_id().unwrap().to_owned(),
                e.action.as_ref().unwrap().action_type.clone().unwrap(),
            )
        })
        .collect();
    what.sort();
    let mut expected = vec![
        (BOB.to_owned(), "update".to_owned()),
        (ERIN.to_owned(), "update".to_owned()),
        (DAVE.to_owned(), "delete".to_owned()),
    ];
    expected.sort();
    assert_eq!(what, expected);

    let bob = entries(
        client
            .audit_log(account)
            .since(hour_ago)
            .of_member(&MemberId::new(BOB).unwrap()),
    )
    .await;
    assert_eq!(bob.len(), 1);
    assert_eq!(bob[0].resource_id(), Some(BOB));
    let by_someone_else = entries(
        client
            .audit_log(account)
            .since(hour_ago)
            .actor_email("nobody@example.com"),
    )
    .await;
    assert!(by_someone_else.is_empty());
    let not_deletes = entries(
        client
            .audit_log(account)
            .since(hour_ago)
            .exclude(AuditFilter::ActionType, "delete"),
    )
    .await;
    assert_eq!(not_deletes.len(), 2);

    for after in [false, true] {
        mock.set_audit_cursors_after(after);
        mock.clear_requests();
        let paged = entries(
            client
                .audit_log(account)
                .since(hour_ago)
                .page_size(1)
                .unwrap(),
        )
        .await;
        let ids: Vec<&str> = paged.iter().map(|e| e.id.as_str()).collect();
        let all_ids: Vec<&str> = all.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids, all_ids, "cursors.after = {after}");
        // Three pages of one, and a fourth only if the last gave a cursor.
        let pages = mock
            .requests()
            .iter()
            .filter(|r| r.path.ends_with("/logs/audit"))
            .count();
        assert_eq!(pages, 3, "cursors.after = {after}");
    }
}

#[tokio::test]
async fn the_window_defaults_to_a_week_and_says_so() {
    let mock = MockServer::start().await;
    let client = client(&mock);
    let query = client.audit_log(mock.account_id());
    let (since, before, default) = query.window();
    assert!(default);
    let span = before.duration_since(since).unwrap();
    assert!(
        span >= member_client::DEFAULT_AUDIT_WINDOW
            && span <= member_client::DEFAULT_AUDIT_WINDOW + Duration::from_secs(61),
        "{span:?}"
    );
    let (_, _, default) = query.since(SystemTime::now()).window();
    assert!(!default);
    assert!(client.audit_log(mock.account_id()).page_size(1001).is_err());
    // The window is sent: a query with none would be refused.
    mock.clear_requests();
    let found = entries(client.audit_log(mock.account_id())).await;
    assert!(found.is_empty());
    let sent = &mock.requests()[0];
    let query = sent.query.as_deref().unwrap_or_default();
    assert!(
        query.contains("since=") && query.contains("before="),
        "{query}"
    );
}
