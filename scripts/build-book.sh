#!/usr/bin/env bash
# Installs what the sample technical file needs (mdBook 0.5.4 and this plugin) and builds it.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! mdbook --version 2>/dev/null | grep -qx 'mdbook v0.5.4'; then
    cargo install --locked mdbook --version 0.5.4
fi
cargo install --locked --path plugin
mdbook build book
echo "The technical file is in book/book/index.html"
