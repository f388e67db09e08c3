//! Progress of a long list or a bulk run on stderr, only when stderr is a
//! terminal, and never with `-q`.

use std::io::{IsTerminal, Write};

/// One self-overwriting line on stderr (`fetched 150 of 1000 members`,
/// `applying: 40 of 300 changes done`), cleared when the work is done. Does nothing unless stderr is a terminal,
/// so logs and pipes never see it.
pub struct Progress {
    what: &'static str,
    enabled: bool,
    drawn: bool,
}

impl Progress {
    /// Progress for a list of `what` (e.g. `members`); `enabled` is false
    /// when something else writes to stderr line by line (`--verbose`).
    pub fn new(what: &'static str, enabled: bool) -> Self {
        Self {
            what,
            enabled: enabled && !crate::shell::quiet() && std::io::stderr().is_terminal(),
            drawn: false,
        }
    }

    /// Shows how many items were fetched so far, out of `total` when the
    /// server said. Draws nothing when everything is already there.
    pub fn update(&mut self, fetched: usize, total: Option<u64>) {
        if !self.enabled || (total.is_some_and(|t| fetched as u64 >= t) && !self.drawn) {
            return;
        }
        let line = match total {
            Some(total) => format!("fetched {fetched} of {total} {}", self.what),
            None => format!("fetched {fetched} {}", self.what),
        };
        self.draw(&line);
    }

    /// Replaces the line with `line`.
    pub fn draw(&mut self, line: &str) {
        if !self.enabled {
            return;
        }
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r\x1b[2K{line}");
        let _ = err.flush();
        self.drawn = true;
    }

    /// Clears the line.
    pub fn finish(&mut self) {
        if self.drawn {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[2K");
            let _ = err.flush();
            self.drawn = false;
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}
