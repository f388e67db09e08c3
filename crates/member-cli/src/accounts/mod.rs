//! Many accounts: `accounts list`, an account name wherever an account is
//! taken, and the commands about one person or everyone across accounts
//! (`whois`, `offboard`, `audit`).
//!
//! Here what they share: which accounts (`--accounts`), the rate limit, the
//! account-owned token's refusal, and how an account and a failure are
//! told. Each command in its own file.

pub mod audit;
pub mod offboard;
pub mod whois;

use std::path::Path;

use futures::StreamExt;
use member_client::{
    AccountRef, Accounts, Client, Error, ListAccountsParams, RateLimitConfig, ResolveError,
};
use serde_json::{json, Value};

use crate::cli::{
    AccountsArgs, AccountsCommand, Cli, Command, GlobalArgs, OutputFormat, RateLimitArg,
};
use crate::commands::{self, resolve_failure, usage, Outcome};
use crate::output::{self, clean, plural, ListView};
use crate::report::Failure;

pub const ACCOUNTS_LIST_HELP: &str = "\
An account-owned token cannot list accounts (the API refuses it with code
1001): give such a token its account ids instead.

-o csv columns: id, name, type, enforce_twofactor, created_on
  enforce_twofactor: true, false, or empty when the API does not say.

Examples:
  cf-members accounts list
  cf-members accounts list --name \"Example Corp\"
  cf-members accounts list -o json | jq -r '.[] | [.id, .name] | @tsv'";

pub const WHOIS_HELP: &str = "\
The API cannot search members by email, so every member of each account is
read (50 a page), several accounts at a time, within the rate limit. Every
account where EMAIL is a member or has a pending invitation is shown with the
status, the roles and the policies. An account the token cannot read is
reported; the others still answer.

--accounts: `all` (the default: every account the token can see), or ids and
names separated by commas (`id:` and `name:` force either reading), or
`@FILE` (one account a line, or an offboard retry file). An account-owned
token cannot list or name accounts: give it ids.

-o json prints {\"email\", \"accounts\": [{\"account\": {\"id\", \"name\"},
\"presence\": \"member\"|\"not_member\"|\"unreadable\", \"members\", \"error\"}],
\"summary\"}.

Exit status: 0 every account answered (whether or not EMAIL is a member);
1 some account could not be read (EMAIL may have access there); 2 invalid
input (an unknown or ambiguous account name: nothing read).

Examples:
  cf-members whois bob@example.com
  cf-members whois bob@example.com --accounts \"Example Corp,023e105f4ecef8ad9ca31a8372d0c353\"
  cf-members whois bob@example.com -o json \\
      | jq -r '.accounts[] | select(.presence == \"member\") | .account.id'";

pub const OFFBOARD_HELP: &str = "\
First the plan: each account's members are read (as `whois` does) and each
account is shown as one of
  remove        every membership of EMAIL (a pending invitation is cancelled)
  not a member  nothing to do
  refused       EMAIL is the account's last Super Administrator: removing
                them would leave nobody able to manage the account; make
                someone else Super Administrator first, then run again
  unreadable    the account could not be read (EMAIL may have access there)
Without --yes nothing is removed (on a terminal, cf-members asks first; never
with --dry-run or -o json). With --yes the memberships are removed within the
rate limit (a membership already gone counts as removed), then each account's
outcome is shown, and every account where access may remain (a removal that
failed, refused, unreadable) is written to the retry file; `--accounts @FILE`
reads it back. Running it again is safe: what is gone is not a member.

-o json prints {\"email\", \"dry_run\", \"ran\", \"plan\": [{\"account\", \"action\",
\"members\", \"error\"}], \"outcomes\": [{\"account\", \"member_id\", \"status\",
\"removed\", \"error\"}], \"summary\", \"retry_file\"}.

Exit status: 0 EMAIL has no membership left in any of the accounts, and
every account was read (for --dry-run: every removal can be done); 1 access
remains somewhere: a removal failed, an account refused (the last Super
Administrator: EMAIL still has access there), or an account could not be
read (a plan too: then --yes would not finish it); 2 invalid input, or
removals planned, all of which can be done, but not confirmed (run again
with --yes: nothing was removed).

Examples:
  cf-members offboard bob@example.com                 # the plan only
  cf-members offboard bob@example.com --yes
  cf-members offboard bob@example.com --accounts \"Example Corp,Acme\" --yes
  cf-members offboard bob@example.com --accounts @offboard-bob@example.com.retry.json --yes";

pub const AUDIT_HELP: &str = "\
One row per member per account, printed as the pages arrive (nothing is held
back, so any number of accounts fits in memory).
-o csv columns: account_id, account_name, account_enforce_twofactor,
  member_id, email, status, two_factor, roles, policies, risk, user_id:
  account_id, account_name  the account
  account_enforce_twofactor whether the account requires two-factor (true,
                            false, or empty when unknown: an account given
                            by id is not looked up)
  member_id, email, status  the membership (status: accepted, pending, ...)
  two_factor                whether the user has two-factor on (true, false,
                            or empty when the API does not say)
  roles                     role names, separated by `; `
  policies                  each policy as `allow|deny GROUPS on SCOPES`,
                            separated by `; ` (the table shows the count)
  risk                      super_admin_without_2fa, pending, or empty
  user_id                   the user's id (the same person in every account)
-o json prints one array of {the same keys, roles and policies as arrays};
-o jsonl one such object per line.
A summary of the risky rows (Super Administrators without two-factor,
pending invitations) and of the accounts that could not be read goes to
stderr.

Exit status: 0 every account was read; 1 some account could not be read
(its rows are missing; the others are complete); 2 invalid input.

Examples:
  cf-members audit
  cf-members audit -o csv > members.csv
  cf-members audit --accounts \"Example Corp\" -o json | jq '.[] | select(.risk != \"\")'";

/// Before any command runs: `-o csv` only where it means something, and
/// an account name in `--account-id` (or `CLOUDFLARE_ACCOUNT_ID`) turned
/// into its id (unknown or ambiguous: exit 2, nothing else sent).
pub async fn prepare(cli: &mut Cli) -> Result<(), Failure> {
    let single_account = !matches!(
        cli.command,
        Command::Accounts(_) | Command::Whois(_) | Command::Offboard(_) | Command::Audit(_)
    );
    if cli.global.output == OutputFormat::Csv && !is_list(&cli.command) {
        return Err(csv_unsupported());
    }
    if !single_account {
        return Ok(());
    }
    let Some(text) = cli
        .global
        .account_id
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    else {
        return Ok(());
    };
    // An id is used as given, with no request (and the old messages), in
    // lower case as Cloudflare writes its ids.
    if text.len() == 32 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
        let id = text.to_ascii_lowercase();
        cli.global.account_id = Some(id);
        return Ok(());
    }
    let client = commands::client_with(&cli.global, None)?;
    let account = client
        .accounts()
        .resolve(text)
        .await
        .map_err(|e| account_failure(vec![e], OWNED_TOKEN_ACCOUNT_ID_HINT))?;
    cli.global.account_id = Some(account.id.as_str().to_owned());
    Ok(())
}

/// Whether the command prints a list: one row per item, so CSV fits.
fn is_list(command: &Command) -> bool {
    use crate::cli::{
        GroupMembersAction, GroupsCommand, MembersCommand, PermissionGroupsCommand,
        ResourceGroupsCommand, RolesCommand,
    };
    match command {
        Command::Members(c) => matches!(c, MembersCommand::List(_)),
        Command::Roles(c) => matches!(c, RolesCommand::List(_)),
        Command::PermissionGroups(c) => matches!(c, PermissionGroupsCommand::List(_)),
        Command::ResourceGroups(c) => matches!(c, ResourceGroupsCommand::List { .. }),
        Command::Groups(GroupsCommand::List(_)) => true,
        Command::Groups(GroupsCommand::Members(args)) => {
            matches!(args.action, GroupMembersAction::List)
        }
        Command::Accounts(_) | Command::Audit(_) | Command::History(_) => true,
        _ => false,
    }
}

/// `-o csv` for a command that has no rows to give.
pub fn csv_unsupported() -> Failure {
    Failure::usage("-o csv is for lists (`list` commands and `audit`); nothing was sent")
        .with_hint("-o table, -o json or -o jsonl")
}

/// Runs `cf-members accounts …`.
pub async fn run_accounts(global: &GlobalArgs, command: AccountsCommand) -> Outcome {
    match command {
        AccountsCommand::List { name } => {
            let mut params = ListAccountsParams::new().per_page(50).map_err(usage)?;
            if let Some(name) = &name {
                params = params.name(name).map_err(usage)?;
            }
            let client = commands::client_with(global, None)?;
            let pages = client.accounts().list(params).pages_raw().map(|page| {
                page.map(|p| (p.items, p.result_info.and_then(|i| i.total_count)))
                    .map_err(|e| {
                        if Accounts::is_account_owned_token_refusal(&e) {
                            account_owned_failure(
                                "`cf-members accounts list`",
                                OWNED_TOKEN_LIST_HINT,
                            )
                        } else {
                            Failure::from_client(&e, false)
                        }
                    })
            });
            commands::show_pages(pages, &ACCOUNTS, global).await
        }
    }
}

/// `accounts list`: the table below, and one CSV row per account.
static ACCOUNTS: ListView = ListView {
    what: "accounts",
    table: output::Table::Rows {
        headers: &["ID", "NAME", "TYPE", "2FA"],
        empty: "no accounts",
        row: accounts_table_row,
    },
    columns: &["id", "name", "type", "enforce_twofactor", "created_on"],
    row: account_row,
};

/// An account's CSV cells, read from the answer as received (an account
/// keeps the keys this version does not know).
fn account_row(item: &Value) -> Result<Vec<String>, Failure> {
    let text = |key: &str| {
        item.get(key)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    Ok(vec![
        text("id"),
        text("name"),
        text("type"),
        output::flag(
            item.pointer("/settings/enforce_twofactor")
                .and_then(Value::as_bool),
        ),
        text("created_on"),
    ])
}

/// An accounts table row: id, name, type, whether two-factor is required.
fn accounts_table_row(item: &Value) -> Result<Vec<String>, Failure> {
    let text = |v: Option<&Value>| v.and_then(Value::as_str).map_or("-".to_owned(), clean);
    let two_factor = item
        .pointer("/settings/enforce_twofactor")
        .and_then(Value::as_bool)
        .map_or("-", |on| if on { "required" } else { "not required" });
    Ok(vec![
        text(item.get("id")),
        text(item.get("name")),
        text(item.get("type")),
        two_factor.to_owned(),
    ])
}

/// What to do instead when `cf-members accounts list` is refused to an
/// account-owned token: name its account by id, with the option each
/// command takes.
const OWNED_TOKEN_LIST_HINT: &str = "an account-owned token works with its account's id: \
    --account-id ID (or CLOUDFLARE_ACCOUNT_ID) for the commands of one account, \
    --accounts ID,ID for whois, offboard, audit and history; listing accounts needs a \
    user-owned token";

/// What to do instead when `--accounts` (`all`, or a name) needs the list of
/// accounts an account-owned token is refused.
const OWNED_TOKEN_ACCOUNTS_HINT: &str = "name the accounts explicitly, by id: \
    --accounts ID,ID (an account name needs the list too); or use a user-owned token";

/// What to do instead when an account name in `--account-id` (or
/// `CLOUDFLARE_ACCOUNT_ID`) needs the list of accounts an account-owned
/// token is refused.
const OWNED_TOKEN_ACCOUNT_ID_HINT: &str = "give the account by id: --account-id ID (or \
    CLOUDFLARE_ACCOUNT_ID), the 32 hex characters of the dashboard URL (an account name \
    needs the list of accounts); or use a user-owned token";

/// The account-owned token's refusal (code 1001) of a list of accounts,
/// with the hint of what works instead. The list was asked for and
/// refused: exit 1, not 2 (something was sent).
pub fn account_owned_failure(what: &str, hint: &str) -> Failure {
    Failure::other(format!(
        "this token is account-owned: the API refuses to list accounts to it (code 1001), \
         so {what} cannot find them"
    ))
    .with_hint(hint)
}

/// The failure of account references that did not resolve: each told, exit
/// 2; a read that failed (an account-owned token's refusal among them,
/// told with `owned_token_hint`) first.
pub fn account_failure(mut failed: Vec<ResolveError>, owned_token_hint: &str) -> Failure {
    if let Some(at) = failed.iter().position(|e| e.request_error().is_some()) {
        let error = failed.swap_remove(at);
        if error
            .request_error()
            .is_some_and(Accounts::is_account_owned_token_refusal)
        {
            return account_owned_failure("an account name", owned_token_hint);
        }
        return resolve_failure(error);
    }
    let hint = "`cf-members accounts list` shows the names and ids; give the id of the one \
                you mean (`id:` and `name:` force either reading)";
    if failed.len() == 1 {
        let error = failed.swap_remove(0);
        let extra = if error.is_not_found() {
            "; an account id is 32 hex characters"
        } else {
            ""
        };
        return Failure::usage(format!("{error}{extra}; nothing was sent")).with_hint(hint);
    }
    let mut message = format!(
        "{} accounts did not resolve; nothing was sent:",
        failed.len()
    );
    for error in &failed {
        message.push_str("\n  ");
        message.push_str(&clean(&error.to_string()));
    }
    Failure::usage(message).with_hint(hint)
}

/// The client of a many-account command: the rate limiter on (Cloudflare's
/// limit unless `--rate-limit` says otherwise), shared by every account.
pub fn client(global: &GlobalArgs, args: &AccountsArgs) -> Result<Client, Failure> {
    let limit = match &args.rate_limit {
        None => Some(RateLimitConfig::cloudflare()),
        Some(RateLimitArg::Limit(config)) => Some(config.clone()),
        Some(RateLimitArg::Off) => None,
    };
    commands::client_with(global, limit)
}

/// The accounts `--accounts` names: every account the token can see, or
/// those given (ids as given, names looked up; every bad one told at once).
pub async fn select(client: &Client, args: &AccountsArgs) -> Result<Vec<AccountRef>, Failure> {
    let mut everything = false;
    let mut references: Vec<String> = Vec::new();
    for part in args
        .accounts
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        if part.eq_ignore_ascii_case("all") {
            everything = true;
        } else if let Some(path) = part.strip_prefix('@') {
            references.extend(read_accounts_file(Path::new(path))?);
        } else {
            references.push(part.to_owned());
        }
    }
    if !everything && references.is_empty() {
        return Err(
            Failure::usage("--accounts names no account; nothing was sent")
                .with_hint("--accounts all, or ids and names separated by commas"),
        );
    }
    let mut accounts = if everything {
        client.all_accounts().await.map_err(|e| {
            if Accounts::is_account_owned_token_refusal(&e) {
                account_owned_failure("`--accounts all`", OWNED_TOKEN_ACCOUNTS_HINT)
            } else {
                Failure::from_client(&e, false)
            }
        })?
    } else {
        Vec::new()
    };
    // `all,ID`: every listed account and those the list leaves out.
    let named = client
        .select_accounts(&references)
        .await
        .map_err(|failed| account_failure(failed, OWNED_TOKEN_ACCOUNTS_HINT))?;
    for account in named {
        if !accounts.iter().any(|a| a.id == account.id) {
            accounts.push(account);
        }
    }
    Ok(accounts)
}

/// The accounts of `@FILE`: an offboard retry file (`{"accounts": [{"id"}]}`)
/// or one account a line (blank lines and `#` comments skipped).
fn read_accounts_file(path: &Path) -> Result<Vec<String>, Failure> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Failure::usage(format!(
            "cannot read the accounts file {}: {e}; nothing was sent",
            path.display()
        ))
    })?;
    if text.trim_start().starts_with('{') {
        let value: Value = serde_json::from_str(&text).map_err(|e| {
            Failure::usage(format!(
                "the accounts file {} is not valid JSON: {e}; nothing was sent",
                path.display()
            ))
        })?;
        let ids = value
            .get("accounts")
            .and_then(Value::as_array)
            .map(|accounts| {
                accounts
                    .iter()
                    .filter_map(|a| a.get("id").and_then(Value::as_str))
                    .map(|id| format!("id:{id}"))
                    .collect::<Vec<_>>()
            })
            .ok_or_else(|| {
                Failure::usage(format!(
                    "the accounts file {} has no \"accounts\" list; nothing was sent",
                    path.display()
                ))
                .with_hint("a retry file written by `cf-members offboard`, or one account a line")
            })?;
        return Ok(ids);
    }
    Ok(text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect())
}

/// An account for people: `Example Corp (023e…)`, or the id.
pub fn account_text(account: &AccountRef) -> String {
    clean(&account.to_string())
}

/// An account as JSON: `{"id", "name"}`.
pub fn account_json(account: &AccountRef) -> Value {
    json!({
        "id": account.id.as_str(),
        "name": account.name,
        "enforce_twofactor": account.enforce_twofactor,
    })
}

/// A failure as JSON: the message, the HTTP status, the Cloudflare codes and
/// the cf-ray id.
pub fn error_json(error: &Error) -> Value {
    json!({
        "message": error.to_string(),
        "status": error.status(),
        "codes": error.codes(),
        "cf_ray": error.cf_ray(),
    })
}

/// `3 of 5 accounts`.
pub fn of_accounts(n: usize, total: usize) -> String {
    format!("{n} of {}", plural(total, "account", "accounts"))
}
