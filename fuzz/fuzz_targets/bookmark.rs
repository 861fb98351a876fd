#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| scrm_fuzzing::run("bookmark", data));
