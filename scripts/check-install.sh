#!/usr/bin/env bash
# Installs the packages in artifacts/ the way a user would, outside this repository (so none of its build
# settings apply): a fresh console project referencing Ciaf.Metadata runs the README's first snippet, and the
# Ciaf.Cli tool, installed into a tool path, prints its version and runs the demo, list and trace in an empty
# folder with no options. Needs `dotnet pack CiafMetadata.slnx -c Release -o artifacts` first.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
artifacts=$(cd "${1:-$repo/artifacts}" && pwd)
version=$(sed -n 's:.*<VersionPrefix>\(.*\)</VersionPrefix>.*:\1:p' Directory.Build.props)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Runs a step quietly; on failure shows the end of its output.
quiet() { "$@" >"$work/step.log" 2>&1 || { tail -30 "$work/step.log"; echo "failed: $*"; return 1; }; }

# The global package cache keeps a package by id and version: drop our own so this run installs what was just packed.
cache=$(dotnet nuget locals global-packages --list | sed 's/^global-packages: //')
for id in ciaf.metadata ciaf.metadata.postgresql ciaf.cli; do rm -rf "${cache:?}/$id/$version"; done

# Our packages from artifacts/, everything else from the feeds already configured for this user.
cat > "$work/nuget.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="ciaf-artifacts" value="$artifacts" />
  </packageSources>
</configuration>
XML

echo "fresh console project + Ciaf.Metadata $version: the README's first snippet"
mkdir "$work/app"
cd "$work/app"
quiet dotnet new console --framework net10.0
quiet dotnet add package Ciaf.Metadata --version "$version"
# The first ```csharp block of the README, as the whole program.
python3 - "$repo/README.md" "$work/app/Program.cs" <<'PY'
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
open(sys.argv[2], "w", encoding="utf-8").write(re.search(r"```csharp\n(.*?)```", text, re.S).group(1))
PY
quiet dotnet run
test -f "$work/app/my_project_metadata/ciaf_metadata.db" || { echo "the snippet made no SQLite store"; exit 1; }

echo "dotnet tool install Ciaf.Cli $version: ciaf --version, then demo, list and trace in an empty folder"
quiet dotnet tool install --tool-path "$work/tools" --add-source "$artifacts" --version "$version" Ciaf.Cli
ciaf="$work/tools/ciaf"
"$ciaf" --version | tee "$work/version.txt"
grep -q "^ciaf $version" "$work/version.txt" || { echo "ciaf --version does not print $version"; exit 1; }
mkdir "$work/empty"
cd "$work/empty"
quiet "$ciaf" demo --rows 1000 --batches 1 --batch-size 100
quiet "$ciaf" list --limit 3
quiet "$ciaf" trace credit_scoring_demo
echo "install checks passed"
