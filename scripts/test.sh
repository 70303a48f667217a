#!/usr/bin/env bash
# Runs every test of the solution and prints the totals as the last line:
#   N passed, N failed, N skipped
# Works on a fresh machine with the .NET SDK: restores packages itself. Python 3 is used by
# interop tests (stdlib only). PostgreSQL tests start their own throwaway server when none is configured.
set -uo pipefail
cd "$(dirname "$0")/.."
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

log=$(mktemp)
dotnet build CiafMetadata.slnx -c Release 2>&1 | tee "$log" | grep -E "error|Warn|Elapsed" || true
if ! grep -q "Build succeeded" "$log"; then
  echo "build failed"
  echo "0 passed, 1 failed, 0 skipped"
  exit 1
fi

dotnet test CiafMetadata.slnx -c Release --no-build "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

python3 - "$log" "$status" <<'PY'
import re, sys
text = open(sys.argv[1], encoding="utf-8", errors="replace").read()
passed = failed = skipped = 0
# one summary line per test assembly: "Passed!  - Failed: 0, Passed: 857, Skipped: 0, Total: 857, ..."
for m in re.finditer(r"(?:Passed|Failed)!\s+-\s+Failed:\s+(\d+),\s+Passed:\s+(\d+),\s+Skipped:\s+(\d+)", text):
    failed += int(m.group(1)); passed += int(m.group(2)); skipped += int(m.group(3))
status = int(sys.argv[2])
if status != 0 and failed == 0:
    failed = 1  # the runner failed without a test failing (crash, no tests found): never report green
print(f"{passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed or status else 0)
PY
