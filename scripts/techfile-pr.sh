#!/usr/bin/env bash
# The pull-request check of the technical file, as CI runs it (.github/workflows/techfile-pr.yml
# calls this script; GitLab CI can too, see README.md). Run it at the root of a checkout with
# full history (actions/checkout `fetch-depth: 0`):
#
#   1. `check --format github`: annotations for the findings of the pull request's version;
#   2. `diff --merge-base` against the base branch: the Markdown report is appended to the job
#      summary ($GITHUB_STEP_SUMMARY, when set) and, with the JSON report, written to
#      $TECHFILE_OUT for an artifact (or a merge-request comment).
#
# Exit status: that of `diff`, so the job fails exactly when the gate is hit (1), or when the
# tool could not run (2). `check` failing on errors the base already had does not fail the job.
#
# Environment:
#   TECHFILE_BASE  the base revision (default: origin/$GITHUB_BASE_REF, else origin/main)
#   TECHFILE_BOOK  the folder holding book.toml (default: book)
#   TECHFILE_OUT   where the reports go (default: techfile-report)
#   TECHFILE_ARGS  extra arguments for `diff` (for example `--fail-on new-errors`)
#   TECHFILE_FORMAT  `github` (default) or `gitlab`: the annotation format of step 1
set -euo pipefail

base="${TECHFILE_BASE:-origin/${GITHUB_BASE_REF:-main}}"
book="${TECHFILE_BOOK:-book}"
out="${TECHFILE_OUT:-techfile-report}"
format="${TECHFILE_FORMAT:-github}"
mkdir -p "$out"

if ! command -v mdbook-techfile >/dev/null; then
    echo "mdbook-techfile is not on PATH: install it with \`cargo install --locked --path plugin\`" >&2
    exit 2
fi

check_status=0
if [ "$format" = gitlab ]; then
    mdbook-techfile check "$book" --format gitlab > "$out/gl-code-quality-report.json" || check_status=$?
else
    mdbook-techfile check "$book" --format github || check_status=$?
fi
if [ "$check_status" -gt 1 ]; then
    echo "mdbook-techfile check could not run (exit $check_status)" >&2
    exit "$check_status"
fi

diff_status=0
# shellcheck disable=SC2086 # TECHFILE_ARGS is a list of words on purpose.
mdbook-techfile diff "$base" --merge-base --book "$book" --format markdown \
    --json-output "$out/techfile-diff.json" ${TECHFILE_ARGS:-} > "$out/techfile-diff.md" || diff_status=$?
if [ "$diff_status" -gt 1 ]; then
    exit "$diff_status"
fi
if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
    cat "$out/techfile-diff.md" >> "$GITHUB_STEP_SUMMARY"
else
    cat "$out/techfile-diff.md"
fi
exit "$diff_status"
