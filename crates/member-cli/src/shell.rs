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
    /// `-q`: nothing on stderr but errors.
    quiet: bool,
}

static CONVENTIONS: OnceLock<Conventions> = OnceLock::new();

/// Takes the conventions from the global options; the first call wins.
pub fn init(global: &GlobalArgs) {
    let _ = CONVENTIONS.set(Conventions {
        json_lines: global.output == OutputFormat::Jsonl,
        quiet: global.quiet,
    });
}

fn get() -> &'static Conventions {
    CONVENTIONS.get_or_init(Conventions::default)
}

/// Whether JSON is written one value a line (`-o jsonl`).
pub fn json_lines() -> bool {
    get().json_lines
}

/// Whether stderr is for errors only (`-q`): no progress, notes, warnings
/// or summaries, and no question asked.
pub fn quiet() -> bool {
    get().quiet
}

/// `eprintln!` for what is not an error (a note, a warning, a summary):
/// nothing with `-q`.
macro_rules! note {
    ($($arg:tt)*) => {
        if !$crate::shell::quiet() {
            eprintln!($($arg)*);
        }
    };
}
pub(crate) use note;
