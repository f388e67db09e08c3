//! Secrets never leak: not through `Debug` of credentials, builder or
//! client, not through `Display`, `Debug` or the source chain of any error,
//! not through attempt reports, and not through tracing output captured at
//! TRACE level (including `log` records of the HTTP stack, bridged in).
//!
//! One test in this binary, because it installs the global subscriber.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{refused_addr, Reply, Server};
use member_http::{
    ApiPath, AttemptInfo, Credentials, Error, HttpClient, HttpClientBuilder, Method, RequestOptions,
};
use serde_json::{json, Value};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::util::SubscriberInitExt;

const TOKEN: &str = "tok-SECRET-1111aaaa";
const KEY: &str = "key-SECRET-2222bbbb";
const SERVICE_KEY: &str = "svc-SECRET-3333cccc";
const SECRETS: [&str; 3] = [TOKEN, KEY, SERVICE_KEY];

#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Buffer {
    type Writer = Buffer;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

fn assert_clean(what: &str, text: &str) {
    for secret in SECRETS {
        assert!(!text.contains(secret), "{what} leaks a secret: {text}");
        // Not even a recognisable fragment of it.
        assert!(
            !text.contains(&secret[4..]),
            "{what} leaks part of a secret: {text}"
        );
    }
}

/// Display, Debug and the whole source chain of an error.
fn error_text(err: &Error) -> String {
    let mut text = format!("{err}\n{err:?}\n");
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        text.push_str(&format!("{cause}\n{cause:?}\n"));
        source = cause.source();
    }
    text
}

fn schemes() -> Vec<Credentials> {
    vec![
        Credentials::token(TOKEN),
        Credentials::api_key("ops@example.com", KEY),
        Credentials::user_service_key(SERVICE_KEY),
    ]
}

#[tokio::test(start_paused = true)]
async fn secrets_never_appear_in_debug_display_errors_or_trace_output() {
    let buffer = Buffer::default();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(buffer.clone())
        .finish()
        .try_init()
        .expect("the only subscriber of this binary");

    let mut texts: Vec<(String, String)> = Vec::new();
    let attempts: Arc<Mutex<Vec<AttemptInfo>>> = Arc::default();

    for credentials in schemes() {
        let scheme = credentials.scheme_name();
        texts.push((format!("{scheme} credentials"), format!("{credentials:?}")));

        let server = Server::start(vec![
            Reply::ok(json!({"id": "m1"}))
                .header("cf-ray", "8f00aa11bb22cc33-LHR")
                .header("ratelimit", "\"default\";r=5;t=3"),
            Reply::raw(502, "text/html", "<html><h1>502 Bad Gateway</h1></html>")
                .header("cf-ray", "8f00aa11bb22cc34-LHR"),
            Reply::fail(429, 10100, "rate limited").header("retry-after", "600"),
            Reply::raw(301, "text/plain", "").header("location", "http://127.0.0.1:9/x"),
            Reply::ok(json!({"id": 5})),
            Reply::Stream {
                status: 200,
                total: 4096,
                declare_length: true,
            },
            Reply::Reset,
            Reply::ok(json!(1)).after(Duration::from_secs(3600)),
            Reply::fail(400, 6003, "Invalid request headers"),
        ])
        .await;
        let sink = attempts.clone();
        let builder: HttpClientBuilder = server
            .client()
            .credentials(credentials.clone())
            .max_retries(0)
            .max_body_bytes(1024)
            .timeout(Duration::from_secs(5))
            .on_attempt(Arc::new(move |info: &AttemptInfo| {
                sink.lock().unwrap().push(info.clone());
            }));
        texts.push((format!("{scheme} builder"), format!("{builder:?}")));
        let client = builder.build().unwrap();
        texts.push((format!("{scheme} client"), format!("{client:?}")));

        let path = ApiPath::new().lit("accounts");
        let opts = RequestOptions::new();
        let ok = client.get::<Value>(&path, &[], &opts).await.unwrap();
        texts.push((format!("{scheme} response"), format!("{ok:?}")));
        for _ in 0..7 {
            let err = client
                .request::<Vec<String>, _>(Method::POST, &path, &[], Some(&json!({"k": 1})), &opts)
                .await
                .unwrap_err();
            texts.push((format!("{scheme} {}", err.kind()), error_text(&err)));
        }
        let last = client.delete::<Value>(&path, &opts).await.unwrap_err();
        texts.push((format!("{scheme} 400"), error_text(&last)));
        assert_eq!(server.hits(), 9);

        let refused = server
            .client()
            .credentials(credentials.clone())
            .base_url(&format!("http://{}", refused_addr()))
            .max_retries(0)
            .build()
            .unwrap();
        let err = refused.get::<Value>(&path, &[], &opts).await.unwrap_err();
        texts.push((format!("{scheme} connect"), error_text(&err)));

        let plain = HttpClient::builder()
            .credentials(credentials.clone())
            .base_url("http://api.example.invalid")
            .build()
            .unwrap_err();
        texts.push((format!("{scheme} plain http"), error_text(&plain)));
    }

    // Secrets that are not valid header values are refused without echo.
    for credentials in [
        Credentials::token(format!("{TOKEN}\n")),
        Credentials::api_key("ops@example.com", format!("{KEY}\r\nX: y")),
        Credentials::user_service_key(format!("{SERVICE_KEY}\u{7f}")),
    ] {
        let err = HttpClient::builder()
            .credentials(credentials)
            .build()
            .unwrap_err();
        texts.push(("invalid secret".to_owned(), error_text(&err)));
    }
    let env = |name: &str| match name {
        "CLOUDFLARE_API_TOKEN" => Some(TOKEN.to_owned()),
        "CLOUDFLARE_API_KEY" => Some(KEY.to_owned()),
        _ => None,
    };
    texts.push((
        "env builder".to_owned(),
        format!("{:?}", HttpClientBuilder::from_lookup(env).unwrap()),
    ));
    let half_pair = |name: &str| (name == "CLOUDFLARE_API_KEY").then(|| KEY.to_owned());
    texts.push((
        "half pair".to_owned(),
        error_text(&Credentials::from_lookup(half_pair).unwrap_err()),
    ));

    for info in attempts.lock().unwrap().iter() {
        texts.push(("attempt".to_owned(), format!("{info:?}")));
    }
    assert!(texts.len() > 40, "{} texts checked", texts.len());
    for (what, text) in &texts {
        assert_clean(what, text);
    }

    let output = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
    // The capture really ran at TRACE, over our spans and the HTTP stack.
    assert!(output.contains("cloudflare_request"), "{output}");
    assert!(output.contains("TRACE"), "{output}");
    assert!(output.contains("response body"), "{output}");
    assert!(output.contains("8f00aa11bb22cc33-LHR"), "{output}");
    assert!(output.contains("hyper_util"), "{output}");
    assert!(
        output.contains("reqwest::connect"),
        "log records are bridged: {output}"
    );
    assert_clean("trace output", &output);
}
