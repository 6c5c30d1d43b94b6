//! `GET /teach/assignments`: the teacher's work, with what each piece is linked to.

use super::{episode_of, grade_ranges, when, with_teacher, Who};
use crate::domain::{Airing, Link};
use crate::i18n::{Lang, PageStrings, Strings};
use crate::store::{airings, assignments};
use crate::web::auth::Auth;
use crate::web::error::AppError;
use crate::web::html::{channel_label, render_page, Caching};
use crate::web::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use std::collections::HashMap;

pub(super) struct LinkView {
    pub(super) label: String,
    pub(super) href: Option<String>,
}

pub(super) struct AssignmentRow {
    pub(super) id: i64,
    pub(super) title: String,
    pub(super) instructions: String,
    pub(super) grades: String,
    pub(super) minutes: Option<i64>,
    pub(super) due: Option<String>,
    pub(super) class: Option<String>,
    pub(super) links: Vec<LinkView>,
}

#[derive(Template)]
#[template(path = "teach/assignments.html")]
pub(super) struct AssignmentsPage {
    pub(super) lang: Lang,
    pub(super) p: &'static PageStrings,
    pub(super) s: &'static Strings,
    pub(super) who: Who,
    pub(super) nav: &'static str,
    pub(super) live: Vec<AssignmentRow>,
    pub(super) deleted: Vec<AssignmentRow>,
    /// The one just deleted (`?deleted=ID`, where the delete sends the teacher), to undo at once.
    pub(super) just_deleted: Option<(i64, String)>,
}

/// Describes links in words, looking each airing or episode up once.
pub(super) struct LinkNamer<'a> {
    pub(super) state: &'a AppState,
    pub(super) lang: Lang,
    pub(super) airings: HashMap<i64, Option<Airing>>,
    pub(super) episodes: HashMap<String, Option<Airing>>,
    pub(super) series: HashMap<String, Option<String>>,
}

impl<'a> LinkNamer<'a> {
    pub(super) fn new(state: &'a AppState, lang: Lang) -> Self {
        LinkNamer {
            state,
            lang,
            airings: HashMap::new(),
            episodes: HashMap::new(),
            series: HashMap::new(),
        }
    }

    pub(super) async fn name(&mut self, l: &Link) -> Result<LinkView, AppError> {
        let p = self.lang.pages();
        let tz = self.state.config.tz;
        let pool = self.state.store.pool();
        Ok(match l {
            Link::Airing(id) => {
                if !self.airings.contains_key(id) {
                    let a = match airings::get_by_id(pool, *id).await {
                        Ok(a) => Some(a),
                        Err(crate::store::StoreError::NotFound) => None,
                        Err(e) => return Err(e.into()),
                    };
                    self.airings.insert(*id, a);
                }
                match self.airings.get(id).and_then(Option::as_ref) {
                    Some(a) => LinkView {
                        label: format!(
                            "{}: {} · {}, {}",
                            p.scope_airing,
                            title_of(a),
                            when(self.lang, a, tz),
                            channel_label(a)
                        ),
                        href: Some(format!("/teach/airings/{id}")),
                    },
                    None => LinkView {
                        label: format!("{} {id}", p.airing),
                        href: None,
                    },
                }
            }
            Link::Episode(k) => {
                if !self.episodes.contains_key(k) {
                    let first = airings::of_episode(pool, k).await?.into_iter().next();
                    self.episodes.insert(k.clone(), first);
                }
                match self.episodes.get(k).and_then(Option::as_ref) {
                    Some(a) => LinkView {
                        label: format!("{}: {}", p.scope_episode, title_of(a)),
                        href: Some(format!("/teach/airings/{}", a.id)),
                    },
                    None => LinkView {
                        label: format!("{}: {k}", p.scope_episode),
                        href: None,
                    },
                }
            }
            Link::Series(k) => {
                if !self.series.contains_key(k) {
                    let title = airings::series_title(pool, k).await?;
                    self.series.insert(k.clone(), title);
                }
                // The series by the title it airs under; its key only if nothing of it is left.
                let name = self.series.get(k).cloned().flatten().unwrap_or(k.clone());
                LinkView {
                    label: format!("{}: {name}", p.scope_series),
                    href: None,
                }
            }
        })
    }

    pub(super) async fn names(&mut self, links: &[Link]) -> Result<Vec<LinkView>, AppError> {
        let mut out = Vec::with_capacity(links.len());
        for l in links {
            out.push(self.name(l).await?);
        }
        Ok(out)
    }
}

/// The title and episode in Spanish, where the source gave either.
pub(super) fn spanish_title(a: &Airing) -> Option<String> {
    let nonblank = |t: &Option<String>| t.clone().filter(|t| !t.trim().is_empty());
    match (
        nonblank(&a.details.title_es),
        nonblank(&a.details.episode_title_es),
    ) {
        (None, None) => None,
        (t, e) => {
            let title = t.unwrap_or_else(|| a.details.title.clone());
            match e.or_else(|| episode_of(a)) {
                Some(e) => Some(format!("{title}: {e}")),
                None => Some(title),
            }
        }
    }
}

/// "Cyberchase: Hacker's Garden Grab".
pub(super) fn title_of(a: &Airing) -> String {
    match episode_of(a) {
        Some(e) => format!("{}: {e}", a.details.title),
        None => a.details.title.clone(),
    }
}

/// `GET /teach/assignments`
pub(super) async fn my_assignments(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    with_teacher(
        &state,
        &headers,
        Some(&uri),
        async |auth: Auth, who: Who| {
            let lang = who.lang;
            let pool = state.store.pool();
            let list = assignments::list(pool, Some(auth.user().id), true).await?;
            let class_names: HashMap<i64, String> = assignments::classes_of(pool, auth.user().id)
                .await?
                .into_iter()
                .map(|c| (c.id, c.name))
                .collect();
            let mut namer = LinkNamer::new(&state, lang);
            let mut live = Vec::new();
            let mut deleted = Vec::new();
            for a in list {
                let row = AssignmentRow {
                    id: a.id,
                    links: namer.names(&a.links).await?,
                    title: a.fields.title,
                    instructions: a.fields.instructions,
                    grades: grade_ranges(a.fields.grades),
                    minutes: a.fields.minutes,
                    due: a.fields.due.map(|d| lang.long_date(d)),
                    class: a.class_id.and_then(|c| class_names.get(&c).cloned()),
                };
                if a.deleted_at.is_some() {
                    deleted.push(row);
                } else {
                    live.push(row);
                }
            }
            // `?deleted=ID`: the assignment this teacher just deleted, if it still is.
            let asked: Option<i64> = uri
                .query()
                .unwrap_or("")
                .split('&')
                .find_map(|kv| kv.strip_prefix("deleted="))
                .and_then(|v| v.parse().ok());
            let just_deleted = asked.and_then(|id| {
                deleted
                    .iter()
                    .find(|r: &&AssignmentRow| r.id == id)
                    .map(|r| (r.id, r.title.clone()))
            });
            let page = AssignmentsPage {
                just_deleted,
                lang,
                p: lang.pages(),
                s: lang.strings(),
                who,
                nav: "assignments",
                live,
                deleted,
            };
            Ok(render_page(StatusCode::OK, &page, Caching::Private))
        },
    )
    .await
}
