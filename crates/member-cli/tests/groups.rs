//! `cf-members groups …` and `members get --effective` against member-mock:
//! groups and members by name or id, no write when a name does not resolve
//! or when the membership is already as asked, `set` as one PUT behind
//! `--yes`, and access through groups shown with its source.

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

fn group_members(mock: &MockServer, group: &str) -> Vec<String> {
    mock.user_group_members(mock.account_id(), group)
        .expect("the group exists")
        .into_iter()
        .map(|id| id.into_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_get_and_search_by_name() {
    let mock = mock().await;
    let all = run(cli(&mock).args(["groups", "list"]));
    all.expect_code(0).stdout_has(&[
        PLATFORM_ADMINS_NAME,
        SRE_ONCALL_NAME,
        AUDITORS_NAME,
        PLATFORM_ADMINS_GROUP,
    ]);
    let found = run(cli(&mock).args(["groups", "list", "--search", "on-c", "-o", "json"]));
    let found = found.expect_code(0).json();
    let names: Vec<&str> = found
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|g| g["name"].as_str())
        .collect();
    assert_eq!(names, [SRE_ONCALL_NAME]);
    let query = mock
        .requests()
        .into_iter()
        .rev()
        .find(|r| r.path.ends_with("/iam/user_groups"))
        .and_then(|r| r.query)
        .unwrap_or_default();
    assert!(query.contains("fuzzyName=on-c"), "{query}");

    let exact = run(cli(&mock).args(["groups", "list", "--name", "auditors", "-o", "json"]));
    assert!(exact.expect_code(0).json().is_array());

    // get by name in another case, or by id: the same group, policies by name.
    let by_name = run(cli(&mock).args(["groups", "get", "platform ADMINS"]));
    by_name
        .expect_code(0)
        .stdout_has(&[PLATFORM_ADMINS_GROUP, "allow", "policies:"]);
    let by_id = run(cli(&mock).args(["groups", "get", PLATFORM_ADMINS_GROUP, "-o", "json"]));
    assert_eq!(by_id.expect_code(0).json()["name"], PLATFORM_ADMINS_NAME);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_group_exits_2_with_suggestions_and_writes_nothing() {
    let mock = mock().await;
    for args in [
        vec!["groups", "get", "Platform admin"],
        vec!["groups", "members", "Platform admin", "add", BOB_EMAIL],
        vec![
            "groups",
            "members",
            "Platform admin",
            "set",
            BOB_EMAIL,
            "--yes",
        ],
        vec!["groups", "delete", "Platform admin", "--yes"],
        vec!["groups", "update", "Platform admin", "--name", "x"],
    ] {
        let run = run(cli(&mock).args(&args));
        run.expect_code(2).stderr_has(&[
            "no user group \"Platform admin\"",
            "did you mean \"Platform admins\"",
            "nothing was sent",
        ]);
    }
    // A malformed id costs no request at all.
    mock.clear_requests();
    run(cli(&mock).args(["groups", "get", "id:../x"])).expect_code(2);
    assert!(mock.requests().is_empty(), "{:#?}", mock.requests());
    assert!(writes(&mock).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_update_and_delete_by_name() {
    let mock = mock().await;
    // --dry-run resolves the names and sends nothing.
    let dry = run(cli(&mock).args([
        "groups",
        "create",
        "--name",
        "DNS editors",
        "--allow",
        "DNS Write@account",
        "--dry-run",
    ]));
    dry.expect_code(0)
        .stdout_has(&["permission group \"DNS Write\" = ", "POST ", "DNS editors"]);
    assert!(writes(&mock).is_empty(), "{:?}", writes(&mock));

    let created = run(cli(&mock).args([
        "groups",
        "create",
        "--name",
        "DNS editors",
        "--allow",
        "DNS Write@account",
        "-o",
        "json",
    ]));
    let created = created.expect_code(0).json();
    let id = created["id"].as_str().unwrap().to_owned();
    let post = mock
        .requests()
        .into_iter()
        .find(|r| r.method == "POST")
        .unwrap();
    assert_eq!(post.json.as_ref().unwrap()["name"], "DNS editors");
    assert_eq!(
        post.json.as_ref().unwrap()["policies"][0]["access"],
        "allow"
    );

    // Policies replace the whole set: the dry run says so.
    let dry = run(cli(&mock).args([
        "groups",
        "update",
        "dns editors",
        "--deny",
        "Billing@account",
        "--dry-run",
    ]));
    dry.expect_code(0)
        .stdout_has(&["note: the policies given replace every policy", "PUT "]);
    let dry = run(cli(&mock).args([
        "groups",
        "update",
        "dns editors",
        "--deny",
        "Billing@account",
        "--dry-run",
        "-o",
        "json",
    ]));
    let dry = dry.expect_code(0).json();
    assert!(dry["note"]
        .as_str()
        .unwrap()
        .contains("replace every policy"));
    assert_eq!(dry["body"]["policies"][0]["access"], "deny");

    let renamed = run(cli(&mock).args(["groups", "update", "DNS EDITORS", "--name", "DNS team"]));
    renamed.expect_code(0).stdout_has(&["DNS team"]);
    let put = mock
        .requests()
        .into_iter()
        .rev()
        .find(|r| r.method == "PUT")
        .unwrap();
    assert_eq!(put.json, Some(json!({"name": "DNS team"})));

    // delete: refused without --yes off a terminal, sent with it.
    mock.clear_requests();
    let refused = run(cli(&mock).args(["groups", "delete", "DNS team"]));
    refused
        .expect_code(2)
        .stderr_has(&["was not deleted; nothing was sent", "--yes"]);
    assert!(writes(&mock).is_empty());
    let deleted = run(cli(&mock).args(["groups", "delete", "dns team", "--yes"]));
    deleted
        .expect_code(0)
        .stdout_has(&["deleted user group DNS team"]);
    assert_eq!(writes(&mock).len(), 1);
    assert!(writes(&mock)[0].ends_with(&format!("/iam/user_groups/{id}")));
    assert!(mock
        .user_groups(mock.account_id())
        .iter()
        .all(|g| g.id.as_str() != id));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn members_list_add_and_remove_check_the_group_first() {
    let mock = mock().await;
    let listed = run(cli(&mock).args(["groups", "members", SRE_ONCALL_NAME, "list"]));
    listed.expect_code(0).stdout_has(&[BOB_EMAIL, DAVE_EMAIL]);
    // An empty group (the API's `result: null`) lists as nobody.
    let empty = run(cli(&mock).args(["groups", "members", AUDITORS_NAME, "list", "-o", "json"]));
    assert_eq!(empty.expect_code(0).json(), json!([]));

    // Already in: told, nothing sent.
    mock.clear_requests();
    let again = run(cli(&mock).args([
        "groups",
        "members",
        "sre ON-CALL",
        "add",
        "Bob.DNS@example.com",
    ]));
    again
        .expect_code(0)
        .stderr_has(&["is already in user group SRE on-call", "nothing was sent"]);
    assert!(writes(&mock).is_empty(), "{:?}", writes(&mock));

    // Not in: told, nothing sent.
    let absent = run(cli(&mock).args(["groups", "members", SRE_ONCALL_NAME, "remove", ERIN_EMAIL]));
    absent
        .expect_code(0)
        .stderr_has(&["is not in user group SRE on-call", "nothing was sent"]);
    assert!(writes(&mock).is_empty());

    // An unknown member: exit 2 with the closest emails, nothing sent.
    let unknown = run(cli(&mock).args([
        "groups",
        "members",
        SRE_ONCALL_NAME,
        "add",
        "erin.policy@example.com",
    ]));
    unknown
        .expect_code(2)
        .stderr_has(&[ERIN_EMAIL, "nothing was sent"]);
    assert!(writes(&mock).is_empty());

    // One already in, one new: one POST with the new one only.
    let added =
        run(cli(&mock).args(["groups", "members", SRE_ONCALL_NAME, "add", BOB_EMAIL, ERIN]));
    added
        .expect_code(0)
        .stdout_has(&["added to user group SRE on-call", ERIN_EMAIL]);
    let posts: Vec<_> = mock
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST")
        .collect();
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0].json, Some(json!([{"id": ERIN}])));
    assert!(group_members(&mock, SRE_ONCALL_GROUP).contains(&ERIN.to_owned()));

    // Remove by id and by email: one DELETE each.
    mock.clear_requests();
    let dry = run(cli(&mock).args([
        "groups",
        "members",
        SRE_ONCALL_NAME,
        "remove",
        ERIN,
        BOB_EMAIL,
        "--dry-run",
    ]));
    dry.expect_code(0).stdout_has(&["DELETE ", ERIN, BOB]);
    assert!(writes(&mock).is_empty());
    let removed = run(cli(&mock).args([
        "groups",
        "members",
        SRE_ONCALL_NAME,
        "remove",
        ERIN,
        BOB_EMAIL,
    ]));
    removed
        .expect_code(0)
        .stdout_has(&["removed from user group SRE on-call"]);
    assert_eq!(writes(&mock).len(), 2, "{:?}", writes(&mock));
    assert_eq!(group_members(&mock, SRE_ONCALL_GROUP), [DAVE]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn set_prints_the_plan_and_needs_yes() {
    let mock = mock().await;
    mock.clear_requests();
    let plan = run(cli(&mock).args([
        "groups",
        "members",
        SRE_ONCALL_NAME,
        "set",
        BOB_EMAIL,
        ERIN_EMAIL,
    ]));
    plan.expect_code(2)
        .stdout_has(&[
            "2 members now, 2 members after",
            &format!("add:    {ERIN_EMAIL} ({ERIN})"),
            &format!("remove: {DAVE_EMAIL} ({DAVE})"),
            "keep:   1 member",
        ])
        .stderr_has(&["was not changed; nothing was sent", "--yes"]);
    assert!(writes(&mock).is_empty());

    let json = run(cli(&mock).args([
        "groups",
        "members",
        SRE_ONCALL_NAME,
        "set",
        BOB_EMAIL,
        ERIN_EMAIL,
        "-o",
        "json",
    ]));
    let json = json.expect_code(2).json();
    assert_eq!(json["add"], json!([ERIN]));
    assert_eq!(json["remove"][0]["id"], DAVE);
    assert_eq!(json["sent"], false);
    assert!(writes(&mock).is_empty());

    let done = run(cli(&mock).args([
        "groups",
        "members",
        SRE_ONCALL_NAME,
        "set",
        BOB_EMAIL,
        ERIN_EMAIL,
        "--yes",
    ]));
    done.expect_code(0).stdout_has(&["1 added, 1 removed"]);
    assert_eq!(writes(&mock).len(), 1);
    let mut now = group_members(&mock, SRE_ONCALL_GROUP);
    now.sort();
    assert_eq!(now, [BOB, ERIN]);

    // Already so: nothing sent, even with --yes.
    mock.clear_requests();
    let same = run(cli(&mock).args([
        "groups",
        "members",
        SRE_ONCALL_NAME,
        "set",
        ERIN,
        BOB,
        "--yes",
    ]));
    same.expect_code(0)
        .stderr_has(&["already holds exactly these members"]);
    assert!(writes(&mock).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn set_one_fewer_of_120_is_one_put_keeping_the_other_119() {
    let mock = mock().await;
    let filled = mock.fill_user_group(mock.account_id(), AUDITORS_GROUP, 120);
    assert_eq!(group_members(&mock, AUDITORS_GROUP).len(), 120);
    let keep: Vec<String> = filled[1..]
        .iter()
        .map(|id| id.as_str().to_owned())
        .collect();
    let dropped = filled[0].as_str().to_owned();
    mock.clear_requests();
    let mut args = vec!["groups", "members", AUDITORS_NAME, "set"];
    args.extend(keep.iter().map(String::as_str));
    args.push("--yes");
    let done = run(cli(&mock).args(&args));
    done.expect_code(0).stdout_has(&[
        "120 members now, 119 members after",
        &dropped,
        "keep:   119 members",
        "0 added, 1 removed",
    ]);
    let writes: Vec<_> = mock
        .requests()
        .into_iter()
        .filter(|r| r.method != "GET")
        .collect();
    assert_eq!(
        writes.len(),
        1,
        "{:?}",
        writes.iter().map(|r| &r.path).collect::<Vec<_>>()
    );
    assert_eq!(writes[0].method, "PUT");
    assert!(writes[0]
        .path
        .ends_with(&format!("/iam/user_groups/{AUDITORS_GROUP}/members")));
    let body: Vec<String> = writes[0]
        .json
        .as_ref()
        .and_then(Value::as_array)
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(body, keep);
    assert_eq!(group_members(&mock, AUDITORS_GROUP), keep);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn effective_access_shows_the_group_grant_and_its_source() {
    let mock = mock().await;
    // Carol's own roles are Billing and read only...
    let own = run(cli(&mock).args(["members", "get", CAROL_EMAIL]));
    own.expect_code(0);
    assert!(!own.stdout.contains("Platform admins"));

    // ...but through "Platform admins" she is Super Administrator on the
    // whole account.
    let effective = run(cli(&mock).args(["members", "get", CAROL_EMAIL, "--effective"]));
    effective.expect_code(0).stdout_has(&[
        &format!("through user group {PLATFORM_ADMINS_NAME} ({PLATFORM_ADMINS_GROUP}):"),
        "allow Super Administrator - All Privileges, Billing",
        "Administrator Read Only",
    ]);

    let json = run(cli(&mock).args(["members", "get", CAROL, "--effective", "-o", "json"]));
    let json = json.expect_code(0).json();
    assert_eq!(json["member"]["id"], CAROL);
    assert_eq!(
        json["groups"],
        json!([{"id": PLATFORM_ADMINS_GROUP, "name": PLATFORM_ADMINS_NAME}])
    );
    let grant = json["grants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["source"]["type"] == "group")
        .expect("a grant through a group");
    assert_eq!(
        grant["source"],
        json!({"type": "group", "id": PLATFORM_ADMINS_GROUP, "name": PLATFORM_ADMINS_NAME})
    );
    let groups: Vec<&str> = grant["policy"]["permission_groups"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|g| g["name"].as_str())
        .collect();
    assert!(
        groups.contains(&"Super Administrator - All Privileges"),
        "{groups:?}"
    );
    assert_eq!(
        grant["policy"]["resource_groups"][0]["id"],
        ACCOUNT_RESOURCE_GROUP
    );
    assert!(writes(&mock).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_puts_members_into_and_out_of_groups() {
    let mock = mock().await;
    let dir = std::env::temp_dir().join(format!("cf-members-groups-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("changes.json");
    std::fs::write(
        &file,
        json!([
            {"op": "add_to_group", "email": ERIN_EMAIL, "group": "sre on-call"},
            {"op": "add_to_group", "email": BOB_EMAIL, "group": SRE_ONCALL_NAME},
            {"op": "remove_from_group", "id": DAVE, "group": SRE_ONCALL_GROUP},
            {"op": "remove_from_group", "email": ERIN_EMAIL, "group": AUDITORS_NAME},
        ])
        .to_string(),
    )
    .unwrap();
    mock.clear_requests();
    let plan = run(cli(&mock).arg("apply").arg(&file));
    plan.expect_code(0).stdout_has(&[
        "2 changes (1 group addition, 1 group removal); 2 members already in the wanted state",
        &format!("add to group  {ERIN_EMAIL} ({ERIN})"),
        &format!("remove from group  {DAVE_EMAIL} ({DAVE})"),
        &format!("group: {SRE_ONCALL_NAME} ({SRE_ONCALL_GROUP})"),
    ]);
    assert!(writes(&mock).is_empty());

    let ran = run(cli(&mock).arg("apply").arg(&file).arg("--yes"));
    ran.expect_code(0);
    let sent = writes(&mock);
    assert_eq!(sent.len(), 2, "{sent:?}");
    let mut now = group_members(&mock, SRE_ONCALL_GROUP);
    now.sort();
    assert_eq!(now, [BOB, ERIN]);

    // The same file again: everything is already so, nothing is sent.
    mock.clear_requests();
    let again = run(cli(&mock).arg("apply").arg(&file).arg("--yes"));
    again.expect_code(0).stdout_has(&["nothing to change"]);
    assert!(writes(&mock).is_empty());

    // An unknown group: the file is refused, nothing sent.
    std::fs::write(
        &file,
        json!([{"op": "add_to_group", "email": ERIN_EMAIL, "group": "Platform admin"}]).to_string(),
    )
    .unwrap();
    let refused = run(cli(&mock).arg("apply").arg(&file).arg("--yes"));
    refused.expect_code(2).stderr_has(&[
        "\"group\": no user group \"Platform admin\"",
        "Platform admins",
    ]);
    assert!(writes(&mock).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_policies_file_clears_a_groups_policies_but_not_a_members() {
    let mock = mock().await;
    let dir = std::env::temp_dir().join(format!("cf-members-groups-empty-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let empty = dir.join("empty.json");
    std::fs::write(&empty, "[]").unwrap();
    let empty = empty.to_str().unwrap();
    run(cli(&mock).args(["groups", "update", "Auditors", "--policies", empty])).expect_code(0);
    let auditors = mock
        .user_groups(mock.account_id())
        .into_iter()
        .find(|g| g.name.as_deref() == Some("Auditors"))
        .unwrap();
    assert!(auditors.policies.is_empty(), "{auditors:?}");
    mock.clear_requests();
    run(cli(&mock).args(["members", "update", BOB_EMAIL, "--policies", empty]))
        .expect_code(2)
        .stderr_has(&[
            "holds no policy",
            "to take all access away from a member, remove the member",
        ]);
    run(cli(&mock).args(["groups", "create", "--name", "Empty", "--policies", empty]))
        .expect_code(2)
        .stderr_has(&["holds no policy"]);
    assert!(mock.requests().iter().all(|r| r.method == "GET"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleting_a_resource_group_in_use_says_whose_policies_lose_it() {
    let mock = mock().await;
    run(cli(&mock).args(["resource-groups", "delete", "Production zones", "--dry-run"]))
        .expect_code(0)
        .stderr_has(&[
            "warning: policies of user group SRE on-call name this resource group: deleting it \
             takes its scope from them",
            "dry run: nothing was sent",
        ]);
    run(cli(&mock).args([
        "resource-groups",
        "create",
        "--name",
        "Unused",
        "--scope",
        "zone:example.com",
    ]))
    .expect_code(0);
    let unused = run(cli(&mock).args(["resource-groups", "delete", "Unused", "--dry-run"]));
    unused.expect_code(0);
    assert!(!unused.stderr.contains("warning"), "{}", unused.stderr);
}

/// A group's new name may not be one another group answers to (names
/// match without regard to case): both would stop being nameable.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_name_another_group_answers_to_is_refused() {
    let mock = mock().await;
    let taken = run(cli(&mock).args(["groups", "create", "--name", "sre ON-CALL"]));
    taken.expect_code(2).stderr_has(&[
        "user group \"SRE on-call\"",
        "already answers to the name \"sre ON-CALL\"",
        "nothing was sent",
    ]);
    let renamed =
        run(cli(&mock).args(["groups", "update", AUDITORS_NAME, "--name", "SRE ON-CALL"]));
    renamed
        .expect_code(2)
        .stderr_has(&["already answers to the name"]);
    let rg = run(cli(&mock).args([
        "resource-groups",
        "create",
        "--name",
        "production ZONES",
        "--scope",
        "zone:example.com",
    ]));
    rg.expect_code(2)
        .stderr_has(&["resource group \"Production zones\"", "already answers"]);
    assert!(writes(&mock).is_empty(), "{:?}", writes(&mock));
    // A group may keep its own name in another case.
    run(cli(&mock).args(["groups", "update", SRE_ONCALL_NAME, "--name", "SRE On-Call"]))
        .expect_code(0);
    run(cli(&mock).args(["groups", "get", "SRE On-Call"])).expect_code(0);
    run(cli(&mock).args(["groups", "create", "--name", "Brand new"])).expect_code(0);
    // A zone given twice is sent once.
    mock.clear_requests();
    run(cli(&mock).args([
        "resource-groups",
        "create",
        "--name",
        "Twice",
        "--scope",
        "zone:example.com",
        "--scope",
        "zone:EXAMPLE.com",
    ]))
    .expect_code(0);
    let post = mock
        .requests()
        .into_iter()
        .find(|r| r.method == "POST")
        .expect("a POST");
    assert_eq!(
        post.body
            .matches("com.cloudflare.api.account.zone.")
            .count(),
        1,
        "{}",
        post.body
    );
}
