#!/usr/bin/env bash
# Density benchmark of the host service (docs/service.md): N images generated from one source tree with small
# variations, served (1) by N standalone `erofs-accel mount` processes and (2) by one `erofs-accel serve` daemon with
# every image mounted through its control socket. Reports the memory of each (RSS and PSS sums, after reading the
# same files through every mount) and the time to mount one image (daemon: request to answer on the socket, and the
# whole `erofs-accel mount` command; standalone: the whole command).
#
#   bench/service-density.sh [--images N] [--files N] [--out FILE]
#
#   --images N   images (default 100)
#   --files N    files in the source tree (default 200, about 4 MB)
#   --out FILE   also write the markdown table there
# Needs root (mounts) and Debian's mkfs.erofs (erofs-utils).
set -euo pipefail
here="$(cd "$(dirname "$(readlink -f "$0")")" && pwd)"
repo="$(dirname "$here")"
images=100 files=200 out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --images) images="$2"; shift ;;
    --files) files="$2"; shift ;;
    --out) out="$2"; shift ;;
    -h|--help) sed -n 2,13p "$0"; exit 0 ;;
    *) echo "service-density: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
[ "$(id -u)" -eq 0 ] || { echo "service-density: needs root (mounts)" >&2; exit 1; }
command -v mkfs.erofs >/dev/null || { echo "service-density: mkfs.erofs is missing (apt-get install erofs-utils)" >&2; exit 1; }
cli="$repo/erofs-accel"
"$cli" --version >/dev/null

work="$(mktemp -d /var/tmp/erofs-density.XXXXXX)"
socket="$work/control.sock"
daemon_pid=""
cleanup() {
  for m in "$work"/mnt/*; do mountpoint -q "$m" 2>/dev/null && { umount "$m" 2>/dev/null || umount -l "$m"; }; done
  if [ -n "$daemon_pid" ]; then kill "$daemon_pid" 2>/dev/null || true; wait "$daemon_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

echo "== generating $images images of a $files-file tree" >&2
python3 - "$work/tree" "$files" <<'PY'
import os, random, sys
root, count = sys.argv[1], int(sys.argv[2])
rnd = random.Random(14)
words = [''.join(rnd.choice('abcdefghijklmnopqrstuvwxyz') for _ in range(rnd.randint(2, 9))) for _ in range(3000)]
for i in range(count):
    d = os.path.join(root, f"d{i % 16:02d}")
    os.makedirs(d, exist_ok=True)
    size = rnd.choice([512, 4096, 16384, 40000, 65536])
    text = ' '.join(rnd.choice(words) for _ in range(size // 5))[:size]
    with open(os.path.join(d, f"f{i:04d}.txt"), "w") as f:
        f.write(text)
PY
mkdir -p "$work/img" "$work/mnt"
for i in $(seq 1 "$images"); do
  echo "variant $i" > "$work/tree/variant"
  echo "changed line $i" >> "$work/tree/d00/f0000.txt"
  mkfs.erofs -zlz4hc "$work/img/$i.erofs" "$work/tree" >/dev/null 2>&1
  mkdir -p "$work/mnt/$i"
done
tree_bytes=$(du -sb "$work/tree" | cut -f1)

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
pss_kb() { awk '/^Pss:/ {print $2}' "/proc/$1/smaps_rollup"; }
read_some() { for i in $(seq 1 "$images"); do cat "$work/mnt/$i"/d0*/f00[0-4]*.txt "$work/mnt/$i/variant" >/dev/null; done; }
now() { date +%s.%N; }
# until the daemon's socket answers (start-up takes seconds on a busy machine); its log and exit 1 if it stops
wait_for_daemon() {
  for _ in $(seq 1 1200); do
    "$cli" list --socket "$socket" >/dev/null 2>&1 && return 0
    kill -0 "$daemon_pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "the daemon did not start:" >&2; cat "$work/daemon.log" >&2; exit 1
}
median() { sort -g | awk '{a[NR]=$1} END {printf "%.1f", (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
p90() { sort -g | awk '{a[NR]=$1} END {i=int(NR*0.9); if (i<1) i=1; printf "%.1f", a[i]}'; }

echo "== standalone: $images erofs-accel mount processes" >&2
pids=()
: > "$work/standalone-ms"
for i in $(seq 1 "$images"); do
  t0=$(now)
  # no daemon listens on this run's socket, so mount is standalone
  line=$(EROFS_ACCEL_SOCKET="$socket" "$cli" mount "$work/img/$i.erofs" "$work/mnt/$i")
  t1=$(now)
  echo "($t1 - $t0) * 1000" | bc -l >> "$work/standalone-ms"
  pids+=("$(echo "$line" | sed -n 's/.*server pid \([0-9]*\).*/\1/p')")
done
read_some
standalone_rss=0 standalone_pss=0
for p in "${pids[@]}"; do
  standalone_rss=$((standalone_rss + $(rss_kb "$p")))
  standalone_pss=$((standalone_pss + $(pss_kb "$p")))
done
for i in $(seq 1 "$images"); do umount "$work/mnt/$i"; done
for p in "${pids[@]}"; do while kill -0 "$p" 2>/dev/null; do sleep 0.1; done; done

echo "== daemon: one erofs-accel serve, $images mounts through its socket" >&2
"$cli" serve --socket "$socket" 2>"$work/daemon.log" &
daemon_pid=$!
wait_for_daemon
idle_rss=$(rss_kb "$daemon_pid")
# the request to answer on the socket, as a client library sees it (one connection, one request per image)
python3 - "$socket" "$work" "$images" > "$work/daemon-ms" <<'PY'
import json, socket, struct, sys, time
path, work, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
s = socket.socket(socket.AF_UNIX); s.connect(path)
for i in range(1, count + 1):
    body = json.dumps({"version": 1, "op": "mount", "image": f"{work}/img/{i}.erofs", "mountPoint": f"{work}/mnt/{i}"}).encode()
    t0 = time.perf_counter()
    s.sendall(struct.pack(">I", len(body)) + body)
    n = struct.unpack(">I", s.recv(4, socket.MSG_WAITALL))[0]
    answer = json.loads(s.recv(n, socket.MSG_WAITALL))
    elapsed = (time.perf_counter() - t0) * 1000
    if not answer["ok"]: sys.exit(answer["error"])
    print(f"{elapsed:.3f} {answer['mounts'][0]['setupMilliseconds']:.3f}")
PY
read_some
daemon_rss=$(rss_kb "$daemon_pid") daemon_pss=$(pss_kb "$daemon_pid")
# the whole command through the daemon, client start-up included
: > "$work/daemon-cli-ms"
for i in $(seq 1 $((images < 5 ? images : 5))); do
  "$cli" umount --socket "$socket" "$work/mnt/$i" >/dev/null
  t0=$(now); EROFS_ACCEL_SOCKET="$socket" "$cli" mount "$work/img/$i.erofs" "$work/mnt/$i" >/dev/null; t1=$(now)
  echo "($t1 - $t0) * 1000" | bc -l >> "$work/daemon-cli-ms"
done
kill -TERM "$daemon_pid"; wait "$daemon_pid" || true; daemon_pid=""
left=$(grep -c " $work/" /proc/mounts || true)

ratio=$(printf %.3f "$(echo "$daemon_rss / $standalone_rss" | bc -l)")
pss_ratio=$(printf %.3f "$(echo "$daemon_pss / $standalone_pss" | bc -l)")
table="| $images images ($files files, $((tree_bytes / 1024)) KiB each) | standalone mounts | one daemon | daemon / standalone |
|---|---|---|---|
| RSS, sum (MiB) | $((standalone_rss / 1024)) | $((daemon_rss / 1024)) (idle before mounting: $((idle_rss / 1024))) | $ratio |
| PSS, sum (MiB) | $((standalone_pss / 1024)) | $((daemon_pss / 1024)) | $pss_ratio |
| mount, median / p90 (ms): request to answer on the socket | - | $(cut -d' ' -f1 "$work/daemon-ms" | median) / $(cut -d' ' -f1 "$work/daemon-ms" | p90) | |
| mount, median (ms): the daemon's own time | - | $(cut -d' ' -f2 "$work/daemon-ms" | median) | |
| mount, median (ms): the whole \`erofs-accel mount\` command | $(median < "$work/standalone-ms") | $(median < "$work/daemon-cli-ms") | |

Mounts left after SIGTERM: $left."
echo "$table"
if [ -n "$out" ]; then echo "$table" > "$out"; fi
