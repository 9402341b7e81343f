#!/usr/bin/env bash
# Makes the two packages the notebooks' first cell asks for in the official .NET Interactive kernel
# (#r "nuget: P2PFlex, <version>", #r "nuget: P2PFlex.Display, <version>"; docs/notebooks.md) from this clone's code and
# puts them into NuGet's global packages folder (~/.nuget/packages, or $NUGET_PACKAGES), where every restore finds
# them: a notebook's first cell then works in any folder, with no path to the clone and no package source to add.
# Run it as the user who runs Jupyter / VS Code (not with sudo), once, and again after changing the library.
#
# NuGet's global packages folder never replaces a version it holds, so this script removes that version of both
# packages first: a kernel started afterwards loads the code just built (restart running kernels).
#
# usage: environment/notebook-packages.sh [--no-build]    (--no-build: pack the existing Debug build)
set -euo pipefail
cd "$(dirname "$0")/.."
build=()
[ "${1:-}" = "--no-build" ] && build=(--no-build)

version=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' Directory.Build.props | head -n 1)
[ -n "$version" ] || { echo "notebook-packages: no <Version> in Directory.Build.props" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/p2pflex-notebook-packages.XXXXXX")
trap 'rm -rf "$work"' EXIT

# Debug, the configuration of `dotnet build`, so the CLI's build the package names (for the chart pictures) is found
dotnet pack src/P2PFlex.Display -c Debug -o "$work/source" "${build[@]}" -nologo -v quiet
dotnet pack src/P2PFlex -c Debug -o "$work/source" --no-build -nologo -v quiet

packages=$(dotnet nuget locals global-packages --list | sed -n 's/^global-packages: *//p')
[ -n "$packages" ] || { echo "notebook-packages: cannot find NuGet's global packages folder" >&2; exit 1; }
rm -rf "$packages/p2pflex/$version" "$packages/p2pflex.display/$version"

# A throw-away project that references both: its restore extracts them into the global packages folder. The folder
# with the two packages is a source beside the machine's own (which serve their dependencies).
mkdir -p "$work/probe"
cat > "$work/probe/nuget.config" <<EOF
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="p2pflex-notebook-packages" value="$work/source" />
  </packageSources>
</configuration>
EOF
cat > "$work/probe/probe.csproj" <<EOF
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>net10.0</TargetFramework>
    <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="P2PFlex" Version="[$version]" />
    <PackageReference Include="P2PFlex.Display" Version="[$version]" />
  </ItemGroup>
</Project>
EOF
dotnet restore "$work/probe/probe.csproj" -nologo -v quiet
for id in p2pflex p2pflex.display; do
  [ -f "$packages/$id/$version/$id.nuspec" ] || { echo "notebook-packages: $id $version did not reach $packages" >&2; exit 1; }
done
echo "notebook-packages: P2PFlex $version and P2PFlex.Display $version from $(pwd) are in $packages"
