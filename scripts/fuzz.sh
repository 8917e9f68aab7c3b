#!/usr/bin/env bash
# Runs every fuzz target (plugin/fuzzing, wrapped by fuzz/) one after another with
# libFuzzer through cargo-fuzz, on the stable toolchain.
#
# Usage: scripts/fuzz.sh [SECONDS] [TARGET ...]
#   SECONDS  wall time per target, 1 to 999999 (default 60). libFuzzer counts it from its
#            start but first runs its whole pass over the corpus, seeds and regressions,
#            which with thousands of whole books can take minutes: when SECONDS ran out
#            during that pass, nothing was mutated, and the row says "first pass only"
#   TARGET   only these targets (default: all, in the order of fuzz/Cargo.toml; a
#            target named twice runs once)
#
# Environment:
#   FUZZ_RUNS=N          also stop a target after N executions (1 to 2147483647)
#   FUZZ_CPU=S           also stop a target after S seconds of CPU time (user + system,
#                        sampled every second), which a loaded machine does not shorten as it
#                        does wall time; never before libFuzzer's first pass has ended. With
#                        FUZZ_RUNS=10000000 FUZZ_CPU=1800 FUZZ_TIMEOUT=10 and a large SECONDS
#                        it applies the budget of the campaign in the README
#   FUZZ_TIMEOUT=S       libFuzzer's timeout per input (default 1, 1 to 9999), on the wall
#                        clock and checked at its alarm ticks, so an input somewhat over it
#                        can slip through. Any input libFuzzer times at over 1 s is also
#                        replayed alone and fails if the replay takes over 1 s. The default
#                        is strict, even for an input slow only because the machine is
#                        loaded; raise it there. libFuzzer writes such an input (a
#                        slow-unit) only when it is the slowest of the run so far by over
#                        10 %, so after a false alarm under load a real slow input below
#                        that mark goes unreported: use the default on an idle machine for
#                        a strict answer
#   FUZZ_SHARED=DIR      the shared CycloneDX test vectors (default: the repository's
#                        ../shared/cyclonedx/test-vectors, skipped with a note when missing;
#                        tests/fixtures/sbom-vectors vendors them). A FUZZ_SHARED that is not
#                        a folder is an error. Relative paths here and in CARGO_TARGET_DIR
#                        are taken from the folder the script is run in
#   CARGO_TARGET_DIR     where the instrumented build goes (default fuzz/target)
#
# Each target starts from its corpus in fuzz/corpus/<target> (kept between runs, not
# committed), the seeds taken from the fixtures and test vectors (fuzz/seeds, written
# afresh each run), and the committed regression inputs in fuzz/regressions/<target>.
# Before fuzzing, every file there (dot-files too) is run alone, one process each, under
# the limits, with its time and exact peak RSS measured (GNU time, /usr/bin/time), so each
# is checked on every run whatever the budget. An input that panics, breaks a property,
# runs over the timeout or over 1 s replayed, or peaks over 512 MiB is a failure
# (while fuzzing, libFuzzer samples RSS once a second; a run whose exact peak passed
# 512 MiB fails even if no input was caught): libFuzzer writes it to
# fuzz/artifacts/<target>/, the script prints the panic message and a command that replays
# it under the same limits, and exits 1. Copy the input to
# fuzz/regressions/<target>/, where `cargo test -p techfile-fuzzing` runs it, and fix the
# code. Each target's whole log is kept in fuzz/logs/<target>.log.
#
# Exit status: 0 when every target passed, 1 when one failed, 2 on bad arguments.
#
# cargo-fuzz is installed from crates.io when missing. libFuzzer's instrumentation flags
# are stable rustc flags; cargo-fuzz itself asks for nightly, which RUSTC_BOOTSTRAP=1
# stands in for. No sanitizer: the code has no `unsafe`, and AddressSanitizer would need
# the nightly-only -Zsanitizer and halve the executions per second.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
START="$PWD"
# abs PATH: PATH taken from the folder the script was started in.
abs() { if [[ "$1" = /* ]]; then echo "$1"; else echo "$START/$1"; fi; }
usage() { sed -n '2,/^[^#]/{/^#/!q;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"; }
bad() { echo "fuzz: $*" >&2; echo "usage: scripts/fuzz.sh [SECONDS] [TARGET ...] (--help for more)" >&2; exit 2; }
# A positive whole number of at most `max` digits, written without a leading zero
# (bash would read 08 as a bad octal number).
is_count() { [[ "$1" =~ ^[1-9][0-9]*$ ]] && ((${#1} <= $2)); }

if [[ "${1:-}" == "-h" || "${1:-}" == "--help" ]]; then
    usage
    exit 0
fi
SECONDS_EACH=60
if (($# > 0)); then
    is_count "$1" 6 || bad "SECONDS must be a whole number from 1 to 999999, got '$1'"
    SECONDS_EACH="$1"
    shift
fi
# libFuzzer reads -runs into a 32-bit int.
[[ -z "${FUZZ_RUNS:-}" ]] || { is_count "$FUZZ_RUNS" 10 && ((FUZZ_RUNS <= 2147483647)); } ||
    bad "FUZZ_RUNS must be a whole number from 1 to 2147483647, got '$FUZZ_RUNS'"
[[ -z "${FUZZ_CPU:-}" ]] || is_count "$FUZZ_CPU" 6 || bad "FUZZ_CPU must be a whole number of seconds from 1 to 999999, got '$FUZZ_CPU'"
TIMEOUT="${FUZZ_TIMEOUT:-1}"
is_count "$TIMEOUT" 4 || bad "FUZZ_TIMEOUT must be a whole number of seconds from 1 to 9999, got '$TIMEOUT'"
if [[ -n "${FUZZ_SHARED:-}" ]]; then
    [[ -d "$FUZZ_SHARED" ]] || bad "FUZZ_SHARED is not a folder: '$FUZZ_SHARED'"
    SHARED="$(abs "$FUZZ_SHARED")"
else
    SHARED="$ROOT/../shared/cyclonedx/test-vectors"
fi

cd "$ROOT"
ALL=($(sed -n 's/^name = "\(.*\)"$/\1/p' fuzz/Cargo.toml | grep -v '^techfile-fuzz$'))
TARGETS=()
for t in "$@"; do
    known=0
    for a in "${ALL[@]}"; do [[ "$t" == "$a" ]] && known=1; done
    ((known)) || bad "no target '$t' (have: ${ALL[*]})"
    for a in "${TARGETS[@]}"; do [[ "$t" == "$a" ]] && known=2; done
    ((known == 2)) || TARGETS+=("$t")
done
if ((${#TARGETS[@]} == 0)); then
    TARGETS=("${ALL[@]}")
fi

if [[ ! -x /usr/bin/time ]]; then
    echo "fuzz: /usr/bin/time not found; install Debian's \`time\` package (apt-get install time)" >&2
    exit 1
fi
export RUSTC_BOOTSTRAP=1
CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/fuzz/target}"
CARGO_TARGET_DIR="$(abs "$CARGO_TARGET_DIR")"
export CARGO_TARGET_DIR
if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "fuzz: installing cargo-fuzz" >&2
    cargo install --locked cargo-fuzz >&2
fi

SEEDS="$ROOT/fuzz/seeds"
rm -rf "$SEEDS"
shared_arg=()
if [[ -d "$SHARED" ]]; then
    echo "fuzz: seeds from the fixtures and $SHARED" >&2
    shared_arg=("$SHARED")
else
    echo "fuzz: seeds from the fixtures (with the vendored CycloneDX vectors); no shared vectors at $SHARED" >&2
fi
cargo run --quiet --release -p techfile-fuzzing --example fuzz-seeds -- "$ROOT" "$SEEDS" "${shared_arg[@]}"

echo "fuzz: building the targets" >&2
(cd fuzz && cargo fuzz build -s none --target-dir "$CARGO_TARGET_DIR")
BIN="$CARGO_TARGET_DIR/$(rustc -vV | sed -n 's/^host: //p')/release"

# cpu_of PID: the user and system seconds the process has used so far.
cpu_of() {
    local st
    read -r -a st 2>/dev/null <"/proc/$1/stat" || { echo 0; return; }
    # Fields 14 and 15 (utime, stime) counted from 1; the name (field 2) has no spaces here.
    echo $(((st[13] + st[14]) / $(getconf CLK_TCK)))
}
# No -malloc_limit_mb: it needs a sanitizer's malloc hooks, which this build has not.
LIMITS=(-timeout="$TIMEOUT" -rss_limit_mb=512)
LOGS_TMP="$(mktemp -d)"
trap 'rm -rf "$LOGS_TMP"' EXIT
# run_alone TARGET FILE: runs FILE alone under the limits, its output in $LOGS_TMP/one;
# sets RUN_RC (exit status), RUN_MS (libFuzzer's time for it, in ms) and RUN_KIB (GNU
# time's exact peak RSS, in KiB).
run_alone() {
    RUN_RC=0
    /usr/bin/time -f '%M' -o "$LOGS_TMP/kib" "$BIN/$1" "${LIMITS[@]}" "$2" >"$LOGS_TMP/one" 2>&1 || RUN_RC=$?
    RUN_MS="$(sed -n 's/^Executed .* in \([0-9]*\) ms$/\1/p' "$LOGS_TMP/one" | tail -n 1)"
    RUN_KIB="$(grep -E '^[0-9]+$' "$LOGS_TMP/kib" | tail -n 1)"
}
# regressions TARGET LOG: runs each regression input alone, one process each, under the
# limits, with GNU time measuring the process's exact peak RSS (libFuzzer only samples RSS
# once a second, so a short spike escapes it). On a failure sets REPLAY to the input and
# returns non-zero. An input over 1 s is run once more (a loaded machine can slow one run)
# and fails if it is still over 1 s.
regressions() {
    local t="$1" log="$2" f files=()
    : >"$log"
    mapfile -d '' files < <(find "$ROOT/fuzz/regressions/$t" -maxdepth 1 -type f -print0 | sort -z)
    for f in "${files[@]}"; do
        for attempt in 1 2; do
            run_alone "$t" "$f"
            cat "$LOGS_TMP/one" >>"$log"
            if ((RUN_RC != 0)); then
                REPLAY="$f"
                echo "fuzz: $t: the regression input ${f#"$ROOT"/} fails (exit $RUN_RC)" >&2
                return "$RUN_RC"
            fi
            if ((${RUN_KIB:-0} > 512 * 1024)); then
                REPLAY="$f"
                echo "fuzz: $t: the regression input ${f#"$ROOT"/} peaks at $((RUN_KIB / 1024)) MiB (limit 512)" >&2
                return 1
            fi
            ((${RUN_MS:-0} > 1000)) || break
            if ((attempt == 2)); then
                REPLAY="$f"
                echo "fuzz: $t: the regression input ${f#"$ROOT"/} takes $RUN_MS ms alone (limit 1000)" >&2
                return 1
            fi
        done
    done
}
# show_failure LOG: the panic and its place, then libFuzzer's verdict and the inputs it
# wrote, without the stack traces.
show_failure() {
    sed -n '/panicked at/,/^\(stack backtrace:\|note: \|==[0-9]*==\)/p' "$1" |
        grep -v '^\(stack backtrace:\|note: \|==[0-9]*==\)' | head -n 12 >&2 || true
    grep -E "^==[0-9]+== ERROR|^SUMMARY|Test unit written to" "$1" | head -n 6 >&2 || true
}
# replay_line TARGET FILE: a command that reruns FILE alone and prints its time and peak RSS.
replay_line() {
    local cmd
    printf -v cmd '%q ' /usr/bin/time -f 'peak RSS %M KiB' "$BIN/$1" "${LIMITS[@]}" "$2"
    echo "fuzz:   replay (prints the time and peak RSS): ${cmd% }" >&2
}

mkdir -p fuzz/logs
runs_arg=()
[[ -n "${FUZZ_RUNS:-}" ]] && runs_arg=("-runs=$FUZZ_RUNS")
failed=0
rows=()
for t in "${TARGETS[@]}"; do
    mkdir -p "fuzz/corpus/$t" "fuzz/regressions/$t" "fuzz/artifacts/$t"
    log="fuzz/logs/$t.log"
    REPLAY=""
    rc=0
    regressions "$t" "fuzz/logs/$t.regressions.log" || rc=$?
    if ((rc != 0)); then
        failed=1
        echo "fuzz: $t FAILED on a regression input; whole log: fuzz/logs/$t.regressions.log" >&2
        show_failure "fuzz/logs/$t.regressions.log"
        replay_line "$t" "$REPLAY"
        rows+=("| $t | - | - | - | - | - | FAILED: ${REPLAY#"$ROOT"/} |")
        continue
    fi
    echo "fuzz: $t for at most ${SECONDS_EACH} s${FUZZ_CPU:+ or $FUZZ_CPU CPU-s}${FUZZ_RUNS:+ or $FUZZ_RUNS executions}" >&2
    (cd fuzz && exec "$BIN/$t" "corpus/$t" "seeds/$t" "regressions/$t" \
        -max_total_time="$SECONDS_EACH" "${LIMITS[@]}" -report_slow_units=1 -print_final_stats=1 \
        -artifact_prefix="artifacts/$t/" "${runs_arg[@]}") >"$log" 2>&1 &
    pid=$!
    cpu=0
    budget_hit=0
    while kill -0 "$pid" 2>/dev/null; do
        sleep 1
        now="$(cpu_of "$pid")"
        ((now > cpu)) && cpu="$now"
        # Not before the first pass has ended: the corpus and seeds must all have run.
        if [[ -n "${FUZZ_CPU:-}" ]] && ((cpu >= FUZZ_CPU && !budget_hit)) && grep -q 'INITED' "$log"; then
            budget_hit=1
            kill -INT "$pid" 2>/dev/null || true
        fi
    done
    rc=0
    wait "$pid" || rc=$?
    # libFuzzer exits 72 when interrupted: the CPU budget, not a failure.
    ((budget_hit && rc == 72)) && rc=0
    execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)"
    rss="$(sed -n 's/^stat::peak_rss_mb: *//p' "$log" | tail -n 1)"
    corpus="$(find "fuzz/corpus/$t" -type f | wc -l)"
    # What this run wrote (an input found before keeps its name, so the folder cannot tell).
    new="$(sed -n "s|.*Test unit written to artifacts/$t/||p" "$log" | sort -u)"
    # Inputs libFuzzer timed at over 1 s of wall time, replayed alone.
    slowest="-"
    slow_failed=()
    for f in $(grep '^slow-unit-' <<<"$new" || true); do
        run_alone "$t" "$ROOT/fuzz/artifacts/$t/$f"
        ms="${RUN_MS:-999999}"
        if [[ "$slowest" == "-" ]] || ((ms > slowest)); then slowest="$ms"; fi
        if ((ms > 1000)); then
            ((rc != 0)) || rc=1
            slow_failed+=("$f")
            echo "fuzz: $t: fuzz/artifacts/$t/$f takes $ms ms alone" >&2
        fi
    done
    found=($(grep -v '^slow-unit-' <<<"$new" || true) "${slow_failed[@]}")
    # libFuzzer prints "INITED" when its first pass ends; a run that never mutated says so.
    inited="$(sed -n 's/^#\([0-9]*\)[[:space:]]*INITED.*/\1/p' "$log" | head -n 1)"
    note=""
    if [[ -z "$inited" || "$inited" == "$execs" ]]; then
        note=" (first pass only: raise SECONDS to mutate)"
        [[ -n "${FUZZ_RUNS:-}" ]] && ((${execs:-0} >= FUZZ_RUNS)) && note=" (first pass only: FUZZ_RUNS reached)"
    fi
    # libFuzzer's peak RSS is exact (getrusage); its limit is checked once a second.
    if ((rc == 0 && ${rss:-0} > 512)); then
        rc=1
        echo "fuzz: $t: peak RSS ${rss} MiB, over 512: an input escaped libFuzzer's once-a-second check" >&2
    fi
    if ((rc != 0)); then
        failed=1
        echo "fuzz: $t FAILED (exit $rc); whole log: $log" >&2
        show_failure "$log"
        for f in "${found[@]}"; do
            replay_line "$t" "$ROOT/fuzz/artifacts/$t/$f"
        done
        what="${found[*]}"
        rows+=("| $t | ${execs:-?} | $cpu | ${rss:-?} | $slowest | $corpus | FAILED: ${what:-see $log} |")
    else
        rows+=("| $t | ${execs:-?} | $cpu | ${rss:-?} | $slowest | $corpus | ok$note |")
    fi
done

echo
echo "| target | executions | CPU s | peak RSS (MiB) | slowest input over 1 s, replayed (ms) | corpus | result |"
echo "|---|---:|---:|---:|---:|---:|---|"
printf '%s\n' "${rows[@]}"
if ((failed)); then
    echo
    echo "fuzz: copy each failing input to fuzz/regressions/<target>/ (cargo test -p techfile-fuzzing runs it) and fix the code" >&2
    exit 1
fi
