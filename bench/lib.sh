# Shared by the scripts in bench/: sourced, never run on its own.
#
# ROOT          the repository's top folder.
# build_release builds mdbook-techfile in release mode and sets BIN to it (CARGO_TARGET_DIR is
#               honoured, relative to ROOT, where cargo runs).
# make_tmp      sets TMP to a new temporary folder (under TMPDIR), removed when the script exits.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

build_release() {
    echo "bench: building release binary" >&2
    (cd "$ROOT" && cargo build --release -p mdbook-techfile) >&2
    local target="${CARGO_TARGET_DIR:-target}"
    [[ "$target" = /* ]] || target="$ROOT/$target"
    BIN="$target/release/mdbook-techfile"
    if [[ ! -x "$BIN" ]]; then
        echo "bench: release binary not found at $BIN" >&2
        exit 1
    fi
}

make_tmp() {
    TMP="$(mktemp -d)"
    trap 'rm -rf "$TMP"' EXIT
}
