//! The `member-mock` binary: starts, prints its base URL and credentials, and
//! `curl` with what it printed lists members.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Running {
    child: Child,
    printed: HashMap<String, String>,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts the binary and reads its `key=value` lines up to `ready`.
fn start(args: &[&str]) -> Running {
    let mut child = Command::new(env!("CARGO_BIN_EXE_member-mock"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("member-mock starts");
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut printed = HashMap::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let line = rx
            .recv_timeout(left)
            .expect("member-mock printed `ready` in time");
        if line == "ready" {
            break;
        }
        let (key, value) = line.split_once('=').expect("key=value");
        printed.insert(key.to_owned(), value.to_owned());
    }
    Running { child, printed }
}

fn curl(args: &[&str]) -> (u16, serde_json::Value) {
    let output = Command::new("curl")
        .args(["-sS", "-w", "\n%{http_code}"])
        .args(args)
        .output()
        .expect("curl runs");
    assert!(output.status.success(), "curl failed: {output:?}");
    let text = String::from_utf8(output.stdout).unwrap();
    let (body, code) = text.rsplit_once('\n').unwrap();
    (
        code.parse().unwrap(),
        serde_json::from_str(body).unwrap_or(serde_json::Value::Null),
    )
}

#[test]
fn prints_base_url_and_curl_with_the_printed_token_lists_members() {
    let mock = start(&[]);
    let base = &mock.printed["base_url"];
    assert!(base.starts_with("http://127.0.0.1:"), "{base}");
    assert!(base.ends_with("/client/v4"), "{base}");
    assert_eq!(mock.printed["token"], "mock-token");
    assert_eq!(
        mock.printed["account_id"],
        member_mock::default_seed::ACCOUNT
    );
    let url = format!("{base}/accounts/{}/members", mock.printed["account_id"]);
    let auth = format!("Authorization: Bearer {}", mock.printed["token"]);
    let (code, body) = curl(&["-H", &auth, &url]);
    assert_eq!(code, 200, "{body}");
    assert_eq!(body["success"], true);
    assert_eq!(body["result_info"]["total_count"], 6);
    assert_eq!(body["result"][0]["email"], "user@example.com");
    // Without the token: 400 6003.
    let (code, body) = curl(&[&url]);
    assert_eq!(code, 400);
    assert_eq!(body["errors"][0]["code"], 6003);
}

#[test]
fn options_change_credentials_seed_and_direct_adds() {
    let dir = std::env::temp_dir().join(format!("member-mock-seed-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let seed = dir.join("seed.json");
    std::fs::write(
        &seed,
        r#"{"accounts": [{"id": "0123456789abcdef0123456789abcdef",
            "roles": [{"id": "r1", "name": "Reader", "description": "Reads", "permissions": {}}],
            "members": [{"id": "m1", "user": {"email": "only@example.com"}, "roles": ["r1"], "status": "accepted"}]}]}"#,
    )
    .unwrap();
    let mock = start(&[
        "--token",
        "cli-token",
        "--email",
        "cli@example.com",
        "--api-key",
        "cli-key",
        "--seed",
        seed.to_str().unwrap(),
        "--allow-direct-add",
        "--include-roles-on-add",
    ]);
    assert_eq!(mock.printed["token"], "cli-token");
    assert_eq!(mock.printed["email"], "cli@example.com");
    assert_eq!(mock.printed["api_key"], "cli-key");
    assert_eq!(
        mock.printed["account_id"],
        "0123456789abcdef0123456789abcdef"
    );
    let members = format!(
        "{}/accounts/0123456789abcdef0123456789abcdef/members",
        mock.printed["base_url"]
    );
    let (code, body) = curl(&[
        "-H",
        "X-Auth-Email: cli@example.com",
        "-H",
        "X-Auth-Key: cli-key",
        &members,
    ]);
    assert_eq!(code, 200, "{body}");
    assert_eq!(body["result"][0]["id"], "m1");
    assert_eq!(body["result"][0]["roles"][0]["name"], "Reader");
    let (code, body) = curl(&[
        "-X",
        "POST",
        "-H",
        "Authorization: Bearer cli-token",
        "-H",
        "Content-Type: application/json",
        "-d",
        r#"{"email": "direct@example.com", "roles": ["r1"], "status": "accepted"}"#,
        &members,
    ]);
    assert_eq!(code, 200, "{body}");
    assert_eq!(body["result"]["status"], "accepted");
    assert_eq!(body["result"]["roles"][0]["id"], "r1");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_bad_seed_file_is_refused() {
    let output = Command::new(env!("CARGO_BIN_EXE_member-mock"))
        .args(["--seed", "/nonexistent/seed.json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("cannot read seed file"));
}

#[cfg(unix)]
#[test]
fn ctrl_c_stops_it_cleanly() {
    let mut mock = start(&[]);
    let pid = mock.child.id().to_string();
    let status = Command::new("kill").args(["-INT", &pid]).status().unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    let exit = loop {
        if let Some(exit) = mock.child.try_wait().unwrap() {
            break exit;
        }
        assert!(Instant::now() < deadline, "still running after Ctrl-C");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(exit.success(), "{exit:?}");
}
