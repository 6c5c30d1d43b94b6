//! `GET/POST /teach/classes`, `…/{id}/renew` and `…/{id}/packet/{week}.pdf`: classes, their
//! private feeds and their packets.

use super::form::{error_views, messages_for, ErrorView};
use super::{form_or_400, grade_ranges, see_other, with_teacher, Who};
use crate::domain::Week;
use crate::i18n::packets::PacketStrings;
use crate::i18n::{Lang, PageStrings};
use crate::store::assignments;
use crate::web::api::parse_id;
use crate::web::auth::Auth;
use crate::web::error::AppError;
use crate::web::html::{render_page, webcal, Caching};
use crate::web::work;
use crate::web::AppState;
use askama::Template;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use chrono::Utc;
use serde::Deserialize;

pub(super) struct ClassView {
    id: i64,
    name: String,
    grades: String,
    feed_url: String,
    webcal: String,
    /// This week's packet, `/teach/classes/{id}/packet/{week}`, without `.pdf` or `.html`.
    packet: String,
    /// What to share with families: the subscribe landing page in each language, and a QR
    /// code of it in no language (a phone's camera opens it in the phone's own language).
    share_en: String,
    share_es: String,
    share_qr: String,
}

/// `POST /teach/classes/{id}/renew`: the CSRF token and the box that says the teacher knows
/// what renewing does to the families already subscribed.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct RenewForm {
    csrf: String,
    confirm: Option<String>,
}

#[derive(Default)]
pub(super) struct ClassFormView {
    name: String,
    grades: String,
    errors: Vec<ErrorView>,
}

impl ClassFormView {
    fn err(&self, field: &str) -> Option<String> {
        messages_for(&self.errors, field)
    }
}

#[derive(Template)]
#[template(path = "teach/classes.html")]
pub(super) struct ClassesPage {
    lang: Lang,
    p: &'static PageStrings,
    who: Who,
    nav: &'static str,
    classes: Vec<ClassView>,
    form: ClassFormView,
    /// The packet's words, for the links to class packets, in the page's language and in
    /// the other one (families may read either).
    pw: &'static PacketStrings,
    other: Lang,
    pwo: &'static PacketStrings,
}

pub(super) async fn classes_response(
    state: &AppState,
    auth: &Auth,
    who: Who,
    form: ClassFormView,
    status: StatusCode,
) -> Result<Response, AppError> {
    let lang = who.lang;
    let list = assignments::classes_of(state.store.pool(), auth.user().id).await?;
    let this_week = Week::containing(Utc::now().with_timezone(&state.config.tz).date_naive());
    let classes = list
        .iter()
        .map(|c| {
            let feed_url = work::class_feed_url(state, c);
            let base = state.config.base_url.trim_end_matches('/');
            let landing = format!("{base}/subscribe?class={}", c.token);
            ClassView {
                share_en: format!("{landing}&lang=en"),
                share_es: format!("{landing}&lang=es"),
                share_qr: crate::packets::Qr::new(&landing)
                    .map(|q| q.svg(160, lang.pages().share_qr))
                    .unwrap_or_default(),
                id: c.id,
                name: c.name.clone(),
                grades: grade_ranges(c.grades),
                webcal: webcal(&feed_url),
                feed_url,
                packet: format!("/teach/classes/{}/packet/{this_week}", c.id),
            }
        })
        .collect();
    let page = ClassesPage {
        lang,
        p: lang.pages(),
        who,
        nav: "classes",
        classes,
        form,
        pw: lang.packet(),
        other: lang.other(),
        pwo: lang.other().packet(),
    };
    Ok(render_page(status, &page, Caching::Private))
}

/// `GET /teach/classes`
pub(super) async fn classes(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    with_teacher(
        &state,
        &headers,
        Some(&uri),
        async |auth: Auth, who: Who| {
            classes_response(&state, &auth, who, ClassFormView::default(), StatusCode::OK).await
        },
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct ClassForm {
    csrf: String,
    name: String,
    grades: String,
}

/// `POST /teach/classes`
pub(super) async fn create_class(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<ClassForm>, FormRejection>,
) -> Response {
    with_teacher(&state, &headers, None, async |auth: Auth, who: Who| {
        let lang = who.lang;
        let f = form_or_400(form)?;
        auth.check_csrf(Some(&f.csrf))?;
        match work::create_class(&state, &auth, &f.name, std::slice::from_ref(&f.grades)).await {
            Ok(_) => Ok(see_other("/teach/classes")),
            Err(AppError::Invalid(errors)) => {
                let form = ClassFormView {
                    name: f.name.clone(),
                    grades: f.grades.clone(),
                    errors: error_views(errors, lang),
                };
                classes_response(&state, &auth, who, form, StatusCode::BAD_REQUEST).await
            }
            Err(e) => Err(e),
        }
    })
    .await
}

/// `POST /teach/classes/{id}/renew`: a new feed token; the old link stops working.
pub(super) async fn renew_class(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    form: Result<Form<RenewForm>, FormRejection>,
) -> Response {
    with_teacher(&state, &headers, None, async |auth: Auth, who: Who| {
        let lang = who.lang;
        let f = form_or_400(form)?;
        auth.check_csrf(Some(&f.csrf))?;
        if f.confirm.is_none() {
            return Err(AppError::BadRequest(lang.pages().renew_unconfirmed.into()));
        }
        work::renew_class_token(&state, &auth, parse_id(&id, "class")?).await?;
        Ok(see_other("/teach/classes"))
    })
    .await
}

/// `GET /teach/classes/{id}/handout.pdf`: one page to print for the class's families, the
/// steps in English and Spanish beside the code of the class's subscribe page.
pub(super) async fn handout(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
) -> Response {
    with_teacher(
        &state,
        &headers,
        Some(&uri),
        async |auth: Auth, _who: Who| {
            let class = work::own_class(&state, &auth, parse_id(&id, "class")?).await?;
            let base = state.config.base_url.trim_end_matches('/');
            let url = format!("{base}/subscribe?class={}", class.token);
            let handout =
                crate::packets::handout::Handout::new(class.name.clone(), url, Default::default());
            // Drawn in the packets' turns, like every PDF.
            let _turn = state
                .packets
                .drawing
                .take()
                .await
                .ok_or(crate::packets::PublishError::Busy)?;
            let pdf =
                tokio::task::spawn_blocking(move || crate::packets::pdf::render_handout(&handout))
                    .await
                    .map_err(|e| AppError::Internal(Box::new(e)))?
                    .map_err(|e| AppError::Internal(Box::new(e)))?;
            let disposition = format!(
                "inline; filename=\"lessoncast-class-{}-handout.pdf\"",
                class.id
            );
            let mut r = axum::response::IntoResponse::into_response(pdf);
            let h = r.headers_mut();
            h.insert(
                axum::http::header::CONTENT_TYPE,
                axum::http::HeaderValue::from_static("application/pdf"),
            );
            h.insert(
                axum::http::header::CACHE_CONTROL,
                axum::http::HeaderValue::from_static("no-store"),
            );
            if let Ok(v) = axum::http::HeaderValue::from_str(&disposition) {
                h.insert(axum::http::header::CONTENT_DISPOSITION, v);
            }
            Ok(r)
        },
    )
    .await
}

/// `GET /teach/classes/{id}/packet/{week}.pdf` (or `.html`; `?lang=&size=&large=` as for a
/// grade's packet): the class's weekly packet, for the teacher whose class it is.
pub(super) async fn class_packet(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    Path((id, file)): Path<(String, String)>,
    query: Result<Query<super::super::packets::PacketQuery>, QueryRejection>,
) -> Response {
    with_teacher(
        &state,
        &headers,
        Some(&uri),
        async |auth: Auth, _who: Who| {
            let class = work::own_class(&state, &auth, parse_id(&id, "class")?).await?;
            super::super::packets::class_packet(&state, class, &file, query, &headers).await
        },
    )
    .await
}
