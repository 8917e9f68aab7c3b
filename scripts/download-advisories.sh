#!/usr/bin/env bash
# Downloads the OSV databases the SBOMs of a book need, unpacked as osv-scanner's offline
# databases are: DEST/<Ecosystem>/*.json. This is the only step of the revalidation that
# uses the network; `mdbook-techfile revalidate` itself never fetches.
#
#   scripts/download-advisories.sh BOOK_DIR DEST
#
# The ecosystems come from the SBOMs' purls (`mdbook-techfile revalidate BOOK --ecosystems`);
# each is https://osv-vulnerabilities.storage.googleapis.com/<Ecosystem>/all.zip.
# TECHFILE_BIN names the binary (default: mdbook-techfile on PATH).
set -euo pipefail
if [ "$#" -ne 2 ]; then
    echo "usage: $0 BOOK_DIR DEST" >&2
    exit 2
fi
book="$1"
dest="$2"
bin="${TECHFILE_BIN:-mdbook-techfile}"
base="https://osv-vulnerabilities.storage.googleapis.com"
mapfile -t ecosystems < <("$bin" revalidate "$book" --ecosystems)
if [ "${#ecosystems[@]}" -eq 0 ]; then
    echo "download-advisories: no component of $book has a purl of a known ecosystem" >&2
fi
mkdir -p "$dest"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
for ecosystem in "${ecosystems[@]}"; do
    # Ecosystem names may hold spaces ("Red Hat"); the bucket path is URL-encoded.
    path="$(printf '%s' "$ecosystem" | sed 's/ /%20/g')"
    echo "download-advisories: $ecosystem" >&2
    curl --fail --silent --show-error --location --retry 3 \
        --output "$tmp/all.zip" "$base/$path/all.zip"
    rm -rf "${dest:?}/$ecosystem"
    mkdir -p "$dest/$ecosystem"
    unzip -q -o "$tmp/all.zip" -d "$dest/$ecosystem"
    rm -f "$tmp/all.zip"
done
echo "download-advisories: ${#ecosystems[@]} ecosystems in $dest" >&2
