//! `cf-members apply FILE` against member-mock over loopback: the plan
//! (no-ops counted, unknown emails reported and never guessed), plan-only
//! runs that send no change, JSON, CSV and stdin input, bad files, a partial
//! failure and its retry file fed back, the `-o json` report, Ctrl-C (once
//! and twice), and the prompt and progress on a terminal.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::*;
use member_mock::{Fault, MockServer};
use serde_json::Value;

const CAROL: &str = "c2d6e3f9a4b75c8d0e1f2a3b4c5d6e7f";
const DAVE: &str = "d3e7f4a0b5c86d9e1f2a3b4c5d6e7f80";
const ALICE: &str = "9a7806061c88ada191ed06f989cc3dac";
const DNS_ROLE: &str = "b7e5d3c1a9f84b2e8c6d4a2f0e9b7c5d";

/// A fresh directory of this test's own.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cf-members-apply-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn arg(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// The methods the mock received, in order.
fn methods(mock: &MockServer) -> Vec<String> {
    mock.requests().into_iter().map(|r| r.method).collect()
}

/// The member ids the mock received a `method` for, in order.
fn targets(mock: &MockServer, method: &str) -> Vec<String> {
    mock.requests()
        .into_iter()
        .filter(|r| r.method == method)
        .map(|r| r.path.rsplit('/').next().unwrap().to_owned())
        .collect()
}

fn sorted(ids: &[&str]) -> Vec<String> {
    let mut ids: Vec<String> = ids.iter().map(|s| (*s).to_owned()).collect();
    ids.sort();
    ids
}

/// The retry file as JSON, checked for secrets.
fn retry_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("no retry file {}: {e}", path.display()));
    assert_no_secret(&text);
    serde_json::from_str(&text).unwrap()
}

/// `(member id, may_have_been_applied)` of each change of a retry file.
fn retry_members(path: &Path) -> Vec<(String, bool)> {
    let retry = retry_json(path);
    // It is the library's own format.
    let typed: member_client::RetryFile = serde_json::from_value(retry.clone()).unwrap();
    assert_eq!(typed.len(), retry["changes"].as_array().unwrap().len());
    retry["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| {
            (
                entry["change"]["id"].as_str().unwrap().to_owned(),
                entry["may_have_been_applied"].as_bool().unwrap(),
            )
        })
        .collect()
}

fn assert_no_secret(text: &str) {
    for secret in [SECRET_TOKEN, SECRET_API_KEY, "S3CRET"] {
        assert!(!text.contains(secret), "a secret was printed:\n{text}");
    }
}

fn set_roles(member: &str, roles: &[&str]) -> String {
    let key = if member.contains('@') { "email" } else { "id" };
    format!(
        r#"{{"op": "set_roles", "{key}": "{member}", "roles": {}}}"#,
        serde_json::to_string(roles).unwrap()
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_plan_shows_who_changes_counts_no_ops_reports_problems_and_sends_nothing() {
    let mock = mock().await;
    let dir = scratch("plan");
    let members_before = mock.member_count(mock.account_id());
    let file = write(
        &dir,
        "changes.json",
        &format!(
            "[\n{},\n{},\n{},\n{}\n]\n",
            // By email, in another case: an update.
            set_roles("BOB.DNS@example.com", &[READ_ONLY_ROLE, BILLING_ROLE]),
            // Already so (roles in another order): only counted.
            set_roles(CAROL, &[READ_ONLY_ROLE, BILLING_ROLE]),
            // Nobody has this email: a problem; nobody is added.
            set_roles("nobody@example.com", &[READ_ONLY_ROLE]),
            // Same roles, but the policy goes: an update.
            set_roles(JOHN, &[ADMIN_ROLE]),
        ),
    );
    let plan = run(cli(&mock).args(["apply", arg(&file)]));
    plan.expect_code(1);
    assert!(
        plan.stdout.starts_with(
            "Plan: 2 changes (2 updates); 1 member already in the wanted state; 1 problem\n"
        ),
        "{}",
        plan.stdout
    );
    plan.stdout_has(&[
        &format!("update  bob.dns@example.com ({BOB})  [entry 1 (line 2)]\n    from: roles DNS\n    to:   roles Administrator Read Only, Billing\n"),
        &format!("update  user@example.com ({JOHN})  [entry 4 (line 5)]\n    from: roles Account Administrator\n          policy allow 82e64a83756745bbbb1c9c2701bf816b, {ZONE_READ_GROUP} on {RESOURCE_GROUP}\n    to:   roles Account Administrator\n"),
        "Problems (skipped: nothing is sent for them, nobody is guessed):\n  entry 3 (line 4): set_roles nobody@example.com: no member has this email",
    ]);
    assert!(
        !plan.stdout.contains("carol"),
        "unchanged members are only counted:\n{}",
        plan.stdout
    );
    plan.stderr_has(&[
        "cf-members: no change was sent: run again with --yes to apply 2 changes",
        "cf-members: error: 1 entry of the file cannot be applied",
        "hint: ",
    ]);
    // The members, the roles (for their names) and the user groups (for
    // the lockout guard: none denies) were read; nothing else.
    assert_eq!(methods(&mock), ["GET", "GET", "GET"]);
    assert_eq!(role_ids(&mock, BOB), [DNS_ROLE]);
    assert_eq!(mock.member_count(mock.account_id()), members_before);
    assert!(!dir.join("changes.json.retry.json").exists());

    // Without problems, the plan alone exits 0.
    mock.clear_requests();
    let clean = write(
        &dir,
        "clean.json",
        &format!("[{}]", set_roles(BOB, &[READ_ONLY_ROLE])),
    );
    let ok = run(cli(&mock).args(["apply", arg(&clean)]));
    ok.expect_code(0).stdout_has(&[
        "Plan: 1 change (1 update); 0 members already in the wanted state; 0 problems",
    ]);
    assert_eq!(methods(&mock), ["GET", "GET", "GET"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dry_run_sends_no_change_even_with_yes() {
    let mock = mock().await;
    let dir = scratch("dry-run");
    let file = write(
        &dir,
        "changes.json",
        &format!(
            "[{}, {{\"op\": \"remove\", \"id\": \"{DAVE}\"}}]",
            set_roles(BOB, &[READ_ONLY_ROLE])
        ),
    );
    let run = run(cli(&mock).args(["apply", arg(&file), "--dry-run", "--yes"]));
    run.expect_code(0)
        .stdout_has(&[
            "Plan: 2 changes (1 update, 1 removal)",
            "remove  dave.invited@example.com",
        ])
        .stderr_has(&["cf-members: dry run: no change was sent"]);
    assert!(
        methods(&mock).iter().all(|m| m == "GET"),
        "{:?}",
        methods(&mock)
    );
    assert_eq!(role_ids(&mock, BOB), [DNS_ROLE]);
    assert!(mock.member(mock.account_id(), DAVE).is_some());
    assert!(!dir.join("changes.json.retry.json").exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn yes_applies_a_json_file_and_applying_it_again_sends_nothing() {
    let mock = mock().await;
    let dir = scratch("json");
    let file = write(
        &dir,
        "changes.json",
        &format!(
            r#"[
  {},
  {{"email": "erin.policies@example.com", "policies": {}}},
  {{"op": "add", "email": "new.hire@example.com", "roles": ["{DNS_ROLE}"]}},
  {{"op": "remove", "email": "Dave.Invited@example.com"}}
]"#,
            set_roles("bob.dns@example.com", &[READ_ONLY_ROLE, BILLING_ROLE]),
            policies_json(ZONE_READ_GROUP),
        ),
    );
    let run1 = run(cli(&mock).args(["apply", arg(&file), "--yes"]));
    run1.expect_code(0).stdout_has(&[
        "Plan: 4 changes (2 updates, 1 add, 1 removal)",
        "update  erin.policies@example.com",
        "    to:   policy allow Zone Read on zones 23f8d65290b24279ba6f44721b3eaad5",
        "add (invitation)  new.hire@example.com  [entry 3 (line 5)]\n    to:   roles DNS\n",
        "\nDone: 4 changes: 4 applied, 0 failed, 0 not started; 0 unchanged; 0 problems\n",
        "Retry file: ",
        "changes.json.retry.json (empty: nothing to retry)",
    ]);
    assert_eq!(run1.stderr, "", "nothing failed");
    assert_eq!(
        role_ids(&mock, BOB),
        sorted(&[READ_ONLY_ROLE, BILLING_ROLE])
    );
    assert!(
        role_ids(&mock, ERIN).is_empty(),
        "policies replace the roles"
    );
    let erin = stored(&mock, ERIN).unwrap();
    assert_eq!(
        erin["policies"][0]["permission_groups"][0]["id"],
        ZONE_READ_GROUP
    );
    assert!(mock.member(mock.account_id(), DAVE).is_none());
    let new = mock
        .members(mock.account_id())
        .into_iter()
        .find(|m| m.email() == Some("new.hire@example.com"))
        .expect("the add was sent");
    assert_eq!(
        role_ids(&mock, new.id.as_ref().unwrap().as_str()),
        [DNS_ROLE]
    );
    let mut writes: Vec<String> = methods(&mock).into_iter().filter(|m| m != "GET").collect();
    writes.sort();
    assert_eq!(writes, ["DELETE", "POST", "PUT", "PUT"]);
    assert!(retry_members(&dir.join("changes.json.retry.json")).is_empty());

    // Again: everything is in the wanted state; the removal's member is gone
    // (a problem, reported, not guessed); nothing is sent.
    mock.clear_requests();
    let run2 = run(cli(&mock).args(["apply", arg(&file), "--yes"]));
    run2.expect_code(1).stdout_has(&[
        "Plan: nothing to change; 3 members already in the wanted state; 1 problem",
        "entry 4 (line 6): remove Dave.Invited@example.com: no member has this email",
    ]);
    assert!(
        methods(&mock).iter().all(|m| m == "GET"),
        "{:?}",
        methods(&mock)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn csv_from_a_file_and_changes_from_stdin() {
    let mock = mock().await;
    let dir = scratch("csv");
    let file = write(
        &dir,
        "access.csv",
        &format!(
            "# the DNS team's new access\n\
             email,member_id,op,roles\n\
             bob.dns@example.com,,, {READ_ONLY_ROLE} ; {BILLING_ROLE}\n\
             \n\
             ,{DAVE},remove,\n\
             new.hire@example.com,,add,{DNS_ROLE}\n\
             nobody@example.com,,,{DNS_ROLE}\n"
        ),
    );
    let run1 = run(cli(&mock).args(["apply", arg(&file), "--yes"]));
    run1.expect_code(1).stdout_has(&[
        "Plan: 3 changes (1 update, 1 add, 1 removal); 0 members already in the wanted state; 1 problem",
        "update  bob.dns@example.com (b1c5d2e8f3a64b7c9d0e1f2a3b4c5d6e)  [line 3]",
        "remove  dave.invited@example.com (d3e7f4a0b5c86d9e1f2a3b4c5d6e7f80)  [line 5]",
        "add (invitation)  new.hire@example.com  [line 6]",
        "  line 7: set_roles nobody@example.com: no member has this email",
        "Done: 3 changes: 3 applied, 0 failed, 0 not started; 0 unchanged; 1 problem",
    ]);
    assert_eq!(
        role_ids(&mock, BOB),
        sorted(&[READ_ONLY_ROLE, BILLING_ROLE])
    );
    assert!(mock.member(mock.account_id(), DAVE).is_none());
    assert_eq!(targets(&mock, "POST").len(), 1);
    assert!(!mock
        .members(mock.account_id())
        .iter()
        .any(|m| m.email() == Some("nobody@example.com")));

    // CSV on stdin: recognised by its content; the retry file goes to the
    // current directory.
    mock.clear_requests();
    let run2 = run(cli(&mock)
        .current_dir(&dir)
        .args(["apply", "-", "--yes"])
        .write_stdin(format!("member_id,roles\n{CAROL},{DNS_ROLE}\n")));
    run2.expect_code(0)
        .stdout_has(&["[line 2]", "Done: 1 change: 1 applied"]);
    assert_eq!(role_ids(&mock, CAROL), [DNS_ROLE]);
    assert!(retry_members(&dir.join("cf-members.retry.json")).is_empty());

    // JSON on stdin, recognised by its first character; the plan only.
    mock.clear_requests();
    let run3 = run(cli(&mock)
        .current_dir(&dir)
        .args(["apply", "-"])
        .write_stdin(format!("  [{}]", set_roles(ALICE, &[DNS_ROLE]))));
    run3.expect_code(0).stdout_has(&[
        "update  alice.admin@example.com (9a7806061c88ada191ed06f989cc3dac)  [entry 1 (line 1)]",
        "    from: roles Super Administrator - All Privileges\n    to:   roles DNS\n",
    ]);
    assert!(methods(&mock).iter().all(|m| m == "GET"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_files_and_options_exit_2_and_send_nothing() {
    let mock = mock().await;
    let dir = scratch("bad");
    let good = write(
        &dir,
        "good.json",
        &format!("[{}]", set_roles(BOB, &[READ_ONLY_ROLE])),
    );
    let cases: Vec<(PathBuf, Vec<&str>)> = vec![
        (
            write(
                &dir,
                "entries.json",
                &format!(
                    "[\n{},\n{{\"email\": \"not-an-email\", \"roles\": [\"{READ_ONLY_ROLE}\"]}},\n\
                     {{\"op\": \"promote\", \"id\": \"{BOB}\"}}\n]",
                    set_roles(BOB, &[READ_ONLY_ROLE]),
                ),
            ),
            vec![
                "cf-members: error: changes file ",
                "entries.json: 2 of 3 entries are invalid; nothing was sent:",
                "  entry 2 (line 3): invalid email \"not-an-email\"",
                "  entry 3 (line 4): unknown \"op\" \"promote\"",
                "hint: a JSON file is an array of",
            ],
        ),
        (
            write(&dir, "syntax.json", "[{\"op\": \"remove\", \"id\": }]"),
            vec!["malformed changes file", "syntax.json: ", "line 1 column"],
        ),
        (
            write(&dir, "columns.csv", "mail,roles\nbob.dns@example.com,x\n"),
            vec!["line 1: unknown column \"mail\""],
        ),
        (
            write(
                &dir,
                "both.csv",
                &format!("email,member_id,roles\nbob.dns@example.com,{BOB},{DNS_ROLE}\n"),
            ),
            vec!["line 2: names the member twice: give email or member_id, not both"],
        ),
        (write(&dir, "empty.csv", "\n"), vec!["empty.csv is empty"]),
        (dir.join("missing.json"), vec!["cannot read changes file"]),
    ];
    for (file, parts) in &cases {
        let run = run(cli(&mock).args(["apply", arg(file), "--yes"]));
        run.expect_code(2).stderr_has(parts);
        assert!(run.stdout.is_empty(), "{}", run.stdout);
        assert!(
            mock.requests().is_empty(),
            "{file:?}: sent {:?}",
            methods(&mock)
        );
    }
    // A role that is not an id is a name: read once, not found, nothing written.
    let roles = write(
        &dir,
        "roles.csv",
        &format!(
            "email,roles\nbob.dns@example.com,{READ_ONLY_ROLE}\ncarol.billing@example.com,../x\n"
        ),
    );
    run(cli(&mock).args(["apply", arg(&roles), "--yes"]))
        .expect_code(2)
        .stderr_has(&[
            "roles.csv: 1 name did not resolve; nothing was sent:",
            "  line 3: roles[0]: no role \"../x\"",
        ]);
    assert_eq!(methods(&mock), ["GET"], "one read of the roles, no write");
    mock.clear_requests();

    let binary = dir.join("latin1.csv");
    std::fs::write(&binary, b"email,roles\n\xe9@example.com,x\n").unwrap();
    run(cli(&mock).args(["apply", arg(&binary)]))
        .expect_code(2)
        .stderr_has(&["is not UTF-8"]);

    // A retry file that cannot be written is found before anything is sent.
    let nowhere = dir.join("no-such-dir").join("retry.json");
    run(cli(&mock).args(["apply", arg(&good), "--yes", "--retry-file", arg(&nowhere)]))
        .expect_code(2)
        .stderr_has(&["cannot write the retry file", "hint: --retry-file PATH"]);
    run(cli(&mock).args(["apply", arg(&good), "--yes", "--retry-file", arg(&dir)]))
        .expect_code(2)
        .stderr_has(&["is a directory; nothing was sent"]);
    run(cli(&mock).args(["apply", arg(&good), "--yes", "--retry-file", arg(&good)]))
        .expect_code(2)
        .stderr_has(&["would overwrite the changes file"]);
    for bad in [
        &["--rate-limit", "0/10"][..],
        &["--rate-limit", "120"],
        &["--concurrency", "0"],
    ] {
        run(cli(&mock).args(["apply", arg(&good), "--yes"]).args(bad))
            .expect_code(2)
            .stderr_has(&["error: invalid value"]);
    }
    assert!(mock.requests().is_empty(), "sent {:?}", methods(&mock));
    assert_eq!(role_ids(&mock, BOB), [DNS_ROLE]);
}

/// A partial failure: a 400 (certainly not applied), a truncated answer to a
/// PUT that did land, a 502 without retries; then the retry file fed back
/// sends only what is still missing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_partial_failure_writes_a_retry_file_that_retries_only_what_is_missing() {
    let mock = mock().await;
    let dir = scratch("partial");
    let file = write(
        &dir,
        "changes.json",
        &format!(
            "[\n{},\n{},\n{},\n{}\n]",
            set_roles(BOB, &[READ_ONLY_ROLE]),
            set_roles(JOHN, &[READ_ONLY_ROLE]),
            set_roles(CAROL, &[BILLING_ROLE]),
            set_roles(ALICE, &[READ_ONLY_ROLE]),
        ),
    );
    mock.inject(
        Fault::on("PUT", &format!("/accounts/*/members/{BOB}")).cloudflare_error(
            400,
            1001,
            "Invalid role assignment",
        ),
    );
    mock.inject(Fault::on("PUT", &format!("/accounts/*/members/{JOHN}")).truncate());
    mock.inject(
        Fault::on("PUT", &format!("/accounts/*/members/{ALICE}"))
            .status(502)
            .html("<center><h1>502 Bad Gateway</h1></center>"),
    );
    let run1 = run(cli(&mock).args(["apply", arg(&file), "--yes", "--max-retries", "0"]));
    run1.expect_code(1);
    let failures: Vec<&str> = run1
        .stderr
        .lines()
        .filter(|l| l.starts_with("cf-members: failed: "))
        .collect();
    assert_eq!(failures.len(), 3, "one line per failure:\n{}", run1.stderr);
    run1.stderr_has(&[
        &format!("cf-members: failed: entry 1 (line 2): update bob.dns@example.com ({BOB}): PUT /accounts/"),
        "HTTP 400 Bad Request: 1001 Invalid role assignment (cf-ray ",
        &format!("cf-members: failed: entry 2 (line 3): update user@example.com ({JOHN}): "),
        &format!("cf-members: failed: entry 4 (line 5): update alice.admin@example.com ({ALICE}): "),
        "HTTP 502 Bad Gateway",
        "(it may have been applied: the retry reads the state first)",
        "cf-members: error: 3 of 4 changes did not apply (3 failed, 0 not started)",
        "hint: the retry file ",
    ]);
    let bob_line = failures.iter().find(|l| l.contains(BOB)).unwrap();
    assert!(!bob_line.contains("may have been applied"), "{bob_line}");
    let retry_path = dir.join("changes.json.retry.json");
    run1.stdout_has(&[
        "Done: 4 changes: 1 applied, 3 failed, 0 not started; 0 unchanged; 0 problems",
        &format!(
            "Retry file: {} (3 changes); to retry them: cf-members apply {} --yes",
            retry_path.display(),
            retry_path.display()
        ),
    ]);
    assert_eq!(
        retry_members(&retry_path),
        [
            (BOB.to_owned(), false),
            (JOHN.to_owned(), true),
            (ALICE.to_owned(), true)
        ]
    );
    // Carol changed; John's PUT landed although its answer was cut.
    assert_eq!(role_ids(&mock, CAROL), [BILLING_ROLE]);
    assert_eq!(role_ids(&mock, JOHN), [READ_ONLY_ROLE]);
    assert_eq!(role_ids(&mock, BOB), [DNS_ROLE]);

    // Fed back: John is already in the wanted state, so only Bob and Alice
    // are sent; the retry file is rewritten with what is left (nothing).
    mock.clear_requests();
    let run2 = run(cli(&mock).args(["apply", arg(&retry_path), "--yes"]));
    run2.expect_code(0).stdout_has(&[
        "Plan: 2 changes (2 updates); 1 member already in the wanted state; 0 problems",
        "Done: 2 changes: 2 applied, 0 failed, 0 not started; 1 unchanged; 0 problems",
    ]);
    assert!(
        !run2.stdout.contains("update  user@example.com"),
        "{}",
        run2.stdout
    );
    let mut put = targets(&mock, "PUT");
    put.sort();
    assert_eq!(put, sorted(&[BOB, ALICE]), "John is not sent twice");
    assert_eq!(role_ids(&mock, BOB), [READ_ONLY_ROLE]);
    assert_eq!(role_ids(&mock, ALICE), [READ_ONLY_ROLE]);
    assert!(retry_members(&retry_path).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_json_report_holds_the_plan_the_outcomes_and_the_counts() {
    let mock = mock().await;
    let dir = scratch("report");
    let file = write(
        &dir,
        "changes.json",
        &format!(
            "[\n{},\n{},\n{},\n{}\n]",
            set_roles(BOB, &[READ_ONLY_ROLE]),
            set_roles(CAROL, &[READ_ONLY_ROLE, BILLING_ROLE]),
            set_roles("nobody@example.com", &[READ_ONLY_ROLE]),
            // Alice stays Super Administrator: the lockout guard needs no
            // other read.
            set_roles(ALICE, &[READ_ONLY_ROLE, SUPER_ADMIN_ROLE]),
        ),
    );
    // The plan only.
    let plan = run(cli(&mock).args(["apply", arg(&file), "-o", "json"]));
    plan.expect_code(1);
    let report = plan.json();
    assert_eq!(report["ran"], false);
    assert_eq!(report["outcomes"], serde_json::json!([]));
    assert_eq!(report["retry_file"], Value::Null);
    assert_eq!(
        report["summary"],
        serde_json::json!({"changes": 2, "applied": 0, "failed": 0, "not_started": 0,
                           "abandoned": 0, "unchanged": 1, "problems": 1})
    );
    assert_eq!(report["plan"]["problems"][0]["kind"], "unknown_email");
    assert_eq!(report["plan"]["problems"][0]["place"], "entry 3 (line 4)");
    // The roles are read once (to check the role ids), the members once,
    // the user groups once (the lockout guard: none denies).
    assert_eq!(methods(&mock), ["GET", "GET", "GET"]);

    mock.inject(
        Fault::on("PUT", &format!("/accounts/*/members/{ALICE}")).cloudflare_error(
            400,
            1001,
            "Invalid role assignment",
        ),
    );
    let ran = run(cli(&mock).args(["apply", arg(&file), "--yes", "-o", "json"]));
    ran.expect_code(1);
    let report = ran.json();
    assert_eq!(report["ran"], true);
    assert_eq!(report["dry_run"], false);
    assert_eq!(report["interrupted"], false);
    assert_eq!(report["summary"]["applied"], 1);
    assert_eq!(report["summary"]["failed"], 1);
    assert_eq!(report["summary"]["unchanged"], 1);
    let entries = report["plan"]["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 3);
    let carol = entries.iter().find(|e| e["member_id"] == CAROL).unwrap();
    assert_eq!(carol["action"], "unchanged");
    let outcomes = report["outcomes"].as_array().unwrap();
    assert_eq!(outcomes.len(), 2);
    assert_eq!(outcomes[0]["member_id"], BOB);
    assert_eq!(outcomes[0]["place"], "entry 1 (line 2)");
    assert_eq!(outcomes[0]["result"]["applied"]["member"]["id"], BOB);
    assert_eq!(outcomes[1]["email"], "alice.admin@example.com");
    assert_eq!(outcomes[1]["result"]["failed"]["status"], 400);
    assert_eq!(
        outcomes[1]["result"]["failed"]["codes"],
        serde_json::json!([1001])
    );
    let retry_path = dir.join("changes.json.retry.json");
    assert_eq!(
        report["retry_file"],
        serde_json::json!({"path": retry_path.display().to_string(), "changes": 1})
    );
    assert_eq!(retry_members(&retry_path), [(ALICE.to_owned(), false)]);
    // The failure is still told on stderr, and stdout is only the report.
    ran.stderr_has(&["cf-members: failed: entry 4 (line 5)"]);
    assert!(!ran.stdout.contains("Done:"));
}

/// The built binary, run in the background with its output read line by
/// line.
struct Background {
    child: Child,
    lines: mpsc::Receiver<String>,
    stderr: Vec<String>,
    stdout: std::thread::JoinHandle<String>,
}

impl Background {
    fn spawn(mock: &MockServer, dir: &Path, args: &[&str]) -> Self {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_cf-members"))
            .env_clear()
            .env("CLOUDFLARE_API_TOKEN", SECRET_TOKEN)
            .env("CLOUDFLARE_BASE_URL", mock.base_url())
            .env("CLOUDFLARE_ACCOUNT_ID", mock.account_id().as_str())
            .current_dir(dir)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("cf-members starts");
        let (tx, lines) = mpsc::channel();
        let stderr = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut out = child.stdout.take().unwrap();
        let stdout = std::thread::spawn(move || {
            let mut text = String::new();
            let _ = out.read_to_string(&mut text);
            text
        });
        Self {
            child,
            lines,
            stderr: Vec::new(),
            stdout,
        }
    }

    /// Waits for a stderr line with `part`.
    fn wait_for(&mut self, part: &str) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    let found = line.contains(part);
                    self.stderr.push(line);
                    if found {
                        return;
                    }
                }
                Err(_) => break,
            }
        }
        let _ = self.child.kill();
        panic!("no stderr line with {part:?}:\n{}", self.stderr.join("\n"));
    }

    fn interrupt(&self) {
        let status = std::process::Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success());
    }

    /// Waits for the exit: the code, stdout, and the whole of stderr.
    fn finish(mut self) -> (i32, String, String) {
        let deadline = Instant::now() + Duration::from_secs(60);
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("cf-members did not exit:\n{}", self.stderr.join("\n"));
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let stdout = self.stdout.join().unwrap();
        while let Ok(line) = self.lines.recv_timeout(Duration::from_secs(5)) {
            self.stderr.push(line);
        }
        let stderr = self.stderr.join("\n");
        assert_no_secret(&stdout);
        assert_no_secret(&stderr);
        (
            status.code().expect("exited by itself, not killed"),
            stdout,
            stderr,
        )
    }
}

fn five_changes(dir: &Path) -> PathBuf {
    write(
        dir,
        "five.json",
        &format!(
            "[\n{}\n]",
            [BOB, CAROL, ALICE, JOHN, ERIN]
                .iter()
                // Alice stays Super Administrator, so the lockout guard
                // reads only the user groups (none denies) and the
                // limiter's budget is the GETs' and PUTs' below.
                .map(|&id| match id {
                    ALICE => set_roles(id, &[READ_ONLY_ROLE, SUPER_ADMIN_ROLE]),
                    _ => set_roles(id, &[READ_ONLY_ROLE]),
                })
                .collect::<Vec<_>>()
                .join(",\n")
        ),
    )
}

/// Ctrl-C after the first outcome: Carol's PUT is in flight (slow), Alice's
/// waits for the rate limiter (5 requests a minute: the three GETs and two
/// PUTs use the budget). Carol's finishes and is reported, nothing else is
/// sent, and the retry file lists the three that did not start.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_lets_the_changes_in_flight_finish_and_starts_nothing_new() {
    let mock = mock().await;
    let dir = scratch("ctrl-c");
    let file = five_changes(&dir);
    mock.inject(
        Fault::on("PUT", &format!("/accounts/*/members/{BOB}")).delay(Duration::from_millis(300)),
    );
    mock.inject(
        Fault::on("PUT", &format!("/accounts/*/members/{CAROL}")).delay(Duration::from_secs(3)),
    );
    let mut child = Background::spawn(
        &mock,
        &dir,
        &[
            "apply",
            arg(&file),
            "--yes",
            "--concurrency",
            "2",
            "--rate-limit",
            "5/60",
            "-v",
        ],
    );
    child.wait_for(&format!(
        "PUT /accounts/{}/members/{BOB} -> 200",
        mock.account_id()
    ));
    let mut puts_at_signal = targets(&mock, "PUT");
    puts_at_signal.sort();
    assert_eq!(
        puts_at_signal,
        sorted(&[BOB, CAROL]),
        "Carol's PUT is in flight"
    );
    let signalled = Instant::now();
    child.interrupt();
    let (code, stdout, stderr) = child.finish();
    let stopped_after = signalled.elapsed();

    assert_eq!(code, 130, "stdout:\n{stdout}\nstderr:\n{stderr}");
    assert!(
        stopped_after < Duration::from_secs(12),
        "waited {stopped_after:?}: the limiter's next permit was 15 s away"
    );
    assert!(
        stderr.contains("cf-members: Ctrl-C: stopping; no new change starts"),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "PUT /accounts/{}/members/{CAROL} -> 200",
            mock.account_id()
        )),
        "the change in flight finished: {stderr}"
    );
    assert!(
        stderr.contains("cf-members: error: interrupted by Ctrl-C: 2 of 5 changes applied, 3 left"),
        "{stderr}"
    );
    assert!(
        stdout.contains(
            "Interrupted: 5 changes: 2 applied, 0 failed, 3 not started; 0 unchanged; 0 problems"
        ),
        "{stdout}"
    );
    let mut puts = targets(&mock, "PUT");
    puts.sort();
    assert_eq!(puts, puts_at_signal, "no PUT after the signal");
    assert_eq!(role_ids(&mock, CAROL), [READ_ONLY_ROLE]);
    assert_eq!(role_ids(&mock, ALICE), ["33666b9c79b9a5273fc7344ff42f953d"]);
    let retry_path = dir.join("five.json.retry.json");
    assert!(stdout.contains(&format!("Retry file: {} (3 changes)", retry_path.display())));
    assert_eq!(
        retry_members(&retry_path),
        [
            (ALICE.to_owned(), false),
            (JOHN.to_owned(), false),
            (ERIN.to_owned(), false)
        ]
    );
    assert!(retry_json(&retry_path)["changes"][0].get("error").is_none());
}

/// A second Ctrl-C quits without waiting for the slow requests in flight;
/// every change without an outcome is kept in the retry file as possibly
/// applied.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_ctrl_c_quits_at_once_and_keeps_everything_unknown() {
    let mock = mock().await;
    let dir = scratch("ctrl-c-twice");
    let file = five_changes(&dir);
    mock.inject(
        Fault::on("PUT", "/accounts/*/members/*")
            .times(2)
            .delay(Duration::from_secs(30)),
    );
    let mut child = Background::spawn(
        &mock,
        &dir,
        &[
            "apply",
            arg(&file),
            "--yes",
            "--concurrency",
            "2",
            "-o",
            "json",
        ],
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    while targets(&mock, "PUT").len() < 2 {
        assert!(Instant::now() < deadline, "the PUTs never came");
        std::thread::sleep(Duration::from_millis(20));
    }
    let signalled = Instant::now();
    child.interrupt();
    child.wait_for("cf-members: Ctrl-C: stopping");
    child.interrupt();
    let (code, stdout, stderr) = child.finish();
    assert_eq!(code, 130, "{stderr}");
    assert!(
        signalled.elapsed() < Duration::from_secs(15),
        "waited for the 30 s requests"
    );
    assert!(
        stderr.contains("cf-members: Ctrl-C again: quitting without waiting"),
        "{stderr}"
    );
    let report: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["interrupted"], true);
    assert_eq!(report["summary"]["abandoned"], 5);
    assert_eq!(targets(&mock, "PUT").len(), 2, "nothing new was sent");
    let retry = retry_members(&dir.join("five.json.retry.json"));
    assert_eq!(retry.len(), 5);
    assert!(retry.iter().all(|(_, maybe)| *maybe), "{retry:?}");
}

/// On a terminal (util-linux `script` gives one), cf-members asks before
/// sending and shows progress; `-o json` never asks.
#[cfg(target_os = "linux")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_terminal_it_asks_first_and_shows_progress() {
    let mock = mock().await;
    let dir = scratch("terminal");
    let file = write(
        &dir,
        "changes.json",
        &format!(
            "[{}, {}]",
            set_roles(BOB, &[READ_ONLY_ROLE]),
            set_roles(CAROL, &[DNS_ROLE])
        ),
    );
    let on_terminal = |args: &str, answer: &str| -> String {
        let mut script = std::process::Command::new("script")
            .args(["-qec"])
            .arg(format!(
                "'{}' apply '{}' {args}",
                env!("CARGO_BIN_EXE_cf-members"),
                file.display()
            ))
            .arg("/dev/null")
            .env_clear()
            .env("PATH", "/usr/bin:/bin")
            .env("SHELL", "/bin/sh")
            .env("CLOUDFLARE_API_TOKEN", SECRET_TOKEN)
            .env("CLOUDFLARE_BASE_URL", mock.base_url())
            .env("CLOUDFLARE_ACCOUNT_ID", mock.account_id().as_str())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("util-linux `script` is installed (it gives the test a terminal)");
        script
            .stdin
            .take()
            .unwrap()
            .write_all(answer.as_bytes())
            .unwrap();
        let output = script.wait_with_output().unwrap();
        let seen = String::from_utf8_lossy(&output.stdout).into_owned();
        assert_no_secret(&seen);
        seen
    };

    let declined = on_terminal("", "n\n");
    assert!(declined.contains("apply 2 changes? [y/N]"), "{declined:?}");
    assert!(declined.contains("no change was sent"), "{declined:?}");
    assert!(
        methods(&mock).iter().all(|m| m == "GET"),
        "{:?}",
        methods(&mock)
    );

    let json = on_terminal("-o json", "y\n");
    assert!(!json.contains("[y/N]"), "{json:?}");
    assert!(
        methods(&mock).iter().all(|m| m == "GET"),
        "{:?}",
        methods(&mock)
    );

    let accepted = on_terminal("", "y\n");
    assert!(accepted.contains("apply 2 changes? [y/N]"), "{accepted:?}");
    assert!(
        accepted.contains("\r\x1b[2Kapplying: 1 of 2 changes done"),
        "progress on the terminal: {accepted:?}"
    );
    assert!(
        accepted.contains("Done: 2 changes: 2 applied"),
        "{accepted:?}"
    );
    assert_eq!(role_ids(&mock, BOB), [READ_ONLY_ROLE]);
    assert_eq!(role_ids(&mock, CAROL), [DNS_ROLE]);
    assert!(retry_members(&dir.join("changes.json.retry.json")).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn add_roles_and_remove_roles_change_only_the_roles_named() {
    let mock = mock().await;
    let dir = scratch("edit-roles");
    let file = write(
        &dir,
        "edits.csv",
        "email,op,roles\n\
         bob.dns@example.com,add_roles,billing;DNS\n\
         carol.billing@example.com,remove_roles,Billing\n\
         alice.admin@example.com,add_roles,Super Administrator - All Privileges\n\
         dave.invited@example.com,remove_roles,Administrator Read Only\n\
         erin.policies@example.com,add_roles,Billing\n",
    );
    let plan = run(cli(&mock).args(["apply", arg(&file)]));
    plan.expect_code(1).stdout_has(&[
        "Plan: 2 changes (2 updates); 1 member already in the wanted state; 2 problems",
        "update  bob.dns@example.com (b1c5d2e8f3a64b7c9d0e1f2a3b4c5d6e)  [line 2]\n    \
         from: roles DNS\n    to:   roles Billing, DNS\n",
        "update  carol.billing@example.com (c2d6e3f9a4b75c8d0e1f2a3b4c5d6e7f)  [line 3]\n    \
         from: roles Administrator Read Only, Billing\n    to:   roles Administrator Read Only\n",
        "line 5: remove_roles dave.invited@example.com: that would take every role from the \
         member, who would keep no access; use remove to remove the member",
        "line 6: add_roles erin.policies@example.com: the member has 1 policy, and giving roles \
         drops a member's policies",
    ]);
    assert!(
        methods(&mock).iter().all(|m| m == "GET"),
        "the plan sends nothing"
    );

    let ran = run(cli(&mock).args(["apply", arg(&file), "--yes"]));
    ran.expect_code(1).stdout_has(&[
        "Done: 2 changes: 2 applied, 0 failed, 0 not started; 1 unchanged; 2 problems",
    ]);
    // Each member's whole new set was sent, once, and nobody else was
    // written to.
    assert_eq!(role_ids(&mock, BOB), sorted(&[DNS_ROLE, BILLING_ROLE]));
    assert_eq!(role_ids(&mock, CAROL), [READ_ONLY_ROLE]);
    assert_eq!(role_ids(&mock, DAVE), [READ_ONLY_ROLE]);
    assert!(role_ids(&mock, ERIN).is_empty(), "erin keeps her policy");
    assert_eq!(
        stored(&mock, ERIN).unwrap()["policies"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    let mut puts = targets(&mock, "PUT");
    puts.sort();
    assert_eq!(puts, sorted(&[BOB, CAROL]));
    assert!(!methods(&mock).iter().any(|m| m == "POST" || m == "DELETE"));

    // Again: both are in the wanted state now; nothing is sent.
    mock.clear_requests();
    let again = run(cli(&mock).args(["apply", arg(&file), "--yes"]));
    again.expect_code(1).stdout_has(&[
        "Plan: nothing to change; 3 members already in the wanted state; 2 problems",
    ]);
    assert!(
        methods(&mock).iter().all(|m| m == "GET"),
        "{:?}",
        methods(&mock)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_member_is_put_into_a_group_once_the_add_gives_the_id() {
    let mock = mock().await;
    let dir = scratch("join-new");
    let file = write(
        &dir,
        "join.csv",
        "email,op,roles,group\n\
         new.x@example.com,add,DNS,\n\
         New.X@example.com,add_to_group,,SRE on-call\n",
    );
    let ran = run(cli(&mock).args(["apply", arg(&file), "--yes"]));
    ran.expect_code(0).stdout_has(&[
        "Plan: 2 changes (1 add, 1 group addition)",
        "add to group  New.X@example.com  [line 3]",
        "Done: 2 changes: 2 applied, 0 failed, 0 not started",
    ]);
    let new = mock
        .members(mock.account_id())
        .into_iter()
        .find(|m| m.email() == Some("new.x@example.com"))
        .expect("the add was sent");
    let id = new.id.unwrap();
    let in_group = mock
        .user_group_members(mock.account_id(), SRE_ONCALL_GROUP)
        .unwrap();
    assert!(in_group.contains(&id), "{in_group:?}");
    // The add went first, the group change after it.
    let writes: Vec<String> = methods(&mock).into_iter().filter(|m| m != "GET").collect();
    assert_eq!(writes.first().map(String::as_str), Some("POST"));
    assert_eq!(writes.len(), 2, "{writes:?}");

    // When the add fails, the group change does not start and both are
    // kept for the retry.
    let file = write(
        &dir,
        "join2.csv",
        "email,op,roles,group\n\
         new.y@example.com,add,DNS,\n\
         new.y@example.com,add_to_group,,SRE on-call\n",
    );
    mock.inject(
        Fault::on("POST", "/accounts/*/members")
            .cloudflare_error(400, 1001, "nope")
            .always(),
    );
    mock.clear_requests();
    let failed = run(cli(&mock).args(["apply", arg(&file), "--yes"]));
    failed
        .expect_code(1)
        .stdout_has(&["0 applied, 1 failed, 1 not started"])
        .stderr_has(&["not started: line 3: add_to_group new.y@example.com: the add of this member did not succeed"]);
    let writes: Vec<String> = methods(&mock).into_iter().filter(|m| m != "GET").collect();
    assert_eq!(writes, ["POST"]);
    let retry = retry_json(&dir.join("join2.csv.retry.json"));
    assert_eq!(retry["changes"].as_array().unwrap().len(), 2);
    mock.clear_faults();
    run(cli(&mock).args(["apply", arg(&dir.join("join2.csv.retry.json")), "--yes"])).expect_code(0);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A value of 100,000 characters in a changes file is named in the error
/// by its first 40 characters and `…`, not printed whole.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_huge_value_in_a_changes_file_is_shortened_in_the_error() {
    let mock = mock().await;
    let dir = scratch("huge");
    let huge = |c: char| c.to_string().repeat(100_000);
    let head = |c: char| format!("{}…", c.to_string().repeat(40));
    let cases = [
        (
            write(
                &dir,
                "roles.csv",
                &format!("email,roles\n{BOB_EMAIL},{}\n", huge('x')),
            ),
            format!("line 2: roles[0]: no role \"{}\"", head('x')),
        ),
        (
            write(
                &dir,
                "op.csv",
                &format!("email,op,roles\n{BOB_EMAIL},{},DNS\n", huge('q')),
            ),
            format!("line 2: unknown op \"{}\"", head('q')),
        ),
        (
            write(
                &dir,
                "column.csv",
                &format!("email,{}\n{BOB_EMAIL},1\n", huge('c')),
            ),
            format!("line 1: unknown column \"{}\"", head('c')),
        ),
        (
            write(
                &dir,
                "group.csv",
                &format!("email,op,group\n{BOB_EMAIL},add_to_group,{}\n", huge('g')),
            ),
            format!("group: no user group \"{}\"", head('g')),
        ),
        (
            write(
                &dir,
                "policy.json",
                &serde_json::json!([{"email": BOB_EMAIL, "policies": [{
                    "access": "allow", "permission_groups": ["DNS"],
                    "resource_groups": ["account"], huge('k'): 1}]}])
                .to_string(),
            ),
            format!("\"policies\"[0]: unknown field `{}`", head('k')),
        ),
    ];
    for (file, part) in &cases {
        let run = run(cli(&mock).args(["apply", arg(file)]));
        run.expect_code(2).stderr_has(&[part]);
        assert!(
            run.stderr.len() < 1500,
            "{file:?}: {} bytes",
            run.stderr.len()
        );
        assert!(run.stdout.is_empty(), "{}", run.stdout);
    }
    let sent = methods(&mock);
    assert!(sent.iter().all(|m| m == "GET"), "{sent:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_id_in_upper_case_is_the_same_member() {
    let mock = mock().await;
    let dir = scratch("upper-id");
    let upper = DAVE.to_ascii_uppercase();
    let file = write(
        &dir,
        "remove.csv",
        &format!("member_id,op\n{upper},remove\n"),
    );
    run(cli(&mock).args(["apply", arg(&file), "--yes"]))
        .expect_code(0)
        .stdout_has(&["1 applied"]);
    assert!(mock.member(mock.account_id(), DAVE).is_none());
    // The same member by email and by an upper-case id: both refused.
    let file = write(
        &dir,
        "twice.json",
        &format!(
            r#"[{{"op": "add_roles", "email": "bob.dns@example.com", "roles": ["Billing"]}},
                {{"op": "remove_roles", "id": "{}", "roles": ["DNS"]}}]"#,
            BOB.to_ascii_uppercase()
        ),
    );
    let plan = run(cli(&mock).args(["apply", arg(&file)]));
    plan.expect_code(1).stdout_has(&[
        "Plan: nothing to change; 0 members already in the wanted state; 2 problems",
    ]);
    assert_eq!(
        plan.stdout.matches("neither is applied").count(),
        2,
        "{}",
        plan.stdout
    );
}

/// An invitation and another change about the same new email (other than
/// putting them into a group) are two changes about one member: neither is
/// sent, as for a member who exists.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invitation_and_another_change_of_the_same_new_member_are_both_refused() {
    let mock = mock().await;
    let dir = scratch("new-twice");
    for (name, text) in [
        (
            "remove.csv",
            "email,op,roles\nx9@example.com,add,DNS\nX9@example.com,remove,\n",
        ),
        (
            "roles.csv",
            "email,op,roles\nx9@example.com,add,DNS\nx9@example.com,add_roles,Billing\n",
        ),
    ] {
        let file = write(&dir, name, text);
        mock.clear_requests();
        let run1 = run(cli(&mock).args(["apply", arg(&file), "--yes"]));
        run1.expect_code(1).stdout_has(&[
            "Plan: nothing to change",
            "2 problems",
            "line 2: add x9@example.com",
            "is about the same member",
            "line 3: ",
            "invites the same member",
        ]);
        assert!(
            mock.requests().iter().all(|r| r.method == "GET"),
            "{name}: {:?}",
            methods(&mock)
        );
    }
    // An invitation and a group for the new member still go together.
    let file = write(
        &dir,
        "join.csv",
        &format!("email,op,roles,group\nx9@example.com,add,DNS,\nx9@example.com,add_to_group,,{SRE_ONCALL_NAME}\n"),
    );
    run(cli(&mock).args(["apply", arg(&file), "--yes"])).expect_code(0);
    let _ = std::fs::remove_dir_all(&dir);
}

/// An `add` of somebody who already has exactly that access is unchanged,
/// its scopes compared by what they cover: a retry of an invitation that
/// landed, written with an inline scope, is not a problem.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_landed_invitation_retried_with_an_inline_scope_is_unchanged() {
    let mock = mock().await;
    let dir = scratch("add-landed");
    let file = write(
        &dir,
        "add.json",
        &format!(
            r#"[{{"op": "add", "email": "{ERIN_EMAIL}", "policies": [{{"access": "allow",
                "permission_groups": [{{"id": "{DNS_WRITE_GROUP}"}}, {{"id": "{ANALYTICS_READ_GROUP}"}}],
                "resource_groups": [{{"scope": {{"key": "com.cloudflare.api.account.{ACCOUNT}",
                    "objects": [{{"key": "*"}}]}}}}]}}]}}]"#
        ),
    );
    mock.clear_requests();
    let run1 = run(cli(&mock).args(["apply", arg(&file), "--yes"]));
    run1.expect_code(0)
        .stdout_has(&["1 member already in the wanted state", "0 problems"]);
    assert!(
        mock.requests().iter().all(|r| r.method == "GET"),
        "{:?}",
        methods(&mock)
    );
    let _ = std::fs::remove_dir_all(&dir);
}
