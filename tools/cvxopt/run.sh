#!/usr/bin/env bash
# The cvxopt comparison of the scenario-3 W re-solve in one command (docs/performance.md, "against cvxopt").
# Usage: tools/cvxopt/run.sh [--runs N]   (default: 30 timed cvxopt solves).
# Installs Debian's python3-cvxopt when it is missing (needs root or sudo), builds the CLI in Release, exports the
# scenario 3-theta80 (the one the bench re-solves) to a temporary folder, and runs qp_compare.py, which solves the export's QP with cvxopt, checks its answer
# against the export, and times P2PFlex's re-solve with `p2pflex bench --only scenario3-resolve-w`. Not part of CI:
# a benchmark, whose numbers depend on the machine and its load; run it on a quiet machine.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
runs=30
scenario=3-theta80
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
    *) echo "usage: tools/cvxopt/run.sh [--runs N]" >&2; exit 2 ;;
  esac
done

if ! /usr/bin/python3 -c 'import cvxopt' 2>/dev/null; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "cvxopt: installing Debian's python3-cvxopt"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends python3-cvxopt >/dev/null
fi

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
cd "$repo"
dotnet build src/P2PFlex.Cli -c Release -nologo -v quiet >/dev/null
dotnet run --no-build -c Release --project src/P2PFlex.Cli -- scenarios export "$scenario" "$out/$scenario" >/dev/null
/usr/bin/python3 "$here/qp_compare.py" "$out/$scenario" --runs "$runs"
