#!/usr/bin/env bash
# Coverage-guided fuzzing of the MATPOWER reader (and what powerflow --json does after it) with SharpFuzz + AFL++.
# Usage: tools/fuzz/run.sh [SECONDS]   (default 300). Not part of CI. Findings go to tools/fuzz/findings/
# (crashes/ holds inputs that raised anything but MatpowerFormatException; replay them with
#  dotnet tools/fuzz/bin/Release/net10.0/P2PFlex.Fuzz.dll --replay tools/fuzz/findings/default/crashes/id*).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
seconds="${1:-300}"

# AFL++ from Debian; SharpFuzz's instrumenter as a dotnet tool in a local folder.
command -v afl-fuzz >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq afl++; }
if [ ! -x "$here/.tools/sharpfuzz" ]; then
  dotnet tool install SharpFuzz.CommandLine --version 2.3.0 --tool-path "$here/.tools" >/dev/null
fi

dotnet build -c Release "$here/P2PFlex.Fuzz.csproj" -o "$here/bin/Release/net10.0" >/dev/null
# Instrument the library under test (only it: the fuzz target's coverage is the reader's and the power flow's).
"$here/.tools/sharpfuzz" "$here/bin/Release/net10.0/P2PFlex.Core.dll"

# Seeds: the small published MATPOWER cases beside the repository (their unit-conversion statements and expressions
# exercise the interpreter; AFL++ works best on inputs of a few kB), else the shipped ones (data blocks only).
published=""; d="$repo"
while [ "$d" != "/" ]; do
  if [ -d "$d/shared/data/matpower" ]; then published="$d/shared/data/matpower"; break; fi
  d="$(dirname "$d")"
done
rm -rf "$here/corpus" && mkdir -p "$here/corpus"
for c in case4_dist case22 case33bw case69; do
  if [ -n "$published" ] && [ -f "$published/$c.m" ]; then cp "$published/$c.m" "$here/corpus/"; else cp "$repo/data/cases/$c.m" "$here/corpus/"; fi
done

# AFL_SKIP_BIN_CHECK: `dotnet` itself carries no AFL instrumentation; the instrumented code is in P2PFlex.Core.dll.
export AFL_SKIP_BIN_CHECK=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1
# -t: ms per input (a .NET start-up is not counted: SharpFuzz keeps one process); -m none: the CLR needs its memory.
rm -rf "$here/findings"
echo "fuzzing for $seconds s (log: tools/fuzz/afl.log)"
timeout --signal=INT "$seconds" afl-fuzz -i "$here/corpus" -o "$here/findings" -t 5000 -m none \
  -- dotnet "$here/bin/Release/net10.0/P2PFlex.Fuzz.dll" > "$here/afl.log" 2>&1 || true

stats="$here/findings/default/fuzzer_stats"
if [ -f "$stats" ]; then
  grep -E "^(run_time|execs_done|execs_per_sec|corpus_count|saved_crashes|saved_hangs|bitmap_cvg)" "$stats"
fi
ls "$here/findings/default/crashes" 2>/dev/null | grep -v README || echo "no crashes"
