//! lessoncast: public-TV broadcast schedules turned into school work families can follow
//! without internet.

pub mod domain;
pub mod import;
pub mod store;
