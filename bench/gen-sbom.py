#!/usr/bin/env python3
"""Generate a book whose one chapter renders an SBOM of N components, for benchmarking.

Usage: bench/gen-sbom.py N OUT_DIR

Writes OUT_DIR/book (book.toml, src/), OUT_DIR/requirements (one requirement, one control
and one test, the control affecting 50 components) and OUT_DIR/sboms/big.cdx.json: a
CycloneDX 1.6 document of N components of four types and four licenses, each with a
supplier, a purl, a SHA-256 hash and one or two dependencies, so every NTIA element is
present and the check is clean. The output depends only on N.

Set TECHFILE_CMD to choose the preprocessor command written into book.toml
(default: mdbook-techfile).
"""

import json
import os
import sys


def main() -> None:
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    n = int(sys.argv[1])
    out = sys.argv[2]
    cmd = os.environ.get("TECHFILE_CMD", "mdbook-techfile")

    def ref(i: int) -> str:
        return f"pkg:npm/bench-pkg-{i}@1.{i}.0"

    components = []
    dependencies = []
    for i in range(n):
        components.append({
            "type": ["library", "framework", "application", "file"][i % 4],
            "bom-ref": ref(i),
            "supplier": {"name": f"Vendor {i % 97}"},
            "name": f"bench-pkg-{i}",
            "version": f"1.{i}.0",
            "licenses": [{"license": {"id": ["MIT", "Apache-2.0", "BSD-3-Clause", "ISC"][i % 4]}}],
            "purl": ref(i),
            "hashes": [{"alg": "SHA-256", "content": f"{i:064x}"}],
        })
        dependencies.append({"ref": ref(i), "dependsOn": [ref(j) for j in (i + 1, i + 7) if j < n]})
    doc = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "version": 1,
        "metadata": {"timestamp": "2026-01-01T00:00:00Z", "authors": [{"name": "Bench"}]},
        "components": components,
        "dependencies": dependencies,
    }
    os.makedirs(f"{out}/sboms", exist_ok=True)
    with open(f"{out}/sboms/big.cdx.json", "w") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")

    os.makedirs(f"{out}/book/src", exist_ok=True)
    with open(f"{out}/book/book.toml", "w") as f:
        f.write(f'[book]\ntitle = "SBOM bench ({n} components)"\n\n'
                f'[preprocessor.techfile]\ncommand = {json.dumps(cmd)}\n\n'
                '[preprocessor.techfile.coverage]\npractice = false\n')
    with open(f"{out}/book/src/SUMMARY.md", "w") as f:
        f.write("# Summary\n\n- [SBOM](sbom.md)\n")
    with open(f"{out}/book/src/sbom.md", "w") as f:
        f.write("# SBOM\n\n{{#techfile sbom big.cdx.json}}\n")

    os.makedirs(f"{out}/requirements", exist_ok=True)
    affects = ", ".join(json.dumps(ref(i)) for i in range(0, n, max(1, n // 50)))
    items = {
        "REQ-1.md": 'id = "REQ-1"\nkind = "requirement"\ntitle = "Keep components current"\nderives-from = ["MDCG-SM"]\n',
        "CTL-1.md": f'id = "CTL-1"\nkind = "control"\ntitle = "Monitor components"\nimplements = ["REQ-1"]\naffects = [{affects}]\n',
        "TST-1.md": 'id = "TST-1"\nkind = "test"\ntitle = "Monitoring test"\nverifies = ["CTL-1"]\nresult = "pass"\n',
    }
    for name, front in items.items():
        with open(f"{out}/requirements/{name}", "w") as f:
            f.write(f"+++\n{front}+++\nBody.\n")


if __name__ == "__main__":
    main()
