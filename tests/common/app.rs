//! The real server on a random port over a fresh database, with the users and requests a test
//! needs: `TestApp::with_demo_week()`, `add_user`, and JSON request helpers that answer
//! `(status, body)`.

use super::{TestDb, PASSWORD};
use lessoncast::app;
use lessoncast::auth::{hash_password, Secret};
use lessoncast::store::users::{self, Role, User};
use reqwest::Method;
use serde_json::{json, Value};
use std::sync::{Arc, OnceLock};
use tokio::sync::oneshot;

/// The real server on a random port of 127.0.0.1, stopped when the value is dropped.
pub struct TestApp {
    pub base: String,
    pub db: TestDb,
    pub client: reqwest::Client,
    stop: Option<oneshot::Sender<()>>,
    handle: Option<tokio::task::JoinHandle<()>>,
}

/// A user added by `TestApp::add_user`, signed in through `POST /api/login`.
pub struct TestUser {
    pub email: String,
    pub id: i64,
    pub user: User,
    /// The bearer token of the user's API session.
    pub token: String,
}

impl TestUser {
    /// The user's API token, for the request helpers' `token` argument.
    pub fn bearer(&self) -> Option<&str> {
        Some(&self.token)
    }
}

/// A browser session (the sign-in page's cookie) started for a user.
pub struct BrowserSession {
    /// The cookie's value.
    pub token: String,
    /// The session's CSRF token, for forms and the `x-csrf-token` header.
    pub csrf: String,
}

impl BrowserSession {
    /// The `cookie` header a browser sends with this session.
    pub fn cookie(&self) -> String {
        format!("{}={}", lessoncast::web::auth::COOKIE, self.token)
    }
}

/// The hash of `PASSWORD`, made once: hashing is slow on purpose.
fn password_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| hash_password(&Secret::new(PASSWORD)).expect("hash the test password"))
}

impl TestApp {
    /// Starts the server on a fresh database without the demo week.
    pub async fn spawn() -> TestApp {
        Self::spawn_with(false).await
    }

    /// Starts the server on a fresh database holding the demo week of `schedules/` as it is
    /// (April 13–19, 2020).
    pub async fn with_demo_week() -> TestApp {
        let app = Self::spawn().await;
        app.db.import_demo_week().await;
        app
    }

    /// Starts the server the way `lessoncast serve` does, demo week included (moved into this
    /// week) when `demo`.
    pub async fn spawn_with(demo: bool) -> TestApp {
        let db = TestDb::new().await;
        if demo {
            app::import_demo_if_empty(&db.store, &db.config())
                .await
                .expect("demo import");
        }
        Self::spawn_on(db).await
    }

    /// Starts the server on `db` as it is.
    pub async fn spawn_on(db: TestDb) -> TestApp {
        let config = db.config();
        Self::spawn_configured(db, config).await
    }

    /// Starts the server on `db` with `config` (from `db.config()`, changed).
    pub async fn spawn_configured(db: TestDb, config: lessoncast::config::Config) -> TestApp {
        // The server's warnings and errors (a 500's cause among them) go with the test's own
        // output, which the harness prints when the test fails.
        let _ = tracing_subscriber::fmt()
            .with_test_writer()
            .with_env_filter(
                tracing_subscriber::EnvFilter::try_from_default_env()
                    .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
            )
            .try_init();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let (tx, rx) = oneshot::channel::<()>();
        let store = db.store.clone();
        let handle = tokio::spawn(async move {
            app::serve(store, Arc::new(config), listener, async {
                let _ = rx.await;
            })
            .await
            .expect("server");
        });
        TestApp {
            base,
            db,
            client: reqwest::Client::new(),
            stop: Some(tx),
            handle: Some(handle),
        }
    }

    /// Adds a user whose password is `PASSWORD` and signs them in through the API.
    pub async fn add_user(&self, email: &str, role: Role) -> TestUser {
        let now = chrono::Utc::now().timestamp();
        let user = users::create(self.db.store.pool(), email, password_hash(), role, now)
            .await
            .expect("create user");
        let token = self.api_token(email).await;
        TestUser {
            email: email.to_string(),
            id: user.id,
            user,
            token,
        }
    }

    /// Signs in through `POST /api/login` with `PASSWORD`; the sign-in must succeed.
    pub async fn api_token(&self, email: &str) -> String {
        let (status, body) = self
            .post_json(
                "/api/login",
                None,
                json!({"email": email, "password": PASSWORD}),
            )
            .await;
        assert_eq!(status, 200, "signing in {email}: {body}");
        body["token"].as_str().expect("a token").to_string()
    }

    /// Starts a browser session for `user` as the sign-in page does.
    pub async fn browser_session(&self, user: &TestUser) -> BrowserSession {
        let state = app::App::new(self.db.store.clone(), Arc::new(self.db.config()));
        let (token, csrf) = lessoncast::web::auth::start_session(&state, &user.user, true)
            .await
            .expect("start a browser session");
        BrowserSession { token, csrf }
    }

    /// The server's address for `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// A request to build on (headers, body) before sending it.
    pub fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.client.request(method, self.url(path))
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request")
    }

    /// A GET with extra request headers.
    pub async fn get_with(&self, path: &str, headers: &[(&str, &str)]) -> reqwest::Response {
        let mut req = self.client.get(self.url(path));
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        req.send().await.expect("request")
    }

    /// The body of a GET as text, whatever its status.
    pub async fn get_text(&self, path: &str) -> String {
        self.get(path).await.text().await.expect("body")
    }

    /// Status, content type and body bytes of a GET.
    pub async fn get_bytes(&self, path: &str) -> (u16, String, Vec<u8>) {
        let r = self.get(path).await;
        let status = r.status().as_u16();
        let ctype = r
            .headers()
            .get("content-type")
            .map(|v| v.to_str().expect("content type").to_string())
            .unwrap_or_default();
        (status, ctype, r.bytes().await.expect("body").to_vec())
    }

    /// A GET whose answer must be JSON.
    pub async fn get_json(&self, path: &str) -> (u16, serde_json::Value) {
        let r = self.get(path).await;
        let status = r.status().as_u16();
        let body = r.json().await.expect("JSON body");
        (status, body)
    }

    /// The airings `GET /api/airings?{query}` lists; the request must succeed.
    pub async fn api_airings(&self, query: &str) -> Vec<Value> {
        let (status, body) = self.get_json(&format!("/api/airings?{query}")).await;
        assert_eq!(status, 200, "{query}: {body}");
        body["airings"]
            .as_array()
            .expect("a list of airings")
            .clone()
    }

    /// A GET with a bearer token when there is one.
    pub async fn get_json_as(&self, path: &str, token: Option<&str>) -> (u16, Value) {
        self.send(Method::GET, path, token, None).await
    }

    pub async fn post_json(&self, path: &str, token: Option<&str>, body: Value) -> (u16, Value) {
        self.send(Method::POST, path, token, Some(body)).await
    }

    pub async fn patch_json(&self, path: &str, token: Option<&str>, body: Value) -> (u16, Value) {
        self.send(Method::PATCH, path, token, Some(body)).await
    }

    pub async fn delete_json(&self, path: &str, token: Option<&str>) -> (u16, Value) {
        self.send(Method::DELETE, path, token, None).await
    }

    /// Any request, with a bearer token and a JSON body when given. The answer's body is its
    /// JSON, or its text as a JSON string when it is not JSON.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut req = self.request(method, path);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let r = req.send().await.expect("request");
        let status = r.status().as_u16();
        let text = r.text().await.expect("body");
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    /// Stops the server gracefully and waits for it.
    pub async fn stop(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(h) = self.handle.take() {
            h.await.expect("server task");
        }
    }
}

/// Serves `router` on a random port of 127.0.0.1 (a schedule source for URL imports); the
/// server stops when the handle is aborted or dropped with the test's runtime.
pub async fn serve(router: axum::Router) -> (String, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let handle = tokio::spawn(async move {
        axum::serve(listener, router).await.expect("source server");
    });
    (base, handle)
}
