//! `cargo +nightly fuzz run query`: arbitrary bytes through `lessoncast::fuzzing::query`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| lessoncast::fuzzing::query(data));
