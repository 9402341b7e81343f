#!/usr/bin/env bash
# P2PFlex's AC power flow against MATPOWER's newtonpf under GNU Octave (docs/performance.md, "against MATPOWER").
# Usage: tools/matpower/run.sh --matpower DIR [--cases case69,case141,case533mt_hi] [--rounds R] [--runs N]
#        (or MATPOWER_DIR=DIR tools/matpower/run.sh …)
# DIR is your MATPOWER folder (lib/, mips/lib/, mp-opt-model/lib/, mptest/lib/); the repository holds no MATPOWER code.
# Installs Debian's octave when octave-cli is missing (needs root or sudo; a large install), builds the CLI once in
# Release and runs acpf_compare.py: alternating rounds of newtonpf (newtonpf_time.m) and of the built binary's
# `bench --only acpf-<case>` at steady state; prints both medians with their range, the ratio, the machine's load and
# how far apart the two solutions are. Not part of CI: a benchmark; run it on a quiet machine.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
if [ "${1:-}" = "-h" ] || [ "${1:-}" = "--help" ]; then sed -n '2,9p' "$0"; exit 0; fi

if ! command -v octave-cli >/dev/null; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "matpower: installing Debian's octave"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends octave >/dev/null
fi

cd "$repo"
echo "building the CLI (Release) once" >&2
dotnet build src/P2PFlex.Cli -c Release -nologo -v quiet >/dev/null
echo "machine: $(nproc) logical CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1), $(octave-cli --version | head -n 1)"
/usr/bin/python3 "$here/acpf_compare.py" --p2pflex "dotnet $repo/src/P2PFlex.Cli/bin/Release/net10.0/p2pflex.dll" "$@"
