//! The family feed (`/feeds/family.ics?grades=2,5`): the family plan of every week in the
//! window ([`crate::family`]), one event per planned lesson (children who watch one airing
//! together share its event), the child in the summary, what to do after in the description,
//! and one reminder each (none with `alarm=0`).

use super::{
    airing_event, calendar, cut, finish, reminder, window, FeedError, FeedRequest, Publisher,
    RenderedFeed,
};
use crate::app::App;
use crate::domain::keys::Fnv1a;
use crate::domain::{Airing, Week};
use crate::family::{self, Child, FamilyPlan};
use chrono::{DateTime, Duration, Utc};
use icalendar::{Event, EventLike, EventStatus};

/// Instructions are cut to this many characters in an event (the page and packet have them all).
const INSTRUCTIONS: usize = 1_500;

/// The most weeks a family feed plans: the default window (two weeks back, eight ahead) and a
/// little more. Each week's airings are read on their own (at most `family::MAX_AIRINGS`), so a
/// long window can neither cut late weeks short nor multiply the planning without end.
pub const MAX_WEEKS: i64 = 12;

/// Renders the family feed for `req`.
pub(super) async fn publish(
    app: &App,
    req: &FeedRequest,
    children: &[Child],
    version: i64,
    modified: i64,
) -> Result<RenderedFeed, FeedError> {
    let tz = app.config.tz;
    // Whole weeks, so that each week is planned on all of its airings.
    let first = Week::containing(req.from);
    let last = Week::containing(req.to);
    if first.weeks_until(last) >= MAX_WEEKS {
        return Err(FeedError::BadParameter(format!(
            "from, to: a family plan covers at most {MAX_WEEKS} weeks; {} to {} is more",
            req.from, req.to
        )));
    }
    let mut weeks = Vec::new();
    let mut work = Vec::new();
    let mut week = first;
    while week.monday() <= last.monday() {
        let (from, to) = week.window(tz);
        let (airings, live) = family::load(app, from, to).await?;
        weeks.push((week, airings));
        work = live;
        week = Week::containing(week.monday() + Duration::days(7));
    }
    let host = super::publish::host_of(&app.config.base_url);
    let base_url = app.config.base_url.clone();
    let request = req.clone();
    let children = children.to_vec();
    let last_modified = DateTime::from_timestamp(modified, 0).unwrap_or_default();
    let now = Utc::now();
    tokio::task::spawn_blocking(move || {
        let started = std::time::Instant::now();
        let plans: Vec<FamilyPlan> = weeks
            .iter()
            .map(|(week, airings)| {
                let at = family::plan_clock(now, *week, tz);
                family::plan_loaded(children.clone(), *week, airings, &work, at, tz)
            })
            .collect();
        let all: Vec<Airing> = weeks.into_iter().flat_map(|(_, a)| a).collect();
        let zone = crate::domain::common_zone(&all, tz);
        let publisher = Publisher {
            host: &host,
            base_url: &base_url,
            tz: zone,
        };
        let body = render(&request, &children, &plans, &publisher);
        let feed = RenderedFeed::new(body, last_modified, version);
        crate::metrics::global().feed_rendered(started.elapsed().as_secs_f64());
        feed
    })
    .await
    .map_err(|e| FeedError::Render(e.to_string()))
}

/// The family's part of every UID: the same family gets the same UIDs, another family others.
fn family_key(children: &[Child]) -> String {
    let mut h = Fnv1a::default();
    for c in children {
        match c {
            Child::Grade(g) => h.write(b"g").write(g.code().as_bytes()),
            Child::Class(k) => h.write(b"c").write(k.id.to_string().as_bytes()),
        };
        h.write(b",");
    }
    format!("{:012x}", h.finish() & 0xffff_ffff_ffff)
}

/// The feed of `plans` (one per week of the window).
pub fn render(
    req: &FeedRequest,
    children: &[Child],
    plans: &[FamilyPlan],
    publisher: &Publisher<'_>,
) -> String {
    let (from, to) = window(req, publisher.tz);
    let key = family_key(children);
    let mut cal = calendar(req, publisher);
    for plan in plans {
        // The plan's lessons by airing: one event each.
        let mut by_airing: Vec<(&Airing, Vec<usize>)> = Vec::new();
        for (i, it) in plan.items.iter().enumerate() {
            let Some(a) = &it.airing else { continue };
            if a.start < from || a.start >= to {
                continue;
            }
            match by_airing.iter_mut().find(|(b, _)| b.id == a.id) {
                Some((_, list)) => list.push(i),
                None => by_airing.push((a, vec![i])),
            }
        }
        for (a, items) in by_airing {
            cal.push(event(req, plan, a, &items, &key, publisher));
        }
    }
    finish(cal, req, publisher)
}

fn event(
    req: &FeedRequest,
    plan: &FamilyPlan,
    a: &Airing,
    items: &[usize],
    key: &str,
    publisher: &Publisher<'_>,
) -> Event {
    let lang = req.lang;
    let s = lang.strings();
    let w = lang.plan();
    let title = lang.pick(&a.details.title, a.details.title_es.as_deref());
    let channel = match &a.channel_name {
        Some(n) if !n.is_empty() && n != &a.station => format!("{} {} ({n})", a.station, a.channel),
        _ => format!("{} {}", a.station, a.channel),
    };
    let mut who: Vec<String> = Vec::new();
    for &i in items {
        let label = plan.children[plan.items[i].child].label(lang);
        if !who.contains(&label) {
            who.push(label);
        }
    }
    let summary = format!("{} · {channel} · {title}", who.join(" + "));
    let mut description = Vec::new();
    for &i in items {
        let it = &plan.items[i];
        let f = &it.work.fields;
        let mut head = format!(
            "{}: {} {}",
            plan.children[it.child].label(lang),
            w.then_do,
            lang.pick(&f.title, f.title_es.as_deref())
        );
        if let Some(m) = f.minutes {
            head.push_str(&format!(" ({m} {})", s.minutes));
        }
        description.push(head);
        description.push(cut(
            lang.pick(&f.instructions, f.instructions_es.as_deref()),
            INSTRUCTIONS,
            s.continues,
        ));
        if let Some(d) = f.due {
            description.push(format!("{}: {}", w.due, lang.due_date(d)));
        }
        if it.late {
            description.push(w.after_due.to_string());
        }
        if !it.alternatives.is_empty() {
            let also = family::also_airs(it, lang, plan.tz);
            description.push(format!("{}: {}", w.also_airs, also.join("; ")));
        }
        for j in plan.clashes_with(i) {
            let (x, y) = if i < j { (i, j) } else { (j, i) };
            description.push(family::clash_words(plan, x, y, lang));
        }
        description.push(String::new());
    }
    description.push(format!("{} {channel}", s.watch_on));
    description.push(s.free_tv.to_string());
    description.push(format!(
        "{}: {}/family?grades={}&week={}&lang={}",
        w.title,
        publisher.base_url,
        plan.children
            .iter()
            .filter_map(|c| c.grade().map(|g| g.code()))
            .collect::<Vec<_>>()
            .join(","),
        plan.week,
        lang.code()
    ));
    let stamp = items
        .iter()
        .map(|&i| plan.items[i].work.updated_at)
        .chain(std::iter::once(a.updated_at))
        .max()
        .unwrap_or(a.updated_at);
    let mut e = airing_event(
        &format!("plan-{}-{key}@{}", a.id, publisher.host),
        a,
        stamp,
        &summary,
        &description.join("\n"),
        &channel,
        lang,
    );
    e.status(EventStatus::Confirmed);
    if req.alarm_minutes > 0 {
        e.alarm(reminder(
            &format!("plan-alarm-{}-{key}@{}", a.id, publisher.host),
            &format!("{}: {summary}", s.starts_soon),
            req.alarm_minutes,
            stamp,
        ));
    }
    e.done()
}
