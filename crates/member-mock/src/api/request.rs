//! The request checks every resource shares, in the real API's style: the
//! ids of an account's path, the query string and its paging, and the JSON
//! body's fields. Each names the field it refuses and, for a body, points
//! at it (`source.pointer`).

use axum::body::Bytes;
use axum::extract::{FromRequestParts, OriginalUri, Path, Query};
use axum::http::request::Parts;
use axum::response::Response;
use member_types::json::{kind_of, shorten};
use member_types::{AccountId, Envelope, ResultInfo, PER_PAGE_DEFAULT, PER_PAGE_MAX, PER_PAGE_MIN};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::error::ApiError;

use super::json_ok;

/// The path of a route under `/accounts/{account_id}`: the account id,
/// checked, and the ids after it. An id that is not an id gets the real
/// API's "no route" answer, as an unknown route does.
pub(crate) struct AccountPath {
    pub(crate) account: String,
    ids: Vec<String>,
    path: String,
}

impl<S: Send + Sync> FromRequestParts<S> for AccountPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let path = match OriginalUri::from_request_parts(parts, state).await {
            Ok(uri) => uri.0.path().to_owned(),
            Err(never) => match never {},
        };
        let no_route = || ApiError::no_route(&path);
        let Ok(Path(params)) =
            Path::<Vec<(String, String)>>::from_request_parts(parts, state).await
        else {
            return Err(no_route());
        };
        let mut values = params.into_iter().map(|(_, value)| value);
        let account = values.next().ok_or_else(no_route)?;
        let account = AccountId::new(account).map_err(|_| no_route())?;
        Ok(Self {
            account: account.into_string(),
            ids: values.collect(),
            path,
        })
    }
}

impl AccountPath {
    /// The id after the account's (`{member_id}`, `{role_id}`), read with
    /// `parse` (an id type's `new`).
    pub(crate) fn id<T, E>(
        &self,
        parse: impl FnOnce(String) -> Result<T, E>,
    ) -> Result<T, ApiError> {
        self.id_at(0, parse)
    }

    /// The `n`th id after the account's (0 is the first), read with
    /// `parse`: `{user_group_id}` then `{member_id}`.
    pub(crate) fn id_at<T, E>(
        &self,
        n: usize,
        parse: impl FnOnce(String) -> Result<T, E>,
    ) -> Result<T, ApiError> {
        let id = self.ids.get(n).cloned().unwrap_or_default();
        parse(id).map_err(|_| ApiError::no_route(&self.path))
    }
}

/// The query string's pairs; when a name repeats, the last value counts.
pub(crate) struct QueryPairs(Vec<(String, String)>);

impl<S: Send + Sync> FromRequestParts<S> for QueryPairs {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match Query::<Vec<(String, String)>>::from_request_parts(parts, state).await {
            Ok(Query(pairs)) => Ok(Self(pairs)),
            Err(e) => Err(ApiError::invalid(
                format!("invalid query string: {e}"),
                None,
            )),
        }
    }
}

impl QueryPairs {
    /// Every pair, in order.
    pub(crate) fn pairs(&self) -> &[(String, String)] {
        &self.0
    }

    /// Every value of a repeatable parameter, in order.
    pub(crate) fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    fn last(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// A text filter, as given (at most `max` characters).
    pub(crate) fn text(&self, name: &str, max: usize) -> Result<Option<&str>, ApiError> {
        match self.last(name) {
            Some(v) if v.chars().count() > max => Err(ApiError::invalid_param(
                name,
                format!("Invalid value for {name}: at most {max} characters are allowed"),
            )),
            other => Ok(other),
        }
    }

    /// An id filter: 32 hexadecimal digits, as the API's ids are.
    pub(crate) fn hex_id(&self, name: &str) -> Result<Option<&str>, ApiError> {
        match self.last(name) {
            Some(v) if !is_hex_id(v) => Err(ApiError::invalid_param(
                name,
                format!(
                    "Invalid value for {name}: {:?}; expected an identifier of 32 hexadecimal digits",
                    shorten(v)
                ),
            )),
            other => Ok(other),
        }
    }

    /// A whole number in `min..=max` (an integer-valued float such as
    /// `20.0` is accepted, as the API's schema says `number`).
    pub(crate) fn number(
        &self,
        name: &str,
        min: u64,
        max: u64,
        default: u64,
    ) -> Result<u64, ApiError> {
        let Some(raw) = self.last(name) else {
            return Ok(default);
        };
        let range = if max == u64::MAX {
            format!("a whole number from {min}")
        } else {
            format!("a whole number from {min} to {max}")
        };
        let bad = || {
            ApiError::invalid_param(
                name,
                format!(
                    "Invalid value for {name}: {:?}; expected {range}",
                    shorten(raw)
                ),
            )
        };
        let value: f64 = raw.trim().parse().map_err(|_| bad())?;
        #[allow(
            clippy::cast_precision_loss,
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "the value is checked to be a whole number in range first"
        )]
        if value.is_finite() && value.fract() == 0.0 && value >= min as f64 && value <= max as f64 {
            Ok(value as u64)
        } else {
            Err(bad())
        }
    }

    /// One of `allowed`, if given.
    pub(crate) fn one_of(&self, name: &str, allowed: &[&str]) -> Result<Option<&str>, ApiError> {
        match self.last(name) {
            None => Ok(None),
            Some(v) if allowed.contains(&v) => Ok(Some(v)),
            Some(v) => Err(ApiError::invalid_param(
                name,
                format!(
                    "Invalid value for {name}: {:?}; expected one of {}",
                    shorten(v),
                    allowed.join(", ")
                ),
            )),
        }
    }

    /// `page` (from 1) and `per_page` (5 to 50, default 20), as every list
    /// takes them.
    pub(crate) fn paging(&self) -> Result<Paging, ApiError> {
        let page = self.number("page", 1, u64::from(u32::MAX), 1)?;
        let per_page = self.number(
            "per_page",
            u64::from(PER_PAGE_MIN),
            u64::from(PER_PAGE_MAX),
            u64::from(PER_PAGE_DEFAULT),
        )?;
        Ok(Paging { page, per_page })
    }
}

/// 32 lowercase hexadecimal digits: the shape of every IAM and zone id.
pub(crate) fn is_hex_id(s: &str) -> bool {
    s.len() == 32 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// The page a list request asked for.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Paging {
    pub(crate) page: u64,
    pub(crate) per_page: u64,
}

impl Paging {
    /// How many items come before the page.
    pub(crate) fn skip(self) -> usize {
        usize::try_from((self.page - 1).saturating_mul(self.per_page)).unwrap_or(usize::MAX)
    }

    /// How many items a page holds at most.
    pub(crate) fn take(self) -> usize {
        usize::try_from(self.per_page).unwrap_or(usize::MAX)
    }

    /// The page's items out of all of them.
    pub(crate) fn of<T>(self, items: impl Iterator<Item = T>) -> Vec<T> {
        items.skip(self.skip()).take(self.take()).collect()
    }

    /// The list envelope: the page's items and `result_info` with the
    /// `total` that match.
    pub(crate) fn answer<T: Serialize>(self, items: Vec<T>, total: u64) -> Response {
        let count = items.len() as u64;
        json_ok(&Envelope::success(items).with_result_info(ResultInfo::new(
            self.page,
            self.per_page,
            count,
            total,
        )))
    }
}

/// The body as a JSON object: an empty body or one that is not JSON is a
/// 400 with code 6007, other JSON a 400 with code 1001.
pub(crate) fn json_object(body: &Bytes) -> Result<Map<String, Value>, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::malformed_json(
            "the body is empty; send a JSON object",
        ));
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(other) => Err(ApiError::invalid(
            format!(
                "Invalid request body: expected a JSON object, found {}",
                kind_of(&other)
            ),
            Some(""),
        )),
        Err(e) => Err(ApiError::malformed_json(&e.to_string())),
    }
}

/// The body as a JSON array (the user-group members bodies): an empty body
/// or one that is not JSON is a 400 with code 6007, other JSON (an object
/// among them) a 400 with code 1001.
pub(crate) fn json_array(body: &Bytes) -> Result<Vec<Value>, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::malformed_json(
            "the body is empty; send a JSON array",
        ));
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Array(items)) => Ok(items),
        Ok(other) => Err(ApiError::invalid(
            format!(
                "Invalid request body: expected a JSON array of members ([{{\"id\": \"<member id>\"}}, …]), found {}",
                kind_of(&other)
            ),
            Some(""),
        )),
        Err(e) => Err(ApiError::malformed_json(&e.to_string())),
    }
}

/// A string field (`field` names it in the message, `pointer` in
/// `source.pointer`), at most `max` characters when given.
pub(crate) fn expect_string<'a>(
    v: &'a Value,
    field: &str,
    pointer: &str,
    max: Option<usize>,
) -> Result<&'a str, ApiError> {
    let Value::String(s) = v else {
        return Err(ApiError::invalid(
            format!("{field}: expected a string, found {}", kind_of(v)),
            Some(pointer),
        ));
    };
    if let Some(max) = max {
        if s.chars().count() > max {
            return Err(ApiError::invalid(
                format!("{field}: at most {max} characters are allowed"),
                Some(pointer),
            ));
        }
    }
    Ok(s)
}

/// An array field.
pub(crate) fn expect_array<'a>(
    v: &'a Value,
    field: &str,
    pointer: &str,
) -> Result<&'a Vec<Value>, ApiError> {
    match v {
        Value::Array(items) => Ok(items),
        other => Err(ApiError::invalid(
            format!("{field}: expected an array, found {}", kind_of(other)),
            Some(pointer),
        )),
    }
}

/// An object field.
pub(crate) fn expect_object<'a>(
    v: &'a Value,
    field: &str,
    pointer: &str,
) -> Result<&'a Map<String, Value>, ApiError> {
    match v {
        Value::Object(o) => Ok(o),
        other => Err(ApiError::invalid(
            format!("{field}: expected an object, found {}", kind_of(other)),
            Some(pointer),
        )),
    }
}

/// A field that must be there.
pub(crate) fn required<'a>(
    object: &'a Map<String, Value>,
    key: &str,
    field: &str,
    pointer: &str,
) -> Result<&'a Value, ApiError> {
    object
        .get(key)
        .ok_or_else(|| ApiError::invalid(format!("{field} is required"), Some(pointer)))
}
