//! Importing broadcast schedules: one parser per format, all yielding [`Programme`]s, and the run
//! that turns a file, directory or URL into one transaction on the store.

pub mod fetch;
mod lines;
mod merge;
mod record;
pub mod rules;
mod run;
mod source;
pub mod zone;

pub mod csv;
pub mod tvss;
pub mod xmltv;

pub use merge::MAX_STATIONS;
pub use record::{
    Emit, ImportError, Location, ParseContext, Programme, Warning, WarningCap, MAX_CODE, MAX_NAME,
    WARNINGS_PER_FIELD,
};
pub use rules::{GradeRules, RulesError};
pub use run::{import, import_inputs, Format, ImportOptions, ImportReport, Input};
