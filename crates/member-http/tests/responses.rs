//! Response handling: the envelope decides with the status, error bodies of
//! every shape keep what the server said, decode failures name the JSON
//! path, redirects are refused, and bodies are capped while streaming.

mod common;

use std::time::Duration;

use common::{Reply, Server};
use member_http::{ApiPath, Error, ErrorKind, Method, RequestOptions};
use serde::Deserialize;
use serde_json::{json, Value};

fn path() -> ApiPath {
    ApiPath::new().lit("accounts")
}

fn no_retry() -> RequestOptions {
    RequestOptions::new().max_retries(0)
}

async fn get_err(reply: Reply) -> (Error, Server) {
    let server = Server::start(vec![reply]).await;
    let client = server.client().build().unwrap();
    let err = client
        .get::<Value>(&path(), &[], &no_retry())
        .await
        .expect_err("an error");
    (err, server)
}

#[tokio::test(start_paused = true)]
async fn success_carries_status_headers_messages_and_result_info() {
    let server = Server::start(vec![Reply::json(
        200,
        json!({
            "success": true,
            "errors": [],
            "messages": [{"code": 10, "message": "fyi"}],
            "result": [{"id": "a"}, {"id": "b"}],
            "result_info": {"page": 1, "per_page": 20.0, "count": 2, "total_count": 2}
        }),
    )
    .header("cf-ray", "8f1b2c3d4e5f6a7b-AMS")
    .header("ratelimit", "\"default\";r=50;t=30")
    .header("ratelimit-policy", "\"default\";q=1200;w=300")])
    .await;
    let client = server.client().build().unwrap();
    let response = client
        .get::<Vec<Value>>(&path(), &[], &RequestOptions::new())
        .await
        .unwrap();
    assert_eq!(response.status, 200);
    assert_eq!(response.attempts, 1);
    assert_eq!(response.result.len(), 2);
    assert_eq!(response.messages[0].code, 10);
    let info = response.result_info.clone().unwrap();
    assert_eq!((info.per_page, info.total_count), (Some(20), Some(2)));
    assert_eq!(response.cf_ray(), Some("8f1b2c3d4e5f6a7b-AMS"));
    let limit = response.rate_limit().unwrap();
    assert_eq!(limit.remaining, Some(50));
    assert_eq!(limit.reset, Some(Duration::from_secs(30)));
    assert_eq!(
        response.rate_limit_policy(),
        Some("\"default\";q=1200;w=300")
    );
}

#[tokio::test(start_paused = true)]
async fn success_false_in_a_200_is_an_error() {
    let (err, _) = get_err(Reply::json(
        200,
        json!({"success": false, "errors": [{"code": 1001, "message": "Invalid request"}], "messages": [], "result": {}}),
    ))
    .await;
    assert_eq!(err.kind(), ErrorKind::Unsuccessful);
    assert_eq!(err.status(), Some(200));
    assert_eq!(err.codes(), vec![1001]);
    assert!(err.to_string().contains("success:false"), "{err}");
}

#[tokio::test(start_paused = true)]
async fn failure_result_may_be_null_empty_or_missing() {
    let bodies = [
        json!({"success": false, "errors": [{"code": 7003, "message": "No route"}], "messages": [], "result": null}),
        json!({"success": false, "errors": [{"code": 7003, "message": "No route"}], "messages": [], "result": []}),
        json!({"success": false, "errors": [{"code": 7003, "message": "No route"}], "messages": []}),
        json!({"success": false, "errors": [{"code": 7003, "message": "No route"}]}),
    ];
    for status in [404, 200] {
        for body in &bodies {
            let (err, _) = get_err(Reply::json(status, body.clone())).await;
            assert_eq!(err.codes(), vec![7003], "{status} {body}");
            assert_eq!(err.status(), Some(status));
            assert_eq!(err.excerpt(), None, "an envelope needs no excerpt");
            assert_eq!(err.errors()[0].message, "No route");
        }
    }
}

#[tokio::test(start_paused = true)]
async fn html_502_from_the_edge_keeps_status_ray_and_excerpt() {
    let html = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n\
                <center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>cloudflare</center>\r\n"
        .to_owned()
        + &"<!-- padding -->\n".repeat(40)
        + "</body>\r\n</html>\r\n";
    let (err, server) =
        get_err(Reply::raw(502, "text/html", html).header("cf-ray", "8f00aa11bb22cc33-LHR")).await;
    assert_eq!(server.hits(), 1);
    assert_eq!(err.kind(), ErrorKind::Server);
    assert_eq!(err.status(), Some(502));
    assert_eq!(err.cf_ray(), Some("8f00aa11bb22cc33-LHR"));
    let excerpt = err.excerpt().expect("an excerpt");
    assert!(
        excerpt.starts_with(
            "<html> <head><title>502 Bad Gateway</title></head> <body> <center><h1>502 Bad Gateway</h1>"
        ),
        "{excerpt}"
    );
    assert!(
        excerpt.chars().count() <= 201 && excerpt.ends_with('…'),
        "{excerpt}"
    );
    assert!(err.codes().is_empty());
    let text = err.to_string();
    assert!(text.contains("HTTP 502 Bad Gateway"), "{text}");
    assert!(text.contains("cf-ray 8f00aa11bb22cc33-LHR"), "{text}");
    assert!(text.contains("not a Cloudflare envelope"), "{text}");
}

#[tokio::test(start_paused = true)]
async fn other_non_envelope_bodies_keep_an_excerpt() {
    let cases = [
        (429, "application/json", "null", "null"),
        (
            500,
            "text/plain",
            "upstream  exploded\n\n",
            "upstream exploded",
        ),
        (
            503,
            "application/json",
            "{\"error\":\"x\"}",
            "{\"error\":\"x\"}",
        ),
        (404, "text/plain", "", ""),
    ];
    for (status, content_type, body, excerpt) in cases {
        let (err, _) = get_err(Reply::raw(status, content_type, body)).await;
        assert_eq!(err.status(), Some(status));
        assert_eq!(err.excerpt(), Some(excerpt), "{status}");
    }
    let (err, _) = get_err(Reply::raw(429, "application/json", "null")).await;
    assert!(err.is_rate_limited());
}

#[tokio::test(start_paused = true)]
async fn every_error_detail_is_kept_including_wide_codes_and_chains() {
    let (err, _) = get_err(Reply::json(
        400,
        json!({
            "success": false,
            "errors": [
                {"code": 6003, "message": "Invalid request headers",
                 "error_chain": [
                     {"code": 6102, "message": "Invalid format for X-Auth-Email header"},
                     {"code": 6103, "message": "Invalid format for X-Auth-Key header"}
                 ]},
                {"code": 81053, "message": "Too big",
                 "documentation_url": "https://developers.cloudflare.com/x",
                 "source": {"pointer": "/roles/0"},
                 "type": "validation"}
            ],
            "messages": [{"code": 3, "message": "note"}],
            "result": null
        }),
    ))
    .await;
    assert_eq!(err.kind(), ErrorKind::BadRequest);
    assert_eq!(err.codes(), vec![6003, 6102, 6103, 81053]);
    let wide = &err.errors()[1];
    assert_eq!(wide.code, 81053);
    assert_eq!(
        wide.documentation_url.as_deref(),
        Some("https://developers.cloudflare.com/x")
    );
    assert_eq!(
        wide.source.as_ref().and_then(|s| s.pointer.as_deref()),
        Some("/roles/0")
    );
    assert_eq!(wide.other["type"], "validation");
    assert_eq!(err.messages()[0].message, "note");
    let text = err.to_string();
    assert!(
        text.contains("6003 Invalid request headers [6102"),
        "{text}"
    );
    assert!(text.contains("81053 Too big (at /roles/0)"), "{text}");
}

#[derive(Debug, Deserialize)]
#[allow(dead_code, reason = "only decoding is tested")]
struct Member {
    id: String,
    roles: Vec<Role>,
}

#[derive(Debug, Deserialize)]
#[allow(dead_code, reason = "only decoding is tested")]
struct Role {
    id: String,
}

#[tokio::test(start_paused = true)]
async fn a_2xx_that_does_not_decode_names_the_json_path() {
    let server = Server::start(vec![Reply::ok(
        json!({"id": "m1", "roles": [{"id": "r1"}, {"id": 42}]}),
    )])
    .await;
    let client = server.client().build().unwrap();
    let err = client
        .get::<Member>(&path(), &[], &RequestOptions::new())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert!(err.may_have_been_applied(), "the server did answer 2xx");
    let Error::Decode(decode) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(decode.json_path(), Some("result.roles[1].id"));
    assert!(err.to_string().contains("`result.roles[1].id`"), "{err}");
    assert_eq!(server.hits(), 1, "decode failures are not retried");
}

#[tokio::test(start_paused = true)]
async fn a_2xx_that_is_not_an_envelope_is_a_decode_error_with_excerpt() {
    for body in [
        "<html>maintenance</html>",
        "",
        "{\"success\":true} trailing",
    ] {
        let (err, _) = get_err(Reply::raw(200, "text/html", body)).await;
        assert_eq!(err.kind(), ErrorKind::Decode, "{body}");
        assert_eq!(err.status(), Some(200));
    }
    let (err, _) = get_err(Reply::raw(200, "text/html", "<html>maintenance</html>")).await;
    assert_eq!(err.excerpt(), Some("<html>maintenance</html>"));
    let (err, _) = get_err(Reply::json(200, json!({"success": "yes"}))).await;
    let Error::Decode(decode) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(decode.json_path(), Some("success"));
}

#[tokio::test(start_paused = true)]
async fn a_missing_or_null_result_decodes_as_null() {
    let server = Server::start(vec![
        Reply::json(200, json!({"success": true, "errors": [], "messages": []})),
        Reply::ok(json!(null)),
        Reply::ok(json!({"id": "4536bcfad5faccb111b47003c79917fa"})),
        Reply::Respond {
            status: 204,
            headers: vec![],
            body: vec![],
        },
    ])
    .await;
    let client = server.client().build().unwrap();
    let opts = RequestOptions::new();
    let missing = client
        .delete::<Option<Value>>(&path(), &opts)
        .await
        .unwrap();
    assert_eq!(missing.result, None);
    let null = client
        .delete::<Option<Value>>(&path(), &opts)
        .await
        .unwrap();
    assert_eq!(null.result, None);
    let id = client
        .delete::<Option<Value>>(&path(), &opts)
        .await
        .unwrap();
    assert_eq!(id.result.unwrap()["id"], "4536bcfad5faccb111b47003c79917fa");
    let empty = client
        .delete::<Option<Value>>(&path(), &opts)
        .await
        .unwrap();
    assert_eq!((empty.status, empty.result), (204, None));
    assert!(server
        .requests()
        .iter()
        .all(|r| r.method == "DELETE" && r.body.is_empty()));
}

#[tokio::test(start_paused = true)]
async fn raw_result_is_kept_exactly_as_received() {
    let body = r#"{"success":true,"errors":[],"messages":[],"result":{"z":1.0,"a":[1e2, "é"]}}"#;
    let server = Server::start(vec![Reply::raw(200, "application/json", body)]).await;
    let client = server.client().build().unwrap();
    let response = client
        .request_raw::<()>(Method::GET, &path(), &[], None, &RequestOptions::new())
        .await
        .unwrap();
    assert_eq!(response.result.get(), r#"{"z":1.0,"a":[1e2, "é"]}"#);
}

#[tokio::test(start_paused = true)]
async fn redirects_are_refused_and_name_the_location() {
    // The Location points at a second loopback server, which must see nothing.
    let elsewhere = Server::start(vec![Reply::ok(json!("followed"))]).await;
    let location = format!("{}/client/v4/accounts", elsewhere.url());
    for status in [301, 302, 307, 308] {
        let (err, server) =
            get_err(Reply::raw(status, "text/plain", "moved").header("location", &location)).await;
        assert_eq!(err.kind(), ErrorKind::Redirect, "{status}");
        assert_eq!(err.status(), Some(status));
        assert_eq!(server.hits(), 1);
        let Error::Redirect(redirect) = &err else {
            panic!("{err:?}")
        };
        assert_eq!(redirect.location(), Some(location.as_str()));
        assert!(err.to_string().contains(&location), "{err}");
        assert!(!err.may_have_been_applied(), "a GET");
    }
    assert_eq!(elsewhere.hits(), 0, "redirects are never followed");
}

const MIB: usize = 1024 * 1024;

/// Waits until the streaming server has stopped writing.
async fn settled(server: &Server) -> usize {
    let mut last = usize::MAX;
    loop {
        tokio::time::sleep(Duration::from_millis(50)).await;
        let now = server.body_bytes_sent();
        if now == last {
            return now;
        }
        last = now;
    }
}

#[tokio::test(start_paused = true)]
async fn a_declared_48_mib_body_is_refused_before_reading() {
    let server = Server::start(vec![Reply::Stream {
        status: 200,
        total: 48 * MIB,
        declare_length: true,
    }])
    .await;
    let client = server.client().build().unwrap();
    let err = client
        .get::<Value>(&path(), &[], &RequestOptions::new())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::BodyTooLarge);
    let Error::BodyTooLarge(too_large) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(too_large.declared(), Some(48 * MIB as u64));
    assert_eq!(too_large.limit(), 16 * MIB);
    let sent = settled(&server).await;
    assert!(
        sent < 16 * MIB,
        "the client stopped the transfer: {sent} bytes sent"
    );
    assert_eq!(server.hits(), 1, "not retried");
}

#[tokio::test(start_paused = true)]
async fn a_streamed_48_mib_body_is_cut_off_at_the_cap() {
    let server = Server::start(vec![Reply::Stream {
        status: 200,
        total: 48 * MIB,
        declare_length: false,
    }])
    .await;
    let client = server.client().build().unwrap();
    let err = client
        .get::<Value>(&path(), &[], &RequestOptions::new())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::BodyTooLarge);
    let Error::BodyTooLarge(too_large) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(too_large.declared(), None);
    let sent = settled(&server).await;
    // The cap plus what the loopback socket buffers hold; far from 48 MiB.
    assert!(
        sent > 16 * MIB && sent < 32 * MIB,
        "the client read up to the cap and stopped: {sent} bytes sent"
    );
}

#[tokio::test(start_paused = true)]
async fn the_body_cap_is_configurable() {
    let big = json!({"success": true, "errors": [], "messages": [], "result": "x".repeat(2000)});
    let server = Server::start(vec![Reply::json(200, big.clone()), Reply::json(200, big)]).await;
    let small = server.client().max_body_bytes(1024).build().unwrap();
    let err = small
        .get::<Value>(&path(), &[], &RequestOptions::new())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::BodyTooLarge);
    let roomy = server.client().max_body_bytes(4096).build().unwrap();
    roomy
        .get::<Value>(&path(), &[], &RequestOptions::new())
        .await
        .expect("fits");
}

/// A 2xx whose `result` does not decode: the attempt itself succeeded (the
/// hook sees no error), and the decode error comes after, with its path,
/// whichever decoding path the client took first.
#[tokio::test(start_paused = true)]
async fn a_result_that_does_not_decode_fails_after_a_successful_attempt() {
    use std::sync::{Arc, Mutex};

    use member_http::AttemptInfo;

    let server = Server::start(vec![Reply::ok(json!({"id": "m1", "roles": [{"id": 7}]}))]).await;
    let seen: Arc<Mutex<Vec<AttemptInfo>>> = Arc::default();
    let sink = seen.clone();
    let client = server
        .client()
        .on_attempt(Arc::new(move |info: &AttemptInfo| {
            sink.lock().unwrap().push(info.clone())
        }))
        .build()
        .unwrap();
    let err = client
        .get::<Member>(&path(), &[], &RequestOptions::new())
        .await
        .unwrap_err();
    let Error::Decode(decode) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(decode.json_path(), Some("result.roles[0].id"));
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 1);
    assert_eq!((seen[0].status, seen[0].error), (Some(200), None));
}

#[tokio::test(start_paused = true)]
async fn not_found_is_a_404_or_a_not_found_code() {
    let (err, _) = get_err(Reply::fail(404, 1003, "Member not found")).await;
    assert!(err.is_not_found(), "{err}");
    let (err, _) = get_err(Reply::raw(404, "text/html", "<html>gone</html>")).await;
    assert!(err.is_not_found(), "{err}");
    let (err, _) = get_err(Reply::json(
        200,
        json!({"success": false, "errors": [{"code": 7003, "message": "Could not route"}], "messages": [], "result": null}),
    ))
    .await;
    assert_eq!(err.kind(), ErrorKind::Unsuccessful);
    assert!(err.is_not_found(), "{err}");
    for (status, code) in [(403, 10000), (400, 1001), (500, 7001)] {
        let (err, _) = get_err(Reply::fail(status, code, "no")).await;
        assert!(!err.is_not_found(), "{status} {code}: {err}");
        assert!(!err.is_timeout(), "{status} {code}: {err}");
    }
}
