//! Client configuration from the environment, per-request overrides, and the
//! client's thread-safety, against member-mock over loopback.

use std::collections::HashMap;
use std::time::Duration;

use member_client::{
    Client, Credentials, ErrorKind, HeaderName, HeaderValue, MemberId, RequestOptions,
};
use member_mock::default_seed::BOB;
use member_mock::{Fault, MockServer};

fn lookup(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let map: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    move |name| map.get(name).cloned()
}

#[test]
fn client_is_clone_send_sync() {
    fn assert_traits<T: Clone + Send + Sync + 'static>() {}
    assert_traits::<Client>();
    assert_traits::<member_client::Members>();
    assert_traits::<member_client::Roles>();
}

#[tokio::test]
async fn from_env_reads_every_variable_and_the_token_wins() {
    let mock = MockServer::start().await;
    let base = mock.base_url();
    let account = mock.account_id().to_string();
    let client = Client::from_lookup(lookup(&[
        ("CLOUDFLARE_BASE_URL", &base),
        ("CLOUDFLARE_API_TOKEN", mock.token()),
        ("CLOUDFLARE_EMAIL", "someone@example.com"),
        ("CLOUDFLARE_API_KEY", "wrong-key"),
        ("CLOUDFLARE_ACCOUNT_ID", &account),
    ]))
    .unwrap();
    assert_eq!(client.account_id().unwrap().as_str(), account);
    let member = client
        .default_members()
        .unwrap()
        .get(&MemberId::new(BOB).unwrap())
        .await
        .unwrap();
    assert_eq!(member.email(), Some("bob.dns@example.com"));
    let sent = mock.requests().pop().unwrap();
    assert!(sent.header("authorization").is_some());
    assert!(
        sent.header("x-auth-key").is_none(),
        "exactly one scheme is sent"
    );

    // The legacy key pair works on its own.
    let client = Client::from_lookup(lookup(&[
        ("CLOUDFLARE_BASE_URL", &base),
        ("CLOUDFLARE_EMAIL", mock.email()),
        ("CLOUDFLARE_API_KEY", mock.api_key()),
    ]))
    .unwrap();
    assert!(client.account_id().is_none());
    let err = client.default_members().unwrap_err();
    assert!(err.to_string().contains("CLOUDFLARE_ACCOUNT_ID"), "{err}");
    client
        .members(mock.account_id())
        .get(&MemberId::new(BOB).unwrap())
        .await
        .unwrap();
}

#[test]
fn from_env_errors_name_what_to_fix() {
    let err = Client::from_lookup(lookup(&[])).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Config);
    let text = err.to_string();
    for var in [
        "CLOUDFLARE_API_TOKEN",
        "CLOUDFLARE_EMAIL",
        "CLOUDFLARE_API_KEY",
        "CLOUDFLARE_API_USER_SERVICE_KEY",
    ] {
        assert!(text.contains(var), "{text}");
    }
    let err = Client::from_lookup(lookup(&[
        ("CLOUDFLARE_API_TOKEN", "t"),
        ("CLOUDFLARE_ACCOUNT_ID", "../accounts"),
    ]))
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(err.to_string().contains("account_id"), "{err}");
}

#[test]
fn credentials_over_plain_http_are_refused_for_remote_hosts() {
    let err = Client::builder()
        .base_url("http://api.cloudflare.com/client/v4")
        .credentials(Credentials::token("secret-token-value"))
        .build()
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Config);
    assert!(!format!("{err} {err:?}").contains("secret-token-value"));
}

#[tokio::test(start_paused = true)]
async fn per_request_timeout_retries_and_headers() {
    let mock = MockServer::start().await;
    let client = Client::builder()
        .base_url(&mock.base_url())
        .credentials(Credentials::token(mock.token()))
        .build()
        .unwrap();
    let members = client.members(mock.account_id());
    let bob = MemberId::new(BOB).unwrap();

    mock.inject(
        Fault::on("GET", "/accounts/*/members/*")
            .times(1)
            .delay(Duration::from_secs(5)),
    );
    let started = tokio::time::Instant::now();
    let err = members
        .get(&bob)
        .timeout(Duration::from_millis(200))
        .max_retries(0)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert_eq!(
        started.elapsed(),
        Duration::from_millis(200),
        "the timeout, not the delay"
    );

    mock.clear_faults();
    mock.clear_requests();
    members
        .get(&bob)
        .header(
            HeaderName::from_static("x-request-purpose"),
            HeaderValue::from_static("audit"),
        )
        .await
        .unwrap();
    let sent = mock.requests().pop().unwrap();
    assert_eq!(sent.header("x-request-purpose"), Some("audit"));

    // Options on the handle apply to every call made through it.
    mock.inject(
        Fault::on("GET", "/accounts/*/members/*")
            .times(1)
            .status(503)
            .text("busy"),
    );
    let strict = members
        .clone()
        .with_options(RequestOptions::new().max_retries(0));
    let err = strict.get(&bob).await.unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert_eq!(err.attempts(), Some(1));

    // A credential header cannot be smuggled in per request.
    let err = members
        .get(&bob)
        .header(
            HeaderName::from_static("x-auth-key"),
            HeaderValue::from_static("x"),
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
}
