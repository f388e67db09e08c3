//! Names instead of ids: every command and the changes file take emails,
//! role names, permission-group names and scopes; unknown and ambiguous
//! names exit 2 with suggestions or candidates and write nothing; each kind
//! is read once per run.

mod common;

use common::*;
use member_mock::MockServer;
use serde_json::{json, Value};

/// The requests that were not reads.
fn writes(mock: &MockServer) -> Vec<String> {
    mock.requests()
        .into_iter()
        .filter(|r| r.method != "GET")
        .map(|r| format!("{} {}", r.method, r.path))
        .collect()
}

/// How many reads went to paths ending in `tail`.
fn reads_of(mock: &MockServer, tail: &str) -> usize {
    mock.requests()
        .iter()
        .filter(|r| r.method == "GET" && r.path.ends_with(tail))
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn update_by_email_with_a_role_name() {
    let mock = mock().await;
    let run = run(cli(&mock).args([
        "members",
        "update",
        "BOB.DNS@example.com",
        "--role",
        "administrator read only",
    ]));
    run.expect_code(0)
        .stdout_has(&[&format!("Administrator Read Only ({READ_ONLY_ROLE})")]);
    let put = mock
        .requests()
        .into_iter()
        .find(|r| r.method == "PUT")
        .unwrap();
    assert!(
        put.path.ends_with(&format!("/members/{BOB}")),
        "{}",
        put.path
    );
    assert_eq!(put.json, Some(json!({"roles": [{"id": READ_ONLY_ROLE}]})));
    assert_eq!(
        (reads_of(&mock, "/members"), reads_of(&mock, "/roles")),
        (1, 1)
    );

    // get and remove take the email too.
    let get = run_get(&mock, BOB_EMAIL);
    assert_eq!(get["id"], BOB);
    let removed = run_cmd(&mock, &["members", "remove", BOB_EMAIL]);
    removed
        .expect_code(0)
        .stdout_has(&[&format!("removed member {BOB}")]);
}

fn run_get(mock: &MockServer, member: &str) -> Value {
    let run = run_cmd(mock, &["members", "get", member, "-o", "json"]);
    run.expect_code(0);
    run.json()
}

fn run_cmd(mock: &MockServer, args: &[&str]) -> Run {
    run(cli(mock).args(args))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn allow_and_deny_flags_resolve_groups_and_scopes() {
    let mock = mock().await;
    let args = [
        "members",
        "update",
        BOB_EMAIL,
        "--allow",
        "DNS Write,zone read@zone:example.com",
        "--deny",
        "Billing Read@account",
    ];
    let dry = run(cli(&mock).args(args).args(["--dry-run", "-o", "json"]));
    dry.expect_code(0);
    let report = dry.json();
    let resolved: Vec<(String, String)> = report["resolved"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["reference"].as_str().unwrap().to_owned(),
                r["id"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    for (reference, id) in [
        (BOB_EMAIL, BOB),
        ("DNS Write", DNS_WRITE_GROUP),
        ("zone read", ZONE_READ_GROUP),
        ("Billing Read", BILLING_READ_GROUP),
        ("example.com", EXAMPLE_COM_ZONE),
    ] {
        assert!(
            resolved.contains(&(reference.to_owned(), id.to_owned())),
            "{reference} -> {id} missing from {resolved:?}"
        );
    }
    let body = &report["body"]["policies"];
    assert_eq!(body[0]["access"], "allow");
    assert_eq!(
        body[0]["permission_groups"],
        json!([{"id": DNS_WRITE_GROUP}, {"id": ZONE_READ_GROUP}])
    );
    assert_eq!(body[1]["access"], "deny");
    assert!(writes(&mock).is_empty(), "{:?}", writes(&mock));

    // The text form says what each name resolved to.
    let text = run(cli(&mock).args(args).arg("--dry-run"));
    text.expect_code(0).stdout_has(&[
        &format!("resolved: permission group \"DNS Write\" = {DNS_WRITE_GROUP}"),
        "resolved: zone \"example.com\"",
        "PUT ",
    ]);

    mock.clear_requests();
    run(cli(&mock).args(args)).expect_code(0);
    assert_eq!(writes(&mock).len(), 1);
    assert_eq!(
        reads_of(&mock, "/iam/permission_groups"),
        1,
        "one catalog read"
    );
    let stored = stored(&mock, BOB).unwrap();
    assert_eq!(stored["policies"].as_array().unwrap().len(), 2);
    // members get shows them by name.
    run(cli(&mock).args(["members", "get", BOB_EMAIL]))
        .expect_code(0)
        .stdout_has(&[
            "allow DNS Write, Zone Read on zone example.com",
            "deny Billing Read on ",
        ]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_and_ambiguous_names_exit_2_and_write_nothing() {
    let mock = mock().await;
    let account = mock.account_id().clone();
    // A second role named "Billing", a second membership of Bob's email.
    let mut twin = mock
        .roles(&account)
        .into_iter()
        .find(|r| r.id == BILLING_ROLE)
        .unwrap();
    twin.id = "0123456789abcdef0123456789abcdef".parse().unwrap();
    mock.insert_role(&account, twin);
    let mut bob2 = mock.member(&account, BOB).unwrap();
    bob2.id = Some("fedcba9876543210fedcba9876543210".parse().unwrap());
    mock.insert_member(&account, bob2);

    let cases: Vec<(Vec<&str>, Vec<String>)> = vec![
        (
            vec!["members", "update", CAROL_EMAIL, "--role", "billing"],
            vec![
                "\"billing\" matches 2 roles".to_owned(),
                BILLING_ROLE.to_owned(),
                "0123456789abcdef0123456789abcdef".to_owned(),
                "give the id of the one you mean".to_owned(),
            ],
        ),
        (
            vec!["members", "update", BOB_EMAIL, "--role", ADMIN_ROLE],
            vec![
                format!("\"{BOB_EMAIL}\" matches 2 members"),
                BOB.to_owned(),
                "fedcba9876543210fedcba9876543210".to_owned(),
            ],
        ),
        (
            vec![
                "members",
                "update",
                CAROL_EMAIL,
                "--allow",
                "DNS Wrte@account",
            ],
            vec![
                "no permission group \"DNS Wrte\"".to_owned(),
                "did you mean".to_owned(),
                "\"DNS Write\"".to_owned(),
            ],
        ),
        (
            vec![
                "members",
                "update",
                CAROL_EMAIL,
                "--role",
                "Administrator Read Onyl",
            ],
            vec!["did you mean \"Administrator Read Only\"?".to_owned()],
        ),
        (
            vec![
                "members",
                "add",
                "--email",
                "new@example.com",
                "--allow",
                "DNS Write@zone:nowhere.example",
            ],
            vec!["no zone \"nowhere.example\"".to_owned()],
        ),
        (
            vec!["members", "remove", "nobody@example.com"],
            vec!["no member \"nobody@example.com\"".to_owned()],
        ),
    ];
    for (args, parts) in cases {
        mock.clear_requests();
        let run = run(cli(&mock).args(&args));
        let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
        run.expect_code(2)
            .stderr_has(&parts)
            .stderr_has(&["nothing was sent"]);
        assert!(
            writes(&mock).is_empty(),
            "{args:?} wrote {:?}",
            writes(&mock)
        );
    }

    // Several bad names at once: all told, in one run.
    let run = run(cli(&mock).args([
        "members",
        "update",
        CAROL_EMAIL,
        "--allow",
        "DNS Wrte,Zone Raed@account",
    ]));
    run.expect_code(2)
        .stderr_has(&["2 names did not resolve", "\"DNS Wrte\"", "\"Zone Raed\""]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_changes_file_takes_names_and_lists_every_unresolved_one() {
    let mock = mock().await;
    let dir = std::env::temp_dir().join(format!("cf-members-names-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.json");
    std::fs::write(
        &bad,
        format!(
            r#"[
  {{"email": "{BOB_EMAIL}", "roles": ["Administrator Read Only"]}},
  {{"email": "{CAROL_EMAIL}", "roles": ["Bilin"]}},
  {{"email": "{ERIN_EMAIL}", "policies": [{{"access": "allow",
      "permission_groups": ["DNS Write", "Zone Reed"], "resource_groups": ["zone:example.com"]}}]}}
]"#
        ),
    )
    .unwrap();
    let run1 = run(cli(&mock).args(["apply", bad.to_str().unwrap(), "--yes"]));
    run1.expect_code(2).stderr_has(&[
        "bad.json: 2 names did not resolve; nothing was sent:",
        "entry 2 (line 3): \"roles\"[0]: no role \"Bilin\"",
        "entry 3 (line 4): \"policies\"[0].permission_groups[1]: no permission group \"Zone Reed\"",
        "did you mean one of \"Zone Read\"",
        "did you mean \"Billing\"?",
    ]);
    assert!(writes(&mock).is_empty(), "{:?}", writes(&mock));
    assert_eq!(reads_of(&mock, "/roles"), 1);
    assert_eq!(reads_of(&mock, "/iam/permission_groups"), 1);

    let good = dir.join("good.csv");
    std::fs::write(
        &good,
        format!("email,roles\n{BOB_EMAIL},administrator read only;Billing\n"),
    )
    .unwrap();
    mock.clear_requests();
    run(cli(&mock).args(["apply", good.to_str().unwrap(), "--yes"])).expect_code(0);
    let member = mock.member(mock.account_id(), BOB).unwrap();
    assert_eq!(
        member.role_ids(),
        [READ_ONLY_ROLE, BILLING_ROLE].into_iter().collect()
    );
    assert_eq!(
        reads_of(&mock, "/roles"),
        1,
        "the plan's names reuse the read"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn permission_groups_and_resource_groups_by_name() {
    let mock = mock().await;
    run_cmd(&mock, &["permission-groups", "list"])
        .expect_code(0)
        .stdout_has(&["ID", "NAME", "LABEL", "SCOPE", "DNS Write"]);
    let got = run_cmd(
        &mock,
        &["permission-groups", "get", "dns write", "-o", "json"],
    );
    got.expect_code(0);
    assert_eq!(got.json()["id"], DNS_WRITE_GROUP);
    let listed = run_cmd(
        &mock,
        &[
            "permission-groups",
            "list",
            "--name",
            "DNS Write",
            "-o",
            "json",
        ],
    );
    listed.expect_code(0);
    assert_eq!(listed.json()[0]["id"], DNS_WRITE_GROUP);

    let created = run_cmd(
        &mock,
        &[
            "resource-groups",
            "create",
            "--name",
            "web",
            "--scope",
            "zone:example.com",
            "--scope",
            "zone:example.net",
            "-o",
            "json",
        ],
    );
    created.expect_code(0);
    let body = mock
        .requests()
        .into_iter()
        .find(|r| r.method == "POST")
        .unwrap()
        .json
        .unwrap();
    assert_eq!(
        body["scope"]["objects"].as_array().unwrap().len(),
        2,
        "{body}"
    );
    run_cmd(&mock, &["resource-groups", "get", "WEB"])
        .expect_code(0)
        .stdout_has(&["name:", "web", "zones "]);
    run_cmd(
        &mock,
        &["resource-groups", "update", "web", "--name", "web2"],
    )
    .expect_code(0);
    run_cmd(&mock, &["resource-groups", "list"])
        .expect_code(0)
        .stdout_has(&["web2"]);
    mock.clear_requests();
    run_cmd(&mock, &["resource-groups", "delete", "web2"])
        .expect_code(2)
        .stderr_has(&["was not deleted", "--yes"]);
    assert!(writes(&mock).is_empty());
    run_cmd(&mock, &["resource-groups", "delete", "web2", "--yes"])
        .expect_code(0)
        .stdout_has(&["deleted resource group web2"]);
    run_cmd(&mock, &["resource-groups", "get", "web2"])
        .expect_code(2)
        .stderr_has(&["no resource group \"web2\""]);
    run_cmd(
        &mock,
        &[
            "resource-groups",
            "create",
            "--name",
            "x",
            "--scope",
            "account",
            "--scope",
            "zone:example.com",
        ],
    )
    .expect_code(2)
    .stderr_has(&["give `account` or zones, not both"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hex_id_in_upper_case_is_the_same_id() {
    let mock = mock().await;
    let upper = |id: &str| id.to_ascii_uppercase();
    // The account: sent in lower case, as Cloudflare writes it.
    let list = run(cli(&mock).args([
        "members",
        "list",
        "--account-id",
        &upper(ACCOUNT),
        "-o",
        "json",
    ]));
    list.expect_code(0);
    assert!(
        mock.requests()
            .iter()
            .all(|r| !r.path.contains(&upper(ACCOUNT))),
        "the id went out in upper case"
    );
    // A role, and a member, by an upper-case id.
    run(cli(&mock).args(["roles", "get", &upper(BILLING_ROLE)]))
        .expect_code(0)
        .stdout_has(&[BILLING_ROLE]);
    mock.clear_requests();
    run(cli(&mock).args([
        "members",
        "update",
        &upper(BOB),
        "--role",
        &upper(BILLING_ROLE),
    ]))
    .expect_code(0);
    let puts: Vec<String> = mock
        .requests()
        .into_iter()
        .filter(|r| r.method == "PUT")
        .map(|r| r.path)
        .collect();
    assert_eq!(
        puts,
        [format!("/client/v4/accounts/{ACCOUNT}/members/{BOB}")]
    );
    assert_eq!(role_ids(&mock, BOB), [BILLING_ROLE]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_name_matches_in_any_case_beyond_ascii() {
    let mock = mock().await;
    let role: member_client::Role = serde_json::from_value(json!({
        "id": "0f0e0d0c0b0a49088f7e6d5c4b3a2910",
        "name": "Ops Ünïcode Role",
        "description": "",
        "permissions": {}
    }))
    .unwrap();
    mock.insert_role(mock.account_id(), role);
    for given in ["ops ünïcode role", "OPS ÜNÏCODE ROLE", "Ops Ünïcode Role"] {
        run(cli(&mock).args(["roles", "get", given]))
            .expect_code(0)
            .stdout_has(&["0f0e0d0c0b0a49088f7e6d5c4b3a2910"]);
    }
    run(cli(&mock).args([
        "members",
        "update",
        BOB_EMAIL,
        "--role",
        "ops ünïcode role",
        "--dry-run",
    ]))
    .expect_code(0)
    .stdout_has(&["0f0e0d0c0b0a49088f7e6d5c4b3a2910"]);
    // An email still folds ASCII only, as the server compares them.
    run(cli(&mock).args(["members", "get", "BOB.DNS@EXAMPLE.COM"])).expect_code(0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn text_read_as_an_id_that_is_a_name_suggests_name() {
    let mock = mock().await;
    run(cli(&mock).args(["groups", "get", "id:Auditors"]))
        .expect_code(2)
        .stderr_has(&[
            r#"no user group "id:Auditors""#,
            r#"did you mean "name:Auditors"?"#,
        ]);
    run(cli(&mock).args(["groups", "get", "name:Auditors"])).expect_code(0);
}
