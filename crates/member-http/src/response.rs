//! Successful responses and the response headers kept beside every result and
//! error.

use std::time::{Duration, SystemTime};

use http::HeaderMap;
use member_types::{ResponseInfo, ResultInfo};

/// The headers of a response, with typed access to the ones that matter:
/// `cf-ray`, `Retry-After` / `retry-after-ms`, `Ratelimit` and
/// `Ratelimit-Policy`.
#[derive(Clone, Debug, Default)]
pub struct ResponseMeta {
    headers: HeaderMap,
    /// `Retry-After` resolved when the response arrived (an HTTP date is
    /// relative to that moment).
    retry_after: Option<Duration>,
}

impl ResponseMeta {
    /// Wraps response headers, resolving `Retry-After` against the clock now.
    pub fn new(headers: HeaderMap) -> Self {
        let retry_after = parse_retry_after(&headers, SystemTime::now());
        Self {
            headers,
            retry_after,
        }
    }

    /// All response headers as received.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// One header as text, when present and valid UTF-8.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The `cf-ray` id that Cloudflare support asks for.
    pub fn cf_ray(&self) -> Option<&str> {
        self.header("cf-ray")
    }

    /// How long the server asked to wait: `retry-after-ms`, else
    /// `Retry-After` in seconds or as an HTTP date (resolved when the
    /// response arrived; a date in the past is zero).
    pub fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }

    /// The `Ratelimit` header, e.g. `"default";r=50;t=30`.
    pub fn rate_limit(&self) -> Option<RateLimitStatus> {
        self.header("ratelimit").map(RateLimitStatus::parse)
    }

    /// The `Ratelimit-Policy` header as received, e.g. `"burst";q=100;w=60`.
    pub fn rate_limit_policy(&self) -> Option<&str> {
        self.header("ratelimit-policy")
    }

    /// The `x-should-retry` header, when it is `true` or `false`.
    pub fn should_retry(&self) -> Option<bool> {
        let value = self.header("x-should-retry")?.trim();
        if value.eq_ignore_ascii_case("true") {
            Some(true)
        } else if value.eq_ignore_ascii_case("false") {
            Some(false)
        } else {
            None
        }
    }
}

/// Parses `retry-after-ms` (milliseconds), else `Retry-After` (seconds or an
/// HTTP date, relative to `now`). Unparsable or negative values are ignored.
pub(crate) fn parse_retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let text = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    let non_negative = |v: f64| v.is_finite() && v >= 0.0;
    if let Some(ms) = text("retry-after-ms")
        .and_then(|t| t.parse::<f64>().ok())
        .filter(|v| non_negative(*v))
    {
        return Duration::try_from_secs_f64(ms / 1000.0).ok();
    }
    let value = text("retry-after")?;
    if let Ok(secs) = value.parse::<f64>() {
        return non_negative(secs)
            .then(|| Duration::try_from_secs_f64(secs).ok())
            .flatten();
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(date.duration_since(now).unwrap_or(Duration::ZERO))
}

/// The server's rate-limit status from a response's `Ratelimit` header: the
/// raw text and, when present, the remaining quota (`r`) and the time until
/// it resets (`t`, seconds). The client's own limit is [`RateLimitConfig`](crate::RateLimitConfig).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RateLimitStatus {
    /// The header as received.
    pub raw: String,
    /// Requests left in the current window.
    pub remaining: Option<u64>,
    /// Time until the window resets.
    pub reset: Option<Duration>,
}

impl RateLimitStatus {
    /// Parses `"default";r=50;t=30` (and the older `remaining=50, reset=30`)
    /// leniently: unknown parameters are ignored.
    ///
    /// ```
    /// use std::time::Duration;
    /// let limit = member_http::RateLimitStatus::parse(r#""default";r=50;t=30"#);
    /// assert_eq!(limit.remaining, Some(50));
    /// assert_eq!(limit.reset, Some(Duration::from_secs(30)));
    /// ```
    pub fn parse(raw: &str) -> Self {
        let mut remaining = None;
        let mut reset = None;
        for param in raw.split([';', ',']) {
            let Some((key, value)) = param.split_once('=') else {
                continue;
            };
            let value = value.trim().trim_matches('"');
            match key.trim() {
                "r" | "remaining" => remaining = value.parse().ok(),
                "t" | "reset" => reset = value.parse().ok().map(Duration::from_secs),
                _ => {}
            }
        }
        Self {
            raw: raw.to_owned(),
            remaining,
            reset,
        }
    }
}

/// A successful response: the decoded `result` beside the status, headers,
/// `messages` and `result_info`.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ApiResponse<T> {
    /// The envelope's `result`, decoded (a missing `result` decodes as
    /// `null`, so use `Option<X>` where the API may send none).
    pub result: T,
    /// The HTTP status.
    pub status: u16,
    /// The envelope's informational messages.
    pub messages: Vec<ResponseInfo>,
    /// Paging information of list endpoints.
    pub result_info: Option<ResultInfo>,
    /// Response headers.
    pub meta: ResponseMeta,
    /// How many attempts it took (1 when the first one succeeded).
    pub attempts: u32,
}

impl<T> ApiResponse<T> {
    /// The `cf-ray` id of the response.
    pub fn cf_ray(&self) -> Option<&str> {
        self.meta.cf_ray()
    }

    /// The `Ratelimit` header, parsed.
    pub fn rate_limit(&self) -> Option<RateLimitStatus> {
        self.meta.rate_limit()
    }

    /// The `Ratelimit-Policy` header.
    pub fn rate_limit_policy(&self) -> Option<&str> {
        self.meta.rate_limit_policy()
    }

    /// All response headers.
    pub fn headers(&self) -> &HeaderMap {
        self.meta.headers()
    }

    /// The decoded result, dropping the rest.
    pub fn into_result(self) -> T {
        self.result
    }

    /// Transforms the result, keeping status, headers and messages.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> ApiResponse<U> {
        ApiResponse {
            result: f(self.result),
            status: self.status,
            messages: self.messages,
            result_info: self.result_info,
            meta: self.meta,
            attempts: self.attempts,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        map
    }

    #[test]
    fn retry_after_forms() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let parse = |pairs: &[(&'static str, &str)]| parse_retry_after(&headers(pairs), now);
        assert_eq!(parse(&[("retry-after", "7")]), Some(Duration::from_secs(7)));
        assert_eq!(
            parse(&[("retry-after", "1.5")]),
            Some(Duration::from_millis(1500))
        );
        assert_eq!(parse(&[("retry-after", "-1")]), None);
        assert_eq!(parse(&[("retry-after", "soon")]), None);
        let date = httpdate::fmt_http_date(now + Duration::from_secs(30));
        assert_eq!(
            parse(&[("retry-after", &date)]),
            Some(Duration::from_secs(30))
        );
        let past = httpdate::fmt_http_date(now - Duration::from_secs(30));
        assert_eq!(parse(&[("retry-after", &past)]), Some(Duration::ZERO));
        assert_eq!(
            parse(&[("retry-after", "9"), ("retry-after-ms", "250")]),
            Some(Duration::from_millis(250))
        );
        assert_eq!(
            parse(&[("retry-after", "9"), ("retry-after-ms", "nan")]),
            Some(Duration::from_secs(9))
        );
    }

    #[test]
    fn should_retry_values() {
        let meta = |v: &str| ResponseMeta::new(headers(&[("x-should-retry", v)])).should_retry();
        assert_eq!(meta("true"), Some(true));
        assert_eq!(meta(" FALSE "), Some(false));
        assert_eq!(meta("maybe"), None);
    }

    #[test]
    fn rate_limit_parses_both_forms() {
        let old = RateLimitStatus::parse("limit=1200, remaining=7, reset=12");
        assert_eq!(old.remaining, Some(7));
        assert_eq!(old.reset, Some(Duration::from_secs(12)));
        let junk = RateLimitStatus::parse("nonsense");
        assert_eq!((junk.remaining, junk.reset), (None, None));
    }
}
