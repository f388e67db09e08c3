//! What goes to stdout: the API's `result` as JSON, or tables for people;
//! lists also as JSON Lines and CSV, written as they arrive (`list.rs`).

mod groups;
mod list;
mod members;
pub mod paint;

use std::io::Write;

use std::collections::HashMap;

use member_client::{
    EffectiveAccess, GrantSource, GroupMember, Member, PermissionGroup, Policy, PreparedRequest,
    Resolution, ResourceGroup, Role, Scope, UserGroup, ACCOUNT_SCOPE_PREFIX, SCOPE_ALL,
    ZONE_SCOPE_PREFIX,
};
use serde_json::Value;

use crate::report::Failure;

pub use groups::*;
pub use list::{csv_error, ListView, ListWriter, Table};
pub use members::*;

/// Writes `value` as one pretty-printed JSON document and a newline, or
/// (`-o jsonl`) on one line.
pub fn json(out: &mut impl Write, value: &Value) -> std::io::Result<()> {
    if crate::shell::json_lines() {
        serde_json::to_writer(&mut *out, value)?;
    } else {
        serde_json::to_writer_pretty(&mut *out, value)?;
    }
    out.write_all(b"\n")
}

/// The first characters that make a spreadsheet read a cell as a formula
/// (`=HYPERLINK(…)` in a name someone chose for themselves).
pub const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A CSV cell as written: the value as the server sent it (the CSV writer
/// quotes commas, quotes and line breaks), except what would play tricks
/// where the file is shown (a spreadsheet, a terminal): bidi controls and
/// control characters other than tab and line breaks become `<U+XXXX>`,
/// and a cell that starts like a formula ([`FORMULA_STARTS`]) gets a `'`
/// in front, which spreadsheets show as text and drop (`apply` drops it
/// too when it reads a CSV file).
pub fn csv_cell(text: &str) -> String {
    let tricky =
        |c: char| is_bidi_control(c) || (c.is_control() && !matches!(c, '\t' | '\n' | '\r'));
    let formula = text.starts_with(FORMULA_STARTS);
    if !formula && !text.chars().any(tricky) {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len() + 8);
    if formula {
        out.push('\'');
    }
    for c in text.chars() {
        if tricky(c) {
            push_escaped(&mut out, c);
        } else {
            out.push(c);
        }
    }
    out
}

/// The invisible characters that reorder the text around them, so that a
/// name can display as another: the embeddings and overrides (U+202A to
/// U+202E), the isolates (U+2066 to U+2069) and the marks (U+200E, U+200F,
/// U+061C).
fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
    )
}

/// `<U+202E>`: a character shown by its code point.
fn push_escaped(out: &mut String, c: char) {
    out.push_str(&format!("<U+{:04X}>", u32::from(c)));
}

/// Server text made safe for a terminal: control characters (which could
/// move the cursor or change colours) become `?`, and bidi controls (which
/// could make a name display as another) show as `<U+202E>`.
pub fn clean(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() {
            out.push('?');
        } else if is_bidi_control(c) {
            push_escaped(&mut out, c);
        } else {
            out.push(c);
        }
    }
    out
}

/// Aligned columns separated by two spaces; the last column is not padded.
/// A cell may be painted ([`paint`]): its colour takes no width.
pub fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(paint::width(cell));
        }
    }
    let mut out = String::new();
    let header_row: Vec<String> = headers.iter().map(|h| (*h).to_owned()).collect();
    for row in std::iter::once(&header_row).chain(rows) {
        let last = row.len().saturating_sub(1);
        for (i, cell) in row.iter().enumerate() {
            if i == last {
                out.push_str(cell);
            } else {
                out.push_str(cell);
                let pad = widths[i] - paint::width(cell) + 2;
                out.extend(std::iter::repeat_n(' ', pad));
            }
        }
        out.push('\n');
    }
    out
}

/// `label:   value` lines, values of several lines indented under the first.
fn details(fields: &[(&str, Vec<String>)]) -> String {
    let width = fields
        .iter()
        .map(|(label, _)| label.chars().count() + 1)
        .max()
        .unwrap_or(0);
    let mut out = String::new();
    for (label, values) in fields {
        let mut values = values.iter();
        let first = values.next().map_or("-", String::as_str);
        out.push_str(&format!("{:<width$}  {first}\n", format!("{label}:")));
        for more in values {
            out.push_str(&format!("{:<width$}  {more}\n", ""));
        }
    }
    out
}

/// A server answer read as `what`, for the human form.
fn decode<T: serde::de::DeserializeOwned>(value: &Value, what: &str) -> Result<T, Failure> {
    T::deserialize(value).map_err(|e| {
        Failure::other(format!(
            "the server's answer could not be read as {what}: {e}"
        ))
        .with_hint("`-o json` prints it as received")
    })
}

/// `1 change`, `2 changes`.
pub fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// `true`, `false`, or empty when the server did not say.
pub fn flag(value: Option<bool>) -> String {
    value.map(|b| b.to_string()).unwrap_or_default()
}

/// `role "Billing" = 3f7a… (Billing)`: what a reference resolved to.
pub fn resolution_text(r: &Resolution) -> String {
    let mut line = format!("{} {:?} = {}", r.kind, r.reference, r.id);
    if let Some(name) = r.name.as_deref().filter(|n| *n != r.reference) {
        line.push_str(&format!(" ({name})"));
    }
    clean(&line)
}

/// What a reference resolved to, as JSON.
pub fn resolution_json(r: &Resolution) -> Value {
    serde_json::json!({
        "kind": r.kind.as_str(),
        "reference": r.reference,
        "id": r.id,
        "name": r.name,
    })
}

/// The dry-run description: what each name resolved to, method and URL,
/// the credential scheme (never a secret), and the body.
pub fn dry_run_text(request: &PreparedRequest, resolved: &[Resolution]) -> String {
    let mut out = String::new();
    for r in resolved {
        out.push_str("resolved: ");
        out.push_str(&resolution_text(r));
        out.push('\n');
    }
    out.push_str(&format!(
        "{} {}\nauth: {}\n",
        request.method, request.url, request.auth_scheme
    ));
    match &request.body {
        Some(body) => {
            out.push_str("body:\n");
            out.push_str(&serde_json::to_string_pretty(body).unwrap_or_default());
            out.push('\n');
        }
        None => out.push_str("body: none\n"),
    }
    out
}

/// The dry-run description as one JSON object.
pub fn dry_run_json(request: &PreparedRequest, resolved: &[Resolution]) -> Value {
    serde_json::json!({
        "dry_run": true,
        "resolved": resolved.iter().map(resolution_json).collect::<Vec<_>>(),
        "method": request.method.as_str(),
        "url": request.url,
        "auth_scheme": request.auth_scheme,
        "body": request.body,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    use serde_json::json;

    fn group(value: serde_json::Value) -> ResourceGroup {
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn columns_align_by_display_width() {
        let rows = vec![
            vec!["日本語グループ".to_owned(), "2".to_owned()],
            vec!["Back\\slash 🎉".to_owned(), "1".to_owned()],
            vec!["e\u{301}t\u{e9}".to_owned(), "0".to_owned()],
            vec!["plain".to_owned(), "3".to_owned()],
        ];
        let text = table(&["NAME", "POLICIES"], &rows);
        // Every second column starts at the same terminal column.
        let starts: Vec<usize> = text
            .lines()
            .map(|line| {
                let cut = line.rfind("  ").unwrap() + 2;
                paint::width(&line[..cut])
            })
            .collect();
        assert!(
            starts.windows(2).all(|w| w[0] == w[1]),
            "{starts:?}\n{text}"
        );
        assert_eq!(starts[0], "日本語グループ".len() / 3 * 2 + 2);
    }

    #[test]
    fn resource_groups_named_after_a_scope_key_read_as_their_scope() {
        let account = "com.cloudflare.api.account.eb78d65290b24279ba6f44721b3ea3c4";
        let zone = "com.cloudflare.api.account.zone.23f8d65290b24279ba6f44721b3eaad5";
        let names: HashMap<String, String> = [(
            "23f8d65290b24279ba6f44721b3eaad5".to_owned(),
            "example.com".to_owned(),
        )]
        .into();
        // The seeds' group: named after the account, scoped to one zone.
        let seed = group(
            json!({"id": "6d7f2f5f5b1d4a0e9081fdc98d432fd1", "name": account,
            "scope": [{"key": account, "objects": [{"key": zone}]}]}),
        );
        assert_eq!(
            group_text_with(&seed, &HashMap::new()),
            "zones 23f8d65290b24279ba6f44721b3eaad5"
        );
        assert_eq!(group_text_with(&seed, &names), "zones example.com");
        let whole = group(json!({"id": "a1", "name": account,
            "scope": [{"key": account, "objects": [{"key": "*"}]}]}));
        assert_eq!(group_text_with(&whole, &names), "account");
        // A name a person gave is shown as given.
        let named = group(json!({"id": "a2", "name": "Production zones",
            "scope": [{"key": account, "objects": [{"key": zone}]}]}));
        assert_eq!(group_text_with(&named, &names), "Production zones");
        // A scope-key name without a scope: what the name says.
        let bare_zone = group(json!({"id": "a3", "name": zone}));
        assert_eq!(group_text_with(&bare_zone, &names), "zone example.com");
        assert_eq!(
            group_text_with(&bare_zone, &HashMap::new()),
            "zone 23f8d65290b24279ba6f44721b3eaad5"
        );
        let bare_account = group(json!({"id": "a4", "name": account}));
        assert_eq!(group_text_with(&bare_account, &names), "account");
        let nothing = group(json!({"id": "a5"}));
        assert_eq!(group_text_with(&nothing, &names), "a5");
    }

    #[test]
    fn columns_line_up_and_the_last_is_not_padded() {
        let text = table(
            &["ID", "NAME"],
            &[
                vec!["a".into(), "Ann".into()],
                vec!["bbbb".into(), "Bo".into()],
            ],
        );
        assert_eq!(text, "ID    NAME\na     Ann\nbbbb  Bo\n");
    }

    #[test]
    fn control_characters_never_reach_the_terminal() {
        assert_eq!(clean("a\u{1b}[31mb\nc"), "a?[31mb?c");
    }

    #[test]
    fn bidi_controls_are_shown_not_obeyed() {
        // "admin" written backwards behind a right-to-left override.
        assert_eq!(
            clean("bob\u{202E}nimda\u{202C}.com"),
            "bob<U+202E>nimda<U+202C>.com"
        );
        for c in [
            '\u{061C}', '\u{200E}', '\u{200F}', '\u{202A}', '\u{202B}', '\u{202D}', '\u{2066}',
            '\u{2067}', '\u{2068}', '\u{2069}',
        ] {
            let shown = clean(&format!("a{c}b"));
            assert_eq!(shown, format!("a<U+{:04X}>b", u32::from(c)));
        }
        assert_eq!(
            clean("Zoë Ørsted 山田 \u{200D}"),
            "Zoë Ørsted 山田 \u{200D}"
        );
    }

    #[test]
    fn csv_cells_keep_line_breaks_and_show_tricks() {
        assert_eq!(csv_cell("a, \"b\"\r\nc\td"), "a, \"b\"\r\nc\td");
        assert_eq!(csv_cell("x\u{202E}y\u{1b}[2Jz"), "x<U+202E>y<U+001B>[2Jz");
        // What a spreadsheet would run is shown as text.
        for formula in ["=1+1", "+1", "-2", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(csv_cell(formula), format!("'{formula}"));
        }
        assert_eq!(csv_cell("a=b"), "a=b");
        assert_eq!(csv_cell(""), "");
    }

    #[test]
    fn details_indent_continuation_lines() {
        let text = details(&[
            ("id", vec!["x".into()]),
            ("roles", vec!["A".into(), "B".into()]),
            ("policies", vec![]),
        ]);
        assert_eq!(
            text,
            "id:        x\nroles:     A\n           B\npolicies:  -\n"
        );
    }
}
