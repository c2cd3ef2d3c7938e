#!/usr/bin/env bash
# Sets up erofs-accel on a fresh machine and runs it on the bundled sample image: shows the superblock, mounts the
# image with FUSE (as root) and reads it, extracts it, and reports which decompression backends served the reads.
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
./scripts/install-deps.sh
image=samples/sample.erofs
./erofs-accel info "$image"
echo
echo "== backends"
./erofs-accel backends
echo
if [ "$(id -u)" -eq 0 ] && [ -e /dev/fuse ]; then
  mnt="$(mktemp -d)"
  echo "== mount on $mnt"
  ./erofs-accel mount "$image" "$mnt"
  ls -l "$mnt" "$mnt/links"
  echo "-- $(cat "$mnt"/docs/*.txt | wc -c) bytes read through the mount; README.txt says: $(cat "$mnt/README.txt")"
  umount "$mnt"
  rmdir "$mnt"
  echo
fi
out="$(mktemp -d)/sample"
echo "== extract to $out"
./erofs-accel extract -v "$image" "$out"
echo
echo "== cat /README.txt"
./erofs-accel cat "$image" /README.txt
