//! Credentials and the environment variables they are read from.

use std::fmt;

use http::{HeaderName, HeaderValue};
use secrecy::{ExposeSecret, SecretString};

use crate::error::Error;

/// Environment variable holding an API token (sent as `Authorization: Bearer`).
pub const ENV_API_TOKEN: &str = "CLOUDFLARE_API_TOKEN";
/// Environment variable holding the account e-mail of a legacy Global API key.
pub const ENV_EMAIL: &str = "CLOUDFLARE_EMAIL";
/// Environment variable holding a legacy Global API key.
pub const ENV_API_KEY: &str = "CLOUDFLARE_API_KEY";
/// Environment variable holding a user service key.
pub const ENV_USER_SERVICE_KEY: &str = "CLOUDFLARE_API_USER_SERVICE_KEY";
/// Environment variable overriding the base URL.
pub const ENV_BASE_URL: &str = "CLOUDFLARE_BASE_URL";

const NO_CREDENTIALS: &str = "no Cloudflare credentials: set CLOUDFLARE_API_TOKEN (recommended), \
     or CLOUDFLARE_EMAIL and CLOUDFLARE_API_KEY, or CLOUDFLARE_API_USER_SERVICE_KEY";

/// How requests authenticate. Exactly one scheme is ever sent.
///
/// Opaque: build it with [`token`](Self::token), [`api_key`](Self::api_key),
/// [`user_service_key`](Self::user_service_key) or from the environment
/// ([`from_env`](Self::from_env)), and ask [`scheme_name`](Self::scheme_name)
/// which scheme it is. Secrets are never printed by `Debug`, and their
/// header values are marked sensitive.
///
/// ```
/// use member_http::Credentials;
///
/// let creds = Credentials::token("my-secret-token");
/// assert_eq!(creds.scheme_name(), "api-token");
/// assert!(!format!("{creds:?}").contains("my-secret-token"));
/// ```
#[derive(Clone)]
pub struct Credentials {
    scheme: Scheme,
}

/// The schemes, each holding its secret in a [`SecretString`].
#[derive(Clone)]
enum Scheme {
    /// An API token, sent as `Authorization: Bearer <token>` (recommended).
    Token(SecretString),
    /// A legacy Global API key with its account e-mail (not a secret), sent
    /// as `X-Auth-Email` and `X-Auth-Key`.
    ApiKey { email: String, key: SecretString },
    /// A user service key, sent as `X-Auth-User-Service-Key`.
    UserServiceKey(SecretString),
}

impl Credentials {
    fn of(scheme: Scheme) -> Self {
        Self { scheme }
    }

    /// An API token.
    pub fn token(token: impl Into<String>) -> Self {
        Self::of(Scheme::Token(SecretString::from(token.into())))
    }

    /// A legacy Global API key and the e-mail address it belongs to.
    pub fn api_key(email: impl Into<String>, key: impl Into<String>) -> Self {
        Self::of(Scheme::ApiKey {
            email: email.into(),
            key: SecretString::from(key.into()),
        })
    }

    /// A user service key.
    pub fn user_service_key(key: impl Into<String>) -> Self {
        Self::of(Scheme::UserServiceKey(SecretString::from(key.into())))
    }

    /// Reads credentials from the process environment; see
    /// [`from_lookup`](Self::from_lookup) for the rules.
    ///
    /// # Errors
    /// [`ErrorKind::Config`](crate::ErrorKind::Config) when no scheme is
    /// complete; the message names the variables to set.
    pub fn from_env() -> Result<Self, Error> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads credentials through `lookup` (a stand-in for the environment,
    /// so the rules can be used and tested without touching process state).
    ///
    /// Values are trimmed, and empty values count as unset. When several
    /// schemes are set, **the API token wins** (`CLOUDFLARE_API_TOKEN`), then
    /// the Global API key (`CLOUDFLARE_EMAIL` + `CLOUDFLARE_API_KEY`), then the
    /// user service key (`CLOUDFLARE_API_USER_SERVICE_KEY`). Only the winning
    /// scheme is ever sent.
    ///
    /// ```
    /// use member_http::Credentials;
    ///
    /// let env = |name: &str| match name {
    ///     "CLOUDFLARE_API_TOKEN" => Some("t0ken".to_owned()),
    ///     "CLOUDFLARE_API_USER_SERVICE_KEY" => Some("v1.0-key".to_owned()),
    ///     _ => None,
    /// };
    /// assert_eq!(Credentials::from_lookup(env)?.scheme_name(), "api-token");
    /// # Ok::<(), member_http::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`ErrorKind::Config`](crate::ErrorKind::Config) when no scheme is set,
    /// or when only one half of the e-mail / API key pair is set.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, Error> {
        let get = |name: &str| {
            lookup(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        if let Some(token) = get(ENV_API_TOKEN) {
            return Ok(Self::token(token));
        }
        match (get(ENV_EMAIL), get(ENV_API_KEY)) {
            (Some(email), Some(key)) => return Ok(Self::api_key(email, key)),
            (Some(_), None) => {
                return Err(Error::config(
                    "CLOUDFLARE_EMAIL is set but CLOUDFLARE_API_KEY is not: \
                     set both, or set CLOUDFLARE_API_TOKEN instead",
                ))
            }
            (None, Some(_)) => {
                return Err(Error::config(
                    "CLOUDFLARE_API_KEY is set but CLOUDFLARE_EMAIL is not: \
                     set both, or set CLOUDFLARE_API_TOKEN instead",
                ))
            }
            (None, None) => {}
        }
        if let Some(key) = get(ENV_USER_SERVICE_KEY) {
            return Ok(Self::user_service_key(key));
        }
        Err(Error::config(NO_CREDENTIALS))
    }

    /// A short name of the scheme, safe to print: `api-token`, `api-key` or
    /// `user-service-key`.
    pub fn scheme_name(&self) -> &'static str {
        match self.scheme {
            Scheme::Token(_) => "api-token",
            Scheme::ApiKey { .. } => "api-key",
            Scheme::UserServiceKey(_) => "user-service-key",
        }
    }

    /// The headers of this scheme, secret values marked sensitive.
    ///
    /// Error messages name the scheme, never the value.
    pub(crate) fn headers(&self) -> Result<Vec<(HeaderName, HeaderValue)>, Error> {
        fn secret_value(text: &str, what: &str) -> Result<HeaderValue, Error> {
            let mut value = HeaderValue::from_str(text).map_err(|_| {
                Error::config(format!(
                    "the {what} is not a valid HTTP header value \
                     (it must be printable ASCII without line breaks)"
                ))
            })?;
            value.set_sensitive(true);
            Ok(value)
        }
        Ok(match &self.scheme {
            Scheme::Token(token) => vec![(
                http::header::AUTHORIZATION,
                secret_value(&format!("Bearer {}", token.expose_secret()), "API token")?,
            )],
            Scheme::ApiKey { email, key } => {
                let email_value = HeaderValue::from_str(email).map_err(|_| {
                    Error::config(
                        "the e-mail address is not a valid HTTP header value \
                         (it must be printable ASCII without line breaks)",
                    )
                })?;
                vec![
                    (HeaderName::from_static("x-auth-email"), email_value),
                    (
                        HeaderName::from_static("x-auth-key"),
                        secret_value(key.expose_secret(), "API key")?,
                    ),
                ]
            }
            Scheme::UserServiceKey(key) => vec![(
                HeaderName::from_static("x-auth-user-service-key"),
                secret_value(key.expose_secret(), "user service key")?,
            )],
        })
    }
}

/// Prints the scheme and the e-mail of an API key, never a secret.
impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const REDACTED: &str = "[redacted]";
        match &self.scheme {
            Scheme::Token(_) => f.debug_tuple("Token").field(&REDACTED).finish(),
            Scheme::ApiKey { email, .. } => f
                .debug_struct("ApiKey")
                .field("email", email)
                .field("key", &REDACTED)
                .finish(),
            Scheme::UserServiceKey(_) => f.debug_tuple("UserServiceKey").field(&REDACTED).finish(),
        }
    }
}

/// Header names that carry credentials: callers may not set them through
/// [`RequestOptions::headers`](crate::RequestOptions::headers), so exactly one
/// scheme is ever sent.
pub(crate) fn is_credential_header(name: &HeaderName) -> bool {
    name == http::header::AUTHORIZATION
        || name == http::header::PROXY_AUTHORIZATION
        || name == http::header::COOKIE
        || name.as_str().starts_with("x-auth-")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_sensitive() {
        for creds in [
            Credentials::token("t"),
            Credentials::api_key("a@example.com", "k"),
            Credentials::user_service_key("s"),
        ] {
            let headers = creds.headers().unwrap();
            let secret = headers.last().unwrap();
            assert!(secret.1.is_sensitive(), "{}", creds.scheme_name());
        }
    }

    #[test]
    fn invalid_secret_is_refused_without_echo() {
        let err = Credentials::token("abc\ndef-SECRET").headers().unwrap_err();
        let text = format!("{err} {err:?}");
        assert!(!text.contains("SECRET"), "{text}");
        assert!(text.contains("API token"), "{text}");
    }
}
