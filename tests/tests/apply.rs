//! Bulk changes through the whole stack against member-mock over loopback
//! HTTP: the plan (no-ops, unknown emails reported and never guessed), a
//! partial failure and its retry file, the rate limiter against the mock's
//! own limiter, and cancellation (by token and by dropping the stream).

mod common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use futures::StreamExt;
use member_client::{
    Access, AttemptInfo, Change, ChangeResult, Client, CreateMember, Credentials, MemberId,
    MemberRef, Outcome, PermissionGroupId, PlanAction, PolicyRequest, ProblemKind, RateLimitConfig,
    ResourceGroupId, RetryFile, RoleId,
};
use member_mock::{Fault, MockServer, RateLimitPolicy};

fn role_ids(mock: &MockServer, member: &str) -> Vec<String> {
    let mut ids: Vec<String> = mock
        .member(mock.account_id(), member)
        .unwrap()
        .roles
        .iter()
        .map(|r| r.id.as_str().to_owned())
        .collect();
    ids.sort();
    ids
}

/// PUTs received per member id.
fn puts_per_member(mock: &MockServer) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for request in mock.requests() {
        if request.method == "PUT" {
            let member = request.path.rsplit('/').next().unwrap().to_owned();
            *counts.entry(member).or_insert(0) += 1;
        }
    }
    counts
}

fn erin_policy() -> PolicyRequest {
    // Erin's seeded policy, groups listed in the other order.
    PolicyRequest::new(
        Access::Allow,
        [
            PermissionGroupId::new("9c88f9c5bce24ce7af9a958ba9c504db").unwrap(),
            PermissionGroupId::new("4755a26eedb94da69e1066d98aa820be").unwrap(),
        ],
        [ResourceGroupId::new("7e8f9a0b1c2d4e3f8a9b0c1d2e3f4a5b").unwrap()],
    )
    .unwrap()
}

#[tokio::test]
async fn the_plan_resolves_compares_as_sets_and_reports_problems() {
    let mock = MockServer::start().await;
    let extra = mock.add_members(1);
    let extra_email = mock
        .member(mock.account_id(), extra[0].as_str())
        .unwrap()
        .email()
        .unwrap()
        .to_owned();
    let members = client(&mock).members(mock.account_id());
    let before = mock.member_count(mock.account_id());
    let desired = vec![
        // 0: by email, any case: an update.
        Change::set_roles(
            MemberRef::email("BOB.DNS@Example.com"),
            [role(READ_ONLY_ROLE)],
        ),
        // 1: already so, roles listed in another order: unchanged.
        Change::set_roles(id(CAROL), [role(READ_ONLY_ROLE), role(BILLING_ROLE)]),
        // 2: same roles but the member also has a policy, which a PUT of
        //    roles drops: an update, not a no-op.
        Change::set_roles(id(JOHN), [role(ADMIN_ROLE)]),
        // 3: nobody has this email: a problem, nobody is added.
        Change::set_roles(MemberRef::email("nobody@example.com"), [role(DNS_ROLE)]),
        // 4: unknown id.
        Change::set_roles(id("ffffffffffffffffffffffffffffffff"), [role(DNS_ROLE)]),
        // 5: an explicit add of a new email.
        Change::add(CreateMember::with_roles("new.hire@example.com", [role(DNS_ROLE)]).unwrap()),
        // 6: an add of an existing member with the same access: unchanged.
        Change::add(
            CreateMember::with_roles("Alice.Admin@example.com", [role(SUPER_ADMIN_ROLE)]).unwrap(),
        ),
        // 7: an add of an existing member with other access: a problem.
        Change::add(CreateMember::with_roles(extra_email, [role(DNS_ROLE)]).unwrap()),
        // 8: removal by email.
        Change::remove(MemberRef::email("dave.invited@example.com")),
        // 9: carol again (1 is about her too): both refused, neither
        //    applied.
        Change::set_roles(
            MemberRef::email("Carol.Billing@example.com"),
            [role(DNS_ROLE)],
        ),
        // 10: policies compared as sets: unchanged.
        Change::set_policies(
            MemberRef::email("erin.policies@example.com"),
            [erin_policy()],
        ),
        // 11: invalid (no role).
        Change::set_roles(id(ERIN), []),
    ];
    let plan = members.plan(&desired).await.unwrap();

    let actions: Vec<(usize, PlanAction)> =
        plan.entries.iter().map(|e| (e.input, e.action)).collect();
    assert_eq!(
        actions,
        [
            (0, PlanAction::Update),
            (2, PlanAction::Update),
            (5, PlanAction::Add),
            (6, PlanAction::Unchanged),
            (8, PlanAction::Remove),
            (10, PlanAction::Unchanged),
        ]
    );
    let problems: Vec<(usize, ProblemKind)> =
        plan.problems.iter().map(|p| (p.input, p.kind)).collect();
    assert_eq!(
        problems,
        [
            (1, ProblemKind::Duplicate),
            (3, ProblemKind::UnknownEmail),
            (4, ProblemKind::UnknownMember),
            (7, ProblemKind::AlreadyMember),
            (9, ProblemKind::Duplicate),
            (11, ProblemKind::Invalid),
        ]
    );
    assert!(
        plan.problems[1].message.contains("nobody is added"),
        "{}",
        plan.problems[1].message
    );
    assert!(
        plan.problems[0].message.contains("change #10 of the input")
            && plan.problems[0].message.contains("neither is applied"),
        "{}",
        plan.problems[0].message
    );

    // Bob: resolved to his id, from DNS to Read Only.
    let bob = &plan.entries[0];
    assert_eq!(bob.member_id.as_ref().map(MemberId::as_str), Some(BOB));
    assert_eq!(bob.email.as_deref(), Some("bob.dns@example.com"));
    let from: Vec<&str> = bob
        .from
        .as_ref()
        .unwrap()
        .roles
        .iter()
        .map(RoleId::as_str)
        .collect();
    let to: Vec<&str> = bob
        .to
        .as_ref()
        .unwrap()
        .roles
        .iter()
        .map(RoleId::as_str)
        .collect();
    assert_eq!((from, to), (vec![DNS_ROLE], vec![READ_ONLY_ROLE]));
    assert_eq!(
        bob.change,
        Change::set_roles(id(BOB), [role(READ_ONLY_ROLE)])
    );
    // John: the policy is in `from`, not in `to`.
    assert_eq!(plan.entries[1].from.as_ref().unwrap().policies.len(), 1);
    assert!(plan.entries[1].to.as_ref().unwrap().policies.is_empty());
    // Dave's removal names him by id.
    assert_eq!(plan.entries[4].change, Change::remove(id(DAVE)));

    // The changes to send leave the unchanged ones out.
    let changes = plan.changes();
    assert_eq!(changes.len(), 4);
    // Planning read the list and changed nothing.
    assert!(mock.requests().iter().all(|r| r.method == "GET"));
    assert_eq!(mock.member_count(mock.account_id()), before);

    // The plan is plain JSON (for --dry-run).
    let json = serde_json::to_value(&plan).unwrap();
    assert_eq!(json["entries"][0]["action"], "update");
    assert_eq!(json["problems"][0]["kind"], "duplicate");
    let back: member_client::Plan = serde_json::from_value(json).unwrap();
    assert_eq!(back, plan);

    // Applying the plan: the four changes, nothing for the rest.
    let outcomes: Vec<Outcome> = members.apply(changes).collect().await;
    assert_eq!(outcomes.len(), 4);
    assert!(outcomes.iter().all(Outcome::is_applied), "{outcomes:?}");
    assert_eq!(role_ids(&mock, BOB), [READ_ONLY_ROLE]);
    assert!(mock.member(mock.account_id(), DAVE).is_none());
    assert_eq!(mock.member_count(mock.account_id()), before);
    let puts = puts_per_member(&mock);
    assert_eq!(puts.get(BOB), Some(&1));
    assert_eq!(puts.get(JOHN), Some(&1));
    assert_eq!(puts.get(CAROL), None);
    assert_eq!(puts.get(ERIN), None);
}

#[tokio::test]
async fn a_change_by_email_is_not_sent_without_a_plan() {
    let mock = MockServer::start().await;
    let members = client(&mock).members(mock.account_id());
    let outcomes: Vec<Outcome> = members
        .apply([Change::set_roles(
            MemberRef::email("bob.dns@example.com"),
            [role(READ_ONLY_ROLE)],
        )])
        .collect()
        .await;
    let error = outcomes[0].error().expect("refused");
    assert!(!error.may_have_been_applied);
    assert!(error.message.contains("Members::plan"), "{}", error.message);
    assert!(mock.requests().is_empty());
}

#[tokio::test]
async fn a_partial_failure_leaves_a_retry_file_that_reapplies_only_what_is_missing() {
    let mock = MockServer::start().await;
    let ids = mock.add_members(8);
    let members = Client::builder()
        .base_url(&mock.base_url())
        .credentials(Credentials::token(mock.token()))
        .max_retries(0)
        .build()
        .unwrap()
        .members(mock.account_id());
    let put = |i: usize| Fault::on("PUT", &format!("/accounts/*/members/{}", ids[i]));
    // Refused: certainly not applied.
    mock.inject(put(2).cloudflare_error(400, 1001, "invalid role assignment"));
    // An edge 502 (retries off): not applied, but the client cannot know.
    mock.inject(
        put(5)
            .status(502)
            .html("<center><h1>502 Bad Gateway</h1></center>"),
    );
    // Applied by the server, but the answer is cut short.
    mock.inject(put(6).truncate());

    let wanted: Vec<Change> = ids
        .iter()
        .map(|m| Change::set_roles(MemberRef::email(email_of(&mock, m)), [role(DNS_ROLE)]))
        .collect();
    let plan = members.plan(&wanted).await.unwrap();
    assert_eq!(plan.changes().len(), 8);
    let outcomes: Vec<Outcome> = members.apply(plan.changes()).collect().await;
    assert_eq!(outcomes.len(), 8);
    let failed: Vec<usize> = {
        let mut v: Vec<usize> = outcomes
            .iter()
            .filter(|o| !o.is_applied())
            .map(|o| o.index)
            .collect();
        v.sort();
        v
    };
    assert_eq!(failed, [2, 5, 6]);
    let by_index: HashMap<usize, &Outcome> = outcomes.iter().map(|o| (o.index, o)).collect();
    let err2 = by_index[&2].error().unwrap();
    assert_eq!(
        (err2.status, err2.may_have_been_applied),
        (Some(400), false)
    );
    assert_eq!(err2.codes, [1001]);
    let err5 = by_index[&5].error().unwrap();
    assert_eq!((err5.status, err5.may_have_been_applied), (Some(502), true));
    assert!(by_index[&6].may_have_been_applied());
    assert_eq!(
        role_ids(&mock, ids[6].as_str()),
        [DNS_ROLE],
        "the truncated PUT did land"
    );
    assert_ne!(role_ids(&mock, ids[2].as_str()), [DNS_ROLE]);

    // The retry file: written as JSON, read back.
    let retry = RetryFile::from_outcomes(&outcomes);
    assert_eq!(retry.len(), 3);
    let json = serde_json::to_string_pretty(&retry).unwrap();
    let retry: RetryFile = serde_json::from_str(&json).unwrap();
    let unsure: Vec<bool> = retry
        .changes
        .iter()
        .map(|e| e.may_have_been_applied)
        .collect();
    assert_eq!(unsure, [false, true, true]);
    assert_eq!(
        retry.changes[0].change,
        Change::set_roles(ids[2].clone(), [role(DNS_ROLE)])
    );

    // Fed back through the plan: what landed is unchanged, the rest is
    // applied, and nothing else is touched.
    let plan = members.plan(&retry.changes()).await.unwrap();
    let actions: Vec<PlanAction> = plan.entries.iter().map(|e| e.action).collect();
    assert_eq!(
        actions,
        [
            PlanAction::Update,
            PlanAction::Update,
            PlanAction::Unchanged
        ]
    );
    let outcomes: Vec<Outcome> = members.apply(plan.changes()).collect().await;
    assert_eq!(outcomes.len(), 2);
    assert!(outcomes.iter().all(Outcome::is_applied), "{outcomes:?}");
    for m in &ids {
        assert_eq!(role_ids(&mock, m.as_str()), [DNS_ROLE]);
    }
    let puts = puts_per_member(&mock);
    for (i, m) in ids.iter().enumerate() {
        let expected = if i == 2 || i == 5 { 2 } else { 1 };
        assert_eq!(puts.get(m.as_str()), Some(&expected), "member {i}");
    }
}

fn email_of(mock: &MockServer, member: &MemberId) -> String {
    mock.member(mock.account_id(), member.as_str())
        .unwrap()
        .email()
        .unwrap()
        .to_uppercase()
}

#[tokio::test(start_paused = true)]
async fn the_limiter_keeps_within_the_mock_limit_without_a_429() {
    // The mock refuses past 10 requests per 2 s, counted in fixed windows
    // and in a sliding one; the client is set to the same budget and 25
    // PUTs need three windows.
    for policy in [
        RateLimitPolicy::new(10, Duration::from_secs(2)),
        RateLimitPolicy::sliding(10, Duration::from_secs(2)),
    ] {
        let mock = MockServer::builder()
            .rate_limit(policy)
            .start()
            .await
            .unwrap();
        let ids = mock.add_members(25);
        let statuses = Arc::new(Mutex::new(Vec::<Option<u16>>::new()));
        let sink = statuses.clone();
        let client = Client::builder()
            .base_url(&mock.base_url())
            .credentials(Credentials::token(mock.token()))
            .rate_limit(RateLimitConfig::new(10, Duration::from_secs(2)))
            .on_attempt(move |info: &AttemptInfo| sink.lock().unwrap().push(info.status))
            .build()
            .unwrap();
        let members = client.members(mock.account_id());
        let started = tokio::time::Instant::now();
        let outcomes: Vec<Outcome> = members
            .apply(
                ids.iter()
                    .map(|m| Change::set_roles(m.clone(), [role(DNS_ROLE)])),
            )
            .collect()
            .await;
        let elapsed = started.elapsed();
        assert!(outcomes.iter().all(Outcome::is_applied), "{outcomes:?}");
        let statuses = statuses.lock().unwrap();
        assert_eq!(statuses.len(), 25, "one attempt per change: {statuses:?}");
        assert!(statuses.iter().all(|s| *s == Some(200)), "{statuses:?}");
        // Three windows: two waits of exactly one window each (the mock
        // answers at once on the paused clock, so each slot is back one
        // window after it was used), nothing more.
        assert_eq!(elapsed, Duration::from_secs(4), "{policy:?}");
    }
}

#[tokio::test]
async fn cancelling_finishes_what_was_sent_and_starts_nothing_else() {
    let mock = MockServer::start().await;
    let ids = mock.add_members(12);
    // 5 requests at once, then one per 12 s: the rest wait for permits.
    let members = Client::builder()
        .base_url(&mock.base_url())
        .credentials(Credentials::token(mock.token()))
        .rate_limit(RateLimitConfig::new(5, Duration::from_secs(60)))
        .build()
        .unwrap()
        .members(mock.account_id());
    let changes: Vec<Change> = ids
        .iter()
        .map(|m| Change::set_roles(m.clone(), [role(DNS_ROLE)]))
        .collect();
    let mut run = members.apply(changes.clone()).concurrency(4);
    assert_eq!(run.len(), 12);
    let mut outcomes = Vec::new();
    while let Some(outcome) = run.next().await {
        outcomes.push(outcome);
        if outcomes.len() == 5 {
            run.cancel();
        }
    }
    assert_eq!(outcomes.len(), 12, "one outcome per change");
    let applied = outcomes.iter().filter(|o| o.is_applied()).count();
    let not_started: Vec<&Outcome> = outcomes
        .iter()
        .filter(|o| o.result == ChangeResult::NotStarted)
        .collect();
    assert_eq!(applied, 5);
    assert_eq!(not_started.len(), 7);
    assert!(not_started.iter().all(|o| !o.may_have_been_applied()));
    // Exactly what was applied reached the server.
    assert_eq!(puts_per_member(&mock).values().sum::<usize>(), 5);

    // The retry file holds the changes never started; fed back (through a
    // client without the limiter, to skip its wait) they are applied, and
    // each member was touched once in all.
    let retry = RetryFile::from_outcomes(&outcomes);
    assert_eq!(retry.len(), 7);
    let fresh = client(&mock).members(mock.account_id());
    let plan = fresh.plan(&retry.changes()).await.unwrap();
    assert_eq!(plan.changes().len(), 7);
    let again: Vec<Outcome> = fresh.apply(plan.changes()).collect().await;
    assert!(again.iter().all(Outcome::is_applied));
    let puts = puts_per_member(&mock);
    for m in &ids {
        assert_eq!(puts.get(m.as_str()), Some(&1), "{m}");
        assert_eq!(role_ids(&mock, m.as_str()), [DNS_ROLE]);
    }
}

#[tokio::test(start_paused = true)]
async fn dropping_the_stream_stops_new_requests() {
    let mock = MockServer::start().await;
    let ids = mock.add_members(20);
    // Every PUT takes 200 ms, so a few are always in flight.
    mock.inject(
        Fault::on("PUT", "/accounts/*/members/*")
            .always()
            .delay(Duration::from_millis(200)),
    );
    let members = client(&mock).members(mock.account_id());
    let mut run = members
        .apply(
            ids.iter()
                .map(|m| Change::set_roles(m.clone(), [role(DNS_ROLE)])),
        )
        .concurrency(4);
    let mut seen = 0;
    while let Some(outcome) = run.next().await {
        assert!(outcome.is_applied());
        seen += 1;
        if seen == 5 {
            break;
        }
    }
    drop(run);
    // Requests written just before the drop arrive within moments (the mock
    // logs a request on arrival, before the fault's delay); the clock is
    // paused, so these waits pass in virtual time.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let settled = puts_per_member(&mock).values().sum::<usize>();
    tokio::time::sleep(Duration::from_millis(600)).await;
    let puts = puts_per_member(&mock);
    let total: usize = puts.values().sum();
    // The 5 reported plus at most the 4 that were in flight; none after.
    assert!(total <= 5 + 4, "{total}");
    assert_eq!(total, settled, "no request started after the drop");
    assert!(
        puts.values().all(|n| *n == 1),
        "nothing applied twice: {puts:?}"
    );
}

#[test]
fn changes_round_trip_as_json() {
    let changes = vec![
        Change::set_roles(MemberRef::email("a@example.com"), [role(DNS_ROLE)]),
        Change::set_policies(id(ERIN), [erin_policy()]),
        Change::add(CreateMember::with_roles("b@example.com", [role(DNS_ROLE)]).unwrap()),
        Change::remove(id(BOB)),
    ];
    let json = serde_json::to_value(&changes).unwrap();
    assert_eq!(
        json[2],
        serde_json::json!({"op": "add", "email": "b@example.com", "roles": [DNS_ROLE]})
    );
    assert_eq!(json[3], serde_json::json!({"op": "remove", "id": BOB}));
    let back: Vec<Change> = serde_json::from_value(json).unwrap();
    assert_eq!(back, changes);
    // A bad id in a file is refused when read, before anything is sent.
    let bad = serde_json::from_str::<Change>(r#"{"op": "remove", "id": "../roles"}"#);
    assert!(bad.is_err());
}
