#!/usr/bin/env bash
# Runs every check the project holds itself to: formatting, lints, and the test suite.
# The end-to-end tests need mdBook 0.5.4 and Debian's headless Chromium on PATH; both are
# installed when missing (Chromium through apt-get, which needs root).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! mdbook --version 2>/dev/null | grep -qx 'mdbook v0.5.4'; then
    cargo install --locked mdbook --version 0.5.4
fi
if ! command -v chromium >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
    else
        echo "chromium is missing: install Debian's chromium package (or set TECHFILE_SKIP_BROWSER=1)" >&2
    fi
fi
cargo fmt --all -- --check
cargo clippy --locked --all-targets -- -D warnings
cargo test --locked --workspace
