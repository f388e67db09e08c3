//! One API call, ready to send: per-request overrides, dry-run description,
//! and `.await` for the result.

use std::future::{Future, IntoFuture};
use std::marker::PhantomData;
use std::pin::Pin;
use std::time::Duration;

use member_http::{
    ApiPath, ApiResponse, HeaderName, HeaderValue, HttpClient, Method, RawValue, RequestOptions,
};
use serde::de::DeserializeOwned;

use member_types::ValidationError;

use crate::Error;

/// A request that has been built but not sent.
///
/// `.await` it for the decoded result, or call
/// [`send_with_response`](Self::send_with_response) to keep the status,
/// `cf-ray`, rate-limit headers and `messages` beside it. Every check
/// (identifiers, body rules) has already run when it was built; an invalid
/// call fails when sent, before any I/O.
///
/// ```no_run
/// # async fn demo(members: member_client::Members, id: member_client::MemberId) -> Result<(), member_client::Error> {
/// use std::time::Duration;
///
/// let member = members.get(&id).await?;
/// let response = members.get(&id).timeout(Duration::from_secs(5)).max_retries(0).send_with_response().await?;
/// println!("{:?} cf-ray={:?}", response.result.email, response.cf_ray());
/// # let _ = member; Ok(()) }
/// ```
#[must_use = "a Call does nothing until it is awaited or sent"]
pub struct Call<T> {
    http: HttpClient,
    method: Method,
    path: Result<ApiPath, ValidationError>,
    query: Vec<(&'static str, String)>,
    /// The body, serialized once when the call is built: sending copies the
    /// text, where a `serde_json::Value` would be built and then serialized
    /// again on every send.
    body: Option<Box<RawValue>>,
    options: RequestOptions,
    _result: PhantomData<fn() -> T>,
}

impl<T> std::fmt::Debug for Call<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Call")
            .field("method", &self.method)
            .field("path", &self.path.as_ref().map(ApiPath::as_str))
            .field("query", &self.query)
            .field("body", &self.body_value())
            .finish_non_exhaustive()
    }
}

/// What a call would send, for dry runs. Holds no credential.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct PreparedRequest {
    /// The HTTP method.
    pub method: Method,
    /// The full URL, query included.
    pub url: String,
    /// The JSON body, when there is one.
    pub body: Option<serde_json::Value>,
    /// The authentication scheme that would be used (never the secret).
    pub auth_scheme: &'static str,
}

impl<T> Call<T> {
    pub(crate) fn new(
        http: HttpClient,
        method: Method,
        path: Result<ApiPath, ValidationError>,
        options: RequestOptions,
    ) -> Self {
        Self {
            http,
            method,
            path,
            query: Vec::new(),
            body: None,
            options,
            _result: PhantomData,
        }
    }

    pub(crate) fn query(mut self, query: Vec<(&'static str, String)>) -> Self {
        self.query = query;
        self
    }

    /// The body as a JSON value (for dry runs and `Debug`).
    fn body_value(&self) -> Option<serde_json::Value> {
        self.body
            .as_deref()
            .map(|raw| serde_json::from_str(raw.get()).unwrap_or(serde_json::Value::Null))
    }

    /// Sets the JSON body, or records why the body could not be built.
    pub(crate) fn body<B: serde::Serialize>(mut self, body: Result<B, ValidationError>) -> Self {
        match body.and_then(|b| {
            serde_json::value::to_raw_value(&b).map_err(|e| ValidationError::Format {
                field: "body",
                value: e.to_string(),
                rule: "the request body must serialize to JSON",
            })
        }) {
            Ok(value) => self.body = Some(value),
            Err(e) => {
                if self.path.is_ok() {
                    self.path = Err(e);
                }
            }
        }
        self
    }

    /// The same call, decoding its result as `U`.
    fn decoded_as<U>(self) -> Call<U> {
        Call {
            http: self.http,
            method: self.method,
            path: self.path,
            query: self.query,
            body: self.body,
            options: self.options,
            _result: PhantomData,
        }
    }

    /// Per-attempt timeout for this call.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.options.timeout = Some(timeout);
        self
    }

    /// Retries for this call (0 sends it once).
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.options.max_retries = Some(retries);
        self
    }

    /// Overall deadline across attempts for this call.
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.options.deadline = Some(deadline);
        self
    }

    /// Adds a request header to this call. Credential, `User-Agent` and
    /// framing headers are refused when the call is sent.
    pub fn header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.options.headers.push((name, value));
        self
    }

    /// Replaces this call's options.
    pub fn options(mut self, options: RequestOptions) -> Self {
        self.options = options;
        self
    }

    /// The request this call would send, without sending it (for
    /// `--dry-run`).
    ///
    /// # Errors
    /// The same validation errors sending would give.
    pub fn prepare(&self) -> Result<PreparedRequest, Error> {
        let path = self
            .path
            .as_ref()
            .map_err(|e| Error::Validation(e.clone()))?;
        Ok(PreparedRequest {
            method: self.method.clone(),
            url: self.http.url_for(path, &self.query)?,
            body: self.body_value(),
            auth_scheme: self.http.scheme_name(),
        })
    }
}

impl<T: DeserializeOwned + 'static> Call<T> {
    /// Sends the call and returns the result with the status, headers,
    /// `messages` and `result_info`.
    ///
    /// # Errors
    /// See [`Error`].
    pub async fn send_with_response(self) -> Result<ApiResponse<T>, Error> {
        let path = self.path?;
        self.http
            .request::<T, RawValue>(
                self.method,
                &path,
                &self.query,
                self.body.as_deref(),
                &self.options,
            )
            .await
    }

    /// Sends the call and returns the decoded result.
    ///
    /// # Errors
    /// See [`Error`].
    pub async fn send(self) -> Result<T, Error> {
        self.send_with_response()
            .await
            .map(ApiResponse::into_result)
    }

    /// Sends the call and returns `result` exactly as the server sent it
    /// (values this version does not know included).
    ///
    /// # Errors
    /// See [`Error`].
    pub async fn send_raw(self) -> Result<ApiResponse<serde_json::Value>, Error> {
        self.decoded_as::<serde_json::Value>()
            .send_with_response()
            .await
    }
}

impl<T: DeserializeOwned + Send + 'static> IntoFuture for Call<T> {
    type Output = Result<T, Error>;
    type IntoFuture = Pin<Box<dyn Future<Output = Result<T, Error>> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

#[cfg(test)]
mod tests {
    use crate::{Client, Credentials, RoleId};

    /// The body is kept serialized, yet `Debug` and dry runs still show it
    /// as a JSON value, as when it was kept as one.
    #[test]
    fn body_shows_as_a_json_value() {
        let client = Client::builder()
            .base_url("http://127.0.0.1:1/client/v4")
            .credentials(Credentials::token("t"))
            .build()
            .unwrap();
        let role: RoleId = "3536bcfad5faccb999b47003c79917fb".parse().unwrap();
        let call = client
            .members(&"023e105f4ecef8ad9ca31a8372d0c353".parse().unwrap())
            .set_roles(&"4536bcfad5faccb111b47003c79917fa".parse().unwrap(), [role]);
        let expected = serde_json::json!({"roles": [{"id": "3536bcfad5faccb999b47003c79917fb"}]});
        assert!(
            format!("{call:?}").contains(&format!("body: {:?}", Some(&expected))),
            "{call:?}"
        );
        assert_eq!(call.prepare().unwrap().body, Some(expected));
    }
}
