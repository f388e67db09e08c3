//! Access as code against member-mock: an access file becomes the member
//! changes of the one plan engine; unchanged members are no-ops; every
//! unresolved name is reported at once with its place; nothing is written.

mod common;

use common::*;
use member_client::{AccessFile, AccessFileError, PlanAction};
use member_mock::MockServer;

fn file(yaml_like: serde_json::Value) -> AccessFile {
    serde_json::from_value(yaml_like).unwrap()
}

fn writes(mock: &MockServer) -> usize {
    mock.requests().iter().filter(|r| r.method != "GET").count()
}

#[tokio::test]
async fn a_file_becomes_the_plan_engines_changes() {
    let mock = MockServer::start().await;
    let client = client(&mock);
    let account = mock.account_id().clone();
    let wanted = file(serde_json::json!({
        "account": ACCOUNT,
        "members": [
            // Bob's and Carol's access as it is, in another order and case.
            {"email": "BOB.DNS@example.com", "roles": ["dns"]},
            {"email": CAROL_EMAIL, "roles": ["Billing", "Administrator Read Only"]},
            // Alice changes.
            {"email": ALICE_EMAIL, "roles": ["Administrator Read Only"]},
            // Somebody new.
            {"email": "new.hire@example.com", "policies": [
                {"allow": ["DNS Write"], "on": ["zone:example.com"]}
            ]}
        ]
    }));
    mock.clear_requests();
    let changes = client
        .access_changes(&account, &wanted, false)
        .await
        .unwrap();
    assert_eq!(changes.changes.len(), 4);
    let left_out: Vec<&str> = changes
        .not_in_file
        .iter()
        .filter_map(|m| m.email())
        .collect();
    assert!(left_out.contains(&JOHN_EMAIL), "{left_out:?}");
    assert!(!left_out.contains(&BOB_EMAIL), "{left_out:?}");

    let plan = client
        .members(&account)
        .plan(&changes.changes)
        .await
        .unwrap();
    let action = |email: &str| {
        plan.entries
            .iter()
            .find(|e| {
                e.email
                    .as_deref()
                    .is_some_and(|x| x.eq_ignore_ascii_case(email))
            })
            .map(|e| e.action)
    };
    assert_eq!(action(BOB_EMAIL), Some(PlanAction::Unchanged));
    assert_eq!(action(CAROL_EMAIL), Some(PlanAction::Unchanged));
    assert_eq!(action(ALICE_EMAIL), Some(PlanAction::Update));
    assert_eq!(action("new.hire@example.com"), Some(PlanAction::Add));
    assert_eq!(writes(&mock), 0, "planning writes nothing");

    // With prune, the members the file leaves out are removed.
    let pruned = client
        .access_changes(&account, &wanted, true)
        .await
        .unwrap();
    assert_eq!(
        pruned.changes.len(),
        changes.changes.len() + changes.not_in_file.len()
    );
}

#[tokio::test]
async fn every_unresolved_name_is_reported_with_its_place() {
    let mock = MockServer::start().await;
    let client = client(&mock);
    let wanted = file(serde_json::json!({
        "account": ACCOUNT,
        "members": [
            {"email": BOB_EMAIL, "roles": ["Adminstrator Read Only"]},
            {"email": ALICE_EMAIL, "policies": [
                {"allow": ["Zone Read", "DNS Wirte"], "on": ["account"]},
                {"deny": ["Billing Read"], "on": ["zone:nowhere.example"]}
            ]}
        ]
    }));
    mock.clear_requests();
    let err = client
        .access_changes(mock.account_id(), &wanted, false)
        .await
        .unwrap_err();
    let AccessFileError::Invalid(names) = &err else {
        panic!("{err}")
    };
    let text = err.to_string();
    assert_eq!(names.len(), 3, "{text}");
    assert!(
        text.contains(
            "members[0].roles[0] (bob.dns@example.com): no role \"Adminstrator Read Only\""
        ),
        "{text}"
    );
    assert!(
        text.contains("did you mean \"Administrator Read Only\""),
        "{text}"
    );
    assert!(
        text.contains("members[1].policies[0].allow[1] (alice.admin@example.com)"),
        "{text}"
    );
    assert!(
        text.contains("members[1].policies[1].on[0] (alice.admin@example.com)"),
        "{text}"
    );
    assert_eq!(writes(&mock), 0);
}

#[tokio::test]
async fn a_misspelt_role_an_unknown_permission_group_and_a_member_listed_twice_are_told_at_once() {
    let mock = MockServer::start().await;
    let client = client(&mock);
    let wanted = file(serde_json::json!({
        "account": ACCOUNT,
        "members": [
            {"email": BOB_EMAIL, "roles": ["DNS"]},
            {"email": ALICE_EMAIL, "roles": ["Adminstrator"]},
            {"email": ERIN_EMAIL, "policies": [{"allow": ["Teleport Write"], "on": ["account"]}]},
            {"email": "Bob.DNS@example.com", "roles": ["Billing"]}
        ]
    }));
    mock.clear_requests();
    let err = client
        .access_changes(mock.account_id(), &wanted, false)
        .await
        .unwrap_err();
    let problems = err.problems();
    let places: Vec<&str> = problems.iter().map(|p| p.place.as_str()).collect();
    let text = err.to_string();
    // Both entries of Bob (neither used), the role, the permission group.
    assert_eq!(
        places,
        [
            "members[0]",
            "members[3]",
            "members[1].roles[0]",
            "members[2].policies[0].allow[0]"
        ],
        "{text}"
    );
    assert!(
        text.contains("listed 2 times (members[0], members[3])"),
        "{text}"
    );
    assert!(text.contains("no role \"Adminstrator\""), "{text}");
    assert!(text.contains("\"Teleport Write\""), "{text}");
    assert_eq!(writes(&mock), 0);
}

#[tokio::test]
async fn export_then_plan_shows_no_change_in_any_order() {
    let mock = MockServer::start().await;
    let client = client(&mock);
    let account = mock.account_id().clone();

    let exported = client.export_access(&account).await.unwrap();
    // Names, not ids, where a name says exactly one thing.
    let bob = exported
        .members
        .iter()
        .find(|m| m.email == BOB_EMAIL)
        .unwrap();
    assert_eq!(bob.roles, vec!["DNS".to_owned()]);
    let erin = exported
        .members
        .iter()
        .find(|m| m.email == ERIN_EMAIL)
        .unwrap();
    assert!(!erin.policies.is_empty());
    assert!(
        erin.policies[0]
            .allow
            .iter()
            .flatten()
            .chain(erin.policies[0].deny.iter().flatten())
            .all(|g| g.len() != 32),
        "{erin:?}"
    );
    assert!(exported
        .groups
        .iter()
        .any(|g| g.name == PLATFORM_ADMINS_NAME));
    // The file is in canonical order and survives a round trip as JSON.
    let text = serde_json::to_string(&exported).unwrap();
    let read: AccessFile = serde_json::from_str(&text).unwrap();
    assert_eq!(read, exported.clone().canonical());

    mock.clear_requests();
    let changes = client.access_changes(&account, &read, false).await.unwrap();
    let plan = client
        .members(&account)
        .plan(&changes.changes)
        .await
        .unwrap();
    let drift: Vec<_> = plan
        .entries
        .iter()
        .filter(|e| e.action != PlanAction::Unchanged)
        .collect();
    assert!(drift.is_empty(), "{drift:#?}");
    assert!(plan.problems.is_empty(), "{:#?}", plan.problems);
    assert!(changes.not_in_file.is_empty());
    // John holds roles and policies (as the seeds' response does): kept as
    // he is, nothing sent for him.
    assert_eq!(changes.held_as_is, vec![JOHN_EMAIL.to_owned()]);

    // Shuffled lists are the same access.
    let mut shuffled = read.clone();
    shuffled.members.reverse();
    for member in &mut shuffled.members {
        member.roles.reverse();
        member.policies.reverse();
    }
    let changes = client
        .access_changes(&account, &shuffled, false)
        .await
        .unwrap();
    let plan = client
        .members(&account)
        .plan(&changes.changes)
        .await
        .unwrap();
    assert!(plan
        .entries
        .iter()
        .all(|e| e.action == PlanAction::Unchanged));
    assert_eq!(writes(&mock), 0);
}

#[tokio::test]
async fn a_zone_permission_group_on_the_whole_account_is_refused() {
    let mock = MockServer::start().await;
    let client = client(&mock);
    let wanted = file(serde_json::json!({
        "account": ACCOUNT,
        "members": [{"email": BOB_EMAIL, "policies": [
            {"allow": ["Domain DNS"], "on": ["account"]}
        ]}]
    }));
    let err = client
        .access_changes(mock.account_id(), &wanted, false)
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(text.contains("policies[0].allow[0]"), "{text}");
    assert!(text.contains("applies to zones"), "{text}");
    // The same group on a zone is fine.
    let on_a_zone = file(serde_json::json!({
        "account": ACCOUNT,
        "members": [{"email": BOB_EMAIL, "policies": [
            {"allow": ["Domain DNS"], "on": ["zone:example.com"]}
        ]}]
    }));
    client
        .access_changes(mock.account_id(), &on_a_zone, false)
        .await
        .unwrap();
    assert_eq!(writes(&mock), 0);
}
