#!/usr/bin/env bash
# flame_bench.sh — a benchmark (not a test): hzprof flame against flamegraph.pl on a
# folded file of 100,000 unique stacks and about 1,000,000 samples, timed in one run,
# reported as a ratio, with the sizes of the two SVGs.
#
#   harness/flame_bench.sh [HZPROF] [FLAMEGRAPH_PL]
#
# flamegraph.pl is not a Debian package: pass its path (or set FLAMEGRAPH_PL); without it
# only hzprof is timed.
set -euo pipefail
hzprof=${1:-build/bin/hzprof}
pl=${2:-${FLAMEGRAPH_PL:-$(command -v flamegraph.pl || true)}}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# 100k unique stacks, depth 8-32, names from a vocabulary of 2000 functions, counts 1..19
# (mean 10 => ~1M samples). Fixed seed: the same file every time.
awk 'BEGIN {
    srand(42);
    for (i = 0; i < 2000; i++) name[i] = sprintf("module%d::function_%d_%s", i % 37, i, substr("abcdefghij", 1 + i % 10));
    for (s = 0; s < 100000; s++) {
        depth = 8 + int(rand() * 25); line = "main";
        for (d = 1; d < depth; d++) line = line ";" name[int(rand() * (d < 4 ? 20 : 2000))];
        printf "%s;leaf_%d %d\n", line, s, 1 + int(rand() * 19);
    }
}' > "$work/big.folded"
echo "input: $(wc -l < "$work/big.folded") unique stacks, $(awk '{ s += $NF } END { print s }' "$work/big.folded") samples, $(du -h "$work/big.folded" | cut -f1)"

t0=$(date +%s.%N)
"$hzprof" flame "$work/big.folded" -o "$work/hzprof.svg"
t1=$(date +%s.%N)
ours=$(echo "$t1 - $t0" | bc)
echo "hzprof flame:   ${ours}s, $(stat -c %s "$work/hzprof.svg") bytes"
if [ -n "$pl" ] && [ -e "$pl" ]; then
    t0=$(date +%s.%N)
    perl "$pl" "$work/big.folded" > "$work/pl.svg"
    t1=$(date +%s.%N)
    theirs=$(echo "$t1 - $t0" | bc)
    echo "flamegraph.pl:  ${theirs}s, $(stat -c %s "$work/pl.svg") bytes"
    echo "speed-up: $(echo "scale=1; $theirs / $ours" | bc)x"
else
    echo "flamegraph.pl not given: pass its path as the second argument to compare"
fi
