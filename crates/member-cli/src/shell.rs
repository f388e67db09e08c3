//! How cf-members talks to the shell, as the global options say: set once
//! before a command runs, read wherever output is written (so the many
//! places that print need no extra argument).

use std::sync::OnceLock;

use crate::cli::{GlobalArgs, OutputFormat};

/// What the global options decided.
#[derive(Debug, Default)]
struct Conventions {
    /// `-o jsonl`: every JSON value on one line.
    json_lines: bool,
}

static CONVENTIONS: OnceLock<Conventions> = OnceLock::new();

/// Takes the conventions from the global options; the first call wins.
pub fn init(global: &GlobalArgs) {
    let _ = CONVENTIONS.set(Conventions {
        json_lines: global.output == OutputFormat::Jsonl,
    });
}

fn get() -> &'static Conventions {
    CONVENTIONS.get_or_init(Conventions::default)
}

/// Whether JSON is written one value a line (`-o jsonl`).
pub fn json_lines() -> bool {
    get().json_lines
}
