#!/usr/bin/env bash
# Installs the Debian packages erofs-accel needs at run time, and optionally more groups:
#   --test         what the tests need (implies --accel-build: CI builds and tests the QPL and QAT shims)
#   --accel-build  what scripts/build-accel-deps.sh needs to build QPL, qatlib and QATzip from source
# Idempotent: asks apt only for packages that are missing. Needs root (or sudo) when something is missing.
set -euo pipefail
runtime=(libdeflate0 liblzma5 libzstd1 liblz4-1 fuse3)
testing=(python3 attr acl cmake gcc make pocl-opencl-icd ocl-icd-libopencl1 clinfo erofs-utils squashfs-tools squashfuse fio bc)
accel_build=(cmake make gcc g++ nasm autoconf automake autoconf-archive libtool pkg-config
             libnuma-dev libssl-dev zlib1g-dev libudev-dev liblz4-dev xz-utils)
want=("${runtime[@]}")
for arg in "$@"; do
  case "$arg" in
    --test) want+=("${testing[@]}" "${accel_build[@]}") ;;
    --accel-build) want+=("${accel_build[@]}") ;;
    *) echo "install-deps: unknown option '$arg' (expected --test or --accel-build)" >&2; exit 2 ;;
  esac
done
missing=()
for p in $(printf '%s\n' "${want[@]}" | sort -u); do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >/dev/null
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
