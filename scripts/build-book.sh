#!/usr/bin/env bash
# Installs what the sample technical file needs (mdBook 0.5.4, this plugin, Debian's headless
# Chromium for the PDF and Graphviz for the data-flow diagrams) and builds it: the HTML and
# the compliance bundle.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! mdbook --version 2>/dev/null | grep -qx 'mdbook v0.5.4'; then
    cargo install --locked mdbook --version 0.5.4
fi
scripts/install-browser.sh
cargo install --locked --path plugin
mdbook build book
echo "The technical file is in book/book/html/index.html; the bundle for the notified body is in book/book/techfile/"
