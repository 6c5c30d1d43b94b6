//! Plain domain types: grades, weeks, airings, and the family plan. They know nothing of HTTP, SQL or templates.

mod airing;
mod assignment;
mod clock;
mod grade;
pub mod keys;
pub mod plan;
mod week;

pub use airing::{common_zone, Airing, AiringStatus, Details};
pub use assignment::{Assignment, AssignmentFields, AssignmentInput, FieldError, Link, MAX_LINKS};
pub use assignment::{MAX_CLASSES_PER_TEACHER, MAX_LIVE_PER_TEACHER, MAX_ON_ONE_LINK};
pub use clock::WallTime;
pub use grade::{Grade, GradeError, GradeSet};
pub use week::{local_midnight, parse_date, Week, WeekError, FIRST_YEAR, LAST_YEAR};
