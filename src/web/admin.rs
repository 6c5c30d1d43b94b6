//! `/admin`: schedule sources (added, edited, paused, run and deleted here, with the CSRF token
//! of the session), import history with its errors and warnings, and accounts, for district
//! admins. Accounts are made with the CLI.

use super::auth;
use super::error::AppError;
use super::html::{error_page, render_page, Caching};
use super::AppState;
use crate::i18n::{Lang, PageStrings};
use crate::sources::{Kind, SourceSpec};
use crate::store::{airings, imports, sources as stored, users, StoreError};
use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin", get(admin_page))
        .route("/admin/sources", post(add_source))
        .route("/admin/sources/{id}", post(edit_source))
        .route("/admin/sources/{id}/{action}", post(source_action))
}

/// A source as the page lists it.
struct SourceRow {
    id: i64,
    name: String,
    kind: &'static str,
    location: String,
    cron: String,
    format: String,
    station: String,
    tz: String,
    days: u32,
    kids: bool,
    enabled: bool,
    last_run: String,
    last_success: String,
    last_outcome: String,
    last_error: Option<String>,
    next_run: String,
    failures: i64,
    failing: bool,
    /// "12 added, 3 updated, 0 removed".
    last_change: String,
}

/// The add form as sent back with its problems.
#[derive(Default)]
struct AddForm {
    values: SourceForm,
    error: Option<String>,
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
    csrf: String,
    sources: Vec<SourceRow>,
    /// Said at the top: failing sources, no airings next week.
    alerts: Vec<String>,
    add: AddForm,
    runs: Vec<RunRow>,
    users: Vec<(String, String)>,
}

/// The signed-in admin (browser session), else a page saying why not.
async fn admin_session(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<auth::Auth>, AppError> {
    let Some(who) = auth::lookup(state, headers)
        .await?
        .filter(|a| a.from_cookie)
    else {
        return Ok(None);
    };
    if !who.is_admin() {
        return Err(AppError::Forbidden("only admins may see this page".into()));
    }
    Ok(Some(who))
}

fn admin_error(e: AppError) -> Response {
    error_page(Lang::En, e, "/admin", "Back to administration")
}

/// Runs an admin page or form: without a session, to the sign-in form; errors become pages.
async fn with_admin<F>(state: &AppState, headers: &HeaderMap, f: F) -> Response
where
    F: AsyncFnOnce(auth::Auth) -> Result<Response, AppError>,
{
    match admin_session(state, headers).await {
        Ok(Some(who)) => f(who).await.unwrap_or_else(admin_error),
        Ok(None) => Redirect::to("/teach/login").into_response(),
        Err(e) => admin_error(e),
    }
}

async fn admin_page(State(state): State<AppState>, headers: HeaderMap) -> Response {
    with_admin(&state, &headers, async |who| {
        page(&state, &who, AddForm::default(), StatusCode::OK).await
    })
    .await
}

fn when(t: Option<i64>, tz: chrono_tz::Tz) -> String {
    t.and_then(|t| chrono::DateTime::from_timestamp(t, 0))
        .map(|t| t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_else(|| "never".into())
}

async fn page(
    state: &AppState,
    who: &auth::Auth,
    add: AddForm,
    status: StatusCode,
) -> Result<Response, AppError> {
    let lang = Lang::En;
    {
        let tz = state.config.tz;
        let now = chrono::Utc::now();
        let list = stored::list(state.store.pool()).await?;
        let mut alerts = Vec::new();
        let sources: Vec<SourceRow> = list
            .iter()
            .map(|s| {
                let v = s.view(tz, now);
                if s.failing() {
                    alerts.push(format!(
                        "{} has failed {} times in a row: {}",
                        s.spec.name,
                        s.consecutive_failures,
                        s.last_error.as_deref().unwrap_or("no error recorded")
                    ));
                }
                SourceRow {
                    id: s.id,
                    name: s.spec.name.clone(),
                    kind: s.spec.kind.as_str(),
                    location: v.location,
                    cron: s.spec.cron.clone(),
                    format: s.spec.format.to_string(),
                    station: s.spec.station.clone().unwrap_or_default(),
                    tz: v.tz.unwrap_or_default(),
                    days: s.spec.days,
                    kids: s.spec.kids,
                    enabled: s.spec.enabled,
                    last_run: when(s.last_run, tz),
                    last_success: when(s.last_success, tz),
                    last_outcome: match s.last_outcome.as_deref() {
                        Some("ok") => "imported".into(),
                        Some("not_modified") => "not modified".into(),
                        Some("failed") => "failed".into(),
                        Some(o) => o.to_string(),
                        None => "not run yet".into(),
                    },
                    last_error: s.last_error.clone(),
                    next_run: s
                        .next_run(tz, now)
                        .map(|t| t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string())
                        .unwrap_or_else(|| "paused".into()),
                    failures: s.consecutive_failures,
                    failing: s.failing(),
                    last_change: format!(
                        "{} added, {} updated, {} removed",
                        s.last_change.added, s.last_change.updated, s.last_change.removed
                    ),
                }
            })
            .collect();
        // Families follow next week's lessons: say so when there are none to follow.
        let next_week = crate::domain::Week::containing(
            now.with_timezone(&tz).date_naive() + chrono::Days::new(7),
        );
        let (from, to) = next_week.window(tz);
        let known =
            airings::count_scheduled_between(state.store.pool(), from.timestamp(), to.timestamp())
                .await?;
        if known == 0 {
            alerts.push(format!(
                "No airings are known for next week (from {}): families' feeds and packets will be empty. Check the sources below.",
                next_week.monday()
            ));
        }
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
            csrf: who.session.csrf.clone(),
            sources,
            alerts,
            add,
            runs,
            users: users::list(state.store.pool())
                .await?
                .into_iter()
                .map(|u| (u.email, u.role.as_str().to_string()))
                .collect(),
        };
        Ok(render_page(status, &page, Caching::Private))
    }
}

/// A source's fields as the forms send them.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
struct SourceForm {
    csrf: String,
    name: String,
    kind: String,
    location: String,
    format: String,
    station: String,
    tz: String,
    cron: String,
    days: String,
    /// Checkboxes: sent ("on") when ticked.
    kids: Option<String>,
    enabled: Option<String>,
}

impl SourceForm {
    fn spec(&self) -> Result<SourceSpec, String> {
        let kind = Kind::parse(self.kind.trim()).ok_or("kind: choose a URL or a PBS call sign")?;
        let mut spec = SourceSpec::new(&self.name, kind, &self.location);
        if !self.format.trim().is_empty() && kind == Kind::Url {
            spec.format = self.format.parse().map_err(|e| format!("format: {e}"))?;
        }
        spec.station = Some(self.station.trim().to_string()).filter(|s| !s.is_empty());
        if !self.tz.trim().is_empty() {
            spec.tz = Some(self.tz.trim().parse().map_err(|_| {
                format!(
                    "tz: `{}` is not a time zone such as America/Chicago",
                    self.tz.trim()
                )
            })?);
        }
        if !self.cron.trim().is_empty() {
            spec.cron = self.cron.clone();
        }
        if !self.days.trim().is_empty() {
            spec.days = self
                .days
                .trim()
                .parse()
                .map_err(|_| format!("days: `{}` is not a number of days", self.days.trim()))?;
        }
        spec.kids = self.kids.is_some();
        spec.enabled = self.enabled.is_some();
        spec.check().map_err(|e| e.to_string())
    }
}

fn form_or_400<T>(form: Result<Form<T>, FormRejection>) -> Result<T, AppError> {
    form.map(|Form(f)| f)
        .map_err(|e| AppError::body(e.status(), e.body_text()))
}

fn taken(name: &str) -> String {
    format!("name: a source called `{name}` already exists")
}

/// `POST /admin/sources`: a new source; it runs on the next tick, then on its cron.
async fn add_source(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<SourceForm>, FormRejection>,
) -> Response {
    with_admin(&state, &headers, async |who| {
        let f = form_or_400(form)?;
        who.check_csrf(Some(&f.csrf))?;
        let back = |error: String| AddForm {
            values: f.clone(),
            error: Some(error),
        };
        let spec = match f.spec() {
            Ok(s) => s,
            Err(e) => return page(&state, &who, back(e), StatusCode::BAD_REQUEST).await,
        };
        let now = chrono::Utc::now().timestamp();
        match stored::add(state.store.pool(), &spec, now).await {
            Ok(s) => Ok(Redirect::to(&format!("/admin#source-{}", s.id)).into_response()),
            Err(StoreError::AlreadyExists) => {
                page(&state, &who, back(taken(&spec.name)), StatusCode::CONFLICT).await
            }
            Err(e) => Err(e.into()),
        }
    })
    .await
}

async fn find(state: &AppState, raw: &str) -> Result<crate::sources::Source, AppError> {
    let id = crate::web::api::parse_id(raw, "source")?;
    stored::by_id(state.store.pool(), id)
        .await
        .map_err(|e| match e {
            StoreError::NotFound => AppError::NotFound(format!("no source {id}")),
            e => e.into(),
        })
}

/// `POST /admin/sources/{id}`: the edit form; takes effect within a second, no restart.
async fn edit_source(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    form: Result<Form<SourceForm>, FormRejection>,
) -> Response {
    with_admin(&state, &headers, async |who| {
        let f = form_or_400(form)?;
        who.check_csrf(Some(&f.csrf))?;
        let current = find(&state, &id).await?;
        let spec = f
            .spec()
            .map_err(|e| AppError::BadRequest(format!("{}: {e}", current.spec.name)))?;
        let now = chrono::Utc::now().timestamp();
        match stored::update(state.store.pool(), current.id, &spec, now).await {
            Ok(_) => Ok(Redirect::to(&format!("/admin#source-{}", current.id)).into_response()),
            Err(StoreError::AlreadyExists) => Err(AppError::Conflict(taken(&spec.name))),
            Err(e) => Err(e.into()),
        }
    })
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ActionForm {
    csrf: String,
    /// The delete form's "yes, delete it" box.
    confirm: Option<String>,
}

/// `POST /admin/sources/{id}/pause|resume|run|delete`.
async fn source_action(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((id, action)): Path<(String, String)>,
    form: Result<Form<ActionForm>, FormRejection>,
) -> Response {
    with_admin(&state, &headers, async |who| {
        let f = form_or_400(form)?;
        who.check_csrf(Some(&f.csrf))?;
        let s = find(&state, &id).await?;
        let now = chrono::Utc::now().timestamp();
        let pool = state.store.pool();
        match action.as_str() {
            "pause" => stored::set_enabled(pool, s.id, false, now).await?,
            "resume" => stored::set_enabled(pool, s.id, true, now).await?,
            "delete" if f.confirm.is_some() => {
                stored::remove(pool, s.id).await?;
                return Ok(Redirect::to("/admin#sources").into_response());
            }
            "delete" => {
                return Err(AppError::BadRequest(format!(
                    "{} was not deleted: tick \"yes, delete it\" first",
                    s.spec.name
                )))
            }
            "run" => {
                // The outcome is on the source's row (and a failure in its error).
                if let Some(Err(e @ crate::sources::run::RunError::Busy(_))) =
                    state.run_source(s.clone(), crate::app::RUN_NOW_WAIT).await
                {
                    return Err(AppError::Conflict(e.to_string()));
                }
            }
            other => {
                return Err(AppError::NotFound(format!(
                    "no action `{}` for a source: pause, resume, run or delete",
                    other.chars().take(40).collect::<String>()
                )))
            }
        }
        Ok(Redirect::to(&format!("/admin#source-{}", s.id)).into_response())
    })
    .await
}
