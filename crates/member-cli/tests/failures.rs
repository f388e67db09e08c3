//! Exit codes and error reports of the built `cf-members`: invalid input
//! (exit 2, nothing sent) and failures from member-mock faults (exit 1),
//! each told on stderr with the status, Cloudflare codes, cf-ray and a hint.

mod common;

use common::*;
use member_mock::{Fault, MockServer};

/// Asserts that every request the mock saw was a read.
fn assert_no_writes(mock: &MockServer) {
    let writes: Vec<_> = mock
        .requests()
        .into_iter()
        .filter(|r| r.method != "GET")
        .collect();
    assert!(writes.is_empty(), "written: {writes:?}");
}

/// Asserts exit 2, that nothing reached the mock, and that stderr is short.
fn refused(mock: &MockServer, run: &Run) {
    run.expect_code(2);
    assert!(run.stdout.is_empty(), "stdout: {}", run.stdout);
    assert!(mock.requests().is_empty(), "sent {:?}", mock.requests());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_id_is_refused_before_sending() {
    let mock = mock().await;
    let run1 = run(cli(&mock).args(["members", "get", "../roles"]));
    refused(&mock, &run1);
    run1.stderr_has(&["invalid email \"../roles\""]);
    let forced = run(cli(&mock).args(["members", "get", "id:../roles"]));
    refused(&mock, &forced);
    forced.stderr_has(&[
        "invalid member_id \"../roles\"",
        "1 to 32 ASCII letters or digits",
    ]);

    // Not an id, so a name: looked up (one read), not found, nothing written.
    let run2 = run(cli(&mock).args(["members", "update", BOB, "--role", "not-a-role!"]));
    run2.expect_code(2)
        .stderr_has(&["no role \"not-a-role!\"", "nothing was sent"]);
    assert_no_writes(&mock);

    let run3 = run(cli(&mock).args(["roles", "get", "%2e%2e"]));
    run3.expect_code(2).stderr_has(&["no role \"%2e%2e\""]);
    assert_no_writes(&mock);
    mock.clear_requests();

    // Not an account id, so an account name: looked up (`GET /accounts`
    // filtered by the name, then once unfiltered for the closest names),
    // not found, nothing else sent.
    let run4 = run(cli(&mock)
        .env("CLOUDFLARE_ACCOUNT_ID", "123")
        .args(["members", "list"]));
    run4.expect_code(2).stderr_has(&[
        "no account \"123\"",
        "an account id is 32 hex characters; nothing was sent",
        "hint: `cf-members accounts list` shows the names and ids",
    ]);
    let sent: Vec<String> = mock.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(
        sent,
        ["/client/v4/accounts", "/client/v4/accounts"],
        "{sent:?}"
    );
    mock.clear_requests();
    // A forced id is checked as one: refused before sending.
    let run5 = run(cli(&mock)
        .env("CLOUDFLARE_ACCOUNT_ID", "id:123")
        .args(["members", "list"]));
    refused(&mock, &run5);
    run5.stderr_has(&["invalid account_id \"123\""]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_credentials_or_account_are_refused_with_a_hint() {
    let mock = mock().await;
    let no_creds = run(bare()
        .env("CLOUDFLARE_BASE_URL", mock.base_url())
        .env("CLOUDFLARE_ACCOUNT_ID", mock.account_id().as_str())
        .args(["members", "list"]));
    refused(&mock, &no_creds);
    no_creds.stderr_has(&[
        "cf-members: error: no Cloudflare credentials",
        "CLOUDFLARE_API_TOKEN",
        "CLOUDFLARE_EMAIL and CLOUDFLARE_API_KEY",
        "CLOUDFLARE_API_USER_SERVICE_KEY",
        "hint: credentials are read from the environment only",
    ]);
    assert_eq!(no_creds.stderr.lines().count(), 2, "{}", no_creds.stderr);

    // A dry run needs them too: it shows the scheme that would be used.
    let dry = run(bare()
        .env("CLOUDFLARE_BASE_URL", mock.base_url())
        .env("CLOUDFLARE_ACCOUNT_ID", mock.account_id().as_str())
        .args(["members", "remove", BOB, "--dry-run"]));
    refused(&mock, &dry);
    dry.stderr_has(&["no Cloudflare credentials"]);

    let half = run(bare()
        .env("CLOUDFLARE_EMAIL", EMAIL)
        .env("CLOUDFLARE_BASE_URL", mock.base_url())
        .env("CLOUDFLARE_ACCOUNT_ID", mock.account_id().as_str())
        .args(["roles", "list"]));
    refused(&mock, &half);
    half.stderr_has(&["CLOUDFLARE_EMAIL is set but CLOUDFLARE_API_KEY is not"]);

    let no_account = run(cli(&mock)
        .env_remove("CLOUDFLARE_ACCOUNT_ID")
        .args(["roles", "list"]));
    refused(&mock, &no_account);
    no_account.stderr_has(&[
        "no account given",
        "hint: pass --account-id ID or set CLOUDFLARE_ACCOUNT_ID",
    ]);
    // An empty variable counts as unset.
    let empty = run(cli(&mock)
        .env("CLOUDFLARE_ACCOUNT_ID", "")
        .args(["roles", "list"]));
    refused(&mock, &empty);
    empty.stderr_has(&["no account given"]);
    // A flag wins over the variable.
    let flag = run(cli(&mock).env("CLOUDFLARE_ACCOUNT_ID", "").args([
        "roles",
        "list",
        "--account-id",
        mock.account_id().as_str(),
    ]));
    flag.expect_code(0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_malformed_policies_file_is_refused_with_the_problem_named() {
    let mock = mock().await;
    let bad_access = policies_json(ZONE_READ_GROUP).replace("allow", "permit");
    let run1 = run(cli(&mock)
        .args(["members", "update", BOB, "--policies", "-"])
        .write_stdin(bad_access));
    refused(&mock, &run1);
    run1.stderr_has(&[
        "malformed policies stdin at `[0]`",
        "expected one of: allow deny",
        "hint: ",
    ]);

    let not_json = run(cli(&mock)
        .args([
            "members",
            "add",
            "--email",
            "a@example.com",
            "--policies",
            "-",
        ])
        .write_stdin("[{\"access\": \"allow\",,]"));
    refused(&mock, &not_json);
    not_json.stderr_has(&["malformed policies stdin", "line 1 column"]);

    let body = run(cli(&mock)
        .args(["members", "update", BOB, "--policies", "-"])
        .write_stdin(format!(
            "{{\"policies\": {}}}",
            policies_json(ZONE_READ_GROUP)
        )));
    refused(&mock, &body);
    body.stderr_has(&["hint: give the array itself"]);

    let missing = run(cli(&mock).args([
        "members",
        "update",
        BOB,
        "--policies",
        "/nonexistent/p.json",
    ]));
    refused(&mock, &missing);
    missing.stderr_has(&["cannot read policies file /nonexistent/p.json"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn usage_errors_exit_2() {
    let mock = mock().await;
    let both = run(cli(&mock).args([
        "members",
        "update",
        BOB,
        "--role",
        READ_ONLY_ROLE,
        "--policies",
        "p.json",
    ]));
    refused(&mock, &both);
    both.stderr_has(&["'--role <ROLE>' cannot be used with '--policies <FILE>'"]);

    let neither = run(cli(&mock).args(["members", "add", "--email", "a@example.com"]));
    refused(&mock, &neither);
    neither.stderr_has(&["required arguments were not provided"]);

    for args in [
        &["members", "list", "--status", "suspended"][..],
        &["members", "list", "--order", "user.age"],
        &["members", "list", "--direction", "up"],
        &["members", "list", "--per-page", "3"],
        &["members", "list", "--page", "0"],
        &["roles", "list", "--per-page", "51"],
        &["members", "list", "-o", "xml"],
        &["members", "list", "--timeout", "0"],
        &["members", "list", "--max-retries", "-1"],
        &[
            "members",
            "add",
            "--email",
            "not-an-email",
            "--role",
            READ_ONLY_ROLE,
        ],
        &[
            "members",
            "add",
            "--email",
            "a@example.com",
            "--role",
            READ_ONLY_ROLE,
            "--status",
            "rejected",
        ],
        &["members", "frobnicate"],
        &["members", "get"],
        &["members", "list", "--api-token", "x"],
    ] {
        let run = run(cli(&mock).args(args));
        refused(&mock, &run);
        assert!(
            run.stderr.starts_with("error: "),
            "{args:?}: {}",
            run.stderr
        );
    }

    // Credentials over plain http to a host that is not loopback.
    let clear = run(cli(&mock)
        .env("CLOUDFLARE_BASE_URL", "http://api.example.com/client/v4")
        .args(["roles", "list"]));
    clear
        .expect_code(2)
        .stderr_has(&["refusing to send credentials over plain http"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_html_502_then_success_is_retried() {
    let mock = mock().await;
    mock.inject(
        Fault::on("GET", "/accounts/*/members")
            .status(502)
            .html("<html><body><center><h1>502 Bad Gateway</h1></center></body></html>"),
    );
    let ok = run(cli(&mock).args(["members", "list", "-o", "json"]));
    ok.expect_code(0);
    assert_eq!(ok.json().as_array().unwrap().len(), 6);
    assert_eq!(mock.requests().len(), 2, "the 502, then the retry");

    // Without retries the 502 is the answer: status, excerpt, cf-ray, hint.
    mock.inject(
        Fault::on("GET", "/accounts/*/members")
            .status(502)
            .html("<center><h1>502 Bad Gateway</h1></center>"),
    );
    let failed = run(cli(&mock).args(["members", "list", "--max-retries", "0"]));
    failed.expect_code(1).stderr_has(&[
        "cf-members: error: GET /accounts/",
        "HTTP 502 Bad Gateway",
        "502 Bad Gateway</h1>",
        "(cf-ray ",
        "-MOCK)",
        "hint: the server failed: try again later",
    ]);
    assert!(failed.stdout.is_empty());
    assert_eq!(failed.stderr.lines().count(), 2, "{}", failed.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_token_is_a_403_with_code_10000() {
    let mock = mock().await;
    let run = run(cli(&mock)
        .env("CLOUDFLARE_API_TOKEN", "wrong-S3CRET-token")
        .args(["members", "get", JOHN]));
    run.expect_code(1).stderr_has(&[
        "HTTP 403 Forbidden",
        "10000 Authentication error",
        "(cf-ray ",
        "hint: check the token and its permissions",
    ]);
    assert_eq!(run.stderr.lines().count(), 2, "{}", run.stderr);
    assert!(run.stdout.is_empty());
    assert_eq!(mock.requests().len(), 1, "a 403 is not retried");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn success_false_in_a_200_is_a_failure() {
    let mock = mock().await;
    mock.inject(
        Fault::on("PUT", "/accounts/*/members/*").success_false(1001, "Invalid role assignment"),
    );
    let run = run(cli(&mock).args(["members", "update", BOB, "--role", READ_ONLY_ROLE]));
    run.expect_code(1).stderr_has(&[
        "PUT /accounts/",
        "HTTP 200 OK with success:false",
        "1001 Invalid role assignment",
        "(cf-ray ",
    ]);
    assert!(run.stdout.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_429_tells_how_long_the_server_asked_to_wait() {
    let mock = mock().await;
    // Longer than the client's 60 s cap: it fails at once, with the wait.
    mock.inject(
        Fault::any("/accounts/*/roles")
            .cloudflare_error(429, 10100, "Rate limited")
            .retry_after(120),
    );
    let started = std::time::Instant::now();
    let capped = run(cli(&mock).args(["roles", "list"]));
    assert!(started.elapsed().as_secs() < 20, "did not wait the 120 s");
    capped.expect_code(1).stderr_has(&[
        "HTTP 429 Too Many Requests",
        "10100 Rate limited",
        "(cf-ray ",
        "hint: rate limited: the server asked to wait 120 s",
    ]);

    // Within the cap but with no retries left; a body that is JSON null.
    mock.inject(
        Fault::any("/accounts/*/members/*")
            .status(429)
            .null_body()
            .retry_after(7),
    );
    let no_retry = run(cli(&mock).args(["members", "get", JOHN, "--max-retries", "0"]));
    no_retry.expect_code(1).stderr_has(&[
        "HTTP 429",
        "hint: rate limited: the server asked to wait 7 s",
    ]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_failures_exit_1_with_hints() {
    let mock = mock().await;
    let missing = run(cli(&mock).args(["members", "get", "ffffffffffffffffffffffffffffffff"]));
    missing.expect_code(1).stderr_has(&[
        "HTTP 404 Not Found",
        "1003",
        "hint: no such member or role in this account",
    ]);

    let refused_add = run(cli(&mock).args([
        "members",
        "add",
        "--email",
        "d@example.com",
        "--role",
        READ_ONLY_ROLE,
        "--status",
        "accepted",
    ]));
    refused_add.expect_code(1).stderr_has(&[
        "HTTP 400",
        "1001",
        "hint: the status was refused: leave out --status to invite",
    ]);
    // The hint follows the field the error points at.
    let existing = run(cli(&mock).args([
        "members",
        "add",
        "--email",
        "BOB.dns@example.com",
        "--role",
        READ_ONLY_ROLE,
    ]));
    existing.expect_code(1).stderr_has(&[
        "already a member",
        "hint: the email was refused: `cf-members members get EMAIL` shows whether",
    ]);

    let unknown_role = run(cli(&mock).args([
        "members",
        "update",
        BOB,
        "--role",
        "ffffffffffffffffffffffffffffffff",
    ]));
    // An unknown role id is caught before anything is written.
    unknown_role.expect_code(2).stderr_has(&[
        "no role \"ffffffffffffffffffffffffffffffff\"",
        "nothing was sent",
    ]);
    assert!(mock.requests().iter().all(|r| r.method != "PUT"));

    // A change that failed with a 5xx may still have been applied.
    mock.inject(
        Fault::on("DELETE", "/accounts/*/members/*")
            .times(3)
            .cloudflare_error(500, 10000, "Internal error"),
    );
    let remove = run(cli(&mock).args(["members", "remove", BOB, "--max-retries", "0"]));
    remove
        .expect_code(1)
        .stderr_has(&["HTTP 500", "hint: the change may have been applied"]);

    // Nothing listening.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let unreachable = run(cli(&mock)
        .env(
            "CLOUDFLARE_BASE_URL",
            format!("http://127.0.0.1:{port}/client/v4"),
        )
        .args(["roles", "list", "--max-retries", "0"]));
    unreachable.expect_code(1).stderr_has(&[
        "could not connect",
        "hint: check the base URL (--base-url, CLOUDFLARE_BASE_URL)",
    ]);

    // A per-attempt timeout.
    mock.inject(Fault::any("/accounts/*/roles/*").delay(std::time::Duration::from_secs(3)));
    let slow = run(cli(&mock).args([
        "roles",
        "get",
        ADMIN_ROLE,
        "--timeout",
        "1",
        "--max-retries",
        "0",
    ]));
    slow.expect_code(1)
        .stderr_has(&["no complete response within 1s", "hint: --timeout sets"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_list_that_stops_before_the_servers_totals_is_an_error() {
    let mock = mock().await;
    mock.add_members(120);
    // The first page comes back empty although it claims 3 pages: never a
    // silent `[]`.
    mock.inject(
        Fault::on("GET", "/accounts/*/members")
            .status(200)
            .json(serde_json::json!({
                "success": true, "errors": [], "messages": [], "result": [],
                "result_info": {"page": 1, "per_page": 50, "count": 0,
                                "total_count": 126, "total_pages": 3}
            })),
    );
    let short = run(cli(&mock).args(["members", "list", "-o", "json"]));
    short.expect_code(1).stderr_has(&[
        "cf-members: error: ",
        "page 1 is empty after 0 items, but the server claims 3 pages and 126 items",
        "the list would be incomplete",
    ]);
    // Nothing is printed before the first page is in, and it never was.
    assert!(short.stdout.is_empty(), "stdout: {}", short.stdout);
    assert_eq!(mock.requests().len(), 1);
    mock.clear_requests();

    // Without the fault the same list is whole.
    let whole = run(cli(&mock).args(["members", "list", "-o", "json"]));
    whole.expect_code(0);
    assert_eq!(whole.json().as_array().unwrap().len(), 126);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refusal_hint_names_the_credentials_in_use() {
    let mock = mock().await;
    let without_token = || {
        let mut cmd = bare();
        cmd.env("CLOUDFLARE_BASE_URL", mock.base_url())
            .env("CLOUDFLARE_ACCOUNT_ID", mock.account_id().as_str());
        cmd
    };
    // A Global API key with its email: the hint names those two.
    let key = run(without_token()
        .env("CLOUDFLARE_EMAIL", EMAIL)
        .env("CLOUDFLARE_API_KEY", "wrong-S3CRET-key")
        .args(["members", "list"]));
    key.expect_code(1).stderr_has(&[
        "HTTP 403 Forbidden",
        "hint: check CLOUDFLARE_EMAIL and CLOUDFLARE_API_KEY (the Global API key",
    ]);
    assert!(!key.stderr.contains("token"), "{}", key.stderr);

    // A user service key: the hint says what it can be used for.
    let service = run(without_token()
        .env("CLOUDFLARE_API_USER_SERVICE_KEY", "v1.0-wrong-S3CRET")
        .args(["members", "list"]));
    service.expect_code(1).stderr_has(&[
        "HTTP 403 Forbidden",
        "hint: check CLOUDFLARE_API_USER_SERVICE_KEY",
        "only for Origin CA certificates",
    ]);

    // A token: as before.
    run(cli(&mock)
        .env("CLOUDFLARE_API_TOKEN", "wrong-S3CRET-token")
        .args(["members", "list"]))
    .expect_code(1)
    .stderr_has(&["hint: check the token and its permissions (CLOUDFLARE_API_TOKEN needs"]);
}

/// A policy item in the API's form, `{"id": …}`, is checked against the
/// account by id like a name is: an id the account does not have is
/// refused before anything is written, also in a dry run and in `apply`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_ids_in_the_apis_form_are_refused_before_writing() {
    let mock = mock().await;
    let writes = |mock: &MockServer| mock.requests().iter().filter(|r| r.method != "GET").count();
    let missing = "ffffffffffffffffffffffffffffffff";
    let unknown_group = format!(
        r#"[{{"access": "allow", "permission_groups": [{{"id": "{missing}"}}],
            "resource_groups": [{{"id": "{RESOURCE_GROUP}"}}]}}]"#
    );
    let unknown_scope = format!(
        r#"[{{"access": "allow", "permission_groups": [{{"id": "{ZONE_READ_GROUP}"}}],
            "resource_groups": [{{"id": "{missing}"}}]}}]"#
    );
    for (text, kind) in [
        (&unknown_group, "no permission group"),
        (&unknown_scope, "no resource group"),
    ] {
        for dry in [false, true] {
            let mut args = vec!["members", "update", BOB, "--policies", "-"];
            if dry {
                args.push("--dry-run");
            }
            let run1 = run(cli(&mock).args(&args).write_stdin(text.clone()));
            run1.expect_code(2)
                .stderr_has(&[kind, missing, "nothing was sent"]);
            assert_eq!(writes(&mock), 0, "{text} (dry run: {dry})");
        }
    }
    // `apply` plans it as a problem, and `--yes` sends nothing.
    let changes = format!(
        r#"[{{"op": "set_policies", "email": "{BOB_EMAIL}", "policies": {unknown_group}}}]"#
    );
    let plan = run(cli(&mock)
        .args(["apply", "-", "--yes"])
        .write_stdin(changes));
    assert_ne!(plan.code, 0, "{}", plan.stdout);
    assert!(
        plan.stdout.contains(missing) || plan.stderr.contains(missing),
        "{} {}",
        plan.stdout,
        plan.stderr
    );
    assert_eq!(writes(&mock), 0);

    // The ids that do exist go through, by id alone.
    let good = run(cli(&mock)
        .args(["members", "update", BOB, "--policies", "-"])
        .write_stdin(policies_json(ZONE_READ_GROUP)));
    good.expect_code(0);
    assert_eq!(writes(&mock), 1);
}

/// Names that resolve to the same permission group or scope are sent once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_group_named_twice_is_sent_once() {
    let mock = mock().await;
    let run1 = run(cli(&mock).args([
        "members",
        "update",
        ERIN_EMAIL,
        "--allow",
        &format!("DNS Write,dns write,{DNS_WRITE_GROUP}@account,ACCOUNT"),
    ]));
    run1.expect_code(0);
    let put = mock
        .requests()
        .into_iter()
        .find(|r| r.method == "PUT")
        .expect("one PUT");
    let body: serde_json::Value = serde_json::from_str(&put.body).unwrap();
    let policy = &body["policies"][0];
    assert_eq!(
        policy["permission_groups"].as_array().unwrap().len(),
        1,
        "{body}"
    );
    assert_eq!(
        policy["resource_groups"].as_array().unwrap().len(),
        1,
        "{body}"
    );
}
