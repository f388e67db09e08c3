//! The command line: every command, option and help text.

use clap::{Args, Parser, Subcommand, ValueEnum};

mod access;
mod accounts;
mod groups;
mod members;

pub use access::*;
pub use accounts::*;
pub use groups::*;
pub use members::*;

const AFTER_HELP: &str = "\
Credentials come from the environment only, never from flags:
  CLOUDFLARE_API_TOKEN                    an API token (recommended), or
  CLOUDFLARE_EMAIL + CLOUDFLARE_API_KEY   a legacy Global API key, or
  CLOUDFLARE_API_USER_SERVICE_KEY         a user service key

Exit status: 0 success; 2 invalid input or usage (nothing was sent; for
`offboard` also a plan not confirmed with --yes); 1 any other failure (the
error on stderr gives the HTTP status, the Cloudflare error codes and the
cf-ray id); 3 `plan` found drift; 130 `apply` or `sync` stopped by Ctrl-C.
Each command's help gives its own.

Output: every list takes -o table, json, jsonl or csv (its help names the
columns). Text from the server is shown safely: in tables control
characters become `?` and bidi controls `<U+202E>`; in CSV bidi controls and
control characters other than tab and line breaks become `<U+XXXX>`; JSON
keeps every value exactly. -q leaves only errors on stderr. Shell
completions: `cf-members completions --help`.

Examples:
  export CLOUDFLARE_API_TOKEN=... CLOUDFLARE_ACCOUNT_ID=023e105f4ecef8ad9ca31a8372d0c353
  cf-members members list
  cf-members members list --status pending -o json | jq -r '.[].email'
  cf-members roles list
  cf-members members get bob@example.com --effective
  cf-members members update bob@example.com --role \"Administrator Read Only\"
  cf-members members update bob@example.com --allow \"DNS Write,Zone Read@zone:example.com\" --dry-run
  cf-members members remove bob@example.com --dry-run
  cf-members permission-groups list --name \"DNS Write\"
  cf-members resource-groups create --name web --scope zone:example.com --scope zone:example.net
  cf-members groups list --search sre
  cf-members groups members \"SRE On-Call\" add bob@example.com
  cf-members apply changes.csv            # the plan only
  cf-members apply changes.csv --yes      # the plan, then run it";

/// Manage who has access to Cloudflare accounts, by email and by name.
#[derive(Debug, Parser)]
#[command(
    name = "cf-members",
    version,
    about = "Manage who has access to Cloudflare accounts, by email and by name: members, roles, policies, user groups, bulk changes, access as code (export, plan, sync), and one person across every account (whois, offboard, audit)",
    after_help = AFTER_HELP,
    propagate_version = true,
    subcommand_required = true,
    arg_required_else_help = true
)]
pub struct Cli {
    /// Options that apply to every command.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Options that apply to every command (accepted before or after it).
#[derive(Debug, Args)]
#[command(next_help_heading = "Global options")]
pub struct GlobalArgs {
    /// The account to work on: its id (32 hex characters; shown in the
    /// dashboard URL) or its name (looked up; `id:`/`name:` force either)
    // A string, checked when used: an empty variable counts as unset, as for
    // the credential variables.
    #[arg(long, global = true, env = "CLOUDFLARE_ACCOUNT_ID", value_name = "ID")]
    pub account_id: Option<String>,
    /// The API base URL [default: https://api.cloudflare.com/client/v4]
    // The doc comment is the help text, where a bare URL reads best.
    #[allow(rustdoc::bare_urls)]
    #[arg(long, global = true, env = "CLOUDFLARE_BASE_URL", value_name = "URL")]
    pub base_url: Option<String>,
    /// Retries after a failed attempt (POST is retried only when it certainly
    /// was not processed)
    #[arg(long, global = true, value_name = "N", default_value_t = 2)]
    pub max_retries: u32,
    /// Time limit of one attempt, in seconds
    #[arg(
        long,
        global = true,
        value_name = "SECS",
        default_value_t = 60,
        value_parser = clap::value_parser!(u64).range(1..=86_400)
    )]
    pub timeout: u64,
    /// Output format: `table` for people; `json` for scripts (exactly the
    /// API's `result`; a list is one array, written as the pages arrive);
    /// `jsonl`, one JSON value per line (a list: one item a line); `csv`,
    /// for lists, with the header row each list's help names
    #[arg(short, long, global = true, value_enum, default_value_t = OutputFormat::Table)]
    pub output: OutputFormat,
    /// Print one line per HTTP attempt on stderr (method, path, status,
    /// cf-ray, time; never a secret)
    #[arg(short, long, global = true)]
    pub verbose: bool,
    /// Print nothing on stderr but errors: no progress, notes, warnings or
    /// summaries; and never ask (what would ask needs --yes)
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// When to colour tables and errors (a pending status, a deny policy,
    /// a failure): `auto` on a terminal unless NO_COLOR is set; JSON and
    /// CSV never
    #[arg(
        long,
        global = true,
        value_enum,
        value_name = "WHEN",
        default_value_t = ColorChoice::Auto
    )]
    pub color: ColorChoice,
}

/// `--color`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colour when the output is a terminal and NO_COLOR is not set.
    Auto,
    /// Colour, even in a pipe or under NO_COLOR.
    Always,
    /// No colour.
    Never,
}

/// How results are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Aligned columns for people.
    Table,
    /// The API's `result` as one JSON document.
    Json,
    /// JSON Lines: one JSON value per line (a list: one item a line).
    Jsonl,
    /// CSV with a header row (lists only).
    Csv,
}

/// The resources.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// List, show, add, update and remove account members
    #[command(subcommand)]
    Members(MembersCommand),
    /// List and show the roles of the account
    #[command(subcommand)]
    Roles(RolesCommand),
    /// List and show the permission groups (what a policy can allow or deny)
    #[command(subcommand, name = "permission-groups")]
    PermissionGroups(PermissionGroupsCommand),
    /// List, show, create, update and delete the resource groups (scopes) policies apply to
    #[command(subcommand, name = "resource-groups")]
    ResourceGroups(ResourceGroupsCommand),
    /// List, show, create, update and delete user groups, and change who is in them
    #[command(subcommand)]
    Groups(GroupsCommand),
    /// Change many members' access from a JSON or CSV file: plan, then --yes to run
    #[command(after_help = APPLY_HELP)]
    Apply(ApplyArgs),
    /// List the accounts the token can see
    #[command(subcommand)]
    Accounts(AccountsCommand),
    /// Find a person in every account: membership, status, roles, policies
    #[command(after_help = crate::accounts::WHOIS_HELP)]
    Whois(WhoisArgs),
    /// Remove a person from every account (plan first; --yes to run)
    #[command(after_help = crate::accounts::OFFBOARD_HELP)]
    Offboard(OffboardArgs),
    /// Every member of every account, one row each (table, JSON or CSV)
    #[command(after_help = crate::accounts::AUDIT_HELP)]
    Audit(AuditArgs),
    /// Write the account's access as an access file (YAML, or JSON with -o json)
    #[command(after_help = crate::access::EXPORT_HELP)]
    Export(ExportArgs),
    /// Show how the account differs from an access file (exit 3 on drift)
    #[command(after_help = crate::access::PLAN_HELP)]
    Plan(PlanArgs),
    /// Make the account match an access file: plan, then --yes to run
    #[command(after_help = crate::access::SYNC_HELP)]
    Sync(SyncArgs),
    /// Who changed memberships, and when: the audit log, one line a change
    #[command(after_help = crate::history::HISTORY_HELP)]
    History(HistoryArgs),
    /// Print the shell completion script for bash, zsh, fish, PowerShell or elvish
    #[command(after_help = COMPLETIONS_HELP)]
    Completions {
        /// The shell to complete in
        #[arg(value_enum, value_name = "SHELL")]
        shell: clap_complete::Shell,
    },
}

const COMPLETIONS_HELP: &str = "\
The script completes every command, option and fixed value (`--status`,
`-o`, ...); it is printed on stdout and needs no credentials. Install it
once for your shell, for example:
  bash        cf-members completions bash > ~/.local/share/bash-completion/completions/cf-members
  zsh         cf-members completions zsh > ~/.zfunc/_cf-members
              (with `fpath+=~/.zfunc; autoload -U compinit; compinit` in ~/.zshrc)
  fish        cf-members completions fish > ~/.config/fish/completions/cf-members.fish
  powershell  cf-members completions powershell >> $PROFILE
  elvish      cf-members completions elvish >> ~/.config/elvish/rc.elv
Or, for the current shell only: source <(cf-members completions bash).

The man pages (`man cf-members`, `man cf-members-members-list`, ...) are in
the man/ folder of the source.";

/// Paging options of a list.
#[derive(Debug, Args)]
pub struct PageArgs {
    /// Items per page, 5 to 50 [default: 50 when fetching every page, the
    /// API's 20 with --page]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(5..=50))]
    pub per_page: Option<u32>,
    /// Fetch only this page (from 1) instead of every page
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub page: Option<u32>,
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use clap::CommandFactory;
    use member_client::DEFAULT_APPLY_CONCURRENCY;

    use super::*;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn global_options_go_before_or_after_the_command() {
        let cli = Cli::try_parse_from([
            "cf-members",
            "-o",
            "json",
            "members",
            "get",
            "4536bcfad5faccb111b47003c79917fa",
            "--timeout",
            "5",
            "-v",
        ])
        .unwrap();
        assert_eq!(cli.global.output, OutputFormat::Json);
        assert_eq!(cli.global.timeout, 5);
        assert!(cli.global.verbose);
    }

    #[test]
    fn rate_limit_is_n_per_seconds_or_off() {
        let Ok(RateLimitArg::Limit(limit)) = parse_rate_limit("120/10") else {
            panic!("120/10 parses");
        };
        assert_eq!(limit.requests(), 120);
        assert_eq!(limit.window(), Duration::from_secs(10));
        assert_eq!(parse_rate_limit("OFF"), Ok(RateLimitArg::Off));
        for bad in [
            "120", "0/10", "10/0", "x/10", "10/y", "-1/5", "5/100000", "",
        ] {
            assert!(parse_rate_limit(bad).is_err(), "{bad:?} accepted");
        }
        let cli =
            Cli::try_parse_from(["cf-members", "apply", "f.csv", "--rate-limit", "5/1"]).unwrap();
        let Command::Apply(args) = cli.command else {
            panic!("parsed as {:?}", cli.command);
        };
        assert!(!args.run.yes && !args.run.dry_run);
        assert_eq!(args.run.concurrency as usize, DEFAULT_APPLY_CONCURRENCY);
        let err =
            Cli::try_parse_from(["cf-members", "apply", "f", "--concurrency", "0"]).unwrap_err();
        assert_eq!(err.exit_code(), 2);
    }

    /// `cf-members members update <id> --role <id>` and then `more`.
    fn update_with_a_role(more: &[&str]) -> Result<Cli, clap::Error> {
        let args = [
            "cf-members",
            "members",
            "update",
            "4536bcfad5faccb111b47003c79917fa",
            "--role",
            "05784afa30c1afe1440e79d9351c7430",
        ];
        Cli::try_parse_from(args.iter().chain(more))
    }

    #[test]
    fn role_repeats_and_excludes_policies() {
        let cli = update_with_a_role(&["--role", "3536bcfad5faccb999b47003c79917fb"]).unwrap();
        let Command::Members(MembersCommand::Update(args)) = cli.command else {
            panic!("parsed as {:?}", cli.command);
        };
        assert_eq!(args.access.roles.len(), 2);
        for other in [
            ["--policies", "p.json"],
            ["--allow", "DNS@account"],
            ["--deny", "DNS@account"],
        ] {
            let err = update_with_a_role(&other).unwrap_err();
            assert_eq!(err.kind(), clap::error::ErrorKind::ArgumentConflict);
            assert_eq!(err.exit_code(), 2);
        }
        let both = Cli::try_parse_from([
            "cf-members",
            "members",
            "update",
            "bob@example.com",
            "--allow",
            "DNS Write@zone:example.com",
            "--deny",
            "Billing Read@account",
        ])
        .unwrap();
        let Command::Members(MembersCommand::Update(args)) = both.command else {
            panic!("parsed as {:?}", both.command);
        };
        assert_eq!((args.access.allow.len(), args.access.deny.len()), (1, 1));
        let err = Cli::try_parse_from([
            "cf-members",
            "members",
            "update",
            "bob@example.com",
            "--allow",
            "DNS Write@account",
            "--policies",
            "p.json",
        ])
        .unwrap_err();
        assert_eq!(err.kind(), clap::error::ErrorKind::ArgumentConflict);
    }
}
