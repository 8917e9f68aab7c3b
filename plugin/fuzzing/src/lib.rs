//! The fuzz targets of mdbook-techfile as plain functions over bytes, and the properties
//! they check besides "no panic" ([`props`]): findings point inside the files they name,
//! nothing users wrote reaches a page's HTML unescaped, and one input gives one output.
//!
//! `fuzz/` (cargo-fuzz, outside the workspace) wraps each entry of [`TARGETS`] in a
//! libFuzzer binary; this crate's tests run the committed regression inputs
//! (`fuzz/regressions/<target>/`) and inputs taken from the fixtures, so what the fuzzers
//! found stays fixed in the ordinary test suite. Adding a target: a function in
//! [`targets`], a line in [`TARGETS`], and a three-line binary in `fuzz/fuzz_targets/`.

pub mod book;
pub mod props;
pub mod seeds;
pub mod targets;

/// One fuzz target.
pub struct Target {
    /// The name of its binary in `fuzz/` and of its corpus folders.
    pub name: &'static str,
    pub run: fn(&[u8]),
    /// Which files of the repository (and of the shared CycloneDX test vectors) seed its
    /// corpus, and what is taken from each.
    pub seeds: seeds::Seed,
    /// Whether each input costs analyses of a whole book (tens of milliseconds in a
    /// debug build): the tests then run an even sample of the seeds, the fuzzer all.
    pub whole_book: bool,
}

/// Every target, in the order `scripts/fuzz.sh` runs them.
pub const TARGETS: &[Target] = &[
    Target {
        name: "item",
        run: targets::item,
        seeds: seeds::Seed::Items,
        whole_book: false,
    },
    Target {
        name: "stamps",
        run: targets::stamps,
        seeds: seeds::Seed::Items,
        whole_book: false,
    },
    Target {
        name: "cvss",
        run: targets::cvss,
        seeds: seeds::Seed::Cvss,
        whole_book: false,
    },
    Target {
        name: "purl",
        run: targets::purl,
        seeds: seeds::Seed::Purls,
        whole_book: false,
    },
    Target {
        name: "html",
        run: targets::html,
        seeds: seeds::Seed::Html,
        whole_book: false,
    },
    Target {
        name: "config",
        run: targets::config,
        seeds: seeds::Seed::BookToml,
        whole_book: true,
    },
    Target {
        name: "review",
        run: targets::review,
        seeds: seeds::Seed::Reviews,
        whole_book: false,
    },
    Target {
        name: "sbom",
        run: targets::sbom,
        seeds: seeds::Seed::Sboms,
        whole_book: false,
    },
    Target {
        name: "chapter",
        run: targets::chapter,
        seeds: seeds::Seed::Chapters,
        whole_book: true,
    },
    Target {
        name: "includes",
        run: targets::includes,
        seeds: seeds::Seed::Includes,
        whole_book: true,
    },
    Target {
        name: "render",
        run: targets::render,
        seeds: seeds::Seed::Items,
        whole_book: true,
    },
    Target {
        name: "threat",
        run: targets::threat,
        seeds: seeds::Seed::ThreatItems,
        whole_book: true,
    },
    Target {
        name: "junit",
        run: targets::junit,
        seeds: seeds::Seed::Junit,
        whole_book: true,
    },
    Target {
        name: "support",
        run: targets::support,
        seeds: seeds::Seed::Support,
        whole_book: true,
    },
    Target {
        name: "advisory",
        run: targets::advisory,
        seeds: seeds::Seed::Advisories,
        whole_book: true,
    },
    Target {
        name: "vex",
        run: targets::vex,
        seeds: seeds::Seed::Vex,
        whole_book: true,
    },
    Target {
        name: "dragon",
        run: targets::dragon,
        seeds: seeds::Seed::Dragon,
        whole_book: false,
    },
];

/// The target of that name.
pub fn target(name: &str) -> Option<&'static Target> {
    TARGETS.iter().find(|t| t.name == name)
}

/// Defines the libFuzzer entry point of a target: `techfile_fuzzing::fuzz_main!(item);`.
#[macro_export]
macro_rules! fuzz_main {
    ($name:ident) => {
        libfuzzer_sys::fuzz_target!(|data: &[u8]| {
            ($crate::targets::$name)(data);
        });
    };
}
