#!/usr/bin/env bash
# Soak test of the FUSE mount: 32 readers check every byte they read while the server is stopped with SIGTERM and
# restarted, cycle after cycle, over several corpus images; no mount may be left behind and the server's memory
# must stay flat. CI runs the same test for 20 seconds; this runs it for as long as you ask.
#   scripts/soak.sh [SECONDS] [CYCLE_SECONDS]     (default: 600 s, cycles of 60 s; needs root and /dev/fuse)
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
seconds="${1:-600}" cycle="${2:-60}"
case "$seconds$cycle" in *[!0-9]*) echo "soak: SECONDS and CYCLE_SECONDS are whole numbers" >&2; exit 2 ;; esac
[ "$(id -u)" -eq 0 ] || { echo "soak: needs root (mounts)" >&2; exit 1; }
report="$(mktemp /tmp/erofs-soak.XXXXXX)"
trap 'rm -f "$report"' EXIT
dotnet build tests/Erofs.Accel.Mount.Tests -c Release --nologo -v quiet "-clp:ErrorsOnly;NoSummary"
status=0
EROFS_SOAK_SECONDS="$seconds" EROFS_SOAK_CYCLE_SECONDS="$cycle" EROFS_SOAK_REPORT="$report" \
  dotnet test tests/Erofs.Accel.Mount.Tests -c Release --no-build --nologo \
  --filter "FullyQualifiedName~SoakTests" || status=$?
cat "$report" 2>/dev/null || true
exit "$status"
