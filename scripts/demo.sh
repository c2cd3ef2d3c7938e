#!/usr/bin/env bash
# Sets erofs-accel up on a fresh Debian 12 machine and runs it on the bundled sample image: installs it (as root into
# /usr/local, with the mount(8) helper and the manual; otherwise into ~/.local), shows the superblock, mounts the
# image with mount -t fuse.erofs-accel (as root) and reads it, extracts it, and reports which decompression backends
# served the reads. Everything below runs the installed binary, not the checkout.
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
if ! command -v dotnet >/dev/null 2>&1; then
  echo "demo: the .NET 10 SDK ('dotnet') is needed to build erofs-accel; Debian 12 has no package: install dotnet-sdk-10.0 as https://learn.microsoft.com/dotnet/core/install/linux-debian says, then run ./scripts/demo.sh again" >&2
  exit 1
fi
if [ "$(id -u)" -eq 0 ]; then
  prefix=/usr/local
  ./scripts/install.sh --prefix "$prefix"
else
  prefix="$HOME/.local"
  ./scripts/install.sh --prefix "$prefix" --helper-dir none
fi
erofs_accel="$prefix/bin/erofs-accel"
image="$(pwd)/samples/sample.erofs"
echo
echo "== $erofs_accel info $image"
"$erofs_accel" info "$image"
echo
echo "== backends"
"$erofs_accel" backends
echo
if [ "$(id -u)" -eq 0 ] && [ -e /dev/fuse ]; then
  mnt="$(mktemp -d)"
  echo "== mount -t fuse.erofs-accel $image $mnt -o ro"
  mount -t fuse.erofs-accel "$image" "$mnt" -o ro
  ls -l "$mnt" "$mnt/links"
  echo "-- $(cat "$mnt"/docs/*.txt | wc -c) bytes read through the mount; README.txt says: $(cat "$mnt/README.txt")"
  umount "$mnt"
  rmdir "$mnt"
  echo
fi
out="$(mktemp -d)/sample"
echo "== extract to $out"
"$erofs_accel" extract -v "$image" "$out"
echo
echo "== cat /README.txt"
"$erofs_accel" cat "$image" /README.txt
echo
echo "erofs-accel is installed in $prefix (man erofs-accel; docs/admin.md); remove it with: ./scripts/install.sh --prefix $prefix --uninstall"
