//! The JSON syntax of a changes file: an array of entries, or a retry file
//! (`{"changes": [{"change": {…}, …}, …]}`).

use member_client::reexports::member_types::json::kind_of;
use member_client::{Change, JsonKeys, NamedChange};
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;

use super::{line_of, refuse, Format, Input, FORMAT_HINT};
use crate::report::Failure;

/// A retry file: `{"changes": [{"change": {…}, …}, …]}`.
#[derive(Deserialize)]
struct Wrapped<'a> {
    #[serde(borrow)]
    changes: Option<Vec<&'a RawValue>>,
}

/// Reads a JSON changes file or retry file called `name` in messages.
pub(super) fn parse(name: &str, text: &str) -> Result<Input, Failure> {
    let (format, items) = items(name, text)?;
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
        match entry(format, raw) {
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

/// The entries of the file, unread, and which kind of file it is.
fn items<'t>(name: &str, text: &'t str) -> Result<(Format, Vec<&'t RawValue>), Failure> {
    let syntax = |e: serde_json::Error| {
        Failure::usage(format!("malformed {name}: {e}")).with_hint(FORMAT_HINT)
    };
    if text.trim_start().starts_with('{') {
        let wrapped: Wrapped<'_> = serde_json::from_str(text).map_err(syntax)?;
        let items = wrapped.changes.ok_or_else(|| {
            Failure::usage(format!(
                "{name} is a JSON object without \"changes\": a changes file is a JSON \
                 array, and an object must be a retry file ({{\"changes\": […]}})"
            ))
            .with_hint(FORMAT_HINT)
        })?;
        Ok((Format::RetryFile, items))
    } else {
        let items: Vec<&RawValue> = serde_json::from_str(text).map_err(|e| {
            if e.is_data() {
                Failure::usage(format!("{name} is not a JSON array of changes ({e})"))
                    .with_hint(FORMAT_HINT)
            } else {
                syntax(e)
            }
        })?;
        Ok((Format::Json, items))
    }
}

/// One entry read as a change, or what is wrong with it.
fn entry(format: Format, raw: &RawValue) -> Result<NamedChange, String> {
    let value: Value = serde_json::from_str(raw.get()).map_err(|e| e.to_string())?;
    let map = match (format, value) {
        // A retry entry holds the change under "change"; its other fields
        // say what happened last time.
        (Format::RetryFile, Value::Object(mut map)) if map.contains_key("change") => {
            match map.remove("change") {
                Some(Value::Object(change)) => change,
                _ => return Err("\"change\" must be an object".to_owned()),
            }
        }
        (_, Value::Object(map)) => map,
        (_, other) => {
            return Err(format!(
                "expected an object such as {{\"op\": \"set_roles\", \"email\": …, \"roles\": […]}}, found {}",
                kind_of(&other)
            ))
        }
    };
    if format == Format::RetryFile {
        // A retry file holds what an earlier run resolved: ids only.
        return Change::from_entry(&map)
            .map(NamedChange::from)
            .map_err(|e| e.message(&JsonKeys));
    }
    NamedChange::from_entry(&map).map_err(|e| e.message(&JsonKeys))
}
