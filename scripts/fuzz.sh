#!/usr/bin/env bash
# Fuzzes every parser of untrusted input with libFuzzer (issue 14, "Keep them fixed").
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]
#
# Targets (tests/fuzz/fuzz_TARGET.c): pprof (the pprof decoder on .pb.gz input), pprof_raw
# (the same on uncompressed protobuf, so mutations reach the protobuf layer rather than
# fail the gzip CRC), folded (the folded-stacks parser of top and the library),
# flame_folded (the folded reader of `hzprof flame`), truth (the truth JSON of `hzprof
# score`), results (a results.json as report and plot load it, then rendered), config (a
# bench configuration file, and the command-line overrides). Each accepted profile also
# goes through what the viewers do with it (top, flame,
# folded output). Built with clang -fsanitize=fuzzer,address,undefined into build-fuzz/,
# apart from the gcc build; clang is installed through scripts/deps.sh when missing.
#
# Each target runs for SECONDS (default 60) from its seed corpus, tests/fuzz/corpus/TARGET/
# (read only: what libFuzzer adds goes to build-fuzz/corpus/TARGET/). Prints the executions
# per target (libFuzzer's final stats). Exits 1 if any target crashed, leaked, hit
# undefined behaviour, ran an input for more than 25 s or used more than 2 GB; the input
# is saved under build-fuzz/crashes/TARGET/ and the log is build-fuzz/logs/TARGET.log.
# A crash becomes a fix and a regression input in tests/fixtures/fuzz-regressions/, which
# each target replays before it fuzzes (and ctest runs through hzprof top and flame).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-60}
[[ $seconds =~ ^[1-9][0-9]*$ ]] || { echo "hzprof fuzz: SECONDS must be a positive integer, got '$seconds'" >&2; exit 2; }
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(pprof pprof_raw folded flame_folded truth results config)
for t in "${targets[@]}"; do
  [ -f "tests/fuzz/fuzz_$t.c" ] || { echo "hzprof fuzz: no target '$t' (tests/fuzz/fuzz_$t.c)" >&2; exit 2; }
done

out=build-fuzz
mkdir -p "$out"
command -v clang >/dev/null 2>&1 || scripts/deps.sh clang
# libFuzzer's runtime is a package of its own that clang only recommends on Debian
# (libclang-rt-N-dev): install it when a trivial fuzzer does not link.
probe() {
  printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { (void)d; (void)n; return 0; }\n' |
    clang -x c -fsanitize=fuzzer,address,undefined - -o "$out/probe" 2>/dev/null
}
if ! probe; then
  scripts/deps.sh "libclang-rt-$(clang -dumpversion | cut -d. -f1)-dev"
  probe || { echo "hzprof fuzz: clang cannot link -fsanitize=fuzzer (libFuzzer missing)" >&2; exit 1; }
fi
pkg-config --exists libcjson zlib || scripts/deps.sh libcjson-dev zlib1g-dev

# The parsers and the viewers, as the hzprof binary has them; flame's script is embedded
# as cli/CMakeLists.txt does it.
cmake -DIN=viz/flame.js -DOUT="$out/flame_js.c" -P viz/flame_embed.cmake
sources=(core/src/hash.c core/src/pprof/profile.c core/src/pprof/protobuf.c core/src/pprof/pprof_encode.c
         core/src/folded.c profile/protobuf_read.c profile/pprof_decode.c profile/folded_parse.c
         profile/profile_input.c profile/text_file.c cli/cmd_top.c
         harness/score.c viz/flame.c viz/flame_folded.c "$out/flame_js.c")
cflags=(-std=gnu11 -g -O1 -fno-omit-frame-pointer -Wall -Wextra -Werror
        -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
        -Icore/include -Icore/src -Iprofile -Iharness -Iviz -Icli)
# shellcheck disable=SC2207
libs=($(pkg-config --libs libcjson zlib) -lm)

build() { # TARGET: build-fuzz/fuzz_TARGET
  local t=$1 extra=()
  if [ "$t" = results ]; then # the results readers and renderers (writing is stubbed)
    extra=(harness/results_load.c harness/bench_summary.c harness/bench_bias.c harness/bench_budget.c harness/bench_pairs.c harness/stats.c
           viz/paper_data.c viz/plot.c viz/summary_md.c viz/compare_md.c)
  elif [ "$t" = config ]; then # the bench configuration and the baselines' names
    extra=(harness/bench_config.c harness/bench_sampler.c harness/baseline.c harness/baseline_gperftools.c
           harness/baseline_perf.c harness/baseline_go.c)
  fi
  clang "${cflags[@]}" "tests/fuzz/fuzz_$t.c" "${sources[@]}" "${extra[@]}" "${libs[@]}" -o "$out/fuzz_$t"
}

# Two builds at a time (one clang each: the targets are independent), failing on the first
# that fails (the other is stopped).
building=()
build_failed() {
  kill "${building[@]}" 2>/dev/null || true
  echo "hzprof fuzz: a target did not build (above)" >&2
  exit 1
}
for t in "${targets[@]}"; do
  echo "== fuzz_$t: building"
  build "$t" &
  building+=($!)
  if [ ${#building[@]} -ge 2 ]; then
    wait "${building[0]}" || build_failed
    building=("${building[@]:1}")
  fi
done
for pid in "${building[@]}"; do
  wait "$pid" || build_failed
done

export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=1:allocator_may_return_null=1"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}print_stacktrace=1"
failed=()
summary=()
# The inputs fuzzing found before (tests/fixtures/fuzz-regressions/) that a target reads:
# replayed once before it fuzzes, so that what only clang's sanitizers see stays fixed.
regressions() {
  local pattern
  case $1 in
    pprof) pattern='*.pb.gz' ;;
    folded|flame_folded) pattern='*.folded' ;;
    truth) pattern='truth-*.json' ;;
    results) pattern='results-*.json' ;;
    config) pattern='config-*.json' ;;
    *) return 0 ;;
  esac
  find tests/fixtures/fuzz-regressions -maxdepth 1 -type f -name "$pattern" | sort
}
for t in "${targets[@]}"; do
  mkdir -p "$out/corpus/$t" "$out/crashes/$t" "$out/logs"
  log="$out/logs/$t.log"
  mapfile -t inputs < <(regressions "$t")
  if [ ${#inputs[@]} -gt 0 ]; then
    if ! "$out/fuzz_$t" "${inputs[@]}" > "$out/logs/$t.regressions.log" 2>&1; then
      grep -E '^(Running: |.*runtime error:|==[0-9]+==ERROR)' "$out/logs/$t.regressions.log" | tail -3
      echo "fuzz_$t: FAILED on a regression input (log: $out/logs/$t.regressions.log)"
      failed+=("$t")
      summary+=("fuzz_$t: FAILED on a regression input")
      continue
    fi
    echo "fuzz_$t: ${#inputs[@]} regression inputs pass"
  fi
  echo "== fuzz_$t: ${seconds} s from tests/fuzz/corpus/$t/"
  st=0
  "$out/fuzz_$t" -max_total_time="$seconds" -timeout=25 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$out/crashes/$t/" "$out/corpus/$t" "tests/fuzz/corpus/$t" > "$log" 2>&1 || st=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  if [ -z "$runs" ]; then # a crash ends libFuzzer before its final stats: the last status line
    runs=$(grep -Eo '^#[0-9]+' "$log" | tail -1 | tr -d '#')
  fi
  grep -E '^Done [0-9]+ runs' "$log" || true
  if [ "$st" -ne 0 ]; then
    artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
    grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error:)' "$log" | head -3 || true
    echo "fuzz_$t: FAILED (exit $st) after ${runs:-?} executions; input: ${artifact:-none saved}; log: $log"
    failed+=("$t")
    summary+=("fuzz_$t: ${runs:-?} executions, FAILED: ${artifact:-see $log}")
  else
    echo "fuzz_$t: ${runs:-?} executions in ${seconds} s, no crash"
    summary+=("fuzz_$t: ${runs:-?} executions in ${seconds} s, no crash")
  fi
done

echo "== hzprof fuzz summary"
printf '%s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
  echo "hzprof fuzz: ${#failed[@]} target(s) failed: ${failed[*]} (inputs in $out/crashes/)" >&2
  exit 1
fi
