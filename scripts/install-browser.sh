#!/usr/bin/env bash
# Installs Debian's headless Chromium (prints the PDF), Graphviz (lays out the data-flow
# diagrams), poppler-utils (pdftotext and pdftoppm, which the tests read the PDF with) and
# qpdf (the tests read the PDF's outline with it) when they are missing. Needs root and
# apt-get; elsewhere it says what to install. No browser is ever downloaded from anywhere but the Debian archive.
set -euo pipefail
missing=()
command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || missing+=(chromium)
command -v dot >/dev/null 2>&1 || missing+=(graphviz)
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
command -v qpdf >/dev/null 2>&1 || missing+=(qpdf)
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing ${missing[*]} with apt-get" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
    echo "missing: ${missing[*]}: install Debian's packages (apt-get install ${missing[*]}), or set pdf = false in [preprocessor.techfile.bundle] and TECHFILE_SKIP_BROWSER=1 (TECHFILE_SKIP_GRAPHVIZ=1 without graphviz) for the tests" >&2
fi
