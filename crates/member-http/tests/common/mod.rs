//! A scripted HTTP/1.1 server on 127.0.0.1 for the integration tests.
//!
//! It runs on the test's own Tokio runtime, so with `start_paused` its delays
//! use the same virtual clock as the client's timeouts and backoff. Every
//! connection carries one request and is closed after the reply (or reset,
//! or left hanging), which lets a test choose exactly how each attempt fails.

#![allow(
    dead_code,
    reason = "each test file uses a different part of the helper"
)]

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use member_http::{Credentials, HttpClientBuilder};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::Instant;

/// The token the tests authenticate with.
pub const TOKEN: &str = "tok-SECRET-0123456789abcdef";

/// One scripted reply.
#[derive(Clone, Debug)]
pub enum Reply {
    /// A complete response with `Content-Length` and `Connection: close`.
    Respond {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    /// Waits (on the runtime's clock) before the inner reply.
    Delay(Duration, Box<Reply>),
    /// Reads the request, then closes the connection without answering.
    Close,
    /// Reads the request, then resets the connection (RST).
    Reset,
    /// Streams `total` body bytes in 64 KiB chunks, chunked or with a
    /// `Content-Length`, counting what was written.
    Stream {
        status: u16,
        total: usize,
        declare_length: bool,
    },
    /// Sends the response head, then a part of the body, then hangs.
    SlowBody { status: u16, declared: usize },
}

impl Reply {
    /// A JSON response.
    pub fn json(status: u16, body: serde_json::Value) -> Self {
        Self::raw(status, "application/json", body.to_string())
    }

    /// A response with any content type and body.
    pub fn raw(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        Self::Respond {
            status,
            headers: vec![("content-type".into(), content_type.into())],
            body: body.into(),
        }
    }

    /// `{"success":true,"errors":[],"messages":[],"result":result}`.
    pub fn ok(result: serde_json::Value) -> Self {
        Self::json(
            200,
            serde_json::json!({"success": true, "errors": [], "messages": [], "result": result}),
        )
    }

    /// A failure envelope with one error.
    pub fn fail(status: u16, code: i64, message: &str) -> Self {
        Self::json(
            status,
            serde_json::json!({
                "success": false,
                "errors": [{"code": code, "message": message}],
                "messages": [],
                "result": null
            }),
        )
    }

    /// Adds a response header.
    pub fn header(self, name: &str, value: &str) -> Self {
        match self {
            Self::Respond {
                status,
                mut headers,
                body,
            } => {
                headers.push((name.into(), value.into()));
                Self::Respond {
                    status,
                    headers,
                    body,
                }
            }
            Self::Delay(d, inner) => Self::Delay(d, Box::new(inner.header(name, value))),
            other => panic!("cannot add a header to {other:?}"),
        }
    }

    /// Delays this reply.
    pub fn after(self, delay: Duration) -> Self {
        Self::Delay(delay, Box::new(self))
    }
}

/// What the server received.
#[derive(Clone, Debug)]
pub struct Recorded {
    pub method: String,
    /// Path and query, as sent.
    pub target: String,
    /// Header names in lower case, in order.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// When the request head had arrived (runtime clock).
    pub at: Instant,
}

impl Recorded {
    /// Every value of a header.
    pub fn header_values(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The only value of a header.
    pub fn header(&self, name: &str) -> Option<&str> {
        let values = self.header_values(name);
        assert!(values.len() <= 1, "{name} sent {} times", values.len());
        values.first().copied()
    }
}

#[derive(Default)]
struct State {
    script: Mutex<VecDeque<Reply>>,
    last: Mutex<Option<Reply>>,
    requests: Mutex<Vec<Recorded>>,
    body_bytes_sent: AtomicUsize,
    connections: AtomicUsize,
}

/// A running server. Replies are used in order; the last one repeats.
pub struct Server {
    addr: SocketAddr,
    state: Arc<State>,
}

impl Server {
    /// Starts a server on 127.0.0.1 with this script.
    pub async fn start(script: Vec<Reply>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        Self::serve(listener, script)
    }

    /// Serves on an already bound listener.
    pub fn serve(listener: TcpListener, script: Vec<Reply>) -> Self {
        let addr = listener.local_addr().expect("local addr");
        let state = Arc::new(State {
            script: Mutex::new(script.into()),
            ..State::default()
        });
        let accept_state = state.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                accept_state.connections.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(handle(stream, accept_state.clone()));
            }
        });
        Self { addr, state }
    }

    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// A client builder aimed at this server with the test token.
    pub fn client(&self) -> HttpClientBuilder {
        member_http::HttpClient::builder()
            .base_url(&self.url())
            .credentials(Credentials::token(TOKEN))
    }

    /// Requests received so far.
    pub fn requests(&self) -> Vec<Recorded> {
        self.state.requests.lock().unwrap().clone()
    }

    /// How many requests arrived.
    pub fn hits(&self) -> usize {
        self.state.requests.lock().unwrap().len()
    }

    /// Body bytes written by `Reply::Stream`.
    pub fn body_bytes_sent(&self) -> usize {
        self.state.body_bytes_sent.load(Ordering::SeqCst)
    }
}

/// An address on 127.0.0.1 where nothing listens (connections are refused).
pub fn refused_addr() -> SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr")
}

fn next_reply(state: &State) -> Reply {
    let mut script = state.script.lock().unwrap();
    let mut last = state.last.lock().unwrap();
    match script.pop_front() {
        Some(reply) => {
            *last = Some(reply.clone());
            reply
        }
        None => last.clone().expect("the test server has no script"),
    }
}

async fn read_request(stream: &mut TcpStream) -> Option<Recorded> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(pos) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break pos;
        }
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let at = Instant::now();
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next()?.split(' ');
    let method = request_line.next()?.to_owned();
    let target = request_line.next()?.to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = buf[head_end + 4..].to_vec();
    while body.len() < length {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Some(Recorded {
        method,
        target,
        headers,
        body,
        at,
    })
}

fn head(status: u16, headers: &[(String, String)], framing: &str) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status} Scripted\r\n");
    for (name, value) in headers {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    out.push_str(framing);
    out.push_str("connection: close\r\n\r\n");
    out.into_bytes()
}

async fn handle(mut stream: TcpStream, state: Arc<State>) {
    let Some(request) = read_request(&mut stream).await else {
        return;
    };
    state.requests.lock().unwrap().push(request);
    let mut reply = next_reply(&state);
    while let Reply::Delay(delay, inner) = reply {
        tokio::time::sleep(delay).await;
        reply = *inner;
    }
    match reply {
        Reply::Respond {
            status,
            headers,
            body,
        } => {
            let mut out = head(
                status,
                &headers,
                &format!("content-length: {}\r\n", body.len()),
            );
            out.extend_from_slice(&body);
            let _ = stream.write_all(&out).await;
            let _ = stream.shutdown().await;
        }
        Reply::Delay(..) => unreachable!(),
        Reply::Close => {
            let _ = stream.shutdown().await;
        }
        Reply::Reset => {
            let _ = stream.set_zero_linger();
            drop(stream);
        }
        Reply::Stream {
            status,
            total,
            declare_length,
        } => {
            let framing = if declare_length {
                format!("content-length: {total}\r\n")
            } else {
                "transfer-encoding: chunked\r\n".to_owned()
            };
            let headers = [("content-type".to_owned(), "application/json".to_owned())];
            if stream
                .write_all(&head(status, &headers, &framing))
                .await
                .is_err()
            {
                return;
            }
            let chunk = vec![b' '; 64 * 1024];
            let mut sent = 0;
            while sent < total {
                let n = chunk.len().min(total - sent);
                let ok = if declare_length {
                    stream.write_all(&chunk[..n]).await
                } else {
                    let mut framed = format!("{n:x}\r\n").into_bytes();
                    framed.extend_from_slice(&chunk[..n]);
                    framed.extend_from_slice(b"\r\n");
                    stream.write_all(&framed).await
                };
                if ok.is_err() {
                    return;
                }
                sent += n;
                state.body_bytes_sent.fetch_add(n, Ordering::SeqCst);
            }
            if !declare_length {
                let _ = stream.write_all(b"0\r\n\r\n").await;
            }
        }
        Reply::SlowBody { status, declared } => {
            let framing = format!("content-length: {declared}\r\n");
            let mut out = head(status, &[], &framing);
            out.extend_from_slice(b"{\"success\":");
            let _ = stream.write_all(&out).await;
            // Hold the connection open until the client gives up.
            let mut sink = [0u8; 64];
            let _ = stream.read(&mut sink).await;
        }
    }
}
