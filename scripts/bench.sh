#!/usr/bin/env bash
# make bench: the benchmark, then everything drawn from it, then the comparison with the
# reference run.
#
#   scripts/bench.sh BUILD_DIR PRESET OUT_DIR
#
# A configuration whose trials all failed makes `hzprof bench` exit 1 after writing all
# its files; the charts, flame graphs and report are still made from what ran, and this
# script exits 1 at the end, so `make bench` is never green with a hole in its data.
set -uo pipefail
build=$1 preset=$2 dir=$3
hz=$build/bin/hzprof
"$hz" bench "$preset" -o "$dir"
bench_rc=$?
[ -f "$dir/results.json" ] || exit "$bench_rc" # nothing to draw from
set -e
"$hz" cost --json "$dir/cost.json" > "$dir/cost.txt"
"$hz" plot "$dir"
for p in "$dir"/profiles/*.pb.gz; do
  [ -e "$p" ] || continue
  "$hz" flame "$p" -o "${p%.pb.gz}.svg" --subtitle "$(basename "$p")"
done
echo "hzprof: flame graphs in $dir/profiles/"
echo
cat "$dir/summary.md"
if [ -f results/reference/results.json ]; then
  echo
  echo "== compared with the reference run (results/reference):"
  "$hz" report results/reference "$dir"
fi
echo
echo "hzprof: report: $("$hz" report "$dir" --format html)"
echo "hzprof: results in $dir/ (results.json, summary.md, trials.jsonl, cost.json, plots/, profiles/)"
if [ "$bench_rc" -ne 0 ]; then
  echo "hzprof: make bench: some configurations failed (listed at the top of $dir/summary.md)" >&2
fi
exit "$bench_rc"
