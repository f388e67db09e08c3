//! Reading the changes file of `cf-members apply`: JSON, CSV, or a retry
//! file written by an earlier run. Every entry is checked here, before
//! anything is sent; a bad file is refused whole (exit 2) with every bad
//! entry named by its place in the file.

use std::fmt;
use std::io::Read;
use std::path::Path;

use member_client::Change;
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::report::Failure;

/// The operations a changes file may name.
const OPS: [&str; 4] = ["set_roles", "set_policies", "add", "remove"];
/// How many bad entries a refusal lists before it stops counting aloud.
const SHOWN_ERRORS: usize = 20;

/// What a changes file holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// A JSON array of changes.
    Json,
    /// CSV with a header row.
    Csv,
    /// The JSON retry file of an earlier run.
    RetryFile,
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Json => "JSON",
            Self::Csv => "CSV",
            Self::RetryFile => "retry file",
        })
    }
}

/// The changes of a file, each with where it was found.
#[derive(Debug)]
pub struct Input {
    /// How the file was read.
    pub format: Format,
    /// The changes, in file order.
    pub changes: Vec<Change>,
    /// Where each change was found (`entry 3 (line 7)`, `line 4`), same
    /// order.
    pub places: Vec<String>,
}

/// Reads and checks the changes file at `path` (`-` is stdin).
pub fn read(path: &Path) -> Result<Input, Failure> {
    let stdin = path.as_os_str() == "-";
    let (name, bytes) = if stdin {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .map_err(|e| Failure::usage(format!("cannot read changes from stdin: {e}")))?;
        ("changes from stdin".to_owned(), bytes)
    } else {
        let name = format!("changes file {}", path.display());
        let bytes =
            std::fs::read(path).map_err(|e| Failure::usage(format!("cannot read {name}: {e}")))?;
        (name, bytes)
    };
    let text = String::from_utf8(bytes)
        .map_err(|e| Failure::usage(format!("{name} is not UTF-8 text: {e}")))?;
    let by_extension = if stdin {
        None
    } else {
        path.extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
    };
    parse(&name, &text, by_extension.as_deref())
}

/// Parses the text of a changes file called `name` in messages; `extension`
/// (`json`, `csv`) decides the format, else the first character does.
pub fn parse(name: &str, text: &str, extension: Option<&str>) -> Result<Input, Failure> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(Failure::usage(format!("{name} is empty")).with_hint(FORMAT_HINT));
    }
    let json = match extension {
        Some("json") => true,
        Some("csv") => false,
        _ => text.trim_start().starts_with(['[', '{']),
    };
    if json {
        parse_json(name, text)
    } else {
        parse_csv(name, text)
    }
}

/// The short reminder of the formats shown with a refusal.
pub const FORMAT_HINT: &str = "a JSON file is an array of \
    {\"op\": \"set_roles\"|\"set_policies\"|\"add\"|\"remove\", \"email\" or \"id\", \
    \"roles\": [role ids] or \"policies\": [...]}; a CSV file has a header row such as \
    `email,member_id,op,roles` with roles separated by `;` (`cf-members apply --help` \
    shows both formats)";

fn refuse(name: &str, errors: Vec<String>, total: usize) -> Failure {
    let mut message = format!(
        "{name}: {} of {total} {} invalid; nothing was sent:",
        errors.len(),
        if total == 1 {
            "entry is"
        } else {
            "entries are"
        }
    );
    for error in errors.iter().take(SHOWN_ERRORS) {
        message.push_str("\n  ");
        message.push_str(&clean(error));
    }
    if errors.len() > SHOWN_ERRORS {
        message.push_str(&format!("\n  … and {} more", errors.len() - SHOWN_ERRORS));
    }
    Failure::usage(message).with_hint(FORMAT_HINT)
}

/// File text made safe for a terminal.
fn clean(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() && c != '\n' { '?' } else { c })
        .collect()
}

/// The line (from 1) at which `part`, a slice of `text`, starts.
fn line_of(text: &str, part: &str) -> Option<usize> {
    let offset = (part.as_ptr() as usize).checked_sub(text.as_ptr() as usize)?;
    let before = text.get(..offset)?;
    Some(before.matches('\n').count() + 1)
}

/// A retry file: `{"changes": [{"change": {…}, …}, …]}`.
#[derive(Deserialize)]
struct Wrapped<'a> {
    #[serde(borrow)]
    changes: Option<Vec<&'a RawValue>>,
}

fn parse_json(name: &str, text: &str) -> Result<Input, Failure> {
    let syntax = |e: serde_json::Error| {
        Failure::usage(format!("malformed {name}: {e}")).with_hint(FORMAT_HINT)
    };
    let (format, items): (Format, Vec<&RawValue>) = if text.trim_start().starts_with('{') {
        let wrapped: Wrapped<'_> = serde_json::from_str(text).map_err(syntax)?;
        let items = wrapped.changes.ok_or_else(|| {
            Failure::usage(format!(
                "{name} is a JSON object without \"changes\": a changes file is a JSON \
                 array, and an object must be a retry file ({{\"changes\": […]}})"
            ))
            .with_hint(FORMAT_HINT)
        })?;
        (Format::RetryFile, items)
    } else {
        let items: Vec<&RawValue> = serde_json::from_str(text).map_err(|e| {
            if e.is_data() {
                Failure::usage(format!("{name} is not a JSON array of changes ({e})"))
                    .with_hint(FORMAT_HINT)
            } else {
                syntax(e)
            }
        })?;
        (Format::Json, items)
    };
    let total = items.len();
    let mut input = Input {
        format,
        changes: Vec::with_capacity(total),
        places: Vec::with_capacity(total),
    };
    let mut errors = Vec::new();
    for (i, raw) in items.into_iter().enumerate() {
        let place = match line_of(text, raw.get()) {
            Some(line) => format!("entry {} (line {line})", i + 1),
            None => format!("entry {}", i + 1),
        };
        let value: Value = match serde_json::from_str(raw.get()) {
            Ok(value) => value,
            Err(e) => {
                errors.push(format!("{place}: {e}"));
                continue;
            }
        };
        let entry = match (format, value) {
            // A retry entry holds the change under "change"; its other
            // fields say what happened last time.
            (Format::RetryFile, Value::Object(mut map)) if map.contains_key("change") => {
                match map.remove("change") {
                    Some(Value::Object(change)) => Ok(change),
                    _ => Err("\"change\" must be an object".to_owned()),
                }
            }
            (_, Value::Object(map)) => Ok(map),
            (_, other) => Err(format!(
                "expected an object such as {{\"op\": \"set_roles\", \"email\": …, \"roles\": […]}}, found {}",
                kind_of(&other)
            )),
        };
        match entry.and_then(|map| change_of(map, &JSON_NAMES)) {
            Ok(change) => {
                input.changes.push(change);
                input.places.push(place);
            }
            Err(e) => errors.push(format!("{place}: {e}")),
        }
    }
    if errors.is_empty() {
        Ok(input)
    } else {
        Err(refuse(name, errors, total))
    }
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// What the keys are called in messages: JSON keys or CSV columns.
struct Names {
    id: &'static str,
    email: &'static str,
    roles: &'static str,
    policies: &'static str,
    op: &'static str,
    what: &'static str,
}

const JSON_NAMES: Names = Names {
    id: "\"id\"",
    email: "\"email\"",
    roles: "\"roles\"",
    policies: "\"policies\"",
    op: "\"op\"",
    what: "key",
};

const CSV_NAMES: Names = Names {
    id: "member_id",
    email: "email",
    roles: "roles",
    policies: "policies",
    op: "op",
    what: "column",
};

/// One entry (JSON keys; CSV rows are turned into the same) checked and
/// read as a [`Change`].
fn change_of(mut map: Map<String, Value>, names: &Names) -> Result<Change, String> {
    let has = |key: &str| map.contains_key(key);
    let op = match map.get("op") {
        Some(Value::String(op)) if OPS.contains(&op.as_str()) => op.clone(),
        Some(Value::String(op)) => {
            return Err(format!(
                "unknown {} {op:?}: expected set_roles, set_policies, add or remove",
                names.op
            ))
        }
        Some(other) => {
            return Err(format!(
                "{} must be a string (set_roles, set_policies, add or remove), found {}",
                names.op,
                kind_of(other)
            ))
        }
        None => match (has("roles"), has("policies")) {
            (true, false) => "set_roles".to_owned(),
            (false, true) => "set_policies".to_owned(),
            (true, true) => {
                return Err(format!(
                    "both {} and {}: a member has either roles or policies, give one",
                    names.roles, names.policies
                ))
            }
            (false, false) => {
                return Err(format!(
                    "no {} and neither {} nor {}: say what to do",
                    names.op, names.roles, names.policies
                ))
            }
        },
    };
    let allowed: &[&str] = match op.as_str() {
        "set_roles" => &["op", "id", "email", "roles"],
        "set_policies" => &["op", "id", "email", "policies"],
        "add" => &["op", "email", "roles", "policies", "status"],
        _ => &["op", "id", "email"],
    };
    let shown = |key: &str| match key {
        "id" => names.id.to_owned(),
        "email" => names.email.to_owned(),
        "roles" => names.roles.to_owned(),
        "policies" => names.policies.to_owned(),
        "op" => names.op.to_owned(),
        other if names.what == "key" => format!("{other:?}"),
        other => other.to_owned(),
    };
    if let Some(extra) = map.keys().find(|k| !allowed.contains(&k.as_str())) {
        let why = match (op.as_str(), extra.as_str()) {
            ("add", "id") => " (a member to add has no id yet: name it by email)".to_owned(),
            ("set_roles", "policies") | ("set_policies", "roles") => {
                " (a member has either roles or policies)".to_owned()
            }
            _ => String::new(),
        };
        return Err(format!(
            "{} {} is not used by {op}{why}; {op} takes {}",
            names.what,
            shown(extra),
            allowed
                .iter()
                .map(|k| shown(k))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    match op.as_str() {
        "add" => {
            if !has("email") {
                return Err(format!("add needs the new member's {}", names.email));
            }
            if has("roles") == has("policies") {
                return Err(format!(
                    "add needs either {} or {} (one of them)",
                    names.roles, names.policies
                ));
            }
        }
        _ => {
            match (has("id"), has("email")) {
                (true, true) => {
                    return Err(format!(
                        "names the member twice: give {} or {}, not both",
                        names.email, names.id
                    ))
                }
                (false, false) => {
                    return Err(format!(
                        "names no member: give {} or {}",
                        names.email, names.id
                    ))
                }
                _ => {}
            }
            if op == "set_roles" && !has("roles") {
                return Err(format!("set_roles needs {}", names.roles));
            }
            if op == "set_policies" && !has("policies") {
                return Err(format!("set_policies needs {}", names.policies));
            }
        }
    }
    map.insert("op".to_owned(), Value::String(op));
    let change: Change = serde_path_to_error::deserialize(Value::Object(map)).map_err(|e| {
        let place = e.path().to_string();
        let inner = e.into_inner();
        if place == "." || place.is_empty() {
            inner.to_string()
        } else {
            format!("at `{place}`: {inner}")
        }
    })?;
    change.validate().map_err(|e| e.to_string())?;
    Ok(change)
}

/// The columns of a CSV changes file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Column {
    Op,
    Email,
    MemberId,
    Roles,
    Policies,
    Status,
}

const COLUMNS: &str = "email, member_id (or id), op, roles, policies, status";

fn column(name: &str) -> Option<Column> {
    Some(match name.to_ascii_lowercase().as_str() {
        "op" => Column::Op,
        "email" => Column::Email,
        "member_id" | "id" => Column::MemberId,
        "roles" => Column::Roles,
        "policies" => Column::Policies,
        "status" => Column::Status,
        _ => return None,
    })
}

fn parse_csv(name: &str, text: &str) -> Result<Input, Failure> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .trim(csv::Trim::All)
        .comment(Some(b'#'))
        .flexible(true)
        .from_reader(text.as_bytes());
    // The line from the byte offset (the reader's own count leaves out
    // blank lines), past the blank and comment lines the reader skipped.
    let line_at = |position: &csv::Position| {
        let Some(mut rest) = text.get(position.byte() as usize..) else {
            return position.line() as usize;
        };
        loop {
            let skipped = rest.trim_start_matches(['\r', '\n']);
            rest = match skipped.strip_prefix('#') {
                Some(comment) => comment.split_once('\n').map_or("", |(_, after)| after),
                None => skipped,
            };
            if !rest.starts_with(['#', '\r', '\n']) {
                break;
            }
        }
        let offset = text.len() - rest.len();
        text[..offset].matches('\n').count() + 1
    };
    let csv_error = |e: &csv::Error| {
        let line = e.position().map(line_at);
        let what = match e.kind() {
            csv::ErrorKind::Utf8 { err, .. } => format!("not UTF-8: {err}"),
            _ => e.to_string(),
        };
        match line {
            Some(line) => format!("line {line}: {what}"),
            None => what,
        }
    };
    let headers = reader.headers().map_err(|e| {
        Failure::usage(format!("malformed {name}: {}", csv_error(&e))).with_hint(FORMAT_HINT)
    })?;
    let header_line = headers.position().map_or(1, line_at);
    let mut columns = Vec::with_capacity(headers.len());
    for cell in headers {
        match column(cell) {
            Some(col) if columns.contains(&col) => {
                return Err(Failure::usage(format!(
                    "{name}: line {header_line}: the column {cell:?} appears twice"
                ))
                .with_hint(FORMAT_HINT))
            }
            Some(col) => columns.push(col),
            None => {
                return Err(Failure::usage(format!(
                    "{name}: line {header_line}: unknown column {:?}; the first line names \
                     the columns, among: {COLUMNS}",
                    clean(cell)
                ))
                .with_hint(FORMAT_HINT))
            }
        }
    }
    if !columns.contains(&Column::Email) && !columns.contains(&Column::MemberId) {
        return Err(Failure::usage(format!(
            "{name}: line {header_line}: no email or member_id column, so no row can name \
             a member"
        ))
        .with_hint(FORMAT_HINT));
    }
    let mut input = Input {
        format: Format::Csv,
        changes: Vec::new(),
        places: Vec::new(),
    };
    let mut errors = Vec::new();
    let mut total = 0;
    for record in reader.records() {
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                total += 1;
                errors.push(csv_error(&e));
                continue;
            }
        };
        if record.iter().all(str::is_empty) {
            continue;
        }
        total += 1;
        let place = match record.position() {
            Some(position) => format!("line {}", line_at(position)),
            None => format!("row {total}"),
        };
        if record.len() != columns.len() {
            errors.push(format!(
                "{place}: {} fields, but the header has {}",
                record.len(),
                columns.len()
            ));
            continue;
        }
        match row_change(&columns, &record) {
            Ok(change) => {
                input.changes.push(change);
                input.places.push(place);
            }
            Err(e) => errors.push(format!("{place}: {e}")),
        }
    }
    if errors.is_empty() {
        Ok(input)
    } else {
        Err(refuse(name, errors, total))
    }
}

/// One CSV row as the same entry a JSON file would hold. Empty cells are
/// left out.
fn row_change(columns: &[Column], record: &csv::StringRecord) -> Result<Change, String> {
    let mut map = Map::new();
    for (col, cell) in columns.iter().zip(record) {
        if cell.is_empty() {
            continue;
        }
        let (key, value) = match col {
            Column::Op => ("op", Value::String(cell.to_owned())),
            Column::Email => ("email", Value::String(cell.to_owned())),
            Column::MemberId => ("id", Value::String(cell.to_owned())),
            Column::Status => ("status", Value::String(cell.to_owned())),
            Column::Roles => (
                "roles",
                Value::Array(
                    cell.split(';')
                        .map(str::trim)
                        .filter(|r| !r.is_empty())
                        .map(|r| Value::String(r.to_owned()))
                        .collect(),
                ),
            ),
            Column::Policies => (
                "policies",
                serde_json::from_str(cell).map_err(|e| {
                    format!("the policies cell is not a JSON array of policies: {e}")
                })?,
            ),
        };
        map.insert(key.to_owned(), value);
    }
    change_of(map, &CSV_NAMES)
}

#[cfg(test)]
mod tests {
    use super::*;
    use member_client::MemberRef;

    const BOB: &str = "b1c5d2e8f3a64b7c9d0e1f2a3b4c5d6e";
    const READ_ONLY: &str = "05784afa30c1afe1440e79d9351c7430";
    const BILLING: &str = "3f7a2f9e6d1c4b6a8e0f5d2c1b9a8e71";

    fn refused(text: &str, extension: Option<&str>) -> String {
        let failure = parse("changes file f", text, extension).unwrap_err();
        assert_eq!(failure.exit_code(), 2);
        failure.to_string()
    }

    #[test]
    fn json_entries_with_and_without_op() {
        let text = format!(
            r#"[
  {{"op": "set_roles", "email": "Bob.DNS@example.com", "roles": ["{READ_ONLY}"]}},
  {{"id": "{BOB}", "roles": ["{READ_ONLY}", "{BILLING}"]}},
  {{"op": "add", "email": "new@example.com", "roles": ["{READ_ONLY}"], "status": "pending"}},
  {{"op": "remove", "id": "{BOB}"}}
]"#
        );
        let input = parse("f", &text, None).unwrap();
        assert_eq!(input.format, Format::Json);
        let ops: Vec<&str> = input.changes.iter().map(Change::op).collect();
        assert_eq!(ops, ["set_roles", "set_roles", "add", "remove"]);
        assert_eq!(
            input.changes[0].member(),
            MemberRef::email("Bob.DNS@example.com")
        );
        assert_eq!(
            input.places,
            [
                "entry 1 (line 2)",
                "entry 2 (line 3)",
                "entry 3 (line 4)",
                "entry 4 (line 5)"
            ]
        );
    }

    #[test]
    fn json_problems_name_the_entry_and_line() {
        let text = format!(
            r#"[
  {{"op": "set_roles", "email": "bob@example.com", "roles": ["{READ_ONLY}"]}},
  {{"op": "set_roles", "email": "bob@example.com", "id": "{BOB}", "roles": ["{READ_ONLY}"]}},
  {{"op": "grant", "email": "bob@example.com"}},
  {{"op": "set_roles", "email": "not-an-email", "roles": ["{READ_ONLY}"]}},
  {{"op": "set_roles", "id": "{BOB}", "roles": []}},
  {{"op": "set_roles", "id": "{BOB}", "roles": ["../x"]}},
  {{"op": "set_roles", "id": "{BOB}", "rolse": ["{READ_ONLY}"]}},
  {{"op": "add", "id": "{BOB}", "roles": ["{READ_ONLY}"]}},
  42
]"#
        );
        let message = refused(&text, Some("json"));
        for part in [
            "changes file f: 8 of 9 entries are invalid; nothing was sent:",
            "entry 2 (line 3): names the member twice",
            "entry 3 (line 4): unknown \"op\" \"grant\"",
            "entry 4 (line 5): ",
            "not-an-email",
            "entry 5 (line 6): ",
            "entry 6 (line 7): ",
            "../x",
            "entry 7 (line 8): key \"rolse\" is not used by set_roles",
            "entry 8 (line 9): key \"id\" is not used by add (a member to add has no id yet",
            "entry 9 (line 10): expected an object",
        ] {
            assert!(message.contains(part), "{part:?} missing from:\n{message}");
        }
        assert!(!message.contains("entry 1 "), "{message}");
    }

    #[test]
    fn json_syntax_and_shape_errors() {
        assert!(refused("[{\"op\": ", None).contains("line 1 column"));
        assert!(refused("{\"op\": \"remove\"}", None).contains("without \"changes\""));
        assert!(refused("\"x\"", Some("json")).contains("not a JSON array of changes"));
        assert!(refused("  \n", None).contains("is empty"));
    }

    #[test]
    fn a_retry_file_is_read_back() {
        let change = Change::set_roles(
            member_client::MemberId::new(BOB).unwrap(),
            [member_client::RoleId::new(READ_ONLY).unwrap()],
        );
        let text = serde_json::to_string_pretty(&serde_json::json!({
            "changes": [{"change": change, "may_have_been_applied": true,
                         "error": {"kind": "server", "message": "HTTP 502", "may_have_been_applied": true}}]
        }))
        .unwrap();
        let input = parse("f", &text, Some("json")).unwrap();
        assert_eq!(input.format, Format::RetryFile);
        assert_eq!(input.changes, [change]);
        assert_eq!(input.places, ["entry 1 (line 3)"]);
    }

    #[test]
    fn csv_rows() {
        let text = format!(
            "# who gets what\nemail,member_id,op,roles\n\
             bob.dns@example.com,,, {READ_ONLY} ; {BILLING}\n\
             ,{BOB},remove,\n\
             \n\
             # a comment\n   \n\
             new@example.com,,add,{READ_ONLY}\n"
        );
        let input = parse("f", &text, None).unwrap();
        assert_eq!(input.format, Format::Csv);
        let ops: Vec<&str> = input.changes.iter().map(Change::op).collect();
        assert_eq!(ops, ["set_roles", "remove", "add"]);
        let Change::SetRoles { roles, .. } = &input.changes[0] else {
            panic!("{:?}", input.changes[0]);
        };
        assert_eq!(roles.len(), 2);
        assert_eq!(input.places, ["line 3", "line 4", "line 8"]);
    }

    #[test]
    fn csv_policies_cell_is_json() {
        let text = "email,policies\nerin@example.com,\"[{\"\"access\"\": \"\"allow\"\", \
                    \"\"permission_groups\"\": [{\"\"id\"\": \"\"c8fed203ed3043cba015a93ad1616f1f\"\"}], \
                    \"\"resource_groups\"\": [{\"\"id\"\": \"\"6d7f2f5f5b1d4a0e9081fdc98d432fd1\"\"}]}]\"\n";
        let input = parse("f", text, Some("csv")).unwrap();
        assert_eq!(input.changes[0].op(), "set_policies");
    }

    #[test]
    fn csv_problems_name_the_line() {
        let message = refused(
            &format!(
                "email,member_id,op,roles\n\
                 a@example.com,{BOB},,{READ_ONLY}\n\
                 b@example.com,,frob,{READ_ONLY}\n\
                 c@example.com,,,\n\
                 d@example.com,,set_roles\n\
                 e@example.com,,set_roles,not a role\n"
            ),
            Some("csv"),
        );
        for part in [
            "5 of 5 entries are invalid",
            "line 2: names the member twice: give email or member_id, not both",
            "line 3: unknown op \"frob\"",
            "line 4: no op and neither roles nor policies",
            "line 5: 3 fields, but the header has 4",
            "line 6: ",
            "not a role",
        ] {
            assert!(message.contains(part), "{part:?} missing from:\n{message}");
        }
        let message = refused("mail,roles\na@example.com,x\n", Some("csv"));
        assert!(
            message.contains("line 1: unknown column \"mail\""),
            "{message}"
        );
        let message = refused("op,roles\nset_roles,x\n", Some("csv"));
        assert!(
            message.contains("no email or member_id column"),
            "{message}"
        );
        let message = refused("email,email\n", Some("csv"));
        assert!(message.contains("appears twice"), "{message}");
    }

    #[test]
    fn the_extension_wins_over_the_content() {
        // A CSV file that starts like JSON is still read as CSV.
        let message = refused("[email]\n", Some("csv"));
        assert!(message.contains("unknown column \"[email]\""), "{message}");
        assert!(refused("email\n", Some("json")).contains("malformed"));
    }
}
