//! What the client reports about itself: one tracing span per request with
//! method, path template, attempt, status, cf-ray and elapsed time; bodies
//! only at TRACE level; and the `on_attempt` callback after every attempt.

mod common;

use std::collections::{BTreeMap, HashMap};
use std::fmt::Debug;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{Reply, Server};
use member_http::{ApiPath, AttemptInfo, ErrorKind, Method, RequestOptions};
use member_types::{AccountId, MemberId};
use serde_json::{json, Value};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::Layer;

type Fields = BTreeMap<String, String>;

#[derive(Default)]
struct Captured {
    spans: Vec<(String, Fields)>,
    by_id: HashMap<u64, usize>,
    events: Vec<(Level, Fields)>,
}

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Captured>>);

struct Visitor<'a>(&'a mut Fields);

impl Visit for Visitor<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }
}

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Capture {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, _ctx: Context<'_, S>) {
        let mut fields = Fields::new();
        attrs.record(&mut Visitor(&mut fields));
        let mut captured = self.0.lock().unwrap();
        captured
            .spans
            .push((attrs.metadata().name().to_owned(), fields));
        let index = captured.spans.len() - 1;
        captured.by_id.insert(id.into_u64(), index);
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, _ctx: Context<'_, S>) {
        let mut captured = self.0.lock().unwrap();
        if let Some(&index) = captured.by_id.get(&id.into_u64()) {
            values.record(&mut Visitor(&mut captured.spans[index].1));
        }
    }

    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let mut fields = Fields::new();
        event.record(&mut Visitor(&mut fields));
        self.0
            .lock()
            .unwrap()
            .events
            .push((*event.metadata().level(), fields));
    }
}

/// Serialises the tests of this binary: tracing caches callsite interest
/// globally, and scoped subscribers coming and going on parallel test threads
/// make each other miss events.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Installs a subscriber capturing every level for this thread (the tests
/// run on a current-thread runtime, so the client's tasks log here too).
///
fn capture() -> (Capture, tracing::subscriber::DefaultGuard) {
    let layer = Capture::default();
    let subscriber = tracing_subscriber::registry().with(layer.clone());
    let guard = tracing::subscriber::set_default(subscriber);
    (layer, guard)
}

fn member_path() -> ApiPath {
    let account: AccountId = "023e105f4ecef8ad9ca31a8372d0c353".parse().unwrap();
    let member: MemberId = "4536bcfad5faccb111b47003c79917fa".parse().unwrap();
    ApiPath::new()
        .lit("accounts")
        .id(&account)
        .unwrap()
        .lit("members")
        .id(&member)
        .unwrap()
}

#[tokio::test(start_paused = true)]
async fn one_span_per_request_with_method_template_attempt_status_ray_elapsed() {
    let _serial = SERIAL.lock().await;
    let (captured, _guard) = capture();
    let server = Server::start(vec![
        Reply::fail(503, 10000, "busy").header("cf-ray", "8f00000000000001-LHR"),
        Reply::ok(json!({"id": "x"})).header("cf-ray", "8f00000000000002-LHR"),
        Reply::ok(json!(null)),
    ])
    .await;
    let client = server.client().build().unwrap();
    client
        .put::<Value, _>(
            &member_path(),
            &json!({"roles": []}),
            &RequestOptions::new(),
        )
        .await
        .unwrap();
    client
        .get::<Value>(&ApiPath::new().lit("accounts"), &[], &RequestOptions::new())
        .await
        .unwrap();

    let captured = captured.0.lock().unwrap();
    let requests: Vec<&Fields> = captured
        .spans
        .iter()
        .filter(|(name, _)| name == "cloudflare_request")
        .map(|(_, fields)| fields)
        .collect();
    assert_eq!(requests.len(), 2, "one span per request, not per attempt");
    let put = requests[0];
    assert_eq!(put["method"], "PUT");
    assert_eq!(put["path"], "/accounts/{account_id}/members/{member_id}");
    assert_eq!(put["attempt"], "2");
    assert_eq!(put["status"], "200");
    assert_eq!(put["cf_ray"], "8f00000000000002-LHR");
    let elapsed: u64 = put["elapsed_ms"].parse().unwrap();
    assert!(elapsed >= 375, "includes the backoff: {elapsed} ms");
    assert_eq!(requests[1]["method"], "GET");
    assert_eq!(requests[1]["path"], "/accounts");
    assert!(!requests[1].contains_key("cf_ray"));

    let attempt_events: Vec<&Fields> = captured
        .events
        .iter()
        .filter(|(_, f)| f.get("message").map(String::as_str) == Some("attempt finished"))
        .map(|(_, f)| f)
        .collect();
    assert_eq!(attempt_events.len(), 3);
    assert_eq!(attempt_events[0]["status"], "503");
    assert_eq!(attempt_events[0]["cf_ray"], "8f00000000000001-LHR");
    assert_eq!(attempt_events[0]["error"], "server");
    assert!(attempt_events[0].contains_key("retry_in_ms"));
}

#[tokio::test(start_paused = true)]
async fn bodies_are_logged_only_at_trace_level() {
    const MARKER: &str = "BODY-MARKER-7f3a";
    async fn run() {
        let server = Server::start(vec![Reply::ok(json!({"note": MARKER}))]).await;
        let client = server.client().build().unwrap();
        client
            .post::<Value, _>(
                &ApiPath::new().lit("things"),
                &json!({"sent": MARKER}),
                &RequestOptions::new(),
            )
            .await
            .unwrap();
    }
    let _serial = SERIAL.lock().await;
    let (captured, guard) = capture();
    run().await;
    drop(guard);
    let captured = captured.0.lock().unwrap();
    let all = format!("{:?} {:?}", captured.spans, captured.events);
    assert!(all.contains("attempt finished"), "{all}");
    assert!(
        captured
            .spans
            .iter()
            .all(|(_, f)| !format!("{f:?}").contains(MARKER)),
        "no body in span fields: {all}"
    );
    let with_body: Vec<_> = captured
        .events
        .iter()
        .filter(|(_, f)| format!("{f:?}").contains(MARKER))
        .map(|(level, f)| (*level, f["message"].clone()))
        .collect();
    assert_eq!(
        with_body,
        vec![
            (Level::TRACE, "request body".to_owned()),
            (Level::TRACE, "response body".to_owned())
        ],
        "bodies appear in TRACE events only: {all}"
    );
}

#[tokio::test(start_paused = true)]
async fn on_attempt_reports_every_attempt() {
    let _serial = SERIAL.lock().await;
    let server = Server::start(vec![
        Reply::fail(500, 10000, "oops").header("cf-ray", "8f00000000000003-SJC"),
        Reply::Reset,
        Reply::ok(json!(null)).after(Duration::from_millis(250)),
    ])
    .await;
    let seen: Arc<Mutex<Vec<AttemptInfo>>> = Arc::default();
    let sink = seen.clone();
    let client = server
        .client()
        .jitter_seed(3)
        .on_attempt(Arc::new(move |info: &AttemptInfo| {
            sink.lock().unwrap().push(info.clone())
        }))
        .build()
        .unwrap();
    client
        .request::<Option<Value>, ()>(
            Method::DELETE,
            &member_path(),
            &[],
            None,
            &RequestOptions::new(),
        )
        .await
        .unwrap();
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 3);
    for (i, info) in seen.iter().enumerate() {
        assert_eq!(info.attempt, i as u32 + 1);
        assert_eq!(info.method, Method::DELETE);
        assert_eq!(info.template, "/accounts/{account_id}/members/{member_id}");
        assert_eq!(info.path, member_path().as_str());
    }
    assert_eq!(
        (seen[0].status, seen[0].cf_ray.as_deref(), seen[0].error),
        (
            Some(500),
            Some("8f00000000000003-SJC"),
            Some(ErrorKind::Server)
        )
    );
    assert_eq!(
        (seen[1].status, seen[1].error),
        (None, Some(ErrorKind::Connection))
    );
    assert_eq!((seen[2].status, seen[2].error), (Some(200), None));
    assert!(seen[0].retry_in.is_some() && seen[1].retry_in.is_some());
    assert_eq!(seen[2].retry_in, None);
    assert!(
        seen[2].elapsed >= Duration::from_millis(250),
        "{:?}",
        seen[2].elapsed
    );
}
