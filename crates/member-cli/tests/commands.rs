//! Every command of the built `cf-members` against member-mock over
//! loopback, in both output modes, with `--dry-run`, `-v` and policies from
//! a file or stdin.

mod common;

use common::*;
use member_client::Member;
use member_mock::{Fault, MockServer};
use serde_json::{json, Value};

/// The column at which `header` starts in a table's first line.
fn column(table: &str, header: &str) -> usize {
    table.lines().next().unwrap().find(header).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn members_list_table_aligns_columns_and_names_roles() {
    let mock = mock().await;
    let run = run(cli(&mock).args(["members", "list"]));
    run.expect_code(0);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(
        lines.len(),
        1 + 6,
        "header and the six seeded members:\n{}",
        run.stdout
    );
    let email_at = column(&run.stdout, "EMAIL");
    let status_at = column(&run.stdout, "STATUS");
    for line in &lines[1..] {
        let chars: Vec<char> = line.chars().collect();
        assert_ne!(chars[email_at], ' ', "EMAIL column misaligned: {line}");
        assert_eq!(chars[email_at - 1], ' ');
        assert_ne!(chars[status_at], ' ', "STATUS column misaligned: {line}");
    }
    let john = lines.iter().find(|l| l.starts_with(JOHN)).unwrap();
    assert!(
        john.contains("user@example.com") && john.contains("John Appleseed"),
        "{john}"
    );
    assert!(
        john.contains("accepted") && john.contains("Account Administrator; 1 policy"),
        "{john}"
    );
    let carol = lines
        .iter()
        .find(|l| l.contains("carol.billing@example.com"))
        .unwrap();
    assert!(
        carol.ends_with("Administrator Read Only, Billing"),
        "{carol}"
    );
    assert!(run.stderr.is_empty(), "nothing on stderr: {}", run.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn members_list_json_is_every_member_across_pages_as_the_api_sent_it() {
    let mock = mock().await;
    mock.add_members(120);
    let run = run(cli(&mock).args(["members", "list", "-o", "json"]));
    run.expect_code(0);
    let expected: Vec<Value> = mock
        .members(mock.account_id())
        .iter()
        .map(|m| serde_json::to_value(m).unwrap())
        .collect();
    assert_eq!(run.json(), Value::Array(expected));
    // 126 members in pages of 50, and no request spent on an empty page.
    let queries: Vec<String> = mock
        .requests()
        .iter()
        .map(|r| r.query.clone().unwrap_or_default())
        .collect();
    assert_eq!(
        queries,
        [
            "page=1&per_page=50",
            "page=2&per_page=50",
            "page=3&per_page=50"
        ]
    );
    // No progress on stderr when it is not a terminal.
    assert!(run.stderr.is_empty(), "{}", run.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn members_list_sends_the_filters() {
    let mock = mock().await;
    mock.add_members(12);
    let run = run(cli(&mock).args([
        "members",
        "list",
        "--status",
        "pending",
        "--order",
        "user.email",
        "--direction",
        "desc",
        "--per-page",
        "5",
        "-o",
        "json",
    ]));
    run.expect_code(0);
    let items = run.json();
    let items = items.as_array().unwrap();
    let pending = mock
        .members(mock.account_id())
        .iter()
        .filter(|m| m.status.as_ref().map(|s| s.as_str()) == Some("pending"))
        .count();
    assert_eq!(items.len(), pending);
    assert!(items.iter().all(|m| m["status"] == "pending"));
    let emails: Vec<&str> = items
        .iter()
        .map(|m| m["user"]["email"].as_str().unwrap())
        .collect();
    let mut sorted = emails.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(emails, sorted, "descending by email");
    assert_eq!(
        mock.requests()[0].query.as_deref(),
        Some("order=user.email&status=pending&direction=desc&page=1&per_page=5")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn members_list_with_page_fetches_that_page_only() {
    let mock = mock().await;
    let run = run(cli(&mock).args([
        "members",
        "list",
        "--page",
        "2",
        "--per-page",
        "5",
        "-o",
        "json",
    ]));
    run.expect_code(0);
    assert_eq!(
        run.json().as_array().unwrap().len(),
        1,
        "six members, five a page"
    );
    let requests = mock.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].query.as_deref(), Some("page=2&per_page=5"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn values_the_client_does_not_know_are_kept() {
    let mock = mock().await;
    let suspended: Member = serde_json::from_value(json!({
        "id": "5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a",
        "email": "sam@example.com",
        "status": "suspended",
        "user": {"email": "sam@example.com", "first_name": "Sam"},
        "roles": [],
    }))
    .unwrap();
    mock.insert_member(mock.account_id(), suspended);

    let listed = run(cli(&mock).args(["members", "list", "-o", "json"]));
    listed.expect_code(0);
    let sam = listed
        .json()
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == "5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a")
        .cloned()
        .unwrap();
    assert_eq!(sam["status"], "suspended");
    let table = run(cli(&mock).args(["members", "list"]));
    let line = table
        .stdout
        .lines()
        .find(|l| l.contains("sam@example.com"))
        .unwrap()
        .to_owned();
    assert!(line.contains("suspended"), "{line}");

    // A field added to the API after this client was written.
    let mut member = stored(&mock, JOHN).unwrap();
    member["added_later"] = json!({"nested": [1, "two", null], "flag": true});
    mock.inject(
        Fault::on("GET", "/accounts/*/members/*")
            .status(200)
            .json(json!({
                "success": true, "errors": [], "messages": [], "result": member,
            })),
    );
    let got = run(cli(&mock).args(["members", "get", JOHN, "-o", "json"]));
    got.expect_code(0);
    assert_eq!(got.json(), member);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn members_get_in_both_modes() {
    let mock = mock().await;
    let json = run(cli(&mock).args(["members", "get", JOHN, "-o", "json"]));
    json.expect_code(0);
    assert_eq!(json.json(), stored(&mock, JOHN).unwrap());

    let table = run(cli(&mock).args(["members", "get", JOHN]));
    table.expect_code(0).stdout_has(&[
        &format!("id:        {JOHN}"),
        "email:     user@example.com",
        "name:      John Appleseed",
        "status:    accepted",
        &format!("roles:     Account Administrator ({ADMIN_ROLE})"),
        "policies:  allow Zone Read, Magic Network Monitoring on ",
    ]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn members_add_with_roles_in_both_modes() {
    let mock = mock().await;
    let json = run(cli(&mock).args([
        "members",
        "add",
        "--email",
        "new.one@example.com",
        "--role",
        READ_ONLY_ROLE,
        "-o",
        "json",
    ]));
    json.expect_code(0);
    let added = json.json();
    assert_eq!(added["email"], "new.one@example.com");
    assert_eq!(added["status"], "pending");
    assert!(
        added.get("roles").is_none(),
        "the add answer omits roles, as the real API's"
    );
    let id = added["id"].as_str().unwrap();
    let mut expected = stored(&mock, id).expect("the member was added");
    expected.as_object_mut().unwrap().remove("roles");
    assert_eq!(added, expected, "exactly the API's result");
    assert_eq!(
        mock.requests().last().unwrap().json,
        Some(json!({"email": "new.one@example.com", "roles": [READ_ONLY_ROLE]}))
    );

    mock.set_allow_direct_add(mock.account_id(), true);
    let table = run(cli(&mock).args([
        "members",
        "add",
        "--email",
        "direct@example.com",
        "--role",
        READ_ONLY_ROLE,
        "--role",
        BILLING_ROLE,
        "--status",
        "accepted",
    ]));
    table.expect_code(0).stdout_has(&[
        "email:     direct@example.com",
        "status:    accepted",
        "roles:     (not in the API's answer",
    ]);
    let stored = mock
        .members(mock.account_id())
        .into_iter()
        .find(|m| m.email() == Some("direct@example.com"))
        .unwrap();
    assert_eq!(
        stored.role_ids(),
        [READ_ONLY_ROLE, BILLING_ROLE].into_iter().collect()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn members_add_with_a_policies_file() {
    let mock = mock().await;
    let dir = std::env::temp_dir().join(format!("cf-members-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("add-policies.json");
    std::fs::write(&file, policies_json(ZONE_READ_GROUP)).unwrap();
    let run = run(cli(&mock)
        .args(["members", "add", "--email", "pol@example.com", "--policies"])
        .arg(&file)
        .args(["-o", "json"]));
    run.expect_code(0);
    let id = run.json()["id"].as_str().unwrap().to_owned();
    let member = stored(&mock, &id).unwrap();
    assert_eq!(
        member["policies"][0]["permission_groups"][0]["id"],
        ZONE_READ_GROUP
    );
    assert_eq!(member["policies"][0]["access"], "allow");
    let sent = mock.requests().last().unwrap().json.clone().unwrap();
    assert_eq!(
        sent,
        json!({"email": "pol@example.com", "policies": serde_json::from_str::<Value>(&policies_json(ZONE_READ_GROUP)).unwrap()})
    );
    std::fs::remove_file(&file).ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn members_update_roles_in_both_modes() {
    let mock = mock().await;
    let table = run(cli(&mock).args([
        "members",
        "update",
        BOB,
        "--role",
        READ_ONLY_ROLE,
        "--role",
        BILLING_ROLE,
    ]));
    table.expect_code(0).stdout_has(&[
        &format!("id:        {BOB}"),
        &format!("Administrator Read Only ({READ_ONLY_ROLE})"),
        &format!("Billing ({BILLING_ROLE})"),
    ]);
    let member = mock.member(mock.account_id(), BOB).unwrap();
    assert_eq!(
        member.role_ids(),
        [READ_ONLY_ROLE, BILLING_ROLE].into_iter().collect()
    );
    // The role ids are checked against one read of the roles, the members
    // are read once for the lockout guard (another member holds the Super
    // Administrator role), the user groups once (none denies, which could
    // cancel that role; no group's members), then one PUT.
    let requests = mock.requests();
    let methods: Vec<&str> = requests.iter().map(|r| r.method.as_str()).collect();
    assert_eq!(methods, ["GET", "GET", "GET", "PUT"], "{requests:?}");
    assert!(requests[1].path.ends_with("/members"), "{requests:?}");
    assert_eq!(
        requests[3].json,
        Some(json!({"roles": [{"id": READ_ONLY_ROLE}, {"id": BILLING_ROLE}]}))
    );

    let json = run(cli(&mock).args(["members", "update", BOB, "--role", ADMIN_ROLE, "-o", "json"]));
    json.expect_code(0);
    assert_eq!(json.json(), stored(&mock, BOB).unwrap());
    assert_eq!(json.json()["roles"][0]["id"], ADMIN_ROLE);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn members_update_policies_from_stdin() {
    let mock = mock().await;
    let run = run(cli(&mock)
        .args(["members", "update", BOB, "--policies", "-", "-o", "json"])
        .write_stdin(policies_json(DNS_WRITE_GROUP)));
    run.expect_code(0);
    let member = stored(&mock, BOB).unwrap();
    assert_eq!(run.json(), member);
    assert_eq!(
        member["policies"][0]["permission_groups"][0]["id"],
        DNS_WRITE_GROUP
    );
    let put = mock
        .requests()
        .into_iter()
        .find(|r| r.method == "PUT")
        .expect("one PUT");
    assert_eq!(
        put.json,
        Some(
            json!({"policies": serde_json::from_str::<Value>(&policies_json(DNS_WRITE_GROUP)).unwrap()})
        )
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn members_remove_in_both_modes() {
    let mock = mock().await;
    let table = run(cli(&mock).args(["members", "remove", BOB]));
    table.expect_code(0);
    assert_eq!(table.stdout, format!("removed member {BOB}\n"));
    assert!(stored(&mock, BOB).is_none());

    let json = run(cli(&mock).args(["members", "remove", ERIN, "-o", "json"]));
    json.expect_code(0);
    assert_eq!(json.json(), json!({"id": ERIN}));
    assert!(stored(&mock, ERIN).is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dry_runs_print_the_request_and_send_nothing() {
    let mock = mock().await;
    let before = mock.members(mock.account_id());
    let base = mock.base_url();
    let account = mock.account_id().as_str().to_owned();

    let add = run(cli(&mock).args([
        "members",
        "add",
        "--email",
        "x@example.com",
        "--role",
        READ_ONLY_ROLE,
        "--dry-run",
    ]));
    add.expect_code(0)
        .stdout_has(&[
            &format!("POST {base}/accounts/{account}/members\n"),
            "auth: api-token\n",
            &format!("\"roles\": [\n    \"{READ_ONLY_ROLE}\"\n  ]"),
            "\"email\": \"x@example.com\"",
        ])
        .stderr_has(&["dry run: nothing was sent"]);

    let update = run(cli(&mock)
        .args([
            "members",
            "update",
            BOB,
            "--policies",
            "-",
            "--dry-run",
            "-o",
            "json",
        ])
        .write_stdin(policies_json(ZONE_READ_GROUP)));
    update.expect_code(0);
    assert_eq!(
        update.json(),
        json!({
            "dry_run": true,
            "method": "PUT",
            "url": format!("{base}/accounts/{account}/members/{BOB}"),
            "auth_scheme": "api-token",
            "resolved": [],
            "body": {"policies": serde_json::from_str::<Value>(&policies_json(ZONE_READ_GROUP)).unwrap()},
        })
    );

    let remove = run(cli(&mock).args(["members", "remove", JOHN, "--dry-run"]));
    remove.expect_code(0);
    assert_eq!(
        remove.stdout,
        format!("DELETE {base}/accounts/{account}/members/{JOHN}\nauth: api-token\nbody: none\n")
    );

    // The legacy key scheme is named, never shown.
    let legacy = run(bare()
        .env("CLOUDFLARE_EMAIL", EMAIL)
        .env("CLOUDFLARE_API_KEY", SECRET_API_KEY)
        .env("CLOUDFLARE_BASE_URL", mock.base_url())
        .env("CLOUDFLARE_ACCOUNT_ID", &account)
        .args(["members", "remove", JOHN, "--dry-run"]));
    legacy.expect_code(0).stdout_has(&["auth: api-key\n"]);

    // The role id was checked (one read of the roles); nothing was written.
    assert!(
        mock.requests().iter().all(|r| r.method == "GET"),
        "a dry run sent {:?}",
        mock.requests()
    );
    assert_eq!(mock.members(mock.account_id()), before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn roles_list_and_get_in_both_modes() {
    let mock = mock().await;
    let roles: Vec<Value> = mock
        .roles(mock.account_id())
        .iter()
        .map(|r| serde_json::to_value(r).unwrap())
        .collect();

    let json = run(cli(&mock).args(["roles", "list", "-o", "json"]));
    json.expect_code(0);
    assert_eq!(json.json(), Value::Array(roles.clone()));

    let page = run(cli(&mock).args([
        "roles",
        "list",
        "--per-page",
        "5",
        "--page",
        "3",
        "-o",
        "json",
    ]));
    page.expect_code(0);
    assert_eq!(page.json(), Value::Array(roles[10..].to_vec()));

    let table = run(cli(&mock).args(["roles", "list"]));
    table.expect_code(0);
    assert_eq!(table.stdout.lines().count(), 1 + roles.len());
    assert!(table.stdout.starts_with("ID   "));
    table.stdout_has(&[&format!("{READ_ONLY_ROLE}  Administrator Read Only ")]);
    let name_at = column(&table.stdout, "NAME");
    for line in table.stdout.lines().skip(1) {
        assert_eq!(line.chars().nth(name_at - 1), Some(' '), "{line}");
        assert_ne!(line.chars().nth(name_at), Some(' '), "{line}");
    }

    let one = run(cli(&mock).args(["roles", "get", ADMIN_ROLE, "-o", "json"]));
    one.expect_code(0);
    assert_eq!(
        &one.json(),
        roles.iter().find(|r| r["id"] == ADMIN_ROLE).unwrap()
    );
    let one = run(cli(&mock).args(["roles", "get", ADMIN_ROLE]));
    one.expect_code(0).stdout_has(&[
        &format!("id:           {ADMIN_ROLE}"),
        "name:         Account Administrator",
        "permissions:  analytics: read\n",
        "zones: read, write\n",
    ]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verbose_prints_one_line_per_attempt() {
    let mock = mock().await;
    mock.inject(
        Fault::on("GET", "/accounts/*/members/*")
            .status(502)
            .html("<center><h1>502 Bad Gateway</h1></center>"),
    );
    let run = run(cli(&mock).args(["-v", "members", "get", JOHN]));
    run.expect_code(0);
    // John has policies, so the table also reads the account's zones (to
    // name them): one more attempt line, for /zones.
    let lines: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| !l.contains("GET /zones"))
        .collect();
    assert_eq!(lines.len(), 2, "one line per attempt:\n{}", run.stderr);
    assert_eq!(run.stderr.lines().count(), 3, "{}", run.stderr);
    let path = format!("/accounts/{}/members/{JOHN}", mock.account_id());
    assert!(
        lines[0].starts_with(&format!("cf-members: attempt 1: GET {path} -> 502 cf-ray=")),
        "{}",
        lines[0]
    );
    assert!(
        lines[0].contains("-MOCK ") && lines[0].contains(" ms; retrying in "),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].starts_with(&format!("cf-members: attempt 2: GET {path} -> 200 cf-ray=")),
        "{}",
        lines[1]
    );
    assert!(lines[1].ends_with(" ms"), "{}", lines[1]);
    // Every line names a real cf-ray of the mock's answers.
    assert!(run.stdout.contains("John Appleseed"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn members_update_adds_and_removes_roles_by_name() {
    let mock = mock().await;
    let puts = |mock: &MockServer| {
        mock.requests()
            .into_iter()
            .filter(|r| r.method == "PUT")
            .collect::<Vec<_>>()
    };
    // Bob has DNS: add Billing and Administrator Read Only, in any case.
    let dry = run(cli(&mock).args([
        "members",
        "update",
        BOB_EMAIL,
        "--add-role",
        "billing",
        "--add-role",
        "Administrator Read Only",
        "--dry-run",
    ]));
    dry.expect_code(0)
        .stdout_has(&[&format!("\"id\": \"{DNS_ROLE}\"")]);
    assert!(puts(&mock).is_empty());
    run(cli(&mock).args([
        "members",
        "update",
        BOB_EMAIL,
        "--add-role",
        "billing",
        "--add-role",
        "Administrator Read Only",
    ]))
    .expect_code(0);
    let mut want = vec![DNS_ROLE, BILLING_ROLE, READ_ONLY_ROLE];
    want.sort();
    assert_eq!(role_ids(&mock, BOB), want);
    // One PUT of the whole set.
    let sent = puts(&mock);
    assert_eq!(sent.len(), 1);
    assert_eq!(
        sent[0].json.as_ref().unwrap()["roles"]
            .as_array()
            .unwrap()
            .len(),
        3
    );

    // Take DNS away, add one he has: only DNS goes.
    run(cli(&mock).args([
        "members",
        "update",
        BOB_EMAIL,
        "--remove-role",
        "DNS",
        "--add-role",
        "Billing",
    ]))
    .expect_code(0)
    .stderr_has(&["already has role Billing"]);
    let mut want = vec![BILLING_ROLE, READ_ONLY_ROLE];
    want.sort();
    assert_eq!(role_ids(&mock, BOB), want);

    // Nothing to change: nothing sent.
    mock.clear_requests();
    run(cli(&mock).args(["members", "update", BOB_EMAIL, "--remove-role", "DNS"]))
        .expect_code(0)
        .stderr_has(&[
            "does not have role DNS; nothing to remove",
            "would not change; nothing was sent",
        ]);
    assert!(puts(&mock).is_empty());

    // Refused, nothing sent: every role gone, a member with policies, a
    // role both added and removed, unknown names (all told).
    for (args, told) in [
        (
            vec!["--remove-role", "Billing", "--remove-role", READ_ONLY_ROLE],
            "would keep no access",
        ),
        (
            vec!["--add-role", "DNS", "--remove-role", "dns"],
            "is both added and removed",
        ),
        (
            vec!["--add-role", "Bilin", "--remove-role", "Nope"],
            "2 names did not resolve",
        ),
    ] {
        let mut all = vec!["members", "update", BOB_EMAIL];
        all.extend(args);
        run(cli(&mock).args(&all))
            .expect_code(2)
            .stderr_has(&[told]);
    }
    run(cli(&mock).args(["members", "update", ERIN_EMAIL, "--add-role", "DNS"]))
        .expect_code(2)
        .stderr_has(&["has 1 policy, and setting roles drops a member's policies"]);
    assert!(puts(&mock).is_empty());
    // Not with --role.
    run(cli(&mock).args([
        "members",
        "update",
        BOB_EMAIL,
        "--add-role",
        "DNS",
        "--role",
        "DNS",
    ]))
    .expect_code(2);
}
