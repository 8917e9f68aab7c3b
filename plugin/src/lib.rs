//! mdbook-techfile, the edge around [`techfile_core`]: it gathers the inputs of a technical
//! file from disk and git ([`gather`], [`git`]), speaks mdBook's preprocessor and renderer
//! protocols ([`mdbook`], [`bundler`]), prints the PDF with Chromium ([`chromium`]) and
//! writes SBOMs from `cargo metadata` ([`sbom_generate`]) and lays out data-flow diagrams
//! with Graphviz ([`graphviz`]). The binary (`main.rs`) owns the
//! command line and the terminal; nothing in this library prints.

#![deny(clippy::print_stderr, clippy::print_stdout)]

pub mod bookconfig;
pub mod bundler;
pub mod cdp;
pub mod chromium;
pub mod compare;
pub mod evidence;
pub mod facts;
pub mod gather;
pub mod git;
pub mod gittree;
pub mod graphviz;
pub mod handover;
pub mod history;
pub mod import;
pub mod init;
pub mod mdbook;
pub mod paths;
pub mod revalidate;
pub mod review;
pub mod sbom_generate;
pub mod tree;

pub use techfile_core as core;
