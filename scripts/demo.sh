#!/usr/bin/env bash
# Sets up erofs-accel on a fresh machine and runs it on the bundled sample image:
# shows the superblock, lists and extracts the tree, and reports which decompression backends ran.
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
./scripts/install-deps.sh
image=samples/sample.erofs
./erofs-accel info "$image"
echo
echo "== ls -l /docs"
./erofs-accel ls -l "$image" /docs | head -5
echo
out="$(mktemp -d)/sample"
echo "== extract to $out"
./erofs-accel extract -v "$image" "$out"
echo
echo "== cat /README.txt"
./erofs-accel cat "$image" /README.txt
