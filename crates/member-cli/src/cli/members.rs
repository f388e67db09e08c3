//! `members` and `roles`: one account's people and the roles they hold.

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};
use member_client::{Direction, InviteStatus, MemberOrder, MemberStatus};

use super::PageArgs;

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
    /// Replace a member's roles or policies, or add and remove roles
    #[command(after_help = "\
With --role, --allow, --deny or --policies the member's current roles (or
policies) are replaced by those given. --add-role and --remove-role change
the member's roles instead: the member is read, the roles given are added to
or taken from theirs, and the whole set is sent (nothing when it would not
change). They refuse a member who has policies, since setting roles drops
the policies (say --role to mean that), and removing every role (use
`members remove`). Roles, --allow, --deny and the policies FILE take names
or ids (see `cf-members members add --help`); --dry-run shows what each
name resolved to. A change that takes the Super Administrator role from the
account's last accepted member who holds it is refused (exit 2, nothing
sent).

Examples:
  cf-members members update bob@example.com --role \"Administrator Read Only\"
  cf-members members update bob@example.com --add-role Billing --remove-role DNS
  cf-members members update bob@example.com --role Billing --role \"DNS\" --dry-run
  cf-members members update bob@example.com --allow \"DNS Write,Zone Read@zone:example.com\" \\
      --deny \"Billing Read@account\"
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
    /// A role to give on top of those the member has, by name (any case)
    /// or id (repeat for several)
    #[arg(
        long = "add-role",
        value_name = "ROLE",
        group = "AccessArgs",
        conflicts_with_all = ["roles", "policies", "allow", "deny"]
    )]
    pub add_roles: Vec<String>,
    /// A role to take from those the member has, by name (any case) or id
    /// (repeat for several)
    #[arg(
        long = "remove-role",
        value_name = "ROLE",
        group = "AccessArgs",
        conflicts_with_all = ["roles", "policies", "allow", "deny"]
    )]
    pub remove_roles: Vec<String>,
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

pub(super) fn parse_email(text: &str) -> Result<String, member_client::ValidationError> {
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
