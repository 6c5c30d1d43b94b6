//! lessoncast: public-TV broadcast schedules turned into school work families can follow
//! without internet.
//!
//! Data flows one way: [`import`] → [`store`] → [`feeds`] and [`packets`] (each with its own
//! `publish`) → [`web`] and the CLI. [`app::App`] is the state they share; [`domain`] holds the
//! plain types every layer speaks, and [`i18n`] every word a user reads, in English and Spanish.

pub mod app;
pub mod auth;
pub mod config;
pub mod domain;
pub mod family;
pub mod feeds;
#[doc(hidden)]
pub mod fuzzing;
pub mod i18n;
pub mod import;
pub mod jobs;
pub mod limits;
pub mod metrics;
pub mod packets;
pub mod sources;
pub mod store;
pub mod web;
