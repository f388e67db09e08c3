//! Compressed answers: the client asks for gzip, reqwest decompresses, and
//! the body cap applies to what the answer inflates to (a compressed bomb is
//! refused). A scripted server on 127.0.0.1.

mod common;

use std::io::Write;

use common::{Reply, Server};
use member_http::{ApiPath, Error, ErrorKind, RequestOptions};
use serde_json::{json, Value};

const MIB: usize = 1024 * 1024;

fn path() -> ApiPath {
    ApiPath::new().lit("things")
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

/// A 200 whose body is `body` gzip-compressed.
fn gzipped(body: &[u8]) -> Reply {
    Reply::raw(200, "application/json", gzip(body)).header("content-encoding", "gzip")
}

#[tokio::test]
async fn gzip_is_asked_for_and_decompressed() {
    let envelope = json!({"success": true, "errors": [], "messages": [], "result": {"n": 7}});
    let server = Server::start(vec![gzipped(envelope.to_string().as_bytes())]).await;
    let client = server.client().build().unwrap();
    let response = client
        .get::<Value>(&path(), &[], &RequestOptions::new())
        .await
        .unwrap();
    assert_eq!(response.result, json!({"n": 7}));
    assert_eq!(server.requests()[0].header("accept-encoding"), Some("gzip"));
}

/// A caller's own `Accept-Encoding` is sent as given (not replaced by gzip), and the rest
/// of the client's headers still go with it.
#[tokio::test]
async fn a_callers_accept_encoding_is_kept() {
    let server = Server::start(vec![Reply::ok(json!(1))]).await;
    let client = server.client().build().unwrap();
    let options = RequestOptions::new().header(
        member_http::HeaderName::from_static("accept-encoding"),
        member_http::HeaderValue::from_static("identity"),
    );
    client.get::<Value>(&path(), &[], &options).await.unwrap();
    let request = &server.requests()[0];
    assert_eq!(request.header("accept-encoding"), Some("identity"));
    assert!(request.header("authorization").is_some());
    assert!(request.header("user-agent").is_some());
}

#[tokio::test]
async fn compression_can_be_turned_off() {
    let server = Server::start(vec![Reply::ok(json!(1))]).await;
    let client = server.client().compression(false).build().unwrap();
    client
        .get::<Value>(&path(), &[], &RequestOptions::new())
        .await
        .unwrap();
    assert_eq!(server.requests()[0].header("accept-encoding"), None);
}

#[tokio::test]
async fn a_compressed_bomb_is_refused_at_the_cap() {
    // 8 MiB of JSON that compresses to a few KiB, under a 1 MiB cap: the
    // compressed answer is far below the cap, what it inflates to is not.
    let mut body = br#"{"success":true,"errors":[],"messages":[],"result":""#.to_vec();
    body.resize(8 * MIB, b'a');
    body.extend_from_slice(br#""}"#);
    let bomb = gzip(&body);
    assert!(bomb.len() < 64 * 1024, "{} bytes compressed", bomb.len());
    let server = Server::start(vec![gzipped(&body)]).await;
    let client = server.client().max_body_bytes(MIB).build().unwrap();
    let err = client
        .get::<Value>(&path(), &[], &RequestOptions::new())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::BodyTooLarge, "{err:?}");
    let Error::BodyTooLarge(too_large) = &err else {
        panic!("{err:?}")
    };
    // The compressed length is no measure of the body: not taken as one.
    assert_eq!(too_large.declared(), None);
    assert_eq!(too_large.limit(), MIB);
    assert_eq!(server.hits(), 1, "not retried");

    // The same answer fits a cap above what it inflates to.
    let server = Server::start(vec![gzipped(&body)]).await;
    let roomy = server.client().max_body_bytes(9 * MIB).build().unwrap();
    let response = roomy
        .get::<Value>(&path(), &[], &RequestOptions::new())
        .await
        .unwrap();
    assert_eq!(response.result.as_str().map(str::len), Some(8 * MIB - 52));
}

#[tokio::test]
async fn a_corrupt_compressed_body_is_a_body_failure() {
    let mut bytes = gzip(br#"{"success":true,"errors":[],"messages":[],"result":1}"#);
    let half = bytes.len() / 2;
    bytes.truncate(half);
    let server = Server::start(vec![
        Reply::raw(200, "application/json", bytes).header("content-encoding", "gzip")
    ])
    .await;
    let client = server.client().max_retries(0).build().unwrap();
    let err = client
        .get::<Value>(&path(), &[], &RequestOptions::new())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Connection, "{err:?}");
}
