#!/usr/bin/env bash
# End-to-end benchmark: our FUSE mount, the kernel's EROFS, squashfuse (and erofsfuse when given) on the same data,
# plus our extract against fsck.erofs --extract. Writes bench/results/<run>/results.tsv, then docs-ready tables and
# PNG plots (bench/Erofs.Accel.BenchReport).
#
#   bench/run-e2e.sh [--smoke] [--runs N] [--size-mb N] [--mkfs PATH] [--erofsfuse PATH] [--out DIR] [--report FILE]
#
#   --smoke        a few seconds: 16 MB dataset, 1 run, lz4hc only, short fio
#   --runs N       repetitions per measurement (median reported; default 3)
#   --size-mb N    size of the large-file dataset (default 400)
#   --mkfs PATH    a newer mkfs.erofs (1.8+) to also make deflate (4 KiB and 32 KiB windows), lzma and zstd images
#   --erofsfuse P  also measure erofs-utils' erofsfuse
#   --fio-seconds N  runtime of each fio run (default 8)
#   --fsck PATH    the fsck.erofs to compare extract with (default: the one on PATH; Debian's reads lz4 only)
#   --report FILE  also write the markdown report there (default: print it)
#   --algos LIST   only these images (comma-separated: lz4hc,lz4,deflate-w4k,deflate,lzma,zstd)
#   --readers LIST only these readers (erofs-accel,kernel,squashfuse,erofsfuse); squashfuse is squashfuse_ll
#                  (the low-level, faster one) when installed
#   --fio-jobs LIST  fio job counts (default 1,4,16)
#   --no-extract   skip the extract comparison and the library bench
# Needs root (mounts, drop_caches). Installs squashfs-tools, squashfuse, fio, erofs-utils when missing.
set -euo pipefail
here="$(cd "$(dirname "$(readlink -f "$0")")" && pwd)"
repo="$(dirname "$here")"
orig_args="$*"
fio_seconds_opt=""
runs=3 size_mb=400 smoke=0 mkfs_new="" erofsfuse="" out="" report="" fsck=fsck.erofs
only_algos="" only_readers="" fio_jobs="1 4 16" extract=1
while [ $# -gt 0 ]; do
  case "$1" in
    --smoke) smoke=1 ;;
    --runs) runs="$2"; shift ;;
    --size-mb) size_mb="$2"; shift ;;
    --mkfs) mkfs_new="$2"; shift ;;
    --erofsfuse) erofsfuse="$2"; shift ;;
    --fsck) fsck="$2"; shift ;;
    --fio-seconds) fio_seconds_opt="$2"; shift ;;
    --out) out="$2"; shift ;;
    --report) report="$2"; shift ;;
    --algos) only_algos=",$2,"; shift ;;
    --readers) only_readers=",$2,"; shift ;;
    --fio-jobs) fio_jobs="${2//,/ }"; shift ;;
    --no-extract) extract=0 ;;
    -h|--help) sed -n 2,23p "$0"; exit 0 ;;
    *) echo "run-e2e: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
[ "$(id -u)" -eq 0 ] || { echo "run-e2e: needs root (mounts and drop_caches)" >&2; exit 1; }
small_files=4000 fio_seconds=8
if [ "$smoke" = 1 ]; then runs=1 size_mb=16 small_files=300 fio_seconds=1; fi
[ -n "$fio_seconds_opt" ] && fio_seconds="$fio_seconds_opt"
missing=()
for p in squashfs-tools squashfuse fio erofs-utils; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p"); done
[ ${#missing[@]} -eq 0 ] || { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null; }

out="${out:-$here/results/$(date -u +%Y%m%d-%H%M%S)$([ "$smoke" = 1 ] && echo -smoke)}"
work="$(mktemp -d /var/tmp/erofs-e2e.XXXXXX)"
mounts=()
cleanup() {
  for m in "${mounts[@]}"; do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$out"
results="$out/results.tsv"
printf 'workload\timage\treader\trun\tseconds\tbytes\n' > "$results"
cli="$repo/erofs-accel"
"$cli" --version >/dev/null

log() { echo "run-e2e: $*" >&2; }
drop() { sync; echo 3 > /proc/sys/vm/drop_caches; }
now() { date +%s.%N; }

# ---- datasets (deterministic: sorted file lists, fixed times) ---------------------------------------------------
log "building datasets in $work"
big="$work/data-large" small="$work/data-small"
mkdir -p "$big" "$small"
budget=$((size_mb * 1024 * 1024)) total=0
while IFS= read -r -d '' f; do
  s=$(stat -c %s "$f")
  [ $((total + s)) -gt "$budget" ] && continue
  rel="${f#/}"
  mkdir -p "$big/$(dirname "$rel")"
  cp --preserve=mode "$f" "$big/$rel" 2>/dev/null || continue
  total=$((total + s))
  [ "$total" -ge "$budget" ] && break
done < <(find /usr/share/dotnet /usr/lib/x86_64-linux-gnu -type f -size +0 -print0 2>/dev/null | sort -z)
n=0
while IFS= read -r -d '' f && [ $n -lt $small_files ]; do
  rel="${f#/}"
  mkdir -p "$small/$(dirname "$rel")"
  cp --preserve=mode "$f" "$small/$rel" 2>/dev/null && n=$((n + 1))
done < <(find /usr/share /usr/lib/x86_64-linux-gnu -type f -size -16k -size +0 -print0 2>/dev/null | sort -z)
find "$big" "$small" -exec touch -h -d '2024-01-01 00:00:00' {} +
log "large dataset: $(find "$big" -type f | wc -l) files, $(du -sb "$big" | cut -f1) bytes; small-file dataset: $n files"

# ---- images ------------------------------------------------------------------------------------------------------
# name | mkfs.erofs arguments | mksquashfs compressor
declare -a algos=("lz4hc|-zlz4hc|lz4 -Xhc")
[ "$smoke" = 1 ] || algos+=("lz4|-zlz4|lz4")
if [ -n "$mkfs_new" ]; then
  algos+=("deflate-w4k|-zdeflate,level=9,dictsize=4096|gzip -Xwindow-size 12" "deflate|-zdeflate|gzip" "lzma|-zlzma|xz" "zstd|-zzstd|zstd")
else
  for a in deflate-w4k deflate lzma zstd; do printf 'skipped\t%s\tmkfs.erofs\t0\t0\t0\n' "$a" >> "$results"; done
  log "deflate, lzma and zstd images skipped: Debian's mkfs.erofs makes lz4 only (give a newer one with --mkfs)"
fi
mk() { # dataset-dir name erofs-args squash-comp
  local src="$1" name="$2" eargs="$3" scomp="$4" tool=mkfs.erofs
  case "$name" in lz4*) ;; *) tool="$mkfs_new" ;; esac
  $tool $eargs -T1700000000 "$work/$name.erofs" "$src" >/dev/null 2>&1 || { log "mkfs.erofs $eargs failed"; return 1; }
  # shellcheck disable=SC2086
  mksquashfs "$src" "$work/$name.sqfs" -comp $scomp -noappend -quiet -no-progress >/dev/null 2>&1 || log "mksquashfs $scomp failed"
}

# ---- readers -----------------------------------------------------------------------------------------------------
mount_reader() { # reader image mountpoint
  local reader="$1" img="$2" mp="$3"
  case "$reader" in
    erofs-accel) "$cli" mount "$img" "$mp" >/dev/null ;;
    kernel) mount -t erofs -o ro "$img" "$mp" ;;
    squashfuse) if command -v squashfuse_ll >/dev/null; then squashfuse_ll "${img%.erofs}.sqfs" "$mp"; else squashfuse "${img%.erofs}.sqfs" "$mp"; fi ;;
    erofsfuse) "$erofsfuse" "$img" "$mp" >/dev/null 2>&1 ;;
  esac
}
readers=(erofs-accel kernel squashfuse)
[ -n "$erofsfuse" ] && readers+=(erofsfuse)
if [ -n "$only_readers" ]; then
  chosen=(); for r in "${readers[@]}"; do [[ "$only_readers" == *",$r,"* ]] && chosen+=("$r"); done; readers=("${chosen[@]}")
fi

measure_tree() { # workload image-name reader image
  local workload="$1" name="$2" reader="$3" img="$4" mp="$work/mnt" r s e bytes
  mkdir -p "$mp"
  [ "$reader" = squashfuse ] && [ ! -f "${img%.erofs}.sqfs" ] && return
  for r in $run_list; do
    mount_reader "$reader" "$img" "$mp" || { log "$reader could not mount $img"; return; }
    mounts=("$mp")
    # warm-up outside the timing: one small file, so a userspace reader's first-use costs are not counted
    find "$mp" -type f -size -8k -print -quit | xargs -r cat > /dev/null
    drop
    s=$(now)
    bytes=$(find "$mp" -type f -print0 | xargs -0 cat | wc -c)
    e=$(now)
    umount "$mp" 2>/dev/null || umount -l "$mp"
    mounts=()
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$workload" "$name" "$reader" "$r" "$(echo "$e - $s" | bc)" "$bytes" >> "$results"
  done
}

measure_fio() { # image-name reader image
  local name="$1" reader="$2" img="$3" mp="$work/mnt" jobs target r out_json
  [ "$reader" = squashfuse ] && [ ! -f "${img%.erofs}.sqfs" ] && return
  mount_reader "$reader" "$img" "$mp" || return
  mounts=("$mp")
  target=$(find "$mp" -type f -printf '%s %p\n' | sort -n | tail -1 | cut -d' ' -f2-)
  for jobs in $fio_jobs; do
    for r in $run_list; do
      drop
      out_json=$(fio --name=rand --filename="$target" --readonly --rw=randread --bs=4k --ioengine=psync \
        --numjobs="$jobs" --time_based --runtime="$fio_seconds" --group_reporting --output-format=json 2>/dev/null)
      bytes=$(echo "$out_json" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["jobs"][0]["read"]["io_bytes"])')
      printf 'fio-4k-%sj\t%s\t%s\t%s\t%s\t%s\n' "$jobs" "$name" "$reader" "$r" "$fio_seconds" "$bytes" >> "$results"
    done
  done
  umount "$mp" 2>/dev/null || umount -l "$mp"
  mounts=()
}

measure_extract() { # image-name image
  local name="$1" img="$2" r s e dest
  for r in $(seq 1 "$runs"); do
    dest="$work/extract-ours"; rm -rf "$dest"; drop
    s=$(now); "$cli" extract -q "$img" "$dest"; e=$(now)
    printf 'extract\t%s\terofs-accel\t%s\t%s\t%s\n' "$name" "$r" "$(echo "$e - $s" | bc)" "$(du -sb "$dest" | cut -f1)" >> "$results"
    rm -rf "$dest"
    dest="$work/extract-fsck"; rm -rf "$dest"; drop
    s=$(now); "$fsck" --extract="$dest" "$img" >/dev/null 2>&1 || true; e=$(now)
    printf 'extract\t%s\tfsck.erofs\t%s\t%s\t%s\n' "$name" "$r" "$(echo "$e - $s" | bc)" "$(du -sb "$dest" 2>/dev/null | cut -f1)" >> "$results"
    rm -rf "$dest"
  done
}

for spec in "${algos[@]}"; do
  IFS='|' read -r name eargs scomp <<< "$spec"
  [ -z "$only_algos" ] || [[ "$only_algos" == *",$name,"* ]] || continue
  log "images: $name"
  mk "$big" "$name" "$eargs" "$scomp" || continue
  mk "$small" "small-$name" "$eargs" "$scomp" || true
  # run 1 of every reader, then run 2 of every reader, ...: a machine that gets slower or faster during the hour
  # shifts every reader alike instead of the readers measured last
  for run in $(seq 1 "$runs"); do
    run_list=$run
    for reader in "${readers[@]}"; do
      log "  run $run, $reader: sequential read, small files, fio"
      measure_tree seq-read "$name" "$reader" "$work/$name.erofs"
      [ -f "$work/small-$name.erofs" ] && measure_tree small-files "$name" "$reader" "$work/small-$name.erofs"
      measure_fio "$name" "$reader" "$work/$name.erofs"
    done
  done
  [ "$extract" = 1 ] || continue
  measure_extract "$name" "$work/$name.erofs"
  "$cli" bench "$work/$name.erofs" --json > "$out/bench-$name.json" || true
done

{
  echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -r)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
  echo "mkfs.erofs: Debian erofs-utils $(dpkg-query -W -f='${Version}' erofs-utils)${mkfs_new:+, newer: $mkfs_new}"
  echo "mksquashfs: $(mksquashfs -version 2>&1 | head -1)"
  echo "squashfuse: $(dpkg-query -W -f='${Version}' squashfuse) ($(command -v squashfuse_ll >/dev/null && echo squashfuse_ll || echo squashfuse)); fio: $(fio --version)"
  echo "dataset: $(find "$big" -type f | wc -l) files, $(du -sb "$big" | cut -f1) bytes; small files: $n"
  echo "runs: $runs (median)"
  echo "command: bench/run-e2e.sh $orig_args"
} > "$out/environment.txt"
log "results in $results"
dotnet run -c Release --project "$here/Erofs.Accel.BenchReport" -- "$out" ${report:+--markdown "$report"}
