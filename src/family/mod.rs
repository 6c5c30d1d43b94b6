//! The family plan as published: a family (children by grade, or by a teacher's class link)
//! read from a URL or the command line, the week's airings and work loaded, planned for one TV
//! ([`crate::domain::plan`]), and handed to the page, the feed, the packet and `lessoncast plan`
//! as one [`FamilyPlan`], so that all four show the same plan.

use crate::app::App;
use crate::domain::plan;
use crate::domain::{Airing, Assignment, Grade, GradeSet, Week};
use crate::feeds::{ClassFeed, FeedKind};
use crate::i18n::Lang;
use crate::store::{airings, assignments, AiringFilter, StoreError};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;

/// The most children a family link may hold.
pub const MAX_CHILDREN: usize = 6;
/// The most airings a week's plan reads (a week of every channel of a large market).
pub const MAX_AIRINGS: i64 = 50_000;

/// One child: a grade, or a teacher's class (whose work and grades it follows).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Child {
    Grade(Grade),
    Class(ClassFeed),
}

impl Child {
    /// The grade the plan names the child by: the class's lowest.
    pub fn grade(&self) -> Option<Grade> {
        match self {
            Child::Grade(g) => Some(*g),
            Child::Class(c) => Grade::all().find(|g| c.grades.contains(*g)),
        }
    }

    /// Which work is this child's: as their grade's or their class's feed shows it.
    pub fn kind(&self) -> FeedKind {
        match self {
            Child::Grade(g) => FeedKind::Grade(*g),
            Child::Class(c) => FeedKind::Class(c.clone()),
        }
    }

    /// "Grade 5" / "5.º grado", or the class's name with it.
    pub fn label(&self, lang: Lang) -> String {
        let s = lang.strings();
        match self {
            Child::Grade(g) => s.grade_name(*g),
            Child::Class(c) => match self.grade() {
                Some(g) if c.grades.iter().count() == 1 => {
                    format!("{} ({})", c.name, s.grade_name(g))
                }
                _ => c.name.clone(),
            },
        }
    }
}

/// Why a family could not be read.
#[derive(Debug, thiserror::Error)]
pub enum FamilyError {
    #[error("{}", self.message(Lang::En))]
    NoChildren,
    #[error("{}", self.message(Lang::En))]
    BadGrade(String),
    #[error("{}", self.message(Lang::En))]
    TooMany,
    #[error("{}", self.message(Lang::En))]
    NoClass(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl FamilyError {
    /// What is wrong, in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        let w = lang.plan();
        match self {
            FamilyError::NoChildren => format!("grades: {}", w.pick_grades),
            FamilyError::BadGrade(g) => format!("grades: `{g}` {}", w.bad_grade),
            FamilyError::TooMany => format!("grades: {}", w.too_many),
            FamilyError::NoClass(c) => format!("classes: `{c}…` {}", w.no_class),
            FamilyError::Store(e) => e.to_string(),
        }
    }
}

/// The children a URL names: `grades=2,5` and `classes=TOKEN,…` (a class link from a teacher),
/// in that order. At least one, at most [`MAX_CHILDREN`].
pub async fn family(
    app: &App,
    grades: Option<&str>,
    classes: Option<&str>,
) -> Result<Vec<Child>, FamilyError> {
    let mut children = Vec::new();
    let listed = |s: Option<&str>| -> Vec<String> {
        s.unwrap_or("")
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect()
    };
    let (grades, classes) = (listed(grades), tokens(classes));
    if grades.len() + classes.len() > MAX_CHILDREN {
        return Err(FamilyError::TooMany);
    }
    for g in &grades {
        let grade: Grade = g
            .parse()
            .map_err(|_| FamilyError::BadGrade(g.chars().take(20).collect()))?;
        children.push(Child::Grade(grade));
    }
    for token in &classes {
        let shown: String = token.chars().take(8).collect();
        if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(FamilyError::NoClass(shown));
        }
        let class = assignments::class_by_token(app.store.pool(), token)
            .await?
            .ok_or(FamilyError::NoClass(shown))?;
        children.push(Child::Class((&class).into()));
    }
    if children.is_empty() {
        return Err(FamilyError::NoChildren);
    }
    Ok(children)
}

/// The family's part of a link to its plan, page, feed or packet: `grades=2,5&classes=TOKEN`,
/// from the children [`family`] read (grades as codes, tokens as given). `tokens`: the class
/// tokens in the order of the children that are classes.
pub fn link(children: &[Child], tokens: &[String]) -> String {
    let grades: Vec<String> = children
        .iter()
        .filter_map(|c| match c {
            Child::Grade(g) => Some(g.code()),
            Child::Class(_) => None,
        })
        .collect();
    let mut out = Vec::new();
    if !grades.is_empty() {
        out.push(format!("grades={}", grades.join(",")));
    }
    if !tokens.is_empty() {
        out.push(format!("classes={}", tokens.join(",")));
    }
    out.join("&")
}

/// The class tokens a `classes=` parameter names, in order: each entry trimmed, and where it is
/// a whole class link a teacher handed out (`https://…/feeds/classes/TOKEN.ics`, or a
/// `webcal://` one), the token in it. Hex is read in either case.
pub fn tokens(classes: Option<&str>) -> Vec<String> {
    classes
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|entry| {
            let token = entry
                .split(|c: char| !c.is_ascii_hexdigit())
                .find(|run| run.len() == 64)
                .unwrap_or(entry);
            token.to_ascii_lowercase()
        })
        .collect()
}

/// The instant `week` is planned from at `now`: now, to the five minutes before, within the
/// week (airings that started earlier are over). The page, the feed and the packet asked for
/// within the same five minutes show the same plan, and a family's packet is drawn at most
/// once in that time (and once for a week not yet begun or already over).
pub fn plan_clock(now: DateTime<Utc>, week: Week, tz: Tz) -> DateTime<Utc> {
    let (from, to) = week.window(tz);
    let t = now.timestamp();
    let floored = DateTime::from_timestamp(t - t.rem_euclid(300), 0).unwrap_or(now);
    floored.clamp(from, to)
}

/// One piece of work for one child, planned.
#[derive(Debug, Clone)]
pub struct Item {
    pub child: usize,
    pub work: Assignment,
    /// What to watch; `None` when none of the work's airings is this week.
    pub airing: Option<Airing>,
    /// The teacher linked that very airing.
    pub direct: bool,
    /// It airs only after the work is due.
    pub late: bool,
    /// Other airings of it that would do.
    pub alternatives: Vec<Airing>,
}

/// A family's week, planned.
#[derive(Debug, Clone)]
pub struct FamilyPlan {
    pub children: Vec<Child>,
    pub week: Week,
    /// The zone days and times are told in (most of the week's airings' stations').
    pub tz: Tz,
    /// In the order of their airings (unplaceable work last).
    pub items: Vec<Item>,
    /// Pairs of items (indices into `items`) that still air at the same time.
    pub clashes: Vec<(usize, usize)>,
    /// The plan is the best there is (the search finished within its budget).
    pub proven: bool,
}

impl FamilyPlan {
    /// The items that clash with item `i`.
    pub fn clashes_with(&self, i: usize) -> Vec<usize> {
        self.clashes
            .iter()
            .filter_map(|&(a, b)| {
                if a == i {
                    Some(b)
                } else if b == i {
                    Some(a)
                } else {
                    None
                }
            })
            .collect()
    }
}

/// Plans `week` for `children` on one TV, from what the store holds now. `now`: airings that
/// started before it are over (chosen only for work with nothing later).
pub async fn plan_week(
    app: &App,
    children: Vec<Child>,
    week: Week,
    now: DateTime<Utc>,
) -> Result<FamilyPlan, StoreError> {
    let (from, to) = week.window(app.config.tz);
    let (list, work) = load(app, from, to).await?;
    Ok(plan_loaded(
        children,
        week,
        &list,
        &work,
        plan_clock(now, week, app.config.tz),
        app.config.tz,
    ))
}

/// The airings starting in `[from, to)` and the live work: what plans are made of.
pub async fn load(
    app: &App,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<(Vec<Airing>, Vec<Assignment>), StoreError> {
    let pool = app.store.pool();
    let list = airings::list(
        pool,
        &AiringFilter {
            station: None,
            grade: None,
            from: Some(from),
            to: Some(to),
            include_removed: false,
            limit: Some(MAX_AIRINGS),
        },
    )
    .await?;
    Ok((list, assignments::live(pool).await?))
}

/// Plans `week` from airings and work already loaded (airings outside the week are left out).
/// `default_tz`: the district's zone, for a week's bounds and airings whose station names none.
pub fn plan_loaded(
    children: Vec<Child>,
    week: Week,
    airings: &[Airing],
    all_work: &[Assignment],
    now: DateTime<Utc>,
    default_tz: Tz,
) -> FamilyPlan {
    let (from, to) = week.window(default_tz);
    let list: Vec<Airing> = airings
        .iter()
        .filter(|a| a.start >= from && a.start < to)
        .cloned()
        .collect();
    let kinds: Vec<FeedKind> = children.iter().map(Child::kind).collect();
    let per_child: Vec<Vec<&Assignment>> = kinds
        .iter()
        .map(|k| all_work.iter().filter(|a| k.shows(a)).collect())
        .collect();
    // Work with no airing this week belongs to the weeks it airs in; it is said here only when
    // it is due this week (the family has to ask the teacher), never for every week of a series.
    let monday = week.monday();
    let due_this_week = |t: &plan::Task<'_>| {
        t.work
            .fields
            .due
            .is_some_and(|d| monday <= d && d < monday + chrono::Duration::days(7))
    };
    let tasks: Vec<plan::Task<'_>> = plan::tasks(&per_child, &list)
        .into_iter()
        .filter(|t| !t.choices.is_empty() || due_this_week(t))
        .collect();
    let tz = crate::domain::common_zone(&list, default_tz);
    let planned = plan::plan(&tasks, now.max(from), tz);
    let items = planned
        .items
        .iter()
        .map(|p| Item {
            child: p.child,
            work: p.work.clone(),
            airing: p.chosen.map(|c| c.airing.clone()),
            direct: p.chosen.is_some_and(|c| c.direct),
            late: p.late,
            alternatives: p.alternatives.iter().map(|a| (*a).clone()).collect(),
        })
        .collect();
    FamilyPlan {
        children,
        week,
        tz,
        items,
        clashes: planned.clashes,
        proven: planned.proven,
    }
}

/// "Mon 10:30 AM KCET 28.1" / "lun 10:30 a. m. KCET 28.1": when and where, short.
pub fn when_where(a: &Airing, lang: Lang, fallback: Tz) -> String {
    let local = a.start.with_timezone(&a.zone(fallback));
    let day = lang.dates().short_weekday(local.date_naive());
    format!(
        "{day} {} {} {}",
        lang.clock(local.time()),
        a.station,
        a.channel
    )
}

/// At most this many other airings of a lesson are named; the rest are counted. A series on
/// three channels can air thirty times a week, and a family needs a repeat or two to fall back
/// on, not the listing.
pub const ALSO_SHOWN: usize = 3;

/// Where else `item`'s lesson airs, short, as every output of the plan says it: the repeats
/// after the planned one first (to catch if it is missed), then earlier ones, each in time
/// order, at most [`ALSO_SHOWN`], then "and 27 more times this week".
pub fn also_airs(item: &Item, lang: Lang, tz: Tz) -> Vec<String> {
    let after = |a: &Airing| item.airing.as_ref().is_none_or(|c| a.start > c.start);
    let mut order: Vec<&Airing> = item.alternatives.iter().filter(|a| after(a)).collect();
    order.extend(item.alternatives.iter().filter(|a| !after(a)));
    let mut out: Vec<String> = order
        .iter()
        .take(ALSO_SHOWN)
        .map(|a| when_where(a, lang, tz))
        .collect();
    let rest = order.len().saturating_sub(ALSO_SHOWN);
    if rest > 0 {
        out.push(lang.plan().more_times(rest));
    }
    out
}

/// The clash of items `a` and `b`, said in words.
pub fn clash_words(plan: &FamilyPlan, a: usize, b: usize, lang: Lang) -> String {
    let (x, y) = (&plan.items[a], &plan.items[b]);
    let who = |i: &Item| plan.children[i.child].label(lang);
    let what = |i: &Item| {
        i.airing
            .as_ref()
            .map(|air| format!("{} ({})", air.details.title, when_where(air, lang, plan.tz)))
            .unwrap_or_default()
    };
    match lang {
        Lang::En => format!(
            "{}'s {} and {}'s {} are on at the same time, and no repeat this week avoids it: \
             record one, or watch one and do the other's work from the packet.",
            who(x),
            what(x),
            who(y),
            what(y)
        ),
        Lang::Es => format!(
            "{}: {} y {}: {} se emiten a la misma hora, y ninguna repetición de esta semana lo \
             evita: grabe uno, o vea uno y haga la tarea del otro con el paquete impreso.",
            who(x),
            what(x),
            who(y),
            what(y)
        ),
    }
}

/// The plan as `lessoncast plan --json` prints it.
pub fn to_json(plan: &FamilyPlan, lang: Lang) -> serde_json::Value {
    use serde_json::json;
    let airing = |a: &Airing| {
        let tz = a.zone(plan.tz);
        json!({
            "id": a.id,
            "station": a.station,
            "channel": a.channel,
            "title": lang.pick(&a.details.title, a.details.title_es.as_deref()),
            "episode_title": a.details.episode_title,
            "start": a.start.with_timezone(&tz).to_rfc3339(),
            "end": a.end.map(|e| e.with_timezone(&tz).to_rfc3339()),
            "when": when_where(a, lang, plan.tz),
        })
    };
    let children: Vec<_> = plan
        .children
        .iter()
        .map(|c| {
            json!({
                "label": c.label(lang),
                "grade": c.grade().map(|g| g.code()),
                "class": match c { Child::Class(k) => Some(k.id), Child::Grade(_) => None },
            })
        })
        .collect();
    let items: Vec<_> = plan
        .items
        .iter()
        .enumerate()
        .map(|(i, it)| {
            json!({
                "child": it.child,
                "work": {
                    "id": it.work.id,
                    "title": lang.pick(&it.work.fields.title, it.work.fields.title_es.as_deref()),
                    "due": it.work.fields.due.map(|d| d.to_string()),
                },
                "airing": it.airing.as_ref().map(airing),
                "direct": it.direct,
                "late": it.late,
                "alternatives": it.alternatives.iter().map(airing).collect::<Vec<_>>(),
                "clashes_with": plan.clashes_with(i),
            })
        })
        .collect();
    let clashes: Vec<_> = plan
        .clashes
        .iter()
        .map(|&(a, b)| json!({"items": [a, b], "text": clash_words(plan, a, b, lang)}))
        .collect();
    json!({
        "week": plan.week.monday().to_string(),
        "children": children,
        "items": items,
        "clashes": clashes,
        "proven": plan.proven,
    })
}

/// Grades of the family, for packets and links: every child's.
pub fn grades(children: &[Child]) -> GradeSet {
    children.iter().fold(GradeSet::default(), |set, c| match c {
        Child::Grade(g) => set.union(GradeSet::single(*g)),
        Child::Class(k) => set.union(k.grades),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packets::tests::{airing, assignment};

    #[test]
    fn also_airs_names_a_few_repeats_after_the_planned_one_first_and_counts_the_rest() {
        // Planned Wednesday 9:00; repeats Monday, Tuesday, and Thursday to Sunday.
        let days = ["13", "14", "16", "17", "18", "19"];
        let item = Item {
            child: 0,
            work: assignment(),
            airing: Some(airing(3, "2020-04-15T16:00:00Z")),
            direct: false,
            late: false,
            alternatives: days
                .iter()
                .enumerate()
                .map(|(i, d)| airing(10 + i as i64, &format!("2020-04-{d}T16:00:00Z")))
                .collect(),
        };
        let tz = chrono_tz::America::Los_Angeles;
        // Times keep their AM on the same line (a no-break space).
        let also = |item: &Item, lang| -> Vec<String> {
            also_airs(item, lang, tz)
                .into_iter()
                .map(|s| s.replace('\u{a0}', " "))
                .collect()
        };
        assert_eq!(
            also(&item, Lang::En),
            [
                "Thu 9:00 AM KCET 28.1",
                "Fri 9:00 AM KCET 28.1",
                "Sat 9:00 AM KCET 28.1",
                "and 3 more times this week"
            ]
        );
        let es = also(&item, Lang::Es);
        assert_eq!(es[3], "y 3 veces más esta semana");
        // With few repeats, all of them, later ones first.
        let few = Item {
            alternatives: item.alternatives[..3].to_vec(),
            ..item
        };
        assert_eq!(
            also(&few, Lang::En),
            [
                "Thu 9:00 AM KCET 28.1",
                "Mon 9:00 AM KCET 28.1",
                "Tue 9:00 AM KCET 28.1"
            ]
        );
    }
}
