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

const DELTA: &str = "d0000000000000000000000000000003";
const DELTA_NAME: &str = "Delta Corp";
const SUPER_ADMIN: &str = "Super Administrator - All Privileges";

fn scratch(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("cf-members-accounts-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Five accounts: the seed's Example Corp (bob a member, alice its Super
/// Administrator), Partner Corp (bob its only Super Administrator), Acme
/// Labs (bob invited) and Locked Corp (the token cannot read it, and
/// `GET /accounts` leaves it out), and Delta Corp (no bob).
async fn five_accounts() -> MockServer {
    let mock = mock().await;
    let delta = AccountId::new(DELTA).unwrap();
    mock.add_account(SeedAccount::new(delta.clone()).named(DELTA_NAME));
    let someone: Member = serde_json::from_value(json!({
        "id": "d0000000000000000000000000000011",
        "email": "someone@example.com",
        "status": "accepted",
        "user": {"email": "someone@example.com", "two_factor_authentication_enabled": true},
        "roles": [{"id": READ_ONLY_ROLE, "name": "Administrator Read Only", "description": "", "permissions": {}}],
    }))
    .unwrap();
    mock.insert_member(&delta, someone);
    mock
}

/// The five, by name where the list knows them, plus the one it leaves out.
fn all_five() -> String {
    format!("all,{LOCKED_ACCOUNT}")
}

const READABLE: [&str; 4] = [ACCOUNT, OTHER_ACCOUNT, THIRD_ACCOUNT, DELTA];

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

/// `Name (id)`, as the commands show an account.
fn shown(name: &str, id: &str) -> String {
    format!("{name} ({id})")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn whois_finds_the_person_in_three_accounts_and_reports_the_unreadable_one() {
    let mock = five_accounts().await;
    let table = run(cli(&mock).args(["whois", BOB_EMAIL, "--accounts", &all_five()]));
    table
        .expect_code(1)
        .stdout_has(&[
            "bob.dns@example.com: a member of 3 of 5 accounts (1 pending invitation); 1 account could not be read",
            &format!("{}  {BOB}  accepted  DNS", shown(ACCOUNT_NAME, ACCOUNT)),
            &format!("{}     {ACME_BOB}  pending   DNS", shown(THIRD_ACCOUNT_NAME, THIRD_ACCOUNT)),
            &format!("{}  {PARTNER_BOB}  accepted  {SUPER_ADMIN}", shown(OTHER_ACCOUNT_NAME, OTHER_ACCOUNT)),
            "Could not be read (the person may have access there):",
            &format!("  {LOCKED_ACCOUNT}: GET /accounts/{LOCKED_ACCOUNT}/members: HTTP 403 Forbidden: 9109"),
        ])
        .stderr_has(&["1 of 5 accounts could not be read: bob.dns@example.com may have access there too"]);
    assert!(!table.stdout.contains(DELTA_NAME), "{}", table.stdout);

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
    let mut presence: Vec<(String, String)> = report["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["account"]["id"].as_str().unwrap().to_owned(),
                a["presence"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    presence.sort();
    let mut expected: Vec<(String, String)> = [
        (ACCOUNT, "member"),
        (THIRD_ACCOUNT, "member"),
        (OTHER_ACCOUNT, "member"),
        (DELTA, "not_member"),
        (LOCKED_ACCOUNT, "unreadable"),
    ]
    .iter()
    .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
    .collect();
    expected.sort();
    assert_eq!(presence, expected);
    let locked = report["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["presence"] == "unreadable")
        .unwrap();
    assert_eq!(locked["error"]["status"], 403);
    assert_eq!(locked["error"]["codes"], json!([9109]));
    assert!(locked["error"]["cf_ray"].is_string());

    // Accounts by name; every account answered: exit 0, found or not.
    let run2 = run(cli(&mock).args([
        "whois",
        "nobody@example.com",
        "--accounts",
        "example corp, Partner Corp,Acme Labs,Delta Corp",
    ]));
    run2.expect_code(0)
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

    // The plan only: nothing removed, told how to go on; exit 1, not 2,
    // since confirming would leave Bob's access where refused or unread.
    let plan = offboard(&[]);
    plan.expect_code(1)
        .stdout_has(&[
            "Plan for bob.dns@example.com: remove 2 memberships in 2 of 5 accounts; 1 not a member; 1 refused; 1 unreadable",
            &format!("remove        {}\n    membership {BOB} (accepted; roles DNS)", shown(ACCOUNT_NAME, ACCOUNT)),
            &format!("remove        {}\n    invitation {ACME_BOB} (pending; roles DNS)", shown(THIRD_ACCOUNT_NAME, THIRD_ACCOUNT)),
            &format!("refused       {}\n    refused: the account's last Super Administrator", shown(OTHER_ACCOUNT_NAME, OTHER_ACCOUNT)),
            &format!("not a member  {}", shown(DELTA_NAME, DELTA)),
            &format!("unreadable    {LOCKED_ACCOUNT}\n    GET /accounts/{LOCKED_ACCOUNT}/members: HTTP 403"),
        ])
        .stderr_has(&["nothing was removed: run again with --yes to remove 2 memberships"]);
    assert!(deletes(&mock).is_empty());
    assert!(!retry.exists());

    // Where every removal can be done, the unconfirmed plan exits 2.
    run(cli(&mock).current_dir(&dir).args([
        "offboard",
        BOB_EMAIL,
        "--accounts",
        ACCOUNT,
        "--retry-file",
        retry_arg,
    ]))
    .expect_code(2)
    .stderr_has(&["nothing was removed: run again with --yes to remove 1 membership"]);
    assert!(deletes(&mock).is_empty());

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
            &format!("removed       {} (1 membership)", shown(ACCOUNT_NAME, ACCOUNT)),
            &format!("removed       {} (1 membership)", shown(THIRD_ACCOUNT_NAME, THIRD_ACCOUNT)),
            &format!("refused       {}: still has access", shown(OTHER_ACCOUNT_NAME, OTHER_ACCOUNT)),
            "Retry file:",
        ])
        .stderr_has(&[
            "access may remain: refused in 1 account (the last Super Administrator: bob.dns@example.com still has access there); 1 account could not be read",
        ]);
    assert!(!has_bob(&mock, ACCOUNT) && !has_bob(&mock, THIRD_ACCOUNT));
    assert!(has_bob(&mock, OTHER_ACCOUNT));
    assert_eq!(deletes(&mock).len(), 2);
    let written: Value = serde_json::from_str(&std::fs::read_to_string(&retry).unwrap()).unwrap();
    assert_eq!(written["email"], BOB_EMAIL);
    let left: Vec<(&str, &str)> = written["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["id"].as_str().unwrap(), a["reason"].as_str().unwrap()))
        .collect();
    assert_eq!(
        left,
        [(OTHER_ACCOUNT, "refused"), (LOCKED_ACCOUNT, "unreadable")]
    );

    // Twice: nothing left to remove, nothing sent; the refusal still counts.
    mock.clear_requests();
    let again = offboard(&["--yes"]);
    again
        .expect_code(1)
        .stdout_has(&["Plan for bob.dns@example.com: nothing to remove in 5 accounts"])
        .stderr_has(&["refused in 1 account"]);
    assert!(deletes(&mock).is_empty());

    // Where it could be removed, a second run has nothing to do: exit 0.
    let clean = run(cli(&mock).current_dir(&dir).args([
        "offboard",
        BOB_EMAIL,
        "--accounts",
        "Example Corp,Acme Labs,Delta Corp",
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
    let mut actions: Vec<&str> = report["plan"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    actions.sort_unstable();
    assert_eq!(
        actions,
        [
            "not_member",
            "refused_last_super_admin",
            "remove",
            "remove",
            "unreadable"
        ]
    );
    let outcomes = report["outcomes"].as_array().unwrap();
    assert_eq!(outcomes.len(), 2);
    assert!(outcomes.iter().all(|o| o["removed"] == true));

    // `--accounts @FILE` reads the retry file back: only Partner Corp and
    // Locked Corp are looked at.
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
            .all(|p| p.contains(OTHER_ACCOUNT) || p.contains(LOCKED_ACCOUNT)),
        "{read:?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_csv_is_one_row_per_member_per_account() {
    let mock = five_accounts().await;
    let audit = run(cli(&mock).args(["audit", "--accounts", &all_five(), "-o", "csv"]));
    audit.expect_code(1).stderr_has(&[
        &format!("cannot read account {LOCKED_ACCOUNT}"),
        // Bob by role in Partner Corp; Carol through Platform admins.
        "2 Super Administrators without two-factor",
        &format!(
            "{}: bob.dns@example.com: Super Administrator without two-factor",
            shown(OTHER_ACCOUNT_NAME, OTHER_ACCOUNT)
        ),
        &format!(
            "{}: carol.billing@example.com: Super Administrator without two-factor",
            shown(ACCOUNT_NAME, ACCOUNT)
        ),
        "pending invitations",
        "1 of 5 accounts could not be read",
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
    let mut got: Vec<(String, String)> = rows
        .iter()
        .map(|r| (r[0].to_owned(), r[3].to_owned()))
        .collect();
    got.sort();
    let mut expected = Vec::new();
    for account in READABLE {
        for m in mock.members(&AccountId::new(account).unwrap()) {
            expected.push((account.to_owned(), m.id.unwrap().as_str().to_owned()));
        }
    }
    expected.sort();
    assert_eq!(got, expected);
    let partner_bob = rows.iter().find(|r| &r[3] == PARTNER_BOB).unwrap();
    assert_eq!(&partner_bob[1], OTHER_ACCOUNT_NAME);
    assert_eq!(&partner_bob[2], "false");
    assert_eq!(&partner_bob[7], SUPER_ADMIN);
    assert_eq!(&partner_bob[9], "super_admin_without_2fa");
    let carol = rows.iter().find(|r| &r[3] == CAROL).unwrap();
    assert_eq!(
        (&carol[6], &carol[9]),
        ("false", "super_admin_without_2fa"),
        "a Super Administrator through a user group"
    );
    let acme_bob = rows.iter().find(|r| &r[3] == ACME_BOB).unwrap();
    assert_eq!(
        (&acme_bob[2], &acme_bob[5], &acme_bob[9]),
        ("true", "pending", "pending")
    );

    // JSON: one array of the same rows; every account read: exit 0.
    let readable = READABLE.join(",");
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
async fn an_account_name_works_as_account_id_and_accounts_list_shows_them() {
    let mock = five_accounts().await;
    let by_name = run(cli(&mock).args([
        "members",
        "list",
        "--account-id",
        "partner corp",
        "-o",
        "json",
    ]));
    by_name.expect_code(0);
    let ids: Vec<String> = by_name
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap().to_owned())
        .collect();
    assert!(ids.iter().any(|id| id == PARTNER_BOB), "{ids:?}");
    assert!(mock
        .requests()
        .iter()
        .any(|r| r.path == format!("/client/v4/accounts/{OTHER_ACCOUNT}/members")));
    // The variable takes a name too.
    run(cli(&mock)
        .env("CLOUDFLARE_ACCOUNT_ID", "Acme Labs")
        .args(["members", "get", BOB_EMAIL]))
    .expect_code(0)
    .stdout_has(&[ACME_BOB]);

    mock.clear_requests();
    let unknown = run(cli(&mock).args(["members", "list", "--account-id", "Nope Corp"]));
    unknown.expect_code(2).stderr_has(&[
        "no account \"Nope Corp\"",
        "nothing was sent",
        "accounts list",
    ]);
    assert!(mock
        .requests()
        .iter()
        .all(|r| r.path == "/client/v4/accounts"));
    // A near miss gets the closest names.
    let typo = run(cli(&mock).args(["members", "list", "--account-id", "Acme Lbas"]));
    typo.expect_code(2)
        .stderr_has(&["no account \"Acme Lbas\"", "Acme Labs", "nothing was sent"]);
    let two = SeedAccount::new(AccountId::new("a0000000000000000000000000000004").unwrap())
        .named(DELTA_NAME);
    mock.add_account(two);
    let ambiguous = run(cli(&mock).args(["roles", "list", "--account-id", "delta corp"]));
    ambiguous.expect_code(2).stderr_has(&[
        "\"delta corp\" matches 2 accounts",
        DELTA,
        "a0000000000000000000000000000004",
    ]);

    let list = run(cli(&mock).args(["accounts", "list"]));
    list.expect_code(0).stdout_has(&[
        "ID                                NAME",
        &format!("{ACCOUNT}  {ACCOUNT_NAME}"),
        OTHER_ACCOUNT_NAME,
        THIRD_ACCOUNT_NAME,
    ]);
    assert!(!list.stdout.contains(LOCKED_ACCOUNT_NAME));
    let named = run(cli(&mock).args(["accounts", "list", "--name", "Example Corp", "-o", "json"]));
    named.expect_code(0);
    assert_eq!(named.json().as_array().unwrap().len(), 1);
    assert_eq!(named.json()[0]["id"], ACCOUNT);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_account_owned_token_is_told_to_name_its_accounts_by_id() {
    let mock = five_accounts().await;
    mock.set_account_owned_token(true);
    // The list of accounts was asked for and refused: exit 1 (something was
    // sent), with a hint naming an option the command takes.
    let by_accounts = "hint: name the accounts explicitly, by id: --accounts ID,ID";
    let by_account_id = "hint: give the account by id: --account-id ID (or CLOUDFLARE_ACCOUNT_ID)";
    for (args, hint) in [
        (&["whois", BOB_EMAIL][..], by_accounts),
        (&["audit"], by_accounts),
        (&["offboard", BOB_EMAIL], by_accounts),
        (&["audit", "--accounts", "Example Corp"], by_accounts),
        (&["history", "--accounts", "all"], by_accounts),
        (
            &["accounts", "list"],
            "hint: an account-owned token works with its account's id: --account-id ID \
             (or CLOUDFLARE_ACCOUNT_ID) for the commands of one account, --accounts ID,ID \
             for whois, offboard, audit and history",
        ),
        (
            &["members", "list", "--account-id", "Example Corp"],
            by_account_id,
        ),
    ] {
        mock.clear_requests();
        let refused = run(cli(&mock).args(args));
        refused
            .expect_code(1)
            .stderr_has(&["this token is account-owned", "code 1001", hint]);
        assert!(
            !refused.stderr.contains("nothing was sent"),
            "{args:?}: {}",
            refused.stderr
        );
        let sent: Vec<String> = mock.requests().into_iter().map(|r| r.path).collect();
        assert_eq!(sent, ["/client/v4/accounts"], "{args:?}");
    }
    let listed = run(cli(&mock).args(["accounts", "list"]));
    assert!(
        !listed.stderr.contains("--accounts ID,ID (an account name"),
        "{}",
        listed.stderr
    );
    // By id it works, with no list of accounts.
    mock.clear_requests();
    run(cli(&mock).args([
        "whois",
        BOB_EMAIL,
        "--accounts",
        &format!("{ACCOUNT},{OTHER_ACCOUNT}"),
    ]))
    .expect_code(0)
    .stdout_has(&["a member of 2 of 2 accounts"]);
    assert!(mock
        .requests()
        .iter()
        .all(|r| r.path != "/client/v4/accounts"));
    assert!(deletes(&mock).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn csv_is_refused_where_there_are_no_rows_and_bad_account_lists_send_nothing() {
    let mock = mock().await;
    run(cli(&mock).args(["whois", BOB_EMAIL, "-o", "csv"]))
        .expect_code(2)
        .stderr_has(&["-o csv is for lists"]);
    run(cli(&mock).args(["whois", BOB_EMAIL, "--accounts", " , "]))
        .expect_code(2)
        .stderr_has(&["--accounts names no account"]);
    run(cli(&mock).args(["whois", BOB_EMAIL, "--accounts", "id:not-an-id!"]))
        .expect_code(2)
        .stderr_has(&["account_id"]);
    run(cli(&mock).args(["whois", "not-an-email", "--accounts", ACCOUNT])).expect_code(2);
    assert!(mock.requests().is_empty(), "{:?}", mock.requests());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_finds_super_administrators_by_policy_and_says_when_it_cannot() {
    let mock = mock().await;
    let risk_of = |run: &Run, member: &str| -> String {
        let mut reader = csv::Reader::from_reader(run.stdout.as_bytes());
        let row = reader
            .records()
            .map(Result::unwrap)
            .find(|r| &r[3] == member)
            .unwrap_or_else(|| panic!("{member} is audited:\n{}", run.stdout));
        row[9].to_owned()
    };
    // Bob (no two-factor) allowed the Super Administrator group over the
    // account: one; with a deny of it too: not one.
    run(cli(&mock).args([
        "members",
        "update",
        BOB_EMAIL,
        "--allow",
        "Super Administrator - All Privileges@account",
    ]))
    .expect_code(0);
    let audit = run(cli(&mock).args(["audit", "--accounts", ACCOUNT, "-o", "csv"]));
    audit.expect_code(0);
    assert_eq!(risk_of(&audit, BOB), "super_admin_without_2fa");
    run(cli(&mock).args([
        "members",
        "update",
        BOB_EMAIL,
        "--allow",
        "Super Administrator - All Privileges@account",
        "--deny",
        "Super Administrator - All Privileges@zone:example.com",
    ]))
    .expect_code(0);
    let audit = run(cli(&mock).args(["audit", "--accounts", ACCOUNT, "-o", "csv"]));
    assert_eq!(risk_of(&audit, BOB), "");

    // When the user groups cannot be read, the roles alone decide, and the
    // audit says so once for the account.
    mock.inject(
        member_mock::Fault::on("GET", "/accounts/*/iam/user_groups")
            .cloudflare_error(403, 9109, "Unauthorized to access requested resource")
            .always(),
    );
    let audit = run(cli(&mock).args(["audit", "--accounts", ACCOUNT, "-o", "csv"]));
    audit.expect_code(0).stderr_has(&[&format!(
        "cf-members: warning: account {ACCOUNT}: Super Administrators are found by their role \
         only (reading what else grants it failed: "
    )]);
    assert_eq!(
        audit.stderr.matches("are found by their role only").count(),
        1
    );
    assert_eq!(
        risk_of(&audit, CAROL),
        "",
        "Carol's group could not be read"
    );
}
