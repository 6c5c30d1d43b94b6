//! `GET /teach`: the week's schedule for a grade, to pick an airing from.

use super::{episode_of, grade_ranges, with_teacher, Opt, Who};
use crate::domain::{Grade, Week};
use crate::feeds::WorkIndex;
use crate::i18n::{Lang, PageStrings};
use crate::store::{airings, assignments, AiringFilter};
use crate::web::auth::Auth;
use crate::web::error::AppError;
use crate::web::html::{
    by_local_day, channel_label, clock, parse_grade, parse_week, render_page, url_encode, Caching,
};
use crate::web::AppState;
use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use chrono::Duration;
use serde::Deserialize;

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct BrowseQuery {
    station: Option<String>,
    grade: Option<String>,
    week: Option<String>,
}

pub(super) struct Row {
    id: i64,
    time: String,
    channel: String,
    title: String,
    episode: Option<String>,
    grades: String,
    work: usize,
}

pub(super) struct BrowseDay {
    heading: String,
    rows: Vec<Row>,
}

#[derive(Template)]
#[template(path = "teach/browse.html")]
pub(super) struct BrowsePage {
    lang: Lang,
    p: &'static PageStrings,
    who: Who,
    nav: &'static str,
    heading: String,
    stations: Vec<Opt>,
    grades: Vec<Opt>,
    week_value: String,
    prev_url: String,
    next_url: String,
    days: Vec<BrowseDay>,
}

/// `GET /teach?station=&grade=&week=`
pub(super) async fn browse(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    query: Result<Query<BrowseQuery>, QueryRejection>,
) -> Response {
    with_teacher(
        &state,
        &headers,
        Some(&uri),
        async |_auth: Auth, who: Who| {
            let lang = who.lang;
            let Query(q) = query.map_err(|e| AppError::BadRequest(e.body_text()))?;
            let tz = state.config.tz;
            let pool = state.store.pool();
            let p = lang.pages();
            let known = airings::station_zones(pool).await?;
            let station = match q
                .station
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
            {
                None => None,
                Some(s) => {
                    let s = s.to_ascii_uppercase();
                    if !known.iter().any(|(c, _)| *c == s) {
                        return Err(AppError::BadRequest(format!(
                            "station: `{}` {}",
                            crate::web::html::shown(&s),
                            p.bad_station
                        )));
                    }
                    Some(s)
                }
            };
            let grade = parse_grade(lang, q.grade.as_deref())?;
            let week = parse_week(lang, q.week.as_deref(), tz)?;
            let (from, to) = week.window(tz);
            let list = airings::list(
                pool,
                &AiringFilter {
                    station: station.clone(),
                    grade,
                    from: Some(from),
                    to: Some(to),
                    ..Default::default()
                },
            )
            .await?;
            let live = assignments::live(pool).await?;
            let work = WorkIndex::new(&live, |_| true);
            let days = by_local_day(&list, tz)
                .into_iter()
                .map(|(day, items)| BrowseDay {
                    heading: lang.day_heading(day),
                    rows: items
                        .into_iter()
                        .map(|a| Row {
                            id: a.id,
                            time: match a.end {
                                Some(e) => format!(
                                    "{}–{}",
                                    clock(lang, a.start, a.zone(tz)),
                                    clock(lang, e, a.zone(tz))
                                ),
                                None => clock(lang, a.start, a.zone(tz)),
                            },
                            channel: channel_label(a),
                            title: a.details.title.clone(),
                            episode: episode_of(a),
                            grades: grade_ranges(a.details.grades),
                            work: work.for_airing(a).len(),
                        })
                        .collect(),
                })
                .collect();
            let station_code = station.clone().unwrap_or_default();
            let grade_code = grade.map(|g| g.code()).unwrap_or_default();
            let link = |w: Week| {
                format!(
                    "/teach?station={}&grade={}&week={w}",
                    url_encode(&station_code),
                    url_encode(&grade_code)
                )
            };
            let page = BrowsePage {
                lang,
                p,
                who,
                nav: "schedule",
                heading: format!(
                    "{} · {} {}",
                    p.nav_schedule,
                    p.week_of,
                    lang.long_date(week.monday())
                ),
                stations: known
                    .iter()
                    .map(|(c, _)| Opt {
                        value: c.clone(),
                        label: c.clone(),
                        selected: station.as_deref() == Some(c.as_str()),
                    })
                    .collect(),
                grades: Grade::all()
                    .map(|g| Opt {
                        value: g.code(),
                        label: lang.strings().grade_name(g),
                        selected: Some(g) == grade,
                    })
                    .collect(),
                week_value: week.to_string(),
                prev_url: link(Week::containing(week.monday() - Duration::days(7))),
                next_url: link(Week::containing(week.monday() + Duration::days(7))),
                days,
            };
            Ok(render_page(StatusCode::OK, &page, Caching::Private))
        },
    )
    .await
}
