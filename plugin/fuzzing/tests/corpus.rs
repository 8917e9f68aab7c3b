//! The fuzz targets run over the committed regression inputs (what the fuzzers found,
//! fixed in the code) and over the seeds taken from the fixtures, so the properties hold
//! in the ordinary test suite and not only while a fuzzer runs.

use std::path::{Path, PathBuf};
use techfile_fuzzing::{TARGETS, seeds, target};

/// How many seeds the tests run through a target that analyses a whole book per input.
const BOOK_SAMPLE: usize = 40;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs a target on one input, naming the input when a property fails.
fn run(name: &str, label: &str, bytes: &[u8]) {
    let t = target(name).expect("a known target");
    let result = std::panic::catch_unwind(|| (t.run)(bytes));
    if let Err(e) = result {
        let msg = e
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| e.downcast_ref::<&str>().map(|s| (*s).to_string()))
            .unwrap_or_default();
        panic!("target {name} fails on {label}: {msg}");
    }
}

#[test]
fn every_regression_input_passes() {
    let dir = repo().join("fuzz/regressions");
    for entry in std::fs::read_dir(&dir).expect("fuzz/regressions exists") {
        let entry = entry.expect("readable");
        let name = entry.file_name().to_string_lossy().into_owned();
        if !entry.path().is_dir() {
            // README.md, which says what the folder is for.
            continue;
        }
        assert!(
            target(&name).is_some(),
            "fuzz/regressions/{name} names no target"
        );
        for input in std::fs::read_dir(entry.path()).expect("readable") {
            let path = input.expect("readable").path();
            let bytes = std::fs::read(&path).expect("readable");
            run(&name, &path.display().to_string(), &bytes);
        }
    }
}

#[test]
fn every_target_passes_on_its_seeds() {
    // The vendored copy of the CycloneDX test vectors seeds the SBOM targets; a checkout of
    // the shared vectors next to the repository adds to it when present.
    assert!(
        repo().join("tests/fixtures/sbom-vectors/1.6").is_dir(),
        "the vendored CycloneDX test vectors are missing"
    );
    let shared = repo().join("../shared/cyclonedx/test-vectors");
    let shared = shared.is_dir().then_some(shared);
    for t in TARGETS {
        let found = seeds::collect(t.seeds, &repo(), shared.as_deref());
        assert!(
            found.len() >= 2,
            "target {} has {} seeds",
            t.name,
            found.len()
        );
        // An even sample keeps the analyses of whole books to a few seconds per target.
        let step = if t.whole_book {
            found.len().div_ceil(BOOK_SAMPLE)
        } else {
            1
        };
        for (label, bytes) in found.iter().step_by(step) {
            run(t.name, label, bytes);
        }
    }
}

#[test]
fn only_files_of_the_shared_folder_join_the_sbom_seeds() {
    // A shared folder with nothing in it adds no seed: the repository's own JSON outside
    // `tests/` (VEX documents, advisory records) is not taken for an SBOM because of it.
    let missing = std::env::temp_dir().join("techfile-no-such-shared-folder");
    let alone = seeds::collect(seeds::Seed::Sboms, &repo(), None);
    let with_empty = seeds::collect(seeds::Seed::Sboms, &repo(), Some(&missing));
    let extra: Vec<&String> = with_empty
        .iter()
        .map(|s| &s.0)
        .filter(|name| !alone.iter().any(|a| &&a.0 == name))
        .collect();
    assert!(extra.is_empty(), "taken for SBOMs: {extra:?}");
    assert_eq!(alone.len(), with_empty.len());
    assert!(alone.iter().all(|(name, _)| !name.starts_with("vex/")));
}
