//! How the built `cf-members` fits a shell: completion scripts, man pages,
//! `-q`, and colour.

mod common;

use std::path::{Path, PathBuf};

use common::*;

/// The folder `cargo xtask man` writes.
fn man_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../man")
}

#[test]
fn completions_are_a_script_bash_reads_and_that_registers_the_command() {
    let script_run = run(bare().args(["completions", "bash"]));
    script_run.expect_code(0);
    assert!(script_run.stderr.is_empty(), "{}", script_run.stderr);
    let dir = std::env::temp_dir().join(format!("cf-members-completions-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("cf-members.bash");
    std::fs::write(&file, &script_run.stdout).unwrap();

    let syntax = std::process::Command::new("bash")
        .arg("-n")
        .arg(&file)
        .output()
        .expect("bash runs");
    assert!(
        syntax.status.success(),
        "bash -n: {}",
        String::from_utf8_lossy(&syntax.stderr)
    );
    // Sourced, it completes `cf-members`, and knows the commands.
    let sourced = std::process::Command::new("bash")
        .arg("-c")
        .arg(format!(
            "source '{}' && complete -p cf-members",
            file.display()
        ))
        .output()
        .expect("bash runs");
    let _ = std::fs::remove_dir_all(&dir);
    let registered = String::from_utf8_lossy(&sourced.stdout);
    assert!(
        sourced.status.success() && registered.contains("cf-members"),
        "{registered} {}",
        String::from_utf8_lossy(&sourced.stderr)
    );
    for word in ["members", "permission-groups", "--per-page", "jsonl"] {
        assert!(script_run.stdout.contains(word), "no {word} in the script");
    }
}

#[test]
fn completions_exist_for_every_shell_and_need_no_credentials() {
    for (shell, marker) in [
        ("zsh", "#compdef cf-members"),
        ("fish", "complete -c cf-members"),
        ("powershell", "Register-ArgumentCompleter"),
        ("elvish", "edit:completion:arg-completer[cf-members]"),
    ] {
        let out = run(bare().args(["completions", shell]));
        out.expect_code(0).stdout_has(&[marker, "members"]);
    }
    // An account name in the environment is not looked up.
    run(bare()
        .env("CLOUDFLARE_ACCOUNT_ID", "Example Corp")
        .args(["completions", "bash"]))
    .expect_code(0);
    run(bare().args(["completions", "tcsh"]))
        .expect_code(2)
        .stderr_has(&["invalid value 'tcsh'", "bash", "zsh"]);
}

/// Every command has its page, named after its full path, and no page is
/// left over from a command that went away (`cargo xtask check` also
/// compares their text).
#[test]
fn every_command_has_a_man_page() {
    fn walk(cmd: &clap::Command, names: &mut Vec<String>) {
        let name = cmd.get_display_name().unwrap_or(cmd.get_name());
        names.push(format!("{name}.1"));
        for sub in cmd.get_subcommands() {
            if sub.get_name() != "help" && !sub.is_hide_set() {
                walk(sub, names);
            }
        }
    }
    let mut root = member_cli::command();
    root.build();
    let mut expected = Vec::new();
    walk(&root, &mut expected);
    assert!(expected.len() > 30, "{expected:?}");
    for name in &expected {
        let page = man_dir().join(name);
        let text = std::fs::read_to_string(&page)
            .unwrap_or_else(|e| panic!("{}: {e}; run `cargo xtask man`", page.display()));
        assert!(text.contains(".TH "), "{name} is not a man page");
    }
    let mut present: Vec<String> = std::fs::read_dir(man_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".1"))
        .collect();
    present.sort();
    expected.sort();
    assert_eq!(present, expected);
}

/// `-q`: what a command says on stderr besides errors is gone, the output
/// is the same, and errors still come.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quiet_leaves_stderr_empty_on_success_and_keeps_errors() {
    let mock = mock().await;
    let dir = std::env::temp_dir().join(format!("cf-members-quiet-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let changes = dir.join("changes.csv");
    std::fs::write(&changes, format!("email,roles\n{BOB_EMAIL},Billing\n")).unwrap();
    let changes = changes.display().to_string();
    let access = dir.join("access.yaml").display().to_string();
    run(cli(&mock).args(["export", "--out", &access])).expect_code(0);
    for (args, said) in [
        (
            vec!["members", "update", BOB, "--role", "Billing", "--dry-run"],
            "dry run: nothing was sent",
        ),
        (vec!["audit", "--accounts", ACCOUNT], "cf-members: audit: "),
        (
            vec!["apply", &changes],
            "no change was sent: run again with --yes",
        ),
        (vec!["sync", &access], "nothing to send"),
        (
            vec![
                "groups",
                "members",
                SRE_ONCALL_NAME,
                "remove",
                JOHN,
                "--dry-run",
            ],
            "not sent",
        ),
    ] {
        let loud = run(cli(&mock).args(&args));
        loud.expect_code(0).stderr_has(&[said]);
        let quiet = run(cli(&mock).args(&args).arg("-q"));
        quiet.expect_code(0);
        assert_eq!(quiet.stderr, "", "{args:?} -q");
        assert_eq!(
            quiet.stdout, loud.stdout,
            "{args:?}: -q changes stderr only"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);

    let failed = run(cli(&mock).args(["members", "get", "nobody@example.com", "--quiet"]));
    failed
        .expect_code(2)
        .stderr_has(&["cf-members: error: ", "hint: "]);
    run(cli(&mock).args(["members", "list", "-q", "-v"]))
        .expect_code(2)
        .stderr_has(&["'--quiet' cannot be used with '--verbose'"]);
}

/// With `-q` nothing is asked, even on a terminal: what would ask refuses,
/// as in a script, and says to give --yes.
#[cfg(target_os = "linux")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quiet_never_asks() {
    let mock = mock().await;
    let asked = on_a_terminal(&mock, "resource-groups delete 'Production zones'").expect_code(2);
    assert!(asked.contains("? [y/N]"), "a terminal is asked: {asked:?}");
    let quiet = on_a_terminal(&mock, "resource-groups delete 'Production zones' -q").expect_code(2);
    assert!(!quiet.contains("[y/N]"), "{quiet:?}");
    assert!(quiet.contains("run again with --yes"), "{quiet:?}");
    assert!(mock.requests().iter().all(|r| r.method == "GET"));
}

/// The text without the colour sequences (`ESC [ … m`).
fn strip_colour(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

const PENDING_IN_YELLOW: &str = "\u{1b}[33mpending\u{1b}[0m";

/// Colour is for people on a terminal: never in a pipe, never in JSON or
/// CSV; `--color always` asks for it, and it takes no column width.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn colour_never_in_a_pipe_and_in_tables_when_asked() {
    let mock = mock().await;
    run(cli(&mock).args(["members", "update", BOB, "--deny", "Billing Read@account"]))
        .expect_code(0);
    for args in [
        &["members", "list"][..],
        &["members", "get", BOB],
        &["members", "get", DAVE],
        &["whois", BOB_EMAIL, "--accounts", ACCOUNT],
        &["audit", "--accounts", ACCOUNT],
        &["groups", "members", SRE_ONCALL_NAME, "list"],
        &["members", "get", "nobody@example.com"],
    ] {
        let piped = run(cli(&mock).args(args));
        assert!(
            !piped.stdout.contains('\u{1b}') && !piped.stderr.contains('\u{1b}'),
            "{args:?} piped: {piped:?}"
        );
        // Asked for, colour changes nothing but the colour.
        let coloured = run(cli(&mock).args(args).args(["--color", "always"]));
        assert_eq!(coloured.code, piped.code, "{args:?}");
        assert_eq!(strip_colour(&coloured.stdout), piped.stdout, "{args:?}");
        assert_eq!(strip_colour(&coloured.stderr), piped.stderr, "{args:?}");
        for format in ["json", "jsonl", "csv"] {
            let data = run(cli(&mock)
                .args(args)
                .args(["--color", "always", "-o", format]));
            assert!(!data.stdout.contains('\u{1b}'), "{args:?} -o {format}");
        }
    }
    let list = run(cli(&mock).args(["members", "list", "--color", "always"]));
    list.stdout_has(&[PENDING_IN_YELLOW]);
    let bob = run(cli(&mock).args(["members", "get", BOB, "--color", "always"]));
    assert!(
        bob.stdout.contains("\u{1b}[31mdeny\u{1b}[0m Billing Read"),
        "the deny is red: {:?}",
        bob.stdout
    );
    let error = run(cli(&mock).args(["members", "get", "nobody@example.com", "--color=always"]));
    assert!(
        error.stderr.starts_with("cf-members: \u{1b}["),
        "{:?}",
        error.stderr
    );
    // The flag wins over NO_COLOR; `never` is never.
    run(cli(&mock)
        .env("NO_COLOR", "1")
        .args(["members", "list", "--color", "always"]))
    .stdout_has(&[PENDING_IN_YELLOW]);
}

/// On a terminal, `auto` colours unless NO_COLOR is set (to anything but
/// the empty string) or `--color never` is given.
#[cfg(target_os = "linux")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_terminal_gets_colour_unless_no_color_or_never() {
    let mock = mock().await;
    let auto = on_a_terminal(&mock, "members list").expect_code(0);
    assert!(auto.contains(PENDING_IN_YELLOW), "{auto:?}");
    let empty = on_a_terminal_with(&mock, "members list", &[("NO_COLOR", "")]).expect_code(0);
    assert!(empty.contains(PENDING_IN_YELLOW), "{empty:?}");
    for (args, env) in [
        ("members list", &[("NO_COLOR", "1")][..]),
        ("members list --color never", &[]),
        ("members list", &[("TERM", "dumb")]),
        ("members get nobody@example.com", &[("NO_COLOR", "yes")]),
    ] {
        let plain = on_a_terminal_with(&mock, args, env);
        assert!(
            !plain.text.contains("\u{1b}[3") && !plain.text.contains("\u{1b}[0m"),
            "{args} {env:?}: {plain:?}"
        );
        assert!(plain.text.contains("pending") || plain.text.contains("error:"));
    }
}

/// A closed pipe is not an error (`cf-members … 2>&1 | true`): no panic
/// (exit 101) when stdout and stderr are both gone, whatever the command
/// has to say.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closed_pipes_are_not_a_panic() {
    let mock = mock().await;
    let dir = std::env::temp_dir().join(format!("cf-members-pipes-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("f.csv");
    std::fs::write(
        &file,
        "email,op,roles\nbob.dns@example.com,add_roles,Billing\n",
    )
    .unwrap();
    let bin = env!("CARGO_BIN_EXE_cf-members");
    let commands = [
        format!("{bin} apply {}", file.display()),
        format!("{bin} members update bob.dns@example.com --role DNS --dry-run"),
        format!(
            "{bin} offboard bob.dns@example.com --accounts {}",
            mock.account_id()
        ),
        format!("{bin} audit --accounts {}", mock.account_id()),
        format!("{bin} members list"),
    ];
    for command in &commands {
        for _ in 0..3 {
            let code = std::process::Command::new("bash")
                .arg("-c")
                .arg(format!("{command} 2>&1 | true; exit ${{PIPESTATUS[0]}}"))
                .env("CLOUDFLARE_API_TOKEN", SECRET_TOKEN)
                .env("CLOUDFLARE_BASE_URL", mock.base_url())
                .env("CLOUDFLARE_ACCOUNT_ID", mock.account_id().as_str())
                .current_dir(&dir)
                .status()
                .unwrap()
                .code();
            assert_ne!(code, Some(101), "{command} panicked on a closed pipe");
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
