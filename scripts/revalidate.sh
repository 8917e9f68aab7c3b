#!/usr/bin/env bash
# Revalidates a technical file against downloaded advisories and reports the result where
# the scheduled job shows it: the Markdown report in the job summary, the Markdown and
# JSON reports as files (the job uploads them as an artifact), annotations, and one issue
# that is opened, or updated, while there are findings.
#
#   scripts/revalidate.sh BOOK_DIR ADVISORY_DIR OUT_DIR [--today YYYY-MM-DD]
#
# Environment:
#   TECHFILE_BIN          the binary (default: mdbook-techfile on PATH)
#   GITHUB_STEP_SUMMARY   where the job summary goes (set by GitHub Actions)
#   TECHFILE_ISSUE        1: open or update the issue with `gh` (default: 1 under GitHub
#                         Actions, else 0)
#   GH                    the gh command (default: gh); tests point it at a stub
#   TECHFILE_ISSUE_LABEL  the issue's label (default: techfile-revalidation)
#
# Exit status: that of `mdbook-techfile revalidate` (0 clean, 1 findings at error level,
# 2 usage error), after every report is written.
set -euo pipefail
if [ "$#" -lt 3 ]; then
    echo "usage: $0 BOOK_DIR ADVISORY_DIR OUT_DIR [--today YYYY-MM-DD]" >&2
    exit 2
fi
book="$1"
advisories="$2"
out="$3"
shift 3
bin="${TECHFILE_BIN:-mdbook-techfile}"
gh="${GH:-gh}"
label="${TECHFILE_ISSUE_LABEL:-techfile-revalidation}"
issue="${TECHFILE_ISSUE:-$([ -n "${GITHUB_ACTIONS:-}" ] && echo 1 || echo 0)}"
mkdir -p "$out"

status=0
"$bin" revalidate "$book" --advisories "$advisories" "$@" --format json >"$out/report.json" || status=$?
if [ "$status" -ge 2 ]; then
    echo "revalidate: mdbook-techfile stopped with a usage error (exit $status)" >&2
    exit "$status"
fi
"$bin" revalidate "$book" --advisories "$advisories" "$@" --format markdown >"$out/report.md" 2>/dev/null || true
if [ -n "${GITHUB_ACTIONS:-}" ]; then
    # At most 10 annotations per level are shown; the report has the rest.
    "$bin" revalidate "$book" --advisories "$advisories" "$@" --format github 2>/dev/null || true
fi

# GitHub refuses a step summary over 1 MiB; the report is cut well below it.
summary_limit=$((1000 * 1000))
if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
    head -c "$summary_limit" "$out/report.md" >>"$GITHUB_STEP_SUMMARY"
    if [ "$(wc -c <"$out/report.md")" -gt "$summary_limit" ]; then
        printf '\n\n… the report is cut here; the artifact holds all of it.\n' >>"$GITHUB_STEP_SUMMARY"
    fi
fi

# Counts from the JSON report (no jq needed: the fields are on lines of their own).
count() { sed -n "s/^    \"$1\": \([0-9]*\),\{0,1\}$/\1/p" "$out/report.json" | head -n 1; }
errors="$(count errors)"
warnings="$(count warnings)"
today="$(sed -n 's/^  "today": "\([0-9-]*\)",$/\1/p' "$out/report.json")"
echo "revalidate: $today: ${errors:-?} errors, ${warnings:-?} warnings" >&2

if [ "$issue" = 1 ] && [ "$((${errors:-0} + ${warnings:-0}))" -gt 0 ]; then
    # An issue body holds at most 65,536 characters; the Markdown report is cut to fit.
    body="$out/issue.md"
    {
        printf 'The scheduled revalidation of %s on %s found %s errors and %s warnings.\n\n' \
            "$book" "$today" "$errors" "$warnings"
        if [ -n "${GITHUB_SERVER_URL:-}" ] && [ -n "${GITHUB_RUN_ID:-}" ]; then
            printf 'Run and reports: %s/%s/actions/runs/%s\n\n' \
                "$GITHUB_SERVER_URL" "${GITHUB_REPOSITORY:-}" "$GITHUB_RUN_ID"
        fi
        head -c 60000 "$out/report.md"
    } >"$body"
    title="techfile revalidation: findings in $book"
    "$gh" label create "$label" --color B60205 \
        --description "Findings of the scheduled techfile revalidation" --force >/dev/null
    number="$("$gh" issue list --label "$label" --state open --json number --jq '.[0].number')"
    if [ -n "$number" ]; then
        "$gh" issue edit "$number" --title "$title" --body-file "$body" >/dev/null
        echo "revalidate: updated issue #$number" >&2
    else
        "$gh" issue create --title "$title" --label "$label" --body-file "$body" >/dev/null
        echo "revalidate: opened an issue" >&2
    fi
fi
exit "$status"
