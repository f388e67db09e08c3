//! The output formats of every list of the built `cf-members` against
//! member-mock: CSV with the columns each help names, JSON Lines, and JSON
//! written as the pages arrive.

mod common;

use std::io::Read;
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::*;
use member_client::{Member, Role, UserGroup};
use member_mock::{Fault, MockServer};
use serde_json::{json, Value};

/// Every list command, as typed.
fn lists() -> Vec<Vec<&'static str>> {
    vec![
        vec!["members", "list"],
        vec!["roles", "list"],
        vec!["permission-groups", "list"],
        vec!["resource-groups", "list"],
        vec!["groups", "list"],
        vec!["groups", "members", SRE_ONCALL_NAME, "list"],
        vec!["accounts", "list"],
        vec!["audit"],
    ]
}

fn csv_rows(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader
        .headers()
        .expect("a header row")
        .iter()
        .map(str::to_owned)
        .collect();
    let rows = reader
        .records()
        .map(|r| r.expect("a CSV row").iter().map(str::to_owned).collect())
        .collect();
    (header, rows)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_list_gives_csv_with_the_columns_its_help_names_and_json_lines() {
    let mock = mock().await;
    for args in lists() {
        let json = run(cli(&mock).args(&args).args(["-o", "json"]));
        json.expect_code(0);
        let items = json.json().as_array().cloned().unwrap();
        assert!(!items.is_empty(), "{args:?} lists something");

        let lines = run(cli(&mock).args(&args).args(["-o", "jsonl"]));
        lines.expect_code(0);
        let parsed: Vec<Value> = lines
            .stdout
            .lines()
            .map(|line| serde_json::from_str(line).expect("each line is one JSON value"))
            .collect();
        assert_eq!(parsed, items, "{args:?}: -o jsonl is -o json, a line each");

        let csv = run(cli(&mock).args(&args).args(["-o", "csv"]));
        csv.expect_code(0);
        let (header, rows) = csv_rows(&csv.stdout);
        assert_eq!(rows.len(), items.len(), "{args:?}: a row per item");
        assert!(rows.iter().all(|r| r.len() == header.len()));
        // The help names the columns in order (wherever its lines break).
        let help = run(cli(&mock).args(&args).arg("--help"));
        let words = |text: &str| text.split_whitespace().collect::<Vec<_>>().join(" ");
        let documented = format!("-o csv columns: {}", header.join(", "));
        assert!(
            words(&help.stdout).contains(&documented),
            "{args:?} --help lacks {documented:?}:\n{}",
            help.stdout
        );
        assert!(header.iter().all(|h| h == &h.to_lowercase()), "{header:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn csv_round_trips_names_with_commas_quotes_and_line_breaks() {
    let mock = mock().await;
    let account = mock.account_id().clone();
    let mut member = serde_json::to_value(mock.member(&account, JOHN).unwrap()).unwrap();
    let (first, last) = ("Smith, \"Jr.\"", "O'Neil\nSecond line");
    member["id"] = json!("aa0000000000000000000000000000aa");
    member["user"]["id"] = json!("bb0000000000000000000000000000bb");
    member["email"] = json!("tricky@example.com");
    member["user"]["email"] = json!("tricky@example.com");
    member["user"]["first_name"] = json!(first);
    member["user"]["last_name"] = json!(last);
    member["user"]["two_factor_authentication_enabled"] = json!(false);
    let member: Member = serde_json::from_value(member).unwrap();
    mock.insert_member(&account, member);
    let role: Role = serde_json::from_value(json!({
        "id": "cc0000000000000000000000000000cc",
        "name": "Night shift, \"on call\"",
        "description": "Reads,\r\nthen writes",
        "permissions": {},
    }))
    .unwrap();
    mock.insert_role(&account, role);
    let group: UserGroup = serde_json::from_value(json!({
        "id": "dd0000000000000000000000000000dd",
        "name": "a,b \"c\"\nd",
        "policies": [],
    }))
    .unwrap();
    mock.insert_user_group(&account, group);

    let members = run(cli(&mock).args(["members", "list", "-o", "csv"]));
    members.expect_code(0);
    let (header, rows) = csv_rows(&members.stdout);
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let tricky = rows
        .iter()
        .find(|r| r[column("email")] == "tricky@example.com")
        .expect("the member's row");
    assert_eq!(tricky[column("first_name")], first);
    assert_eq!(tricky[column("last_name")], last);
    assert_eq!(tricky[column("id")], "aa0000000000000000000000000000aa");
    assert_eq!(
        tricky[column("user_id")],
        "bb0000000000000000000000000000bb"
    );
    assert_eq!(tricky[column("roles")], "Account Administrator");
    assert_eq!(tricky[column("two_factor")], "false");
    let carol = rows.iter().find(|r| r[column("id")] == CAROL).unwrap();
    assert_eq!(carol[column("roles")], "Administrator Read Only; Billing");
    let erin = rows.iter().find(|r| r[column("id")] == ERIN).unwrap();
    assert!(
        erin[column("policies")].starts_with("allow "),
        "{:?}",
        erin[column("policies")]
    );

    let roles = run(cli(&mock).args(["roles", "list", "-o", "csv"]));
    let (_, rows) = csv_rows(&roles.stdout);
    assert!(rows.contains(&vec![
        "cc0000000000000000000000000000cc".to_owned(),
        "Night shift, \"on call\"".to_owned(),
        "Reads,\r\nthen writes".to_owned(),
    ]));

    let groups = run(cli(&mock).args(["groups", "list", "-o", "csv"]));
    let (_, rows) = csv_rows(&groups.stdout);
    let row = rows
        .iter()
        .find(|r| r[0] == "dd0000000000000000000000000000dd")
        .unwrap();
    assert_eq!(row[1], "a,b \"c\"\nd");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_json_list_of_many_pages_has_every_member_once() {
    let mock = mock().await;
    mock.add_members(37);
    let run = run(cli(&mock).args(["members", "list", "--per-page", "5", "-o", "json"]));
    run.expect_code(0);
    let ids: Vec<String> = run
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap().to_owned())
        .collect();
    let expected: Vec<String> = mock
        .members(mock.account_id())
        .into_iter()
        .map(|m| m.id.unwrap().as_str().to_owned())
        .collect();
    assert_eq!(expected.len(), 43);
    assert_eq!(ids, expected, "every member once, in order");
    assert_eq!(mock.requests().len(), 9, "43 members in pages of 5");
    // Pretty-printed as the whole array would be.
    let whole = serde_json::to_string_pretty(&run.json()).unwrap() + "\n";
    assert_eq!(run.stdout, whole);

    let empty = run_filtered(&mock, "rejected");
    assert_eq!(empty, "[]\n");
}

/// `members list --status STATUS -o json`.
fn run_filtered(mock: &MockServer, status: &str) -> String {
    let out = run(cli(mock).args(["members", "list", "--status", status, "-o", "json"]));
    out.expect_code(0);
    out.stdout
}

/// A page that fails after the first: the array printed so far is closed
/// (valid JSON, the first page's members), the error is on stderr, exit 1.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_that_fails_mid_way_leaves_a_valid_array_and_exits_1() {
    let mock = mock().await;
    mock.add_members(10);
    // The first page is held back long enough for the test to see it asked
    // for and to make the next request fail.
    mock.inject(Fault::on("GET", "/accounts/*/members").delay(Duration::from_millis(800)));
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_cf-members"))
        .env_clear()
        .env("CLOUDFLARE_API_TOKEN", SECRET_TOKEN)
        .env("CLOUDFLARE_BASE_URL", mock.base_url())
        .env("CLOUDFLARE_ACCOUNT_ID", mock.account_id().as_str())
        .args(["members", "list", "--per-page", "5", "-o", "json"])
        .args(["--max-retries", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("cf-members starts");
    let started = Instant::now();
    while mock.requests().is_empty() {
        assert!(started.elapsed() < Duration::from_secs(20), "no request");
        std::thread::sleep(Duration::from_millis(5));
    }
    mock.inject(
        Fault::on("GET", "/accounts/*/members")
            .status(502)
            .html("<h1>502 Bad Gateway</h1>"),
    );
    let mut stdout = String::new();
    let mut stderr = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut stdout)
        .unwrap();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(stderr.contains("HTTP 502 Bad Gateway"), "{stderr}");
    let partial: Value = serde_json::from_str(&stdout).expect("a closed JSON array");
    let first_page: Vec<Value> = mock.members(mock.account_id())[..5]
        .iter()
        .map(|m| serde_json::to_value(m).unwrap())
        .collect();
    assert_eq!(partial, Value::Array(first_page));
    assert_eq!(mock.requests().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_result_in_json_lines_is_one_line_and_csv_is_for_lists_only() {
    let mock = mock().await;
    let one = run(cli(&mock).args(["members", "get", BOB, "-o", "jsonl"]));
    one.expect_code(0);
    assert_eq!(one.stdout.lines().count(), 1, "{}", one.stdout);
    let value: Value = serde_json::from_str(&one.stdout).unwrap();
    assert_eq!(value["id"], BOB);
    mock.clear_requests();
    for args in [
        &["members", "get", BOB][..],
        &["roles", "get", READ_ONLY_ROLE],
        &["whois", BOB_EMAIL],
        &["groups", "get", SRE_ONCALL_NAME],
    ] {
        run(cli(&mock).args(args).args(["-o", "csv"]))
            .expect_code(2)
            .stderr_has(&["-o csv is for lists", "nothing was sent"]);
    }
    assert!(mock.requests().is_empty(), "{:?}", mock.requests());
}

/// Server text with bidi controls: a table and CSV show them as
/// `<U+XXXX>` (a name cannot display as another), JSON keeps the exact
/// value.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bidi_controls_are_shown_escaped_in_tables_and_csv_and_kept_in_json() {
    let mock = mock().await;
    let account = mock.account_id().clone();
    // Shows as "Eve Admin" reversed behind a right-to-left override.
    let sneaky = "Eve \u{202E}nimdA\u{202C} \u{2066}x\u{2069}";
    let shown = "Eve <U+202E>nimdA<U+202C> <U+2066>x<U+2069>";
    let role: Role = serde_json::from_value(json!({
        "id": "ee0000000000000000000000000000ee",
        "name": sneaky,
        "description": "a\u{200F}b\u{1b}[2J",
        "permissions": {},
    }))
    .unwrap();
    mock.insert_role(&account, role);

    let table = run(cli(&mock).args(["roles", "list"]));
    table.expect_code(0).stdout_has(&[shown, "a<U+200F>b?[2J"]);
    for c in [
        '\u{202E}', '\u{202C}', '\u{2066}', '\u{2069}', '\u{200F}', '\u{1b}',
    ] {
        assert!(!table.stdout.contains(c), "{c:?} reached the terminal");
    }
    let csv = run(cli(&mock).args(["roles", "list", "-o", "csv"]));
    let (_, rows) = csv_rows(&csv.stdout);
    let row = rows
        .iter()
        .find(|r| r[0] == "ee0000000000000000000000000000ee")
        .unwrap();
    assert_eq!(row[1], shown);
    assert_eq!(row[2], "a<U+200F>b<U+001B>[2J");
    let json = run(cli(&mock).args(["roles", "list", "-o", "json"]));
    let exact = json
        .json()
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "ee0000000000000000000000000000ee")
        .cloned()
        .unwrap();
    assert_eq!(exact["name"], sneaky);
    assert_eq!(exact["description"], "a\u{200F}b\u{1b}[2J");
    let lines = run(cli(&mock).args([
        "roles",
        "get",
        "ee0000000000000000000000000000ee",
        "-o",
        "jsonl",
    ]));
    assert_eq!(
        serde_json::from_str::<Value>(&lines.stdout).unwrap()["name"],
        sneaky
    );
    let details = run(cli(&mock).args(["roles", "get", "ee0000000000000000000000000000ee"]));
    details.expect_code(0).stdout_has(&[shown]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_name_that_a_spreadsheet_would_run_is_text_in_csv_and_kept_in_json() {
    let mock = mock().await;
    let account = mock.account_id().clone();
    // Someone invited chose their own name.
    let formula = "=HYPERLINK(\"https://evil.example\",\"click\")";
    let mut member = mock.member(&account, BOB).unwrap();
    let user = member.user.as_mut().unwrap();
    user.first_name = Some(formula.to_owned());
    user.last_name = Some("-1+2".to_owned());
    member.roles[0].name = "@SUM(1)".to_owned();
    mock.insert_member(&account, member);

    let csv = run(cli(&mock).args(["members", "list", "-o", "csv"]));
    csv.expect_code(0);
    let (header, rows) = csv_rows(&csv.stdout);
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let bob = rows.iter().find(|r| r[column("id")] == BOB).unwrap();
    assert_eq!(bob[column("first_name")], format!("'{formula}"));
    assert_eq!(bob[column("last_name")], "'-1+2");
    // Other cells are as the server sent them.
    assert_eq!(bob[column("email")], BOB_EMAIL);
    assert_eq!(bob[column("roles")], "'@SUM(1)");
    let audit = run(cli(&mock).args(["audit", "--accounts", ACCOUNT, "-o", "csv"]));
    let (header, rows) = csv_rows(&audit.stdout);
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let bob = rows.iter().find(|r| r[column("member_id")] == BOB).unwrap();
    assert_eq!(bob[column("roles")], "'@SUM(1)");

    let json = run(cli(&mock).args(["members", "get", BOB, "-o", "json"]));
    json.expect_code(0);
    assert_eq!(json.json()["user"]["first_name"], formula);

    // apply reads the `'` back off a CSV cell that starts like a formula.
    let dir = std::env::temp_dir().join(format!("cf-members-formula-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("changes.csv");
    std::fs::write(&file, format!("email,roles\n{BOB_EMAIL},'=x\n")).unwrap();
    let plan = run(cli(&mock).args(["apply", file.to_str().unwrap()]));
    plan.expect_code(2).stderr_has(&["no role \"=x\""]);
    let _ = std::fs::remove_dir_all(&dir);
}
