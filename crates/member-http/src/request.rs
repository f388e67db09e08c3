//! Building a request: its URL from the base and an [`ApiPath`], and its
//! headers (caller's extras, then `User-Agent`, `Accept`, `Content-Type` and
//! exactly one credential scheme).

use http::header::{ACCEPT, ACCEPT_ENCODING, CONTENT_TYPE, USER_AGENT};
use http::{HeaderMap, HeaderName, HeaderValue};
use url::Url;

use crate::client::HttpClient;
use crate::credentials::is_credential_header;
use crate::error::Error;
use crate::path::ApiPath;

impl HttpClient {
    pub(crate) fn url(&self, path: &ApiPath, query: &[(&str, String)]) -> Result<Url, Error> {
        let mut url = match join_segments(&self.inner.base_url, path) {
            Some(url) => url,
            None => parse_joined(&self.inner.base, path)?,
        };
        if !query.is_empty() {
            let mut pairs = url.query_pairs_mut();
            for (key, value) in query {
                pairs.append_pair(key, value);
            }
        }
        Ok(url)
    }

    pub(crate) fn request_headers(
        &self,
        has_body: bool,
        extra: &[(HeaderName, HeaderValue)],
    ) -> Result<HeaderMap, Error> {
        if extra.is_empty() {
            // The common case: the headers built with the client, copied.
            return Ok(self.inner.base_headers[usize::from(has_body)].clone());
        }
        let base = &self.inner.base_headers[usize::from(has_body)];
        let mut headers = HeaderMap::with_capacity(extra.len() + base.len());
        for (name, value) in extra {
            if is_reserved_header(name) {
                return Err(Error::invalid_input(
                    format!(
                        "the {name} header cannot be set per request: credentials, \
                         User-Agent and framing headers are set by the client"
                    ),
                    None,
                ));
            }
            headers.append(name.clone(), value.clone());
        }
        // Then the client's own, replacing any extra of the same name; an
        // `Accept-Encoding` of the caller's is kept, as reqwest keeps it.
        for (name, value) in base {
            if name == ACCEPT_ENCODING && headers.contains_key(ACCEPT_ENCODING) {
                continue;
            }
            headers.insert(name.clone(), value.clone());
        }
        Ok(headers)
    }
}

/// The headers of every request without extra headers, in the order
/// [`HttpClient::request_headers`] sets them: `User-Agent`, `Accept`,
/// `Content-Type` when there is a body, the credential's, and
/// `Accept-Encoding: gzip` when answers may be compressed (the header
/// reqwest's gzip support would add in that place on every request; set
/// here, it is built once, and reqwest still decompresses).
pub(crate) fn base_headers(
    user_agent: &HeaderValue,
    credentials: &crate::credentials::Credentials,
    has_body: bool,
    compression: bool,
) -> Result<HeaderMap, Error> {
    let mut headers = HeaderMap::with_capacity(8);
    headers.insert(USER_AGENT, user_agent.clone());
    headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
    if has_body {
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    }
    for (name, value) in credentials.headers()? {
        headers.insert(name, value);
    }
    if compression {
        headers.insert(ACCEPT_ENCODING, HeaderValue::from_static("gzip"));
    }
    Ok(headers)
}

/// Headers a caller may not set per request.
fn is_reserved_header(name: &HeaderName) -> bool {
    is_credential_header(name)
        || [
            http::header::HOST,
            http::header::CONTENT_LENGTH,
            http::header::TRANSFER_ENCODING,
            http::header::CONNECTION,
            http::header::TE,
            http::header::UPGRADE,
            http::header::USER_AGENT,
        ]
        .contains(name)
}

/// `base` + `path` parsed as one URL: the reference for [`join_segments`].
fn parse_joined(base: &str, path: &ApiPath) -> Result<Url, Error> {
    Url::parse(&format!("{base}{}", path.as_str()))
        .map_err(|e| Error::invalid_input("the request URL is invalid", Some(Box::new(e))))
}

/// The URL of [`parse_joined`], built by appending `path`'s segments to the
/// parsed base instead of parsing the whole text again (host processing
/// included) on every request. `None` for the empty path, which the base's
/// own text describes differently (`http://host` parses as `http://host/`).
/// ApiPath segments are plain ASCII letters, digits, `-` and `_`, so nothing
/// is percent-encoded either way.
fn join_segments(base: &Url, path: &ApiPath) -> Option<Url> {
    let rest = path.as_str().strip_prefix('/')?;
    let mut url = base.clone();
    {
        let mut segments = url.path_segments_mut().ok()?;
        segments.pop_if_empty();
        segments.extend(rest.split('/'));
    }
    Some(url)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::Credentials;

    #[test]
    fn joined_segments_match_the_parsed_url() {
        use member_types::{AccountId, MemberId};
        let account: AccountId = "023e105f4ecef8ad9ca31a8372d0c353".parse().unwrap();
        let member = MemberId::new("4536bcfad5faccb111b47003c79917fa").unwrap();
        let paths = [
            ApiPath::new().lit("accounts"),
            ApiPath::new().lit("accounts").id(&account).unwrap(),
            ApiPath::new()
                .lit("accounts")
                .id(&account)
                .unwrap()
                .lit("members")
                .id(&member)
                .unwrap(),
            ApiPath::new().lit("a-b_c").lit("x"),
        ];
        for base in [
            "https://api.cloudflare.com/client/v4",
            "https://api.cloudflare.com/client/v4/",
            "https://api.cloudflare.com/client/v4//",
            "http://127.0.0.1:8787",
            "http://127.0.0.1:8787/",
            "http://localhost:1/a%20b/c",
            "http://[::1]:9/x/",
            "https://EXAMPLE.com:443/Mixed/Case",
            "https://xn--bcher-kva.example/p",
            "https://bücher.example/p",
        ] {
            let client = HttpClient::builder()
                .base_url(base)
                .credentials(Credentials::token("t"))
                .build()
                .unwrap();
            for path in &paths {
                let parsed = parse_joined(&client.inner.base, path).unwrap();
                let joined = join_segments(&client.inner.base_url, path).unwrap();
                assert_eq!(joined, parsed, "{base} + {}", path.as_str());
                assert_eq!(joined.as_str(), parsed.as_str());
                let with_query = client
                    .url(path, &[("page", "2".to_owned()), ("q", "a b&c".to_owned())])
                    .unwrap();
                let mut expected = parsed.clone();
                expected
                    .query_pairs_mut()
                    .append_pair("page", "2")
                    .append_pair("q", "a b&c");
                assert_eq!(with_query, expected);
            }
            assert!(join_segments(&client.inner.base_url, &ApiPath::new()).is_none());
            assert_eq!(
                client.url(&ApiPath::new(), &[]).unwrap(),
                parse_joined(&client.inner.base, &ApiPath::new()).unwrap()
            );
        }
    }
}
