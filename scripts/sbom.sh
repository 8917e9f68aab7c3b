#!/usr/bin/env bash
# The SBOM of this tool, sboms/mdbook-techfile.cdx.json, generated from Cargo.lock.
#
#   scripts/sbom.sh           regenerate it (after a dependency change)
#   scripts/sbom.sh --check   fail when it no longer matches Cargo.toml / Cargo.lock (CI)
#
# The generator is deterministic except for `metadata.timestamp`, which says when the SBOM
# data were assembled. The check regenerates with the committed timestamp, so only a change
# of content fails; regenerating keeps the timestamp when nothing else changed and takes
# the current time (or SOURCE_DATE_EPOCH) when something did.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=sboms/mdbook-techfile.cdx.json

generate() { # generate OUTPUT [--timestamp T]
    cargo run --locked --quiet -p mdbook-techfile -- \
        sbom --manifest-path Cargo.toml -o "$@"
}

committed_timestamp() {
    # Our generator writes `metadata.timestamp` as the first "timestamp" key, on its own line.
    [[ -f "$OUT" ]] && sed -n 's/^ *"timestamp": "\([^"]*\)",\{0,1\}$/\1/p' "$OUT" | head -n 1
}

TMP="$(mktemp)"
trap 'rm -f "$TMP"' EXIT
ts="$(committed_timestamp || true)"
if [[ -n "$ts" ]]; then
    generate "$TMP" --timestamp "$ts"
else
    generate "$TMP"
fi

if [[ "${1:-}" == "--check" ]]; then
    if ! cmp -s "$TMP" "$OUT"; then
        echo "error: $OUT is stale: it does not describe the dependencies in Cargo.lock." >&2
        echo "       Regenerate it with scripts/sbom.sh and commit the result." >&2
        diff -u "$OUT" "$TMP" | head -n 40 >&2 || true
        exit 1
    fi
    echo "$OUT is up to date"
    exit 0
fi

if cmp -s "$TMP" "$OUT"; then
    echo "$OUT is up to date"
else
    export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-$(date +%s)}"
    generate "$OUT"
    echo "wrote $OUT"
fi
