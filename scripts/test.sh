#!/usr/bin/env bash
# Runs every check the project holds itself to: formatting, lints, and the test suite.
# The end-to-end tests need mdBook 0.5.4, Debian's headless Chromium, Graphviz and poppler-utils on PATH;
# all are installed when missing (the Debian packages through apt-get, which needs root).
set -euo pipefail
cd "$(dirname "$0")/.."
# A test that needs mdBook, Chromium, pdftotext or ../shared fails when it is missing, instead
# of skipping: the TECHFILE_SKIP_* variables only work outside CI.
export CI=true
if ! mdbook --version 2>/dev/null | grep -qx 'mdbook v0.5.4'; then
    cargo install --locked mdbook --version 0.5.4
fi
scripts/install-browser.sh
cargo fmt --all -- --check
cargo clippy --locked --all-targets -- -D warnings
cargo test --locked --workspace
