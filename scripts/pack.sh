#!/usr/bin/env bash
# Packs every packable project (the libraries and the erofs-accel dotnet tool) into artifacts/packages, with a
# version of its own for each run (so no NuGet cache can hand back an older build), and with --check builds and runs
# samples/PackageConsumer against those .nupkg files (not project references) on a corpus image.
#   scripts/pack.sh [--no-build] [--check] [--version V]
# RepositoryUrl/PackageProjectUrl: taken from `git remote get-url origin` when the clone has one ($EROFS_ACCEL_REPOSITORY_URL
# overrides), never made up.
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
build=(); check=0; version="0.1.0-ci.$(date -u +%Y%m%d%H%M%S)"
while [ $# -gt 0 ]; do
  case "$1" in
    --no-build) build=(--no-build --no-restore) ;;
    --check) check=1 ;;
    --version) version="$2"; shift ;;
    *) echo "usage: scripts/pack.sh [--no-build] [--check] [--version V]" >&2; exit 2 ;;
  esac
  shift
done
url="${EROFS_ACCEL_REPOSITORY_URL:-$(git remote get-url origin 2>/dev/null || true)}"
props=(-p:PackageVersion="$version")
[ -n "$url" ] && props+=(-p:RepositoryUrl="$url")
out=artifacts/packages
rm -rf "$out"
dotnet pack Erofs.Accel.sln -c Release "${build[@]}" --nologo -v quiet "-clp:ErrorsOnly;NoSummary" "${props[@]}" -o "$out"
echo "packed $version: $(cd "$out" && ls *.nupkg | sed "s/\.$version\.nupkg//" | tr '\n' ' ')"
[ "$check" = 1 ] || exit 0

corpus="${EROFS_ACCEL_CORPUS:-../shared/corpus}"
if [ ! -f "$corpus/multi-alg.erofs" ]; then
  echo "package consumer: skipped ($corpus/multi-alg.erofs not found)"
  exit 0
fi
consumer=samples/PackageConsumer
# the packages of this run go into the global packages folder under their own version: remove them afterwards
globals="${NUGET_PACKAGES:-$(dotnet nuget locals global-packages --list | sed 's/^[^:]*: //')}"
cleanup() {
  for p in "$out"/*.nupkg; do
    n=$(basename "$p" ".$version.nupkg")
    rm -rf "${globals%/}/${n,,}/$version"
    rmdir --ignore-fail-on-non-empty "${globals%/}/${n,,}" 2>/dev/null || true
  done
}
trap cleanup EXIT
dotnet build "$consumer" -c Release --nologo -v quiet "-clp:ErrorsOnly;NoSummary" -p:ErofsAccelVersion="$version" -o artifacts/consumer
dotnet artifacts/consumer/PackageConsumer.dll "$corpus/multi-alg.erofs" "$corpus/multi-alg.manifest"
