//! The command line: every command, option and help text.

use std::path::PathBuf;

use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};
use member_client::{
    Direction, InviteStatus, MemberOrder, MemberStatus, RateLimitConfig, DEFAULT_APPLY_CONCURRENCY,
};

const AFTER_HELP: &str = "\
Credentials come from the environment only, never from flags:
  CLOUDFLARE_API_TOKEN                    an API token (recommended), or
  CLOUDFLARE_EMAIL + CLOUDFLARE_API_KEY   a legacy Global API key, or
  CLOUDFLARE_API_USER_SERVICE_KEY         a user service key

Exit status: 0 success; 2 invalid input or usage (nothing was sent);
1 any other failure (the error on stderr gives the HTTP status, the
Cloudflare error codes and the cf-ray id); 130 `apply` stopped by Ctrl-C.

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

/// Manage who has access to a Cloudflare account: list, inspect, invite,
/// change and remove account members, and look up roles.
#[derive(Debug, Parser)]
#[command(
    name = "cf-members",
    version,
    about = "Manage the members of a Cloudflare account (list, get, add, update, remove, bulk apply), its user groups, and look up roles",
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

/// `cf-members history` options.
#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// Only this member's changes: an email (of a current member) or a
    /// membership id
    #[arg(value_name = "MEMBER")]
    pub member: Option<String>,
    /// Only the changes this person made (their email)
    #[arg(long, value_name = "EMAIL", value_parser = parse_email)]
    pub by: Option<String>,
    /// From when: 30m, 24h, 7d (back from now), a date (2026-11-01) or an
    /// RFC 3339 time [default: 7d]
    #[arg(long, value_name = "WHEN", value_parser = crate::history::parse_since)]
    pub since: Option<std::time::SystemTime>,
    /// Search these accounts instead of --account-id: `all`, or ids and
    /// names separated by commas
    #[arg(long, value_name = "all|ID_OR_NAME,...")]
    pub accounts: Option<String>,
    /// Client-side rate limit: N requests per SECS seconds, or `off`
    /// [default: 1200/300]
    #[arg(long, value_name = "N/SECS", value_parser = parse_rate_limit)]
    pub rate_limit: Option<RateLimitArg>,
}

/// `cf-members export` options.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Write the file here instead of stdout (replaced whole, or not at all)
    #[arg(long, value_name = "PATH")]
    pub out: Option<PathBuf>,
}

/// `cf-members plan` options.
#[derive(Debug, Args)]
pub struct PlanArgs {
    /// The access file (YAML, or JSON when it ends in .json or starts with
    /// `{`; `-` reads stdin)
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Plan as `sync --prune` would: members not in the file are removed
    #[arg(long)]
    pub prune: bool,
}

/// `cf-members sync` options.
#[derive(Debug, Args)]
pub struct SyncArgs {
    /// The access file (YAML, or JSON when it ends in .json or starts with
    /// `{`; `-` reads stdin)
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Also remove the members (and cancel the invitations) the file leaves out
    #[arg(long)]
    pub prune: bool,
    /// The most members one sync may remove; a plan removing more is refused
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub max_removals: usize,
    /// Asking, dry run, concurrency and rate limit.
    #[command(flatten)]
    pub run: RunArgs,
    /// Where to write the member changes that failed or did not start
    /// [default: FILE.retry.json; cf-members.retry.json for stdin]; run it
    /// with `cf-members apply`
    #[arg(long, value_name = "PATH")]
    pub retry_file: Option<PathBuf>,
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

/// `cf-members accounts …`
#[derive(Debug, Subcommand)]
pub enum AccountsCommand {
    /// List the accounts the token can see (every page)
    #[command(after_help = crate::accounts::ACCOUNTS_LIST_HELP)]
    List {
        /// Only the accounts with this name (as the API matches it)
        #[arg(long, value_name = "NAME")]
        name: Option<String>,
    },
}

/// Which accounts a many-account command looks at, and its rate limit.
#[derive(Debug, Args)]
pub struct AccountsArgs {
    /// `all` (every account the token can see), or accounts separated by
    /// commas, each an id or a name (`all,ID` adds accounts the list leaves
    /// out); `@FILE` reads them from a file (one a line, or an offboard
    /// retry file)
    #[arg(long, value_name = "all|ID_OR_NAME,...", default_value = "all")]
    pub accounts: String,
    /// Client-side rate limit: N requests per SECS seconds (every request,
    /// retries included), or `off` [default: 1200/300, Cloudflare's limit per
    /// token]
    #[arg(long, value_name = "N/SECS", value_parser = parse_rate_limit)]
    pub rate_limit: Option<RateLimitArg>,
}

/// `cf-members whois` options.
#[derive(Debug, Args)]
pub struct WhoisArgs {
    /// The person's email address (any case)
    #[arg(value_name = "EMAIL", value_parser = parse_email)]
    pub email: String,
    /// The accounts.
    #[command(flatten)]
    pub accounts: AccountsArgs,
}

/// `cf-members offboard` options.
#[derive(Debug, Args)]
pub struct OffboardArgs {
    /// The person's email address (any case)
    #[arg(value_name = "EMAIL", value_parser = parse_email)]
    pub email: String,
    /// The accounts.
    #[command(flatten)]
    pub accounts: AccountsArgs,
    /// Remove without asking
    #[arg(short, long)]
    pub yes: bool,
    /// Print the plan only and remove nothing (never asks; wins over --yes)
    #[arg(long)]
    pub dry_run: bool,
    /// Where to write the accounts where access may remain [default:
    /// offboard-EMAIL.retry.json]
    #[arg(long, value_name = "PATH")]
    pub retry_file: Option<PathBuf>,
}

/// `cf-members audit` options.
#[derive(Debug, Args)]
pub struct AuditArgs {
    /// The accounts.
    #[command(flatten)]
    pub accounts: AccountsArgs,
}

const APPLY_HELP: &str = "\
First the plan: the current members are read (one paged list, and the roles
for their names) and every entry is shown as who changes from what to what.
Members already in the wanted state are only counted; entries that cannot be
done (an unknown email or id, an email of several members, a second entry for
the same member, an add for someone who is already a member with other
access) are listed as problems and skipped: nobody is guessed, and only an
`add` adds anybody; the other entries still run with --yes. Without --yes no
change is sent (on a terminal, cf-members asks `apply N changes? [y/N]`
first; never with --dry-run, -o json or FILE -).

With --yes the changes run, --concurrency at a time, within the rate limit.
A progress line shows on stderr when it is a terminal, each failure is one
stderr line, and a summary ends the run. Every change that failed or did
not start is written to the retry file; feed it back to `cf-members apply`
to retry just those: it goes through the plan again, so a change that did
land is shown as unchanged and not sent twice. The retry file is written
after every run with --yes that had changes to send (empty when all were
applied); problems are not in it (fix those entries instead). The rate limit
counts every request, the plan's reads and retries included; -v shows each
request instead of the progress line.

Ctrl-C stops cleanly: no new change starts, the requests in flight finish and
are reported, the retry file lists the rest, and the exit status is 130. A
second Ctrl-C quits at once; the changes still in flight are then listed in
the retry file as possibly applied.

FILE, JSON (named `*.json`; any other name or stdin: when its text starts
with `[` or `{`): an array of entries
  [{\"op\": \"set_roles\", \"email\": \"bob@example.com\", \"roles\": [\"Administrator Read Only\", ...]},
   {\"op\": \"set_policies\", \"email\": \"erin@example.com\", \"policies\": [POLICY, ...]},
   {\"op\": \"add\", \"email\": \"new@example.com\", \"roles\": [\"Billing\"], \"status\": \"pending\"},
   {\"op\": \"remove\", \"id\": \"MEMBER_ID\"},
   {\"op\": \"add_to_group\", \"email\": \"bob@example.com\", \"group\": \"SRE On-Call\"},
   {\"op\": \"remove_from_group\", \"email\": \"erin@example.com\", \"group\": \"GROUP_ID\"}]
  - a member is named by \"email\" (any case) or by \"id\" (the member id), not both;
    `add` takes an email only, and roles or policies, and an optional status
    (pending: an invitation, the default; accepted: added directly);
  - \"op\" may be left out when the entry has \"roles\" (set_roles) or
    \"policies\" (set_policies);
  - a role is its name (any case) or its id;
  - a POLICY is {\"access\": \"allow\"|\"deny\", \"permission_groups\": [...],
    \"resource_groups\": [...]}, each permission group its name or label
    (\"DNS Write\") or {\"id\": ...}, each resource group a scope (\"account\",
    \"zone:example.com\", \"group:NAME\") or {\"id\": ...};
  - set_roles replaces the member's policies too, and set_policies the roles;
  - add_to_group and remove_from_group put a member into or out of a user
    group, named by \"group\" (its name, any case, or its id); the member's
    own roles and policies stay. A member already in the group (or already
    not in it) is shown as unchanged and nothing is sent for them.
  A retry file written by an earlier run ({\"changes\": [{\"change\": ENTRY, ...}]})
  is read too.

FILE, CSV (named `*.csv`; any other name or stdin: when its text does not
start with `[` or `{`): a header row, then one change per row. Columns, in
any order (only those needed):
  email       the member's email (any case)
  member_id   the member id (or `id`); give email or member_id, not both
  op          set_roles, set_policies, add, remove, add_to_group or
              remove_from_group; when empty: set_roles if roles are given,
              set_policies if policies are
  group       for add_to_group and remove_from_group: the user group's
              name or id
  roles       role names or ids separated by `;`
  policies    a JSON array of policies (quote the cell, doubling inner quotes)
  status      for add: pending (default) or accepted
  Cells are trimmed; empty rows and lines starting with `#` are skipped.
  Example:
    email,member_id,op,roles
    bob.dns@example.com,,,05784afa30c1afe1440e79d9351c7430;3f7a2f9e6d1c4b6a8e0f5d2c1b9a8e71
    ,d3e7f4a0b5c86d9e1f2a3b4c5d6e7f80,remove,
    new.hire@example.com,,add,05784afa30c1afe1440e79d9351c7430

A file with a bad entry is refused whole (exit 2, nothing sent); every bad
entry is named by its place (`entry 3 (line 7)` in JSON, `line 7` in CSV).
Names are resolved before the plan (the roles, the permission groups and the
resource groups are each read once): every name that matches nothing (with
the closest names) or several things (with their ids) is listed with its
place, and the file is refused (exit 2, nothing sent).

-o json prints one report on stdout: {\"plan\": {\"entries\", \"problems\"},
\"outcomes\", \"summary\", \"ran\", \"dry_run\", \"interrupted\", \"retry_file\"}.

Exit status: 0 everything applied, or nothing to do (plan only: every entry
can be applied); 1 a change failed or did not start, or the plan has
problems, or reading the members failed; 2 invalid input (a bad file or
option; nothing sent); 130 stopped by Ctrl-C.

Examples:
  cf-members apply changes.csv
  cf-members apply changes.json --yes
  cf-members apply changes.json --yes --rate-limit 120/10 --concurrency 8
  cf-members apply changes.json.retry.json --yes
  generate-changes | cf-members apply - --yes --retry-file retry.json";

/// `cf-members members …`
#[derive(Debug, Subcommand)]
pub enum MembersCommand {
    /// List the members of the account (every page unless --page is given)
    #[command(after_help = "\
-o csv columns: id, email, first_name, last_name, status, two_factor, roles, policies, user_id
  two_factor is true, false, or empty when the API does not say; roles are
  names and policies `allow|deny GROUPS on SCOPES`, each separated by `; `.
-o json and -o jsonl give each member exactly as the API sent it.

The output is written as the pages arrive. A page that fails after the first
ends it early, still well-formed (the JSON array closed, the rows so far),
and cf-members exits 1 with the error on stderr.

Examples:
  cf-members members list
  cf-members members list --status pending --order user.email
  cf-members members list -o json | jq -r '.[] | [.id, .user.email, .status] | @tsv'
  cf-members members list --per-page 20 --page 2")]
    List(ListMembersArgs),
    /// Show one member, with roles and policies (--effective: and the access of every group they are in)
    #[command(after_help = "\
--effective shows what the member can really do: their own roles and
policies, then every user group they are in (name and id) with the policies
it grants, each permission group and resource group by name. It reads the
member, every user group, and each group's members (filtered by the
member's email). -o json gives {\"member\", \"roles\", \"groups\",
\"grants\"}, each grant with its \"source\" ({\"type\": \"direct\"} or
{\"type\": \"group\", \"id\", \"name\"}).

Examples:
  cf-members members get bob@example.com
  cf-members members get bob@example.com --effective
  cf-members members get 4536bcfad5faccb111b47003c79917fa -o json")]
    Get {
        /// The member: their email (any case) or member id
        #[arg(value_name = "MEMBER")]
        member: String,
        /// Also show the access the member has through user groups
        #[arg(long)]
        effective: bool,
    },
    /// Invite someone to the account (or add them directly)
    #[command(after_help = "\
A role is its name (any case; `cf-members roles list`) or its id.
--allow and --deny each give one policy: PERMISSION_GROUPS@SCOPES, both lists
comma separated; a permission group is its name or label (`cf-members
permission-groups list`) or its id; a scope is `account`, `zone:<domain>`,
`group:<resource group name>` or a resource group id.
A policies FILE holds a JSON array of policies, names or ids, for example:
  [{\"access\": \"allow\", \"permission_groups\": [\"DNS Write\"],
    \"resource_groups\": [\"zone:example.com\"]},
   {\"access\": \"deny\",
    \"permission_groups\": [{\"id\": \"c8fed203ed3043cba015a93ad1616f1f\"}],
    \"resource_groups\": [{\"id\": \"6d7f2f5f5b1d4a0e9081fdc98d432fd1\"}]}]
A name that matches nothing or several things is refused (exit 2, nothing
sent) with the closest names or every candidate's id.

Examples:
  cf-members members add --email new@example.com --role \"Administrator Read Only\"
  cf-members members add --email new@example.com --allow \"DNS Write@zone:example.com\" --dry-run
  cf-members members add --email new@example.com --policies policies.json --dry-run
  generate-policies | cf-members members add --email new@example.com --policies -")]
    Add(AddArgs),
    /// Replace a member's roles, or their policies
    #[command(after_help = "\
The member's current roles (or policies) are replaced by those given. Roles,
--allow, --deny and the policies FILE take names or ids (see `cf-members
members add --help`); --dry-run shows what each name resolved to. A change
that takes the Super Administrator role from the account's last accepted
member who holds it is refused (exit 2, nothing sent).

Examples:
  cf-members members update bob@example.com --role \"Administrator Read Only\"
  cf-members members update bob@example.com --role Billing --role \"DNS\" --dry-run
  cf-members members update bob@example.com --allow \"DNS Write,Zone Read@zone:example.com\" --deny \"Billing Read@account\"
  cf-members members update 4536bcfad5faccb111b47003c79917fa --policies - < policies.json")]
    Update(UpdateArgs),
    /// Remove a member from the account
    #[command(after_help = "\
The account's last accepted Super Administrator (by role, by policy or
through a user group) is never removed: exit 2, nothing sent.

Examples:
  cf-members members remove old@example.com --dry-run
  cf-members members remove 4536bcfad5faccb111b47003c79917fa")]
    Remove(RemoveArgs),
}

/// `cf-members roles …`
#[derive(Debug, Subcommand)]
pub enum RolesCommand {
    /// List the roles of the account (every page unless --page is given)
    #[command(after_help = "\
-o csv columns: id, name, description

Examples:
  cf-members roles list
  cf-members roles list -o json | jq -r '.[] | [.id, .name] | @tsv'")]
    List(PageArgs),
    /// Show one role and its permissions
    #[command(after_help = "\
Examples:
  cf-members roles get \"Administrator Read Only\"
  cf-members roles get 3536bcfad5faccb999b47003c79917fb")]
    Get {
        /// The role: its name (any case) or id
        #[arg(value_name = "ROLE")]
        role: String,
    },
}

/// `cf-members groups …`
#[derive(Debug, Subcommand)]
pub enum GroupsCommand {
    /// List the account's user groups (every page unless --page is given)
    #[command(after_help = "\
-o csv columns: id, name, policies, created_on, modified_on
  policies: each `allow|deny GROUPS on SCOPES` (by id where the answer gives
  no name), separated by `; `.

Examples:
  cf-members groups list
  cf-members groups list --search sre
  cf-members groups list --name \"SRE On-Call\" -o json")]
    List(ListGroupsArgs),
    /// Show one user group and its policies
    #[command(after_help = "\
GROUP is the group's name (exact, any case) or its id.

Examples:
  cf-members groups get \"SRE On-Call\"
  cf-members groups get 9f3c2a1b4d5e6f708192a3b4c5d6e7f8 -o json")]
    Get {
        /// The user group: its name (any case) or id
        #[arg(value_name = "GROUP")]
        group: String,
    },
    /// Create a user group, with policies or none
    #[command(after_help = GROUP_POLICIES_HELP)]
    Create(CreateGroupArgs),
    /// Rename a user group, or replace its policies
    #[command(after_help = UPDATE_USER_GROUP_HELP)]
    Update(UpdateGroupArgs),
    /// Delete a user group (asks first; --yes does not)
    #[command(after_help = "\
GROUP is the group's name (exact, any case) or its id. The members stay in
the account; they lose what the group granted. Without --yes, cf-members asks
`delete user group NAME? [y/N]` on a terminal, and refuses (exit 2, nothing
sent) elsewhere. A group through which the account's last accepted Super
Administrator holds the role is never deleted (exit 2, nothing sent).

Examples:
  cf-members groups delete \"SRE On-Call\" --dry-run
  cf-members groups delete \"SRE On-Call\" --yes")]
    Delete(DeleteGroupArgs),
    /// List, add, remove or set the members of a user group
    #[command(after_help = GROUP_MEMBERS_HELP)]
    Members(GroupMembersArgs),
}

const GROUP_POLICIES_HELP: &str = "\
--allow and --deny each give one policy: PERMISSION_GROUPS@SCOPES, both lists
comma separated; a permission group is its name or label (`cf-members
permission-groups list`) or its id; a scope is `account`, `zone:<domain>`,
`group:<resource group name>` or a resource group id. A policies FILE holds a
JSON array of policies (see `cf-members members add --help`). Every member of
the group gets these policies, on top of their own roles and policies.

Examples:
  cf-members groups create --name \"SRE On-Call\"
  cf-members groups create --name \"DNS editors\" --allow \"DNS Write@zone:example.com\" --dry-run
  cf-members groups create --name auditors --policies policies.json";

const UPDATE_USER_GROUP_HELP: &str = "\
GROUP is the group's name (exact, any case) or its id. Policies given with
--allow, --deny or --policies REPLACE THE GROUP'S WHOLE SET of policies:
every policy the group has now and is not given again is removed (for every
member of the group). Leave them out to keep the policies and only rename.
--dry-run shows what each name resolved to and the request. Policies that
would leave the account without an active Super Administrator (the group
gave the last one the role) are refused (exit 2, nothing sent).

Examples:
  cf-members groups update \"SRE On-Call\" --name \"SRE\"
  cf-members groups update SRE --allow \"DNS Write@zone:example.com\" --dry-run
  cf-members groups update 9f3c2a1b4d5e6f708192a3b4c5d6e7f8 --policies policies.json";

const GROUP_MEMBERS_HELP: &str = "\
GROUP is the group's name (exact, any case) or its id; a MEMBER is their
email (any case) or member id. The group's members are read first:
  list    the group's members
  add     puts the members into the group (one request); those already in
          it are told and not sent
  remove  takes the members out (one request each); those not in it are told
          and not sent
  set     makes the group hold exactly these members: prints who will be
          added and who removed, and with --yes sends one request replacing
          the whole membership (without --yes: the plan only, exit 2)
An unknown group or member is refused with the closest names (exit 2,
nothing sent).

Examples:
  cf-members groups members \"SRE On-Call\" list
  cf-members groups members \"SRE On-Call\" add bob@example.com erin@example.com
  cf-members groups members \"SRE On-Call\" remove bob@example.com --dry-run
  cf-members groups members \"SRE On-Call\" set alice@example.com bob@example.com
  cf-members groups members \"SRE On-Call\" set alice@example.com bob@example.com --yes";

/// `cf-members groups list` options.
#[derive(Debug, Args)]
pub struct ListGroupsArgs {
    /// Only the group with exactly this name
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// Only groups whose name contains this text
    #[arg(long, value_name = "TEXT")]
    pub search: Option<String>,
    /// Paging.
    #[command(flatten)]
    pub paging: PageArgs,
}

/// The policies of a user group: --allow/--deny flags, or a file.
#[derive(Debug, Args)]
pub struct GroupPolicyArgs {
    /// A policy allowing PERMISSION_GROUPS@SCOPES, e.g. "DNS Write,Zone
    /// Read@zone:example.com" (repeat for several)
    #[arg(long, value_name = "GROUPS@SCOPES", conflicts_with = "policies")]
    pub allow: Vec<String>,
    /// A policy denying PERMISSION_GROUPS@SCOPES, e.g. "Billing Read@account"
    /// (repeat for several)
    #[arg(long, value_name = "GROUPS@SCOPES", conflicts_with = "policies")]
    pub deny: Vec<String>,
    /// A JSON file with the array of policies, names or ids (`-` reads
    /// stdin)
    #[arg(long, value_name = "FILE")]
    pub policies: Option<PathBuf>,
}

/// `cf-members groups create` options.
#[derive(Debug, Args)]
pub struct CreateGroupArgs {
    /// The new group's name
    #[arg(long, value_name = "NAME")]
    pub name: String,
    /// Policies.
    #[command(flatten)]
    pub access: GroupPolicyArgs,
    /// Print what each name resolved to and the request that would be sent,
    /// and send nothing
    #[arg(long)]
    pub dry_run: bool,
}

/// `cf-members groups update` options.
#[derive(Debug, Args)]
#[group(id = "change", required = true, multiple = true, args = ["name", "allow", "deny", "policies"])]
pub struct UpdateGroupArgs {
    /// The user group: its name (any case) or id
    #[arg(value_name = "GROUP")]
    pub group: String,
    /// The new name
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// The group's new policies, replacing all of its policies.
    #[command(flatten)]
    pub access: GroupPolicyArgs,
    /// Print what each name resolved to and the request that would be sent
    /// (and that policies replace the group's whole set), and send nothing
    #[arg(long)]
    pub dry_run: bool,
}

/// `cf-members groups delete` options.
#[derive(Debug, Args)]
pub struct DeleteGroupArgs {
    /// The user group: its name (any case) or id
    #[arg(value_name = "GROUP")]
    pub group: String,
    /// Delete without asking
    #[arg(short, long)]
    pub yes: bool,
    /// Print the request that would be sent, and send nothing
    #[arg(long)]
    pub dry_run: bool,
}

/// `cf-members groups members GROUP …` options.
#[derive(Debug, Args)]
pub struct GroupMembersArgs {
    /// The user group: its name (any case) or id
    #[arg(value_name = "GROUP")]
    pub group: String,
    /// What to do with its members.
    #[command(subcommand)]
    pub action: GroupMembersAction,
}

/// `cf-members groups members GROUP list|add|remove|set`.
#[derive(Debug, Subcommand)]
pub enum GroupMembersAction {
    /// List the group's members
    #[command(after_help = "\
-o csv columns: id, email, status

Examples:
  cf-members groups members \"SRE On-Call\" list
  cf-members groups members \"SRE On-Call\" list -o csv > sre.csv")]
    List,
    /// Put members into the group (the others stay)
    Add(GroupMembersChange),
    /// Take members out of the group
    Remove(GroupMembersChange),
    /// Make the group hold exactly these members (plan; --yes to send)
    Set(SetGroupMembersArgs),
}

/// `add` and `remove` of `groups members`.
#[derive(Debug, Args)]
pub struct GroupMembersChange {
    /// The members: each their email (any case) or member id
    #[arg(value_name = "MEMBER", required = true)]
    pub members: Vec<String>,
    /// Print what each name resolved to and the requests that would be
    /// sent, and send nothing
    #[arg(long)]
    pub dry_run: bool,
}

/// `set` of `groups members`.
#[derive(Debug, Args)]
pub struct SetGroupMembersArgs {
    /// The members the group is to hold: each their email (any case) or
    /// member id
    #[arg(value_name = "MEMBER", required = true)]
    pub members: Vec<String>,
    /// Send the change (without it: the plan only, exit 2)
    #[arg(short, long)]
    pub yes: bool,
    /// Print the plan and the request that would be sent, and send nothing
    /// (exit 0)
    #[arg(long)]
    pub dry_run: bool,
}

/// `cf-members permission-groups …`
#[derive(Debug, Subcommand)]
pub enum PermissionGroupsCommand {
    /// List the account's permission groups (every page unless --page is given)
    #[command(after_help = "\
-o csv columns: id, name, label, scope
  scope: account or zone (what the group can be granted on).

Examples:
  cf-members permission-groups list
  cf-members permission-groups list --name \"DNS Write\"
  cf-members permission-groups list -o json | jq -r '.[] | [.id, .name] | @tsv'")]
    List(ListPermissionGroupsArgs),
    /// Show one permission group
    #[command(after_help = "\
Examples:
  cf-members permission-groups get \"DNS Write\"
  cf-members permission-groups get c8fed203ed3043cba015a93ad1616f1f -o json")]
    Get {
        /// The permission group: its name or label (any case) or id
        #[arg(value_name = "GROUP")]
        group: String,
    },
}

/// `cf-members permission-groups list` options.
#[derive(Debug, Args)]
pub struct ListPermissionGroupsArgs {
    /// Only the group with this name (exact, as the API matches it)
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// Only the group with this label (`meta.label`)
    #[arg(long, value_name = "LABEL")]
    pub label: Option<String>,
    /// Paging.
    #[command(flatten)]
    pub paging: PageArgs,
}

/// `cf-members resource-groups …`
#[derive(Debug, Subcommand)]
pub enum ResourceGroupsCommand {
    /// List the account's resource groups
    #[command(after_help = "\
-o csv columns: id, name, scope
  scope: `account`, `zone <id>` or `zones <id>, <id>`; several separated by `; `.

Examples:
  cf-members resource-groups list
  cf-members resource-groups list --name web -o json")]
    List {
        /// Only the group with this name
        #[arg(long, value_name = "NAME")]
        name: Option<String>,
    },
    /// Show one resource group
    #[command(after_help = "\
Examples:
  cf-members resource-groups get web
  cf-members resource-groups get 6d7f2f5f5b1d4a0e9081fdc98d432fd1 -o json")]
    Get {
        /// The resource group: its name (any case) or id
        #[arg(value_name = "GROUP")]
        group: String,
    },
    /// Create a resource group
    #[command(after_help = CREATE_GROUP_HELP)]
    Create(CreateResourceGroupArgs),
    /// Rename a resource group or change its scope
    #[command(after_help = UPDATE_GROUP_HELP)]
    Update(UpdateResourceGroupArgs),
    /// Delete a resource group (asks first; --yes does not)
    #[command(after_help = "\
Without --yes, cf-members asks `delete resource group NAME? [y/N]` on a
terminal, and refuses (exit 2, nothing sent) elsewhere.

Examples:
  cf-members resource-groups delete web --dry-run
  cf-members resource-groups delete web --yes")]
    Delete(DeleteResourceGroupArgs),
}

const CREATE_GROUP_HELP: &str = "\
A scope is `account` (the whole account), `zone:<domain>` (one whole zone of
the account), or several zones of the account: `--scope zone:a.com --scope
zone:b.com` (or `zone:a.com,b.com`).

Examples:
  cf-members resource-groups create --name everything --scope account
  cf-members resource-groups create --name web --scope zone:example.com --scope zone:example.net
  cf-members resource-groups create --name web --scope zone:example.com --dry-run";

const UPDATE_GROUP_HELP: &str = "\
A scope is `account` (the whole account), `zone:<domain>` (one whole zone of
the account), or several zones of the account: `--scope zone:a.com --scope
zone:b.com` (or `zone:a.com,b.com`). The scope given replaces the group's.

Examples:
  cf-members resource-groups update web --name web-zones
  cf-members resource-groups update web --scope zone:example.com --dry-run";

/// `cf-members resource-groups create` options.
#[derive(Debug, Args)]
pub struct CreateResourceGroupArgs {
    /// The new group's name
    #[arg(long, value_name = "NAME")]
    pub name: String,
    /// What the group covers (repeat for several zones); forms below
    #[arg(long, value_name = "SCOPE", required = true)]
    pub scope: Vec<String>,
    /// Print the request that would be sent and what each name resolved
    /// to, and send nothing
    #[arg(long)]
    pub dry_run: bool,
}

/// `cf-members resource-groups update` options.
#[derive(Debug, Args)]
#[group(id = "change", required = true, multiple = true, args = ["name", "scope"])]
pub struct UpdateResourceGroupArgs {
    /// The resource group: its name (any case) or id
    #[arg(value_name = "GROUP")]
    pub group: String,
    /// The new name
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// The new scope (repeat for several zones); forms below
    #[arg(long, value_name = "SCOPE")]
    pub scope: Vec<String>,
    /// Print the request that would be sent and what each name resolved
    /// to, and send nothing
    #[arg(long)]
    pub dry_run: bool,
}

/// `cf-members resource-groups delete` options.
#[derive(Debug, Args)]
pub struct DeleteResourceGroupArgs {
    /// The resource group: its name (any case) or id
    #[arg(value_name = "GROUP")]
    pub group: String,
    /// Delete without asking
    #[arg(short, long)]
    pub yes: bool,
    /// Print the request that would be sent, and send nothing
    #[arg(long)]
    pub dry_run: bool,
}

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

/// `cf-members members list` options.
#[derive(Debug, Args)]
pub struct ListMembersArgs {
    /// Only members with this status
    #[arg(long, value_enum)]
    pub status: Option<StatusFilter>,
    /// Order by this field
    #[arg(long, value_enum)]
    pub order: Option<OrderArg>,
    /// Sort direction
    #[arg(long, value_enum)]
    pub direction: Option<DirectionArg>,
    /// Paging.
    #[command(flatten)]
    pub paging: PageArgs,
}

/// The roles or the policies to give a member: roles, or policies (as
/// --allow/--deny flags, or a file), never both.
#[derive(Debug, Args)]
#[group(required = true, multiple = true)]
pub struct AccessArgs {
    /// A role to give, by name (any case) or id (repeat for several)
    #[arg(long = "role", value_name = "ROLE", conflicts_with_all = ["policies", "allow", "deny"])]
    pub roles: Vec<String>,
    /// A policy allowing PERMISSION_GROUPS@SCOPES, e.g. "DNS Write,Zone
    /// Read@zone:example.com" (repeat for several)
    #[arg(long, value_name = "GROUPS@SCOPES", conflicts_with = "policies")]
    pub allow: Vec<String>,
    /// A policy denying PERMISSION_GROUPS@SCOPES, e.g. "Billing Read@account"
    /// (repeat for several)
    #[arg(long, value_name = "GROUPS@SCOPES", conflicts_with = "policies")]
    pub deny: Vec<String>,
    /// A JSON file with the array of policies to give, names or ids (`-`
    /// reads stdin)
    #[arg(long, value_name = "FILE")]
    pub policies: Option<PathBuf>,
}

/// `cf-members members add` options.
#[derive(Debug, Args)]
pub struct AddArgs {
    /// The email address to invite
    #[arg(long, value_name = "EMAIL", value_parser = parse_email)]
    pub email: String,
    /// Roles or policies.
    #[command(flatten)]
    pub access: AccessArgs,
    /// `pending` sends an invitation (the API's default); `accepted` adds
    /// the member directly (only for accounts with that entitlement)
    #[arg(long, value_enum)]
    pub status: Option<InviteStatusArg>,
    /// Print what each name resolved to and the request that would be sent
    /// (method, URL, body, and the credential scheme's name, never the
    /// secret), and send nothing; every check still runs, credentials included
    #[arg(long)]
    pub dry_run: bool,
}

/// `cf-members members update` options.
#[derive(Debug, Args)]
pub struct UpdateArgs {
    /// The member: their email (any case) or member id
    #[arg(value_name = "MEMBER")]
    pub member: String,
    /// Roles or policies.
    #[command(flatten)]
    pub access: AccessArgs,
    /// Print what each name resolved to and the request that would be sent
    /// (method, URL, body, and the credential scheme's name, never the
    /// secret), and send nothing; every check still runs, credentials included
    #[arg(long)]
    pub dry_run: bool,
}

/// `cf-members members remove` options.
#[derive(Debug, Args)]
pub struct RemoveArgs {
    /// The member: their email (any case) or member id
    #[arg(value_name = "MEMBER")]
    pub member: String,
    /// Print what each name resolved to and the request that would be sent
    /// (method, URL, body, and the credential scheme's name, never the
    /// secret), and send nothing; every check still runs, credentials included
    #[arg(long)]
    pub dry_run: bool,
}

/// How a plan of changes is run (`apply`, `sync`).
#[derive(Clone, Debug, Args)]
pub struct RunArgs {
    /// Run the plan without asking
    #[arg(short, long)]
    pub yes: bool,
    /// Print the plan only and send no change (never asks; wins over --yes)
    #[arg(long)]
    pub dry_run: bool,
    /// How many changes run at once
    #[arg(
        long,
        value_name = "N",
        default_value_t = DEFAULT_APPLY_CONCURRENCY as u32,
        value_parser = clap::value_parser!(u32).range(1..=64)
    )]
    pub concurrency: u32,
    /// Client-side rate limit: N requests per SECS seconds (every request,
    /// retries included), or `off` [default: 1200/300, Cloudflare's limit per
    /// token]
    #[arg(long, value_name = "N/SECS", value_parser = parse_rate_limit)]
    pub rate_limit: Option<RateLimitArg>,
}

/// `cf-members apply` options.
#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// The changes: a JSON or CSV file (`-` reads stdin); formats below
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Asking, dry run, concurrency and rate limit.
    #[command(flatten)]
    pub run: RunArgs,
    /// Where to write the changes that failed or did not start [default:
    /// FILE.retry.json beside FILE; a retry file given as FILE is rewritten;
    /// cf-members.retry.json for stdin]
    #[arg(long, value_name = "PATH")]
    pub retry_file: Option<PathBuf>,
}

/// `--rate-limit`: a budget, or none.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RateLimitArg {
    /// N requests per window.
    Limit(RateLimitConfig),
    /// No client-side limit.
    Off,
}

fn parse_rate_limit(text: &str) -> Result<RateLimitArg, String> {
    if text.eq_ignore_ascii_case("off") {
        return Ok(RateLimitArg::Off);
    }
    let expected = "expected N/SECS, e.g. 120/10 (120 requests per 10 seconds), or off";
    let (n, secs) = text.split_once('/').ok_or_else(|| expected.to_owned())?;
    let n: u32 = n
        .trim()
        .parse()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| format!("{n:?} is not a positive number of requests; {expected}"))?;
    let secs: u64 = secs
        .trim()
        .parse()
        .ok()
        .filter(|s| (1..=86_400).contains(s))
        .ok_or_else(|| {
            format!("{secs:?} is not a number of seconds from 1 to 86400; {expected}")
        })?;
    Ok(RateLimitArg::Limit(RateLimitConfig::new(
        n,
        Duration::from_secs(secs),
    )))
}

fn parse_email(text: &str) -> Result<String, member_client::ValidationError> {
    member_client::check_email(text)?;
    Ok(text.to_owned())
}

/// `--status` of `members list`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum StatusFilter {
    /// Members who accepted their invitation.
    Accepted,
    /// Invitations not answered yet.
    Pending,
    /// Invitations that were declined.
    Rejected,
}

impl From<StatusFilter> for MemberStatus {
    fn from(value: StatusFilter) -> Self {
        match value {
            StatusFilter::Accepted => MemberStatus::Accepted,
            StatusFilter::Pending => MemberStatus::Pending,
            StatusFilter::Rejected => MemberStatus::Rejected,
        }
    }
}

/// `--order` of `members list`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OrderArg {
    /// The user's first name.
    #[value(name = "user.first_name")]
    FirstName,
    /// The user's last name.
    #[value(name = "user.last_name")]
    LastName,
    /// The user's email address.
    #[value(name = "user.email")]
    Email,
    /// The membership status.
    #[value(name = "status")]
    Status,
}

impl From<OrderArg> for MemberOrder {
    fn from(value: OrderArg) -> Self {
        match value {
            OrderArg::FirstName => MemberOrder::FirstName,
            OrderArg::LastName => MemberOrder::LastName,
            OrderArg::Email => MemberOrder::Email,
            OrderArg::Status => MemberOrder::Status,
        }
    }
}

/// `--direction` of `members list`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DirectionArg {
    /// Ascending.
    Asc,
    /// Descending.
    Desc,
}

impl From<DirectionArg> for Direction {
    fn from(value: DirectionArg) -> Self {
        match value {
            DirectionArg::Asc => Direction::Asc,
            DirectionArg::Desc => Direction::Desc,
        }
    }
}

/// `--status` of `members add`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum InviteStatusArg {
    /// Send an invitation (the API's default).
    Pending,
    /// Add the member directly, without an invitation.
    Accepted,
}

impl From<InviteStatusArg> for InviteStatus {
    fn from(value: InviteStatusArg) -> Self {
        match value {
            InviteStatusArg::Pending => InviteStatus::Pending,
            InviteStatusArg::Accepted => InviteStatus::Accepted,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

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
