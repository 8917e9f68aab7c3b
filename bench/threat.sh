#!/usr/bin/env bash
# Benchmarks the threat model on a generated model of ELEMENTS elements and FLOWS data flows
# (default 500 and 1,000):
#   check     - `mdbook-techfile check` of a book with the STRIDE matrix and the model
#               tables (no diagram): loading, the model checks, the views the link check reads
#   layout    - the data-flow diagram of the whole model: Graphviz `dot` lays it out twice
#               (left to right and top to bottom, in parallel) and the SVG is drawn; the time
#               is that of `check` with the diagram, minus `check` without it
#   build     - the whole `mdbook build` with the diagram
#
# Usage: bench/threat.sh [ELEMENTS FLOWS]
# Targets: check < 0.5 s, layout < 5 s (release build). Exits 1 if one fails.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
RUNS=3
ELEMENTS="${1:-500}"
FLOWS="${2:-1000}"
for cmd in mdbook python3 dot; do
    command -v "$cmd" >/dev/null || {
        echo "bench: $cmd is not on PATH (dot: apt-get install graphviz)" >&2
        exit 1
    }
done

build_release

make_tmp

# best_of CMD...: the best wall time of $RUNS runs, in seconds. The command must succeed.
best_of() {
    local best=""
    for ((r = 0; r < RUNS; r++)); do
        local start end t
        start=$(date +%s.%N)
        "$@" </dev/null >"$TMP/stdout" 2>"$TMP/stderr" || {
            echo "bench: failed: $*" >&2
            tail -n 20 "$TMP/stdout" "$TMP/stderr" >&2
            exit 1
        }
        end=$(date +%s.%N)
        t=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }')
        if [[ -z "$best" ]] || awk -v a="$t" -v b="$best" 'BEGIN { exit !(a < b) }'; then
            best="$t"
        fi
    done
    echo "$best"
}

TECHFILE_CMD="$BIN" python3 "$ROOT/bench/gen-threat.py" "$ELEMENTS" "$FLOWS" "$TMP/plain"
TECHFILE_CMD="$BIN" python3 "$ROOT/bench/gen-threat.py" "$ELEMENTS" "$FLOWS" "$TMP/drawn" --diagram

check=$(best_of "$BIN" check "$TMP/plain/book")
with_diagram=$(best_of "$BIN" check "$TMP/drawn/book")
layout=$(awk -v a="$with_diagram" -v b="$check" 'BEGIN { printf "%.3f", a - b }')
build=$(best_of mdbook build "$TMP/drawn/book")
svg_bytes=$(grep -o '<svg xmlns=[^>]*viewbox="[^"]*"' "$TMP/drawn/book/book/diagram.html" | head -n 1)

ok_check=$(awk -v t="$check" 'BEGIN { print (t < 0.5) ? "PASS" : "FAIL" }')
ok_layout=$(awk -v t="$layout" 'BEGIN { print (t < 5) ? "PASS" : "FAIL" }')
echo
echo "| elements | data flows | check (s) | check with diagram (s) | layout (s) | mdbook build (s) | check < 0.5 s | layout < 5 s |"
echo "|---:|---:|---:|---:|---:|---:|---|---|"
echo "| $ELEMENTS | $FLOWS | $check | $with_diagram | $layout | $build | $ok_check | $ok_layout |"
echo "bench: the drawn diagram: ${svg_bytes:-none}" >&2
[[ "$ok_check" == PASS && "$ok_layout" == PASS ]]
