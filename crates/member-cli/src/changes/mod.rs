//! Reading the changes file of `cf-members apply`: JSON, CSV, or a retry
//! file written by an earlier run. Every entry is checked here, before
//! anything is sent; a bad file is refused whole (exit 2) with every bad
//! entry named by its place in the file.
//!
//! What an entry means, and its rules and messages, are the library's
//! ([`member_client::Change::from_entry`]): this module knows only the file syntax (JSON
//! here and in `json.rs`, CSV in `csv.rs`) and the places of entries.

mod csv;
mod json;

use std::fmt;
use std::io::Read;
use std::path::Path;

use member_client::{FieldNames, JsonKeys, NamedChange, Unresolved};

use crate::output::clean;
use crate::report::Failure;

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
    /// The changes, in file order, names not resolved yet.
    pub changes: Vec<NamedChange>,
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
        json::parse(name, text)
    } else {
        csv::parse(name, text)
    }
}

/// The short reminder of the formats shown with a refusal.
pub const FORMAT_HINT: &str = "a JSON file is an array of \
    {\"op\": \"set_roles\"|\"set_policies\"|\"add_roles\"|\"remove_roles\"|\"add\"|\"remove\"|…, \"email\" or \"id\", \
    \"roles\": [role names or ids] or \"policies\": [...]}; a CSV file has a header row \
    such as `email,member_id,op,roles` with roles separated by `;` (`cf-members apply \
    --help` shows both formats)";

/// The refusal of a file with bad entries: each named, the first few shown.
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

/// The refusal of a file whose names did not all resolve: every one
/// named by its entry's place and its place in the entry (exit 2), or the
/// read that failed (exit 1). Nothing was sent.
pub fn unresolved(path: &Path, input: &Input, mut failed: Vec<Unresolved>) -> Failure {
    if let Some(at) = failed.iter().position(Unresolved::is_request_error) {
        return crate::commands::resolve_failure(failed.swap_remove(at).error);
    }
    let name = if path.as_os_str() == "-" {
        "changes from stdin".to_owned()
    } else {
        format!("changes file {}", path.display())
    };
    let names: &dyn FieldNames = match input.format {
        Format::Csv => &csv::Columns,
        Format::Json | Format::RetryFile => &JsonKeys,
    };
    let mut message = format!(
        "{name}: {} did not resolve; nothing was sent:",
        if failed.len() == 1 {
            "1 name".to_owned()
        } else {
            format!("{} names", failed.len())
        }
    );
    for unresolved in failed.iter().take(SHOWN_ERRORS) {
        let place = input
            .places
            .get(unresolved.input)
            .map_or("?", String::as_str);
        message.push_str("\n  ");
        message.push_str(&clean(&format!("{place}: {}", unresolved.message(names))));
    }
    if failed.len() > SHOWN_ERRORS {
        message.push_str(&format!("\n  … and {} more", failed.len() - SHOWN_ERRORS));
    }
    Failure::usage(message).with_hint(
        "names match case-insensitively; give the id of the one you mean when a name is \
         shared (`cf-members roles list`, `permission-groups list`, `resource-groups list` \
         show them)",
    )
}

/// The line (from 1) at which `part`, a slice of `text`, starts.
fn line_of(text: &str, part: &str) -> Option<usize> {
    let offset = (part.as_ptr() as usize).checked_sub(text.as_ptr() as usize)?;
    let before = text.get(..offset)?;
    Some(before.matches('\n').count() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use member_client::{Change, MemberRef};

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
        let ops: Vec<&str> = input.changes.iter().map(NamedChange::op).collect();
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
            "changes file f: 7 of 9 entries are invalid; nothing was sent:",
            "entry 2 (line 3): names the member twice",
            "entry 3 (line 4): unknown \"op\" \"grant\"",
            "entry 4 (line 5): ",
            "not-an-email",
            "entry 5 (line 6): ",
            "entry 7 (line 8): key \"rolse\" is not used by set_roles",
            "entry 8 (line 9): key \"id\" is not used by add (a member to add has no id yet",
            "entry 9 (line 10): expected an object",
        ] {
            assert!(message.contains(part), "{part:?} missing from:\n{message}");
        }
        assert!(!message.contains("entry 1 "), "{message}");
        // A role that is not an id is a name, resolved (or refused) later.
        assert!(!message.contains("entry 6 "), "{message}");
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
        assert_eq!(input.changes, [NamedChange::from(change)]);
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
        let ops: Vec<&str> = input.changes.iter().map(NamedChange::op).collect();
        assert_eq!(ops, ["set_roles", "remove", "add"]);
        let NamedChange::SetRoles { roles, .. } = &input.changes[0] else {
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
            "4 of 5 entries are invalid",
            "line 2: names the member twice: give email or member_id, not both",
            "line 3: unknown op \"frob\"",
            "line 4: no op and neither roles nor policies",
            "line 5: 3 fields, but the header has 4",
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
