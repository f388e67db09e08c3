//! Failures, their exit codes, and how they are told on stderr.

use std::fmt;
use std::io::Write;
use std::sync::OnceLock;
use std::time::Duration;

use member_client::{Error, ErrorKind};

/// Exit status for invalid input or usage: nothing was sent.
pub const EXIT_USAGE: u8 = 2;
/// Exit status for every other failure.
pub const EXIT_FAILURE: u8 = 1;
/// Exit status of `plan` when the account differs from the file (and of
/// nothing else, so CI can tell drift from an error).
pub const EXIT_DRIFT: u8 = 3;
/// Exit status of `apply` stopped by Ctrl-C (128 + SIGINT, as shells do).
pub const EXIT_INTERRUPTED: u8 = 130;

/// The credential scheme of this run ([`member_client::Credentials::scheme_name`]),
/// so that the hints after a refusal name the variables actually in use.
/// A run reads one set of credentials from the environment, noted when its
/// client is built.
static SCHEME: OnceLock<&'static str> = OnceLock::new();

/// Notes the credential scheme of this run for the hints (the first one
/// noted stays: every client of a run reads the same environment).
pub fn note_scheme(name: &'static str) {
    let _ = SCHEME.set(name);
}

/// Why a command failed: one line of what happened, and an optional hint.
#[derive(Debug)]
pub struct Failure {
    message: String,
    hint: Option<String>,
    code: u8,
}

impl Failure {
    /// Invalid input or usage (exit 2): nothing was sent.
    pub fn usage(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            hint: None,
            code: EXIT_USAGE,
        }
    }

    /// Any other failure (exit 1).
    pub fn other(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            hint: None,
            code: EXIT_FAILURE,
        }
    }

    /// A failure with its own exit status.
    pub fn with_code(message: impl Into<String>, code: u8) -> Self {
        Self {
            message: message.into(),
            hint: None,
            code,
        }
    }

    /// A failure of the client. `changes` says whether the command changes
    /// something (for the hint after a server error).
    pub fn from_client(error: &Error, changes: bool) -> Self {
        Self {
            message: error.to_string(),
            hint: hint_for(error, changes, SCHEME.get().copied()),
            code: if error.is_local() {
                EXIT_USAGE
            } else {
                EXIT_FAILURE
            },
        }
    }

    /// An exit status with nothing to print (what there was to say is
    /// said).
    pub fn silent(code: u8) -> Self {
        Self {
            message: String::new(),
            hint: None,
            code,
        }
    }

    /// Adds a hint.
    #[must_use]
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// The hint, if any.
    #[cfg_attr(not(test), allow(dead_code, reason = "read by the unit tests"))]
    /// The same failure with `more` after its message (`; more`).
    pub fn and_also(mut self, more: &str) -> Self {
        if self.message.is_empty() {
            self.message = more.to_owned();
        } else {
            self.message = format!("{}; {more}", self.message);
        }
        self
    }

    pub fn hint(&self) -> Option<&str> {
        self.hint.as_deref()
    }

    /// The process exit status.
    pub fn exit_code(&self) -> u8 {
        self.code
    }

    /// Writes the failure on stderr: `cf-members: error: …` and, when there
    /// is one, `hint: …`.
    pub fn print(&self) {
        if self.message.is_empty() {
            return;
        }
        let mut err = std::io::stderr().lock();
        let error = crate::output::paint::paint_err(crate::output::paint::Tone::Bad, "error:");
        // The message may quote the server: each line made safe.
        let safe = |text: &str| {
            text.split('\n')
                .map(crate::output::clean)
                .collect::<Vec<_>>()
                .join("\n")
        };
        let _ = writeln!(err, "cf-members: {error} {}", safe(&self.message));
        if let Some(hint) = &self.hint {
            let _ = writeln!(err, "hint: {}", safe(hint));
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, " (hint: {hint})")?;
        }
        Ok(())
    }
}

/// Seconds, without a fraction when whole.
pub fn seconds(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s.fract() == 0.0 {
        format!("{s:.0}")
    } else {
        format!("{s:.1}")
    }
}

/// What to look at when the server refused a value (code 1001), by the
/// field its errors point at.
fn refused_value_hint(error: &Error) -> &'static str {
    let points_at = |field: &str| {
        error.errors().iter().any(|e| {
            e.source
                .as_ref()
                .and_then(|s| s.pointer.as_deref())
                .is_some_and(|p| p.trim_start_matches('/').starts_with(field))
        })
    };
    if points_at("email") {
        "the email was refused: `cf-members members get EMAIL` shows whether they are \
         already a member, and `cf-members members update EMAIL` changes their access"
    } else if points_at("status") {
        "the status was refused: leave out --status to invite (pending); only some \
         accounts may add members directly (accepted)"
    } else if points_at("policies") {
        "a policy was refused: `cf-members permission-groups list` and \
         `cf-members resource-groups list` show what this account has"
    } else {
        "the server refused a value: `cf-members roles list` shows the role ids of \
         this account"
    }
}

/// What to check after the server refused the credentials (a 403 or a
/// 401), by the scheme in use.
fn credentials_hint(scheme: Option<&str>) -> &'static str {
    match scheme {
        Some("api-key") => {
            "check CLOUDFLARE_EMAIL and CLOUDFLARE_API_KEY (the Global API key of that \
             user, who needs a role in the account that can read members, or edit them \
             to change members)"
        }
        Some("user-service-key") => {
            "check CLOUDFLARE_API_USER_SERVICE_KEY: Cloudflare accepts a user service key \
             (the Origin CA key) only for Origin CA certificates; for members set \
             CLOUDFLARE_API_TOKEN (Account Settings Read, or Edit to change members)"
        }
        _ => {
            "check the token and its permissions (CLOUDFLARE_API_TOKEN needs Account \
             Settings Read, or Edit to change members)"
        }
    }
}

/// The variables of the scheme in use, for hints that name them.
fn credential_variables(scheme: Option<&str>) -> &'static str {
    match scheme {
        Some("api-key") => "CLOUDFLARE_EMAIL and CLOUDFLARE_API_KEY",
        Some("user-service-key") => "CLOUDFLARE_API_USER_SERVICE_KEY",
        _ => "CLOUDFLARE_API_TOKEN",
    }
}

fn hint_for(error: &Error, changes: bool, scheme: Option<&str>) -> Option<String> {
    let codes = error.codes();
    let has = |wanted: &[i64]| codes.iter().any(|c| wanted.contains(c));
    let hint = match error.kind() {
        ErrorKind::RateLimited => match error.retry_after() {
            Some(wait) => format!(
                "rate limited: the server asked to wait {} s; try again after that",
                seconds(wait)
            ),
            None => "rate limited: wait a little and try again".to_owned(),
        },
        ErrorKind::PermissionDenied | ErrorKind::Authentication if has(&[9109]) => {
            let reach = match scheme {
                Some("api-key") => "whether that user is a member of it",
                Some("user-service-key") => "whether the key's user is a member of it",
                _ => "the token's account resources",
            };
            format!(
                "these credentials cannot reach this account: check --account-id \
                 (CLOUDFLARE_ACCOUNT_ID) and {reach}"
            )
        }
        ErrorKind::PermissionDenied | ErrorKind::Authentication => {
            credentials_hint(scheme).to_owned()
        }
        ErrorKind::BadRequest if has(&[6003, 6102, 6103, 6111]) => format!(
            "the credential headers were refused: check {}",
            credential_variables(scheme)
        ),
        ErrorKind::BadRequest | ErrorKind::Unprocessable if has(&[1001]) => {
            refused_value_hint(error).to_owned()
        }
        ErrorKind::NotFound if has(&[7000, 7003]) => {
            "no such route: check the ids and the base URL (--base-url, CLOUDFLARE_BASE_URL)"
                .to_owned()
        }
        ErrorKind::NotFound => "no such member or role in this account: `cf-members members \
                                list` and `cf-members roles list` show the ids"
            .to_owned(),
        ErrorKind::Server | ErrorKind::Decode | ErrorKind::Connection | ErrorKind::Timeout
            if changes && error.may_have_been_applied() =>
        {
            "the change may have been applied: check with `cf-members members get` or \
             `cf-members members list` before trying again"
                .to_owned()
        }
        ErrorKind::Server => {
            "the server failed: try again later (--max-retries sets the retries)".to_owned()
        }
        ErrorKind::Connection => "check the base URL (--base-url, CLOUDFLARE_BASE_URL) and \
                                  the network"
            .to_owned(),
        ErrorKind::Timeout => "--timeout sets the time limit of one attempt".to_owned(),
        _ => return None,
    };
    Some(hint)
}
