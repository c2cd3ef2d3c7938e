#!/usr/bin/env bash
# Installs erofs-accel from this checkout: publishes the CLI as one self-contained file (no .NET runtime needed to
# run it) and installs
#   PREFIX/lib/erofs-accel/erofs-accel    the program (beside it the QPL/QAT shims, when artifacts/native has them)
#   PREFIX/bin/erofs-accel                a link to it
#   PREFIX/sbin/mount.fuse.erofs-accel    the mount(8) helper, linked from HELPER_DIR (mount(8) looks only in /sbin)
#   PREFIX/share/man/man8/erofs-accel.8   the manual (also as mount.fuse.erofs-accel.8)
# and lists every path it wrote in PREFIX/share/erofs-accel/installed-files, which --uninstall removes.
# Runs scripts/install-deps.sh first (the libraries erofs-accel loads at run time). Needs the .NET 10 SDK to build.
set -euo pipefail
here="$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)"
prefix=/usr/local
helper_dir=/sbin
uninstall=false
usage() { echo "usage: scripts/install.sh [--prefix DIR (default /usr/local)] [--helper-dir DIR|none (default /sbin)] [--uninstall]" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) [ $# -ge 2 ] || usage; prefix="$2"; shift 2 ;;
    --prefix=*) prefix="${1#*=}"; shift ;;
    --helper-dir) [ $# -ge 2 ] || usage; helper_dir="$2"; shift 2 ;;
    --helper-dir=*) helper_dir="${1#*=}"; shift ;;
    --uninstall) uninstall=true; shift ;;
    -h|--help) usage ;;
    *) echo "install.sh: unknown argument $1" >&2; usage ;;
  esac
done
case "$prefix" in /*) ;; *) prefix="$(pwd)/$prefix" ;; esac
prefix="${prefix%/}"
manifest="$prefix/share/erofs-accel/installed-files"

if $uninstall; then
  if [ ! -f "$manifest" ]; then
    echo "install.sh: nothing to uninstall: $manifest is missing (was erofs-accel installed with --prefix $prefix?)" >&2
    exit 1
  fi
  mapfile -t paths <"$manifest"
  rm -f -- "$manifest"
  # in the reverse order of installing: links and files, then the folders the install created (when empty)
  for ((i = ${#paths[@]} - 1; i >= 0; i--)); do
    path="${paths[$i]}"
    if [ -L "$path" ] || [ -f "$path" ]; then rm -f -- "$path"; elif [ -d "$path" ]; then rmdir -- "$path" 2>/dev/null || true; fi
  done
  echo "erofs-accel uninstalled from $prefix"
  exit 0
fi

if ! command -v dotnet >/dev/null 2>&1; then
  echo "install.sh: the .NET 10 SDK ('dotnet') is needed to build erofs-accel and is not on PATH; Debian 12 has no package for it: install dotnet-sdk-10.0 as https://learn.microsoft.com/dotnet/core/install/linux-debian says, then run this again" >&2
  exit 1
fi
"$here/scripts/install-deps.sh"

case "$(uname -m)" in
  x86_64) rid=linux-x64 ;;
  aarch64) rid=linux-arm64 ;;
  *) echo "install.sh: no self-contained build for $(uname -m) (x86_64 and aarch64 only); use ./erofs-accel from the checkout" >&2; exit 1 ;;
esac
publish="$here/build/publish/$rid"
echo "install.sh: publishing erofs-accel ($rid, one self-contained file)..." >&2
rm -rf "$publish"
mkdir -p "$publish"
# Single file; our assemblies precompiled (ReadyToRun, not composite: the framework ships precompiled already, and a
# composite image of all 188 assemblies takes many minutes to build and is larger, 91 MB against 80 MB); docs/admin.md
# compares start-up and memory with the framework-dependent build
if ! dotnet publish "$here/src/Erofs.Accel.Cli/Erofs.Accel.Cli.csproj" -c Release -r "$rid" --self-contained true \
     -p:PublishSingleFile=true -p:PublishReadyToRun=true -p:PublishReadyToRunComposite=false -p:IncludeNativeLibrariesForSelfExtract=true \
     -p:DebugType=none -o "$publish" --nologo -v quiet >"$here/build/publish.log" 2>&1; then
  grep -E "error" "$here/build/publish.log" | sort -u | head -20 >&2
  echo "install.sh: publish failed (full log: $here/build/publish.log)" >&2
  exit 1
fi

installed=()
record() { installed+=("$1"); }
make_dir() {
  local d="$1" missing=()
  while [ ! -d "$d" ]; do missing=("$d" "${missing[@]}"); d="$(dirname "$d")"; done
  for d in "${missing[@]}"; do mkdir -m 755 -- "$d"; record "$d"; done
}
put() { # put SOURCE DEST MODE
  make_dir "$(dirname "$2")"
  install -m "$3" -- "$1" "$2.new.$$"
  mv -f -- "$2.new.$$" "$2"
  record "$2"
}
link() { # link TARGET NAME
  make_dir "$(dirname "$2")"
  ln -sfn -- "$1" "$2"
  record "$2"
}

# a previous install into this prefix is replaced: remove what it listed first
[ -f "$manifest" ] && "$0" --prefix "$prefix" --uninstall >/dev/null

libdir="$prefix/lib/erofs-accel"
put "$publish/erofs-accel" "$libdir/erofs-accel" 755
for shim in "$here"/artifacts/native/liberofs_accel_*.so; do
  [ -f "$shim" ] && put "$shim" "$libdir/$(basename "$shim")" 755
done
link "$libdir/erofs-accel" "$prefix/bin/erofs-accel"
helper_tmp="$(mktemp)"
sed "s|@EROFS_ACCEL@|$prefix/bin/erofs-accel|" "$here/contrib/mount.fuse.erofs-accel" >"$helper_tmp"
put "$helper_tmp" "$prefix/sbin/mount.fuse.erofs-accel" 755
rm -f "$helper_tmp"
if [ "$helper_dir" != none ] && [ "$(readlink -f "$helper_dir")" != "$(readlink -f "$prefix/sbin")" ]; then
  if [ -w "$helper_dir" ]; then
    link "$prefix/sbin/mount.fuse.erofs-accel" "$helper_dir/mount.fuse.erofs-accel"
  else
    echo "install.sh: $helper_dir is not writable: mount -t fuse.erofs-accel and fstab lines need $helper_dir/mount.fuse.erofs-accel (run as root)" >&2
  fi
fi
put "$here/docs/man/erofs-accel.8" "$prefix/share/man/man8/erofs-accel.8" 644
link erofs-accel.8 "$prefix/share/man/man8/mount.fuse.erofs-accel.8"
make_dir "$(dirname "$manifest")"
printf '%s\n' "${installed[@]}" >"$manifest"
echo "erofs-accel installed in $prefix: $("$prefix/bin/erofs-accel" --version); uninstall with: $here/scripts/install.sh --prefix $prefix --uninstall"
