#!/usr/bin/env bash
# Issue 20's GPU check, in one device run.
#
# Here, from anywhere in the repository:   bench/opencl-device-check.sh
#   builds .device-bundle with ../shared/tools/device-opencl/make-bundle.sh (the .NET runtime, the CLI, the benchmark
#   suite, libraries, mkfs.erofs, corpus images), adds this file to it and prints the one device call to make.
#
# There, sourced by the bundle's run-on-device.sh through EXTRA (which sets up $W, $B and `ea`, builds the lz4hc and
#   deflate images of the .NET runtime tree and, around this part, prints the device, `backends` with the calibration
#   (fixed cost and throughput per algorithm), every corpus manifest through OpenCL, and opencl-quick with the
#   1,024 x 16 KiB targets): the read phase of `bench` in software on every core against OpenCL (calibrated, on every
#   core and on one thread), the OpenCL stage times, and one verdict line per target.
if [ -z "${B:-}" ] || ! declare -F ea >/dev/null; then
  set -euo pipefail
  cd "$(git -C "$(dirname "$(readlink -f "$0")")" rev-parse --show-toplevel)"
  exclude=$(git rev-parse --git-path info/exclude)
  mkdir -p "$(dirname "$exclude")"
  grep -qxF '/.device-bundle/' "$exclude" 2>/dev/null || echo '/.device-bundle/' >> "$exclude"
  ../shared/tools/device-opencl/make-bundle.sh .device-bundle
  cp bench/opencl-device-check.sh .device-bundle/
  echo
  echo "device call (one run, about 5-8 minutes of a 15-minute budget; give the machine back afterwards):"
  echo "  command:   EXTRA='source \"\$B/opencl-device-check.sh\"' bash .device-bundle/run-on-device.sh"
  echo "  carry:     [\".device-bundle\"]"
  echo "  timeout_s: 540"
  echo "The log comes back as \$OUT/log; the lines to copy into docs/benchmarks.md section 2 start with 'issue20'."
  exit 0
fi

# ---- on the device (sourced: no set -e, the outer script goes on whatever happens here) ----
issue20_read() { awk '/read every file/ { print $(NF-1) }' "$1"; }
issue20_ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
n=$(nproc)
el "== issue20: backends (calibration per algorithm: fixed cost, device and software throughput, break-even)"
ea backends --accel opencl 2>&1 | grep '^opencl'
for a in lz4hc deflate; do
  img=$W/img-$a.erofs
  [ -f "$img" ] || { echo "issue20 $a: no image"; continue; }
  el "== issue20 bench $a: software on $n threads, 1 MiB reads (the reference run's baseline)"
  ea bench "$img" --threads "$n" --accel software > "i20-sw1-$a" 2>&1; grep -E "read every|decode every" "i20-sw1-$a"
  el "== issue20 bench $a: software on $n threads, 16 MiB reads"
  ea bench "$img" --threads "$n" --read-mb 16 --accel software > "i20-sw16-$a" 2>&1; grep -E "read every" "i20-sw16-$a"
  el "== issue20 bench $a: opencl (calibrated) on $n threads, 16 MiB reads"
  ea bench "$img" --threads "$n" --accel opencl > "i20-cl-$a" 2>&1; grep -E "read every|opencl" "i20-cl-$a"
  el "== issue20 bench $a: opencl (calibrated) on 1 thread, 16 MiB reads"
  ea bench "$img" --threads 1 --accel opencl > "i20-cl1-$a" 2>&1; grep -E "read every|opencl" "i20-cl1-$a"
  sw=$(issue20_read "i20-sw1-$a"); sw16=$(issue20_read "i20-sw16-$a")
  [ -n "$sw16" ] && awk -v x="$sw16" -v y="${sw:-0}" 'BEGIN { exit !(x > y) }' && sw=$sw16
  cl=$(issue20_read "i20-cl-$a"); cl1=$(issue20_read "i20-cl1-$a")
  best=$cl; [ -n "$cl1" ] && awk -v x="$cl1" -v y="${cl:-0}" 'BEGIN { exit !(x > y) }' && best=$cl1
  target=1.0; [ $a = deflate ] && target=2.0
  echo "issue20 $a read phase: opencl ${best:-?} MB/s ($n threads ${cl:-?}, 1 thread ${cl1:-?}) vs software ${sw:-?} MB/s on $n cores" \
       "= $(issue20_ratio "${best:-0}" "${sw:-0}")x (target >= ${target}x)"
done
