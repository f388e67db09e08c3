//! One person across many accounts: `whois` finds them, `offboard` takes
//! their access away (and is safe to run twice), `audit` lists everyone;
//! against member-mock with five accounts, one of which the token cannot
//! read.

mod common;

use std::path::PathBuf;

use common::*;
use member_client::{AccountId, Member};
use member_mock::{MockServer, SeedAccount};
use serde_json::{json, Value};

/// An account id nobody seeded: the mock answers 403 (code 9109), as for an
/// account the token cannot reach.
const UNREADABLE: &str = "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee";
const BETA: &str = "b0000000000000000000000000000001";
const GAMMA: &str = "c0000000000000000000000000000002";
const DELTA: &str = "d0000000000000000000000000000003";
const SUPER_ADMIN: &str = "Super Administrator - All Privileges";

fn scratch(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("cf-members-accounts-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn member(id: &str, email: &str, status: &str, role: (&str, &str)) -> Member {
    serde_json::from_value(json!({
        "id": id,
        "email": email,
        "status": status,
        "user": {"email": email, "two_factor_authentication_enabled": false},
        "roles": [{"id": role.0, "name": role.1, "description": "", "permissions": {}}],
    }))
    .unwrap()
}

/// Five accounts: the seed's (bob a member, alice its Super Administrator),
/// Beta (bob invited), Gamma (bob its only Super Administrator), Delta
/// (no bob), and one the token cannot read.
async fn five_accounts() -> MockServer {
    let mock = mock().await;
    for (id, name) in [(BETA, "Beta"), (GAMMA, "Gamma"), (DELTA, "Delta")] {
        let mut account = SeedAccount::new(AccountId::new(id).unwrap());
        account.name = Some(name.to_owned());
        mock.add_account(account);
        mock.insert_member(
            &AccountId::new(id).unwrap(),
            member(
                &format!("{}1", &id[..31]),
                "someone@example.com",
                "accepted",
                (READ_ONLY_ROLE, "Administrator Read Only"),
            ),
        );
    }
    mock.insert_member(
        &AccountId::new(BETA).unwrap(),
        member(
            "beb0b0000000000000000000000000b0",
            BOB_EMAIL,
            "pending",
            (DNS_ROLE, "DNS"),
        ),
    );
    mock.insert_member(
        &AccountId::new(GAMMA).unwrap(),
        member(
            "9a0b0000000000000000000000000b0b",
            "Bob.DNS@Example.com",
            "accepted",
            (SUPER_ADMIN_ROLE, SUPER_ADMIN),
        ),
    );
    mock
}

fn all_five() -> String {
    [ACCOUNT, BETA, GAMMA, DELTA, UNREADABLE].join(",")
}

fn deletes(mock: &MockServer) -> Vec<String> {
    mock.requests()
        .into_iter()
        .filter(|r| r.method == "DELETE")
        .map(|r| r.path)
        .collect()
}

fn has_bob(mock: &MockServer, account: &str) -> bool {
    mock.members(&AccountId::new(account).unwrap())
        .iter()
        .any(|m| m.email().is_some_and(|e| e.eq_ignore_ascii_case(BOB_EMAIL)))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn whois_finds_the_person_in_three_accounts_and_reports_the_unreadable_one() {
    let mock = five_accounts().await;
    let table = run(cli(&mock).args(["whois", BOB_EMAIL, "--accounts", &all_five()]));
    table
        .expect_code(1)
        .stdout_has(&[
            "bob.dns@example.com: a member of 3 of 5 accounts (1 pending invitation); 1 account could not be read",
            BOB,
            "beb0b0000000000000000000000000b0",
            "pending",
            SUPER_ADMIN,
            "Could not be read (the person may have access there):",
            UNREADABLE,
            "9109",
        ])
        .stderr_has(&["1 of 5 accounts could not be read: bob.dns@example.com may have access there too"]);
    assert!(!table.stdout.contains(DELTA), "{}", table.stdout);

    let json = run(cli(&mock).args([
        "whois",
        "BOB.DNS@example.com",
        "--accounts",
        &all_five(),
        "-o",
        "json",
    ]));
    json.expect_code(1);
    let report = json.json();
    assert_eq!(
        report["summary"],
        json!({"accounts": 5, "member": 3, "not_member": 1, "unreadable": 1})
    );
    let presence: Vec<(&str, &str)> = report["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["account"]["id"].as_str().unwrap(),
                a["presence"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        presence,
        [
            (ACCOUNT, "member"),
            (BETA, "member"),
            (GAMMA, "member"),
            (DELTA, "not_member"),
            (UNREADABLE, "unreadable"),
        ]
    );
    let unreadable = &report["accounts"][4]["error"];
    assert_eq!(unreadable["status"], 403);
    assert_eq!(unreadable["codes"], json!([9109]));
    assert!(unreadable["cf_ray"].is_string());
    assert_eq!(
        report["accounts"][0]["members"][0]["roles"][0]["name"],
        "DNS"
    );

    // Every account answered: exit 0, found or not.
    let readable = [ACCOUNT, BETA, GAMMA, DELTA].join(",");
    run(cli(&mock).args(["whois", "nobody@example.com", "--accounts", &readable]))
        .expect_code(0)
        .stdout_has(&["nobody@example.com: a member of 0 of 4 accounts\n"]);
    // Only reads were sent.
    assert!(deletes(&mock).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offboard_removes_refuses_the_last_super_admin_and_is_safe_to_run_twice() {
    let mock = five_accounts().await;
    let dir = scratch("offboard");
    let retry = dir.join("retry.json");
    let retry_arg = retry.to_str().unwrap();
    let offboard = |extra: &[&str]| {
        let mut cmd = cli(&mock);
        cmd.current_dir(&dir)
            .args([
                "offboard",
                BOB_EMAIL,
                "--accounts",
                &all_five(),
                "--retry-file",
                retry_arg,
            ])
            .args(extra);
        run(&mut cmd)
    };

    // The plan only: nothing removed, exit 2, told how to go on.
    let plan = offboard(&[]);
    plan.expect_code(2)
        .stdout_has(&[
            "Plan for bob.dns@example.com: remove 2 memberships in 2 of 5 accounts; 1 not a member; 1 refused; 1 unreadable",
            &format!("remove        {ACCOUNT}\n    membership {BOB} (accepted; roles DNS)"),
            &format!("remove        {BETA}\n    invitation beb0b0000000000000000000000000b0 (pending; roles DNS)"),
            &format!("refused       {GAMMA}\n    refused: the account's last Super Administrator"),
            &format!("not a member  {DELTA}"),
            &format!("unreadable    {UNREADABLE}"),
        ])
        .stderr_has(&["nothing was removed: run again with --yes to remove 2 memberships"]);
    assert!(deletes(&mock).is_empty());
    assert!(!retry.exists());

    // A dry run says the same and exits 1: access would remain.
    offboard(&["--dry-run", "--yes"])
        .expect_code(1)
        .stderr_has(&["dry run: nothing was removed", "access may remain"]);
    assert!(deletes(&mock).is_empty());

    // --yes: removed where it can be, refused where it is the last Super
    // Administrator, and the exit says access remains.
    let done = offboard(&["--yes"]);
    done.expect_code(1)
        .stdout_has(&[
            "Done: removed from 2 accounts; 1 not a member; 1 refused; 1 unreadable; 0 removals failed",
            &format!("removed       {ACCOUNT} (1 membership)"),
            &format!("removed       {BETA} (1 membership)"),
            &format!("refused       {GAMMA}: still has access"),
            "Retry file:",
        ])
        .stderr_has(&[
            "access may remain: refused in 1 account (the last Super Administrator: bob.dns@example.com still has access there); 1 account could not be read",
        ]);
    assert!(!has_bob(&mock, ACCOUNT) && !has_bob(&mock, BETA));
    assert!(has_bob(&mock, GAMMA));
    assert_eq!(deletes(&mock).len(), 2);
    let written: Value = serde_json::from_str(&std::fs::read_to_string(&retry).unwrap()).unwrap();
    assert_eq!(written["email"], BOB_EMAIL);
    let left: Vec<(&str, &str)> = written["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["id"].as_str().unwrap(), a["reason"].as_str().unwrap()))
        .collect();
    assert_eq!(left, [(GAMMA, "refused"), (UNREADABLE, "unreadable")]);

    // Twice: nothing left to remove; nothing sent; the refusal still counts.
    mock.clear_requests();
    let again = offboard(&["--yes"]);
    again
        .expect_code(1)
        .stdout_has(&["Plan for bob.dns@example.com: nothing to remove in 5 accounts"])
        .stderr_has(&["refused in 1 account"]);
    assert!(deletes(&mock).is_empty());

    // Where it could be removed, a second run has nothing to do: exit 0.
    let removable = [ACCOUNT, BETA, DELTA].join(",");
    let clean = run(cli(&mock).current_dir(&dir).args([
        "offboard",
        BOB_EMAIL,
        "--accounts",
        &removable,
        "--yes",
        "--retry-file",
        retry_arg,
    ]));
    clean.expect_code(0).stderr_has(&[
        "nothing to do: bob.dns@example.com is not a member of any of the 3 accounts",
    ]);
    assert!(deletes(&mock).is_empty());
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offboard_json_and_the_retry_file_read_back() {
    let mock = five_accounts().await;
    let dir = scratch("offboard-json");
    let retry = dir.join("bob.retry.json");
    let retry_arg = retry.to_str().unwrap();
    let done = run(cli(&mock).current_dir(&dir).args([
        "offboard",
        BOB_EMAIL,
        "--accounts",
        &all_five(),
        "--yes",
        "-o",
        "json",
        "--retry-file",
        retry_arg,
    ]));
    done.expect_code(1);
    let report = done.json();
    assert_eq!(report["ran"], true);
    assert_eq!(report["summary"]["memberships"], 2);
    assert_eq!(report["summary"]["refused"], 1);
    assert_eq!(report["summary"]["access_may_remain"], 2);
    let actions: Vec<&str> = report["plan"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "remove",
            "remove",
            "refused_last_super_admin",
            "not_member",
            "unreadable"
        ]
    );
    assert!(report["outcomes"]
        .as_array()
        .unwrap()
        .iter()
        .all(|o| o["removed"] == true));

    // `--accounts @FILE` reads the retry file back: only Gamma and the
    // unreadable account are looked at.
    mock.clear_requests();
    let from_file = format!("@{retry_arg}");
    let again = run(cli(&mock).current_dir(&dir).args([
        "whois",
        BOB_EMAIL,
        "--accounts",
        &from_file,
        "-o",
        "json",
    ]));
    again.expect_code(1);
    assert_eq!(again.json()["summary"]["accounts"], 2);
    let read: Vec<String> = mock.requests().into_iter().map(|r| r.path).collect();
    assert!(
        read.iter()
            .all(|p| p.contains(GAMMA) || p.contains(UNREADABLE)),
        "{read:?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_csv_is_one_row_per_member_per_account() {
    let mock = five_accounts().await;
    let audit = run(cli(&mock).args(["audit", "--accounts", &all_five(), "-o", "csv"]));
    audit.expect_code(1).stderr_has(&[
        &format!("cannot read account {UNREADABLE}"),
        "1 Super Administrator without two-factor",
        "2 pending invitations",
        &format!("{GAMMA}: Bob.DNS@Example.com: Super Administrator without two-factor"),
    ]);
    let mut reader = csv::Reader::from_reader(audit.stdout.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(
        headers,
        [
            "account_id",
            "account_name",
            "account_enforce_twofactor",
            "member_id",
            "email",
            "status",
            "two_factor",
            "roles",
            "policies",
            "risk",
            "user_id"
        ]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let mut expected = Vec::new();
    for account in [ACCOUNT, BETA, GAMMA, DELTA] {
        for m in mock.members(&AccountId::new(account).unwrap()) {
            expected.push((account.to_owned(), m.id.unwrap().as_str().to_owned()));
        }
    }
    let got: Vec<(String, String)> = rows
        .iter()
        .map(|r| (r[0].to_owned(), r[3].to_owned()))
        .collect();
    assert_eq!(got, expected);
    let gamma_bob = rows
        .iter()
        .find(|r| &r[0] == GAMMA && r[4].eq_ignore_ascii_case(BOB_EMAIL))
        .unwrap();
    assert_eq!(&gamma_bob[7], SUPER_ADMIN);
    assert_eq!(&gamma_bob[6], "false");
    assert_eq!(&gamma_bob[9], "super_admin_without_2fa");

    // JSON: one array of the same rows; every account read: exit 0.
    let readable = [ACCOUNT, BETA, GAMMA, DELTA].join(",");
    let json = run(cli(&mock).args(["audit", "--accounts", &readable, "-o", "json"]));
    json.expect_code(0);
    assert_eq!(json.json().as_array().unwrap().len(), expected.len());
    let table = run(cli(&mock).args(["audit", "--accounts", &readable]));
    table
        .expect_code(0)
        .stdout_has(&["ACCOUNT", "EMAIL", "2FA REQUIRED", BOB_EMAIL]);
    assert_eq!(table.stdout.lines().count(), expected.len() + 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn csv_is_refused_where_there_are_no_rows_and_bad_account_lists_send_nothing() {
    let mock = mock().await;
    run(cli(&mock).args(["members", "list", "-o", "csv"]))
        .expect_code(2)
        .stderr_has(&["-o csv is for `cf-members audit`"]);
    run(cli(&mock).args(["whois", BOB_EMAIL, "--accounts", " , "]))
        .expect_code(2)
        .stderr_has(&["--accounts names no account"]);
    run(cli(&mock).args(["whois", BOB_EMAIL, "--accounts", "id:not-an-id!"]))
        .expect_code(2)
        .stderr_has(&["account_id"]);
    run(cli(&mock).args(["whois", "not-an-email", "--accounts", ACCOUNT])).expect_code(2);
    assert!(mock.requests().is_empty(), "{:?}", mock.requests());
}
