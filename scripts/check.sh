#!/usr/bin/env bash
# Checks an operator relies on that are not unit tests: the unit's hardening score.
set -euo pipefail
cd "$(dirname "$0")/.."
limit=1.5
out=$(systemd-analyze security --offline=yes systemd/mimamorid.service 2>&1)
score=$(printf '%s\n' "$out" | sed -n 's/.*Overall exposure level for mimamorid.service: \([0-9.]*\).*/\1/p')
[ -n "$score" ] || { printf '%s\n' "$out" >&2; echo "check: could not read the exposure level" >&2; exit 1; }
printf '%s\n' "$out" | grep '✗' || true
echo "check: systemd-analyze security exposure $score (limit $limit)"
awk -v s="$score" -v l="$limit" 'BEGIN { exit !(s <= l) }' || { echo "check: exposure $score is above $limit" >&2; exit 1; }
