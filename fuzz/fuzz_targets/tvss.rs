//! `cargo +nightly fuzz run tvss`: arbitrary bytes through `lessoncast::fuzzing::tvss`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| lessoncast::fuzzing::tvss(data));
