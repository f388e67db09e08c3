//! `groups`, `permission-groups` and `resource-groups`: user groups, and what policies are made of.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::PageArgs;

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
  cf-members groups list --name \"SRE on-call\" -o json")]
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
member of the group). Leave them out to keep the policies and only rename;
`--policies FILE` with `[]` removes them all.
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
terminal, and refuses (exit 2, nothing sent) elsewhere. A whole-account
group that the last active Super Administrator's policy covers is never
deleted (exit 2, nothing sent).

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
zone:b.com` (or `zone:a.com,b.com`). The scope given replaces the group's;
narrowing the whole-account group that the last active Super
Administrator's policy covers is refused (exit 2, nothing sent).

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
