//! Spanish mirrors: a feed that repeats another's listings (`ESKCTS` beside `KCTS`) becomes their
//! Spanish text and audio.

use super::super::{ParseContext, Programme};
use super::feed::OpenFeed;
use super::mentions_spanish;
use std::collections::HashMap;

/// Folds each Spanish mirror feed into the feed it repeats.
///
/// A feed without a digital channel mirrors another when its name is the other's with `ES`
/// before it (`ESKCTS`, `KCTS`) and some listings repeat it, or when its name says Spanish
/// (`ES…`, "Español") and at least four in five of its listings repeat the other's (same start,
/// same title) with descriptions that differ. Each
/// repeated listing gives its text as the Spanish text of the airing it repeats, which is marked
/// as having Spanish audio; listings that repeat nothing stay on the mirror's own channel.
pub(super) fn merge_spanish_mirrors(feeds: &mut [OpenFeed], ctx: &mut ParseContext) {
    let key = |p: &Programme| (p.start, p.details.title.to_lowercase());
    for m in 0..feeds.len() {
        if feeds[m].has_digital_channel || feeds[m].programmes.is_empty() {
            continue;
        }
        let mirror_name = feeds[m].short_name.as_deref().map(str::to_uppercase);
        let spanish_name = mirror_name.as_deref().is_some_and(|n| n.starts_with("ES"))
            || feeds[m].full_name.as_deref().is_some_and(mentions_spanish);
        let mut best: Option<(usize, usize)> = None;
        for (f, target) in feeds.iter().enumerate() {
            if f == m || target.programmes.is_empty() {
                continue;
            }
            let index: HashMap<_, _> = target.programmes.iter().map(|p| (key(p), p)).collect();
            let (mut same, mut differ) = (0, 0);
            for p in &feeds[m].programmes {
                if let Some(t) = index.get(&key(p)) {
                    same += 1;
                    differ += usize::from(
                        p.details.description.is_some()
                            && p.details.description != t.details.description,
                    );
                }
            }
            let named = match (&mirror_name, &target.short_name) {
                (Some(mirror), Some(name)) => *mirror == format!("ES{}", name.to_uppercase()),
                _ => false,
            };
            let repeats =
                spanish_name && same * 5 >= feeds[m].programmes.len() * 4 && differ * 2 >= same;
            if same > 0 && (named || repeats) && best.is_none_or(|(_, n)| same > n) {
                best = Some((f, same));
            }
        }
        let Some((f, _)) = best else {
            continue;
        };
        let mirror = std::mem::take(&mut feeds[m].programmes);
        let (mirror_label, line) = (feeds[m].label.clone(), feeds[m].line);
        let target = &mut feeds[f];
        let index: HashMap<_, usize> = target
            .programmes
            .iter()
            .enumerate()
            .map(|(i, p)| (key(p), i))
            .collect();
        let mut kept = Vec::new();
        let mut merged = 0;
        for p in mirror {
            let Some(&i) = index.get(&key(&p)) else {
                kept.push(p);
                continue;
            };
            let t = &mut target.programmes[i];
            let differs = |a: &Option<String>, b: &Option<String>| a.is_some() && a != b;
            if differs(&p.details.episode_title, &t.details.episode_title) {
                t.details.episode_title_es = p.details.episode_title;
            }
            if differs(&p.details.description, &t.details.description) {
                t.details.description_es = p.details.description;
            }
            t.details.spanish_audio = true;
            merged += 1;
        }
        let target_label = target.label.clone();
        let stay = if kept.is_empty() {
            String::new()
        } else {
            format!(
                "; {} that repeat nothing stay on its own channel",
                kept.len()
            )
        };
        ctx.warn(
            line,
            "short_name",
            format!(
                "feed {mirror_label} repeats feed {target_label} in Spanish: {merged} of its \
                 listings are the Spanish text and audio of {target_label}'s airings{stay}"
            ),
        );
        feeds[m].programmes = kept;
    }
}
