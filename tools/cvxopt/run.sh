#!/usr/bin/env bash
# The cvxopt comparison of the scenario-3 W re-solve in one command (docs/performance.md, "against cvxopt").
# Usage: tools/cvxopt/run.sh [--rounds R] [--runs N] [--warmup-calls W]   (defaults 5, 30, 2000)
# Installs Debian's python3-cvxopt when it is missing (needs root or sudo), builds the CLI once in Release, exports
# scenario 3-theta80 (the one the bench re-solves) with the built binary, then qp_compare.py checks cvxopt's answer
# against the export and times both sides in R alternating rounds: N cvxopt solves, and one bench process of the
# built binary (W untimed re-solves to reach steady state, then N timed). It prints each side's median with the range
# of round medians, the ratio, and the machine's load average before each round. Not part of CI: a benchmark, whose
# numbers depend on the machine and its load; run it on a quiet machine.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds|--runs|--warmup-calls)
      [ $# -ge 2 ] || { echo "usage: tools/cvxopt/run.sh [--rounds R] [--runs N] [--warmup-calls W]" >&2; exit 2; }
      args+=("$1" "$2"); shift 2 ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "usage: tools/cvxopt/run.sh [--rounds R] [--runs N] [--warmup-calls W]" >&2; exit 2 ;;
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
echo "building the CLI (Release) once" >&2
dotnet build src/P2PFlex.Cli -c Release -nologo -v quiet >/dev/null
p2pflex="dotnet $repo/src/P2PFlex.Cli/bin/Release/net10.0/p2pflex.dll"
$p2pflex scenarios export 3-theta80 "$out/3-theta80" >/dev/null
echo "machine: $(nproc) logical CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
/usr/bin/python3 "$here/qp_compare.py" "$out/3-theta80" --p2pflex "$p2pflex" "${args[@]}"
