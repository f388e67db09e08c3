//! The CSV syntax of a changes file: a header row naming the columns
//! (fields), then one entry a row; roles separated by `;`, policies as JSON.

use member_client::reexports::member_types::json::shorten;
use member_client::{ChangeField, FieldNames, FieldShape, NamedChange};
use serde_json::{Map, Value};

use super::{refuse, Format, Input, FORMAT_HINT};
use crate::output::clean;
use crate::report::Failure;

/// CSV columns as messages name them: bare, the member id as `member_id`.
pub(super) struct Columns;

impl FieldNames for Columns {
    fn noun(&self) -> &'static str {
        "column"
    }

    fn name(&self, key: &str) -> String {
        match ChangeField::from_key(key) {
            Some(ChangeField::Id) => "member_id".to_owned(),
            _ => key.to_owned(),
        }
    }
}

/// The field a header cell names: a field's key (or `member_id` for the
/// id), in any case.
fn column(name: &str) -> Option<ChangeField> {
    match name.to_ascii_lowercase().as_str() {
        "member_id" => Some(ChangeField::Id),
        key => ChangeField::from_key(key),
    }
}

/// The columns a header may name, for a message.
fn columns_list() -> String {
    ChangeField::ALL
        .iter()
        .map(|field| match field {
            ChangeField::Id => "member_id (or id)".to_owned(),
            other => other.key().to_owned(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Reads a CSV changes file called `name` in messages.
pub(super) fn parse(name: &str, text: &str) -> Result<Input, Failure> {
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
        Failure::usage(format!(
            "malformed {name}: {}; nothing was sent",
            csv_error(&e)
        ))
        .with_hint(FORMAT_HINT)
    })?;
    let header_line = headers.position().map_or(1, line_at);
    let mut columns = Vec::with_capacity(headers.len());
    for cell in headers {
        match column(cell) {
            Some(col) if columns.contains(&col) => {
                return Err(Failure::usage(format!(
                    "{name}: line {header_line}: the column {:?} appears twice; nothing was sent",
                    clean(&shorten(cell))
                ))
                .with_hint(FORMAT_HINT))
            }
            Some(col) => columns.push(col),
            None => {
                return Err(Failure::usage(format!(
                    "{name}: line {header_line}: unknown column {:?} (nothing was sent); the \
                     first line names the columns, among: {}",
                    clean(&shorten(cell)),
                    columns_list()
                ))
                .with_hint(FORMAT_HINT))
            }
        }
    }
    if !columns.contains(&ChangeField::Email) && !columns.contains(&ChangeField::Id) {
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

/// One CSV row as the same entry a JSON file would hold, each cell read as
/// its field's shape says. Empty cells are left out.
fn row_change(columns: &[ChangeField], record: &csv::StringRecord) -> Result<NamedChange, String> {
    let mut entry = Map::new();
    for (&field, cell) in columns.iter().zip(record) {
        // The `'` that cf-members' own CSV puts before what a spreadsheet
        // would read as a formula is not part of the value.
        let cell = cell
            .strip_prefix('\'')
            .filter(|rest| rest.starts_with(crate::output::FORMULA_STARTS))
            .unwrap_or(cell);
        if cell.is_empty() {
            continue;
        }
        let value = match field.shape() {
            FieldShape::List => Value::Array(
                cell.split(';')
                    .map(str::trim)
                    .filter(|item| !item.is_empty())
                    .map(|item| Value::String(item.to_owned()))
                    .collect(),
            ),
            FieldShape::Json => serde_json::from_str(cell).map_err(|e| {
                format!(
                    "the {} cell is not valid JSON: {e}",
                    Columns.name(field.key())
                )
            })?,
            // Text, and any shape to come: the cell as it is.
            _ => Value::String(cell.to_owned()),
        };
        entry.insert(field.key().to_owned(), value);
    }
    NamedChange::from_entry(&entry).map_err(|e| e.message(&Columns))
}
