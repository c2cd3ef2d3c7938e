#!/usr/bin/env bash
# Builds the accelerator libraries the native shims link against -- Intel QPL, and qatlib + QATzip -- from
# upstream source archives, unless they are installed already, into a cache that survives between runs.
#
#   scripts/build-accel-deps.sh [--src DIR] [--cache DIR] [--only qpl|qat] [--jobs N]
#
# Prints on stdout one CMake prefix path (';'-separated) holding every library found or built; pass it to
# `cmake -DCMAKE_PREFIX_PATH=...` (scripts/test.sh does). Progress and errors go to stderr. Exit status: 0 ready,
# 1 a build failed, 2 wrong usage, 3 a library is neither installed nor has sources.
#
# Sources (--src, $EROFS_ACCEL_DEPS_SRC, default ../shared/deps beside the repository): archives or unpacked
# directories named qpl-VERSION, qatlib-VERSION and QATzip-VERSION (the highest version of each is used).
# Installed libraries win over building: $EROFS_ACCEL_QPL_PREFIX / $EROFS_ACCEL_QAT_PREFIX name a prefix to use
# as is (QPL's lib/cmake/QPL, QATzip's lib/pkgconfig/qatzip.pc), and a system-wide QPL >= 1.6 (CMake package)
# or QATzip >= 1.3 (pkg-config) is used without building anything.
#
# Cache (--cache, $EROFS_ACCEL_DEPS_CACHE, else $XDG_CACHE_HOME/erofs-accel/deps, else /var/cache/erofs-accel/deps
# as root, else ~/.cache/erofs-accel/deps): one prefix per library stack, named NAME-VERSION-KEY where KEY hashes
# the source archives and the build recipe below, so a changed recipe or source builds a fresh prefix and an
# unchanged one is reused. A prefix counts only once its `.complete` stamp is written; concurrent runs wait on a lock.
set -euo pipefail
repo="$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)"

src="${EROFS_ACCEL_DEPS_SRC:-$repo/../shared/deps}"
if [ -n "${EROFS_ACCEL_DEPS_CACHE:-}" ]; then cache="$EROFS_ACCEL_DEPS_CACHE"
elif [ -n "${XDG_CACHE_HOME:-}" ]; then cache="$XDG_CACHE_HOME/erofs-accel/deps"
elif [ "$(id -u)" -eq 0 ]; then cache=/var/cache/erofs-accel/deps
else cache="$HOME/.cache/erofs-accel/deps"
fi
only=""
jobs="$(nproc)"
usage() { echo "usage: $0 [--src DIR] [--cache DIR] [--only qpl|qat] [--jobs N]" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --src) [ $# -ge 2 ] || usage; src="$2"; shift 2 ;;
    --cache) [ $# -ge 2 ] || usage; cache="$2"; shift 2 ;;
    --only) [ $# -ge 2 ] || usage; only="$2"; shift 2 ;;
    --jobs) [ $# -ge 2 ] || usage; jobs="$2"; shift 2 ;;
    -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 0 ;;
    *) usage ;;
  esac
done
case "$only" in ""|qpl|qat) ;; *) usage ;; esac
[ ! -d "$src" ] || src="$(cd "$src" && pwd)"

say() { echo "build-accel-deps: $*" >&2; }
die() { say "$*"; exit 1; }

# ---- build recipes (their text is part of the cache key) ---------------------------------------------------------
# Each runs in an empty work directory with the unpacked sources under ./src-NAME and installs into $1.
recipe_qpl() {
  local prefix="$1"
  # Static and position-independent: the shim links it in and does not depend on this cache at run time.
  cmake -S src-qpl -B build-qpl -DCMAKE_BUILD_TYPE=Release -DQPL_LIBRARY_TYPE=STATIC \
    -DCMAKE_POSITION_INDEPENDENT_CODE=ON -DQPL_BUILD_TESTS=OFF -DQPL_BUILD_EXAMPLES=OFF \
    -DCMAKE_INSTALL_PREFIX="$prefix" -DCMAKE_INSTALL_LIBDIR=lib
  cmake --build build-qpl -j "$jobs"
  cmake --install build-qpl
}
recipe_qat() {
  local prefix="$1"
  # qatlib: no systemd unit, service start, udev reload or `qat` group (those are for hosts with a device);
  # no sample programs. QATzip: built against that qatlib, in the same prefix so its RUNPATH finds libqat.
  (cd src-qatlib && ./autogen.sh && ./configure --prefix="$prefix" --libdir="$prefix/lib" \
      --enable-systemd=no --enable-samples=no && make -j "$jobs" && make install)
  (cd src-QATzip && ./autogen.sh && PKG_CONFIG_PATH="$prefix/lib/pkgconfig" ./configure --prefix="$prefix" \
      --libdir="$prefix/lib" CFLAGS="-O2 -I$prefix/include" LDFLAGS="-L$prefix/lib -Wl,-rpath,$prefix/lib" \
      && make -j "$jobs" && make install)
}

# ---- sources -----------------------------------------------------------------------------------------------------
# source NAME -> path of the highest-versioned archive or directory NAME-VERSION in $src (empty when none)
source_of() {
  local name="$1"
  [ -d "$src" ] || return 0
  local found
  found="$(find "$src" -maxdepth 1 \( -name "$name-[0-9]*.tar*" -o \( -type d -name "$name-[0-9]*" \) \) \
    -printf '%f\n' | sort -V | tail -n 1)"
  [ -z "$found" ] || echo "$src/$found"
}
version_of() { basename "$1" | sed -E "s/^[A-Za-z]+-//; s/\.tar(\.[a-z0-9]+)?$//"; }
# A fingerprint of a source: the archive's sha256, or for a directory its file list with sizes and times.
fingerprint_of() {
  if [ -d "$1" ]; then (cd "$1" && find . -type f -printf '%P %s %T@\n' | LC_ALL=C sort | sha256sum | cut -c1-64)
  else sha256sum "$1" | cut -c1-64
  fi
}
unpack() { # unpack SOURCE DEST: DEST becomes the source tree
  mkdir -p "$2"
  if [ -d "$1" ]; then cp -a "$1/." "$2/"
  else tar -xf "$1" -C "$2" --strip-components=1
  fi
}

# ---- the build of one stack into the cache -----------------------------------------------------------------------
# build_stack STACK RECIPE NAME... : prints the prefix on stdout
build_stack() {
  local stack="$1" recipe="$2"; shift 2
  local key_input="" label="" name path
  for name in "$@"; do
    path="$(source_of "$name")"
    if [ -z "$path" ]; then
      say "no $name source in $src (want $name-VERSION.tar.* or a directory; set --src or EROFS_ACCEL_DEPS_SRC)"
      exit 3
    fi
    key_input+="$name $(version_of "$path") $(fingerprint_of "$path")"$'\n'
    label+="${label:+-}$name-$(version_of "$path")"
  done
  key_input+="$(declare -f "$recipe")"
  local key; key="$(printf '%s' "$key_input" | sha256sum | cut -c1-12)"
  local prefix="$cache/$label-$key"
  mkdir -p "$cache"
  exec 9>"$cache/.lock-$stack"
  flock 9
  if [ -f "$prefix/.complete" ]; then
    say "$stack: cached at $prefix"
    exec 9>&-
    echo "$prefix"
    return 0
  fi
  rm -rf "$prefix"
  local work; work="$(mktemp -d "$cache/.work-$stack-XXXXXX")"
  # An interrupted build leaves neither its work directory nor a half-installed prefix behind.
  trap 'rm -rf "$work" "$prefix"' EXIT
  local log="$cache/$label-$key.log"
  say "$stack: building $label into $prefix (log: $log)"
  local started=$SECONDS
  for name in "$@"; do unpack "$(source_of "$name")" "$work/src-$name"; done
  if ! (cd "$work" && set -e && "$recipe" "$prefix") >"$log" 2>&1; then
    tail -n 40 "$log" >&2
    die "$stack: build failed after $((SECONDS - started)) s (full log: $log)"
  fi
  rm -rf "$work"
  trap - EXIT
  printf '%s' "$key_input" >"$prefix/.complete"
  say "$stack: built in $((SECONDS - started)) s"
  exec 9>&-
  echo "$prefix"
}

# ---- what is installed already -----------------------------------------------------------------------------------
system_has_qpl() {
  local d
  for d in /usr /usr/local; do
    compgen -G "$d/lib*/cmake/QPL/QPLConfig.cmake" >/dev/null && return 0
    compgen -G "$d/lib/*-linux-gnu/cmake/QPL/QPLConfig.cmake" >/dev/null && return 0
  done
  return 1
}
system_has_qatzip() { command -v pkg-config >/dev/null && pkg-config --exists 'qatzip >= 1.3.0'; }

prefixes=()
if [ -z "$only" ] || [ "$only" = qpl ]; then
  if [ -n "${EROFS_ACCEL_QPL_PREFIX:-}" ]; then
    [ -d "$EROFS_ACCEL_QPL_PREFIX" ] || die "EROFS_ACCEL_QPL_PREFIX=$EROFS_ACCEL_QPL_PREFIX is not a directory"
    say "qpl: using $EROFS_ACCEL_QPL_PREFIX (EROFS_ACCEL_QPL_PREFIX)"; prefixes+=("$EROFS_ACCEL_QPL_PREFIX")
  elif system_has_qpl; then say "qpl: installed on the system, nothing to build"
  else prefixes+=("$(build_stack qpl recipe_qpl qpl)")
  fi
fi
if [ -z "$only" ] || [ "$only" = qat ]; then
  if [ -n "${EROFS_ACCEL_QAT_PREFIX:-}" ]; then
    [ -d "$EROFS_ACCEL_QAT_PREFIX" ] || die "EROFS_ACCEL_QAT_PREFIX=$EROFS_ACCEL_QAT_PREFIX is not a directory"
    say "qat: using $EROFS_ACCEL_QAT_PREFIX (EROFS_ACCEL_QAT_PREFIX)"; prefixes+=("$EROFS_ACCEL_QAT_PREFIX")
  elif system_has_qatzip; then say "qat: QATzip installed on the system, nothing to build"
  else prefixes+=("$(build_stack qat recipe_qat qatlib QATzip)")
  fi
fi
(IFS=';'; echo "${prefixes[*]}")
