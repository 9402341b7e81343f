#!/usr/bin/env bash
# Before/after speed of two commits of P2PFlex, measured back to back on this machine (issue 23's table).
# Usage: tools/bench/compare.sh [--old REV] [--new REV] [--rounds R] [--skip NAME,…] [--cvxopt]
#        (defaults: --old d3570c4 --new main --rounds 3)
# Checks both revisions out into temporary worktrees, builds the CLI of each once in Release, then runs every
# measurement in R rounds that alternate the two builds (old first in odd rounds, new first in even ones, so a change
# of the machine's load hits both alike) and prints per measurement both medians over rounds with their range, the
# ratio old/new and the one-minute load average before each round. Measurements (names for --skip):
#   resolve-w     `bench --only scenario3-resolve-w` at steady state (2000 warm-up calls): the W re-solve, ms
#   acpf-case69   `bench --only acpf-case69` at steady state (2000 warm-up calls): the AC power flow, ms
#   mc533         CPU seconds (user + sys) of one case533mt_hi Monte Carlo draw of all shipped scenario files on one
#                 core: (CPU of 3 draws − CPU of 1 draw) / 2, so process start and feeder loading cancel out
#   reproduce     wall seconds of a warm `reproduce --out DIR` (the second of two runs; the first warms the caches)
# With --cvxopt, also runs tools/cvxopt/qp_compare.py once per build (the W re-solve against cvxopt; needs
# python3-cvxopt). Not part of CI: a benchmark, whose numbers depend on the machine and its load; run it quietly.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
old=d3570c4 new=main rounds=3 skip="" cvx=0
usage() { sed -n '2,17p' "$0"; }
while [ $# -gt 0 ]; do
  case "$1" in
    --old) old="$2"; shift 2 ;;
    --new) new="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --skip) skip="$2"; shift 2 ;;
    --cvxopt) cvx=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
done

work="$(mktemp -d "${TMPDIR:-/tmp}/p2pflex-compare-XXXXXX")"
cleanup() {
  for side in old new; do git -C "$repo" worktree remove --force "$work/$side" >/dev/null 2>&1 || true; done
  rm -rf "$work"
}
trap cleanup EXIT
for side in old new; do
  rev="$old"; [ "$side" = new ] && rev="$new"
  git -C "$repo" worktree add --detach "$work/$side" "$rev" >/dev/null 2>&1
  echo "$side: $rev = $(git -C "$work/$side" log -1 --format='%h %cd' --date=iso)" >&2
  echo "building $side (Release) …" >&2
  (cd "$work/$side" && dotnet build src/P2PFlex.Cli -c Release -nologo -v quiet >/dev/null)
done
echo "machine: $(nproc) logical CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
args=(--old "$work/old" --new "$work/new" --rounds "$rounds" --skip "$skip" --label-old "$old" --label-new "$new")
[ "$cvx" = 1 ] && args+=(--cvxopt "$repo/tools/cvxopt/qp_compare.py")
/usr/bin/python3 "$here/compare.py" "${args[@]}"
