//! `accounts`, `whois`, `offboard` and `audit`: one person across many accounts.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::{parse_email, parse_rate_limit, RateLimitArg};

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
