#!/usr/bin/env bash
# flame_bench.sh — a benchmark (not a test): hzprof flame against flamegraph.pl on one
# generated folded file (100,000 unique stacks, about 950,000 samples, about 60 MB, names
# with <, > and &). For each tool: wall time, CPU time (user + system), peak RSS and SVG
# bytes (medians over the runs), then the ratios. It also checks what makes the comparison
# fair: both SVGs well-formed (xmllint) and the same number of frames drawn above the
# minimum width (a frame: a <g> with a <title>); exit 1 when a check fails.
#
#   harness/flame_bench.sh [HZPROF] [FLAMEGRAPH_PL]
#   HZ_RUNS=5 PL_RUNS=1 KEEP=DIR harness/flame_bench.sh ...
#
# HZ_RUNS / PL_RUNS: runs of each tool (medians reported; flamegraph.pl takes ~11 s of a
# CPU per run, hence one by default). KEEP: a directory to keep the input and both SVGs in.
# flamegraph.pl is not a Debian package: pass its path (or set FLAMEGRAPH_PL); without it
# only hzprof is measured. Timings are of this machine as it is: on a shared or loaded
# machine they vary from run to run.
set -euo pipefail
hzprof=${1:-build/bin/hzprof}
pl=${2:-${FLAMEGRAPH_PL:-$(command -v flamegraph.pl || true)}}
hz_runs=${HZ_RUNS:-5}
pl_runs=${PL_RUNS:-1}
minwidth=0.1
command -v xmllint > /dev/null || { echo "flame_bench: xmllint (libxml2-utils) is needed" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "flame_bench: /usr/bin/time (package time) is needed" >&2; exit 2; }
work=$(mktemp -d)
keep() {
    if [ -n "${KEEP:-}" ]; then
        mkdir -p "$KEEP" && cp "$work"/big.folded "$work"/*.svg "$KEEP"/ 2> /dev/null || true
    fi
    rm -rf "$work"
}
trap keep EXIT

# A synthetic program: 3,000 functions (C++-like names with templates, references and
# operators, so XML escaping is exercised), each calling 1-3 others; a stack is a walk from
# main through one of 8 entry points, 5 to 24 frames deep, preferring each function's first
# callees (r*r), kept if not seen before, until there are 100,000; counts 1..18. That
# gives call-graph-like merging: ~19,000 frames wider than 0.1 px. Fixed seed: the same
# file every time with the same awk.
awk 'BEGIN {
    srand(42);
    nf = 3000;
    for (i = 0; i < nf; i++) {
        k = i % 6;
        if (k == 0) name[i] = sprintf("ns%d::Vector<Item%d, Alloc<Item%d>>::push_back", i % 13, i, i);
        else if (k == 1) name[i] = sprintf("ns%d::operator<<(Stream&, const Rec%d&)", i % 11, i);
        else if (k == 2) name[i] = sprintf("std::map<int, Val%d>::operator[]", i);
        else if (k == 3) name[i] = sprintf("ns%d::Task%d::run(Ctx&) const", i % 7, i);
        else name[i] = sprintf("module%d::function_%d", i % 37, i);
        nc[i] = 1 + int(rand() * 3);
        for (j = 0; j < nc[i]; j++) callee[i, j] = int(rand() * nf);
    }
    for (e = 0; e < 8; e++) entry[e] = int(rand() * nf);
    while (lines < 100000) {
        depth = 5 + int(rand() * 20);
        f = entry[int(rand() * 8)];
        line = "main;" name[f];
        for (d = 2; d < depth; d++) {
            r = rand();
            f = callee[f, int(r * r * nc[f])];
            line = line ";" name[f];
        }
        if (line in seen) continue;
        seen[line] = 1;
        print line " " (1 + int(rand() * 18));
        lines++;
    }
}' > "$work/big.folded"
awk '{ s += $NF } END { printf "input: %d unique stacks, %d samples, ", NR, s }' "$work/big.folded"
echo "$(stat -c %s "$work/big.folded") bytes, $(grep -c '[<>&]' "$work/big.folded") lines with <, > or &"

# measure NAME RUNS OUT.svg COMMAND...: runs COMMAND > OUT.svg RUNS times under
# /usr/bin/time; sets m_wall m_user m_sys m_cpu (s) m_rss (MiB): the median of each.
measure() {
    local name=$1 runs=$2 out=$3
    shift 3
    : > "$work/$name.times"
    for ((i = 0; i < runs; i++)); do
        /usr/bin/time -f '%e %U %S %M' -o "$work/$name.t" "$@" > "$out" ||
            { echo "flame_bench: $name failed" >&2; exit 1; }
        tail -1 "$work/$name.t" >> "$work/$name.times"
    done
    read -r m_wall m_user m_sys m_cpu m_rss < <(awk '
        function median(col,   n, i, j, t, v) {
            n = 0; for (i = 1; i <= NR; i++) v[++n] = x[i, col];
            for (i = 2; i <= n; i++) for (j = i; j > 1 && v[j - 1] > v[j]; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
            return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
        }
        { for (c = 1; c <= 4; c++) x[NR, c] = $c; x[NR, 5] = $2 + $3 }
        END { printf "%.2f %.2f %.2f %.2f %.1f\n", median(1), median(2), median(3), median(5), median(4) / 1024 }' \
        "$work/$name.times")
}

frames() {
    xmllint --xpath "count(//*[local-name()='g'][*[local-name()='title']])" "$1"
}

status=0
check_svg() {
    if xmllint --noout "$1" 2> "$work/xmllint.err"; then
        echo "  $2 SVG: well-formed (xmllint)"
    else
        echo "  $2 SVG: NOT well-formed: $(head -3 "$work/xmllint.err")"
        status=1
    fi
}

row() {
    printf '%-15s %8s %8s %7s %7s %9s %11s %8s\n' "$@"
}

row tool "wall s" "CPU s" "user s" "sys s" "peak MiB" "SVG bytes" frames
measure hzprof "$hz_runs" "$work/hzprof.svg" "$hzprof" flame "$work/big.folded" -o - --minwidth "$minwidth"
hz=("$m_wall" "$m_cpu" "$m_user" "$m_sys" "$m_rss" "$(stat -c %s "$work/hzprof.svg")" "$(frames "$work/hzprof.svg")")
row "hzprof flame" "${hz[@]}"
if [ -n "$pl" ] && [ -e "$pl" ]; then
    measure flamegraph_pl "$pl_runs" "$work/pl.svg" perl "$pl" --minwidth "$minwidth" "$work/big.folded"
    fg=("$m_wall" "$m_cpu" "$m_user" "$m_sys" "$m_rss" "$(stat -c %s "$work/pl.svg")" "$(frames "$work/pl.svg")")
    row "flamegraph.pl" "${fg[@]}"
    echo "(medians of $hz_runs hzprof and $pl_runs flamegraph.pl runs)"
    awk -v hw="${hz[0]}" -v fw="${fg[0]}" -v hc="${hz[1]}" -v fc="${fg[1]}" -v hr="${hz[4]}" \
        -v fr="${fg[4]}" -v hb="${hz[5]}" -v fb="${fg[5]}" 'BEGIN {
        speed = fw / hw
        printf "speed-up (flamegraph.pl / hzprof): wall %.1fx (goal >= 20x: %s), CPU %.1fx\n", speed, (speed >= 20 ? "met" : "NOT met"), fc / hc
        printf "peak memory (hzprof / flamegraph.pl): %.2f\n", hr / fr
        printf "SVG size (hzprof / flamegraph.pl): %.3f (goal <= 1.0: %s)\n", hb / fb, (hb <= fb ? "met" : "NOT met")
    }'
    echo "checks:"
    check_svg "$work/hzprof.svg" hzprof
    check_svg "$work/pl.svg" flamegraph.pl
    if [ "${hz[6]}" = "${fg[6]}" ]; then
        echo "  frames wider than $minwidth px: ${hz[6]} in both"
    else
        echo "  frames wider than $minwidth px: DIFFER: hzprof ${hz[6]}, flamegraph.pl ${fg[6]}"
        status=1
    fi
else
    echo "flamegraph.pl not given: pass its path as the second argument to compare"
    echo "checks:"
    check_svg "$work/hzprof.svg" hzprof
fi
exit $status
