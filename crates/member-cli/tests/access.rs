//! `cf-members export`, `plan` and `sync` against member-mock: the file
//! round trip, drift, sync and its refusals, and every problem of a file
//! told at once with its line.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use member_client::{access_text, AccessFile, AccessSource, SourceFormat};
use member_mock::MockServer;

/// A fresh directory of this test's own.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cf-members-access-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn arg(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// The account exported as YAML, read back.
fn export(mock: &MockServer) -> (String, AccessFile) {
    let run = run(cli(mock).arg("export"));
    run.expect_code(0);
    let file = AccessSource::parse(&run.stdout, SourceFormat::Yaml)
        .unwrap_or_else(|e| panic!("{e}\n{}", run.stdout))
        .file;
    (run.stdout, file)
}

fn save(dir: &Path, name: &str, file: &AccessFile) -> PathBuf {
    let path = dir.join(name);
    let format = SourceFormat::guess(name, "");
    std::fs::write(&path, access_text(file, format).unwrap()).unwrap();
    path
}

fn writes(mock: &MockServer) -> usize {
    mock.requests().iter().filter(|r| r.method != "GET").count()
}

fn member<'a>(file: &'a mut AccessFile, email: &str) -> &'a mut member_client::MemberAccess {
    file.members
        .iter_mut()
        .find(|m| m.email == email)
        .unwrap_or_else(|| panic!("{email} is in the export"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_plan_edit_sync_plan() {
    let mock = mock().await;
    let dir = scratch("roundtrip");
    let (yaml, exported) = export(&mock);
    assert!(yaml.starts_with("# The access of account"), "{yaml}");
    // Members on roles, on policies, a pending invitation, user groups.
    assert!(exported.members.iter().any(|m| m.email == DAVE_EMAIL));
    assert!(exported.members.iter().any(|m| !m.policies.is_empty()));
    assert!(exported
        .groups
        .iter()
        .any(|g| g.name == PLATFORM_ADMINS_NAME));

    let path = dir.join("access.yaml");
    std::fs::write(&path, &yaml).unwrap();
    mock.clear_requests();
    run(cli(&mock).args(["plan", arg(&path)]))
        .expect_code(0)
        .stdout_has(&["No drift: the account matches the file."]);
    assert_eq!(writes(&mock), 0);

    // Every list in another order, and as JSON: still no drift.
    let mut shuffled = exported.clone();
    shuffled.members.reverse();
    for m in &mut shuffled.members {
        m.roles.reverse();
        m.policies.reverse();
        for p in &mut m.policies {
            p.on.reverse();
            for names in [&mut p.allow, &mut p.deny].into_iter().flatten() {
                names.reverse();
            }
        }
    }
    shuffled.groups.reverse();
    for g in &mut shuffled.groups {
        g.members.reverse();
        g.policies.reverse();
    }
    let json = save(&dir, "shuffled.json", &shuffled);
    run(cli(&mock).args(["plan", arg(&json)])).expect_code(0);

    // An edit: Bob's role, a new hire, Erin into the auditors.
    let mut edited = exported.clone();
    member(&mut edited, BOB_EMAIL).roles = vec!["Administrator Read Only".into()];
    let mut hire = member(&mut edited, BOB_EMAIL).clone();
    hire.email = "new.hire@example.com".into();
    hire.roles = vec!["DNS".into()];
    edited.members.push(hire);
    edited
        .groups
        .iter_mut()
        .find(|g| g.name == AUDITORS_NAME)
        .unwrap()
        .members
        .push(ERIN_EMAIL.into());
    let edited_path = save(&dir, "edited.yaml", &edited);
    let drift = run(cli(&mock).args(["plan", arg(&edited_path)]));
    drift.expect_code(3).stdout_has(&[
        &format!("~ {BOB_EMAIL}"),
        "    - role DNS",
        "    + role Administrator Read Only",
        "+ new.hire@example.com (invited)",
        &format!("~ group {AUDITORS_NAME}"),
        &format!("    + member {ERIN_EMAIL}"),
        "Drift: 1 to invite, 2 to change, 0 to remove.",
    ]);
    let json = run(cli(&mock).args(["-o", "json", "plan", arg(&edited_path)]));
    json.expect_code(3);
    assert_eq!(json.json()["drift"], true);
    assert_eq!(writes(&mock), 0);

    run(cli(&mock).args(["sync", arg(&edited_path), "--yes"]))
        .expect_code(0)
        .stdout_has(&["applied"]);
    run(cli(&mock).args(["plan", arg(&edited_path)]))
        .expect_code(0)
        .stdout_has(&["No drift"]);
    // A second sync has nothing to send.
    mock.clear_requests();
    run(cli(&mock).args(["sync", arg(&edited_path), "--yes"]))
        .expect_code(0)
        .stderr_has(&["nothing to send"]);
    assert_eq!(writes(&mock), 0);
}

/// A group the file names by id is never created (export writes an id for a
/// group whose name is shared; if that group is gone, its name is not
/// known); `name:` creates a group under the name that follows it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_group_given_by_id_is_never_created() {
    let mock = mock().await;
    let dir = scratch("group-by-id");
    let (_, exported) = export(&mock);
    let mut by_id = exported.clone();
    let mut gone = by_id.groups[0].clone();
    gone.name = "0123456789abcdef0123456789abcdef".into();
    gone.members.clear();
    by_id.groups.push(gone.clone());
    let path = save(&dir, "by-id.yaml", &by_id);
    mock.clear_requests();
    run(cli(&mock).args(["sync", arg(&path), "--yes"]))
        .expect_code(2)
        .stderr_has(&[
            "0123456789abcdef0123456789abcdef",
            "a group named by id is not created",
        ]);
    assert_eq!(writes(&mock), 0, "nothing is sent");

    let mut by_name = exported.clone();
    gone.name = "name:Release managers".into();
    by_name.groups.push(gone);
    let path = save(&dir, "by-name.yaml", &by_name);
    run(cli(&mock).args(["plan", arg(&path)]))
        .expect_code(3)
        .stdout_has(&["+ group Release managers (created)"]);
    run(cli(&mock).args(["sync", arg(&path), "--yes"]))
        .expect_code(0)
        .stderr_has(&["user group Release managers: created"]);
    run(cli(&mock).args(["plan", arg(&path)]))
        .expect_code(0)
        .stdout_has(&["No drift"]);
}

/// A retry file that cannot be written stops a sync before anything is
/// sent, user groups included.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unwritable_retry_file_stops_sync_before_the_groups() {
    let mock = mock().await;
    let dir = scratch("retry-dir");
    let (_, exported) = export(&mock);
    let mut edited = exported.clone();
    member(&mut edited, BOB_EMAIL).roles = vec!["Administrator Read Only".into()];
    let mut group = edited.groups[0].clone();
    group.name = "Brand new".into();
    group.members.clear();
    edited.groups.push(group);
    let path = save(&dir, "access.yaml", &edited);
    mock.clear_requests();
    run(cli(&mock).args(["sync", arg(&path), "--yes", "--retry-file", arg(&dir)]))
        .expect_code(2)
        .stderr_has(&["is a directory; nothing was sent"]);
    assert_eq!(writes(&mock), 0);
}

/// One sync makes the whole file so: a group the account does not have is
/// created with its policies and members, and people the same sync invites
/// are put into their groups (new and existing) once they are members; a
/// second plan shows no drift.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_creates_groups_and_puts_new_hires_in_them() {
    let mock = mock().await;
    let dir = scratch("new-groups");
    let (_, exported) = export(&mock);
    let mut edited = exported.clone();
    let mut hire = member(&mut edited, BOB_EMAIL).clone();
    hire.email = "new.hire@example.com".into();
    hire.roles = vec!["DNS".into()];
    hire.policies.clear();
    edited.members.push(hire);
    let auditors = edited
        .groups
        .iter_mut()
        .find(|g| g.name == AUDITORS_NAME)
        .unwrap();
    auditors.members.push("new.hire@example.com".into());
    let mut responders = auditors.clone();
    responders.name = "Incident responders".into();
    responders.members = vec![BOB_EMAIL.into(), "new.hire@example.com".into()];
    assert!(!responders.policies.is_empty(), "{responders:?}");
    edited.groups.push(responders);
    let path = save(&dir, "access.yaml", &edited);

    mock.clear_requests();
    let plan = run(cli(&mock).args(["plan", arg(&path)]));
    plan.expect_code(3).stdout_has(&[
        "+ new.hire@example.com (invited)",
        "+ group Incident responders (created)",
        &format!("    + member {BOB_EMAIL}"),
        "    + member new.hire@example.com",
        "    + policy allow [",
        &format!("~ group {AUDITORS_NAME}"),
        "note: new.hire@example.com joins the user group Incident responders once invited",
        "1 user group to create",
    ]);
    let json = run(cli(&mock).args(["-o", "json", "plan", arg(&path)]));
    json.expect_code(3);
    let groups = json.json()["groups"].clone();
    let created = groups
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["name"] == "Incident responders")
        .unwrap_or_else(|| panic!("{groups}"));
    assert_eq!(created["created"], true, "{created}");
    run(cli(&mock).args(["sync", arg(&path), "--dry-run"])).expect_code(0);
    assert_eq!(writes(&mock), 0, "plans and dry runs send nothing");

    let sync = run(cli(&mock).args(["-o", "json", "sync", arg(&path), "--yes"]));
    sync.expect_code(0);
    let report = sync.json();
    let actions: Vec<(String, String, bool)> = report["groups"]
        .as_array()
        .unwrap_or_else(|| panic!("{report}"))
        .iter()
        .map(|g| {
            (
                g["group"].as_str().unwrap().to_owned(),
                g["action"].as_str().unwrap().to_owned(),
                g["ok"].as_bool().unwrap(),
            )
        })
        .collect();
    for wanted in [
        ("Incident responders", "create"),
        ("Incident responders", "add_members"),
        (AUDITORS_NAME, "add_members"),
    ] {
        assert!(
            actions.contains(&(wanted.0.to_owned(), wanted.1.to_owned(), true)),
            "{wanted:?} in {report}"
        );
    }
    assert_eq!(report["summary"]["failed"], 0, "{report}");

    run(cli(&mock).args(["plan", arg(&path)]))
        .expect_code(0)
        .stdout_has(&["No drift"]);
    mock.clear_requests();
    run(cli(&mock).args(["sync", arg(&path), "--yes"]))
        .expect_code(0)
        .stderr_has(&["nothing to send"]);
    assert_eq!(writes(&mock), 0);

    // Only a group's policies change: the JSON report still tells them.
    edited
        .groups
        .iter_mut()
        .find(|g| g.name == "Incident responders")
        .unwrap()
        .policies
        .clear();
    let path = save(&dir, "fewer.yaml", &edited);
    let sync = run(cli(&mock).args(["-o", "json", "sync", arg(&path), "--yes"]));
    sync.expect_code(0);
    let report = sync.json();
    assert_eq!(report["ran"], true, "{report}");
    assert_eq!(report["plan"]["drift"], true, "{report}");
    assert_eq!(report["groups"][0]["action"], "set_policies", "{report}");
    assert_eq!(report["groups"][0]["ok"], true, "{report}");
    run(cli(&mock).args(["plan", arg(&path)])).expect_code(0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prune_removes_exactly_who_is_missing_and_refuses_what_is_unsafe() {
    // The credential is John's (GET /user says so).
    let mock = MockServer::builder()
        .token(SECRET_TOKEN)
        .api_key(JOHN_EMAIL, SECRET_API_KEY)
        .start()
        .await
        .unwrap();
    let dir = scratch("prune");
    let (_, exported) = export(&mock);
    let before = mock.member_count(mock.account_id());

    // Without Alice and Carol (the Super Administrators: by role, and
    // through Platform admins) the account would have none: refused.
    let mut no_super = exported.clone();
    no_super
        .members
        .retain(|m| m.email != ALICE_EMAIL && m.email != CAROL_EMAIL);
    for g in &mut no_super.groups {
        g.members.retain(|e| e != CAROL_EMAIL);
    }
    let path = save(&dir, "no-super.yaml", &no_super);
    mock.clear_requests();
    run(cli(&mock).args(["sync", arg(&path), "--prune", "--yes"]))
        .expect_code(2)
        .stderr_has(&[
            "refused: the plan would leave the account without an active Super Administrator",
            "nothing was sent",
        ]);
    assert_eq!(writes(&mock), 0);

    // More removals than --max-removals: refused.
    let mut three_fewer = exported.clone();
    let keep = [JOHN_EMAIL, ALICE_EMAIL, CAROL_EMAIL];
    three_fewer
        .members
        .retain(|m| keep.contains(&m.email.as_str()));
    for g in &mut three_fewer.groups {
        g.members.retain(|e| keep.contains(&e.as_str()));
    }
    let gone = exported.members.len() - three_fewer.members.len();
    assert!(gone >= 3, "{gone}");
    let path = save(&dir, "fewer.yaml", &three_fewer);
    run(cli(&mock).args([
        "sync",
        arg(&path),
        "--prune",
        "--yes",
        "--max-removals",
        "2",
    ]))
    .expect_code(2)
    .stderr_has(&[&format!(
        "the plan removes {gone} members, more than the 2 allowed"
    )]);
    assert_eq!(writes(&mock), 0);

    // Without --prune nobody is removed, and the plan says who is kept.
    run(cli(&mock).args(["plan", arg(&path)]))
        .expect_code(3)
        .stdout_has(&[&format!(
            "- {DAVE_EMAIL} (not in the file; kept: sync --prune removes them)"
        )]);

    // Leaving out Dave (a pending invitation) and Bob: exactly those two go.
    let mut two_fewer = exported.clone();
    two_fewer
        .members
        .retain(|m| m.email != DAVE_EMAIL && m.email != BOB_EMAIL);
    for g in &mut two_fewer.groups {
        g.members.retain(|e| e != DAVE_EMAIL && e != BOB_EMAIL);
    }
    let path = save(&dir, "two-fewer.yaml", &two_fewer);
    run(cli(&mock).args(["sync", arg(&path), "--prune", "--yes"])).expect_code(0);
    assert_eq!(mock.member_count(mock.account_id()), before - 2);
    assert!(mock.member(mock.account_id(), DAVE).is_none());
    assert!(mock.member(mock.account_id(), BOB).is_none());
    run(cli(&mock).args(["plan", arg(&path), "--prune"])).expect_code(0);

    // The token's own user (GET /user says who) is never removed.
    let mut without_me = two_fewer.clone();
    without_me.members.retain(|m| m.email != JOHN_EMAIL);
    for g in &mut without_me.groups {
        g.members.retain(|e| e != JOHN_EMAIL);
    }
    let path = save(&dir, "without-me.yaml", &without_me);
    mock.clear_requests();
    run(cli(&mock).args(["sync", arg(&path), "--prune", "--yes"]))
        .expect_code(2)
        .stderr_has(&[&format!(
            "the plan removes {JOHN_EMAIL}, the token's own user"
        )]);
    assert_eq!(writes(&mock), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_problem_of_a_file_is_told_with_its_line_and_nothing_is_sent() {
    let mock = mock().await;
    let dir = scratch("problems");
    let text = format!(
        "account: {ACCOUNT}
members:
  - email: {BOB_EMAIL}
    roles: [DNS]
  - email: {ALICE_EMAIL}
    roles:
      - Super Administrator - All Privileges
      - Adminstrator Read Only
  - email: {ERIN_EMAIL}
    policies:
      - allow: [DNS Write, Teleport Write]
        on: [account]
  - email: Bob.DNS@example.com
    roles: [Billing]
"
    );
    let path = dir.join("access.yaml");
    std::fs::write(&path, text).unwrap();
    mock.clear_requests();
    let p = arg(&path);
    let failed = run(cli(&mock).args(["sync", p, "--yes"]));
    failed.expect_code(2).stderr_has(&[
        &format!("{p}:3: members[0] ({BOB_EMAIL}): this member is listed 2 times"),
        &format!("{p}:8: members[1].roles[1] ({ALICE_EMAIL}): no role \"Adminstrator Read Only\""),
        &format!("{p}:11: members[2].policies[0].allow[1] ({ERIN_EMAIL}): "),
        "Teleport Write",
        &format!("{p}:13: members[3] (Bob.DNS@example.com): this member is listed 2 times"),
        "4 problems in",
        "nothing was sent",
    ]);
    assert_eq!(writes(&mock), 0);
    // The same for plan, which never writes anyway.
    run(cli(&mock).args(["plan", p])).expect_code(2);

    // A syntax error says its line too.
    std::fs::write(&path, "account: x\nmembers:\n  - email: [\n").unwrap();
    run(cli(&mock).args(["plan", p]))
        .expect_code(2)
        .stderr_has(&[&format!("{p}:")]);
    // An unknown key is refused, not ignored, in one line that names it
    // (no snippet of the text).
    std::fs::write(
        &path,
        format!("account: {ACCOUNT}\nmembers:\n  - emial: {BOB_EMAIL}\n"),
    )
    .unwrap();
    let typo = run(cli(&mock).args(["plan", p]));
    typo.expect_code(2).stderr_has(&[&format!(
        "cf-members: error: {p}:3: unknown field `emial`, expected one of email, roles, \
         policies, status at line 3, column 5; nothing was sent\n"
    )]);
    assert!(!typo.stderr.contains("-->"), "{}", typo.stderr);
    std::fs::write(&path, format!("account: {ACCOUNT}\nmember: []\n")).unwrap();
    run(cli(&mock).args(["plan", p]))
        .expect_code(2)
        .stderr_has(&["member"]);
    assert!(mock.requests().is_empty() || writes(&mock) == 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_file_and_the_account_id_must_agree() {
    let mock = mock().await;
    let dir = scratch("account");
    let (_, mut exported) = export(&mock);
    exported.account = "Example Corp".into();
    let path = save(&dir, "by-name.yaml", &exported);
    // The file names its account by name: looked up, no drift.
    run(cli(&mock).args(["plan", arg(&path)])).expect_code(0);
    exported.account = THIRD_ACCOUNT.into();
    let path = save(&dir, "other.yaml", &exported);
    run(cli(&mock).args(["plan", arg(&path)]))
        .expect_code(2)
        .stderr_has(&["the file is for account", "nothing was sent"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_status_is_compared_only_when_the_file_states_one() {
    let mock = mock().await;
    let dir = scratch("status");
    let (_, mut exported) = export(&mock);
    // Dave's invitation is pending: saying so is no drift.
    member(&mut exported, DAVE_EMAIL).status = Some("pending".parse().unwrap());
    let path = save(&dir, "pending.yaml", &exported);
    run(cli(&mock).args(["plan", arg(&path)])).expect_code(0);
    // Saying accepted is drift no sync can mend, and sync sends nothing.
    member(&mut exported, DAVE_EMAIL).status = Some("accepted".parse().unwrap());
    let path = save(&dir, "accepted.yaml", &exported);
    run(cli(&mock).args(["plan", arg(&path)]))
        .expect_code(3)
        .stdout_has(&[
            &format!("~ {DAVE_EMAIL}"),
            "~ status pending, the file says accepted",
        ]);
    let json = run(cli(&mock).args(["-o", "json", "plan", arg(&path)]));
    assert_eq!(json.json()["members"][0]["status"]["wanted"], "accepted");
    mock.clear_requests();
    run(cli(&mock).args(["sync", arg(&path), "--yes"]))
        .expect_code(0)
        .stderr_has(&["nothing to send"]);
    assert_eq!(writes(&mock), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sync_whose_handover_fails_keeps_a_super_administrator() {
    let mock = mock().await;
    let dir = scratch("handover");
    // The file hands Alice's role to Bob and takes the grant from
    // Platform admins (Carol's way of holding it).
    let (text, _) = export(&mock);
    let edited = text
        .replace(
            "- email: alice.admin@example.com\n  roles:\n  - Super Administrator - All Privileges\n\
             - email: bob.dns@example.com\n  roles:\n  - DNS\n",
            "- email: alice.admin@example.com\n  roles:\n  - DNS\n\
             - email: bob.dns@example.com\n  roles:\n  - Super Administrator - All Privileges\n",
        )
        .replace(
            "    - Billing\n    - Super Administrator - All Privileges\n",
            "    - Billing\n",
        );
    assert_ne!(edited, text, "the export has the expected shape");
    assert_eq!(edited.matches("Super Administrator").count(), 1, "{edited}");
    let path = dir.join("access.yaml");
    std::fs::write(&path, &edited).unwrap();
    mock.inject(
        member_mock::Fault::on("PUT", &format!("/accounts/*/members/{BOB}"))
            .cloudflare_error(400, 1001, "invalid role assignment")
            .always(),
    );
    let ran = run(cli(&mock).args(["sync", arg(&path), "--yes", "--max-retries", "0"]));
    ran.expect_code(1)
        .stdout_has(&["User groups: 1 change: 0 done, 1 failed"])
        .stderr_has(&[
            "user group Platform admins: set policies failed: held back (it takes Super \
             Administrator access away and runs last): this would leave the account without \
             an active Super Administrator (today: carol.billing@example.com)",
            "1 change of the user groups did not succeed: run sync again",
        ]);
    // Alice was demoted (Carol still held it then), the group kept its
    // grant: Carol is still a Super Administrator.
    assert_eq!(role_ids(&mock, ALICE), [DNS_ROLE]);
    let group_puts = mock
        .requests()
        .into_iter()
        .filter(|r| r.method == "PUT" && r.path.contains("/iam/user_groups/"))
        .count();
    assert_eq!(group_puts, 0, "the group's grant was not taken");
    // Once the handover works, the same sync finishes the job.
    mock.clear_faults();
    run(cli(&mock).args(["sync", arg(&path), "--yes"])).expect_code(0);
    assert_eq!(role_ids(&mock, BOB), [SUPER_ADMIN_ROLE]);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A value of 100,000 characters in an access file is named in the error
/// by its first 40 characters and `…`, not printed whole.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_huge_value_in_an_access_file_is_shortened_in_the_error() {
    let mock = mock().await;
    let dir = scratch("huge");
    let huge = |c: char| c.to_string().repeat(100_000);
    let head = |c: char| format!("{}…", c.to_string().repeat(40));
    let cases = [
        (
            serde_json::json!({"account": ACCOUNT, "members": [
                {"email": BOB_EMAIL, "roles": [huge('r')]}]}),
            format!(
                "members[0].roles[0] ({BOB_EMAIL}): no role \"{}\"",
                head('r')
            ),
        ),
        (
            serde_json::json!({"account": ACCOUNT, "members": [
                {"email": BOB_EMAIL, "roles": ["DNS"], huge('k'): 1}]}),
            format!("unknown field `{}`, expected one of", head('k')),
        ),
        (
            serde_json::json!({"account": ACCOUNT,
                "members": [{"email": BOB_EMAIL, "roles": ["DNS"]}],
                "groups": [{"name": "g", "members": [format!("{}@example.com", huge('m'))]}]}),
            format!(
                "groups[0].members[0] (g): \"{}\" is not under members:",
                head('m')
            ),
        ),
    ];
    for (i, (file, part)) in cases.iter().enumerate() {
        let path = dir.join(format!("access-{i}.json"));
        std::fs::write(&path, file.to_string()).unwrap();
        let run = run(cli(&mock).args(["plan", arg(&path)]));
        run.expect_code(2).stderr_has(&[part, "nothing was sent"]);
        assert!(
            run.stderr.len() < 1000,
            "case {i}: {} bytes",
            run.stderr.len()
        );
    }
    assert_eq!(writes(&mock), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sync_that_puts_everyone_into_a_new_denying_group_is_refused() {
    let mock = mock().await;
    let dir = scratch("new-deny");
    let (text, _) = export(&mock);
    let edited = format!(
        "{text}- name: Deny SA\n  policies:\n  - deny:\n    - Super Administrator - All Privileges\n    \"on\":\n    - account\n  members:\n  - {ALICE_EMAIL}\n  - {CAROL_EMAIL}\n"
    );
    let path = dir.join("access.yaml");
    std::fs::write(&path, &edited).unwrap();
    mock.clear_requests();
    let ran = run(cli(&mock).args(["sync", arg(&path), "--yes"]));
    ran.expect_code(2).stderr_has(&[
        "refused: the plan would leave the account without an active Super Administrator",
    ]);
    assert_eq!(writes(&mock), 0);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A resource group counts by what it covers: a second whole-account
/// group, or one zone used twice, leaves an exported file without drift,
/// and a sync settles after one run instead of sending the same policies
/// (and making new resource groups) every time.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn policies_compare_by_what_their_resource_groups_cover() {
    let mock = mock().await;
    let dir = scratch("same-scope");
    let (text, _) = export(&mock);
    let exported = dir.join("access.yaml");
    std::fs::write(&exported, &text).unwrap();
    run(cli(&mock).args([
        "resource-groups",
        "create",
        "--name",
        "Whole account",
        "--scope",
        "account",
    ]))
    .expect_code(0);
    mock.clear_requests();
    run(cli(&mock).args(["plan", arg(&exported)]))
        .expect_code(0)
        .stdout_has(&["No drift: the account matches the file."]);
    run(cli(&mock).args(["sync", arg(&exported), "--yes"])).expect_code(0);
    assert_eq!(writes(&mock), 0, "nothing to send");

    let zone_twice = dir.join("zone.yaml");
    std::fs::write(
        &zone_twice,
        format!(
            "account: {ACCOUNT}\nmembers:\n- email: {BOB_EMAIL}\n  policies:\n  \
             - {{allow: [Zone Read], on: [zone:example.com]}}\n  \
             - {{allow: [DNS Write], on: [zone:example.com]}}\n"
        ),
    )
    .unwrap();
    run(cli(&mock).args(["sync", arg(&zone_twice), "--yes"])).expect_code(0);
    let groups_after_one = mock.resource_groups(mock.account_id()).len();
    mock.clear_requests();
    // Drift only for the members the file leaves out (kept).
    run(cli(&mock).args(["plan", arg(&zone_twice)]))
        .expect_code(3)
        .stdout_has(&["0 to invite, 0 to change, 0 to remove"]);
    run(cli(&mock).args(["sync", arg(&zone_twice), "--yes"])).expect_code(0);
    assert_eq!(writes(&mock), 0, "the second sync sends nothing");
    assert_eq!(
        mock.resource_groups(mock.account_id()).len(),
        groups_after_one
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_as_jsonl_is_one_line_that_reads_back() {
    let mock = mock().await;
    let jsonl = run(cli(&mock).args(["-o", "jsonl", "export"]));
    jsonl.expect_code(0);
    assert_eq!(jsonl.stdout.lines().count(), 1, "{}", jsonl.stdout);
    let file = AccessSource::parse(&jsonl.stdout, SourceFormat::Json)
        .unwrap()
        .file;
    let (_, yaml) = export(&mock);
    assert_eq!(file, yaml);
}

/// A member whose access comes only through user groups exports without
/// roles or policies, and that file plans without drift; asking for no
/// own access where the member has some, or for an invitation without
/// access, is a problem of the file.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_with_access_through_groups_only_round_trips() {
    let mock = mock().await;
    let dir = scratch("groups-only");
    let mut bob = mock.member(mock.account_id(), BOB).unwrap();
    bob.roles.clear();
    mock.insert_member(mock.account_id(), bob);
    let (text, file) = export(&mock);
    let exported = file.members.iter().find(|m| m.email == BOB_EMAIL).unwrap();
    assert!(
        exported.roles.is_empty() && exported.policies.is_empty(),
        "{text}"
    );
    let path = dir.join("access.yaml");
    std::fs::write(&path, &text).unwrap();
    run(cli(&mock).args(["plan", arg(&path)]))
        .expect_code(0)
        .stdout_has(&["No drift"]);

    let mut asks_none = file.clone();
    member(&mut asks_none, CAROL_EMAIL).roles.clear();
    asks_none.members.push(
        serde_json::from_value::<member_client::MemberAccess>(
            serde_json::json!({"email": "new.x@example.com"}),
        )
        .unwrap(),
    );
    let path = save(&dir, "none.yaml", &asks_none);
    mock.clear_requests();
    run(cli(&mock).args(["sync", arg(&path), "--yes"]))
        .expect_code(2)
        .stderr_has(&[
            "(carol.billing@example.com): no roles or policies, but the member has some of their own",
            "(new.x@example.com): give roles or policies: an invitation needs some",
        ]);
    assert_eq!(writes(&mock), 0);
    let _ = std::fs::remove_dir_all(&dir);
}
