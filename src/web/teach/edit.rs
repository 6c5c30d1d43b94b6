//! `GET/POST /teach/assignments/{id}/edit`, `…/delete` and `…/restore`: changing one piece of
//! work.

use super::form::{all_errors, AssignmentForm, FormView};
use super::mine::{LinkNamer, LinkView};
use super::{class_options, form_or_400, see_other, with_teacher, CsrfForm, Opt, Who};
use crate::domain::Assignment;
use crate::i18n::{Lang, PageStrings};
use crate::store::assignments;
use crate::web::api::parse_id;
use crate::web::auth::Auth;
use crate::web::error::AppError;
use crate::web::html::{render_page, Caching};
use crate::web::work;
use crate::web::AppState;
use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;

#[derive(Template)]
#[template(path = "teach/edit.html")]
pub(super) struct EditPage {
    lang: Lang,
    p: &'static PageStrings,
    who: Who,
    nav: &'static str,
    id: i64,
    original_title: String,
    form: FormView,
    classes: Vec<Opt>,
    links: Vec<LinkView>,
}

pub(super) async fn edit_response(
    state: &AppState,
    auth: &Auth,
    who: Who,
    a: &Assignment,
    form: FormView,
    status: StatusCode,
) -> Result<Response, AppError> {
    let lang = who.lang;
    let classes = assignments::classes_of(state.store.pool(), auth.user().id).await?;
    let links = LinkNamer::new(state, lang).names(&a.links).await?;
    let page = EditPage {
        lang,
        p: lang.pages(),
        who,
        nav: "assignments",
        id: a.id,
        original_title: a.fields.title.clone(),
        classes: class_options(&classes, &form.class),
        form,
        links,
    };
    Ok(render_page(status, &page, Caching::Private))
}

/// `GET /teach/assignments/{id}/edit`
pub(super) async fn edit_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
) -> Response {
    with_teacher(
        &state,
        &headers,
        Some(&uri),
        async |auth: Auth, who: Who| {
            let a = work::owned(&state, &auth, parse_id(&id, "assignment")?).await?;
            edit_response(
                &state,
                &auth,
                who,
                &a,
                FormView::of_assignment(&a),
                StatusCode::OK,
            )
            .await
        },
    )
    .await
}

/// `POST /teach/assignments/{id}/edit`: changes the fields; the links stay as they are.
pub(super) async fn edit(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    form: Result<Form<AssignmentForm>, FormRejection>,
) -> Response {
    with_teacher(&state, &headers, None, async |auth: Auth, who: Who| {
        let lang = who.lang;
        let f = form_or_400(form)?;
        auth.check_csrf(Some(&f.csrf))?;
        let a = work::owned(&state, &auth, parse_id(&id, "assignment")?).await?;
        let (input, class, pre) = f.input();
        let (Some(class), true) = (class, pre.is_empty()) else {
            let errors = all_errors(pre, &input);
            let view = f.view(errors, lang);
            return edit_response(&state, &auth, who, &a, view, StatusCode::BAD_REQUEST).await;
        };
        match work::update(&state, &auth, a.id, &input, None, Some(class)).await {
            Ok(_) => Ok(see_other("/teach/assignments")),
            Err(AppError::Invalid(errors)) => {
                let view = f.view(errors, lang);
                edit_response(&state, &auth, who, &a, view, StatusCode::BAD_REQUEST).await
            }
            Err(e) => Err(e),
        }
    })
    .await
}

pub(super) async fn set_deleted(
    state: &AppState,
    headers: &HeaderMap,
    id: &str,
    form: Result<Form<CsrfForm>, FormRejection>,
    deleted: bool,
) -> Response {
    with_teacher(state, headers, None, async |auth: Auth, _who: Who| {
        let f = form_or_400(form)?;
        auth.check_csrf(Some(&f.csrf))?;
        let id = parse_id(id, "assignment")?;
        work::set_deleted(state, &auth, id, deleted).await?;
        // After a delete, the list says so at the top with the button that undoes it.
        if deleted {
            let to = format!("/teach/assignments?deleted={id}#undo");
            return Ok(axum::response::IntoResponse::into_response(
                axum::response::Redirect::to(&to),
            ));
        }
        Ok(see_other("/teach/assignments"))
    })
    .await
}

/// `POST /teach/assignments/{id}/delete`
pub(super) async fn delete(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> Response {
    set_deleted(&state, &headers, &id, form, true).await
}

/// `POST /teach/assignments/{id}/restore`
pub(super) async fn restore(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> Response {
    set_deleted(&state, &headers, &id, form, false).await
}
