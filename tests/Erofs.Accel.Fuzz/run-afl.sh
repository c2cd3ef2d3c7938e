#!/usr/bin/env bash
# Coverage-guided fuzzing of the reader with AFL++ (Debian's afl++) through SharpFuzz: publishes the fuzz harness,
# instruments the reader's assemblies with the sharpfuzz tool, seeds AFL with the small corpus images, and runs
# afl-fuzz for the given time. Crashes (contract violations) and hangs land in WORK/out/default/{crashes,hangs};
# replay one with: dotnet WORK/app/Erofs.Accel.Fuzz.dll replay FILE
#   tests/Erofs.Accel.Fuzz/run-afl.sh [--seconds N] [--work DIR] [--corpus DIR] [--max-seed-kb N]
# Needs root for apt-get when afl++ is missing; never touches the repository outside bin/obj.
set -euo pipefail
repo="$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)"
seconds=600 work=/tmp/erofs-afl corpus="${EROFS_ACCEL_CORPUS:-$repo/../shared/corpus}" max_seed_kb=128
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds="$2"; shift ;;
    --work) work="$2"; shift ;;
    --corpus) corpus="$2"; shift ;;
    --max-seed-kb) max_seed_kb="$2"; shift ;;
    -h|--help) sed -n 2,7p "$0"; exit 0 ;;
    *) echo "run-afl: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
case "$seconds$max_seed_kb" in *[!0-9]*|"") echo "run-afl: --seconds and --max-seed-kb take whole numbers" >&2; exit 2 ;; esac
[ -d "$corpus" ] || { echo "run-afl: corpus folder $corpus not found (use --corpus DIR)" >&2; exit 1; }
missing=()
command -v afl-fuzz >/dev/null || missing+=(afl++)
command -v mkfs.erofs >/dev/null || missing+=(erofs-utils)
command -v setfattr >/dev/null || missing+=(attr)
[ ${#missing[@]} -eq 0 ] || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
mkdir -p "$work"
if [ ! -x "$work/tools/sharpfuzz" ]; then
  dotnet tool install SharpFuzz.CommandLine --version 2.3.0 --tool-path "$work/tools" >/dev/null
fi

echo "run-afl: publishing the harness into $work/app"
rm -rf "$work/app"
dotnet publish "$repo/tests/Erofs.Accel.Fuzz" -c Release -o "$work/app" --nologo -v quiet "-clp:ErrorsOnly;NoSummary"
for asm in Erofs.Accel.Format.dll Erofs.Accel.Core.dll; do
  "$work/tools/sharpfuzz" "$work/app/$asm" >/dev/null
done

# AFL wants small seeds (every execution reads the whole input): a small tree with every kind of node, made into
# images of several layouts by Debian's mkfs.erofs 1.5, plus the corpus images up to --max-seed-kb
rm -rf "$work/in" "$work/tree"; mkdir -p "$work/in" "$work/tree/dir/sub"
seq 1 900 | sed 's/^/line of compressible text /' > "$work/tree/dir/text.txt"
head -c 6000 /dev/urandom > "$work/tree/dir/random.bin"
printf 'small file\n' > "$work/tree/small"
ln -s dir/text.txt "$work/tree/link"
ln "$work/tree/small" "$work/tree/dir/sub/hardlink"
mkfifo "$work/tree/dir/fifo"
setfattr -n user.comment -v "an xattr value" "$work/tree/dir/text.txt" 2>/dev/null || true
setfattr -n trusted.overlay.opaque -v y "$work/tree/dir/sub" 2>/dev/null || true
for spec in "plain|" "lz4|-zlz4" "lz4hc|-zlz4hc,12" "lz4hc-C16k|-zlz4hc -C16384" "lz4-ztailpacking|-zlz4 -Eztailpacking" \
            "chunked|--chunksize=4096" "lz4-extent|-zlz4hc --max-extent-bytes=8192"; do
  IFS='|' read -r name opts <<< "$spec"
  # shellcheck disable=SC2086
  mkfs.erofs --quiet -T1700000000 $opts "$work/in/gen-$name.erofs" "$work/tree" >/dev/null 2>&1 || rm -f "$work/in/gen-$name.erofs"
done
find "$corpus" -maxdepth 1 -name '*.erofs' -size -"$max_seed_kb"k -exec cp {} "$work/in/" \;
[ -n "$(ls -A "$work/in")" ] || { echo "run-afl: no seed images" >&2; exit 1; }
echo "run-afl: $(ls "$work/in" | wc -l) seeds: $(ls "$work/in" | tr '\n' ' ')"

# resume when a previous run left its queue
input="$work/in"; [ -d "$work/out/default/queue" ] && input=-
echo "run-afl: afl-fuzz for $seconds s; findings in $work/out/default/{crashes,hangs}"
AFL_SKIP_BIN_CHECK=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 AFL_NO_AFFINITY=1 \
  afl-fuzz -i "$input" -o "$work/out" -t 20000 -m none -V "$seconds" -- dotnet "$work/app/Erofs.Accel.Fuzz.dll" afl \
  > "$work/afl.log" 2>&1 || { tail -30 "$work/afl.log" >&2; exit 1; }
stats="$work/out/default/fuzzer_stats"
grep -E "^(execs_done|execs_per_sec|corpus_count|saved_crashes|saved_hangs|bitmap_cvg|run_time) " "$stats"
crashes=$(ls "$work/out/default/crashes" 2>/dev/null | grep -vc README || true)
hangs=$(ls "$work/out/default/hangs" 2>/dev/null | wc -l)
echo "run-afl: $crashes crash inputs, $hangs hang inputs"
[ "$crashes" -eq 0 ]
