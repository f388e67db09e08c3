//! `cf-members history` against member-mock: after a sync that changes
//! three members, the three changes with the token's actor, one member's
//! alone, and every entry once across small cursor pages.

mod common;

use common::*;
use member_client::{access_text, AccessSource, SourceFormat};

fn scratch(name: &str) -> std::path::PathBuf {
    let dir =
        std::env::temp_dir().join(format!("cf-members-history-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A sync that changes Bob's and Erin's access and removes Dave.
fn sync_three_changes(mock: &member_mock::MockServer) {
    let exported = run(cli(mock).arg("export"));
    exported.expect_code(0);
    let mut file = AccessSource::parse(&exported.stdout, SourceFormat::Yaml)
        .unwrap()
        .file;
    for member in &mut file.members {
        if member.email == BOB_EMAIL || member.email == ERIN_EMAIL {
            member.roles = vec!["Administrator Read Only".into()];
            member.policies.clear();
        }
    }
    file.members.retain(|m| m.email != DAVE_EMAIL);
    for group in &mut file.groups {
        group.members.retain(|e| e != DAVE_EMAIL);
    }
    let dir = scratch("sync");
    let path = dir.join("access.yaml");
    std::fs::write(&path, access_text(&file, SourceFormat::Yaml).unwrap()).unwrap();
    run(cli(mock).args(["sync", path.to_str().unwrap(), "--prune", "--yes"])).expect_code(0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_shows_the_syncs_changes_and_one_members_alone() {
    let mock = mock().await;
    sync_three_changes(&mock);

    let all = run(cli(&mock).args(["-o", "json", "history", "--since", "1h"]));
    all.expect_code(0);
    let lines = all.json();
    let lines = lines.as_array().unwrap();
    // Bob and Erin updated, Dave removed (his group membership goes with
    // him: no change of its own).
    let mut what: Vec<(String, String)> = lines
        .iter()
        .map(|l| {
            (
                l["member"].as_str().unwrap().to_owned(),
                l["action"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    what.sort();
    assert_eq!(
        what,
        [
            (BOB_EMAIL.to_owned(), "Update Member".to_owned()),
            (DAVE.to_owned(), "Remove Member".to_owned()),
            (ERIN_EMAIL.to_owned(), "Update Member".to_owned()),
        ],
        "{}",
        all.stdout
    );
    // The actor is the credential's user (the mock's email).
    assert!(lines.iter().all(|l| l["actor"] == EMAIL), "{}", all.stdout);
    assert!(lines.iter().all(|l| l["result"] == "success"));
    // Newest first.
    let times: Vec<&str> = lines.iter().map(|l| l["time"].as_str().unwrap()).collect();
    let mut sorted = times.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(times, sorted);

    let table = run(cli(&mock).args(["history", "--since", "1h"]));
    table
        .expect_code(0)
        .stdout_has(&["TIME", "ACTOR", "Update Member", BOB_EMAIL, EMAIL]);

    // Bob's alone, by email; each filter sent once.
    mock.clear_requests();
    let bob = run(cli(&mock).args(["-o", "json", "history", BOB_EMAIL]));
    bob.expect_code(0);
    let asked: Vec<String> = mock
        .requests()
        .into_iter()
        .filter(|r| r.path.ends_with("/logs/audit"))
        .filter_map(|r| r.query)
        .collect();
    assert!(!asked.is_empty());
    for query in &asked {
        assert_eq!(
            query.matches("resource_product=members").count(),
            1,
            "{query}"
        );
    }
    let bob = bob.json();
    let bob = bob.as_array().unwrap();
    assert_eq!(bob.len(), 1, "{bob:?}");
    assert_eq!(bob[0]["member"], BOB_EMAIL);
    // By someone else: nothing.
    run(cli(&mock).args(["history", "--by", "nobody@example.com"]))
        .expect_code(0)
        .stdout_has(&["no membership change in this window"]);
    // CSV has the documented columns.
    run(cli(&mock).args(["-o", "csv", "history"]))
        .expect_code(0)
        .stdout_has(&["time,account_id,account_name,actor,action,member,group,result,cf_ray"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_refused_before_anything_is_read() {
    let mock = mock().await;
    mock.clear_requests();
    run(cli(&mock).args(["history", "--since", "last tuesday"]))
        .expect_code(2)
        .stderr_has(&["expected a duration back from now"]);
    run(cli(&mock).args(["history", "nobody@example.com"]))
        .expect_code(2)
        .stderr_has(&["nothing was read"]);
    assert!(mock.requests().iter().all(|r| r.method == "GET"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_change_names_its_account_from_what_was_read() {
    let mock = mock().await;
    run(cli(&mock).args([
        "members",
        "update",
        BOB_EMAIL,
        "--role",
        "Administrator Read Only",
    ]))
    .expect_code(0);

    // By --account-id: nothing listed the account, so its name is the one
    // the log's entry gives; its two-factor setting stays unknown.
    let by_id = run(cli(&mock).args(["-o", "json", "history", "--since", "1h"]));
    by_id.expect_code(0);
    let lines = by_id.json();
    let line = &lines.as_array().unwrap()[0];
    assert_eq!(line["entry"]["account"]["name"], ACCOUNT_NAME, "{line}");
    assert_eq!(
        line["account"],
        serde_json::json!({"id": ACCOUNT, "name": ACCOUNT_NAME, "enforce_twofactor": null}),
        "{line}"
    );
    let csv = run(cli(&mock).args(["-o", "csv", "history", "--since", "1h"]));
    csv.expect_code(0)
        .stdout_has(&[&format!(",{ACCOUNT},{ACCOUNT_NAME},")]);

    // With the accounts listed, the list's name and setting.
    let listed = run(cli(&mock).args(["-o", "json", "history", "--accounts", "all"]));
    listed.expect_code(0);
    let lines = listed.json();
    let line = &lines.as_array().unwrap()[0];
    assert_eq!(line["account"]["name"], ACCOUNT_NAME, "{line}");
    assert_eq!(line["account"]["enforce_twofactor"], true, "{line}");
}
