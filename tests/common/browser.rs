//! A browser without JavaScript for the HTML pages: it follows no redirects and keeps its
//! cookies by hand, so a test sees every 303 and every `set-cookie`.

use super::{BrowserSession, TestApp, PASSWORD};
use std::collections::HashMap;

/// A page as a browser got it.
pub struct Page {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    /// The body as text (UTF-8, invalid bytes replaced).
    pub body: String,
    /// The body as it came, for PDFs and other binary answers.
    pub bytes: Vec<u8>,
}

impl Page {
    pub fn location(&self) -> &str {
        self.headers
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// The CSRF token of the page's first form.
    pub fn csrf(&self) -> String {
        let at = self
            .body
            .find(r#"name="csrf" value=""#)
            .unwrap_or_else(|| panic!("no CSRF token in\n{}", self.body));
        let rest = &self.body[at + r#"name="csrf" value=""#.len()..];
        rest[..rest.find('"').unwrap()].to_string()
    }

    pub fn is_html(&self) -> bool {
        self.headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|t| t.starts_with("text/html"))
    }
}

/// A browser without JavaScript: follows no redirects, keeps its cookies by hand.
pub struct Browser {
    pub base: String,
    pub client: reqwest::Client,
    pub cookies: HashMap<String, String>,
}

impl Browser {
    pub fn new(app: &TestApp) -> Browser {
        Browser {
            base: app.base.clone(),
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            cookies: HashMap::new(),
        }
    }

    /// Signs in through the sign-in form with `PASSWORD`; the form must answer 303.
    pub async fn sign_in(app: &TestApp, email: &str) -> Browser {
        let mut b = Browser::new(app);
        let r = b
            .post("/teach/login", &[("email", email), ("password", PASSWORD)])
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        b
    }

    /// A browser holding the cookie of `session` (see `TestApp::browser_session`).
    pub fn with_session(app: &TestApp, session: &BrowserSession) -> Browser {
        let mut b = Browser::new(app);
        b.cookies.insert(
            lessoncast::web::auth::COOKIE.to_string(),
            session.token.clone(),
        );
        b
    }

    pub async fn send(&mut self, req: reqwest::RequestBuilder) -> Page {
        let req = if self.cookies.is_empty() {
            req
        } else {
            let jar: Vec<String> = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            req.header("cookie", jar.join("; "))
        };
        let r = req.send().await.expect("request");
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        for c in headers.get_all("set-cookie") {
            let c = c.to_str().unwrap();
            let pair = c.split(';').next().unwrap();
            let (k, v) = pair.split_once('=').unwrap();
            if v.is_empty() || c.contains("Max-Age=0") {
                self.cookies.remove(k);
            } else {
                self.cookies.insert(k.to_string(), v.to_string());
            }
        }
        let bytes = r.bytes().await.expect("body").to_vec();
        Page {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            bytes,
        }
    }

    pub async fn get(&mut self, path: &str) -> Page {
        let req = self.client.get(format!("{}{path}", self.base));
        self.send(req).await
    }

    /// Posts `form`. The sign-in form is loaded first, as a browser has it before posting,
    /// and its token sent along unless `form` names one.
    pub async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Page {
        let mut fields: Vec<(String, String)> = form
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        if path == "/teach/login" && !form.iter().any(|(k, _)| *k == "csrf") {
            let page = self.get("/teach/login").await;
            fields.push(("csrf".into(), page.csrf()));
        }
        let req = self
            .client
            .post(format!("{}{path}", self.base))
            .form(&fields);
        self.send(req).await
    }
}
