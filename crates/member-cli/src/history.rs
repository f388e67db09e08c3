//! `cf-members history [MEMBER] [--by EMAIL] [--since 7d|DATE]`: who
//! changed memberships, when, from the audit log; one line per change,
//! newest first, members and groups by name where the log gives ids.

use std::collections::HashMap;
use std::time::{Duration, SystemTime};

use futures::TryStreamExt;
use member_client::{
    AccountId, AccountRef, AuditLog, AuditLogQuery, Client, MemberId, ResolveError, AUDIT_RETENTION,
};
use serde_json::{json, Value};

use crate::cli::{AccountsArgs, GlobalArgs, HistoryArgs};
use crate::commands::{self, Outcome};
use crate::output::clean;
use crate::output::{ListView, ListWriter, Table};
use crate::report::Failure;

/// After the `history` help.
pub const HISTORY_HELP: &str = "\
One line per membership change (members added, updated, removed; members put
into or taken out of user groups), newest first: when, who made it, what,
on whom, and how it ended. Members and groups are shown by name where the
account still has them, by id otherwise.

  cf-members history --since 1h                 # every change of the last hour
  cf-members history bob.dns@example.com        # Bob's (by email or membership id)
  cf-members history --by alice@example.com --since 2026-11-01
  cf-members history --accounts all -o json

--since takes a duration back from now (30m, 24h, 7d) or a date (2026-11-01,
UTC) or an RFC 3339 time with its zone (2026-11-01T12:00:00Z or
2026-11-01T17:30:00+05:30) [default: 7d]; the API keeps 30 days.

-o csv columns: time, account_id, account_name, actor, action, member, group,
  result, cf_ray (the request's cf-ray as the log gives it). -o json and
  -o jsonl add `entry`, the log's entry as sent.

-o json and -o jsonl give each change's `account` as {\"id\", \"name\",
\"enforce_twofactor\"}, as whois and offboard do: the name and the two-factor
setting from the list of accounts where it was read (--accounts all or
names), else the name the log's entry gives; null where nothing says.";

/// `--since`: a duration back from now, a date, or an RFC 3339 time.
pub fn parse_since(text: &str) -> Result<SystemTime, String> {
    let text = text.trim();
    let expected = "expected a duration back from now (30m, 24h, 7d), a date (2026-11-01) or \
                    an RFC 3339 time (2026-11-01T12:00:00Z)";
    let before_1970 = || {
        format!(
            "{text:?} is before 1970, which no audit log reaches (the API keeps 30 days); \
             {expected}"
        )
    };
    // A date or time of a year before 1970, which the RFC 3339 reader
    // cannot hold: said as such, not as a malformed date.
    let year = text
        .get(..4)
        .filter(|y| y.bytes().all(|b| b.is_ascii_digit()));
    if year.is_some_and(|y| y < "1970") && text.as_bytes().get(4) == Some(&b'-') {
        return Err(before_1970());
    }
    let time = if let Ok(back) = humantime::parse_duration(text) {
        SystemTime::now()
            .checked_sub(back)
            .ok_or_else(|| format!("{text:?} reaches before 1970; {expected}"))?
    } else if text.len() == 10 {
        humantime::parse_rfc3339(&format!("{text}T00:00:00Z"))
            .map_err(|_| format!("{text:?}: {expected}"))?
    } else {
        rfc3339(text).ok_or_else(|| format!("{text:?}: {expected}"))?
    };
    if time > SystemTime::now() {
        return Err(format!(
            "{text:?} is in the future: nothing has happened since then; {expected}"
        ));
    }
    if time < SystemTime::UNIX_EPOCH {
        return Err(before_1970());
    }
    Ok(time)
}

/// An RFC 3339 time: `Z` (either case) or a `+HH:MM`/`-HH:MM` offset, which
/// is taken away to give UTC. A time without a zone is not one (whose
/// clock would it be?).
fn rfc3339(text: &str) -> Option<SystemTime> {
    let (clock, offset) = match text.as_bytes().last()? {
        b'Z' | b'z' => (&text[..text.len() - 1], 0i64),
        _ => {
            let at = text.len().checked_sub(6)?;
            let zone = text.get(at..)?.as_bytes();
            let sign = match zone[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            if zone[3] != b':' {
                return None;
            }
            let digits = |b: &[u8]| std::str::from_utf8(b).ok()?.parse::<i64>().ok();
            let (hours, minutes) = (digits(&zone[1..3])?, digits(&zone[4..6])?);
            if hours > 23 || minutes > 59 {
                return None;
            }
            (&text[..at], sign * (hours * 3600 + minutes * 60))
        }
    };
    let utc = humantime::parse_rfc3339(&format!("{clock}Z")).ok()?;
    let shift = std::time::Duration::from_secs(offset.unsigned_abs());
    // 10:00+05:00 is 05:00 UTC.
    if offset >= 0 {
        utc.checked_sub(shift)
    } else {
        utc.checked_add(shift)
    }
}

/// One change, as shown.
struct Line {
    time: String,
    account: AccountRef,
    actor: String,
    action: String,
    member: String,
    group: Option<String>,
    result: String,
    entry: AuditLog,
}

/// Names of the ids the log gives: members (by membership id) and user
/// groups, read once per account.
#[derive(Default)]
struct Names {
    members: HashMap<String, String>,
    groups: HashMap<String, String>,
}

async fn names(client: &Client, account: &AccountId) -> Names {
    let resolver = client.resolver(account);
    let mut names = Names::default();
    if let Ok(members) = resolver.members().await {
        for member in members.iter() {
            if let (Some(id), Some(email)) = (&member.id, member.email()) {
                names
                    .members
                    .insert(id.as_str().to_owned(), email.to_owned());
            }
        }
    }
    if let Ok(groups) = resolver.user_groups().await {
        for group in groups.iter() {
            if let Some(name) = &group.name {
                names
                    .groups
                    .insert(group.id.as_str().to_owned(), name.clone());
            }
        }
    }
    names
}

/// The membership id of MEMBER in `account`: an id as given, an email
/// through the account's members.
async fn member_id(
    client: &Client,
    account: &AccountId,
    member: &str,
) -> Result<MemberId, ResolveError> {
    client.resolver(account).member_id(member).await
}

fn line(account: &AccountRef, entry: AuditLog, names: &Names) -> Line {
    let text = |v: Option<&str>| v.unwrap_or("-").to_owned();
    let resource = entry.resource.as_ref();
    let member_id = resource.and_then(|r| r.id.as_deref());
    let member = match member_id {
        Some(id) => names
            .members
            .get(id)
            .cloned()
            .unwrap_or_else(|| id.to_owned()),
        None => "-".to_owned(),
    };
    let group = resource
        .and_then(|r| r.request.as_ref())
        .and_then(|r| r.get("user_group_id"))
        .and_then(Value::as_str)
        .map(|id| {
            names
                .groups
                .get(id)
                .cloned()
                .unwrap_or_else(|| id.to_owned())
        });
    let action = entry.action.as_ref();
    // An account given by id was never listed: its name is the one the
    // log's entry gives it (the entry has no settings, so whether it
    // enforces two-factor stays unknown).
    let mut account = account.clone();
    if account.name.is_none() {
        account.name = entry
            .account
            .as_ref()
            .filter(|a| a.id.as_deref() == Some(account.id.as_str()))
            .and_then(|a| a.name.clone());
    }
    Line {
        time: text(entry.time()),
        account,
        actor: text(entry.actor_email().or_else(|| {
            entry
                .actor
                .as_ref()
                .and_then(|a| a.token_name.as_deref().or(a.id.as_deref()))
        })),
        action: text(action.and_then(|a| a.description.as_deref().or(a.action_type.as_deref()))),
        member,
        group,
        result: text(
            action
                .and_then(|a| a.result.as_deref())
                .filter(|r| !r.is_empty()),
        ),
        entry,
    }
}

/// Runs `cf-members history`.
pub async fn run(global: &GlobalArgs, args: HistoryArgs) -> Outcome {
    let since = args.since.unwrap_or_else(|| {
        SystemTime::now()
            .checked_sub(member_client::DEFAULT_AUDIT_WINDOW)
            .unwrap_or(SystemTime::UNIX_EPOCH)
    });
    if SystemTime::now()
        .duration_since(since)
        .is_ok_and(|back| back > AUDIT_RETENTION + Duration::from_secs(86_400))
    {
        crate::shell::note!(
            "cf-members: note: the audit log keeps 30 days; older changes are not shown"
        );
    }
    let (client, accounts) = match &args.accounts {
        Some(accounts) => {
            let selection = AccountsArgs {
                accounts: accounts.clone(),
                rate_limit: args.rate_limit.clone(),
            };
            let client = crate::accounts::client(global, &selection)?;
            let accounts = crate::accounts::select(&client, &selection).await?;
            (client, accounts)
        }
        None => {
            let account = commands::account(global)?;
            let client = commands::client_with(global, None)?;
            (client, vec![AccountRef::new(account)])
        }
    };

    let mut lines = Vec::new();
    let mut failed = Vec::new();
    for account in &accounts {
        let mut query: AuditLogQuery = client
            .audit_log(&account.id)
            .since(since)
            .membership_changes();
        if let Some(by) = &args.by {
            query = query.actor_email(by.clone());
        }
        if let Some(member) = &args.member {
            match member_id(&client, &account.id, member).await {
                Ok(id) => query = query.of_member(&id),
                // Not a member of this account (any more): nothing of theirs
                // can be asked for by email here.
                Err(e) if e.is_not_found() && accounts.len() > 1 => continue,
                Err(e) => {
                    return Err(Failure::usage(format!("{e}; nothing was read")).with_hint(
                        "the audit log names members by membership id: a member no longer \
                         in the account can be given by that id",
                    ))
                }
            }
        }
        match query.stream().try_collect::<Vec<AuditLog>>().await {
            Ok(entries) => {
                let names = names(&client, &account.id).await;
                lines.extend(entries.into_iter().map(|e| line(account, e, &names)));
            }
            Err(e) => {
                eprintln!(
                    "cf-members: error: account {}: {}",
                    crate::accounts::account_text(account),
                    clean(&e.to_string())
                );
                failed.push(e);
            }
        }
    }
    // Newest first across accounts (RFC 3339 times in UTC sort as text).
    lines.sort_by(|a, b| b.time.cmp(&a.time));

    let values: Vec<Value> = lines.iter().map(line_json).collect();
    let mut writer = ListWriter::new(global.output, std::io::stdout().lock(), &HISTORY_VIEW);
    writer.items(values)?;
    writer.finish()?;
    match failed.first() {
        None => Ok(()),
        Some(e) if failed.len() == accounts.len() => Err(Failure::from_client(e, false)),
        Some(_) => Err(Failure::other(format!(
            "{} of {} accounts could not be read",
            failed.len(),
            accounts.len()
        ))),
    }
}

fn line_json(line: &Line) -> Value {
    json!({
        "time": line.time,
        "account": crate::accounts::account_json(&line.account),
        "actor": line.actor,
        "action": line.action,
        "member": line.member,
        "group": line.group,
        "result": line.result,
        "entry": line.entry,
    })
}

/// The CSV columns of `history -o csv`.
pub const HISTORY_COLUMNS: &[&str] = &[
    "time",
    "account_id",
    "account_name",
    "actor",
    "action",
    "member",
    "group",
    "result",
    "cf_ray",
];

/// How `history` is shown: a table, JSON, JSON Lines or CSV.
static HISTORY_VIEW: ListView = ListView {
    what: "changes",
    table: Table::Whole(table),
    columns: HISTORY_COLUMNS,
    row,
};

fn cell(value: &Value, key: &str) -> String {
    match &value[key] {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn row(value: &Value) -> Result<Vec<String>, Failure> {
    Ok(vec![
        cell(value, "time"),
        cell(&value["account"], "id"),
        cell(&value["account"], "name"),
        cell(value, "actor"),
        cell(value, "action"),
        cell(value, "member"),
        cell(value, "group"),
        cell(value, "result"),
        cell(&value["entry"]["raw"], "cf_ray_id"),
    ])
}

fn table(values: &[Value]) -> Result<String, Failure> {
    if values.is_empty() {
        return Ok("no membership change in this window\n".to_owned());
    }
    let accounts: std::collections::HashSet<String> =
        values.iter().map(|v| cell(&v["account"], "id")).collect();
    let many = accounts.len() > 1;
    let mut rows: Vec<Vec<String>> = vec![{
        let mut head = vec!["TIME".to_owned()];
        if many {
            head.push("ACCOUNT".to_owned());
        }
        head.extend(["ACTOR", "ACTION", "MEMBER", "GROUP", "RESULT"].map(str::to_owned));
        head
    }];
    for value in values {
        let mut row = vec![cell(value, "time")];
        if many {
            let name = cell(&value["account"], "name");
            row.push(if name.is_empty() {
                cell(&value["account"], "id")
            } else {
                name
            });
        }
        let group = cell(value, "group");
        row.extend([
            cell(value, "actor"),
            cell(value, "action"),
            cell(value, "member"),
            if group.is_empty() {
                "-".to_owned()
            } else {
                group
            },
            cell(value, "result"),
        ]);
        rows.push(row.into_iter().map(|c| clean(&c)).collect());
    }
    let widths: Vec<usize> = (0..rows[0].len())
        .map(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for row in &rows {
        let cells: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> String {
        humantime::format_rfc3339(parse_since(text).unwrap()).to_string()
    }

    #[test]
    fn since_takes_rfc_3339_with_its_zone() {
        assert_eq!(at("2026-11-01"), "2026-11-01T00:00:00Z");
        assert_eq!(at("2026-11-01T12:00:00Z"), "2026-11-01T12:00:00Z");
        assert_eq!(at("2026-11-01T12:00:00z"), "2026-11-01T12:00:00Z");
        assert_eq!(at("2026-11-01T17:30:00+05:30"), "2026-11-01T12:00:00Z");
        assert_eq!(at("2026-11-01T07:00:00-05:00"), "2026-11-01T12:00:00Z");
        assert_eq!(at("2026-11-01T12:00:00-00:00"), "2026-11-01T12:00:00Z");
        assert!(parse_since("24h").is_ok());
        for bad in [
            "2026-11-01T12:00:00",
            "2026-11-01T12:00:00+5:00",
            "2026-11-01T12:00:00+25:00",
            "yesterday",
            "2999-01-01",
        ] {
            let err = parse_since(bad).unwrap_err();
            assert!(err.contains("expected a duration"), "{bad}: {err}");
        }
        assert!(parse_since("2999-01-01")
            .unwrap_err()
            .contains("in the future"));
        for old in ["30000d", "1969-12-31", "0001-01-01T00:00:00Z"] {
            let err = parse_since(old).unwrap_err();
            assert!(err.contains("before 1970"), "{old}: {err}");
        }
        let err = parse_since("99999999999999999m").unwrap_err();
        assert!(err.contains("expected a duration"), "{err}");
    }
}
