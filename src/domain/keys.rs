//! Stable keys for series and episodes, the same whichever format named them, so that work
//! linked to an episode reaches every airing of it on every station.

/// `Cyberchase` → `cyberchase`; `Peg + Cat` → `peg-cat`; `¡Hola, Niños!` → `hola-ninos`.
pub fn slug(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    slug_into(&mut out, text);
    out
}

/// Appends `text`'s slug to `out`; whether it added anything.
fn slug_into(out: &mut String, text: &str) -> bool {
    let empty = out.len();
    let mut dash = false;
    for c in text.chars() {
        // ASCII, nearly every title, needs neither accent folding nor Unicode lower case.
        let c = if c.is_ascii() { c } else { fold_accent(c) };
        if c.is_alphanumeric() {
            if dash && out.len() > empty {
                out.push('-');
            }
            dash = false;
            if c.is_ascii() {
                out.push(c.to_ascii_lowercase());
            } else {
                out.extend(c.to_lowercase());
            }
        } else {
            dash = true;
        }
    }
    out.len() > empty
}

fn fold_accent(c: char) -> char {
    match c {
        'á' | 'à' | 'â' | 'ä' | 'ã' | 'å' | 'Á' | 'À' | 'Â' | 'Ä' | 'Ã' | 'Å' => 'a',
        'é' | 'è' | 'ê' | 'ë' | 'É' | 'È' | 'Ê' | 'Ë' => 'e',
        'í' | 'ì' | 'î' | 'ï' | 'Í' | 'Ì' | 'Î' | 'Ï' => 'i',
        'ó' | 'ò' | 'ô' | 'ö' | 'õ' | 'Ó' | 'Ò' | 'Ô' | 'Ö' | 'Õ' => 'o',
        'ú' | 'ù' | 'û' | 'ü' | 'Ú' | 'Ù' | 'Û' | 'Ü' => 'u',
        'ñ' | 'Ñ' => 'n',
        'ç' | 'Ç' => 'c',
        _ => c,
    }
}

/// A US call sign (`K` or `W` and two or three more capitals), without a `-TV`-style suffix.
pub fn us_call_sign(token: &str) -> Option<&str> {
    let base = ["-TV", "-DT", "-HD", "-LD", "-CD"]
        .iter()
        .find_map(|suffix| token.strip_suffix(suffix))
        .unwrap_or(token);
    let b = base.as_bytes();
    let looks_like = matches!(b.len(), 3 | 4)
        && matches!(b[0], b'K' | b'W')
        && b[1..].iter().all(u8::is_ascii_uppercase)
        // "PBS KIDS" names a channel, not a station.
        && base != "KIDS";
    looks_like.then_some(base)
}

/// The series key: the slug of its title (`cyberchase`), or `untitled` for an empty one.
pub fn series_key(title: &str) -> String {
    let s = slug(title);
    if s.is_empty() {
        "untitled".into()
    } else {
        s
    }
}

/// The episode key: series key and the episode's title (`cyberchase/the-poddleville-case`), or
/// its number where it has no title (`nova/nola-004711`, `match-game/s1e12`). `None` when the
/// source tells nothing that identifies the episode.
pub fn episode_key(
    series_key: &str,
    episode_title: Option<&str>,
    nola_episode: Option<&str>,
    episode_num: Option<&str>,
) -> Option<String> {
    // One string: the series key, a slash, the slug of the first part that has one.
    let mut key = String::with_capacity(series_key.len() + 1 + episode_title.map_or(16, str::len));
    key.push_str(series_key);
    key.push('/');
    let prefix = key.len();
    let found = episode_title.is_some_and(|t| slug_into(&mut key, t))
        || nola_episode.is_some_and(|n| {
            key.push_str("nola-");
            slug_into(&mut key, n);
            true
        })
        || episode_num.is_some_and(|n| slug_into(&mut key, n));
    (found && key.len() > prefix).then_some(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_the_same_whatever_the_punctuation_or_accents() {
        assert_eq!(series_key("Peg + Cat"), "peg-cat");
        assert_eq!(series_key("  Cyberchase "), "cyberchase");
        assert_eq!(series_key("¡Hola, Niños!"), "hola-ninos");
        assert_eq!(series_key("!!!"), "untitled");
        assert_eq!(
            episode_key(
                "cyberchase",
                Some("The Poddleville Case"),
                Some("000405"),
                None
            )
            .as_deref(),
            Some("cyberchase/the-poddleville-case")
        );
        assert_eq!(
            episode_key("nova", None, Some("004711"), None).as_deref(),
            Some("nova/nola-004711")
        );
        assert_eq!(
            episode_key("mg", None, None, Some("S1E12")).as_deref(),
            Some("mg/s1e12")
        );
        assert_eq!(episode_key("news", Some("  "), None, None), None);
    }
}

/// FNV-1a, 64 bits: a small hash that stays the same across builds and platforms (the standard
/// library's may not), for content fingerprints and `ETag`s.
#[derive(Debug, Clone, Copy)]
pub struct Fnv1a(u64);

impl Default for Fnv1a {
    fn default() -> Self {
        Fnv1a(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv1a {
    pub fn write(&mut self, bytes: &[u8]) -> &mut Self {
        for b in bytes {
            self.0 ^= *b as u64;
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
        self
    }

    pub fn finish(&self) -> u64 {
        self.0
    }

    /// The hash of one byte string.
    pub fn of(bytes: &[u8]) -> u64 {
        Fnv1a::default().write(bytes).finish()
    }
}
