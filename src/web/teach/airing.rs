//! `GET /teach/airings/{id}`: one airing, the work attached to it, and the form that attaches
//! more (`POST /teach/assignments`).

use super::form::{all_errors, AssignmentForm, FormView};
use super::mine::spanish_title;
use super::{
    class_options, episode_of, form_or_400, grade_ranges, see_other, when, with_teacher, Opt, Who,
};
use crate::domain::{Airing, AiringStatus, Assignment, FieldError, Link};
use crate::feeds::WorkIndex;
use crate::i18n::{Lang, PageStrings, Strings};
use crate::store::{airings, assignments};
use crate::web::api::parse_id;
use crate::web::auth::Auth;
use crate::web::error::{AppError, OrNotFound};
use crate::web::html::{channel_label, render_page, Caching};
use crate::web::work::{self, LinkInput};
use crate::web::AppState;
use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;

pub(super) struct AiringView {
    id: i64,
    title: String,
    title_es: Option<String>,
    episode: Option<String>,
    description: Option<String>,
    description_es: Option<String>,
    when: String,
    channel: String,
    grades: String,
    captions: bool,
    spanish_audio: bool,
    removed: bool,
    has_episode: bool,
}

pub(super) struct OtherAiring {
    id: i64,
    when: String,
    channel: String,
    removed: bool,
}

pub(super) struct AttachedWork {
    id: i64,
    title: String,
    instructions: String,
    materials: Option<String>,
    minutes: Option<i64>,
    owner: String,
    scope: &'static str,
    mine: bool,
}

#[derive(Template)]
#[template(path = "teach/airing.html")]
pub(super) struct AiringPage {
    lang: Lang,
    p: &'static PageStrings,
    s: &'static Strings,
    who: Who,
    nav: &'static str,
    a: AiringView,
    others: Vec<OtherAiring>,
    work: Vec<AttachedWork>,
    form: FormView,
    scopes: Vec<Opt>,
    classes: Vec<Opt>,
}

/// How an assignment reaches an airing, in words.
pub(super) fn scope_label(lang: Lang, w: &Assignment, a: &Airing) -> &'static str {
    let p = lang.pages();
    for l in &w.links {
        match l {
            Link::Airing(id) if *id == a.id => return p.scope_airing,
            Link::Episode(k) if Some(k) == a.episode_key.as_ref() => return p.scope_episode,
            Link::Series(k) if *k == a.series_key => return p.scope_series,
            _ => {}
        }
    }
    ""
}

pub(super) async fn find_airing(state: &AppState, raw_id: &str) -> Result<Airing, AppError> {
    let id = parse_id(raw_id, "airing")?;
    airings::get_by_id(state.store.pool(), id)
        .await
        .or_not_found(|| format!("no airing {id}"))
}

/// The airing page, with the attach form as given (blank, or as posted with its problems).
pub(super) async fn airing_response(
    state: &AppState,
    auth: &Auth,
    who: Who,
    a: Airing,
    form: FormView,
    scope: &str,
    status: StatusCode,
) -> Result<Response, AppError> {
    let lang = who.lang;
    let tz = state.config.tz;
    let pool = state.store.pool();
    let p = lang.pages();
    let others = match a.episode_key.as_deref() {
        Some(k) => airings::of_episode(pool, k)
            .await?
            .into_iter()
            .filter(|o| o.id != a.id)
            .map(|o| OtherAiring {
                id: o.id,
                when: when(lang, &o, tz),
                channel: channel_label(&o),
                removed: o.status == AiringStatus::Removed,
            })
            .collect(),
        None => Vec::new(),
    };
    let live = assignments::live(pool).await?;
    let index = WorkIndex::new(&live, |_| true);
    let me = auth.user().id;
    let work = index
        .for_airing(&a)
        .into_iter()
        .map(|w| AttachedWork {
            id: w.id,
            title: w.fields.title.clone(),
            instructions: w.fields.instructions.clone(),
            materials: w.fields.materials.clone(),
            minutes: w.fields.minutes,
            owner: w.owner_email.clone(),
            scope: scope_label(lang, w, &a),
            mine: w.owner_id == me || auth.is_admin(),
        })
        .collect();
    let classes = assignments::classes_of(pool, me).await?;
    let default_scope = if a.episode_key.is_some() {
        "episode"
    } else {
        "airing"
    };
    let scope = if scope.is_empty() {
        default_scope
    } else {
        scope
    };
    let mut scopes = vec![("airing", p.scope_airing)];
    if a.episode_key.is_some() {
        scopes.push(("episode", p.scope_episode));
    }
    scopes.push(("series", p.scope_series));
    let page = AiringPage {
        lang,
        p,
        s: lang.strings(),
        who,
        nav: "schedule",
        scopes: scopes
            .into_iter()
            .map(|(v, l)| Opt {
                value: v.to_string(),
                label: l.to_string(),
                selected: v == scope,
            })
            .collect(),
        classes: class_options(&classes, &form.class),
        form,
        others,
        work,
        a: AiringView {
            id: a.id,
            when: when(lang, &a, tz),
            channel: channel_label(&a),
            grades: grade_ranges(a.details.grades),
            episode: episode_of(&a),
            has_episode: a.episode_key.is_some(),
            removed: a.status == AiringStatus::Removed,
            captions: a.details.captions,
            spanish_audio: a.details.spanish_audio,
            title_es: spanish_title(&a),
            title: a.details.title,
            description: a.details.description.filter(|d| !d.trim().is_empty()),
            description_es: a.details.description_es.filter(|d| !d.trim().is_empty()),
        },
    };
    Ok(render_page(status, &page, Caching::Private))
}

/// `GET /teach/airings/{id}`
pub(super) async fn airing_page(
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
            let a = find_airing(&state, &id).await?;
            let form = FormView {
                grades: grade_ranges(a.details.grades),
                ..Default::default()
            };
            airing_response(&state, &auth, who, a, form, "", StatusCode::OK).await
        },
    )
    .await
}

/// The link the scope radio buttons choose, from the airing's own keys (never the client's).
pub(super) fn link_for(scope: &str, a: &Airing) -> Result<LinkInput, FieldError> {
    match scope.trim() {
        "airing" => Ok(LinkInput {
            airing: Some(a.id),
            ..Default::default()
        }),
        "episode" | "" => match &a.episode_key {
            Some(k) => Ok(LinkInput {
                episode: Some(k.clone()),
                ..Default::default()
            }),
            None if scope.trim().is_empty() => Ok(LinkInput {
                airing: Some(a.id),
                ..Default::default()
            }),
            None => Err(FieldError::new(
                "links",
                "this airing names no episode: attach the work to this airing or the series",
                "esta emisión no indica episodio: asigne la tarea a esta emisión o a la serie",
            )),
        },
        "series" => Ok(LinkInput {
            series: Some(a.series_key.clone()),
            ..Default::default()
        }),
        other => Err(FieldError::new(
            "links",
            format!("`{other}` is not a choice: pick this airing, the episode or the series"),
            format!("`{other}` no es una opción: elija esta emisión, el episodio o la serie"),
        )),
    }
}

/// `POST /teach/assignments`
pub(super) async fn create_assignment(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<AssignmentForm>, FormRejection>,
) -> Response {
    with_teacher(&state, &headers, None, async |auth: Auth, who: Who| {
        let lang = who.lang;
        let f = form_or_400(form)?;
        auth.check_csrf(Some(&f.csrf))?;
        let a = find_airing(&state, &f.airing).await?;
        let (input, class, mut pre) = f.input();
        let link = link_for(&f.scope, &a).map_err(|e| pre.push(e)).ok();
        let (Some(link), Some(class), true) = (link, class, pre.is_empty()) else {
            let errors = all_errors(pre, &input);
            return airing_response(
                &state,
                &auth,
                who,
                a,
                f.view(errors, lang),
                &f.scope,
                StatusCode::BAD_REQUEST,
            )
            .await;
        };
        match work::create(&state, &auth, &input, &[link], class).await {
            Ok(_) => Ok(see_other("/teach/assignments")),
            Err(AppError::Invalid(errors)) => {
                airing_response(
                    &state,
                    &auth,
                    who,
                    a,
                    f.view(errors, lang),
                    &f.scope,
                    StatusCode::BAD_REQUEST,
                )
                .await
            }
            Err(e) => Err(e),
        }
    })
    .await
}
