//! `cf-members`: manage who has access to a Cloudflare account from the
//! shell. See `cf-members --help` and the crate README.
//!
//! This library is the command itself, for the `cf-members` binary, the
//! man pages (`cargo xtask man`) and the tests; it is not an API to build
//! on: [`command`] is the clap definition, [`main`] runs it.
//!
//! Exit status: 0 on success, 2 for invalid input or usage (nothing was
//! sent), 1 for every other failure, 3 for `plan` finding drift, 130 for
//! `apply` or `sync` stopped by Ctrl-C.

/// `eprintln!` that never panics: a closed stderr (`cf-members … 2>&1 |
/// head`) is not an error, and what could not be written is dropped. It
/// shadows the standard macro in every module below.
macro_rules! eprintln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

/// `println!` that never panics, as [`eprintln!`] for stdout.
macro_rules! println {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

mod access;
mod accounts;
mod apply;
mod changes;
mod cli;
mod commands;
mod groups;
mod history;
mod output;
mod policies;
mod progress;
mod report;
mod shell;
mod user_groups;

use std::process::ExitCode;

use clap::{CommandFactory, Parser};

/// The clap definition of `cf-members`: every command, option and help
/// text (what the man pages and the shell completions are made of).
pub fn command() -> clap::Command {
    cli::Cli::command()
}

/// Runs `cf-members` with the process's arguments and environment, and
/// returns its exit status.
pub fn main() -> ExitCode {
    // clap prints help and version (exit 0) and usage errors (exit 2).
    let cli = cli::Cli::parse();
    // One thread: a command makes its requests one after another, and a
    // current-thread runtime starts in microseconds.
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            report::Failure::other(format!("cannot start the async runtime: {e}")).print();
            return ExitCode::from(report::EXIT_FAILURE);
        }
    };
    match runtime.block_on(commands::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            failure.print();
            ExitCode::from(failure.exit_code())
        }
    }
}
