#!/usr/bin/env bash
# Compares the SBOM `mdbook-techfile sbom` writes for this workspace with the one
# cargo-cyclonedx (the ecosystem's tool) writes with the same options, and prints the
# differences in component set (name@version), hashes, licenses and scope.
#
# Needs cargo-cyclonedx (`cargo install cargo-cyclonedx --locked`, a few minutes to build)
# and python3. Not part of CI for that reason. Exits 1 when the component sets differ.
#
# Usage: scripts/compare-cargo-cyclonedx.sh
set -euo pipefail
cd "$(dirname "$0")/.."
command -v cargo-cyclonedx >/dev/null || {
    echo "cargo-cyclonedx is not installed: cargo install cargo-cyclonedx --locked" >&2
    exit 2
}
echo "cargo-cyclonedx: $(cargo cyclonedx --version)"
HOST="$(rustc -vV | sed -n 's/^host: //p')"
TMP="$(mktemp -d)"
# cargo-cyclonedx writes next to each package's Cargo.toml; the name below is ours to remove.
NAME="compare-cargo-cyclonedx-tmp"
trap 'rm -rf "$TMP"; rm -f plugin/$NAME.json' EXIT

cargo build --locked --quiet -p mdbook-techfile
BIN=target/debug/mdbook-techfile
STATUS=0
for target in all "$HOST"; do
    echo
    echo "== --target $target"
    cargo cyclonedx --manifest-path Cargo.toml --format json --spec-version 1.5 --all \
        --target "$target" --override-filename "$NAME" --quiet
    mv "plugin/$NAME.json" "$TMP/theirs-$target.json"
    ours_target=()
    [[ "$target" == all ]] || ours_target=(--target "$target")
    "$BIN" sbom --manifest-path Cargo.toml "${ours_target[@]}" -o "$TMP/ours-$target.json"
    python3 - "$TMP/ours-$target.json" "$TMP/theirs-$target.json" <<'PY' || STATUS=1
import json, sys

def load(path):
    doc = json.load(open(path))
    out = {}
    for c in doc.get("components", []):
        key = f"{c['name']}@{c.get('version', '')}"
        hashes = {h["alg"]: h["content"] for h in c.get("hashes", [])}
        licenses = sorted(
            l.get("expression") or l.get("license", {}).get("id") or l.get("license", {}).get("name", "")
            for l in c.get("licenses", [])
        )
        out[key] = (hashes.get("SHA-256"), licenses, c.get("scope", "required"), c.get("purl"))
    return doc, out

ours_doc, ours = load(sys.argv[1])
theirs_doc, theirs = load(sys.argv[2])
print(f"components: ours {len(ours)}, cargo-cyclonedx {len(theirs)}")
only_ours = sorted(set(ours) - set(theirs))
only_theirs = sorted(set(theirs) - set(ours))
for k in only_ours:
    print(f"  only in ours:            {k}")
for k in only_theirs:
    print(f"  only in cargo-cyclonedx: {k}")
common = sorted(set(ours) & set(theirs))
for field, i in (("SHA-256", 0), ("licenses", 1), ("scope", 2), ("purl", 3)):
    diff = [k for k in common if ours[k][i] != theirs[k][i]]
    print(f"{field}: {len(common) - len(diff)} of {len(common)} common components agree")
    for k in diff[:10]:
        print(f"  {k}: ours {ours[k][i]!r}, cargo-cyclonedx {theirs[k][i]!r}")
ours_root = ours_doc["metadata"]["component"]
theirs_root = theirs_doc["metadata"]["component"]
print(f"primary: ours {ours_root['name']}@{ours_root['version']}, "
      f"cargo-cyclonedx {theirs_root['name']}@{theirs_root['version']}")
sys.exit(1 if only_ours or only_theirs else 0)
PY
done
echo
if (( STATUS == 0 )); then
    echo "the component sets are identical"
else
    echo "the component sets differ (see above)"
fi
exit "$STATUS"
