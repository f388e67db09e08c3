//! Credential checks, in the real API's order and error style.

use axum::http::HeaderMap;
use member_types::ResponseInfo;

use crate::error::ApiError;

/// The credentials the mock accepts.
#[derive(Clone, Debug)]
pub(crate) struct Credentials {
    pub(crate) token: String,
    pub(crate) email: String,
    pub(crate) api_key: String,
    pub(crate) user_service_key: String,
}

fn token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-._~+/=".contains(c)
}

fn well_formed_email(email: &str) -> bool {
    match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.is_empty()
                && !domain.contains('@')
                && email.chars().all(|c| c.is_ascii_graphic())
        }
        None => false,
    }
}

fn well_formed_key(key: &str) -> bool {
    !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

fn text<'h>(headers: &'h HeaderMap, name: &str) -> Option<Result<&'h str, ()>> {
    headers
        .get(name)
        .map(|v| v.to_str().map(str::trim).map_err(|_| ()))
}

/// Checks the request's credentials.
///
/// Every credential header present is checked: `Authorization: Bearer
/// <token>`, the `X-Auth-Email` + `X-Auth-Key` pair, and
/// `X-Auth-User-Service-Key`. At least one must be present. A missing or
/// malformed header is a 400 with code 6003 wrapping 6111 (Authorization),
/// 6102 (X-Auth-Email) or 6103 (X-Auth-Key); a well-formed but wrong
/// credential is a 403 with code 10000. A request carrying a wrong
/// credential is refused even when another one it carries is right.
pub(crate) fn authenticate(creds: &Credentials, headers: &HeaderMap) -> Result<(), ApiError> {
    let bad_authorization = || ResponseInfo::new(6111, "Invalid format for Authorization header");
    let mut chain = Vec::new();
    let mut wrong = false;
    let mut any = false;
    if let Some(value) = text(headers, "authorization") {
        any = true;
        let token = value.ok().and_then(|v| match v.split_once(' ') {
            Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => Some(token.trim()),
            _ => None,
        });
        match token {
            Some(token) if !token.is_empty() && token.chars().all(token_char) => {
                wrong |= token != creds.token;
            }
            _ => chain.push(bad_authorization()),
        }
    }
    let email = text(headers, "x-auth-email");
    let key = text(headers, "x-auth-key");
    if email.is_some() || key.is_some() {
        any = true;
        let email = match email {
            Some(Ok(e)) if well_formed_email(e) => Some(e),
            _ => {
                chain.push(ResponseInfo::new(
                    6102,
                    "Invalid format for X-Auth-Email header",
                ));
                None
            }
        };
        let key = match key {
            Some(Ok(k)) if well_formed_key(k) => Some(k),
            _ => {
                chain.push(ResponseInfo::new(
                    6103,
                    "Invalid format for X-Auth-Key header",
                ));
                None
            }
        };
        if let (Some(email), Some(key)) = (email, key) {
            wrong |= !email.eq_ignore_ascii_case(&creds.email) || key != creds.api_key;
        }
    }
    if let Some(key) = text(headers, "x-auth-user-service-key") {
        any = true;
        wrong |= !matches!(key, Ok(k) if !k.is_empty() && k == creds.user_service_key);
    }
    if !any {
        chain.push(bad_authorization());
    }
    if !chain.is_empty() {
        return Err(ApiError::bad_auth_headers(chain));
    }
    if wrong {
        return Err(ApiError::authentication());
    }
    Ok(())
}
