#![no_main]
techfile_fuzzing::fuzz_main!(vex);
