//! The lockout guard against member-mock: no command removes, demotes or
//! takes out of a group the account's last active Super Administrator,
//! nor takes the grant from the group that gives it or deletes that group
//! (or narrows or deletes the resource group the grant covers),
//! whether they hold it by role or through a user group; a dry run is
//! refused alike, and nothing is written. Handing it over first works.

mod common;

use common::*;
use member_mock::MockServer;

/// The requests that were not reads.
fn writes(mock: &MockServer) -> Vec<String> {
    mock.requests()
        .into_iter()
        .filter(|r| r.method != "GET")
        .map(|r| format!("{} {}", r.method, r.path))
        .collect()
}

fn scratch(name: &str) -> std::path::PathBuf {
    let dir =
        std::env::temp_dir().join(format!("cf-members-lockout-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

const REFUSED: &str = "cf-members: error: refused: this would leave the account without an \
                       active Super Administrator (today: ";

/// Expects a refusal naming `today`, exit 2, and no write.
fn refused(mock: &MockServer, args: &[&str], today: &str) {
    mock.clear_requests();
    let run = run(cli(mock).args(args));
    run.expect_code(2).stderr_has(&[
        &format!("{REFUSED}{today})"),
        "nothing was sent",
        "hint: `cf-members members update EMAIL --add-role \"Super Administrator - All Privileges\"`",
    ]);
    // A plan may be shown (`groups members set` does), never a request.
    assert!(
        !run.stdout.contains("auth:") && !run.stdout.contains("removed member"),
        "{args:?} printed: {}",
        run.stdout
    );
    assert!(
        writes(mock).is_empty(),
        "{args:?} wrote: {:?}",
        writes(mock)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_last_super_administrator_by_role_is_never_removed_or_demoted() {
    let mock = mock().await;
    let dir = scratch("role");
    // Carol holds it through "Platform admins"; Alice by role. Taking
    // Carol out is fine, since Alice remains.
    run(cli(&mock).args([
        "groups",
        "members",
        PLATFORM_ADMINS_NAME,
        "remove",
        CAROL_EMAIL,
    ]))
    .expect_code(0);

    for args in [
        &["members", "remove", ALICE_EMAIL, "--dry-run"][..],
        &["members", "remove", ALICE_EMAIL],
        &["members", "remove", ALICE],
        &["members", "update", ALICE_EMAIL, "--role", "Billing"],
        &[
            "members",
            "update",
            ALICE_EMAIL,
            "--allow",
            "Zone Read@account",
            "--dry-run",
        ],
    ] {
        refused(&mock, args, ALICE_EMAIL);
    }
    let file = dir.join("changes.json");
    std::fs::write(
        &file,
        format!(
            r#"[{{"op": "remove", "email": "{ALICE_EMAIL}"}},
                {{"op": "set_roles", "email": "{BOB_EMAIL}", "roles": ["{READ_ONLY_ROLE}"]}}]"#
        ),
    )
    .unwrap();
    let file = file.to_str().unwrap();
    refused(&mock, &["apply", file, "--yes"], ALICE_EMAIL);
    refused(&mock, &["apply", file, "--dry-run"], ALICE_EMAIL);
    assert!(mock.member(mock.account_id(), ALICE).is_some());

    // Keeping the role while adding another is a change that may go.
    run(cli(&mock).args([
        "members",
        "update",
        ALICE_EMAIL,
        "--role",
        "Billing",
        "--role",
        "Super Administrator - All Privileges",
    ]))
    .expect_code(0);
    // Taking just that role away is refused too.
    refused(
        &mock,
        &[
            "members",
            "update",
            ALICE_EMAIL,
            "--remove-role",
            "super administrator - all privileges",
        ],
        ALICE_EMAIL,
    );
    // And by a changes file's remove_roles, which keeps her other role.
    let edit = dir.join("edit.csv");
    std::fs::write(
        &edit,
        format!(
            "email,op,roles\n{ALICE_EMAIL},remove_roles,Super Administrator - All Privileges\n"
        ),
    )
    .unwrap();
    let edit = edit.to_str().unwrap();
    refused(&mock, &["apply", edit, "--yes"], ALICE_EMAIL);
    refused(&mock, &["apply", edit, "--dry-run"], ALICE_EMAIL);
    // Hand it over, then Alice may go.
    run(cli(&mock).args([
        "members",
        "update",
        BOB_EMAIL,
        "--role",
        "Super Administrator - All Privileges",
    ]))
    .expect_code(0);
    run(cli(&mock).args(["members", "remove", ALICE_EMAIL])).expect_code(0);
    assert!(mock.member(mock.account_id(), ALICE).is_none());
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_super_administrator_through_a_user_group_counts_and_is_guarded() {
    let mock = mock().await;
    let dir = scratch("group");
    // Alice may lose the role: Carol holds it through "Platform admins".
    run(cli(&mock).args(["members", "update", ALICE_EMAIL, "--role", "Billing"])).expect_code(0);

    refused(
        &mock,
        &[
            "groups",
            "members",
            PLATFORM_ADMINS_NAME,
            "remove",
            CAROL_EMAIL,
        ],
        CAROL_EMAIL,
    );
    refused(&mock, &["members", "remove", CAROL_EMAIL], CAROL_EMAIL);
    // offboard counts the group too: Carol's membership stays.
    mock.clear_requests();
    let offboard = run(cli(&mock).args(["offboard", CAROL_EMAIL, "--yes"]));
    offboard
        .expect_code(1)
        .stdout_has(&[&format!("refused       Example Corp ({ACCOUNT})")])
        .stderr_has(&["refused in 1 account (the last Super Administrator"]);
    assert!(writes(&mock).is_empty(), "{:?}", writes(&mock));
    // An invitation cannot administer anything: Dave does not count.
    refused(
        &mock,
        &[
            "groups",
            "members",
            PLATFORM_ADMINS_NAME,
            "set",
            DAVE_EMAIL,
            "--yes",
        ],
        CAROL_EMAIL,
    );
    // Nor may the group lose its grant, or be deleted.
    refused(
        &mock,
        &[
            "groups",
            "update",
            PLATFORM_ADMINS_NAME,
            "--allow",
            "Billing@account",
        ],
        CAROL_EMAIL,
    );
    refused(
        &mock,
        &["groups", "delete", PLATFORM_ADMINS_NAME, "--yes"],
        CAROL_EMAIL,
    );
    refused(
        &mock,
        &["groups", "delete", PLATFORM_ADMINS_NAME, "--dry-run"],
        CAROL_EMAIL,
    );
    // Nor may the resource group of that grant stop covering the account.
    refused(
        &mock,
        &[
            "resource-groups",
            "update",
            ACCOUNT_RESOURCE_GROUP,
            "--scope",
            "zone:example.com",
            "--dry-run",
        ],
        CAROL_EMAIL,
    );
    refused(
        &mock,
        &["resource-groups", "delete", ACCOUNT_RESOURCE_GROUP, "--yes"],
        CAROL_EMAIL,
    );
    // Still the whole account: fine.
    run(cli(&mock).args([
        "resource-groups",
        "update",
        ACCOUNT_RESOURCE_GROUP,
        "--scope",
        "account",
        "--dry-run",
    ]))
    .expect_code(0);
    // New policies that keep the grant may go.
    run(cli(&mock).args([
        "groups",
        "update",
        PLATFORM_ADMINS_NAME,
        "--allow",
        "Super Administrator - All Privileges,Billing@account",
    ]))
    .expect_code(0);
    // Renaming it changes nobody's access.
    run(cli(&mock).args([
        "groups",
        "update",
        PLATFORM_ADMINS_NAME,
        "--name",
        "Platform owners",
    ]))
    .expect_code(0);
    run(cli(&mock).args([
        "groups",
        "update",
        "Platform owners",
        "--name",
        PLATFORM_ADMINS_NAME,
    ]))
    .expect_code(0);
    let file = dir.join("changes.json");
    std::fs::write(
        &file,
        format!(
            r#"[{{"op": "remove_from_group", "email": "{CAROL_EMAIL}", "group": "{PLATFORM_ADMINS_NAME}"}}]"#
        ),
    )
    .unwrap();
    refused(
        &mock,
        &["apply", file.to_str().unwrap(), "--yes"],
        CAROL_EMAIL,
    );

    // Handing the group to Erin (accepted) in the same PUT is fine.
    mock.clear_requests();
    run(cli(&mock).args([
        "groups",
        "members",
        PLATFORM_ADMINS_NAME,
        "set",
        ERIN_EMAIL,
        "--yes",
    ]))
    .expect_code(0);
    assert_eq!(
        writes(&mock),
        [format!(
            "PUT /client/v4/accounts/{ACCOUNT}/iam/user_groups/{PLATFORM_ADMINS_GROUP}/members"
        )]
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_guard_reads_no_group_member_while_another_member_holds_the_role() {
    let mock = mock().await;
    mock.clear_requests();
    run(cli(&mock).args(["members", "remove", BOB_EMAIL])).expect_code(0);
    let paths: Vec<String> = mock
        .requests()
        .into_iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    // One read of the members (the email, and the guard: Alice holds the
    // role), one of the user groups (none denies, which could cancel her
    // role), then the DELETE.
    assert_eq!(
        paths,
        [
            format!("GET /client/v4/accounts/{ACCOUNT}/members"),
            format!("GET /client/v4/accounts/{ACCOUNT}/iam/user_groups"),
            format!("DELETE /client/v4/accounts/{ACCOUNT}/members/{BOB}"),
        ]
    );
}

/// A user group that denies the Super Administrator permission group
/// cancels the role of its members (deny wins): a role holder in such a
/// group does not keep the account managed, in any command.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_group_deny_cancels_the_role_of_its_members() {
    let mock = mock().await;
    let dir = scratch("group-deny-role");
    // Bob holds the role; Carol is one through Platform admins.
    run(cli(&mock).args([
        "members",
        "update",
        BOB_EMAIL,
        "--role",
        "Super Administrator - All Privileges",
    ]))
    .expect_code(0);
    run(cli(&mock).args([
        "groups",
        "create",
        "--name",
        "Deny SA",
        "--deny",
        "Super Administrator - All Privileges@account",
    ]))
    .expect_code(0);
    run(cli(&mock).args([
        "groups",
        "members",
        "Deny SA",
        "add",
        BOB_EMAIL,
        CAROL_EMAIL,
    ]))
    .expect_code(0);
    // Only Alice is one now.
    refused(
        &mock,
        &["members", "remove", ALICE_EMAIL, "--dry-run"],
        ALICE_EMAIL,
    );
    refused(
        &mock,
        &["members", "update", ALICE_EMAIL, "--role", "Billing"],
        ALICE_EMAIL,
    );
    let file = dir.join("remove.csv");
    std::fs::write(&file, format!("email,op\n{ALICE_EMAIL},remove\n")).unwrap();
    refused(
        &mock,
        &["apply", file.to_str().unwrap(), "--yes"],
        ALICE_EMAIL,
    );
    mock.clear_requests();
    let offboard = run(cli(&mock).args(["offboard", ALICE_EMAIL, "--accounts", ACCOUNT, "--yes"]));
    assert_ne!(offboard.code, 0, "{}", offboard.stdout);
    assert!(writes(&mock).is_empty(), "{:?}", writes(&mock));
    assert!(mock.member(mock.account_id(), ALICE).is_some());
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_the_guard_needs_that_fails_sends_nothing() {
    let mock = mock().await;
    // Alice is the only one with the role, so the guard must read the user
    // groups (Carol may hold it through one): that read is refused.
    mock.inject(
        member_mock::Fault::on("GET", "/accounts/*/iam/user_groups").cloudflare_error(
            403,
            10000,
            "Authentication error",
        ),
    );
    mock.clear_requests();
    let run = run(cli(&mock).args(["members", "remove", ALICE_EMAIL, "--max-retries", "0"]));
    run.expect_code(1).stderr_has(&[
        "cannot check that the account keeps an active Super Administrator",
        "nothing was sent",
        "hint: ",
    ]);
    assert!(writes(&mock).is_empty(), "{:?}", writes(&mock));
    assert!(mock.member(mock.account_id(), ALICE).is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_handover_that_fails_holds_back_the_demotion_it_was_for() {
    let mock = mock().await;
    let dir = scratch("handover");
    // Alice is then the only Super Administrator.
    run(cli(&mock).args([
        "groups",
        "members",
        PLATFORM_ADMINS_NAME,
        "remove",
        CAROL_EMAIL,
    ]))
    .expect_code(0);
    // The demotion first in the file, the handover second: the order of
    // the file does not decide what runs first.
    let file = dir.join("handover.json");
    std::fs::write(
        &file,
        format!(
            r#"[{{"op": "set_roles", "email": "{ALICE_EMAIL}", "roles": ["DNS"]}},
                {{"op": "set_roles", "email": "{BOB_EMAIL}", "roles": ["Super Administrator - All Privileges"]}}]"#
        ),
    )
    .unwrap();
    let file = file.to_str().unwrap();
    for fault in [
        member_mock::Fault::on("PUT", &format!("/accounts/*/members/{BOB}"))
            .html("<h1>503</h1>")
            .status(503)
            .always(),
        member_mock::Fault::on("PUT", &format!("/accounts/*/members/{BOB}"))
            .cloudflare_error(400, 1001, "invalid role assignment")
            .always(),
    ] {
        mock.clear_faults();
        mock.inject(fault);
        mock.clear_requests();
        let ran = run(cli(&mock).args([
            "apply",
            file,
            "--yes",
            "--concurrency",
            "4",
            "--max-retries",
            "0",
        ]));
        ran.expect_code(1)
            .stdout_has(&["0 applied, 1 failed, 1 not started"])
            .stderr_has(&[
                "held back: 1 change that takes Super Administrator access away (run after the \
                 others) was not started: this would leave the account without an active Super \
                 Administrator (today: alice.admin@example.com)",
            ]);
        assert_eq!(
            writes(&mock),
            [format!(
                "PUT /client/v4/accounts/{}/members/{BOB}",
                mock.account_id()
            )],
            "only the handover was tried"
        );
        assert_eq!(
            role_ids(&mock, ALICE),
            [SUPER_ADMIN_ROLE],
            "Alice keeps the role"
        );
    }
    // With the handover working, both run: the handover first.
    mock.clear_faults();
    mock.clear_requests();
    run(cli(&mock).args(["apply", file, "--yes"])).expect_code(0);
    assert_eq!(
        writes(&mock),
        [
            format!(
                "PUT /client/v4/accounts/{}/members/{BOB}",
                mock.account_id()
            ),
            format!(
                "PUT /client/v4/accounts/{}/members/{ALICE}",
                mock.account_id()
            ),
        ]
    );
    assert_eq!(role_ids(&mock, BOB), [SUPER_ADMIN_ROLE]);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deny_cancels_a_super_administrator_allow() {
    let mock = mock().await;
    run(cli(&mock).args([
        "groups",
        "members",
        PLATFORM_ADMINS_NAME,
        "remove",
        CAROL_EMAIL,
    ]))
    .expect_code(0);
    // Bob allowed and denied the Super Administrator group: not one.
    run(cli(&mock).args([
        "members",
        "update",
        BOB_EMAIL,
        "--allow",
        "Super Administrator - All Privileges@account",
        "--deny",
        "Super Administrator - All Privileges@account",
    ]))
    .expect_code(0);
    refused(
        &mock,
        &["members", "remove", ALICE_EMAIL, "--dry-run"],
        ALICE_EMAIL,
    );
    // Allowed only, he is one, and Alice may go.
    run(cli(&mock).args([
        "members",
        "update",
        BOB_EMAIL,
        "--allow",
        "Super Administrator - All Privileges@account",
    ]))
    .expect_code(0);
    run(cli(&mock).args(["members", "remove", ALICE_EMAIL, "--dry-run"])).expect_code(0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn joining_a_group_that_denies_it_is_guarded() {
    let mock = mock().await;
    let dir = scratch("deny-group");
    run(cli(&mock).args([
        "groups",
        "create",
        "--name",
        "Deny SA",
        "--deny",
        "Super Administrator - All Privileges@account",
    ]))
    .expect_code(0);
    // Alice by role and Carol through Platform admins: putting both into
    // the denying group would leave nobody.
    let file = dir.join("deny.json");
    std::fs::write(
        &file,
        format!(
            r#"[{{"op": "add_to_group", "email": "{ALICE_EMAIL}", "group": "deny sa"}},
                {{"op": "add_to_group", "email": "{CAROL_EMAIL}", "group": "deny sa"}}]"#
        ),
    )
    .unwrap();
    let file = file.to_str().unwrap();
    mock.clear_requests();
    let ran = run(cli(&mock).args(["apply", file, "--yes"]));
    ran.expect_code(2)
        .stderr_has(&[REFUSED, "nothing was sent"]);
    assert!(writes(&mock).is_empty(), "{:?}", writes(&mock));
    // One of them alone may go; then the other is the last one.
    run(cli(&mock).args(["groups", "members", "Deny SA", "add", CAROL_EMAIL])).expect_code(0);
    refused(
        &mock,
        &["groups", "members", "Deny SA", "add", ALICE_EMAIL],
        ALICE_EMAIL,
    );
    refused(
        &mock,
        &[
            "groups",
            "members",
            "Deny SA",
            "add",
            ALICE_EMAIL,
            "--dry-run",
        ],
        ALICE_EMAIL,
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// `offboard` counts Super Administrators as the guard does: Carol holds
/// it through Platform admins, so Alice, the only one by role, may go; once
/// Carol is out of the group, Alice is the last one and stays.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offboard_counts_a_super_administrator_through_a_group() {
    let mock = mock().await;
    let plan = run(cli(&mock).args(["offboard", ALICE_EMAIL, "--accounts", ACCOUNT, "--dry-run"]));
    plan.expect_code(0);
    assert!(plan.stdout.contains("0 refused"), "{}", plan.stdout);
    run(cli(&mock).args([
        "groups",
        "members",
        PLATFORM_ADMINS_NAME,
        "remove",
        CAROL_EMAIL,
    ]))
    .expect_code(0);
    mock.clear_requests();
    let last = run(cli(&mock).args(["offboard", ALICE_EMAIL, "--accounts", ACCOUNT, "--yes"]));
    last.expect_code(1);
    assert!(
        last.stdout
            .contains("refused: the account's last Super Administrator"),
        "{}",
        last.stdout
    );
    assert!(writes(&mock).is_empty(), "{:?}", writes(&mock));
}
