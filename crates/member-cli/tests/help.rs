//! Help texts of the built `cf-members`, and the progress line that only a
//! terminal sees.

mod common;

use common::*;

#[test]
fn top_level_help_explains_credentials_exit_codes_and_examples() {
    let run = run(bare().arg("--help"));
    run.expect_code(0).stdout_has(&[
        "Manage who has access to Cloudflare accounts, by email and by name",
        "members            List, show, add, update and remove account members",
        "roles              List and show the roles of the account",
        "permission-groups  List and show the permission groups",
        "resource-groups    List, show, create, update and delete the resource groups",
        "apply              Change many members' access from a JSON or CSV file",
        "members update bob@example.com --role \"Administrator Read Only\"",
        "--account-id <ID>",
        "CLOUDFLARE_ACCOUNT_ID",
        "--base-url <URL>",
        "CLOUDFLARE_BASE_URL",
        "--max-retries <N>",
        "[default: 2]",
        "--timeout <SECS>",
        "[default: 60]",
        "-o, --output <OUTPUT>",
        "-v, --verbose",
        "CLOUDFLARE_API_TOKEN",
        "CLOUDFLARE_EMAIL + CLOUDFLARE_API_KEY",
        "CLOUDFLARE_API_USER_SERVICE_KEY",
        "never from flags",
        "Exit status: 0 success; 2 invalid input or usage (nothing was sent; for",
        "3 `plan` found drift; 130 `apply` or `sync` stopped by Ctrl-C.",
        "Examples:\n  export CLOUDFLARE_API_TOKEN=",
    ]);
}

#[test]
fn every_subcommand_has_help_with_examples() {
    for (args, about) in [
        (
            &["members"][..],
            "List, show, add, update and remove account members",
        ),
        (&["roles"], "List and show the roles of the account"),
        (&["members", "list"], "List the members of the account"),
        (&["members", "get"], "Show one member"),
        (&["members", "add"], "Invite someone to the account"),
        (
            &["members", "update"],
            "Replace a member's roles or policies, or add and remove roles",
        ),
        (&["members", "remove"], "Remove a member from the account"),
        (&["roles", "list"], "List the roles of the account"),
        (&["roles", "get"], "Show one role and its permissions"),
        (
            &["permission-groups"],
            "List and show the permission groups",
        ),
        (
            &["permission-groups", "list"],
            "List the account's permission groups",
        ),
        (&["permission-groups", "get"], "Show one permission group"),
        (
            &["resource-groups"],
            "List, show, create, update and delete",
        ),
        (
            &["resource-groups", "list"],
            "List the account's resource groups",
        ),
        (&["resource-groups", "get"], "Show one resource group"),
        (&["resource-groups", "create"], "Create a resource group"),
        (
            &["resource-groups", "update"],
            "Rename a resource group or change its scope",
        ),
        (&["resource-groups", "delete"], "Delete a resource group"),
        (
            &["apply"],
            "Change many members' access from a JSON or CSV file",
        ),
    ] {
        let run = run(bare().args(args).arg("--help"));
        run.expect_code(0).stdout_has(&[about, "Global options:"]);
        if args.len() == 2 || args == ["apply"] {
            run.stdout_has(&["Examples:\n  cf-members "]);
        }
    }
    let add = run(bare().args(["members", "add", "--help"]));
    add.stdout_has(&[
        "--email <EMAIL>",
        "--role <ROLE>",
        "by name (any case) or id",
        "--allow <GROUPS@SCOPES>",
        "--deny <GROUPS@SCOPES>",
        "--policies <FILE>",
        "--role \"Administrator Read Only\"",
        "\"permission_groups\": [\"DNS Write\"]",
        "`-` reads stdin",
        "--status <STATUS>",
        "--dry-run",
        "\"permission_groups\": [{\"id\":",
    ]);
    // The name forms come first, the ids after.
    for args in [
        ["members", "get"],
        ["members", "update"],
        ["members", "remove"],
    ] {
        let help = run(bare().args(args).arg("--help"));
        help.stdout_has(&["<MEMBER>", "their email (any case) or member id"]);
        let examples = help.stdout.split("Examples:").nth(1).unwrap_or_default();
        assert!(
            examples
                .trim_start()
                .starts_with(&format!("cf-members members {} bob@example.com", args[1]))
                || examples
                    .trim_start()
                    .starts_with("cf-members members remove old@example.com"),
            "{args:?}: {examples}"
        );
    }
    let create = run(bare().args(["resource-groups", "create", "--help"]));
    create.stdout_has(&[
        "--scope <SCOPE>",
        "zone:<domain>",
        "several zones of the account",
    ]);
    let list = run(bare().args(["members", "list", "--help"]));
    list.stdout_has(&[
        "--status <STATUS>",
        "rejected",
        "user.first_name",
        "user.last_name",
        "user.email",
        "--direction <DIRECTION>",
        "--per-page <N>",
        "--page <N>",
    ]);
}

#[test]
fn apply_help_documents_both_formats_the_options_and_the_exit_codes() {
    let run = run(bare().args(["apply", "--help"]));
    run.expect_code(0).stdout_has(&[
        "Usage: cf-members apply [OPTIONS] <FILE>",
        "`-` reads stdin",
        "-y, --yes",
        "--dry-run",
        "--concurrency <N>",
        "[default: 4]",
        "--rate-limit <N/SECS>",
        "1200/300",
        "--retry-file <PATH>",
        "FILE.retry.json",
        // JSON
        "{\"op\": \"set_roles\", \"email\": \"bob@example.com\", \"roles\": [\"Administrator Read Only\", ...]}",
        "{\"op\": \"remove\", \"id\": \"MEMBER_ID\"}",
        "\"zone:example.com\"",
        "Names are resolved before the plan",
        "\"op\" may be left out",
        "{\"changes\": [{\"change\": ENTRY, ...}]}",
        // CSV
        "email,member_id,op,roles",
        "role names or ids separated by `;`",
        "lines starting with `#` are skipped",
        // Behaviour and exit status
        "apply N changes? [y/N]",
        "Ctrl-C stops cleanly",
        "nothing sent",
        "130 stopped by Ctrl-C",
        "Examples:\n  cf-members apply changes.csv",
    ]);
}

#[test]
fn no_command_prints_the_usage_and_exits_2() {
    let run = run(&mut bare());
    run.expect_code(2)
        .stderr_has(&["Usage: cf-members [OPTIONS] <COMMAND>"]);
    let version = run_version();
    assert!(version.starts_with("cf-members "), "{version}");
}

fn run_version() -> String {
    let run = run(bare().arg("--version"));
    run.expect_code(0);
    run.stdout
}

/// Progress goes to stderr only when stderr is a terminal, and only while
/// nothing else shows: a table is printed at the end, a JSON list streamed
/// onto the terminal shows itself.
#[cfg(target_os = "linux")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn long_lists_show_progress_on_a_terminal_only() {
    let mock = mock().await;
    mock.add_members(120);
    let seen = on_a_terminal(&mock, "members list --per-page 50").expect_code(0);
    for step in ["fetched 50 of 126 members", "fetched 100 of 126 members"] {
        assert!(seen.contains(step), "no {step:?} on the terminal: {seen:?}");
    }
    assert!(
        seen.contains("\r\x1b[2KID  "),
        "the line is cleared before the output: {seen:?}"
    );
    let streamed = on_a_terminal(&mock, "members list --per-page 50 -o json").expect_code(0);
    assert!(!streamed.contains("fetched"), "{streamed:?}");
    assert!(streamed.starts_with('['), "{streamed:?}");
    let quiet = on_a_terminal(&mock, "members list --per-page 50 -q").expect_code(0);
    assert!(
        !quiet.contains("fetched"),
        "-q shows no progress: {quiet:?}"
    );
    assert!(quiet.starts_with("ID  "), "{quiet:?}");

    // The same list into a pipe: no progress.
    let piped = run(cli(&mock).args(["members", "list", "-o", "json"]));
    piped.expect_code(0);
    assert_eq!(piped.stderr, "");
}

/// Examples print whole, as they can be pasted: help outside a terminal is
/// wrapped at 100 columns, so a longer example is split by hand with `\`,
/// never by the wrapping in the middle of an argument.
#[test]
fn examples_are_never_wrapped_mid_command() {
    let commands: &[&[&str]] = &[
        &[],
        &["members"],
        &["members", "list"],
        &["members", "get"],
        &["members", "add"],
        &["members", "update"],
        &["members", "remove"],
        &["roles"],
        &["permission-groups"],
        &["resource-groups"],
        &["resource-groups", "create"],
        &["groups"],
        &["groups", "create"],
        &["groups", "update"],
        &["groups", "members"],
        &["apply"],
        &["accounts"],
        &["whois"],
        &["offboard"],
        &["audit"],
        &["export"],
        &["plan"],
        &["sync"],
        &["history"],
        &["completions"],
    ];
    for args in commands {
        let help = run(bare().args(*args).arg("--help"));
        let Some(examples) = help.stdout.split("Examples:").nth(1) else {
            continue;
        };
        let mut previous = "";
        for line in examples
            .lines()
            .take_while(|l| l.is_empty() || l.starts_with(' '))
        {
            let whole = line.is_empty()
                || line.contains("cf-members")
                || line.starts_with("  export ")
                || line.starts_with("  #")
                || line.starts_with("      ")
                || previous.ends_with('\\');
            assert!(
                whole,
                "{args:?}: a wrapped example line {line:?} in\n{examples}"
            );
            previous = line;
        }
    }
}
