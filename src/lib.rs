//! lessoncast: public-TV broadcast schedules turned into school work families can follow
//! without internet.
//!
//! Data flows one way: [`import`] → [`store`] → [`web`] (and, later, feeds and packets).

pub mod app;
pub mod config;
pub mod domain;
pub mod import;
pub mod jobs;
pub mod store;
pub mod web;
