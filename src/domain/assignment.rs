//! Work a teacher attaches to airings, and the rules it must meet before it is stored.

use super::GradeSet;
use chrono::{DateTime, NaiveDate, Utc};

/// What an assignment is attached to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Link {
    /// One airing.
    Airing(i64),
    /// Every airing of an episode (`cyberchase/the-poddleville-case`), now and after re-imports.
    Episode(String),
    /// Every airing of a series (`cyberchase`).
    Series(String),
}

impl Link {
    pub fn scope(&self) -> &'static str {
        match self {
            Link::Airing(_) => "airing",
            Link::Episode(_) => "episode",
            Link::Series(_) => "series",
        }
    }
}

/// An assignment as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Assignment {
    pub id: i64,
    pub owner_id: i64,
    pub owner_email: String,
    pub class_id: Option<i64>,
    pub fields: AssignmentFields,
    pub links: Vec<Link>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}

/// The teacher-written part of an assignment, validated.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AssignmentFields {
    pub title: String,
    pub title_es: Option<String>,
    pub instructions: String,
    pub instructions_es: Option<String>,
    pub materials: Option<String>,
    pub materials_es: Option<String>,
    pub minutes: Option<i64>,
    pub grades: GradeSet,
    pub due: Option<NaiveDate>,
}

pub const MAX_TITLE: usize = 200;
pub const MAX_INSTRUCTIONS: usize = 10_000;
pub const MAX_MATERIALS: usize = 2_000;
pub const MAX_MINUTES: i64 = 600;
pub const MAX_LINKS: usize = 50;
/// Live (not deleted) assignments one teacher may have: a school year of daily work, several
/// times over.
pub const MAX_LIVE_PER_TEACHER: i64 = 2_000;
/// One teacher's live assignments on one airing, episode or series: every airing a series has
/// carries all of its work to every family that follows the grade.
pub const MAX_ON_ONE_LINK: i64 = 10;
/// Classes one teacher may have.
pub const MAX_CLASSES_PER_TEACHER: i64 = 200;

/// One thing wrong with what a teacher sent, by field, said in English (the API's `message`)
/// and in Spanish (for the teacher pages in Spanish).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
    #[serde(skip)]
    pub message_es: String,
}

impl FieldError {
    pub fn new(
        field: &str,
        message: impl Into<String>,
        message_es: impl Into<String>,
    ) -> FieldError {
        FieldError {
            field: field.to_string(),
            message: message.into(),
            message_es: message_es.into(),
        }
    }

    /// No grade was named.
    pub fn at_least_one_grade() -> FieldError {
        FieldError::new(
            "grades",
            "name at least one grade",
            "indique al menos un grado",
        )
    }
}

/// Raw input, from a form or JSON, before validation. As JSON it is the API's shape of an
/// assignment's own fields; an unknown field is refused, so that a misspelt one is not lost.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssignmentInput {
    pub title: String,
    pub title_es: Option<String>,
    pub instructions: String,
    pub instructions_es: Option<String>,
    pub materials: Option<String>,
    pub materials_es: Option<String>,
    pub minutes: Option<i64>,
    pub grades: Vec<String>,
    pub due: Option<String>,
}

/// A stored assignment's fields as input again, to merge a change into.
impl From<&AssignmentFields> for AssignmentInput {
    fn from(f: &AssignmentFields) -> Self {
        AssignmentInput {
            title: f.title.clone(),
            title_es: f.title_es.clone(),
            instructions: f.instructions.clone(),
            instructions_es: f.instructions_es.clone(),
            materials: f.materials.clone(),
            materials_es: f.materials_es.clone(),
            minutes: f.minutes,
            grades: f.grades.codes(),
            due: f.due.map(|d| d.to_string()),
        }
    }
}

fn text(
    errors: &mut Vec<FieldError>,
    field: &str,
    value: &str,
    max: usize,
    required: bool,
) -> Option<String> {
    let v = value.trim();
    if v.is_empty() {
        if required {
            errors.push(FieldError::new(
                field,
                "must not be empty",
                "no puede quedar vacío",
            ));
        }
        return None;
    }
    if v.chars().count() > max {
        let n = v.chars().count();
        errors.push(FieldError::new(
            field,
            format!("is {n} characters long; at most {max} are allowed"),
            format!("tiene {n} caracteres; se permiten {max} como máximo"),
        ));
        return None;
    }
    // Control characters other than line breaks and tabs have no place in what families read.
    if v.chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        errors.push(FieldError::new(
            field,
            "contains control characters",
            "contiene caracteres de control",
        ));
        return None;
    }
    // One kind of line break: a lone CR (old Mac text) is a line break too.
    Some(v.replace("\r\n", "\n").replace('\r', "\n"))
}

impl AssignmentInput {
    /// Checks every field; all problems are reported at once.
    pub fn validate(&self) -> Result<AssignmentFields, Vec<FieldError>> {
        let mut errors = Vec::new();
        let title = text(&mut errors, "title", &self.title, MAX_TITLE, true);
        let title_es = self
            .title_es
            .as_deref()
            .and_then(|t| text(&mut errors, "title_es", t, MAX_TITLE, false));
        let instructions = text(
            &mut errors,
            "instructions",
            &self.instructions,
            MAX_INSTRUCTIONS,
            true,
        );
        let instructions_es = self
            .instructions_es
            .as_deref()
            .and_then(|t| text(&mut errors, "instructions_es", t, MAX_INSTRUCTIONS, false));
        let materials = self
            .materials
            .as_deref()
            .and_then(|t| text(&mut errors, "materials", t, MAX_MATERIALS, false));
        let materials_es = self
            .materials_es
            .as_deref()
            .and_then(|t| text(&mut errors, "materials_es", t, MAX_MATERIALS, false));
        if let Some(m) = self.minutes {
            if !(1..=MAX_MINUTES).contains(&m) {
                errors.push(FieldError::new(
                    "minutes",
                    format!("must be between 1 and {MAX_MINUTES}"),
                    format!("debe estar entre 1 y {MAX_MINUTES}"),
                ));
            }
        }
        let mut grades = GradeSet::EMPTY;
        for g in &self.grades {
            match GradeSet::parse_list(g) {
                Ok(s) => grades = grades.union(s),
                Err(e) => errors.push(FieldError::new("grades", e.to_string(), e.spanish())),
            }
        }
        if grades.is_empty() && !errors.iter().any(|e| e.field == "grades") {
            errors.push(FieldError::at_least_one_grade());
        }
        let due = match self.due.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
            None => None,
            Some(d) => match super::parse_date(d) {
                Ok(d) => Some(d),
                Err(super::WeekError::NotADate(_)) => {
                    errors.push(FieldError::new(
                        "due",
                        format!("`{d}` is not a date such as 2020-04-17"),
                        format!("`{d}` no es una fecha como 2020-04-17"),
                    ));
                    None
                }
                Err(e) => {
                    errors.push(FieldError::new("due", e.to_string(), e.spanish()));
                    None
                }
            },
        };
        match (title, instructions) {
            (Some(title), Some(instructions)) if errors.is_empty() => Ok(AssignmentFields {
                title,
                title_es,
                instructions,
                instructions_es,
                materials,
                materials_es,
                minutes: self.minutes,
                grades,
                due,
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> AssignmentInput {
        AssignmentInput {
            title: "Fractions with Cyberchase".into(),
            instructions: "Watch, then draw three pizzas cut in quarters.".into(),
            grades: vec!["5".into()],
            ..Default::default()
        }
    }

    #[test]
    fn a_good_assignment_passes() {
        let f = input().validate().unwrap();
        assert_eq!(f.grades.codes(), ["5"]);
        assert_eq!(f.title, "Fractions with Cyberchase");
    }

    #[test]
    fn every_problem_is_named_by_its_field() {
        let bad = AssignmentInput {
            title: "  ".into(),
            instructions: "x".repeat(MAX_INSTRUCTIONS + 1),
            grades: vec!["13".into()],
            minutes: Some(0),
            due: Some("next friday".into()),
            ..Default::default()
        };
        let errors = bad.validate().unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["title", "instructions", "minutes", "grades", "due"]
        );
    }

    #[test]
    fn grades_are_required() {
        let e = AssignmentInput {
            grades: vec![],
            ..input()
        }
        .validate()
        .unwrap_err();
        assert_eq!(e[0].field, "grades");
    }
}
