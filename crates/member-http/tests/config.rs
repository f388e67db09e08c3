//! Configuration and request building: each credential scheme on the wire,
//! the environment precedence rule, base URLs, `User-Agent`, the plain-http
//! refusal, and local validation that fails before anything is sent.

mod common;

use std::collections::HashMap;

use common::{Reply, Server, TOKEN};
use member_http::{
    ApiPath, Credentials, ErrorKind, HeaderName, HeaderValue, HttpClient, HttpClientBuilder,
    Method, RequestOptions, DEFAULT_BASE_URL,
};
use member_types::{AccountId, ListMembersParams, ListParams, MemberId, MemberOrder, MemberStatus};
use serde_json::{json, Value};

const AUTH_HEADERS: [&str; 4] = [
    "authorization",
    "x-auth-email",
    "x-auth-key",
    "x-auth-user-service-key",
];

fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    move |name| map.get(name).cloned()
}

/// Sends one GET and returns the credential headers the server saw.
async fn auth_headers_seen(server: &Server, builder: HttpClientBuilder) -> Vec<(String, String)> {
    let before = server.hits();
    let client = builder.base_url(&server.url()).build().unwrap();
    client
        .get::<Value>(&ApiPath::new().lit("user"), &[], &RequestOptions::new())
        .await
        .unwrap();
    let request = &server.requests()[before];
    request
        .headers
        .iter()
        .filter(|(name, _)| AUTH_HEADERS.contains(&name.as_str()))
        .cloned()
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

#[tokio::test(start_paused = true)]
async fn each_scheme_sends_exactly_its_headers() {
    let server = Server::start(vec![Reply::ok(json!(null))]).await;
    let token = HttpClient::builder().credentials(Credentials::token("t-123"));
    assert_eq!(
        auth_headers_seen(&server, token).await,
        pairs(&[("authorization", "Bearer t-123")])
    );
    let key = HttpClient::builder().credentials(Credentials::api_key("ops@example.com", "k-456"));
    assert_eq!(
        auth_headers_seen(&server, key).await,
        pairs(&[("x-auth-email", "ops@example.com"), ("x-auth-key", "k-456")])
    );
    let service = HttpClient::builder().credentials(Credentials::user_service_key("v1.0-789"));
    assert_eq!(
        auth_headers_seen(&server, service).await,
        pairs(&[("x-auth-user-service-key", "v1.0-789")])
    );
}

#[tokio::test(start_paused = true)]
async fn environment_precedence_token_then_api_key_then_service_key() {
    let server = Server::start(vec![Reply::ok(json!(null))]).await;
    let all = env(&[
        ("CLOUDFLARE_API_TOKEN", "t-env"),
        ("CLOUDFLARE_EMAIL", "ops@example.com"),
        ("CLOUDFLARE_API_KEY", "k-env"),
        ("CLOUDFLARE_API_USER_SERVICE_KEY", "s-env"),
    ]);
    let builder = HttpClientBuilder::from_lookup(all).unwrap();
    assert_eq!(
        auth_headers_seen(&server, builder).await,
        pairs(&[("authorization", "Bearer t-env")])
    );

    let key_and_service = env(&[
        ("CLOUDFLARE_API_TOKEN", "  "),
        ("CLOUDFLARE_EMAIL", "ops@example.com"),
        ("CLOUDFLARE_API_KEY", "k-env\n"),
        ("CLOUDFLARE_API_USER_SERVICE_KEY", "s-env"),
    ]);
    let builder = HttpClientBuilder::from_lookup(key_and_service).unwrap();
    assert_eq!(
        auth_headers_seen(&server, builder).await,
        pairs(&[("x-auth-email", "ops@example.com"), ("x-auth-key", "k-env")])
    );

    let service = env(&[("CLOUDFLARE_API_USER_SERVICE_KEY", "s-env")]);
    let builder = HttpClientBuilder::from_lookup(service).unwrap();
    assert_eq!(
        auth_headers_seen(&server, builder).await,
        pairs(&[("x-auth-user-service-key", "s-env")])
    );
}

#[test]
fn missing_credentials_name_the_variables() {
    for lookup in [env(&[]), env(&[("CLOUDFLARE_API_TOKEN", "")])] {
        let err = Credentials::from_lookup(lookup).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Config);
        assert!(err.is_local());
        let text = err.to_string();
        for var in [
            "CLOUDFLARE_API_TOKEN",
            "CLOUDFLARE_EMAIL",
            "CLOUDFLARE_API_KEY",
            "CLOUDFLARE_API_USER_SERVICE_KEY",
        ] {
            assert!(text.contains(var), "{text}");
        }
    }
    let err = HttpClient::builder().build().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Config);
    assert!(err.to_string().contains("CLOUDFLARE_API_TOKEN"), "{err}");
}

#[test]
fn half_a_key_pair_is_refused() {
    let err = Credentials::from_lookup(env(&[("CLOUDFLARE_API_KEY", "k")])).unwrap_err();
    assert!(err.to_string().contains("CLOUDFLARE_EMAIL is not"), "{err}");
    let err = Credentials::from_lookup(env(&[
        ("CLOUDFLARE_EMAIL", "a@example.com"),
        ("CLOUDFLARE_API_USER_SERVICE_KEY", "s"),
    ]))
    .unwrap_err();
    assert!(
        err.to_string().contains("CLOUDFLARE_API_KEY is not"),
        "{err}"
    );
}

#[test]
fn scheme_names() {
    assert_eq!(Credentials::token("t").scheme_name(), "api-token");
    assert_eq!(Credentials::api_key("e", "k").scheme_name(), "api-key");
    assert_eq!(
        Credentials::user_service_key("s").scheme_name(),
        "user-service-key"
    );
}

#[tokio::test(start_paused = true)]
async fn base_url_from_env_with_or_without_trailing_slash() {
    let server = Server::start(vec![Reply::ok(json!(null))]).await;
    for suffix in ["/client/v4", "/client/v4/", "/client/v4//"] {
        let lookup = env(&[
            ("CLOUDFLARE_BASE_URL", &format!("{}{suffix}", server.url())),
            ("CLOUDFLARE_API_TOKEN", TOKEN),
        ]);
        let client = HttpClientBuilder::from_lookup(lookup)
            .unwrap()
            .build()
            .unwrap();
        assert_eq!(client.base_url(), format!("{}/client/v4", server.url()));
        client
            .get::<Value>(&ApiPath::new().lit("accounts"), &[], &RequestOptions::new())
            .await
            .unwrap();
    }
    let targets: Vec<_> = server.requests().iter().map(|r| r.target.clone()).collect();
    assert_eq!(targets, vec!["/client/v4/accounts"; 3]);
}

#[test]
fn default_base_url_is_production() {
    let client = HttpClient::builder()
        .credentials(Credentials::token("t"))
        .build()
        .unwrap();
    assert_eq!(client.base_url(), DEFAULT_BASE_URL);
    assert_eq!(client.scheme_name(), "api-token");
    let account: AccountId = "023e105f4ecef8ad9ca31a8372d0c353".parse().unwrap();
    let path = ApiPath::new()
        .lit("accounts")
        .id(&account)
        .unwrap()
        .lit("roles");
    assert_eq!(
        client.url_for(&path, &[("page", "2".to_owned())]).unwrap(),
        "https://api.cloudflare.com/client/v4/accounts/023e105f4ecef8ad9ca31a8372d0c353/roles?page=2"
    );
    let trailing = HttpClient::builder()
        .base_url("https://api.cloudflare.com/client/v4/")
        .credentials(Credentials::token("t"))
        .build()
        .unwrap();
    assert_eq!(trailing.base_url(), DEFAULT_BASE_URL);
}

#[tokio::test(start_paused = true)]
async fn user_agent_accept_and_content_type() {
    let server = Server::start(vec![Reply::ok(json!(null))]).await;
    let plain = server.client().build().unwrap();
    let suffixed = server
        .client()
        .user_agent_suffix("cf-members/1.2")
        .build()
        .unwrap();
    plain
        .get::<Value>(&ApiPath::new(), &[], &RequestOptions::new())
        .await
        .unwrap();
    suffixed
        .post::<Value, _>(&ApiPath::new(), &json!({"a": 1}), &RequestOptions::new())
        .await
        .unwrap();
    let requests = server.requests();
    let version = env!("CARGO_PKG_VERSION");
    assert_eq!(
        requests[0].header("user-agent"),
        Some(format!("member-http/{version}").as_str())
    );
    assert_eq!(requests[0].header("accept"), Some("application/json"));
    assert_eq!(requests[0].header("content-type"), None);
    assert_eq!(
        requests[1].header("user-agent"),
        Some(format!("member-http/{version} cf-members/1.2").as_str())
    );
    assert_eq!(requests[1].header("content-type"), Some("application/json"));
    assert_eq!(requests[1].body, br#"{"a":1}"#);
}

#[test]
fn plain_http_is_refused_for_non_loopback_hosts() {
    // `build` does no I/O: these hosts are never contacted, not even resolved.
    for url in [
        "http://api.cloudflare.com/client/v4",
        "http://example.invalid",
        "http://10.1.2.3:8080",
        "http://192.168.1.1",
        "http://[2001:db8::1]:80",
        "http://localhost.example.invalid",
        "http://0.0.0.0:8080",
    ] {
        let err = HttpClient::builder()
            .base_url(url)
            .credentials(Credentials::token(TOKEN))
            .build()
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Config, "{url}");
        assert!(err.to_string().contains("plain http"), "{url}: {err}");
    }
    for url in [
        "http://localhost:8080",
        "http://127.0.0.1:1",
        "http://127.4.5.6",
        "http://[::1]:9",
        "https://api.example.invalid",
    ] {
        HttpClient::builder()
            .base_url(url)
            .credentials(Credentials::token(TOKEN))
            .build()
            .unwrap_or_else(|e| panic!("{url}: {e}"));
    }
}

#[test]
fn invalid_base_urls_and_settings_are_config_errors() {
    let creds = || Credentials::token(TOKEN);
    for url in [
        "ftp://example.invalid",
        "not a url",
        "https://user:hunter2@example.invalid",
        "https://example.invalid/?x=1",
        "https://example.invalid/#top",
    ] {
        let err = HttpClient::builder()
            .base_url(url)
            .credentials(creds())
            .build()
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Config, "{url}");
        assert!(!format!("{err} {err:?}").contains("hunter2"), "{err:?}");
    }
    let zero = std::time::Duration::ZERO;
    let base = || HttpClient::builder().credentials(creds());
    let cases = [
        (base().timeout(zero), "timeouts"),
        (base().connect_timeout(zero), "timeouts"),
        (base().deadline(zero), "deadline"),
        (base().max_body_bytes(0), "body size limit"),
        (base().user_agent_suffix("bad\nsuffix"), "User-Agent"),
        (
            HttpClient::builder().credentials(Credentials::api_key("a\nb", "k")),
            "e-mail",
        ),
    ];
    for (builder, expected) in cases {
        let err = builder.build().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Config, "{err}");
        assert!(err.to_string().contains(expected), "{err}");
    }
}

#[tokio::test(start_paused = true)]
async fn invalid_input_is_refused_before_anything_is_sent() {
    let server = Server::start(vec![Reply::ok(json!(null))]).await;
    let client = server.client().build().unwrap();

    let bad = MemberId::from_server("../roles");
    let err = member_http::Error::from(ApiPath::new().lit("members").id(&bad).unwrap_err());
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(err.to_string().contains("member_id"), "{err}");

    for name in [
        "authorization",
        "x-auth-key",
        "x-auth-email",
        "cookie",
        "user-agent",
        "host",
    ] {
        let opts = RequestOptions::new().header(
            HeaderName::from_static(name),
            HeaderValue::from_static("sneaky"),
        );
        let err = client
            .get::<Value>(&ApiPath::new(), &[], &opts)
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{name}");
        assert!(err.is_local() && !err.may_have_been_applied());
    }

    let mut unserialisable = HashMap::new();
    unserialisable.insert(vec![1u8], 1);
    let err = client
        .post::<Value, _>(&ApiPath::new(), &unserialisable, &RequestOptions::new())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);

    assert_eq!(server.hits(), 0, "nothing reached the server");
}

#[tokio::test(start_paused = true)]
async fn typed_query_and_extra_headers_are_sent() {
    let server = Server::start(vec![Reply::ok(json!([]))]).await;
    let client = server.client().build().unwrap();
    let account: AccountId = "023e105f4ecef8ad9ca31a8372d0c353".parse().unwrap();
    let path = ApiPath::new()
        .lit("accounts")
        .id(&account)
        .unwrap()
        .lit("members");
    let params = ListMembersParams::new()
        .order(MemberOrder::Email)
        .status(MemberStatus::Accepted)
        .per_page(50)
        .unwrap();
    let opts = RequestOptions::new().header(
        HeaderName::from_static("x-request-id"),
        HeaderValue::from_static("req-1"),
    );
    client
        .get::<Value>(&path, &params.query_pairs(), &opts)
        .await
        .unwrap();
    client
        .request::<Value, ()>(
            Method::GET,
            &path,
            &[("q", "a b&c=d/é".to_owned())],
            None,
            &RequestOptions::new(),
        )
        .await
        .unwrap();
    let requests = server.requests();
    assert_eq!(
        requests[0].target,
        "/accounts/023e105f4ecef8ad9ca31a8372d0c353/members?order=user.email&status=accepted&per_page=50"
    );
    assert_eq!(requests[0].header("x-request-id"), Some("req-1"));
    assert_eq!(
        requests[1].target,
        "/accounts/023e105f4ecef8ad9ca31a8372d0c353/members?q=a+b%26c%3Dd%2F%C3%A9"
    );
}

#[test]
fn client_is_cheap_to_share() {
    fn shareable<T: Clone + Send + Sync + 'static>() {}
    shareable::<HttpClient>();
    fn error_type<E: std::error::Error + Send + Sync + 'static>() {}
    error_type::<member_http::Error>();
    fn send<T: Send>(_: &T) {}
    let client = HttpClient::builder()
        .credentials(Credentials::token("t"))
        .build()
        .unwrap();
    let path = ApiPath::new();
    let opts = RequestOptions::new();
    let future = client.get::<Value>(&path, &[], &opts);
    send(&future);
    let body = json!({});
    let future = client.put::<Value, _>(&path, &body, &opts);
    send(&future);
}
