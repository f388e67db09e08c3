//! A list as it arrives: each page's items written as soon as the page is
//! in (a JSON array, JSON Lines, or CSV), so a list of any length needs the
//! memory of one page. A table waits for every row (its columns need every
//! width), but keeps only each row's cells, not the items.

use std::io::{self, Write};

use serde_json::Value;

use crate::cli::OutputFormat;
use crate::report::Failure;

/// How one kind of list is shown.
pub struct ListView {
    /// What the items are, for the progress line (`members`).
    pub what: &'static str,
    /// How the table is drawn.
    pub table: Table,
    /// The CSV header: stable names, shown in the list's `--help`; a new
    /// column goes at the end.
    pub columns: &'static [&'static str],
    /// One item's CSV cells, in the order of `columns` (before
    /// [`super::csv_cell`]).
    pub row: fn(&Value) -> Result<Vec<String>, Failure>,
}

/// How a list's table is drawn.
pub enum Table {
    /// One row of cells per item, made as each page arrives: only the cells
    /// are kept until the end.
    Rows {
        /// The column headers.
        headers: &'static [&'static str],
        /// What is printed for an empty list (`no members`).
        empty: &'static str,
        /// One item's cells, in the order of `headers`, ready to show
        /// ([`super::clean`]ed, maybe painted).
        row: fn(&Value) -> Result<Vec<String>, Failure>,
    },
    /// A table that needs every item before it can choose its columns
    /// (`history` shows an account column only for several accounts).
    Whole(fn(&[Value]) -> Result<String, Failure>),
}

/// What a table keeps until the end, beside how it is drawn.
enum Kept {
    Rows {
        headers: &'static [&'static str],
        empty: &'static str,
        row: fn(&Value) -> Result<Vec<String>, Failure>,
        rows: Vec<Vec<String>>,
    },
    Items {
        draw: fn(&[Value]) -> Result<String, Failure>,
        items: Vec<Value>,
    },
}

enum Form<W: Write> {
    Table(W, Kept),
    /// `open`: `[` and at least one item are written.
    Json {
        out: W,
        open: bool,
    },
    Jsonl(W),
    /// `header`: the header row is written.
    Csv {
        out: Box<csv::Writer<W>>,
        header: bool,
    },
}

/// Writes a list page by page in the format of `-o`.
///
/// Nothing is written before the first page is in. After it, a failure
/// ([`ListWriter::abort`]) closes what was opened (the JSON array), so the
/// output stays well-formed, though incomplete: the exit status and the
/// error on stderr say so.
pub struct ListWriter<W: Write> {
    form: Form<W>,
    view: &'static ListView,
    /// The reader went away (`cf-members … | head`): not a failure, but
    /// nothing more is worth fetching or writing.
    closed: bool,
}

impl<W: Write> ListWriter<W> {
    /// A writer of `view`'s items to `out`.
    pub fn new(format: OutputFormat, out: W, view: &'static ListView) -> Self {
        let form = match format {
            OutputFormat::Table => Form::Table(
                out,
                match view.table {
                    Table::Rows {
                        headers,
                        empty,
                        row,
                    } => Kept::Rows {
                        headers,
                        empty,
                        row,
                        rows: Vec::new(),
                    },
                    Table::Whole(draw) => Kept::Items {
                        draw,
                        items: Vec::new(),
                    },
                },
            ),
            OutputFormat::Json => Form::Json { out, open: false },
            OutputFormat::Jsonl => Form::Jsonl(out),
            OutputFormat::Csv => Form::Csv {
                out: Box::new(csv::Writer::from_writer(out)),
                header: false,
            },
        };
        Self {
            form,
            view,
            closed: false,
        }
    }

    /// Whether the reader went away: stop fetching, and succeed.
    pub fn closed(&self) -> bool {
        self.closed
    }

    /// Writes the items of one page, and flushes them (a table keeps them
    /// for the end).
    pub fn items(&mut self, items: Vec<Value>) -> Result<(), Failure> {
        if self.closed {
            return Ok(());
        }
        let view = self.view;
        let written = match &mut self.form {
            Form::Table(_, Kept::Items { items: all, .. }) => {
                all.extend(items);
                Ok(())
            }
            Form::Table(_, Kept::Rows { row, rows, .. }) => {
                rows.reserve(items.len());
                for item in &items {
                    rows.push(row(item)?);
                }
                Ok(())
            }
            Form::Json { out, open } => json_items(out, open, &items),
            Form::Jsonl(out) => items
                .iter()
                .try_for_each(|item| {
                    serde_json::to_writer(&mut *out, item)?;
                    out.write_all(b"\n")
                })
                .and_then(|()| out.flush()),
            Form::Csv { out, header } => {
                let mut rows = Vec::with_capacity(items.len());
                for item in &items {
                    rows.push((view.row)(item)?);
                }
                csv_rows(out, header, view.columns, &rows)
            }
        };
        self.settle(written)
    }

    /// After the last page: closes the array (`[]` for none), writes the
    /// CSV header of an empty list, or prints the table.
    pub fn finish(mut self) -> Result<(), Failure> {
        if self.closed {
            return Ok(());
        }
        let view = self.view;
        let written = match &mut self.form {
            Form::Table(out, kept) => {
                let text = match kept {
                    Kept::Rows { empty, rows, .. } if rows.is_empty() => format!("{empty}\n"),
                    Kept::Rows { headers, rows, .. } => super::table(headers, rows),
                    Kept::Items { draw, items } => draw(items)?,
                };
                out.write_all(text.as_bytes()).and_then(|()| out.flush())
            }
            Form::Json { out, open } => {
                let end: &[u8] = if *open { b"\n]\n" } else { b"[]\n" };
                out.write_all(end).and_then(|()| out.flush())
            }
            Form::Jsonl(out) => out.flush(),
            Form::Csv { out, header } => csv_rows(out, header, view.columns, &[]),
        };
        self.settle(written)
    }

    /// After a failure: closes what was opened, so that what was printed
    /// is well-formed; prints nothing when nothing was (and no table).
    pub fn abort(mut self) {
        if self.closed {
            return;
        }
        let _ = match &mut self.form {
            Form::Table(..) => Ok(()),
            Form::Json { out, open } => {
                if *open {
                    out.write_all(b"\n]\n").and_then(|()| out.flush())
                } else {
                    Ok(())
                }
            }
            Form::Jsonl(out) => out.flush(),
            Form::Csv { out, .. } => out.flush(),
        };
    }

    /// A closed pipe ends the list quietly; any other write error fails.
    fn settle(&mut self, written: io::Result<()>) -> Result<(), Failure> {
        match written {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {
                self.closed = true;
                Ok(())
            }
            Err(e) => Err(Failure::other(format!("cannot write the output: {e}"))),
        }
    }
}

/// The items of a JSON array, laid out exactly as `serde_json`'s pretty
/// printer lays out the whole array: `[`, each item indented by two spaces,
/// `,` between them.
fn json_items(out: &mut impl Write, open: &mut bool, items: &[Value]) -> io::Result<()> {
    for item in items {
        out.write_all(if *open { b",\n  " } else { b"[\n  " })?;
        *open = true;
        // A JSON text has no raw newline inside a string, so every newline
        // is between tokens, where the array's indentation goes.
        let text = serde_json::to_string_pretty(item)?;
        out.write_all(text.replace('\n', "\n  ").as_bytes())?;
    }
    out.flush()
}

/// CSV rows, after the header row if it is not written yet.
fn csv_rows<W: Write>(
    out: &mut csv::Writer<W>,
    header: &mut bool,
    columns: &[&str],
    rows: &[Vec<String>],
) -> io::Result<()> {
    if !*header {
        out.write_record(columns).map_err(csv_error)?;
        *header = true;
    }
    for row in rows {
        out.write_record(row.iter().map(|cell| super::csv_cell(cell)))
            .map_err(csv_error)?;
    }
    out.flush()
}

/// The I/O error inside a CSV writer's error (a closed pipe stays one).
pub fn csv_error(e: csv::Error) -> io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => io::Error::other(format!("{other:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn no_table(_: &[Value]) -> Result<String, Failure> {
        Ok("table\n".to_owned())
    }

    fn shown(item: &Value) -> Result<Vec<String>, Failure> {
        Ok(vec![item["a"].to_string()])
    }

    static ROWS: ListView = ListView {
        what: "things",
        table: Table::Rows {
            headers: &["A"],
            empty: "no things",
            row: shown,
        },
        columns: &["a"],
        row: shown,
    };

    fn cells(item: &Value) -> Result<Vec<String>, Failure> {
        Ok(vec![
            item["a"].to_string(),
            item["b"].as_str().unwrap_or_default().to_owned(),
        ])
    }

    static VIEW: ListView = ListView {
        what: "things",
        table: Table::Whole(no_table),
        columns: &["a", "b"],
        row: cells,
    };

    fn written(format: OutputFormat, pages: &[Vec<Value>], fail: bool) -> String {
        written_as(&VIEW, format, pages, fail)
    }

    fn written_as(
        view: &'static ListView,
        format: OutputFormat,
        pages: &[Vec<Value>],
        fail: bool,
    ) -> String {
        let mut out = Vec::new();
        let mut writer = ListWriter::new(format, &mut out, view);
        for page in pages {
            writer.items(page.clone()).unwrap();
        }
        if fail {
            writer.abort();
        } else {
            writer.finish().unwrap();
        }
        String::from_utf8(out).unwrap()
    }

    fn pages() -> Vec<Vec<Value>> {
        vec![
            vec![
                json!({"a": 1, "b": "x, \"y\""}),
                json!({"a": [2, {"c": null}]}),
            ],
            vec![],
            vec![json!({"a": 3, "b": "line\nbreak"})],
        ]
    }

    #[test]
    fn a_streamed_array_is_what_the_pretty_printer_writes_for_the_whole() {
        let all: Vec<Value> = pages().into_iter().flatten().collect();
        let whole = serde_json::to_string_pretty(&Value::Array(all)).unwrap() + "\n";
        assert_eq!(written(OutputFormat::Json, &pages(), false), whole);
        assert_eq!(written(OutputFormat::Json, &[], false), "[]\n");
        assert_eq!(written(OutputFormat::Json, &[vec![]], false), "[]\n");
    }

    #[test]
    fn a_failure_closes_the_array_it_opened_and_prints_nothing_before() {
        let partial = written(OutputFormat::Json, &pages()[..1], true);
        let parsed: Value = serde_json::from_str(&partial).unwrap();
        assert_eq!(parsed.as_array().unwrap().len(), 2);
        assert_eq!(written(OutputFormat::Json, &[], true), "");
        assert_eq!(written(OutputFormat::Csv, &[], true), "");
        assert_eq!(written(OutputFormat::Table, &pages(), true), "");
    }

    #[test]
    fn json_lines_are_one_value_a_line() {
        let text = written(OutputFormat::Jsonl, &pages(), false);
        let lines: Vec<Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines, pages().concat());
        assert_eq!(written(OutputFormat::Jsonl, &[], false), "");
    }

    #[test]
    fn csv_has_the_header_even_when_empty_and_quotes_what_needs_it() {
        assert_eq!(written(OutputFormat::Csv, &[], false), "a,b\n");
        let text = written(OutputFormat::Csv, &pages(), false);
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let rows: Vec<Vec<String>> = reader
            .records()
            .map(|r| r.unwrap().iter().map(str::to_owned).collect())
            .collect();
        assert_eq!(rows[0], ["1", "x, \"y\""]);
        assert_eq!(rows[2], ["3", "line\nbreak"]);
        assert_eq!(written(OutputFormat::Table, &pages(), false), "table\n");
    }

    #[test]
    fn a_table_of_rows_is_drawn_from_the_cells_of_every_page() {
        assert_eq!(
            written_as(&ROWS, OutputFormat::Table, &pages(), false),
            "A\n1\n[2,{\"c\":null}]\n3\n"
        );
        assert_eq!(
            written_as(&ROWS, OutputFormat::Table, &[vec![]], false),
            "no things\n"
        );
        assert_eq!(written_as(&ROWS, OutputFormat::Table, &pages(), true), "");
    }
}
