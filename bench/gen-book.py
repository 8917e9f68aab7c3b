#!/usr/bin/env python3
"""Generate a synthetic technical file for benchmarking mdbook-techfile and its peers.

Usage: bench/gen-book.py [--format FORMAT] N OUT_DIR

One logical corpus of N items, split 30% requirements, 15% risks, 30% controls and 25%
tests (the tests take the rounding remainder), with the same IDs, titles, statuses,
owners, trace links and bodies (3 to 6 sentences) in every format:

  techfile      OUT_DIR/book (book.toml, src/) and OUT_DIR/requirements/<kind>/<bucket>/
                <ID>.md: items with TOML front-matter, chapters with directives (default)
  floor         OUT_DIR/book: a plain mdBook book with the same chapters, the items
                written out by hand as Markdown (one page per kind: heading, status,
                owner, links to the items linked, body), the coverage page as a Markdown
                table; what mdBook costs to render the content without any preprocessor
  sphinx-needs  OUT_DIR/sphinx: conf.py and reStructuredText, one need per item on one
                page per kind (need types requirement, risk, control, test and practice,
                link types derives, implements, mitigates, verifies), the coverage page
                as a needtable
  strictdoc     OUT_DIR/strictdoc: one .sdoc document per kind with its grammar,
                items as nodes with Parent relations

The peers have no built-in regulatory catalog, so their corpora hold the eight MDCG
2019-16 practices as items that requirements derive from. The output depends only on N:
the RNG has a fixed seed and nothing time-dependent is written. The trace is complete,
so `mdbook-techfile check` reports a clean book: every requirement is implemented, every
risk estimated and mitigated, every control verified.

Set TECHFILE_CMD to choose the preprocessor command written into book.toml
(default: mdbook-techfile).
"""

import os
import random
import sys
import time

SEED = 20240611
BUCKET = 1000  # at most this many files per folder
MAX_PER_KIND = 999_999  # IDs are zero-padded to six digits

PRACTICES = [
    "MDCG-SM",
    "MDCG-SR",
    "MDCG-SD",
    "MDCG-SI",
    "MDCG-SVV",
    "MDCG-DM",
    "MDCG-SUM",
    "MDCG-SG",
]
STATUSES = ["draft", "in-review", "approved"]
OWNERS = ["team-a", "team-b", "team-c", "platform", "security"]

# (exploitability, severity) before and after controls, on the default scales.
ESTIMATES = [
    ("probable", "serious", "remote", "serious"),
    ("occasional", "minor", "improbable", "minor"),
    ("remote", "critical", "improbable", "serious"),
    ("frequent", "negligible", "probable", "negligible"),
]

KINDS = [  # (kind, ID prefix)
    ("requirement", "REQ"),
    ("risk", "RSK"),
    ("control", "CTL"),
    ("test", "TST"),
]

ADJECTIVES = [
    "secure", "authenticated", "encrypted", "signed", "audited", "isolated",
    "validated", "redundant", "hardened", "minimal", "timely", "traceable",
    "resilient", "restricted", "verified", "logged",
]
NOUNS = [
    "firmware update", "session token", "audit log", "patient record", "network port",
    "user account", "backup image", "configuration file", "software component",
    "cloud endpoint", "service interface", "device certificate", "alarm message",
    "maintenance mode", "remote connection", "data export",
]
SUBJECTS = [
    "The device", "The system", "The operator", "The cloud service", "The update server",
    "The clinician", "The manufacturer", "The mobile app", "The gateway", "The installer",
]
VERBS = [
    "shall protect", "shall verify", "must record", "should limit", "shall encrypt",
    "must reject", "shall monitor", "should rotate", "shall authenticate", "must isolate",
    "shall back up", "should report",
]
CONDITIONS = [
    "before use", "at every start-up", "during maintenance", "after a failed login",
    "within 24 hours", "on every connection", "when the network is unavailable",
    "for the whole service life", "before data leaves the device", "on request",
    "in the clinical environment", "after each software update",
]
REMARKS = [
    "This follows the state of the art described in IEC 81001-5-1.",
    "See the threat model for the attack scenarios considered.",
    "The residual risk is evaluated in the risk management file.",
    "Evidence is collected during the verification campaign.",
    "The behaviour is documented in the instructions for use.",
    "Deviations are handled through the change control process.",
    "Field data from post-market surveillance may refine this item.",
    "The implementation relies on the platform security library.",
]


def toml_str(s):
    """A TOML basic string holding `s`."""
    out = ['"']
    for ch in s:
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append("\\u%04X" % ord(ch))
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def toml_list(ids):
    return "[" + ", ".join('"%s"' % i for i in ids) + "]"


def counts(n):
    """Items per kind: 30/15/30/25, tests take the remainder, one of each when n >= 4."""
    req = n * 30 // 100
    risk = n * 15 // 100
    ctl = n * 30 // 100
    if n >= 4:
        req, risk, ctl = max(req, 1), max(risk, 1), max(ctl, 1)
    test = n - req - risk - ctl
    return req, risk, ctl, test


def spread(n_sources, n_targets, fill=True):
    """Round-robin: target t goes to source t % n_sources, so every target is used.
    With `fill`, sources left without a target (more sources than targets) get
    target s % n_targets. Returns a list of target indices per source."""
    lists = [[] for _ in range(n_sources)]
    for t in range(n_targets):
        lists[t % n_sources].append(t)
    if fill:
        for s, links in enumerate(lists):
            if not links:
                links.append(s % n_targets)
    return lists



class Item:
    __slots__ = ("kind", "prefix", "num", "id", "title", "status", "owner", "body", "links",
                 "risk", "result", "path")

    def __init__(self, kind, prefix, num, title, status, owner, body):
        self.kind, self.prefix, self.num = kind, prefix, num
        self.id = "%s-%06d" % (prefix, num)
        self.title, self.status, self.owner, self.body = title, status, owner, body
        self.links = []  # (relation, [IDs])
        self.risk = None  # (asset, threat, exploitability, severity, residual e., residual s.)
        self.result = None
        self.path = "%s/%03d/%s.md" % (kind, num // BUCKET, self.id)


def corpus(n):
    """The items of a corpus of n items, in kind order, as `Item`s."""
    n_req, n_risk, n_ctl, n_test = counts(n)
    rng = random.Random(SEED)

    # --- trace links --------------------------------------------------------------
    # Mandatory links first (round-robin, so nothing is left uncovered), then extras.
    implements = spread(n_ctl, n_req)
    mitigates = spread(n_ctl, n_risk, fill=False)
    verifies = spread(n_test, n_ctl)
    # With the 30/15/30/25 split (and one of each kind) these always hold.
    assert all(1 <= len(x) <= 2 for x in implements)
    assert all(len(x) <= 1 for x in mitigates)
    assert all(1 <= len(x) <= 2 for x in verifies)
    for links in implements:
        if len(links) == 1 and n_req > 1 and rng.random() < 0.25:
            extra = rng.randrange(n_req - 1)
            links.append(extra if extra < links[0] else extra + 1)
    for links in mitigates:
        if not links and n_risk and rng.random() < 0.3:
            links.append(rng.randrange(n_risk))
    for links in verifies:
        if len(links) == 1 and n_ctl > 1 and rng.random() < 0.3:
            extra = rng.randrange(n_ctl - 1)
            links.append(extra if extra < links[0] else extra + 1)

    # Titles and sentences come from pools built once with the seeded RNG; each item
    # then draws all its choices from one getrandbits() call. This keeps 100,000 items
    # to a few seconds.
    titles = ["%s %s" % (a.capitalize(), b) for a in ADJECTIVES for b in NOUNS]
    rng.shuffle(titles)
    assert len(titles) == 256
    sentences = []
    for _ in range(4096):
        if rng.random() < 0.3:
            sentences.append(rng.choice(REMARKS))
        else:
            sentences.append("%s %s the %s %s." % (
                rng.choice(SUBJECTS), rng.choice(VERBS),
                rng.choice(NOUNS), rng.choice(CONDITIONS)))
    getrandbits = rng.getrandbits
    n_status, n_owner = len(STATUSES), len(OWNERS)

    def ident(prefix, i):
        return "%s-%06d" % (prefix, i + 1)

    def make(kind, prefix, i):
        r = getrandbits(96)
        lines = 3 + ((r >> 8) & 3)  # 3..6 body lines
        body = "\n".join(sentences[(r >> (24 + 12 * k)) & 4095] for k in range(lines))
        return Item(kind, prefix, i + 1, titles[r & 255],
                    STATUSES[((r >> 10) & 63) % n_status],
                    OWNERS[((r >> 16) & 255) % n_owner], body)

    items = []
    for i in range(n_req):
        derives = [PRACTICES[i % len(PRACTICES)]]
        if i > 0 and rng.random() < 0.2:
            derives.append(ident("REQ", rng.randrange(i)))  # earlier only: no cycles
        it = make("requirement", "REQ", i)
        it.links.append(("derives-from", derives))
        items.append(it)
    for i in range(n_risk):
        # Risks in review or approved must carry their estimates; a fixed rotation keeps
        # the output independent of the RNG and every residual level tolerable.
        e, s, re_, rs = ESTIMATES[i % len(ESTIMATES)]
        noun = NOUNS[i % len(NOUNS)]
        it = make("risk", "RSK", i)
        it.risk = (noun, "An attacker misuses the %s." % noun, e, s, re_, rs)
        items.append(it)
    for i in range(n_ctl):
        it = make("control", "CTL", i)
        it.links.append(("implements", [ident("REQ", r) for r in implements[i]]))
        if mitigates[i]:
            it.links.append(("mitigates", [ident("RSK", r) for r in mitigates[i]]))
        items.append(it)
    for i in range(n_test):
        it = make("test", "TST", i)
        it.links.append(("verifies", [ident("CTL", c) for c in verifies[i]]))
        it.result = "pass"
        items.append(it)
    return items


FORMATS = ("techfile", "floor", "sphinx-needs", "strictdoc")
KIND_TITLES = [("requirement", "Requirements"), ("risk", "Risks"), ("control", "Controls"),
               ("test", "Tests")]


def main(argv):
    args = argv[1:]
    fmt = "techfile"
    if len(args) >= 2 and args[0] == "--format":
        fmt = args[1]
        args = args[2:]
    if len(args) != 2 or not args[0].isdigit() or fmt not in FORMATS:
        sys.stderr.write("usage: gen-book.py [--format %s] N OUT_DIR\n" % "|".join(FORMATS))
        return 2
    n = int(args[0])
    if n < 4:
        sys.stderr.write("gen-book: N must be at least 4 (one item of each kind)\n")
        return 2
    out_dir = args[1]
    started = time.monotonic()
    n_req, n_risk, n_ctl, n_test = counts(n)
    if max(n_req, n_risk, n_ctl, n_test) > MAX_PER_KIND:
        sys.stderr.write("gen-book: N too large for six-digit IDs\n")
        return 2
    target = {"techfile": ("book", "requirements"), "floor": ("book",),
              "sphinx-needs": ("sphinx",), "strictdoc": ("strictdoc",)}[fmt]
    for d in target:
        d = os.path.join(out_dir, d)
        if os.path.isdir(d) and os.listdir(d):
            sys.stderr.write("gen-book: %s already exists and is not empty\n" % d)
            return 1
    items = corpus(n)
    intro = ("This is a generated technical file used to benchmark `mdbook-techfile`. "
             "It holds %d requirements, %d risks, %d controls and %d tests with a "
             "complete trace between them.\n" % (n_req, n_risk, n_ctl, n_test))
    {"techfile": write_techfile, "floor": write_floor, "sphinx-needs": write_sphinx,
     "strictdoc": write_strictdoc}[fmt](items, out_dir, intro)
    sys.stderr.write(
        "gen-book: %d items (%d requirements, %d risks, %d controls, %d tests) as %s in %s "
        "[%.2f s]\n" % (n, n_req, n_risk, n_ctl, n_test, fmt, out_dir,
                        time.monotonic() - started))
    return 0


FLAGS = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0)


def write_fast(path, text):
    fd = os.open(path, FLAGS, 0o644)
    try:
        os.write(fd, text.encode("utf-8"))
    finally:
        os.close(fd)


def write_techfile(items, out_dir, intro):
    book = os.path.join(out_dir, "book")
    items_root = os.path.join(out_dir, "requirements")
    src = os.path.join(book, "src")
    os.makedirs(src, exist_ok=True)
    command = os.environ.get("TECHFILE_CMD", "mdbook-techfile")
    write(os.path.join(book, "book.toml"),
          '[book]\n'
          'title = "Benchmark technical file"\n'
          '\n'
          '[preprocessor.techfile]\n'
          'command = %s\n'
          'items = ["../requirements"]\n'
          '\n'
          '[preprocessor.techfile.severity]\n'
          'practice-not-addressed = "allow"\n'
          '\n'
          '[output.html]\n' % toml_str(command))
    write(os.path.join(src, "SUMMARY.md"),
          "# Summary\n\n[Introduction](intro.md)\n\n- [Coverage](coverage.md)\n")
    write(os.path.join(src, "intro.md"), "# Introduction\n\n" + intro)
    write(os.path.join(src, "coverage.md"),
          "# Coverage\n\n{{#techfile summary}}\n\n{{#techfile matrix}}\n")
    folders = set()
    for it in items:
        path = os.path.join(items_root, it.path)
        folder = os.path.dirname(path)
        if folder not in folders:
            os.makedirs(folder, exist_ok=True)
            folders.add(folder)
        keys = "".join("%s = %s\n" % (rel, toml_list(ids)) for rel, ids in it.links)
        if it.risk:
            keys += ('asset = "%s"\nthreat = "%s"\nexploitability = "%s"\nseverity = "%s"\n'
                     'residual-exploitability = "%s"\nresidual-severity = "%s"\n'
                     'safety-impact = false\n' % it.risk)
        if it.result:
            keys += 'result = "%s"\n' % it.result
        write_fast(path, '+++\nid = "%s"\nkind = "%s"\ntitle = "%s"\nstatus = "%s"\n'
                   'owner = "%s"\n%s+++\n%s\n' % (it.id, it.kind, it.title, it.status,
                                                 it.owner, keys, it.body))


def page_of(item_id):
    return {"REQ": "requirements", "RSK": "risks", "CTL": "controls",
            "TST": "tests"}.get(item_id.split("-")[0])


def write_floor(items, out_dir, intro):
    """The same chapters as plain Markdown: what a hand-written book of these items holds."""
    book = os.path.join(out_dir, "book")
    src = os.path.join(book, "src")
    os.makedirs(src, exist_ok=True)
    write(os.path.join(book, "book.toml"),
          '[book]\ntitle = "Benchmark technical file"\n\n[output.html]\n')
    write(os.path.join(src, "SUMMARY.md"),
          "# Summary\n\n[Introduction](intro.md)\n\n- [Coverage](coverage.md)\n"
          + "".join("- [%s](%s.md)\n" % (t, t.lower()) for _, t in KIND_TITLES))
    write(os.path.join(src, "intro.md"), "# Introduction\n\n" + intro)

    def link(i):
        page = page_of(i)
        return "[%s](%s.md#%s)" % (i, page, i.lower()) if page else i

    by_kind = {k: [] for k, _ in KIND_TITLES}
    implemented_by, verified_by = {}, {}
    for it in items:
        by_kind[it.kind].append(it)
        for rel, ids in it.links:
            if rel == "implements":
                for r in ids:
                    implemented_by.setdefault(r, []).append(it.id)
            elif rel == "verifies":
                for c in ids:
                    verified_by.setdefault(c, []).append(it.id)
    for kind, title in KIND_TITLES:
        out = ["# %s\n" % title]
        for it in by_kind[kind]:
            out.append("\n## %s %s {#%s}\n\n" % (it.id, it.title, it.id.lower()))
            out.append("Status: %s. Owner: %s.\n" % (it.status, it.owner))
            for rel, ids in it.links:
                out.append("%s: %s.\n" % (rel.capitalize(), ", ".join(link(i) for i in ids)))
            if it.risk:
                out.append("Asset: %s. Threat: %s Exploitability %s, severity %s; residual "
                           "%s, %s.\n" % it.risk)
            if it.result:
                out.append("Result: %s.\n" % it.result)
            out.append("\n%s\n" % it.body)
        write(os.path.join(src, "%s.md" % title.lower()), "".join(out))
    rows = ["# Coverage\n\n| Requirement | Controls | Tests |\n|---|---|---|\n"]
    for it in by_kind["requirement"]:
        ctls = implemented_by.get(it.id, [])
        tests = sorted({t for c in ctls for t in verified_by.get(c, [])})
        rows.append("| %s | %s | %s |\n" % (link(it.id), ", ".join(link(c) for c in ctls),
                                            ", ".join(link(t) for t in tests)))
    write(os.path.join(src, "coverage.md"), "".join(rows))


SPHINX_CONF = """project = "Benchmark technical file"
extensions = ["sphinx_needs"]
exclude_patterns = ["_build"]
html_theme = "alabaster"
needs_id_regex = r"^[A-Z0-9_-]{5,}"
needs_types = [
    {"directive": "practice", "title": "Practice", "prefix": "P-", "color": "#DDDDDD", "style": "node"},
    {"directive": "requirement", "title": "Requirement", "prefix": "REQ-", "color": "#BFD8D2", "style": "node"},
    {"directive": "risk", "title": "Risk", "prefix": "RSK-", "color": "#F6B8B8", "style": "node"},
    {"directive": "control", "title": "Control", "prefix": "CTL-", "color": "#FEDCD2", "style": "node"},
    {"directive": "test", "title": "Test", "prefix": "TST-", "color": "#DCB239", "style": "node"},
]
needs_links = {
    "derives": {"incoming": "derived by", "outgoing": "derives from"},
    "implements": {"incoming": "implemented by", "outgoing": "implements"},
    "mitigates": {"incoming": "mitigated by", "outgoing": "mitigates"},
    "verifies": {"incoming": "verified by", "outgoing": "verifies"},
}
needs_fields = {name: {"nullable": True} for name in [
    "owner", "asset", "threat", "exploitability", "severity", "residual_exploitability",
    "residual_severity", "result"]}
"""


def write_sphinx(items, out_dir, intro):
    root = os.path.join(out_dir, "sphinx")
    os.makedirs(root, exist_ok=True)
    write(os.path.join(root, "conf.py"), SPHINX_CONF)
    write(os.path.join(root, "index.rst"),
          "Benchmark technical file\n========================\n\n" + intro.replace("`", "``")
          + "\n.. toctree::\n\n   coverage\n   practices\n"
          + "".join("   %s\n" % t.lower() for _, t in KIND_TITLES))
    write(os.path.join(root, "coverage.rst"),
          "Coverage\n========\n\n.. needtable::\n   :types: requirement\n"
          "   :columns: id;title;status;implemented by;derives from\n   :style: table\n")
    write(os.path.join(root, "practices.rst"), "Practices\n=========\n\n" + "".join(
        ".. practice:: %s\n   :id: %s\n\n   MDCG 2019-16 practice %s.\n\n" % (p, p, p)
        for p in PRACTICES))
    rel_name = {"derives-from": "derives", "implements": "implements",
                "mitigates": "mitigates", "verifies": "verifies"}
    by_kind = {k: [] for k, _ in KIND_TITLES}
    for it in items:
        by_kind[it.kind].append(it)
    for kind, title in KIND_TITLES:
        out = ["%s\n%s\n\n" % (title, "=" * len(title))]
        for it in by_kind[kind]:
            out.append(".. %s:: %s\n   :id: %s\n   :status: %s\n   :owner: %s\n"
                       % (kind, it.title, it.id, it.status, it.owner))
            for rel, ids in it.links:
                out.append("   :%s: %s\n" % (rel_name[rel], ", ".join(ids)))
            if it.risk:
                out.append("   :asset: %s\n   :threat: %s\n   :exploitability: %s\n"
                           "   :severity: %s\n   :residual_exploitability: %s\n"
                           "   :residual_severity: %s\n" % it.risk)
            if it.result:
                out.append("   :result: %s\n" % it.result)
            out.append("\n%s\n\n" % "".join("   %s\n" % line for line in it.body.split("\n")))
        write(os.path.join(root, "%s.rst" % title.lower()), "".join(out))


def write_strictdoc(items, out_dir, intro):
    root = os.path.join(out_dir, "strictdoc")
    os.makedirs(root, exist_ok=True)
    fields = ["UID", "STATUS", "OWNER", "TITLE", "STATEMENT"]
    risk_fields = ["ASSET", "THREAT", "EXPLOITABILITY", "SEVERITY",
                   "RESIDUAL_EXPLOITABILITY", "RESIDUAL_SEVERITY"]

    def grammar():
        out = ["[GRAMMAR]\nELEMENTS:\n"]
        for tag in ("PRACTICE", "REQUIREMENT", "RISK", "CONTROL", "TEST"):
            names = fields[:3] + (risk_fields if tag == "RISK" else []) \
                + (["RESULT"] if tag == "TEST" else []) + fields[3:]
            out.append("- TAG: %s\n  FIELDS:\n" % tag)
            for f in names:
                out.append("  - TITLE: %s\n    TYPE: String\n    REQUIRED: %s\n"
                           % (f, "True" if f in ("UID", "TITLE") else "False"))
            out.append("  RELATIONS:\n  - TYPE: Parent\n")
        return "".join(out)

    head = grammar()
    write(os.path.join(root, "practices.sdoc"),
          "[DOCUMENT]\nTITLE: Practices\n\n" + head + "".join(
              "\n[PRACTICE]\nUID: %s\nTITLE: MDCG 2019-16 practice %s\n" % (p, p)
              for p in PRACTICES))
    by_kind = {k: [] for k, _ in KIND_TITLES}
    for it in items:
        by_kind[it.kind].append(it)
    for kind, title in KIND_TITLES:
        tag = kind.upper()
        out = ["[DOCUMENT]\nTITLE: %s\n\n" % title, head]
        for it in by_kind[kind]:
            out.append("\n[%s]\nUID: %s\nSTATUS: %s\nOWNER: %s\n" % (tag, it.id, it.status,
                                                                   it.owner))
            if it.risk:
                out.append("ASSET: %s\nTHREAT: %s\nEXPLOITABILITY: %s\nSEVERITY: %s\n"
                           "RESIDUAL_EXPLOITABILITY: %s\nRESIDUAL_SEVERITY: %s\n" % it.risk)
            if it.result:
                out.append("RESULT: %s\n" % it.result)
            out.append("TITLE: %s\nSTATEMENT: >>>\n%s\n<<<\n" % (it.title, it.body))
            parents = [i for _, ids in it.links for i in ids]
            if parents:
                out.append("RELATIONS:\n" + "".join(
                    "- TYPE: Parent\n  VALUE: %s\n" % p for p in parents))
        write(os.path.join(root, "%s.sdoc" % title.lower()), "".join(out))


def write(path, text):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
