//! `cf-members whois EMAIL`: every account where a person is a member or
//! invited, with status, roles and policies.

use futures::StreamExt;
use member_client::{AccountPresence, Member, Presence};
use serde_json::{json, Value};

use super::{account_json, account_text, error_json, of_accounts};
use crate::cli::{GlobalArgs, OutputFormat, WhoisArgs};
use crate::commands::{write_json, write_text, Outcome};
use crate::output::paint::{self, paint, Tone};
use crate::output::{self, clean, plural};
use crate::progress::Progress;
use crate::report::Failure;

/// Runs `cf-members whois`.
pub async fn run(global: &GlobalArgs, args: WhoisArgs) -> Outcome {
    let client = super::client(global, &args.accounts)?;
    let accounts = super::select(&client, &args.accounts).await?;
    let total = accounts.len();
    let mut answers = client
        .whois(&args.email, accounts)
        .map_err(|e| Failure::from_client(&e, false))?;
    let mut progress = Progress::new("accounts", !global.verbose);
    let mut found: Vec<AccountPresence> = Vec::with_capacity(total);
    progress.draw(&format!("reading accounts: 0 of {total}"));
    while let Some(answer) = answers.next().await {
        found.push(answer);
        progress.draw(&format!("reading accounts: {} of {total}", found.len()));
    }
    progress.finish();

    let unreadable = found
        .iter()
        .filter(|a| matches!(a.presence, Presence::Unreadable(_)))
        .count();
    match global.output {
        OutputFormat::Table => write_text(&text(&args.email, &found))?,
        _ => write_json(&report(&args.email, &found))?,
    }
    if unreadable > 0 {
        return Err(Failure::other(format!(
            "{} could not be read: {} may have access there too",
            of_accounts(unreadable, total),
            clean(&args.email)
        ))
        .with_hint(
            "the token needs Account Settings Read (or Edit) in each account to list its \
             members; the error of each is shown above",
        ));
    }
    Ok(())
}

/// What people read: a summary line, a table of the memberships, and the
/// accounts that could not be read.
fn text(email: &str, found: &[AccountPresence]) -> String {
    let mut rows = Vec::new();
    let mut unreadable = Vec::new();
    let mut member_of = 0;
    let mut pending = 0;
    for answer in found {
        match &answer.presence {
            Presence::Member(members) => {
                member_of += 1;
                for member in members {
                    let status = member.status.as_ref().map_or("-", |s| s.as_str());
                    if status == "pending" {
                        pending += 1;
                    }
                    rows.push(vec![
                        account_text(&answer.account),
                        member
                            .id
                            .as_ref()
                            .map_or("-".to_owned(), |id| clean(id.as_str())),
                        paint::status(&clean(status)),
                        roles_text(member),
                        policies_text(member),
                    ]);
                }
            }
            Presence::Unreadable(error) => unreadable.push(format!(
                "  {}: {}\n",
                account_text(&answer.account),
                paint(Tone::Bad, &clean(&error.to_string()))
            )),
            _ => {}
        }
    }
    let mut out = format!(
        "{}: a member of {}",
        clean(email),
        of_accounts(member_of, found.len())
    );
    if pending > 0 {
        out.push_str(&format!(
            " ({})",
            plural(pending, "pending invitation", "pending invitations")
        ));
    }
    if !unreadable.is_empty() {
        out.push_str(&format!(
            "; {} could not be read",
            plural(unreadable.len(), "account", "accounts")
        ));
    }
    out.push('\n');
    if !rows.is_empty() {
        out.push('\n');
        out.push_str(&output::table(
            &["ACCOUNT", "MEMBER ID", "STATUS", "ROLES", "POLICIES"],
            &rows,
        ));
    }
    if !unreadable.is_empty() {
        out.push_str("\nCould not be read (the person may have access there):\n");
        for line in unreadable {
            out.push_str(&line);
        }
    }
    out
}

/// The `-o json` report: every account with what it said, and the counts.
fn report(email: &str, found: &[AccountPresence]) -> Value {
    let mut counts = [0usize; 3];
    let accounts: Vec<Value> = found
        .iter()
        .map(|answer| {
            let account = account_json(&answer.account);
            match &answer.presence {
                Presence::Member(members) => {
                    counts[0] += 1;
                    json!({
                        "account": account,
                        "presence": "member",
                        "members": members
                            .iter()
                            .map(|m| serde_json::to_value(m).unwrap_or(Value::Null))
                            .collect::<Vec<_>>(),
                    })
                }
                Presence::Unreadable(error) => {
                    counts[2] += 1;
                    json!({"account": account, "presence": "unreadable", "error": error_json(error)})
                }
                _ => {
                    counts[1] += 1;
                    json!({"account": account, "presence": "not_member"})
                }
            }
        })
        .collect();
    json!({
        "email": email,
        "accounts": accounts,
        "summary": {
            "accounts": found.len(),
            "member": counts[0],
            "not_member": counts[1],
            "unreadable": counts[2],
        },
    })
}

/// The role names, sorted, or `-`.
pub fn roles_text(member: &Member) -> String {
    let mut names: Vec<String> = member.roles.iter().map(|r| clean(&r.name)).collect();
    names.sort();
    if names.is_empty() {
        "-".to_owned()
    } else {
        names.join(", ")
    }
}

/// Each policy as `allow DNS Write on example.com`, separated by `; `, or
/// `-`: for people (a deny painted).
pub fn policies_text(member: &Member) -> String {
    let lines: Vec<String> = policy_lines(member)
        .iter()
        .map(|line| paint::policy(line))
        .collect();
    if lines.is_empty() {
        "-".to_owned()
    } else {
        lines.join("; ")
    }
}

/// Each policy as `allow DNS Write, Zone Read on zone <id>`, as
/// `members get` shows it (without zone names: they take a request per
/// account).
pub fn policy_lines(member: &Member) -> Vec<String> {
    let no_names = std::collections::HashMap::new();
    member
        .policies
        .iter()
        .map(|policy| output::policy_line(policy, &no_names))
        .collect()
}
