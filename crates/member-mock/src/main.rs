//! `member-mock`: serves the mock Cloudflare members API until Ctrl-C.
//!
//! Prints one `key=value` line each for the base URL and the accepted
//! credentials once it is listening, then `ready`.

use std::io::Write;
use std::net::IpAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use member_mock::{MockServer, RateLimitPolicy, ScopeShape, Seed, WindowMode};

/// A local stand-in for the Cloudflare account-members API.
#[derive(Debug, Parser)]
#[command(name = "member-mock", version, about)]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,
    /// Port to listen on (0: a free one).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// API token accepted as `Authorization: Bearer <token>`.
    #[arg(long, default_value = member_mock::DEFAULT_TOKEN)]
    token: String,
    /// Email accepted in `X-Auth-Email` (with --api-key).
    #[arg(long, default_value = member_mock::DEFAULT_EMAIL, requires = "api_key")]
    email: Option<String>,
    /// Global API key accepted in `X-Auth-Key` (with --email).
    #[arg(long)]
    api_key: Option<String>,
    /// Key accepted in `X-Auth-User-Service-Key`.
    #[arg(long, default_value = member_mock::DEFAULT_USER_SERVICE_KEY)]
    user_service_key: String,
    /// Seed file (JSON) replacing the built-in accounts; see the README.
    #[arg(long)]
    seed: Option<PathBuf>,
    /// Let every account add members directly with `status: accepted`.
    #[arg(long)]
    allow_direct_add: bool,
    /// Include `roles` in the Add Member response (the real API omits them).
    #[arg(long)]
    include_roles_on_add: bool,

    /// Make the token behave as an account-owned token: `GET /accounts`
    /// with it is refused (403 code 1001), as the real API does.
    #[arg(long)]
    account_owned_token: bool,
    /// How resource-group answers write `scope`: `object` (today's shape)
    /// or `array` (the older one).
    #[arg(long, value_enum, default_value = "object")]
    resource_group_scope: ScopeArg,
    /// Turn the rate limiter on: REQUESTS/SECONDS, e.g. 1200/300, or
    /// REQUESTS/SECONDS/PENALTY_SECONDS to block every request for that long
    /// after a breach, as the real API does (e.g. 1200/300/300).
    #[arg(long, value_parser = parse_rate_limit)]
    rate_limit: Option<RateLimitPolicy>,
    /// How --rate-limit counts: `fixed` (a window opens with its first
    /// request and then admits REQUESTS) or `sliding` (at most REQUESTS in
    /// any interval of SECONDS).
    #[arg(long, value_enum, default_value = "fixed", requires = "rate_limit")]
    rate_limit_window: WindowArg,
    /// Add generated accounts for benchmarks: ACCOUNTSxMEMBERS, e.g. 200x100
    /// (200 accounts of 100 members each, kept on reset).
    #[arg(long, value_name = "ACCOUNTSxMEMBERS", value_parser = parse_generated)]
    generate_accounts: Option<(usize, usize)>,
}

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
enum WindowArg {
    Fixed,
    Sliding,
}

fn parse_generated(text: &str) -> Result<(usize, usize), String> {
    let expected = "expected ACCOUNTSxMEMBERS, e.g. 200x100";
    let (accounts, members) = text.split_once(['x', 'X']).ok_or(expected)?;
    let accounts = accounts
        .trim()
        .parse()
        .map_err(|e| format!("accounts: {e}; {expected}"))?;
    let members = members
        .trim()
        .parse()
        .map_err(|e| format!("members: {e}; {expected}"))?;
    Ok((accounts, members))
}

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
enum ScopeArg {
    Object,
    Array,
}

fn parse_rate_limit(text: &str) -> Result<RateLimitPolicy, String> {
    let (requests, rest) = text
        .split_once('/')
        .ok_or_else(|| "expected REQUESTS/SECONDS[/PENALTY_SECONDS], e.g. 1200/300".to_owned())?;
    let (secs, penalty) = match rest.split_once('/') {
        Some((secs, penalty)) => (secs, Some(penalty)),
        None => (rest, None),
    };
    let requests: u32 = requests
        .trim()
        .parse()
        .map_err(|e| format!("requests: {e}"))?;
    let secs: u64 = secs.trim().parse().map_err(|e| format!("seconds: {e}"))?;
    if secs == 0 {
        return Err("the window must be at least 1 second".to_owned());
    }
    let limit = RateLimitPolicy::new(requests, Duration::from_secs(secs));
    match penalty {
        Some(p) => {
            let p: u64 = p
                .trim()
                .parse()
                .map_err(|e| format!("penalty seconds: {e}"))?;
            Ok(limit.penalty(Duration::from_secs(p)))
        }
        None => Ok(limit),
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let mut builder = MockServer::builder()
        .host(args.host)
        .port(args.port)
        .token(&args.token)
        .user_service_key(&args.user_service_key)
        .omit_roles_on_add(!args.include_roles_on_add)
        .account_owned_token(args.account_owned_token)
        .resource_group_scope(match args.resource_group_scope {
            ScopeArg::Object => ScopeShape::Object,
            ScopeArg::Array => ScopeShape::Array,
        });
    if let Some(key) = &args.api_key {
        let email = args.email.as_deref().unwrap_or(member_mock::DEFAULT_EMAIL);
        builder = builder.api_key(email, key);
    }
    if let Some(path) = &args.seed {
        match Seed::from_file(path) {
            Ok(seed) => builder = builder.seed(seed),
            Err(e) => {
                eprintln!("member-mock: {e}");
                return ExitCode::from(2);
            }
        }
    }
    if args.allow_direct_add {
        builder = builder.allow_direct_add(true);
    }
    if let Some(mut limit) = args.rate_limit {
        if matches!(args.rate_limit_window, WindowArg::Sliding) {
            limit.mode = WindowMode::Sliding;
        }
        builder = builder.rate_limit(limit);
    }
    if let Some((accounts, members)) = args.generate_accounts {
        builder = builder.generated_accounts(accounts, members);
    }
    let server = match builder.start().await {
        Ok(server) => server,
        Err(e) => {
            eprintln!("member-mock: {e}");
            return ExitCode::from(1);
        }
    };
    // Listen for the stop signals before saying `ready`, so a Ctrl-C that
    // follows `ready` at once is never met by the default handler.
    let stop = StopSignals::install();
    {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "base_url={}", server.base_url());
        let _ = writeln!(out, "token={}", server.token());
        let _ = writeln!(out, "email={}", server.email());
        let _ = writeln!(out, "api_key={}", server.api_key());
        let _ = writeln!(out, "user_service_key={}", server.user_service_key());
        let _ = writeln!(out, "account_id={}", server.account_id());
        let _ = writeln!(out, "admin_url={}", server.admin_url());
        let _ = writeln!(out, "ready");
        let _ = out.flush();
    }
    stop.wait().await;
    eprintln!("member-mock: shutting down");
    server.shutdown().await;
    ExitCode::SUCCESS
}

/// Ctrl-C, or SIGTERM on Unix, registered when installed.
struct StopSignals {
    #[cfg(unix)]
    signals: Option<(tokio::signal::unix::Signal, tokio::signal::unix::Signal)>,
}

impl StopSignals {
    fn install() -> Self {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            let signals = match (
                signal(SignalKind::interrupt()),
                signal(SignalKind::terminate()),
            ) {
                (Ok(int), Ok(term)) => Some((int, term)),
                _ => None,
            };
            Self { signals }
        }
        #[cfg(not(unix))]
        {
            Self {}
        }
    }

    async fn wait(self) {
        #[cfg(unix)]
        {
            if let Some((mut int, mut term)) = self.signals {
                tokio::select! {
                    _ = int.recv() => {}
                    _ = term.recv() => {}
                }
                return;
            }
        }
        let _ = tokio::signal::ctrl_c().await;
    }
}
