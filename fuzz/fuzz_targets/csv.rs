//! `cargo +nightly fuzz run csv`: arbitrary bytes through `lessoncast::fuzzing::csv`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| lessoncast::fuzzing::csv(data));
