//! lessoncast: public-TV broadcast schedules turned into school work families can follow
//! without internet.
//!
//! Data flows one way: [`import`] → [`store`] → [`feeds`] and [`web`] (and, later, packets).

pub mod app;
pub mod auth;
pub mod config;
pub mod domain;
pub mod feeds;
pub mod i18n;
pub mod import;
pub mod jobs;
pub mod packets;
pub mod store;
pub mod web;
