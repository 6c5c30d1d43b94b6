//! `cargo +nightly fuzz run xmltv`: arbitrary bytes through `lessoncast::fuzzing::xmltv`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| lessoncast::fuzzing::xmltv(data));
