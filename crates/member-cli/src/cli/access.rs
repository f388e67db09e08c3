//! `apply`, `export`, `plan`, `sync` and `history`: changes in bulk and access as code.

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;
use member_client::{RateLimitConfig, DEFAULT_APPLY_CONCURRENCY};

use super::parse_email;

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
    /// RFC 3339 time with its zone (…T12:00:00Z, …+05:30) [default: 7d]
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

pub(super) const APPLY_HELP: &str = "\
First the plan: the current members are read (one paged list, and the roles
for their names) and every entry is shown as who changes from what to what.
Members already in the wanted state are only counted; entries that cannot be
done (an unknown email or id, an email of several members, a second entry for
the same member, an add for someone who is already a member with other
access) are listed as problems and skipped: nobody is guessed, and only an
`add` adds anybody; the other entries still run with --yes. Without --yes no
change is sent (on a terminal, cf-members asks `apply N changes? [y/N]`
first; never with --dry-run, -o json or FILE -).

With --yes the changes run, --concurrency at a time, within the rate limit;
those that take Super Administrator access from somebody run last, and only
when the lockout guard, asked again, still lets them through (else they do
not start and stay in the retry file).
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
   {\"op\": \"add_roles\", \"email\": \"carol@example.com\", \"roles\": [\"Billing\"]},
   {\"op\": \"remove_roles\", \"email\": \"dan@example.com\", \"roles\": [\"Billing\"]},
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
  - add_roles gives roles on top of those the member has, remove_roles takes
    some and keeps the others; each becomes the member's whole new set of
    roles (a set_roles, which the retry file holds). A member who already
    has them all (or none of those to take) is unchanged; a member with
    policies (giving roles would drop them) or one left without any role
    is a problem;
  - add_to_group and remove_from_group put a member into or out of a user
    group, named by \"group\" (its name, any case, or its id); the member's
    own roles and policies stay. A member already in the group (or already
    not in it) is shown as unchanged and nothing is sent for them. Somebody
    the same file adds can be put into a group too: that runs once the add
    has given them a membership id (not at all when the add fails).
  A retry file written by an earlier run ({\"changes\": [{\"change\": ENTRY, ...}]})
  is read too.

FILE, CSV (named `*.csv`; any other name or stdin: when its text does not
start with `[` or `{`): a header row, then one change per row. Columns, in
any order (only those needed):
  email       the member's email (any case)
  member_id   the member id (or `id`); give email or member_id, not both
  op          set_roles, set_policies, add_roles, remove_roles, add,
              remove, add_to_group or remove_from_group; when empty:
              set_roles if roles are given, set_policies if policies are
  group       for add_to_group and remove_from_group: the user group's
              name or id
  roles       role names or ids separated by `;`
  policies    a JSON array of policies (quote the cell, doubling inner quotes)
  status      for add: pending (default) or accepted
  Cells are trimmed; empty rows and lines starting with `#` are skipped; a
  `'` before `=`, `+`, `-` or `@` at the start of a cell is dropped (the
  mark cf-members' CSV output puts there for spreadsheets).
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

pub(super) fn parse_rate_limit(text: &str) -> Result<RateLimitArg, String> {
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
