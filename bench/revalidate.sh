#!/usr/bin/env bash
# Benchmarks `mdbook-techfile revalidate` on a generated SBOM of COMPONENTS components
# (bench/gen-sbom.py) against a generated advisory folder of RECORDS OSV records
# (bench/gen-osv.py): reading and hashing every record, matching every component, the
# VEX and suspect-link checks, and the JSON report.
#
# Usage: bench/revalidate.sh [COMPONENTS [RECORDS]]   (default 5000 100000)
# Target: under 3 s and under 1 GiB of memory (release build). Exits 1 if it misses.
# TMPDIR=/dev/shm keeps disk speed out of the figures.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
COMPONENTS="${1:-5000}"
RECORDS="${2:-100000}"
RUNS=3
for cmd in python3 /usr/bin/time; do
    command -v "$cmd" >/dev/null || { echo "bench: $cmd is not available" >&2; exit 1; }
done

build_release

make_tmp
echo "bench: generating $COMPONENTS components and $RECORDS advisory records" >&2
TECHFILE_CMD="$BIN" python3 "$ROOT/bench/gen-sbom.py" "$COMPONENTS" "$TMP/book"
python3 "$ROOT/bench/gen-osv.py" "$RECORDS" "$COMPONENTS" "$TMP/osv"
bytes=$(du -sb "$TMP/osv" | cut -f1)

best_time=""
best_rss=""
for ((r = 0; r < RUNS; r++)); do
    # Exit 1 is expected: the generated advisories match components that have no VEX.
    /usr/bin/time -f "%e %M" -o "$TMP/time" \
        "$BIN" revalidate "$TMP/book/book" --advisories "$TMP/osv" --today 2026-11-29 \
        --format json >"$TMP/report.json" 2>"$TMP/stderr" || [[ $? -eq 1 ]] || {
        echo "bench: revalidate failed" >&2
        tail -n 20 "$TMP/stderr" >&2
        exit 1
    }
    # GNU time writes "Command exited with non-zero status 1" first when the exit is 1.
    read -r t rss < <(tail -n 1 "$TMP/time")
    if [[ -z "$best_time" ]] || awk -v a="$t" -v b="$best_time" 'BEGIN { exit !(a < b) }'; then
        best_time="$t"
    fi
    if [[ -z "$best_rss" ]] || (( rss < best_rss )); then
        best_rss="$rss"
    fi
done
vulns=$(python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print(r['summary']['vulnerabilities'])" "$TMP/report.json")
mib=$(( best_rss / 1024 ))
ok=$(awk -v t="$best_time" -v m="$mib" 'BEGIN { print (t < 3 && m < 1024) ? "PASS" : "FAIL" }')
echo
echo "| components | advisory records | advisory bytes | matches | revalidate (s) | peak RSS (MiB) | < 3 s and < 1 GiB |"
echo "|---:|---:|---:|---:|---:|---:|---|"
echo "| $COMPONENTS | $RECORDS | $bytes | $vulns | $best_time | $mib | $ok |"
[[ "$ok" == PASS ]]
