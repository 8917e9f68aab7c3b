#!/usr/bin/env python3
"""Generate an advisory folder of N OSV records, laid out as osv-scanner's offline databases
unpacked (OUT_DIR/<Ecosystem>/<ID>.json), for benchmarking `mdbook-techfile revalidate`.

Usage: bench/gen-osv.py N COMPONENTS OUT_DIR

Records are spread over npm, PyPI, crates.io, Go and Maven. One in fifty names a package of
the SBOM that bench/gen-sbom.py writes for COMPONENTS components (npm `bench-pkg-K` at
version 1.K.0), with a SEMVER range that covers that version; the rest name other packages.
Each record has aliases, a summary, a few hundred bytes of details, a CVSS 3.1 vector and
references, about 1 KB as real records are. The output depends only on the arguments.
"""

import json
import os
import sys

ECOSYSTEMS = ["npm", "PyPI", "crates.io", "Go", "Maven"]


def record(i: int, components: int) -> tuple[str, dict]:
    eco = ECOSYSTEMS[i % len(ECOSYSTEMS)]
    if i % 50 == 0:
        eco = "npm"
        k = (i // 50) % components
        name = f"bench-pkg-{k}"
        events = [{"introduced": "0"}, {"fixed": f"1.{k}.1"}]
    else:
        name = {
            "npm": f"other-pkg-{i}",
            "PyPI": f"Other_Pkg_{i}",
            "crates.io": f"other-crate-{i}",
            "Go": f"example.com/other/mod{i}",
            "Maven": f"org.other:artifact-{i}",
        }[eco]
        events = [{"introduced": "1.0.0"}, {"fixed": f"1.{i % 40}.3"}]
    kind = "ECOSYSTEM" if eco in ("PyPI", "Maven") else "SEMVER"
    id_ = f"BENCH-{i:06d}"
    return eco, {
        "schema_version": "1.7.3",
        "id": id_,
        "modified": f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}T00:00:00Z",
        "published": "2025-01-01T00:00:00Z",
        "aliases": [f"CVE-2026-{100000 + i}", f"GHSA-bnch-{i % 10000:04d}-{i // 10000:04d}"],
        "summary": f"Benchmark advisory {i} for {name}",
        "details": "Generated record for the revalidation benchmark. " * 6,
        "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N"}],
        "affected": [{
            "package": {"ecosystem": eco, "name": name},
            "ranges": [{"type": kind, "events": events}],
            "database_specific": {"source": "bench"},
        }],
        "references": [
            {"type": "ADVISORY", "url": f"https://advisories.example/{id_}"},
            {"type": "WEB", "url": f"https://example.com/{name}/issues/{i}"},
        ],
    }


def main() -> None:
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    n, components, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    for eco in ECOSYSTEMS:
        os.makedirs(os.path.join(out, eco), exist_ok=True)
    for i in range(n):
        eco, rec = record(i, components)
        with open(os.path.join(out, eco, rec["id"] + ".json"), "w") as f:
            json.dump(rec, f, indent=2)


if __name__ == "__main__":
    main()
