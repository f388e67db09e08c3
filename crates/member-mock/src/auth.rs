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
/// `Authorization: Bearer <token>` is looked at first, then the
/// `X-Auth-Email` + `X-Auth-Key` pair, then `X-Auth-User-Service-Key`. A
/// missing or malformed header is a 400 with code 6003 wrapping 6111
/// (Authorization), 6102 (X-Auth-Email) or 6103 (X-Auth-Key); a well-formed
/// but wrong credential is a 403 with code 10000.
pub(crate) fn authenticate(creds: &Credentials, headers: &HeaderMap) -> Result<(), ApiError> {
    let bad_authorization = || ResponseInfo::new(6111, "Invalid format for Authorization header");
    if let Some(value) = text(headers, "authorization") {
        let value = value.map_err(|()| ApiError::bad_auth_headers(vec![bad_authorization()]))?;
        let token = match value.split_once(' ') {
            Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => token.trim(),
            _ => return Err(ApiError::bad_auth_headers(vec![bad_authorization()])),
        };
        if token.is_empty() || !token.chars().all(token_char) {
            return Err(ApiError::bad_auth_headers(vec![bad_authorization()]));
        }
        return if token == creds.token {
            Ok(())
        } else {
            Err(ApiError::authentication())
        };
    }
    let email = text(headers, "x-auth-email");
    let key = text(headers, "x-auth-key");
    if email.is_some() || key.is_some() {
        let mut chain = Vec::new();
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
        return match (email, key) {
            (Some(email), Some(key)) => {
                if email.eq_ignore_ascii_case(&creds.email) && key == creds.api_key {
                    Ok(())
                } else {
                    Err(ApiError::authentication())
                }
            }
            _ => Err(ApiError::bad_auth_headers(chain)),
        };
    }
    if let Some(key) = text(headers, "x-auth-user-service-key") {
        return match key {
            Ok(key) if !key.is_empty() && key == creds.user_service_key => Ok(()),
            _ => Err(ApiError::authentication()),
        };
    }
    Err(ApiError::bad_auth_headers(vec![bad_authorization()]))
}
