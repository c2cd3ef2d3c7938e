#!/usr/bin/env bash
# Installs the Debian packages erofs-accel needs at run time (and, with --test, what the tests need).
# Idempotent: asks apt only for packages that are missing. Needs root (or sudo) when something is missing.
set -euo pipefail
runtime=(libdeflate0 liblzma5 libzstd1 liblz4-1 fuse3)
testing=(python3 attr acl cmake gcc make pocl-opencl-icd ocl-icd-libopencl1 clinfo erofs-utils squashfs-tools squashfuse fio bc)
want=("${runtime[@]}")
[ "${1:-}" = "--test" ] && want+=("${testing[@]}")
missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >/dev/null
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
