#!/usr/bin/env bash
# Side-by-side benchmark: mdbook-techfile against a plain mdBook book of the same content
# (the floor), sphinx-needs and StrictDoc, in one run, on one logical corpus.
#
# Usage: bench/peers.sh [N]          (default 10000 items)
#
# Environment:
#   RUNS=5            runs of each tool; the table shows medians (default 3)
#   PEERS=0           only the floor, the build with mdbook-techfile and `check`: no Python
#                     environment, no sphinx-needs or StrictDoc (they take minutes a run)
#   PEERS_VENV=DIR    the Python virtual environment of the peers (default
#                     ${TMPDIR:-/tmp}/techfile-peers-venv); created, and sphinx-needs 9.x
#                     with Sphinx and StrictDoc installed from PyPI, when they are missing
#   TMPDIR            where the corpora and outputs go (/dev/shm keeps the disk out)
#
# bench/gen-book.py writes the same corpus (IDs, titles, statuses, owners, trace links,
# bodies) in each tool's format. Every tool builds from scratch each run: mdBook always
# does, Sphinx gets -E and a fresh output folder, StrictDoc a fresh output folder (its
# cache lives there). /usr/bin/time gives wall time, CPU time (user + sys) and peak RSS;
# CPU time barely moves when other work loads the machine, wall time does.
#
# Peak RSS is GNU time's maximum resident set size: that of the largest single process
# of the run (for `mdbook build`, mdBook or the preprocessor, not the two added up).
#
# Targets, set for 10,000 items: the whole `mdbook build` with the preprocessor within
# 1.25x of the floor, and at least 10x faster than sphinx-needs' HTML build (both compared
# on CPU time and on wall time; the script says which hold and exits 1 when one fails).
# At another N the same ratios are judged, and the report says they are set for 10,000.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
GEN="$ROOT/bench/gen-book.py"
if [[ "${1:-}" == "-h" || "${1:-}" == "--help" ]]; then
    sed -n '2,/^[^#]/{/^#/!q;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"
    exit 0
fi
if (($# > 1)); then
    echo "peers: one argument at most (N), got $#: $*" >&2
    exit 2
fi
N="${1-10000}"
RUNS="${RUNS-3}"
VENV="${PEERS_VENV:-${TMPDIR:-/tmp}/techfile-peers-venv}"
PEERS="${PEERS-1}"

# Written without a leading zero, which bash would read as octal.
if ! [[ "$N" =~ ^[1-9][0-9]{0,6}$ ]] || ((N < 4)); then
    echo "peers: N must be a whole number from 4 to 9999999, got '$N'" >&2
    exit 2
fi
if ! [[ "$RUNS" =~ ^[1-9][0-9]{0,2}$ ]]; then
    echo "peers: RUNS must be a whole number from 1 to 999, got '$RUNS'" >&2
    exit 2
fi
if ! [[ "$PEERS" =~ ^[01]$ ]]; then
    echo "peers: PEERS must be 0 or 1, got '$PEERS'" >&2
    exit 2
fi
if [[ ! -x /usr/bin/time ]]; then
    echo "peers: /usr/bin/time not found; install Debian's \`time\` package (apt-get install time)" >&2
    exit 1
fi
for tool in mdbook python3; do
    command -v "$tool" >/dev/null || { echo "peers: $tool is not on PATH" >&2; exit 1; }
done

build_release

# The peers in a throwaway environment: sphinx-needs pinned to its major version 9, StrictDoc
# to 0.30.x, the release the generated .sdoc files were written for, Sphinx as sphinx-needs
# allows.
VERSIONS="peers not run (PEERS=0)"
if ((PEERS)); then
    if ! "$VENV/bin/python" -c 'import sphinx_needs, strictdoc' 2>/dev/null; then
        echo "peers: installing sphinx-needs 9.x, Sphinx and StrictDoc 0.30.x into $VENV" >&2
        python3 -m venv "$VENV"
        "$VENV/bin/pip" install --quiet 'sphinx-needs>=9,<10' sphinx 'strictdoc>=0.30,<0.31' >&2
    fi
    VERSIONS="$("$VENV/bin/python" - <<'EOF'
from importlib.metadata import version
print("sphinx-needs %s, Sphinx %s, StrictDoc %s" % (
    version("sphinx-needs"), version("sphinx"), version("strictdoc")))
EOF
)"
fi

make_tmp
FORMATS=(floor)
((PEERS)) && FORMATS+=(sphinx-needs strictdoc)
echo "peers: generating $N items for mdbook-techfile and ${FORMATS[*]} under $TMP" >&2
TECHFILE_CMD="$BIN" python3 "$GEN" "$N" "$TMP/techfile"
for f in "${FORMATS[@]}"; do
    python3 "$GEN" --format "$f" "$N" "$TMP/$f"
done

# How much Markdown each book hands mdBook's renderer: the floor's pages, and the pages
# the preprocessor writes (mdBook's `markdown` renderer writes the preprocessed book).
md_bytes() { # BOOK_DIR -> bytes of the preprocessed chapters
    # A sibling of the book, so the item folders are where book.toml says.
    local book="$1" copy
    copy="$(dirname "$1")/book-md"
    cp -r "$book" "$copy"
    sed -i 's/^\[output\.html\]$/[output.markdown]/' "$copy/book.toml"
    mdbook build "$copy" >/dev/null 2>&1
    find "$copy/book" -name '*.md' -print0 | xargs -0 cat | wc -c
}
FLOOR_MD="$(md_bytes "$TMP/floor/book")"
OURS_MD="$(md_bytes "$TMP/techfile/book")"

# run_tool NAME CWD CMD...: one timed run; appends "wall cpu rss_kib" to $TMP/NAME.times.
run_tool() {
    local name="$1" cwd="$2"
    shift 2
    local rc=0
    (cd "$cwd" && /usr/bin/time -f '%e %U %S %M' -o "$TMP/time" "$@") \
        >"$TMP/stdout" 2>"$TMP/stderr" || rc=$?
    if ((rc != 0)); then
        echo "peers: $name failed (exit $rc): $*" >&2
        tail -n 20 "$TMP/stderr" >&2
        exit 1
    fi
    tail -n 1 "$TMP/time" | awk '{ printf "%s %.2f %s\n", $1, $2 + $3, $4 }' >>"$TMP/$name.times"
}

SPHINX="$VENV/bin/sphinx-build"
STRICTDOC="$VENV/bin/strictdoc"
TOOLS=(floor build check)
((PEERS)) && TOOLS+=(sphinx-html sphinx-needs strictdoc)
# CPU time barely moves with the machine's load, wall time does: say what it was.
LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
for ((run = 1; run <= RUNS; run++)); do
    echo "peers: run $run of $RUNS" >&2
    rm -rf "$TMP"/out-*
    run_tool floor "$TMP" mdbook build "$TMP/floor/book"
    run_tool build "$TMP" mdbook build "$TMP/techfile/book"
    run_tool check "$TMP" "$BIN" check "$TMP/techfile/book"
    if ((PEERS)); then
        run_tool sphinx-html "$TMP" "$SPHINX" -q -E -b html "$TMP/sphinx-needs/sphinx" "$TMP/out-html"
        run_tool sphinx-needs "$TMP" "$SPHINX" -q -E -b needs "$TMP/sphinx-needs/sphinx" "$TMP/out-needs"
        run_tool strictdoc "$TMP" "$STRICTDOC" export --formats html --output-dir "$TMP/out-sd" \
            "$TMP/strictdoc/strictdoc"
    fi
    for t in "${TOOLS[@]}"; do
        echo "peers:   $t: $(tail -n 1 "$TMP/$t.times")  (wall s, CPU s, KiB)" >&2
    done
done

# median COLUMN NAME: the median of one column over the runs.
median() {
    awk -v c="$1" '{ print $c }' "$TMP/$2.times" | sort -g |
        awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
declare -A WALL CPU RSS
for t in "${TOOLS[@]}"; do
    WALL[$t]="$(median 1 "$t")"
    CPU[$t]="$(median 2 "$t")"
    RSS[$t]="$(awk '{ if ($3 > m) m = $3 } END { printf "%.0f", m / 1024 }' "$TMP/$t.times")"
done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "-" }'; }

label() {
    case "$1" in
    floor) echo "mdbook build, same chapters as plain Markdown (floor)" ;;
    build) echo "mdbook build with mdbook-techfile" ;;
    check) echo "mdbook-techfile check" ;;
    sphinx-html) echo "sphinx-build -b html (sphinx-needs)" ;;
    sphinx-needs) echo "sphinx-build -b needs (sphinx-needs)" ;;
    strictdoc) echo "strictdoc export --formats html" ;;
    esac
}

echo
echo "$N items, median of $RUNS runs; $VERSIONS; mdBook $(mdbook --version | awk '{ print $2 }'); $(nproc) cores"
echo "Load average (1, 5, 15 min) before the runs: $LOAD_BEFORE; after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "Markdown handed to mdBook's renderer: floor $((FLOOR_MD / N)) bytes per item, with mdbook-techfile $((OURS_MD / N)) bytes per item"
echo
echo "| tool | wall (s) | CPU (s) | peak RSS (MiB) | wall / floor | CPU / floor | wall / mdbook-techfile | CPU / mdbook-techfile |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
for t in "${TOOLS[@]}"; do
    echo "| $(label "$t") | ${WALL[$t]} | ${CPU[$t]} | ${RSS[$t]} | $(ratio "${WALL[$t]}" "${WALL[floor]}") | $(ratio "${CPU[$t]}" "${CPU[floor]}") | $(ratio "${WALL[$t]}" "${WALL[build]}") | $(ratio "${CPU[$t]}" "${CPU[build]}") |"
done

status=0
check_target() { # WHAT A B LIMIT: whether A / B <= LIMIT
    if awk -v a="$2" -v b="$3" -v l="$4" 'BEGIN { exit !(a <= l * b) }'; then
        echo "target met: $1"
    else
        echo "target MISSED: $1"
        status=1
    fi
}
echo
if ((N != 10000)); then
    echo "(the targets are set for 10,000 items; this run has $N)"
fi
check_target "build within 1.25x of the floor (CPU)" "${CPU[build]}" "${CPU[floor]}" 1.25
check_target "build within 1.25x of the floor (wall)" "${WALL[build]}" "${WALL[floor]}" 1.25
if ((PEERS)); then
    check_target "sphinx-needs HTML at least 10x the build (CPU)" "${CPU[build]}" "${CPU[sphinx-html]}" 0.1
    check_target "sphinx-needs HTML at least 10x the build (wall)" "${WALL[build]}" "${WALL[sphinx-html]}" 0.1
fi
exit "$status"
