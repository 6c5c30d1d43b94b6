//! `/admin`: schedule sources, import history with its errors and warnings, and accounts, for
//! district admins. Read-only: sources live in `lessoncast.toml`, accounts are made with the CLI.

use super::auth;
use super::error::AppError;
use super::html::{error_page, render_page, Caching};
use super::AppState;
use crate::i18n::{Lang, PageStrings};
use crate::store::{imports, users};
use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new().route("/admin", get(admin_page))
}

struct SourceRow {
    location: String,
    cron: String,
    format: String,
    station: String,
}

struct RunRow {
    started: String,
    source: String,
    status: String,
    error: Option<String>,
    added: i64,
    updated: i64,
    removed: i64,
    unchanged: i64,
    skipped: i64,
    /// The warnings of records skipped, then the rest.
    skips: Vec<String>,
    warnings: Vec<String>,
}

#[derive(Template)]
#[template(path = "admin.html")]
struct AdminPage {
    lang: Lang,
    p: &'static PageStrings,
    email: String,
    sources: Vec<SourceRow>,
    runs: Vec<RunRow>,
    users: Vec<(String, String)>,
}

async fn admin_page(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let lang = Lang::En;
    let result: Result<Response, AppError> = async {
        let Some(who) = auth::lookup(&state, &headers)
            .await?
            .filter(|a| a.from_cookie)
        else {
            return Ok(Redirect::to("/teach/login").into_response());
        };
        if !who.is_admin() {
            return Err(AppError::Forbidden("only admins may see this page".into()));
        }
        let tz = state.config.tz;
        let runs = imports::recent_runs(state.store.pool(), 100)
            .await?
            .into_iter()
            .map(|r| {
                let warnings: Vec<String> = r
                    .warnings
                    .as_array()
                    .map(|ws| {
                        ws.iter()
                            .map(|w| {
                                format!(
                                    "{}:{}: {}: {}",
                                    w["file"].as_str().unwrap_or(""),
                                    w["line"],
                                    w["field"].as_str().unwrap_or(""),
                                    w["message"].as_str().unwrap_or("")
                                )
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                let (skips, warnings) = warnings
                    .into_iter()
                    .partition(|w| w.contains("skipped; --strict"));
                (r, skips, warnings)
            })
            .map(|(r, skips, warnings)| RunRow {
                started: chrono::DateTime::from_timestamp(r.started_at, 0)
                    .map(|t| t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string())
                    .unwrap_or_default(),
                source: r.source,
                status: r.status,
                error: r.error,
                added: r.added,
                updated: r.updated,
                removed: r.removed,
                unchanged: r.unchanged,
                skipped: r.skipped,
                skips,
                warnings,
            })
            .collect();
        let page = AdminPage {
            lang,
            p: lang.pages(),
            email: who.user().email.clone(),
            sources: state
                .config
                .sources
                .iter()
                .map(|s| SourceRow {
                    location: s.location.clone(),
                    cron: s.cron.clone(),
                    format: s.format.clone().unwrap_or_else(|| "auto".into()),
                    station: s.station.clone().unwrap_or_default(),
                })
                .collect(),
            runs,
            users: users::list(state.store.pool())
                .await?
                .into_iter()
                .map(|u| (u.email, u.role.as_str().to_string()))
                .collect(),
        };
        Ok(render_page(StatusCode::OK, &page, Caching::Private))
    }
    .await;
    result.unwrap_or_else(|e| error_page(lang, e, "/teach", "Back to the schedule"))
}
