//! How cf-members talks to the shell, as the global options say: set once
//! before a command runs, read wherever output is written (so the many
//! places that print need no extra argument).

use std::ffi::OsStr;
use std::io::IsTerminal;
use std::sync::OnceLock;

use crate::cli::{ColorChoice, GlobalArgs, OutputFormat};

/// What the global options decided.
#[derive(Debug, Default)]
struct Conventions {
    /// `-o jsonl`: every JSON value on one line.
    json_lines: bool,
    /// `-q`: nothing on stderr but errors.
    quiet: bool,
    /// Whether text for people on stdout may be coloured.
    color_stdout: bool,
    /// Whether errors on stderr may be coloured.
    color_stderr: bool,
}

static CONVENTIONS: OnceLock<Conventions> = OnceLock::new();

/// Takes the conventions from the global options; the first call wins.
pub fn init(global: &GlobalArgs) {
    let _ = CONVENTIONS.set(Conventions {
        json_lines: global.output == OutputFormat::Jsonl,
        quiet: global.quiet,
        color_stdout: color(
            global.color,
            std::io::stdout().is_terminal(),
            std::env::var_os("NO_COLOR").as_deref(),
            std::env::var_os("TERM").as_deref(),
        ),
        color_stderr: color(
            global.color,
            std::io::stderr().is_terminal(),
            std::env::var_os("NO_COLOR").as_deref(),
            std::env::var_os("TERM").as_deref(),
        ),
    });
}

/// Whether to colour a stream: `--color always` and `never` say so;
/// `auto` colours a terminal, unless `NO_COLOR` is set to anything but the
/// empty string (no-color.org) or `TERM` is `dumb`.
fn color(
    choice: ColorChoice,
    terminal: bool,
    no_color: Option<&OsStr>,
    term: Option<&OsStr>,
) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            terminal && no_color.is_none_or(OsStr::is_empty) && term.is_none_or(|t| t != "dumb")
        }
    }
}

fn get() -> &'static Conventions {
    CONVENTIONS.get_or_init(Conventions::default)
}

/// Whether JSON is written one value a line (`-o jsonl`).
pub fn json_lines() -> bool {
    get().json_lines
}

/// Whether text for people on stdout is coloured.
pub fn color_stdout() -> bool {
    get().color_stdout
}

/// Whether errors on stderr are coloured.
pub fn color_stderr() -> bool {
    get().color_stderr
}

/// Whether stderr is for errors only (`-q`): no progress, notes, warnings
/// or summaries, and no question asked.
pub fn quiet() -> bool {
    get().quiet
}

/// Asks `question? [y/N] ` on stderr and reads the answer from stdin:
/// anything but `y` or `yes` (any case) is a no, and so is a read that
/// fails. The callers decide whether asking is right (a terminal, no `-q`).
pub fn ask_yes(question: &str) -> bool {
    use std::io::Write as _;
    let mut err = std::io::stderr().lock();
    let _ = write!(err, "{question}? [y/N] ");
    let _ = err.flush();
    drop(err);
    let mut answer = String::new();
    match std::io::stdin().read_line(&mut answer) {
        Ok(_) => matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes"),
        Err(_) => false,
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_only_on_a_terminal_and_never_under_no_color() {
        let on = |choice, terminal, no_color: Option<&str>, term: Option<&str>| {
            color(
                choice,
                terminal,
                no_color.map(OsStr::new),
                term.map(OsStr::new),
            )
        };
        use ColorChoice::{Always, Auto, Never};
        assert!(on(Auto, true, None, Some("xterm-256color")));
        assert!(!on(Auto, false, None, None), "a pipe");
        assert!(!on(Auto, true, Some("1"), None), "NO_COLOR");
        assert!(on(Auto, true, Some(""), None), "an empty NO_COLOR is unset");
        assert!(!on(Auto, true, None, Some("dumb")));
        assert!(on(Always, false, Some("1"), Some("dumb")), "asked for");
        assert!(!on(Never, true, None, None));
    }
}
