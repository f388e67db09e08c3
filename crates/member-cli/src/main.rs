//! `cf-members`: manage who has access to a Cloudflare account from the
//! shell. See `cf-members --help` and the crate README; the command lives
//! in the `member_cli` library.

fn main() -> std::process::ExitCode {
    member_cli::main()
}
