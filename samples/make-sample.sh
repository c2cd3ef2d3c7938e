#!/usr/bin/env bash
# Rebuilds samples/sample.erofs from a small generated tree with Debian's mkfs.erofs (erofs-utils 1.5, lz4hc).
# The image is committed so that the demo needs no mkfs; run this only to change it.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
command -v mkfs.erofs >/dev/null || { echo "make-sample: needs mkfs.erofs (apt-get install erofs-utils)" >&2; exit 1; }
tree="$(mktemp -d)"
trap 'rm -rf "$tree"' EXIT
mkdir -p "$tree/docs" "$tree/data" "$tree/links"
for i in $(seq 1 40); do
  printf 'Line %04d of the erofs-accel sample: the quick brown fox jumps over the lazy dog.\n' $(seq 1 $((i * 25))) > "$tree/docs/chapter-$i.txt"
done
# deterministic pseudo-random bytes (incompressible) and zeros (highly compressible)
python3 -c 'import random,sys; r=random.Random(7); sys.stdout.buffer.write(bytes(r.getrandbits(8) for _ in range(200000)))' > "$tree/data/random.bin"
head -c 300000 /dev/zero > "$tree/data/zeros.bin"
printf 'hello from an EROFS image\n' > "$tree/README.txt"
ln -s ../README.txt "$tree/links/readme-link"
ln "$tree/docs/chapter-1.txt" "$tree/links/chapter-1-hardlink.txt"
mkfifo "$tree/links/fifo"
setfattr -n user.sample -v "erofs-accel" "$tree/README.txt" 2>/dev/null || true
find "$tree" -exec touch -h -d '2024-01-02 03:04:05' {} +
mkfs.erofs -zlz4hc -T1700000000 -U 5a3e1e5c-0000-4000-8000-000000000001 "$here/sample.erofs" "$tree" >/dev/null
echo "wrote $here/sample.erofs ($(stat -c %s "$here/sample.erofs") bytes)"
