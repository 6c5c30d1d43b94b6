//! The assignment form every teacher page shares: its fields as posted, their problems in
//! the order of the form, and the form as shown again with those problems.

use super::grade_ranges;
use crate::domain::{Assignment, AssignmentInput, FieldError};
use crate::i18n::Lang;
use serde::Deserialize;

/// One problem with a form, by the id of the field it belongs to.
pub(super) struct ErrorView {
    pub(super) field: String,
    pub(super) label: &'static str,
    pub(super) message: String,
}

/// The fields of the forms in the order they are shown, so the summary reads top to bottom.
pub(super) const FIELD_ORDER: &[&str] = &[
    "name",
    "title",
    "title_es",
    "instructions",
    "instructions_es",
    "materials",
    "materials_es",
    "minutes",
    "grades",
    "due",
    "class",
    "scope",
];

pub(super) fn error_views(errors: Vec<FieldError>, lang: Lang) -> Vec<ErrorView> {
    let p = lang.pages();
    let mut views: Vec<ErrorView> = errors
        .into_iter()
        .map(|e| {
            // Links are chosen with the scope radio buttons.
            let field = if e.field.starts_with("links") {
                "scope".to_string()
            } else {
                e.field
            };
            let label = match field.as_str() {
                "title" => p.field_title,
                "title_es" => p.field_title_es,
                "instructions" => p.field_instructions,
                "instructions_es" => p.field_instructions_es,
                "materials" => p.field_materials,
                "materials_es" => p.field_materials_es,
                "minutes" => p.field_minutes,
                "grades" => p.field_grades,
                "due" => p.field_due,
                "class" => p.field_class,
                "scope" => p.attach_to,
                "name" => p.class_name,
                _ => "",
            };
            ErrorView {
                field,
                label,
                message: match lang {
                    Lang::Es => e.message_es,
                    Lang::En => e.message,
                },
            }
        })
        .collect();
    let rank = |f: &str| {
        FIELD_ORDER
            .iter()
            .position(|o| *o == f)
            .unwrap_or(usize::MAX)
    };
    views.sort_by_key(|v| rank(&v.field));
    views
}

pub(super) fn messages_for(errors: &[ErrorView], field: &str) -> Option<String> {
    let list: Vec<&str> = errors
        .iter()
        .filter(|e| e.field == field)
        .map(|e| e.message.as_str())
        .collect();
    (!list.is_empty()).then(|| list.join("; "))
}

/// An assignment form as the teacher filled it in (or as stored), with its problems.
#[derive(Default)]
pub(super) struct FormView {
    pub(super) title: String,
    pub(super) title_es: String,
    pub(super) instructions: String,
    pub(super) instructions_es: String,
    pub(super) materials: String,
    pub(super) materials_es: String,
    pub(super) minutes: String,
    pub(super) grades: String,
    pub(super) due: String,
    pub(super) class: String,
    pub(super) errors: Vec<ErrorView>,
}

impl FormView {
    pub(super) fn err(&self, field: &str) -> Option<String> {
        messages_for(&self.errors, field)
    }

    pub(super) fn of_assignment(a: &Assignment) -> FormView {
        let f = &a.fields;
        FormView {
            title: f.title.clone(),
            title_es: f.title_es.clone().unwrap_or_default(),
            instructions: f.instructions.clone(),
            instructions_es: f.instructions_es.clone().unwrap_or_default(),
            materials: f.materials.clone().unwrap_or_default(),
            materials_es: f.materials_es.clone().unwrap_or_default(),
            minutes: f.minutes.map(|m| m.to_string()).unwrap_or_default(),
            grades: grade_ranges(f.grades),
            due: f.due.map(|d| d.to_string()).unwrap_or_default(),
            class: a.class_id.map(|c| c.to_string()).unwrap_or_default(),
            errors: Vec::new(),
        }
    }
}

/// The fields of an assignment form, as posted. Every field may be missing, so that a post
/// without its CSRF token is refused for that, not for its shape.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct AssignmentForm {
    pub(super) csrf: String,
    pub(super) airing: String,
    pub(super) title: String,
    pub(super) title_es: String,
    pub(super) instructions: String,
    pub(super) instructions_es: String,
    pub(super) materials: String,
    pub(super) materials_es: String,
    pub(super) minutes: String,
    pub(super) grades: String,
    pub(super) due: String,
    pub(super) scope: String,
    pub(super) class: String,
}

impl AssignmentForm {
    pub(super) fn view(&self, errors: Vec<FieldError>, lang: Lang) -> FormView {
        FormView {
            title: self.title.clone(),
            title_es: self.title_es.clone(),
            instructions: self.instructions.clone(),
            instructions_es: self.instructions_es.clone(),
            materials: self.materials.clone(),
            materials_es: self.materials_es.clone(),
            minutes: self.minutes.clone(),
            grades: self.grades.clone(),
            due: self.due.clone(),
            class: self.class.clone(),
            errors: error_views(errors, lang),
        }
    }

    /// The input to validate, plus the problems only a form can have (a number that is not
    /// one, an unknown class choice).
    pub(super) fn input(&self) -> (AssignmentInput, Option<Option<i64>>, Vec<FieldError>) {
        let mut errors = Vec::new();
        let optional = |s: &str| (!s.trim().is_empty()).then(|| s.to_string());
        let minutes = match self.minutes.trim() {
            "" => None,
            m => match m.parse::<i64>() {
                Ok(n) => Some(n),
                Err(_) => {
                    errors.push(FieldError::new(
                        "minutes",
                        format!("`{m}` is not a whole number of minutes"),
                        format!("`{m}` no es un número entero de minutos"),
                    ));
                    None
                }
            },
        };
        let class = match self.class.trim() {
            "" => Some(None),
            c => match c.parse::<i64>() {
                Ok(id) => Some(Some(id)),
                Err(_) => {
                    errors.push(FieldError::new(
                        "class",
                        "choose one of your classes",
                        "elija una de sus clases",
                    ));
                    None
                }
            },
        };
        let input = AssignmentInput {
            title: self.title.clone(),
            title_es: optional(&self.title_es),
            instructions: self.instructions.clone(),
            instructions_es: optional(&self.instructions_es),
            materials: optional(&self.materials),
            materials_es: optional(&self.materials_es),
            minutes,
            grades: vec![self.grades.clone()],
            due: optional(&self.due),
        };
        (input, class, errors)
    }
}

/// All the problems of a form, the form's own first, then the assignment's.
pub(super) fn all_errors(mut pre: Vec<FieldError>, input: &AssignmentInput) -> Vec<FieldError> {
    if let Err(more) = input.validate() {
        pre.extend(more);
    }
    pre
}
