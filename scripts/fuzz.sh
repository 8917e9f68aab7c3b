#!/usr/bin/env bash
# Runs every fuzz target (plugin/fuzzing, wrapped by fuzz/) one after another with
# libFuzzer through cargo-fuzz, on the stable toolchain.
#
# Usage: scripts/fuzz.sh [SECONDS] [TARGET ...]
#   SECONDS  time per target (default 60)
#   TARGET   only these targets (default: all, in the order of techfile_fuzzing::TARGETS)
#
# Environment:
#   FUZZ_RUNS=N          stop each target after N executions instead (SECONDS still caps it)
#   FUZZ_TIMEOUT=S       seconds one input may take (default 1). libFuzzer measures wall
#                        time: on a loaded machine, or under `nice`, a 10 ms input can pass
#                        1 s, so raise it there and rerun a reported input alone
#                        (fuzz/target/.../release/<target> FILE prints its time)
#   FUZZ_SHARED=DIR      the CycloneDX test vectors (default ../shared/cyclonedx/test-vectors)
#   CARGO_TARGET_DIR     where the instrumented build goes (default fuzz/target)
#
# Each target starts from its corpus in fuzz/corpus/<target> (kept between runs, not
# committed), the seeds taken from the fixtures and test vectors, and the committed
# regression inputs in fuzz/regressions/<target>. An input that panics, runs over 1 s or
# allocates over 512 MiB is a failure: libFuzzer writes it to fuzz/artifacts/<target>/,
# and the script lists it and exits 1. Copy it to fuzz/regressions/<target>/, where
# `cargo test -p techfile-fuzzing` runs it, and fix the code.
#
# cargo-fuzz is installed from crates.io when missing. libFuzzer's instrumentation flags
# are stable rustc flags; cargo-fuzz itself asks for nightly, which RUSTC_BOOTSTRAP=1
# stands in for. No sanitizer: the code has no `unsafe`, and AddressSanitizer would need
# the nightly-only -Zsanitizer and halve the executions per second.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SECONDS_EACH="${1:-60}"
shift || true
if ! [[ "$SECONDS_EACH" =~ ^[0-9]+$ ]] || ((SECONDS_EACH < 1)); then
    echo "fuzz: SECONDS must be a positive integer, got '$SECONDS_EACH'" >&2
    exit 2
fi
SHARED="${FUZZ_SHARED:-$ROOT/../shared/cyclonedx/test-vectors}"
export RUSTC_BOOTSTRAP=1
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/fuzz/target}"

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "fuzz: installing cargo-fuzz" >&2
    cargo install --locked cargo-fuzz >&2
fi

cd "$ROOT"
ALL=($(sed -n 's/^name = "\(.*\)"$/\1/p' fuzz/Cargo.toml | grep -v '^techfile-fuzz$'))
TARGETS=("$@")
if ((${#TARGETS[@]} == 0)); then
    TARGETS=("${ALL[@]}")
fi
for t in "${TARGETS[@]}"; do
    [[ " ${ALL[*]} " == *" $t "* ]] || { echo "fuzz: no target '$t' (have: ${ALL[*]})" >&2; exit 2; }
done

echo "fuzz: seeds from the fixtures and $SHARED" >&2
SEEDS="$ROOT/fuzz/seeds"
rm -rf "$SEEDS"
shared_arg=()
[[ -d "$SHARED" ]] && shared_arg=("$SHARED")
cargo run --quiet --release -p techfile-fuzzing --example fuzz-seeds -- "$ROOT" "$SEEDS" "${shared_arg[@]}"

echo "fuzz: building the targets" >&2
(cd fuzz && cargo fuzz build -s none --target-dir "$CARGO_TARGET_DIR")

LOGS="$(mktemp -d)"
trap 'rm -rf "$LOGS"' EXIT
runs_arg=()
[[ -n "${FUZZ_RUNS:-}" ]] && runs_arg=("-runs=$FUZZ_RUNS")
failed=0
rows=()
for t in "${TARGETS[@]}"; do
    mkdir -p "fuzz/corpus/$t" "fuzz/regressions/$t" "fuzz/artifacts/$t"
    echo "fuzz: $t for at most ${SECONDS_EACH} s" >&2
    rc=0
    (cd fuzz && cargo fuzz run -s none --target-dir "$CARGO_TARGET_DIR" "$t" \
        "corpus/$t" "seeds/$t" "regressions/$t" -- \
        -max_total_time="$SECONDS_EACH" -timeout="${FUZZ_TIMEOUT:-1}" -rss_limit_mb=512 -malloc_limit_mb=512 \
        -print_final_stats=1 "${runs_arg[@]}") >"$LOGS/$t.log" 2>&1 || rc=$?
    execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$LOGS/$t.log" | tail -n 1)"
    secs="$(sed -n 's/^stat::slowest_unit_time_sec: *//p' "$LOGS/$t.log" | tail -n 1)"
    rss="$(sed -n 's/^stat::peak_rss_mb: *//p' "$LOGS/$t.log" | tail -n 1)"
    corpus="$(find "fuzz/corpus/$t" -type f | wc -l)"
    if ((rc != 0)); then
        failed=1
        echo "fuzz: $t FAILED (exit $rc); the end of its log:" >&2
        tail -n 40 "$LOGS/$t.log" >&2
        rows+=("| $t | ${execs:-?} | ${secs:-?} | ${rss:-?} | $corpus | FAILED: $(ls "fuzz/artifacts/$t" | tr '\n' ' ') |")
    else
        rows+=("| $t | ${execs:-?} | ${secs:-?} | ${rss:-?} | $corpus | ok |")
    fi
done

echo
echo "| target | executions | slowest input (s) | peak RSS (MiB) | corpus | result |"
echo "|---|---:|---:|---:|---:|---|"
printf '%s\n' "${rows[@]}"
if ((failed)); then
    echo
    echo "fuzz: failures are in fuzz/artifacts/<target>/: reproduce with" >&2
    echo "  cargo test -p techfile-fuzzing after copying them to fuzz/regressions/<target>/" >&2
    exit 1
fi
