//! The command line: every command, option and help text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use member_client::{Direction, InviteStatus, MemberId, MemberOrder, MemberStatus, RoleId};

const AFTER_HELP: &str = "\
Credentials come from the environment only, never from flags:
  CLOUDFLARE_API_TOKEN                    an API token (recommended), or
  CLOUDFLARE_EMAIL + CLOUDFLARE_API_KEY   a legacy Global API key, or
  CLOUDFLARE_API_USER_SERVICE_KEY         a user service key

Exit status: 0 success; 2 invalid input or usage (nothing was sent);
1 any other failure (the error on stderr gives the HTTP status, the
Cloudflare error codes and the cf-ray id).

Examples:
  export CLOUDFLARE_API_TOKEN=... CLOUDFLARE_ACCOUNT_ID=023e105f4ecef8ad9ca31a8372d0c353
  cf-members members list
  cf-members members list --status pending -o json | jq -r '.[].email'
  cf-members roles list
  cf-members members update 4536bcfad5faccb111b47003c79917fa --role 05784afa30c1afe1440e79d9351c7430
  cf-members members remove 4536bcfad5faccb111b47003c79917fa --dry-run";

/// Manage who has access to a Cloudflare account: list, inspect, invite,
/// change and remove account members, and look up roles.
#[derive(Debug, Parser)]
#[command(
    name = "cf-members",
    version,
    about = "Manage the members of a Cloudflare account (list, get, add, update, remove) and look up roles",
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
    /// The account to work on (32 hex characters; shown in the dashboard URL)
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
    /// Output format: `table` for people, `json` for scripts (exactly the
    /// API's `result`; a list is one array of every item fetched)
    #[arg(short, long, global = true, value_enum, default_value_t = OutputFormat::Table)]
    pub output: OutputFormat,
    /// Print one line per HTTP attempt on stderr (method, path, status,
    /// cf-ray, time; never a secret)
    #[arg(short, long, global = true)]
    pub verbose: bool,
}

/// How results are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Aligned columns for people.
    Table,
    /// The API's `result` as one JSON document.
    Json,
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
}

/// `cf-members members …`
#[derive(Debug, Subcommand)]
pub enum MembersCommand {
    /// List the members of the account (every page unless --page is given)
    #[command(after_help = "\
Examples:
  cf-members members list
  cf-members members list --status pending --order user.email
  cf-members members list -o json | jq -r '.[] | [.id, .user.email, .status] | @tsv'
  cf-members members list --per-page 20 --page 2")]
    List(ListMembersArgs),
    /// Show one member, with roles and policies
    #[command(after_help = "\
Examples:
  cf-members members get 4536bcfad5faccb111b47003c79917fa
  cf-members members get 4536bcfad5faccb111b47003c79917fa -o json")]
    Get {
        /// The member's id (from `cf-members members list`)
        #[arg(value_name = "MEMBER_ID")]
        member_id: MemberId,
    },
    /// Invite someone to the account (or add them directly)
    #[command(after_help = "\
Role ids come from `cf-members roles list`. A policies FILE holds the JSON array
of policies exactly as the API takes them, for example:
  [{\"access\": \"allow\",
    \"permission_groups\": [{\"id\": \"c8fed203ed3043cba015a93ad1616f1f\"}],
    \"resource_groups\": [{\"id\": \"6d7f2f5f5b1d4a0e9081fdc98d432fd1\"}]}]

Examples:
  cf-members members add --email new@example.com --role 05784afa30c1afe1440e79d9351c7430
  cf-members members add --email new@example.com --policies policies.json --dry-run
  generate-policies | cf-members members add --email new@example.com --policies -")]
    Add(AddArgs),
    /// Replace a member's roles, or their policies
    #[command(after_help = "\
The member's current roles (or policies) are replaced by those given. Role ids
come from `cf-members roles list`. A policies FILE holds the JSON array of
policies exactly as the API takes them (see `cf-members members add --help`).

Examples:
  cf-members members update 4536bcfad5faccb111b47003c79917fa --role 05784afa30c1afe1440e79d9351c7430
  cf-members members update 4536bcfad5faccb111b47003c79917fa --role ROLE_A --role ROLE_B --dry-run
  cf-members members update 4536bcfad5faccb111b47003c79917fa --policies - < policies.json")]
    Update(UpdateArgs),
    /// Remove a member from the account
    #[command(after_help = "\
Examples:
  cf-members members remove 4536bcfad5faccb111b47003c79917fa --dry-run
  cf-members members remove 4536bcfad5faccb111b47003c79917fa")]
    Remove(RemoveArgs),
}

/// `cf-members roles …`
#[derive(Debug, Subcommand)]
pub enum RolesCommand {
    /// List the roles of the account (every page unless --page is given)
    #[command(after_help = "\
Examples:
  cf-members roles list
  cf-members roles list -o json | jq -r '.[] | [.id, .name] | @tsv'")]
    List(PageArgs),
    /// Show one role and its permissions
    #[command(after_help = "\
Examples:
  cf-members roles get 3536bcfad5faccb999b47003c79917fb")]
    Get {
        /// The role's id (from `cf-members roles list`)
        #[arg(value_name = "ROLE_ID")]
        role_id: RoleId,
    },
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

/// The roles or the policies to give a member: exactly one of the two.
#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct AccessArgs {
    /// A role to give (repeat for several)
    #[arg(long = "role", value_name = "ROLE_ID")]
    pub roles: Vec<RoleId>,
    /// A JSON file with the array of policies to give (`-` reads stdin)
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
    /// Print the request that would be sent (method, URL, body, and the
    /// credential scheme's name, never the secret) and send nothing; every
    /// check still runs, credentials included
    #[arg(long)]
    pub dry_run: bool,
}

/// `cf-members members update` options.
#[derive(Debug, Args)]
pub struct UpdateArgs {
    /// The member's id (from `cf-members members list`)
    #[arg(value_name = "MEMBER_ID")]
    pub member_id: MemberId,
    /// Roles or policies.
    #[command(flatten)]
    pub access: AccessArgs,
    /// Print the request that would be sent (method, URL, body, and the
    /// credential scheme's name, never the secret) and send nothing; every
    /// check still runs, credentials included
    #[arg(long)]
    pub dry_run: bool,
}

/// `cf-members members remove` options.
#[derive(Debug, Args)]
pub struct RemoveArgs {
    /// The member's id (from `cf-members members list`)
    #[arg(value_name = "MEMBER_ID")]
    pub member_id: MemberId,
    /// Print the request that would be sent (method, URL, body, and the
    /// credential scheme's name, never the secret) and send nothing; every
    /// check still runs, credentials included
    #[arg(long)]
    pub dry_run: bool,
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
    fn role_repeats_and_excludes_policies() {
        let cli = Cli::try_parse_from([
            "cf-members",
            "members",
            "update",
            "4536bcfad5faccb111b47003c79917fa",
            "--role",
            "05784afa30c1afe1440e79d9351c7430",
            "--role",
            "3536bcfad5faccb999b47003c79917fb",
        ])
        .unwrap();
        let Command::Members(MembersCommand::Update(args)) = cli.command else {
            panic!("parsed as {:?}", cli.command);
        };
        assert_eq!(args.access.roles.len(), 2);
        let err = Cli::try_parse_from([
            "cf-members",
            "members",
            "update",
            "4536bcfad5faccb111b47003c79917fa",
            "--role",
            "05784afa30c1afe1440e79d9351c7430",
            "--policies",
            "p.json",
        ])
        .unwrap_err();
        assert_eq!(err.kind(), clap::error::ErrorKind::ArgumentConflict);
        assert_eq!(err.exit_code(), 2);
    }
}
