//! The response envelope every Cloudflare v4 endpoint uses.

use std::collections::BTreeMap;
use std::fmt;

use schemars::JsonSchema;
use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

use crate::serde_util::{
    lenient_opt_count, lenient_opt_u64, null_as_empty, Key, KeySeed, LenientI64, NullAsEmpty, Seen,
};

/// `{"success", "errors", "messages", "result", "result_info"}`.
///
/// `errors` and `messages` read as empty when absent or `null`, and are always
/// written (as the API does). A failure's `result` may be `null`, `[]` or
/// missing: decode failures with `Envelope<serde::de::IgnoredAny>` or
/// `Envelope<serde_json::Value>`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct Envelope<T> {
    /// Whether the API call was successful.
    pub success: bool,
    /// Errors, empty on success.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub errors: Vec<ResponseInfo>,
    /// Informational messages.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub messages: Vec<ResponseInfo>,
    /// The result, when there is one.
    #[serde(
        default = "Option::default",
        skip_serializing_if = "Option::<T>::is_none",
        bound(deserialize = "T: Deserialize<'de>")
    )]
    pub result: Option<T>,
    /// Paging information of list endpoints.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_info: Option<ResultInfo>,
}

impl<T> Envelope<T> {
    /// A successful envelope around `result`.
    pub fn success(result: T) -> Self {
        Self {
            success: true,
            errors: Vec::new(),
            messages: Vec::new(),
            result: Some(result),
            result_info: None,
        }
    }

    /// A failed envelope with these errors and no result.
    pub fn failure(errors: Vec<ResponseInfo>) -> Self {
        Self {
            success: false,
            errors,
            messages: Vec::new(),
            result: None,
            result_info: None,
        }
    }

    /// Adds paging information.
    #[must_use]
    pub fn with_result_info(mut self, info: ResultInfo) -> Self {
        self.result_info = Some(info);
        self
    }

    /// Adds informational messages.
    #[must_use]
    pub fn with_messages(mut self, messages: Vec<ResponseInfo>) -> Self {
        self.messages = messages;
        self
    }
}

/// One error or message of an envelope.
///
/// `code` is an `i64`: codes above 65,535 (such as 81053) exist. Keys beyond
/// the documented ones (`type`, …) are kept in [`other`](Self::other).
// `Deserialize` is written by hand below (same behaviour as the derive with
// `flatten`, without buffering the object).
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[non_exhaustive]
pub struct ResponseInfo {
    /// The Cloudflare error or message code.
    #[schemars(with = "i64")]
    pub code: i64,
    /// Human-readable text.
    #[serde(default)]
    pub message: String,
    /// Where to read more.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub documentation_url: Option<String>,
    /// What part of the request the message is about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
    /// Nested errors (seen on authentication failures: 6003 wrapping
    /// 6102/6103/6111).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub error_chain: Vec<ResponseInfo>,
    /// Other keys, kept as received.
    #[serde(flatten)]
    pub other: BTreeMap<String, serde_json::Value>,
}

impl ResponseInfo {
    /// A message with this code and text.
    pub fn new(code: i64, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            documentation_url: None,
            source: None,
            error_chain: Vec::new(),
            other: BTreeMap::new(),
        }
    }

    /// Adds a nested error.
    #[must_use]
    pub fn with_chain(mut self, chain: Vec<ResponseInfo>) -> Self {
        self.error_chain = chain;
        self
    }

    /// Adds a JSON pointer to the part of the request at fault.
    #[must_use]
    pub fn with_pointer(mut self, pointer: impl Into<String>) -> Self {
        self.source = Some(Source {
            pointer: Some(pointer.into()),
            other: BTreeMap::new(),
        });
        self
    }

    /// This code and the codes of the error chain, depth first.
    pub fn codes(&self) -> Vec<i64> {
        let mut out = vec![self.code];
        for nested in &self.error_chain {
            out.extend(nested.codes());
        }
        out
    }
}

impl<'de> Deserialize<'de> for ResponseInfo {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        const FIELDS: &[&str] = &[
            "code",
            "message",
            "documentation_url",
            "source",
            "error_chain",
        ];
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ResponseInfo;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("struct ResponseInfo")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ResponseInfo, A::Error> {
                let mut out = ResponseInfo::new(0, String::new());
                let mut seen = Seen::default();
                let mut previous = None;
                while let Some(key) = map.next_key_seed(KeySeed::new(FIELDS, previous))? {
                    previous = None;
                    match key {
                        Key::Known(i) => {
                            previous = Some(i);
                            seen.mark(FIELDS, i)?;
                            match i {
                                0 => out.code = map.next_value::<LenientI64>()?.0,
                                1 => out.message = map.next_value()?,
                                2 => out.documentation_url = map.next_value()?,
                                3 => out.source = map.next_value()?,
                                _ => {
                                    out.error_chain =
                                        map.next_value::<NullAsEmpty<ResponseInfo>>()?.0;
                                }
                            }
                        }
                        Key::Other(name) => {
                            let value = map.next_value()?;
                            out.other.insert(name, value);
                        }
                    }
                }
                if !seen.has(0) {
                    return Err(de::Error::missing_field("code"));
                }
                Ok(out)
            }
        }
        deserializer.deserialize_map(V)
    }
}

/// `source` of an error or message.
// `Deserialize` is written by hand below (same behaviour as the derive with
// `flatten`, without buffering the object).
#[derive(Clone, Debug, Default, PartialEq, Serialize, JsonSchema)]
#[non_exhaustive]
pub struct Source {
    /// JSON pointer into the request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pointer: Option<String>,
    /// Other keys, kept as received.
    #[serde(flatten)]
    pub other: BTreeMap<String, serde_json::Value>,
}

impl<'de> Deserialize<'de> for Source {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        const FIELDS: &[&str] = &["pointer"];
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Source;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("struct Source")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Source, A::Error> {
                let mut out = Source::default();
                let mut seen = Seen::default();
                let mut previous = None;
                while let Some(key) = map.next_key_seed(KeySeed::new(FIELDS, previous))? {
                    previous = None;
                    match key {
                        Key::Known(i) => {
                            previous = Some(i);
                            seen.mark(FIELDS, i)?;
                            out.pointer = map.next_value()?;
                        }
                        Key::Other(name) => {
                            let value = map.next_value()?;
                            out.other.insert(name, value);
                        }
                    }
                }
                Ok(out)
            }
        }
        deserializer.deserialize_map(V)
    }
}

/// Paging information of a list response. Every number may arrive as an
/// integer-valued float (`20.0`) or a string of digits; `total_pages` is
/// sent only by newer deployments. Cursor-paged lists (the audit log) give
/// the next page's cursor in `cursor` or in `cursors.after`
/// ([`ResultInfo::next_cursor`] reads both).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct ResultInfo {
    /// Current page within the paginated list of results.
    #[serde(
        default,
        deserialize_with = "lenient_opt_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub page: Option<u64>,
    /// Number of results per page.
    #[serde(
        default,
        deserialize_with = "lenient_opt_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub per_page: Option<u64>,
    /// Number of results on this page.
    #[serde(
        default,
        deserialize_with = "lenient_opt_count",
        skip_serializing_if = "Option::is_none"
    )]
    pub count: Option<u64>,
    /// Total results available without any search parameters.
    #[serde(
        default,
        deserialize_with = "lenient_opt_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub total_count: Option<u64>,
    /// Total number of pages.
    #[serde(
        default,
        deserialize_with = "lenient_opt_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub total_pages: Option<u64>,
    /// The next page's cursor, in the shape of the 2026 spec and the Python
    /// SDK.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    /// The cursors, in the shape of the TypeScript and Go SDKs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursors: Option<Cursors>,
}

/// `result_info.cursors` of a cursor-paged list.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct Cursors {
    /// The cursor of the page after this one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
    /// The cursor of the page before this one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<String>,
}

impl ResultInfo {
    /// The cursor of the next page: `cursor`, else `cursors.after`; `None`
    /// when neither is given or it is empty (the last page).
    ///
    /// ```
    /// use member_types::ResultInfo;
    /// let a: ResultInfo = serde_json::from_str(r#"{"count": "2", "cursor": "abc"}"#).unwrap();
    /// let b: ResultInfo = serde_json::from_str(r#"{"cursors": {"after": "abc"}}"#).unwrap();
    /// let end: ResultInfo = serde_json::from_str(r#"{"cursor": ""}"#).unwrap();
    /// assert_eq!(a.next_cursor(), Some("abc"));
    /// assert_eq!(a.count, Some(2));
    /// assert_eq!(b.next_cursor(), Some("abc"));
    /// assert_eq!(end.next_cursor(), None);
    /// ```
    pub fn next_cursor(&self) -> Option<&str> {
        self.cursor
            .as_deref()
            .filter(|c| !c.is_empty())
            .or_else(|| {
                self.cursors
                    .as_ref()
                    .and_then(|c| c.after.as_deref())
                    .filter(|c| !c.is_empty())
            })
    }

    /// Paging information for page `page` of `per_page` items, `count` on
    /// this page, out of `total_count`.
    pub fn new(page: u64, per_page: u64, count: u64, total_count: u64) -> Self {
        Self {
            page: Some(page),
            per_page: Some(per_page),
            count: Some(count),
            total_count: Some(total_count),
            total_pages: Some(if per_page == 0 {
                0
            } else {
                total_count.div_ceil(per_page)
            }),
            cursor: None,
            cursors: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn result_info_accepts_float_integers() {
        let info: ResultInfo =
            serde_json::from_str(r#"{"page":1.0,"per_page":20.0,"count":3,"total_count":3}"#)
                .unwrap();
        assert_eq!(info.per_page, Some(20));
        assert!(serde_json::from_str::<ResultInfo>(r#"{"page":1.5}"#).is_err());
    }

    #[test]
    fn wide_codes_and_extra_keys() {
        let info: ResponseInfo =
            serde_json::from_str(r#"{"code":81053,"message":"x","type":"y"}"#).unwrap();
        assert_eq!(info.code, 81053);
        assert_eq!(info.other["type"], "y");
    }
}
