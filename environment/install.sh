#!/usr/bin/env bash
# Debian packages the test suite needs beyond the .NET SDK (run as root, or with sudo):
#   chromium          headless browser: the report tests open every HTML report and check that each chart rendered;
#                     p2pflex figures / --pdf drive it (DevTools protocol) to render SVG/PNG/PDF
#   fonts-liberation  Liberation Sans (metrics of Arial): the standard font of exported figures, embedded in their PDFs
#   poppler-utils     pdftotext/pdfinfo/pdftoppm: the figure and report PDF tests read the PDFs back
#   python3-nbformat  the reference nbformat 4 schema validator for the executed notebooks
#   python3-jupyter-kernel-test, python3-jupyter-client, jupyter-nbconvert, python3-nbclient
#                     Jupyter's own conformance suite and 'nbconvert --execute' against the P2PFlex C# kernel
#                     (tests/P2PFlex.Kernel.Tests, tests/kernel/); nbclient also runs the notebooks through the official
#                     .NET Interactive kernel, whose tool the tests restore themselves (dotnet tool restore)
# Idempotent: does nothing when everything is installed already.
set -euo pipefail
packages=(chromium fonts-liberation poppler-utils python3-nbformat python3-jupyter-kernel-test python3-jupyter-client jupyter-nbconvert python3-nbclient)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "environment: all Debian packages present (${packages[*]})"
  exit 0
fi
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "environment: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "environment: installed ${missing[*]}"
