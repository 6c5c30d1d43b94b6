//! Every word lessoncast writes for families, per language. Add a language by adding a
//! [`Lang`] variant and its [`Strings`]; the compiler then points at every place to fill in.

use std::fmt;
use std::str::FromStr;

/// A language families can choose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    #[default]
    En,
    Es,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Es => "es",
        }
    }

    pub fn strings(self) -> &'static Strings {
        match self {
            Lang::En => &EN,
            Lang::Es => &ES,
        }
    }

    /// Picks the text in this language when there is one, else the English.
    pub fn pick<'a>(self, en: &'a str, es: Option<&'a str>) -> &'a str {
        match (self, es) {
            (Lang::Es, Some(es)) if !es.trim().is_empty() => es,
            _ => en,
        }
    }
}

/// Why a language code was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a language we publish: use en or es")]
pub struct LangError(pub String);

impl FromStr for Lang {
    type Err = LangError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "en" | "eng" | "english" => Ok(Lang::En),
            "es" | "spa" | "spanish" | "español" => Ok(Lang::Es),
            _ => Err(LangError(s.to_string())),
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The words of one language.
pub struct Strings {
    /// "Grade 5" (the code is appended).
    pub grade: &'static str,
    pub grade_pk: &'static str,
    pub grade_k: &'static str,
    pub grade_adult: &'static str,
    /// Calendar name for a grade feed: "{grade} · Lessons on TV".
    pub lessons_on_tv: &'static str,
    /// Calendar description for a grade feed.
    pub grade_feed_description: &'static str,
    pub station_feed_description: &'static str,
    /// "Watch on KCET 28.1".
    pub watch_on: &'static str,
    pub captions: &'static str,
    pub spanish_audio: &'static str,
    pub free_tv: &'static str,
    pub starts_soon: &'static str,
    pub cancelled: &'static str,
    pub work_to_do: &'static str,
    pub materials: &'static str,
    pub due: &'static str,
    pub minutes: &'static str,
    pub class_feed_description: &'static str,
}

static EN: Strings = Strings {
    grade: "Grade",
    grade_pk: "Pre-K",
    grade_k: "Kindergarten",
    grade_adult: "Adults",
    lessons_on_tv: "Lessons on TV",
    grade_feed_description:
        "Lessons on free over-the-air public TV for this grade, with the work to do alongside.",
    station_feed_description: "Every programme of this station, from its published schedule.",
    watch_on: "Watch on",
    captions: "Captions (CC) available",
    spanish_audio: "Spanish audio available (SAP / audio button)",
    free_tv: "Free over-the-air TV: any TV with an antenna, no internet needed.",
    starts_soon: "Starts soon",
    cancelled: "Cancelled: no longer in the station's schedule",
    work_to_do: "Work to do",
    materials: "Materials",
    due: "Due",
    minutes: "min",
    class_feed_description: "The lessons on TV your teacher chose, with the work to do alongside.",
};

static ES: Strings = Strings {
    grade: "Grado",
    grade_pk: "Preescolar",
    grade_k: "Kínder",
    grade_adult: "Adultos",
    lessons_on_tv: "Clases en la TV",
    grade_feed_description: "Clases en la televisión pública gratuita para este grado, con las tareas para hacer mientras las ven.",
    station_feed_description: "Todos los programas de esta estación, según su horario publicado.",
    watch_on: "Véalo en",
    captions: "Subtítulos (CC) disponibles",
    spanish_audio: "Audio en español disponible (SAP / botón de audio)",
    free_tv: "Televisión gratuita por antena: cualquier televisor con antena, sin internet.",
    starts_soon: "Empieza pronto",
    cancelled: "Cancelado: ya no está en el horario de la estación",
    work_to_do: "Tarea",
    materials: "Materiales",
    due: "Entregar el",
    minutes: "min",
    class_feed_description: "Las clases en la TV que eligió su maestro o maestra, con la tarea para hacer.",
};

impl Strings {
    /// "Grade 5", "Kindergarten", "Grado 5", "Kínder".
    pub fn grade_name(&self, g: crate::domain::Grade) -> String {
        use crate::domain::Grade;
        match g {
            Grade::PK => self.grade_pk.to_string(),
            Grade::K => self.grade_k.to_string(),
            Grade::ADULT => self.grade_adult.to_string(),
            other => format!("{} {}", self.grade, other.code()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spanish_falls_back_to_english_where_no_spanish_was_given() {
        assert_eq!(
            Lang::Es.pick("Cyberchase", Some("Ciberpersecución")),
            "Ciberpersecución"
        );
        assert_eq!(Lang::Es.pick("Cyberchase", None), "Cyberchase");
        assert_eq!(Lang::Es.pick("Cyberchase", Some(" ")), "Cyberchase");
        assert_eq!(
            Lang::En.pick("Cyberchase", Some("Ciberpersecución")),
            "Cyberchase"
        );
        assert_eq!("ES".parse::<Lang>(), Ok(Lang::Es));
        assert!("fr".parse::<Lang>().is_err());
    }

    #[test]
    fn grade_names_in_both_languages() {
        let g: crate::domain::Grade = "5".parse().unwrap();
        assert_eq!(Lang::En.strings().grade_name(g), "Grade 5");
        assert_eq!(Lang::Es.strings().grade_name(g), "Grado 5");
        assert_eq!(
            Lang::Es.strings().grade_name(crate::domain::Grade::K),
            "Kínder"
        );
    }
}
