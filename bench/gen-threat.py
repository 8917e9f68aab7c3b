#!/usr/bin/env python3
"""Generate a technical file with a large threat model, for benchmarking mdbook-techfile.

Usage: bench/gen-threat.py ELEMENTS FLOWS OUT_DIR [--diagram]

Writes OUT_DIR/book (book.toml, src/) and OUT_DIR/requirements/ with a threat model of
ELEMENTS elements (12% assets, 6% actors, 40% processes, 16% data stores, 22% interfaces,
4% trust boundaries; the processes take the rounding remainder) and FLOWS data flows, and
the risks, controls, tests and requirements that cover it, so that `mdbook-techfile check`
reports a clean book: every STRIDE pair is analysed, every asset named, every interface
used, every crossing passes an interface. The output depends only on the arguments.

The chapter places the STRIDE matrix and the tables of interfaces, assets, data stores,
data flows and trust boundaries. With --diagram it also places the data-flow diagram of
the whole model (and raises `max-elements` so that it is drawn).

Set TECHFILE_CMD to choose the preprocessor command written into book.toml
(default: mdbook-techfile).
"""

import os
import random
import sys

SEED = 20261129
STRIDE = ["spoofing", "tampering", "repudiation", "information-disclosure",
          "denial-of-service", "elevation-of-privilege"]
PRACTICES = ["MDCG-SM", "MDCG-SR", "MDCG-SD", "MDCG-SI", "MDCG-SVV", "MDCG-DM",
             "MDCG-SUM", "MDCG-SG"]


def write(root, rel, text):
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def item(id, kind, title, lines):
    head = [f'id = "{id}"', f'kind = "{kind}"', f'title = "{title}"'] + lines
    return "+++\n" + "\n".join(head) + "\n+++\nGenerated for the benchmark.\n"


def ids(xs):
    return "[" + ", ".join(f'"{x}"' for x in xs) + "]"


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    if len(args) != 3:
        sys.exit(__doc__)
    n, flows, out = int(args[0]), int(args[1]), args[2]
    diagram = "--diagram" in sys.argv
    if n < 50 or flows < 1:
        sys.exit("bench: ELEMENTS must be at least 50 and FLOWS at least 1")
    rng = random.Random(SEED)
    n_assets, n_actors = n * 12 // 100, n * 6 // 100
    n_stores, n_ifaces, n_tbs = n * 16 // 100, n * 22 // 100, n * 4 // 100
    n_procs = n - n_assets - n_actors - n_stores - n_ifaces - n_tbs
    req = os.path.join(out, "requirements")

    assets = [f"AST-{i:04d}" for i in range(n_assets)]
    actors = [f"ACT-{i:04d}" for i in range(n_actors)]
    procs = [f"PRC-{i:04d}" for i in range(n_procs)]
    stores = [f"DS-{i:04d}" for i in range(n_stores)]
    tbs = [f"TB-{i:03d}" for i in range(n_tbs)]
    nodes = actors + procs + stores
    # Every interface belongs to a process; flows go to those processes, so a flow that
    # crosses a boundary always passes its destination's interface.
    ifaces = [(f"IF-{i:04d}", procs[i % n_procs]) for i in range(n_ifaces)]

    for a in assets:
        write(req, f"assets/{a}.md", item(a, "asset", f"Asset {a}", [
            'asset-type = "data"', 'confidentiality = "high"', 'integrity = "high"',
            'availability = "medium"']))
    for a in actors:
        write(req, f"actors/{a}.md", item(a, "actor", f"Actor {a}", ['actor-type = "user"']))
    for p in procs:
        write(req, f"processes/{p}.md", item(p, "process", f"Service {p}", [
            'technology = "Generated service"']))
    for k, s in enumerate(stores):
        write(req, f"data-stores/{s}.md", item(s, "data-store", f"Store {s}", [
            f"assets = {ids([assets[k % n_assets]])}", 'encryption = "AES-256"',
            'retention = "10 years"']))
    for iid, owner in ifaces:
        write(req, f"interfaces/{iid}.md", item(iid, "interface", f"Port of {owner}", [
            f'element = "{owner}"', 'interface-type = "network"', 'protocol = "HTTPS"',
            'protocol-version = "TLS 1.3"', 'port = "TCP 443"', 'direction = "inbound"',
            'exposure = "adjacent"', 'authentication = "mutual TLS"',
            'encryption = "TLS 1.3"']))
    # Each boundary holds an equal share of the nodes; a few nodes stay outside them all.
    inside = nodes[: len(nodes) * 9 // 10]
    for k, tb in enumerate(tbs):
        members = inside[k::n_tbs]
        write(req, f"trust-boundaries/{tb}.md", item(tb, "trust-boundary", f"Zone {tb}", [
            f"contains = {ids(members)}"]))

    flow_ids = []
    for k in range(flows):
        fid = f"DF-{k:05d}"
        iid, to = ifaces[k % n_ifaces]
        frm = rng.choice(nodes)
        while frm == to:
            frm = rng.choice(nodes)
        flow_ids.append(fid)
        write(req, f"data-flows/{fid}.md", item(fid, "data-flow", f"Flow {fid}", [
            f'from = "{frm}"', f'to = "{to}"', f"interfaces = {ids([iid])}",
            f"assets = {ids([assets[k % n_assets]])}"]))

    # Risks cover the model in slices: each names one asset, a share of the nodes and of
    # the flows, with every STRIDE category.
    n_risks = n_assets
    for r in range(n_risks):
        rid = f"RSK-{r:04d}"
        write(req, f"risks/{rid}.md", item(rid, "risk", f"Threats to slice {r}", [
            'status = "approved"', f"assets = {ids([assets[r]])}",
            f"elements = {ids(nodes[r::n_risks])}",
            f"data-flows = {ids(flow_ids[r::n_risks])}",
            f"stride = {ids(STRIDE)}", 'threat = "Generated threat."',
            'exploitability = "occasional"', 'severity = "serious"',
            'residual-exploitability = "remote"', 'residual-severity = "minor"',
            "safety-impact = false"]))
        cid, tid, qid = f"CTL-{r:04d}", f"TST-{r:04d}", f"REQ-{r:04d}"
        write(req, f"requirements/{qid}.md", item(qid, "requirement", f"Requirement {r}", [
            f'derives-from = ["{PRACTICES[r % len(PRACTICES)]}"]']))
        write(req, f"controls/{cid}.md", item(cid, "control", f"Control {r}", [
            f'implements = ["{qid}"]', f'mitigates = ["{rid}"]', 'measure = "design"']))
        write(req, f"tests/{tid}.md", item(tid, "test", f"Test {r}", [
            f'verifies = ["{cid}"]', 'result = "pass"']))

    cmd = os.environ.get("TECHFILE_CMD", "mdbook-techfile")
    toml = (f'[book]\ntitle = "Threat model benchmark"\n\n[preprocessor.techfile]\n'
            f"command = '{cmd}'\nbefore = [\"links\"]\nitems = [\"../requirements\"]\n")
    if diagram:
        toml += "\n[preprocessor.techfile.diagram]\nmax-elements = 100000\ntimeout = 600\n"
    write(out, "book/book.toml", toml)
    chapters = "- [Threat model](model.md)\n"
    if diagram:
        chapters += "- [Diagram](diagram.md)\n"
    write(out, "book/src/SUMMARY.md", "# Summary\n\n" + chapters)
    write(out, "book/src/model.md", "# Threat model\n\n" + "\n\n".join(
        "{{#techfile " + d + "}}" for d in
        ["stride", "interfaces", "assets", "data-stores", "data-flows", "trust-boundaries"]
    ) + "\n")
    if diagram:
        write(out, "book/src/diagram.md", "# Diagram\n\n{{#techfile data-flow-diagram}}\n")
    print(f"bench: {n} elements ({n_assets} assets, {n_actors} actors, {n_procs} processes, "
          f"{n_stores} data stores, {n_ifaces} interfaces, {n_tbs} trust boundaries), "
          f"{flows} data flows, {n_risks} risks in {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
