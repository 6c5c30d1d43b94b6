//! `cargo +nightly fuzz run feed`: arbitrary bytes through `lessoncast::fuzzing::feed`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| lessoncast::fuzzing::feed(data));
