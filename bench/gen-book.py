#!/usr/bin/env python3
"""Generate a synthetic mdBook technical file for benchmarking mdbook-techfile.

Usage: bench/gen-book.py N OUT_DIR

Writes OUT_DIR/book (book.toml, src/) and OUT_DIR/requirements/<kind>/<bucket>/<ID>.md
with N items split 30% requirements, 15% risks, 30% controls and 25% tests (the tests
take the rounding remainder). The output depends only on N: the RNG has a fixed seed
and nothing time-dependent is written. The trace is complete, so `mdbook-techfile
check` reports a clean book: every requirement is implemented, every risk estimated and
mitigated, every control verified.

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


def main(argv):
    if len(argv) != 3 or not argv[1].isdigit():
        sys.stderr.write("usage: gen-book.py N OUT_DIR\n")
        return 2
    n = int(argv[1])
    if n < 4:
        sys.stderr.write("gen-book: N must be at least 4 (one item of each kind)\n")
        return 2
    out_dir = argv[2]
    started = time.monotonic()

    n_req, n_risk, n_ctl, n_test = counts(n)
    if max(n_req, n_risk, n_ctl, n_test) > MAX_PER_KIND:
        sys.stderr.write("gen-book: N too large for six-digit IDs\n")
        return 2

    book = os.path.join(out_dir, "book")
    items_root = os.path.join(out_dir, "requirements")
    for d in (book, items_root):
        if os.path.isdir(d) and os.listdir(d):
            sys.stderr.write("gen-book: %s already exists and is not empty\n" % d)
            return 1

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

    # --- book ---------------------------------------------------------------------
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
    write(os.path.join(src, "intro.md"),
          "# Introduction\n\n"
          "This is a generated technical file used to benchmark `mdbook-techfile`. "
          "It holds %d requirements, %d risks, %d controls and %d tests with a "
          "complete trace between them.\n" % (n_req, n_risk, n_ctl, n_test))
    write(os.path.join(src, "coverage.md"),
          "# Coverage\n\n{{#techfile summary}}\n\n{{#techfile matrix}}\n")

    # --- items --------------------------------------------------------------------
    # Titles and sentences come from pools built once with the seeded RNG; each item
    # then draws all its choices from one getrandbits() call. This keeps 100,000 items
    # to a few seconds, most of it spent creating files.
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
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0)

    def ident(prefix, i):
        return "%s-%06d" % (prefix, i + 1)

    def emit(kind, prefix, i, extra_keys, folders):
        num = i + 1
        bucket = num // BUCKET
        folder = folders.get(bucket)
        if folder is None:
            folder = os.path.join(items_root, kind, "%03d" % bucket)
            os.makedirs(folder, exist_ok=True)
            folders[bucket] = folder
        r = getrandbits(96)
        lines = 3 + ((r >> 8) & 3)  # 3..6 body lines
        body = "\n".join(sentences[(r >> (24 + 12 * k)) & 4095] for k in range(lines))
        text = ('+++\nid = "%s-%06d"\nkind = "%s"\ntitle = "%s"\nstatus = "%s"\n'
                'owner = "%s"\n%s+++\n%s\n' % (
                    prefix, num, kind, titles[r & 255], STATUSES[((r >> 10) & 63) % n_status],
                    OWNERS[((r >> 16) & 255) % n_owner], extra_keys, body))
        fd = os.open("%s/%s-%06d.md" % (folder, prefix, num), flags, 0o644)
        try:
            os.write(fd, text.encode("utf-8"))
        finally:
            os.close(fd)

    os.makedirs(items_root, exist_ok=True)
    folders = {}
    for i in range(n_req):
        derives = [PRACTICES[i % len(PRACTICES)]]
        if i > 0 and rng.random() < 0.2:
            derives.append(ident("REQ", rng.randrange(i)))  # earlier only: no cycles
        emit("requirement", "REQ", i, "derives-from = %s\n" % toml_list(derives), folders)
    folders = {}
    for i in range(n_risk):
        # Risks in review or approved must carry their estimates; a fixed rotation keeps
        # the output independent of the RNG and every residual level tolerable.
        e, s, re_, rs = ESTIMATES[i % len(ESTIMATES)]
        keys = ('asset = "%s"\nthreat = "%s"\nexploitability = "%s"\nseverity = "%s"\n'
                'residual-exploitability = "%s"\nresidual-severity = "%s"\n'
                'safety-impact = false\n' % (
                    NOUNS[i % len(NOUNS)], "An attacker misuses the %s." % NOUNS[i % len(NOUNS)],
                    e, s, re_, rs))
        emit("risk", "RSK", i, keys, folders)
    folders = {}
    for i in range(n_ctl):
        keys = "implements = %s\n" % toml_list(ident("REQ", r) for r in implements[i])
        if mitigates[i]:
            keys += "mitigates = %s\n" % toml_list(ident("RSK", r) for r in mitigates[i])
        emit("control", "CTL", i, keys, folders)
    folders = {}
    for i in range(n_test):
        keys = "verifies = %s\n" % toml_list(ident("CTL", c) for c in verifies[i])
        emit("test", "TST", i, keys + 'result = "pass"\n', folders)

    sys.stderr.write(
        "gen-book: %d items (%d requirements, %d risks, %d controls, %d tests) in %s "
        "[%.2f s]\n" % (n, n_req, n_risk, n_ctl, n_test, out_dir,
                        time.monotonic() - started))
    return 0


def write(path, text):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
