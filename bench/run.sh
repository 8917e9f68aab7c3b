#!/usr/bin/env bash
# Benchmarks `mdbook-techfile check` (and `mdbook build` for small books) on generated
# technical files and compares the results with the performance targets.
#
# Usage: bench/run.sh [N ...]        (default: 1000 10000 100000)
#
# Targets (issue 10): check <= 0.2 s for books up to 10,000 items; check < 2 s and max RSS
# < 1024 MiB up to 100,000 items. Larger N are measured but have no target. The best wall
# time of three runs is judged; the CPU time (user + system) is shown beside it, since wall
# time on a shared machine follows its load (the load average is printed too).
# Exits 1 if a target fails or a run errors. Books are generated under $TMPDIR
# (mktemp -d); TMPDIR=/dev/shm takes slow disks out of the generation time.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
GEN="$ROOT/bench/gen-book.py"
RUNS=3

if [[ ! -x /usr/bin/time ]]; then
    echo "bench: /usr/bin/time not found; install Debian's \`time\` package (apt-get install time)" >&2
    exit 1
fi

SIZES=("$@")
if [[ ${#SIZES[@]} -eq 0 ]]; then
    SIZES=(1000 10000 100000)
fi
for n in "${SIZES[@]}"; do
    if ! [[ "$n" =~ ^[0-9]+$ ]] || (( n < 4 )); then
        echo "bench: N must be an integer >= 4, got '$n'" >&2
        exit 1
    fi
done

build_release

HAVE_MDBOOK=1
if ! command -v mdbook >/dev/null 2>&1; then
    HAVE_MDBOOK=0
    echo "bench: note: mdbook is not on PATH; skipping the mdbook build timings" >&2
fi

make_tmp

# timed LABEL CMD...: runs CMD under /usr/bin/time, sets ELAPSED and CPU (s) and RSS (KiB).
# On failure prints the tail of CMD's stderr and exits 1.
timed() {
    local label="$1"
    shift
    local rc=0
    /usr/bin/time -f '%e %M %U %S' -o "$TMP/time" "$@" >"$TMP/stdout" 2>"$TMP/stderr" || rc=$?
    if (( rc != 0 )); then
        echo "bench: $label failed (exit $rc): $*" >&2
        echo "--- last lines of stderr ---" >&2
        tail -n 20 "$TMP/stderr" >&2
        exit 1
    fi
    # The last line holds the format; earlier lines may be notes from time itself.
    local user sys
    read -r ELAPSED RSS user sys < <(tail -n 1 "$TMP/time")
    CPU="$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')"
}

ROWS=()
FAILED=0
for n in "${SIZES[@]}"; do
    dir="$TMP/book-$n"
    echo "bench: N=$n: generating" >&2
    TECHFILE_CMD="$BIN" python3 "$GEN" "$n" "$dir"

    best=""
    best_cpu=""
    max_rss=0
    for ((run = 1; run <= RUNS; run++)); do
        timed "check (N=$n)" "$BIN" check "$dir/book"
        echo "bench: N=$n: check run $run: ${ELAPSED} s, CPU ${CPU} s, ${RSS} KiB" >&2
        if [[ -z "$best" ]] || awk -v a="$ELAPSED" -v b="$best" 'BEGIN { exit !(a < b) }'; then
            best="$ELAPSED"
        fi
        if [[ -z "$best_cpu" ]] || awk -v a="$CPU" -v b="$best_cpu" 'BEGIN { exit !(a < b) }'; then
            best_cpu="$CPU"
        fi
        if (( RSS > max_rss )); then
            max_rss="$RSS"
        fi
    done
    rss_mib="$(awk -v k="$max_rss" 'BEGIN { printf "%.1f", k / 1024 }')"

    build="-"
    if (( n <= 10000 )); then
        if (( HAVE_MDBOOK )); then
            timed "mdbook build (N=$n)" mdbook build "$dir/book"
            build="$ELAPSED"
            echo "bench: N=$n: mdbook build: ${ELAPSED} s" >&2
        else
            build="skipped"
        fi
    fi

    if (( n <= 10000 )); then
        target="check <= 0.2 s"
        ok="$(awk -v t="$best" 'BEGIN { print (t <= 0.2) ? "PASS" : "FAIL" }')"
    elif (( n <= 100000 )); then
        target="check < 2 s, RSS < 1024 MiB"
        ok="$(awk -v t="$best" -v m="$max_rss" 'BEGIN { print (t < 2 && m / 1024 < 1024) ? "PASS" : "FAIL" }')"
    else
        target="none"
        ok="n/a"
    fi
    if [[ "$ok" == FAIL ]]; then FAILED=1; fi

    ROWS+=("| $n | $best | $best_cpu | $rss_mib | $build | $target | $ok |")
    rm -rf "$dir"
done

echo
echo "Load average (1, 5, 15 min) at the end: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores"
echo "| N | check best wall (s) | check best CPU (s) | check max RSS (MiB) | mdbook build (s) | target | result |"
echo "|---:|---:|---:|---:|---:|---|---|"
printf '%s\n' "${ROWS[@]}"

if (( FAILED )); then
    echo
    echo "bench: at least one target FAILED" >&2
    exit 1
fi
