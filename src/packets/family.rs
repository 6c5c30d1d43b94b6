//! A family's packet: the family plan for one TV ([`crate::family::FamilyPlan`]) on paper. The
//! cover names the children, says how to watch and, under their own headings, the lessons that
//! still clash and the work with no airing this week; then a page per day with the planned
//! lessons only, in time order, each with whose work it is, what to do after, and the other
//! airings that would do. The same plan as the page, the feed and `lessoncast plan`.

use super::{
    channel_lines, week_sections, CoverNote, Item, Packet, PacketRequest, PacketScope, QrLink, Work,
};
use crate::domain::Airing;
use crate::family::{self, FamilyPlan};
use chrono::{NaiveDate, Weekday};

/// Builds the packet of `plan` for `options` (whose scope is the family's).
pub fn build_family(options: &PacketRequest, plan: &FamilyPlan, base_url: &str) -> Packet {
    let lang = options.lang;
    let words = lang.packet();
    let w = lang.plan();
    let monday = options.week.monday();
    let base = base_url.trim_end_matches('/');
    let local_day = |a: &Airing| a.start.with_timezone(&a.zone(plan.tz)).date_naive();

    // The planned lessons by airing (children who watch one airing together share its row), in
    // time order.
    let mut rows: Vec<(&Airing, Vec<usize>)> = Vec::new();
    for (i, it) in plan.items.iter().enumerate() {
        let Some(a) = &it.airing else { continue };
        match rows.iter_mut().find(|(b, _)| b.id == a.id) {
            Some((_, list)) => list.push(i),
            None => rows.push((a, vec![i])),
        }
    }
    rows.sort_by_key(|(a, _)| (a.start, a.id));

    let work = |i: usize| -> Work {
        let it = &plan.items[i];
        let mut notes = Vec::new();
        if it.late {
            notes.push(w.after_due.to_string());
        }
        for j in plan.clashes_with(i) {
            let o = &plan.items[j];
            let what = o
                .airing
                .as_ref()
                .map(|a| lang.pick(&a.details.title, a.details.title_es.as_deref()))
                .unwrap_or_default();
            notes.push(format!(
                "{}: {} · {what}",
                w.same_time_as,
                plan.children[o.child].label(lang)
            ));
        }
        Work {
            who: Some(plan.children[it.child].label(lang)),
            also: family::also_airs(it, lang, plan.tz),
            notes,
            ..Work::of(&it.work, lang, monday)
        }
    };
    let item = |(a, list): &(&Airing, Vec<usize>)| {
        Item::new(a, lang, plan.tz, list.iter().map(|&i| work(i)).collect())
    };
    let on = |day: NaiveDate| -> Vec<Item> {
        rows.iter()
            .filter(|(a, _)| local_day(a) == day)
            .map(item)
            .collect()
    };

    let sections = if rows.is_empty() {
        Vec::new()
    } else {
        week_sections(options.week, words, on)
    };

    let mut notes = Vec::new();
    if !plan.clashes.is_empty() {
        notes.push(CoverNote {
            heading: w.clashes.to_string(),
            lines: plan
                .clashes
                .iter()
                .map(|&(a, b)| family::clash_words(plan, a, b, lang))
                .collect(),
        });
    }
    let unplaced: Vec<String> = plan
        .items
        .iter()
        .filter(|it| it.airing.is_none())
        .map(|it| {
            format!(
                "{}: {}. {}",
                plan.children[it.child].label(lang),
                lang.pick(&it.work.fields.title, it.work.fields.title_es.as_deref()),
                w.not_this_week
            )
        })
        .collect();
    if !unplaced.is_empty() {
        notes.push(CoverNote {
            heading: w.unplaced.to_string(),
            lines: unplaced,
        });
    }
    if plan.items.is_empty() {
        notes.push(CoverNote {
            heading: w.full_schedule.to_string(),
            lines: family::grades(&plan.children)
                .iter()
                .map(|g| {
                    format!(
                        "{}: {base}/schedule?grade={}&week={}&lang={}",
                        lang.strings().grade_name(g),
                        g.code(),
                        options.week,
                        lang.code()
                    )
                })
                .collect(),
        });
    }

    let channels = channel_lines(rows.iter().map(|(a, _)| *a));
    let (feed_url, week_url) = match &options.scope {
        PacketScope::Family(f) => f.links(base, options.week, lang),
        _ => (String::new(), String::new()),
    };

    Packet {
        options: options.clone(),
        words,
        name: w.title.to_string(),
        grades: Some(
            plan.children
                .iter()
                .map(|c| c.label(lang))
                .collect::<Vec<_>>()
                .join(" · "),
        ),
        week_label: words.week_label(monday),
        dates: words.date_range(monday, options.week.day(Weekday::Fri)),
        channels,
        any_captions: rows.iter().any(|(a, _)| a.details.captions),
        any_spanish_audio: rows.iter().any(|(a, _)| a.details.spanish_audio),
        sections,
        feed: QrLink::new(words.qr_feed, feed_url),
        week_page: QrLink::new(words.qr_week, week_url),
        notes,
    }
}
