#!/usr/bin/env bash
# Benchmarks `mdbook-techfile diff` between two revisions of a generated technical file
# that differ in 1 % of its items (a changed title and a sentence added to the body).
#
# Usage: bench/diff.sh [N]        (default: 10000)
#
# Target: under 1 s for 10,000 items (both revisions read from git objects, both analysed,
# compared, the JSON report written), release build. Exits 1 when the target fails.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
N="${1:-10000}"
RUNS=3
if ! [[ "$N" =~ ^[0-9]+$ ]] || (( N < 100 )); then
    echo "bench: N must be an integer >= 100, got '$N'" >&2
    exit 1
fi
if [[ ! -x /usr/bin/time ]]; then
    echo "bench: /usr/bin/time not found; install Debian's \`time\` package (apt-get install time)" >&2
    exit 1
fi

build_release

make_tmp
dir="$TMP/repo"
python3 "$ROOT/bench/gen-book.py" "$N" "$dir"

git_() {
    GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 \
    GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.com \
    GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.com \
        git -C "$dir" "$@"
}
git_ init -q -b main
git_ add -A
git_ commit -q -m base

# Every 100th item file: 1 % of the items.
changed=0
while IFS= read -r f; do
    sed -i 's/^title = "\(.*\)"$/title = "\1 (revised)"/' "$f"
    printf '\nThis item was revised for the benchmark.\n' >> "$f"
    changed=$((changed + 1))
done < <(cd "$dir" && find requirements -name '*.md' | sort | awk 'NR % 100 == 0 { print "'"$dir"'/" $0 }')
git_ add -A
git_ commit -q -m "revise 1 % of the items"
echo "bench: N=$N: $changed item files changed" >&2

best=""
for ((run = 1; run <= RUNS; run++)); do
    rc=0
    (cd "$dir" && /usr/bin/time -f '%e %M %U %S' -o "$TMP/time" "$BIN" diff HEAD~1 HEAD --book book \
        --format json --today 2026-11-29 >"$TMP/out.json" 2>"$TMP/err") || rc=$?
    if (( rc > 1 )); then
        echo "bench: diff failed (exit $rc)" >&2
        tail -n 20 "$TMP/err" >&2
        exit 1
    fi
    read -r elapsed rss user sys < <(tail -n 1 "$TMP/time")
    # CPU time (user + system) says what the work costs when other jobs share the cores.
    cpu="$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')"
    echo "bench: N=$N: diff run $run: ${elapsed} s, CPU ${cpu} s, $((rss / 1024)) MiB (load $(cut -d' ' -f1 /proc/loadavg))" >&2
    if [[ -z "$best" ]] || awk -v a="$elapsed" -v b="$best" 'BEGIN { exit !(a < b) }'; then
        best="$elapsed"
    fi
done
reported="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["summary"]["items_changed"])' "$TMP/out.json")"
if [[ "$reported" != "$changed" ]]; then
    echo "bench: the report lists $reported changed items, expected $changed" >&2
    exit 1
fi
ok="$(awk -v t="$best" 'BEGIN { print (t < 1) ? "PASS" : "FAIL" }')"
echo
echo "| N | items changed | diff best (s) | target | result |"
echo "|---:|---:|---:|---|---|"
echo "| $N | $changed | $best | < 1 s | $ok |"
[[ "$ok" == PASS ]]
