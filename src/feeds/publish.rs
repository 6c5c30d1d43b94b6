//! Publishing a feed: the request's parameters checked, the window's airings and work
//! queried, the calendar rendered, and the result cached until the data changes. The server,
//! the CLI (`lessoncast feed`) and the jobs all publish through [`publish`].

use super::{
    render, window, FeedError, FeedKind, FeedRequest, Publisher, RenderedFeed, WorkIndex,
    CANCELLED_FOR_DAYS,
};
use crate::app::App;
use crate::domain::{common_zone, parse_date, AiringStatus, WeekError};
use crate::i18n::Lang;
use crate::store::{airings, assignments, AiringFilter};
use chrono::{DateTime, NaiveDate, Utc};
use std::sync::Arc;

/// A feed's parameters as a URL or the command line gives them, unchecked.
#[derive(Debug, Default, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeedParams {
    pub lang: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub alarm: Option<String>,
}

impl FeedParams {
    /// The request these parameters ask for, or which parameter is wrong and why.
    pub fn request(&self, kind: FeedKind, today: NaiveDate) -> Result<FeedRequest, FeedError> {
        let bad = FeedError::BadParameter;
        let lang = match self.lang.as_deref() {
            Some(l) => l.parse::<Lang>().map_err(|e| bad(format!("lang: {e}")))?,
            None => Lang::En,
        };
        let date = |name: &str, v: &Option<String>| -> Result<Option<NaiveDate>, FeedError> {
            v.as_deref()
                .map(|s| {
                    parse_date(s).map_err(|e| match e {
                        WeekError::NotADate(_) => {
                            bad(format!("{name}: `{s}` is not a date such as 2020-04-13"))
                        }
                        e => bad(format!("{name}: {e}")),
                    })
                })
                .transpose()
        };
        let alarm = self
            .alarm
            .as_deref()
            .map(|a| {
                a.trim().parse::<u32>().map_err(|_| {
                    bad(format!(
                        "alarm: `{a}` is not a number of minutes (0 for no reminder)"
                    ))
                })
            })
            .transpose()?;
        FeedRequest::new(
            kind,
            lang,
            today,
            date("from", &self.from)?,
            date("to", &self.to)?,
            alarm,
        )
    }
}

/// The class whose feed `token` (its secret address) names.
pub async fn class_feed(app: &App, token: &str) -> Result<FeedKind, FeedError> {
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(FeedError::NoClass);
    }
    let class = assignments::class_by_token(app.store.pool(), token)
        .await?
        .ok_or(FeedError::NoClass)?;
    Ok(FeedKind::Class((&class).into()))
}

/// The feed for `req`, from the cache when the data has not changed since it was rendered.
pub async fn publish(app: &App, req: &FeedRequest) -> Result<Arc<RenderedFeed>, FeedError> {
    let (version, modified) = app.data_version().await?;
    if let Some(feed) = app.feeds.get(req, version) {
        return Ok(feed);
    }
    let _turn = app.feeds.rendering.take().await.ok_or(FeedError::Busy)?;
    // Requests for the same feed waited for the same turns: the first rendered it.
    if let Some(feed) = app.feeds.get(req, version) {
        return Ok(feed);
    }
    if let FeedKind::Family(children) = &req.kind {
        let feed = Arc::new(super::family::publish(app, req, children, version, modified).await?);
        app.feeds.put(req.clone(), feed.clone());
        return Ok(feed);
    }
    let pool = app.store.pool();
    // A station's feed is in the station's zone; others in the zone of most of their airings.
    let mut station_tz = None;
    if let FeedKind::Station(callsign) = &req.kind {
        let known = airings::station_zones(pool).await?;
        match known.iter().find(|(c, _)| c == callsign) {
            Some((_, tz)) => station_tz = tz.parse::<chrono_tz::Tz>().ok(),
            None => return Err(FeedError::NoStation(callsign.clone())),
        }
    }
    let default_tz = app.config.tz;
    let (from, to) = window(req, default_tz);
    let (station, grade) = match &req.kind {
        FeedKind::Grade(g) => (None, Some(*g)),
        FeedKind::Station(s) => (Some(s.clone()), None),
        FeedKind::Class(_) | FeedKind::Family(_) => (None, None),
    };
    let all_work = assignments::live(pool).await?;
    let work = WorkIndex::new(&all_work, |a| req.kind.shows(a));
    let cancelled_since = Utc::now() - chrono::Duration::days(CANCELLED_FOR_DAYS);
    let filter = AiringFilter {
        station,
        grade,
        from: Some(from),
        to: Some(to),
        include_removed: true,
        limit: None,
    };
    let list: Vec<_> = airings::list(pool, &filter)
        .await?
        .into_iter()
        .filter(|a| a.status == AiringStatus::Scheduled || a.updated_at >= cancelled_since)
        // A class feed holds only the airings its work is linked to.
        .filter(|a| !matches!(req.kind, FeedKind::Class(_)) || !work.for_airing(a).is_empty())
        .collect();
    let host = host_of(&app.config.base_url);
    let base_url = app.config.base_url.clone();
    let tz = station_tz.unwrap_or_else(|| common_zone(&list, default_tz));
    let last_modified = DateTime::from_timestamp(modified, 0).unwrap_or_default();
    // Rendering and gzipping a large feed takes milliseconds of CPU: off the async threads,
    // so cached feeds and other requests are answered meanwhile.
    let request = req.clone();
    let rendered = tokio::task::spawn_blocking(move || {
        let started = std::time::Instant::now();
        let work = WorkIndex::new(&all_work, |a| request.kind.shows(a));
        let publisher = Publisher {
            host: &host,
            base_url: &base_url,
            tz,
        };
        let body = render(&request, &list, &work, &publisher);
        let feed = RenderedFeed::new(body, last_modified, version);
        crate::metrics::global().feed_rendered(started.elapsed().as_secs_f64());
        feed
    })
    .await;
    let feed = Arc::new(rendered.map_err(|e| FeedError::Render(e.to_string()))?);
    app.feeds.put(req.clone(), feed.clone());
    Ok(feed)
}

/// The host part of the public address, for `UID`s.
pub fn host_of(base_url: &str) -> String {
    let rest = base_url.split_once("://").map_or(base_url, |(_, r)| r);
    rest.split(['/', ':'])
        .next()
        .unwrap_or("lessoncast")
        .to_string()
}
