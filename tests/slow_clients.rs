//! Slow and silent clients cannot hold the server's connections: headers that never finish,
//! a body that never comes and an idle kept-alive connection are all closed, within the
//! configured times (short here; 10 s and 30 s by default).

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::TestDb;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The server on a random port with one-second header and two-second request limits.
async fn strict_server(db: &TestDb) -> String {
    let mut config = db.config();
    config.header_timeout = Duration::from_secs(1);
    config.request_timeout = Duration::from_secs(2);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let store = db.store.clone();
    tokio::spawn(async move {
        lessoncast::app::serve(store, Arc::new(config), listener, std::future::pending())
            .await
            .unwrap();
    });
    addr
}

/// Everything the server sends until it closes the connection, waiting at most `limit`.
async fn until_closed(stream: &mut TcpStream, limit: Duration) -> Option<String> {
    let mut got = Vec::new();
    let read = tokio::time::timeout(limit, stream.read_to_end(&mut got)).await;
    read.ok()
        .map(|_| String::from_utf8_lossy(&got).into_owned())
}

#[tokio::test]
async fn headers_that_never_finish_are_cut_off() {
    let db = TestDb::new().await;
    let addr = strict_server(&db).await;
    let mut s = TcpStream::connect(&addr).await.unwrap();
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    let got = until_closed(&mut s, Duration::from_secs(8)).await;
    assert!(got.is_some(), "the connection was still open after 8 s");
}

#[tokio::test]
async fn an_idle_kept_alive_connection_is_closed() {
    let db = TestDb::new().await;
    let addr = strict_server(&db).await;
    let mut s = TcpStream::connect(&addr).await.unwrap();
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let got = until_closed(&mut s, Duration::from_secs(8)).await;
    let got = got.expect("the idle connection was still open after 8 s");
    assert!(got.starts_with("HTTP/1.1 200"), "{got}");
}

#[tokio::test]
async fn a_body_that_never_comes_gets_408() {
    let db = TestDb::new().await;
    let addr = strict_server(&db).await;
    let mut s = TcpStream::connect(&addr).await.unwrap();
    s.write_all(
        b"POST /api/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
          Content-Length: 100\r\n\r\n{\"email\":",
    )
    .await
    .unwrap();
    let got = until_closed(&mut s, Duration::from_secs(8))
        .await
        .expect("the connection was still open after 8 s");
    assert!(got.starts_with("HTTP/1.1 408"), "{got}");
}
