//! `cf-members audit`: one row per member per account, printed as the
//! pages arrive, in a table, a JSON array or CSV; a summary of the risky
//! rows on stderr.

use std::io::Write;

use futures::StreamExt;
use member_client::{AuditRow, MemberStatus};
use serde_json::{json, Value};

use super::account_text;
use super::whois::policy_lines;
use crate::cli::{AuditArgs, GlobalArgs, OutputFormat};
use crate::commands::Outcome;
use crate::output::{clean, csv_cell, csv_error, paint, plural};
use crate::report::Failure;
use crate::shell::note;

/// The CSV columns, in order: documented in `cf-members audit --help` and
/// the README; add new ones at the end only.
pub const CSV_COLUMNS: [&str; 11] = [
    "account_id",
    "account_name",
    "account_enforce_twofactor",
    "member_id",
    "email",
    "status",
    "two_factor",
    "roles",
    "policies",
    "risk",
    "user_id",
];

/// How many risky rows the stderr summary names (all are counted).
const RISKY_SHOWN: usize = 20;

/// Runs `cf-members audit`.
pub async fn run(global: &GlobalArgs, args: AuditArgs) -> Outcome {
    let client = super::client(global, &args.accounts)?;
    let accounts = super::select(&client, &args.accounts).await?;
    let total = accounts.len();
    let mut rows = client.audit(accounts);
    let stdout = std::io::stdout();
    let mut sink = Sink::new(global.output, stdout.lock());
    let mut summary = Summary::default();
    match sink.start() {
        Ok(()) => {}
        // `cf-members audit | true`: nobody reads; not an error.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return Ok(()),
        Err(e) => return Err(write_failure(e)),
    }
    let mut unchecked: std::collections::HashSet<String> = std::collections::HashSet::new();
    while let Some(item) = rows.next().await {
        match item {
            Ok(row) => {
                if let Some(why) = &row.super_admin_unchecked {
                    if unchecked.insert(row.account.id.as_str().to_owned()) {
                        note!(
                            "cf-members: warning: account {}: Super Administrators are found by \
                             their role only (reading what else grants it failed: {})",
                            account_text(&row.account),
                            clean(why)
                        );
                    }
                }
                let record = Record::of(&row);
                summary.add(&row, &record);
                match sink.row(&record) {
                    Ok(()) => {}
                    // `cf-members audit | head`: the reader has what it wanted.
                    Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return Ok(()),
                    Err(e) => return Err(write_failure(e)),
                }
            }
            Err(failure) => {
                eprintln!(
                    "cf-members: cannot read account {}: {}",
                    account_text(&failure.account),
                    clean(&failure.error.to_string())
                );
                summary.unreadable.push(account_text(&failure.account));
            }
        }
    }
    match sink.finish() {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return Ok(()),
        Err(e) => return Err(write_failure(e)),
    }
    summary.print(total);
    if !summary.unreadable.is_empty() {
        return Err(Failure::other(format!(
            "{} of {} could not be read: their members are missing from the audit",
            summary.unreadable.len(),
            plural(total, "account", "accounts")
        ))
        .with_hint("the token needs Account Settings Read (or Edit) in each account"));
    }
    Ok(())
}

fn write_failure(e: impl std::fmt::Display) -> Failure {
    Failure::other(format!("cannot write the output: {e}"))
}

/// One row, as every format shows it.
struct Record {
    account_id: String,
    account_name: String,
    account_enforce_twofactor: Option<bool>,
    member_id: String,
    email: String,
    status: String,
    two_factor: Option<bool>,
    roles: Vec<String>,
    policies: Vec<String>,
    risk: &'static str,
    user_id: String,
}

impl Record {
    fn of(row: &AuditRow) -> Self {
        let member = &row.member;
        let user = member.user.as_ref();
        let mut roles: Vec<String> = member.roles.iter().map(|r| r.name.clone()).collect();
        roles.sort();
        Self {
            account_id: row.account.id.as_str().to_owned(),
            account_name: row.account.name.clone().unwrap_or_default(),
            account_enforce_twofactor: row.enforce_twofactor,
            member_id: member
                .id
                .as_ref()
                .map(|id| id.as_str().to_owned())
                .unwrap_or_default(),
            email: member.email().unwrap_or_default().to_owned(),
            status: member
                .status
                .as_ref()
                .map(|s| s.as_str().to_owned())
                .unwrap_or_default(),
            two_factor: user.and_then(|u| u.two_factor_authentication_enabled),
            roles,
            policies: policy_lines(member),
            risk: risk(row),
            user_id: user
                .and_then(|u| u.id.as_ref())
                .map(|id| id.as_str().to_owned())
                .unwrap_or_default(),
        }
    }

    fn csv(&self) -> [String; 11] {
        let flag = |v: Option<bool>| v.map(|b| b.to_string()).unwrap_or_default();
        [
            self.account_id.clone(),
            self.account_name.clone(),
            flag(self.account_enforce_twofactor),
            self.member_id.clone(),
            self.email.clone(),
            self.status.clone(),
            flag(self.two_factor),
            self.roles.join("; "),
            self.policies.join("; "),
            self.risk.to_owned(),
            self.user_id.clone(),
        ]
    }

    fn json(&self) -> Value {
        json!({
            "account_id": self.account_id,
            "account_name": self.account_name,
            "account_enforce_twofactor": self.account_enforce_twofactor,
            "member_id": self.member_id,
            "email": self.email,
            "status": self.status,
            "two_factor": self.two_factor,
            "roles": self.roles,
            "policies": self.policies,
            "risk": self.risk,
            "user_id": self.user_id,
        })
    }
}

/// `super_admin_without_2fa`, `pending`, or empty ([`AuditRow::is_risky`]).
fn risk(row: &AuditRow) -> &'static str {
    if !row.is_risky() {
        return "";
    }
    if row.member.status.as_ref() == Some(&MemberStatus::Pending) {
        "pending"
    } else if row.super_admin {
        "super_admin_without_2fa"
    } else {
        "risky"
    }
}

/// Where rows go, one at a time.
enum Sink<W: Write> {
    Table(W),
    Json(W, bool),
    Jsonl(W),
    Csv(Box<csv::Writer<W>>),
}

/// Widths of the table's columns (rows are printed as they come, so the
/// widths are fixed; a longer value pushes its row's next columns).
const TABLE: [(&str, usize); 7] = [
    ("ACCOUNT", 34),
    ("EMAIL", 34),
    ("STATUS", 10),
    ("2FA", 5),
    ("ROLES", 38),
    ("POLICIES", 10),
    ("2FA REQUIRED", 0),
];

impl<W: Write> Sink<W> {
    fn new(format: OutputFormat, out: W) -> Self {
        match format {
            OutputFormat::Table => Self::Table(out),
            OutputFormat::Json => Self::Json(out, true),
            OutputFormat::Jsonl => Self::Jsonl(out),
            OutputFormat::Csv => Self::Csv(Box::new(csv::Writer::from_writer(out))),
        }
    }

    fn start(&mut self) -> std::io::Result<()> {
        match self {
            Self::Table(out) => {
                let headers: Vec<String> = TABLE.iter().map(|(h, _)| (*h).to_owned()).collect();
                write_table_row(out, &headers)
            }
            Self::Json(out, _) => out.write_all(b"["),
            Self::Jsonl(_) => Ok(()),
            Self::Csv(out) => out.write_record(CSV_COLUMNS).map_err(csv_error),
        }
    }

    fn row(&mut self, record: &Record) -> std::io::Result<()> {
        match self {
            Self::Table(out) => {
                let yes_no = |v: Option<bool>| match v {
                    Some(true) => "yes",
                    Some(false) => "no",
                    None => "-",
                };
                let or_dash = |s: &str| {
                    if s.is_empty() {
                        "-".to_owned()
                    } else {
                        clean(s)
                    }
                };
                let account = if record.account_name.is_empty() {
                    record.account_id.clone()
                } else {
                    record.account_name.clone()
                };
                let cells = vec![
                    clean(&account),
                    or_dash(&record.email),
                    paint::status(&or_dash(&record.status)),
                    yes_no(record.two_factor).to_owned(),
                    or_dash(&clean(&record.roles.join(", "))),
                    record.policies.len().to_string(),
                    yes_no(record.account_enforce_twofactor).to_owned(),
                ];
                write_table_row(out, &cells)
            }
            Self::Json(out, first) => {
                out.write_all(if *first { b"\n  " } else { b",\n  " })?;
                *first = false;
                serde_json::to_writer(&mut *out, &record.json())?;
                Ok(())
            }
            Self::Jsonl(out) => {
                serde_json::to_writer(&mut *out, &record.json())?;
                out.write_all(b"\n")
            }
            Self::Csv(out) => out
                .write_record(record.csv().iter().map(|cell| csv_cell(cell)))
                .map_err(csv_error),
        }
    }

    fn finish(&mut self) -> std::io::Result<()> {
        match self {
            Self::Table(out) => out.flush(),
            Self::Json(out, first) => {
                out.write_all(if *first { b"]\n" } else { b"\n]\n" })?;
                out.flush()
            }
            Self::Jsonl(out) => out.flush(),
            Self::Csv(out) => out.flush(),
        }
    }
}

fn write_table_row(out: &mut impl Write, cells: &[String]) -> std::io::Result<()> {
    let mut line = String::new();
    let last = cells.len().saturating_sub(1);
    for (i, cell) in cells.iter().enumerate() {
        line.push_str(cell);
        if i < last {
            let width = TABLE.get(i).map_or(0, |(_, w)| *w);
            let len = paint::width(cell);
            let pad = width.max(len + 2) - len;
            line.extend(std::iter::repeat_n(' ', pad));
        }
    }
    line.push('\n');
    out.write_all(line.as_bytes())
}

/// What the stderr summary tells.
#[derive(Default)]
struct Summary {
    rows: usize,
    super_admins_without_2fa: usize,
    pending: usize,
    shown: Vec<String>,
    unreadable: Vec<String>,
}

impl Summary {
    fn add(&mut self, row: &AuditRow, record: &Record) {
        self.rows += 1;
        match record.risk {
            "" => return,
            "pending" => self.pending += 1,
            _ => self.super_admins_without_2fa += 1,
        }
        if self.shown.len() < RISKY_SHOWN {
            let why = if record.risk == "pending" {
                "pending invitation"
            } else {
                "Super Administrator without two-factor"
            };
            self.shown.push(format!(
                "  {}: {}: {why}",
                account_text(&row.account),
                clean(&record.email)
            ));
        }
    }

    fn print(&self, accounts: usize) {
        if crate::shell::quiet() {
            return;
        }
        let mut err = std::io::stderr().lock();
        let _ = writeln!(
            err,
            "cf-members: audit: {} in {}; {} without two-factor; {}",
            plural(self.rows, "member", "members"),
            plural(accounts - self.unreadable.len(), "account", "accounts"),
            plural(
                self.super_admins_without_2fa,
                "Super Administrator",
                "Super Administrators"
            ),
            plural(self.pending, "pending invitation", "pending invitations"),
        );
        for line in &self.shown {
            let _ = writeln!(err, "{line}");
        }
        let risky = self.super_admins_without_2fa + self.pending;
        if risky > self.shown.len() {
            let _ = writeln!(
                err,
                "  … and {} more (the `risk` column names them)",
                risky - self.shown.len()
            );
        }
    }
}
