#!/usr/bin/env bash
# e2e_bad_input.sh — the viewers on hostile and broken input (issue 14 #14, #15, #16): a
# clear one-line error and exit 1, or a correct answer, never a crash, an overflow or an
# unbounded allocation. Usage (from ctest):
#   e2e_bad_input.sh CASE HZPROF [FIXTURES_DIR]
# CASE is one of:
#   overflow          top with values near INT64_MAX: exact totals, percentages that add up
#   limits            pprof decoder limits, through `hzprof top`, on generated profiles
#   ids               location and function ids chosen to collide in a hash table
#   messages          what flame, top and score say about inputs they cannot use
#   results           report (each format) and plot on damaged results.json (issue 14 #13):
#                     one line naming the field, exit 1, nothing written
#   write_errors      report (md, latex, html), plot and flame writing to /dev/full: one
#                     line naming what could not be written, exit 1
#   fuzz_regressions  every input in FIXTURES_DIR (tests/fixtures/fuzz-regressions/, the
#                     crashes libFuzzer found) through `hzprof top` and `flame`: exit 1
#                     with one line, or, for those named *.valid.*, their output
set -euo pipefail
case_name=$1 hzprof=$2 fixtures=${3:-}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

fail() { echo "FAILED: $*" >&2; exit 1; }

# The command fails with exit 1 (not a signal, not a sanitizer report), prints exactly one
# line on stderr that contains WANT, and nothing on stdout.
expect_error() {
    local want=$1; shift
    local st=0
    "$hzprof" "$@" > out.txt 2> err.txt || st=$?
    [ "$st" -eq 1 ] || fail "'$*': exit $st, expected 1: $(head -c 2000 err.txt)"
    grep -qF -- "$want" err.txt || fail "'$*': expected '$want', got: $(head -c 2000 err.txt)"
    [ "$(wc -l < err.txt)" -eq 1 ] || fail "'$*': not one line: $(head -c 2000 err.txt)"
    [ ! -s out.txt ] || fail "'$*': wrote to stdout on error: $(head -c 500 out.txt)"
}

# Writes a gzipped protobuf to $1 from a Python expression $2 over the helpers below: v(n)
# a varint, f(field, payload) a length-delimited field.
gen_pprof() {
    python3 - "$1" "$2" <<'EOF'
import sys, zlib
def v(n):
    out = bytearray()
    while n >= 0x80:
        out.append(n & 0x7f | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)
def f(field, payload):
    return v(field << 3 | 2) + v(len(payload)) + payload
# Parts of a valid profile: the string table "", "samples", "count", "main"; a sample type
# (samples/count); function 1 (main); location 1 (a line in main); location 2 with n lines
# in main; a sample on locations ids with values vals.
strings = f(6, b"") + f(6, b"samples") + f(6, b"count") + f(6, b"main")
stype = f(1, v(1 << 3) + v(1) + v(2 << 3) + v(2))
func = f(5, v(1 << 3) + v(1) + v(2 << 3) + v(3))
line = f(4, v(1 << 3) + v(1))
loc = f(4, v(1 << 3) + v(1) + line)
def loc2(n):
    return f(4, v(1 << 3) + v(2) + line * n)
def sample(ids, vals):
    return f(2, f(1, b"".join(v(i) for i in ids)) + f(2, b"".join(v(x) for x in vals)))
data = eval(sys.argv[2])
z = zlib.compressobj(1, zlib.DEFLATED, 31)
with open(sys.argv[1], "wb") as out:
    out.write(z.compress(data) + z.flush())
EOF
}

case $case_name in
overflow)
    # Issue 14 #14: two samples of INT64_MAX overflowed the signed sums (total -2, flat%
    # -461168601842738790400.00%). The sums are exact now: 2^64 - 2 in all, half each.
    printf 'a;b 9223372036854775807\na;c 9223372036854775807\n' > max.folded
    "$hzprof" top max.folded > top.txt 2> err.txt || fail "top failed: $(cat err.txt)"
    cat top.txt
    grep -q '^Showing 3 of 3 functions, 18446744073709551614 of 18446744073709551614 total (samples)$' top.txt ||
        fail "wrong total"
    grep -Eq '^ *9223372036854775807 +50\.00% +50\.00% +9223372036854775807 +50\.00%  b$' top.txt ||
        fail "wrong row for b"
    grep -Eq '^ *9223372036854775807 +50\.00% +100\.00% +9223372036854775807 +50\.00%  c$' top.txt ||
        fail "wrong row for c"
    grep -Eq '^ *0 +0\.00% +100\.00% +18446744073709551614 +100\.00%  a$' top.txt ||
        fail "wrong row for a"
    ! grep -q -- '-' top.txt || fail "a negative number in the output"
    # The same in nanoseconds, from pprof: the unit formatting takes the wide sums too.
    gen_pprof max.pb.gz 'f(6, b"") + f(6, b"cpu") + f(6, b"nanoseconds") + f(6, b"main") + stype + func + loc + 2 * sample([1], [(1 << 63) - 1])'
    "$hzprof" top max.pb.gz > top.txt 2> err.txt || fail "top failed: $(cat err.txt)"
    cat top.txt
    grep -q '18446744073.71s of 18446744073.71s total (cpu)' top.txt || fail "wrong total in seconds"
    grep -Eq '^ *18446744073\.71s +100\.00% +100\.00% +18446744073\.71s +100\.00%  main$' top.txt ||
        fail "wrong row in seconds"
    ;;
limits)
    # Issue 14 #15: a gzip of one empty string-table entry repeated made top decode 512 M
    # strings into 12.9 GB. Each count is refused at its limit, before it is allocated,
    # with one line naming it. These inputs are small on disk and in memory now.
    gen_pprof strings.pb.gz '(f(6, b"") * ((1 << 24) + 1))'
    expect_error "refusing the profile: more than 16777216 strings (the decoder's limit)" top strings.pb.gz
    gen_pprof functions.pb.gz 'strings + f(5, b"") * ((1 << 24) + 1)'
    expect_error "more than 16777216 functions" top functions.pb.gz
    gen_pprof locations.pb.gz 'strings + f(4, b"") * ((1 << 24) + 1)'
    expect_error "more than 16777216 locations" top locations.pb.gz
    gen_pprof mappings.pb.gz 'strings + f(3, b"") * ((1 << 20) + 1)'
    expect_error "more than 1048576 mappings" top mappings.pb.gz
    gen_pprof samples.pb.gz 'strings + f(2, b"") * ((1 << 26) + 1)'
    expect_error "more than 67108864 samples" top samples.pb.gz
    gen_pprof types.pb.gz 'strings + stype * 1025'
    expect_error "more than 1024 sample types" top types.pb.gz
    gen_pprof values.pb.gz 'strings + stype + func + loc + sample([1], [1] * 1025)'
    expect_error "more than 1024 values in a sample" top values.pb.gz
    gen_pprof depth.pb.gz 'strings + stype + func + loc + sample([1] * ((1 << 20) + 1), [1])'
    expect_error "more than 1048576 locations in a sample" top depth.pb.gz
    # Unpacked, one field per location id: counted the same way.
    gen_pprof depth2.pb.gz 'strings + stype + func + loc + f(2, (v(1 << 3) + v(1)) * ((1 << 20) + 1) + f(2, v(1)))'
    expect_error "more than 1048576 locations in a sample" top depth2.pb.gz
    gen_pprof labels.pb.gz 'strings + stype + func + loc + f(2, f(1, v(1)) + f(2, v(1)) + f(3, b"") * 65537)'
    expect_error "more than 65536 labels in a sample" top labels.pb.gz
    gen_pprof lines.pb.gz 'strings + stype + func + loc2(65537)'
    expect_error "more than 65536 lines in a location" top lines.pb.gz
    gen_pprof comments.pb.gz 'strings + stype + f(13, v(1) * ((1 << 20) + 1))'
    expect_error "more than 1048576 comments" top comments.pb.gz
    # What the viewers walk: every sample's locations with their inlined lines. A location
    # of 65536 lines named 65 times is 4,259,840 frames from 65 bytes of samples (and 2^30
    # of them, in 1.4 KB of gzip, had flame allocate until the kernel killed it).
    gen_pprof frames.pb.gz 'strings + stype + func + loc2(65536) + sample([2] * 65, [1])'
    expect_error "more than 4194304 frames in the samples (inlined lines counted)" top frames.pb.gz
    expect_error "more than 4194304 frames in the samples (inlined lines counted)" flame frames.pb.gz -o f.svg
    # Just under every limit at once is a valid profile: 1024 sample types and values, a
    # sample 1,048,576 locations deep, 65536 labels and 65536 lines.
    gen_pprof under.pb.gz 'strings + stype * 1024 + func + loc + loc2(65536) + f(2, f(1, v(1) * ((1 << 20) - 1) + v(2)) + f(2, v(3) * 1024) + f(3, v(1 << 3) + v(1)) * 65536)'
    "$hzprof" top under.pb.gz > top.txt 2> err.txt || fail "under the limits: $(cat err.txt)"
    cat top.txt
    grep -Eq '^ +3 +100\.00% +100\.00% +3 +100\.00%  main$' top.txt || fail "under the limits: wrong output"
    ;;
ids)
    # Ids come from the file. The id indexes were hash tables with linear probing on a
    # fixed multiplicative hash: ids that all land in one slot made indexing quadratic
    # (100,000 such locations, 460 KB of gzip: 5 s in top; this 1,000,000: hours, past the
    # test's timeout). Sparse ids are now sorted and binary-searched; a sample on every
    # 1000th location, each in a function of its own, checks the lookups are right.
    gen_pprof ids.pb.gz '(lambda C: (lambda ids: strings + stype + b"".join(f(5, v(1 << 3) + v(i) + v(2 << 3) + v(3)) + f(4, v(1 << 3) + v(i) + f(4, v(1 << 3) + v(i))) for i in ids) + sample(ids[::1000], [7]))([(j << 41) * C % (1 << 64) for j in range(1, 1000001)]))(pow(0x9e3779b97f4a7c15, -1, 1 << 64))'
    "$hzprof" top ids.pb.gz > top.txt 2> err.txt || fail "colliding ids: $(cat err.txt)"
    cat top.txt
    grep -Eq '^ +7 +100\.00% +100\.00% +7 +100\.00%  main$' top.txt || fail "colliding ids: wrong output"
    grep -q '^Showing 1 of 1 functions, 7 of 7 total (samples)$' top.txt || fail "colliding ids: wrong total"
    ;;
messages)
    # Issue 14 #16: a pprof without sample types: flame exited 1 silently, top printed
    # "no sample type '(null)'".
    gen_pprof none.pb.gz 'f(6, b"")'
    expect_error "'none.pb.gz' has no sample types (no values to show)" top none.pb.gz
    expect_error "'none.pb.gz' has no sample types (no values to show)" flame none.pb.gz -o none.svg
    [ ! -e none.svg ] || fail "flame wrote an SVG of nothing"
    expect_error "no sample type 'cpu' in 'none.pb.gz' (it has none)" top none.pb.gz --sample-type cpu
    printf 'a;b 3\n' > one.folded
    expect_error "no sample type 'cpu' in 'one.folded' (it has: samples)" top one.folded --sample-type cpu
    expect_error "no sample type 'cpu' in 'one.folded' (it has: samples)" flame one.folded -o x.svg --sample-type cpu
    expect_error "--diff: 'none.pb.gz' has no sample types (no values to show)" flame one.folded --diff none.pb.gz -o x.svg
    # score: invalid JSON is named as such, with where it breaks; valid JSON that is not a
    # truth run is told apart.
    printf '{"result": {"truth":\n  {"cpu": {"hot": 50,}}}}\n' > bad.json
    expect_error "'bad.json' is not valid JSON (line 2, column 23: near '}}}')" score one.folded bad.json
    printf '{"result": {"truth": {"cpu": {"hot": 5' > cut.json
    expect_error "'cut.json' is not valid JSON (line 1, column 39: it ends early)" score one.folded cut.json
    printf ' \n' > empty.json
    expect_error "'empty.json' is not valid JSON (empty file)" score one.folded empty.json
    printf '{"result": {"truth": {"cpu": {"hot": 50}}}} trailing\n' > trail.json
    expect_error "'trail.json' is not valid JSON (line 1, column 45: near 'trailing')" score one.folded trail.json
    printf '{"result": {"truth": {"cpu": {"hot": 50}}}}\0{\n' > nul.json
    expect_error "'nul.json' is not valid JSON (line 1, column 44: a NUL byte" score one.folded nul.json
    printf '{"result": {}}\n' > other.json
    expect_error "'other.json' has no result.truth.cpu object (valid JSON, but not the output of a truth workload run?)" \
        score one.folded other.json
    printf '{"result": {"truth": {"cpu": {"hot": 50}}}}\n' > cpu.json
    expect_error "'cpu.json' has no result.truth.wall object (it has: cpu)" score one.folded cpu.json --kind wall
    expect_error "cannot read 'missing.json': No such file or directory" score one.folded missing.json
    ;;
results)
    # A results.json is checked against its schema on load (harness/results_load.c).
    good="$fixtures/../../fuzz/corpus/results/quick.json"
    [ -f "$good" ] || fail "no seed '$good'"
    mkdir run && cp "$good" run/results.json
    "$hzprof" report run > out.txt 2> err.txt || fail "report on a good run: $(cat err.txt)"
    # edit DIR STATEMENT: a copy of the good run changed by a Python statement on d.
    edit() {
        mkdir -p "$1"
        python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
exec(sys.argv[3])
json.dump(d, open(sys.argv[2], "w"))' "$good" "$1/results.json" "$2"
    }
    edit nomachine 'del d["machine"]'
    edit nobuild 'd["build"] = 3'
    edit noconfigs 'del d["summary"]["configs"]'
    edit noworkload 'del d["summary"]["configs"][1]["workload"]'
    edit badworkload 'd["summary"]["configs"][1]["workload"] = 7'
    edit nocost 'del d["summary"]["cost_per_sample"]'
    edit badpaired 'd["summary"]["configs"][2]["paired"]["text"] = None'
    edit badrates 'd["config"]["rates"] = ["x"]'
    edit newer 'd["schema_version"] = 2'
    edit notresults 'd = {"hello": 1}'
    printf '{"schema_version": 1, "summary": {' > cut.json
    for f in report "report --format html" "report --format latex" plot; do
        # shellcheck disable=SC2086
        set -- $f
        expect_error "'nomachine/results.json': machine: missing" "$@" nomachine
        expect_error "'nobuild/results.json': build: expected an object" "$@" nobuild
        expect_error "summary.configs: missing" "$@" noconfigs
        expect_error "summary.configs[1].workload: missing" "$@" noworkload
        expect_error "summary.configs[1].workload: expected a string" "$@" badworkload
        expect_error "summary.cost_per_sample: missing" "$@" nocost
        expect_error "summary.configs[2].paired.text: expected a string" "$@" badpaired
        expect_error "config.rates: expected an array of numbers" "$@" badrates
        expect_error "schema_version 2: this hzprof reads version 1 (results from a newer hzprof)" "$@" newer
        expect_error "not a results.json of hzprof bench" "$@" notresults
        expect_error "'cut.json' is not JSON" "$@" cut.json
        [ ! -e nomachine/index.html ] && [ ! -e nomachine/plots ] || fail "$f wrote output for a bad run"
        echo "ok: $f"
    done
    ;;
write_errors)
    # Issue 17: a write that fails is an error (one line, exit 1), never a report, chart or
    # graph silently cut short. /dev/full fails every write with ENOSPC: as stdout, and as
    # an output file through a link to it. (A .dat cut short that way made plot run
    # gnuplot on /dev/full, which reads zeros forever.)
    good="$fixtures/../../fuzz/corpus/results/quick.json"
    [ -f "$good" ] || fail "no seed '$good'"
    mkdir run && cp "$good" run/results.json
    printf 'a;b 3\n' > one.folded
    # expect_error with stdout on /dev/full.
    expect_full() {
        local want=$1; shift
        local st=0
        "$hzprof" "$@" > /dev/full 2> err.txt || st=$?
        [ "$st" -eq 1 ] || fail "'$*' > /dev/full: exit $st, expected 1: $(head -c 2000 err.txt)"
        grep -qF -- "$want" err.txt || fail "'$*' > /dev/full: expected '$want', got: $(head -c 2000 err.txt)"
        [ "$(wc -l < err.txt)" -eq 1 ] || fail "'$*' > /dev/full: not one line: $(head -c 2000 err.txt)"
        echo "ok: $* > /dev/full: $(cat err.txt)"
    }
    expect_full "hzprof report: cannot write to stdout: No space left on device" report run
    expect_full "hzprof report: cannot write to stdout: No space left on device" report run run
    expect_full "hzprof report: cannot write to stdout: No space left on device" report run --format latex
    expect_full "hzprof flame: cannot write '-': No space left on device" flame one.folded -o -
    ln -s /dev/full run/index.html
    expect_error "hzprof report: cannot write 'run/index.html': No space left on device" \
        report run --format html -f
    [ ! -e run/index.html ] && [ ! -L run/index.html ] || fail "report left an index.html cut short"
    # A flame graph the page links that cannot be written (its path a link into a missing
    # directory) fails the page too, where it used to be left out silently.
    mkdir -p flamed/profiles
    python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
d["trials"][0]["profile"] = "profiles/trial-0.pb.gz"
json.dump(d, open(sys.argv[2], "w"))' "$good" flamed/results.json
    gen_pprof flamed/profiles/trial-0.pb.gz 'strings + stype + func + loc + sample([1], [1])'
    ln -s nowhere/trial-0.svg flamed/profiles/trial-0.svg
    expect_error "hzprof report: cannot write 'flamed/profiles/trial-0.svg': No such file or directory" \
        report flamed --format html
    [ ! -e flamed/index.html ] || fail "report left an index.html cut short"
    rm flamed/profiles/trial-0.svg
    "$hzprof" report flamed --format html > out.txt 2> err.txt || fail "report with a flame graph: $(cat err.txt)"
    grep -q 'href="profiles/trial-0.svg"' flamed/index.html || fail "the page does not link the flame graph"
    for f in achieved-rate.dat overhead-matmul-l2.dat cost-matmul-l2.gp; do
        rm -rf plots && mkdir plots && ln -s /dev/full "plots/$f"
        expect_error "hzprof plot: cannot write 'plots/$f': No space left on device" plot run -o plots
        [ ! -e "plots/${f%.*}.svg" ] || fail "plot drew ${f%.*} from a file cut short"
        echo "ok: plot through plots/$f"
    done
    ;;
fuzz_regressions)
    # Inputs that crashed a fuzz target (tests/fuzz/, scripts/fuzz.sh), gzipped where the
    # target read raw protobuf, so that the tools decode them as pprof. Each is an error
    # now, in one line, from top and from flame; those named *.valid.* are valid profiles
    # that both show.
    [ -d "$fixtures" ] || fail "no directory '$fixtures'"
    n=0
    for input in "$fixtures"/*; do
        [ -f "$input" ] || continue
        case ${input##*/} in
        README.md) continue ;;
        config-*.json) # a bench configuration that crashed fuzz_config: refused, exit 2
            st=0
            "$hzprof" bench "$input" --dry-run > out.txt 2> err.txt || st=$?
            [ "$st" -eq 2 ] && [ "$(wc -l < err.txt)" -eq 1 ] && grep -qF -- "$input" err.txt ||
                fail "bench $input: exit $st: $(head -c 2000 err.txt)"
            echo "ok: ${input##*/}: $(cat err.txt)"
            ;;
        results-*.json) # a results.json that crashed fuzz_results: refused by report
            expect_error "'$input'" report "$input"
            echo "ok: ${input##*/}: $(cat err.txt)"
            ;;
        *.valid.*)
            st=0
            "$hzprof" top "$input" > out.txt 2> err.txt || st=$?
            [ "$st" -eq 0 ] && [ ! -s err.txt ] && grep -q '^Showing ' out.txt ||
                fail "top $input: exit $st: $(head -c 2000 err.txt)"
            echo "ok: ${input##*/}: $(head -1 out.txt)"
            st=0
            "$hzprof" flame "$input" -o out.svg -f > out.txt 2> err.txt || st=$?
            [ "$st" -eq 0 ] && [ ! -s err.txt ] && [ -s out.svg ] ||
                fail "flame $input: exit $st: $(head -c 2000 err.txt)"
            ;;
        *)
            expect_error "'$input'" top "$input"
            echo "ok: ${input##*/}: $(cat err.txt)"
            expect_error "'$input'" flame "$input" -o out.svg -f
            ;;
        esac
        n=$((n + 1))
    done
    echo "$n inputs"
    ;;
*) fail "unknown case '$case_name'" ;;
esac
echo "PASS: $case_name"
