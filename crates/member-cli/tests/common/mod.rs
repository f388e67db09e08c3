//! What the cf-members tests share: a member-mock with secret credentials
//! nobody may print, and the built binary run with only the variables a
//! test gives it.

#![allow(dead_code, reason = "each test file uses part of this module")]

use std::process::Output;

use assert_cmd::Command;
use member_mock::MockServer;
use serde_json::Value;

/// The token the mock accepts. It must never appear in any output.
pub const SECRET_TOKEN: &str = "tok-S3CRET-never-print-me-7f3a";
/// The Global API key the mock accepts. It must never appear in any output.
pub const SECRET_API_KEY: &str = "key-S3CRET-never-print-me-91bc";
/// The e-mail that goes with the key (not a secret).
pub const EMAIL: &str = "owner@example.com";

/// The seed's account, people, roles and groups, as member-mock names them.
pub use member_mock::default_seed::*;

/// A policies file's text granting `group` on the seeds' resource group.
pub fn policies_json(group: &str) -> String {
    format!(
        r#"[{{"access": "allow", "permission_groups": [{{"id": "{group}"}}],
            "resource_groups": [{{"id": "{RESOURCE_GROUP}"}}]}}]"#
    )
}

/// The role ids `member` holds in the mock's default account, sorted.
pub fn role_ids(mock: &MockServer, member: &str) -> Vec<String> {
    let mut ids: Vec<String> = mock
        .member(mock.account_id(), member)
        .unwrap_or_else(|| panic!("no member {member}"))
        .roles
        .iter()
        .map(|r| r.id.as_str().to_owned())
        .collect();
    ids.sort();
    ids
}

/// A mock on 127.0.0.1 with the secret credentials.
pub async fn mock() -> MockServer {
    MockServer::builder()
        .token(SECRET_TOKEN)
        .api_key(EMAIL, SECRET_API_KEY)
        .start()
        .await
        .expect("member-mock starts on loopback")
}

/// The binary with an empty environment: no variable of the machine (a
/// real CLOUDFLARE_API_TOKEN, a proxy) can reach it.
pub fn bare() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cf-members"));
    cmd.env_clear();
    cmd
}

/// The binary pointed at `mock` with its account and token.
pub fn cli(mock: &MockServer) -> Command {
    let mut cmd = bare();
    cmd.env("CLOUDFLARE_API_TOKEN", SECRET_TOKEN)
        .env("CLOUDFLARE_BASE_URL", mock.base_url())
        .env("CLOUDFLARE_ACCOUNT_ID", mock.account_id().as_str());
    cmd
}

/// What a run gave, checked for leaked secrets.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// stdout as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not one JSON document ({e}): {}", self.stdout))
    }

    /// Asserts the exit code, showing the output when it differs.
    pub fn expect_code(&self, code: i32) -> &Self {
        assert_eq!(
            self.code, code,
            "exit code; stdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }

    /// Asserts that stderr holds every one of `parts`.
    pub fn stderr_has(&self, parts: &[&str]) -> &Self {
        for part in parts {
            assert!(
                self.stderr.contains(part),
                "stderr lacks {part:?}:\n{}",
                self.stderr
            );
        }
        self
    }

    /// Asserts that stdout holds every one of `parts`.
    pub fn stdout_has(&self, parts: &[&str]) -> &Self {
        for part in parts {
            assert!(
                self.stdout.contains(part),
                "stdout lacks {part:?}:\n{}",
                self.stdout
            );
        }
        self
    }
}

/// Runs the command (blocking: the test's runtime must be multi-threaded
/// so the mock keeps serving) and checks that no secret was printed.
pub fn run(cmd: &mut Command) -> Run {
    let Output {
        status,
        stdout,
        stderr,
    } = cmd.output().expect("cf-members runs");
    let run = Run {
        code: status.code().expect("exited, not killed"),
        stdout: String::from_utf8(stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(stderr).expect("stderr is UTF-8"),
    };
    for secret in [SECRET_TOKEN, SECRET_API_KEY, "S3CRET"] {
        assert!(
            !run.stdout.contains(secret) && !run.stderr.contains(secret),
            "a secret was printed:\nstdout:\n{}\nstderr:\n{}",
            run.stdout,
            run.stderr
        );
    }
    run
}

/// The mock's stored members as the API shows them.
pub fn stored(mock: &MockServer, id: &str) -> Option<Value> {
    mock.member(mock.account_id(), id)
        .map(|m| serde_json::to_value(m).unwrap())
}

/// What a terminal showed: `script`'s transcript of a command, stdout and
/// stderr as they were drawn, and its exit status.
#[derive(Debug)]
pub struct Screen {
    pub code: i32,
    pub text: String,
}

impl Screen {
    /// Asserts the exit status and gives the text.
    pub fn expect_code(self, code: i32) -> String {
        assert_eq!(
            self.code, code,
            "exit code; the terminal showed:\n{}",
            self.text
        );
        self.text
    }
}

/// Runs `cf-members ARGS` (a shell word list) against `mock` on a
/// pseudo-terminal (util-linux `script`) with `env` added, so that stdout,
/// stderr and stdin are a terminal; stdin gives no input.
#[cfg(target_os = "linux")]
pub fn on_a_terminal_with(mock: &MockServer, args: &str, env: &[(&str, &str)]) -> Screen {
    let mut command = std::process::Command::new("script");
    command
        .args(["-qec"])
        .arg(format!("'{}' {args}", env!("CARGO_BIN_EXE_cf-members")))
        .arg("/dev/null")
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("SHELL", "/bin/sh")
        .env("CLOUDFLARE_API_TOKEN", SECRET_TOKEN)
        .env("CLOUDFLARE_BASE_URL", mock.base_url())
        .env("CLOUDFLARE_ACCOUNT_ID", mock.account_id().as_str())
        .envs(env.iter().copied())
        .stdin(std::process::Stdio::null());
    let script = command
        .output()
        .expect("util-linux `script` is installed (it gives the test a terminal)");
    let text = String::from_utf8_lossy(&script.stdout).into_owned();
    assert!(!text.contains(SECRET_TOKEN), "a secret was shown: {text}");
    Screen {
        code: script.status.code().expect("exited, not killed"),
        text,
    }
}

/// [`on_a_terminal_with`] and no more variables.
#[cfg(target_os = "linux")]
pub fn on_a_terminal(mock: &MockServer, args: &str) -> Screen {
    on_a_terminal_with(mock, args, &[])
}
