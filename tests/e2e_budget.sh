#!/usr/bin/env bash
# e2e_budget.sh — budget mode (hzprof_config.max_overhead) from the outside: `hzprof record
# --max-overhead`, HZPROF_MAX_OVERHEAD and HZPROF_COST_FILE of the preload library, and
# the bench summary's "Budget mode: predicted vs measured". Usage (from ctest):
#   e2e_budget.sh CASE HZPROF REC_HOT FILE
# FILE: for summary, the results fixture; otherwise a cost file from before budget mode
# (results/reference/cost.json), which has no figure budget mode can use.
# CASE is one of:
#   flags    record refuses every nonsense budget (and -F with it, --cost without it, cost
#            files it cannot use) in one line, exit 2, before PROG starts
#   env      the preload library refuses the same in HZPROF_MAX_OVERHEAD and
#            HZPROF_COST_FILE in one line and runs the program unprofiled
#   record   record --max-overhead 1% calibrates, prints the chosen rate and the predicted
#            overhead, and the pprof comments hold them; with --cost the choice is exact
#   summary  hzprof report renders the budget section of a hand-made results.json
#            (FILE) and refuses a damaged one
set -euo pipefail
case_name=$1 hzprof=$2 rec_hot=$3 file=$4
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" # see e2e_record.sh
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

fail() { echo "FAILED: $*" >&2; exit 1; }

# The command fails with status WANT_STATUS and one line on stderr that contains WANT.
expect_error() {
    local status=$1 want=$2; shift 2
    local st=0
    "$hzprof" "$@" > out.txt 2> err.txt || st=$?
    [ "$st" -eq "$status" ] || fail "'$*': exit $st, expected $status: $(cat err.txt)"
    grep -qF -- "$want" err.txt || fail "'$*': expected '$want', got: $(cat err.txt)"
    [ "$(wc -l < err.txt)" -eq 1 ] || fail "'$*': not one line: $(cat err.txt)"
}

# A cost file as `hzprof cost --json` writes it, with one calibrated row.
cost_file() { # PATH SAMPLER UNWINDER COST_NS
    cat > "$1" <<EOF
{"schema": "hzprof.cost/1", "calibrated": [
 {"sampler": "$2", "unwinder": "$3", "cost_ns": $4, "handler_ns": 900, "achieved_hz": 3990,
  "ceiling_hz": 0, "test_rate_hz": 4000, "pairs": 7}]}
EOF
}

# The strings of a gzipped pprof file (its comments are in the string table).
pprof_strings() {
    python3 -c 'import gzip, sys; sys.stdout.write(gzip.open(sys.argv[1]).read().decode("latin-1"))' "$1"
}

reference=$file fixture=$file

case $case_name in
flags)
    for bad in "" abc 0 0% 0.0 -1 +1 60% 50.01 nan inf 1e0 " 1" "1 " 1%% 1%x 1.2.3 . 1,5; do
        expect_error 2 "--max-overhead: '$bad' is not an overhead budget (a percentage above 0 and at most 50, like 1% or 0.5%)" \
            record --max-overhead "$bad" -o p.pb.gz -- "$rec_hot" t.txt
    done
    expect_error 2 "-F and --max-overhead both given: give a rate, or a budget (which chooses the rate), not both" \
        record -F 100 --max-overhead 1% -- "$rec_hot" t.txt
    expect_error 2 "-F and --max-overhead both given" record --max-overhead 1 -F 250 -- "$rec_hot" t.txt
    expect_error 2 "--cost needs --max-overhead" record --cost x.json -- "$rec_hot" t.txt
    expect_error 2 "--cost: cannot read 'missing.json': No such file or directory" \
        record --max-overhead 1% --cost missing.json -- "$rec_hot" t.txt
    echo '{"hello": 1}' > other.json
    expect_error 2 "is not a file of \`hzprof cost --json\` (schema hzprof.cost/1)" \
        record --max-overhead 1% --cost other.json -- "$rec_hot" t.txt
    # A cost file from before budget mode has only the handler's time per sampler: not
    # the cost of a sample, and said so.
    expect_error 2 "has no cost per sample usable for budget mode: its figures per sampler (samplers[].handler_ns_mean) are the time inside the handler only" \
        record --max-overhead 1% --cost "$reference" -- "$rec_hot" t.txt
    cost_file c.json perf-clock fp 55000
    expect_error 2 "has no calibrated cost for thread-timer/libunwind (it has: perf-clock/fp)" \
        record --max-overhead 1% --cost c.json -- "$rec_hot" t.txt
    expect_error 2 "unknown sampler 'manual'" record --max-overhead 1% --sampler manual -- "$rec_hot" t.txt
    [ ! -e t.txt ] || fail "PROG ran despite a bad flag"
    # The workloads (what the bench runs) take the same budgets, and refuse the same.
    matmul=$(dirname "$hzprof")/matmul
    for args in "--max-overhead abc" "--max-overhead 60%" "--hz 100 --max-overhead 1%" "--max-overhead 1 --hz 100"; do
        st=0
        # shellcheck disable=SC2086
        "$matmul" --n 32 --reps 1 --sampler perf-clock $args > out.txt 2> err.txt || st=$?
        [ "$st" -eq 2 ] && [ "$(wc -l < err.txt)" -eq 1 ] && [ ! -s out.txt ] ||
            fail "matmul $args: exit $st: $(cat err.txt)"
        grep -Eq "is not an overhead budget|--hz and --max-overhead both given" err.txt ||
            fail "matmul $args: $(cat err.txt)"
    done
    echo PASS
    ;;
env)
    preload=$(dirname "$(dirname "$hzprof")")/lib/libhzprof_preload.so
    [ -f "$preload" ] || fail "no $preload"
    # PROG runs, unprofiled, after one line that names the variable.
    expect_env() { # WANT VAR=VALUE...
        local want=$1; shift
        env "$@" LD_PRELOAD="$preload" HZPROF_OUTPUT="$PWD/never.pb.gz" /bin/sh -c 'echo ran' \
            > out.txt 2> err.txt || fail "$*: the program failed: $(cat err.txt)"
        [ "$(cat out.txt)" = ran ] || fail "$*: the program did not run"
        grep -qF -- "$want" err.txt || fail "$*: expected '$want', got: $(cat err.txt)"
        [ "$(wc -l < err.txt)" -eq 1 ] || fail "$*: not one line: $(cat err.txt)"
        [ ! -e never.pb.gz ] || fail "$*: a profile was written"
    }
    for bad in abc 0 0% -1 60% nan inf 1e0 " 1" 1%x .; do
        expect_env "hzprof: HZPROF_MAX_OVERHEAD='$bad' is not an overhead budget (a percentage above 0 and at most 50, like 1% or 0.5%); not profiling" \
            HZPROF_MAX_OVERHEAD="$bad"
    done
    expect_env "hzprof: HZPROF_RATE and HZPROF_MAX_OVERHEAD are both set: give a rate or a budget (which chooses the rate), not both; not profiling" \
        HZPROF_MAX_OVERHEAD=1% HZPROF_RATE=100
    expect_env "hzprof: HZPROF_COST_FILE is set without HZPROF_MAX_OVERHEAD" HZPROF_COST_FILE=c.json
    expect_env "hzprof: HZPROF_COST_FILE: cannot read 'missing.json'" \
        HZPROF_MAX_OVERHEAD=1% HZPROF_COST_FILE=missing.json
    expect_env "has no cost per sample usable for budget mode" \
        HZPROF_MAX_OVERHEAD=1% HZPROF_COST_FILE="$reference"
    expect_env "hzprof: not profiling: invalid configuration: budget mode needs a timer" \
        HZPROF_MAX_OVERHEAD=1% HZPROF_SAMPLER=manual
    # A cost the budget cannot pay, even at 1 Hz: refused with the figures.
    cost_file huge.json thread-timer libunwind 2e7
    expect_env "hzprof: not profiling: overhead budget cannot be met: a sample costs 20000 us of CPU here, so even 1 Hz adds 2%, above the budget of 1%" \
        HZPROF_MAX_OVERHEAD=1% HZPROF_COST_FILE="$PWD/huge.json"
    echo PASS
    ;;
record)
    # Calibrated: a chosen rate and a predicted overhead within the budget, printed above
    # the summary line, and the same in the profile's comments.
    "$hzprof" record --max-overhead 1% --sampler perf-clock -o cal.pb.gz -- "$rec_hot" t.txt \
        2> record.err || fail "record: $(cat record.err)"
    cat record.err
    line=$(grep '^hzprof record: budget 1%: ' record.err) || fail "no budget line"
    rate=$(sed -n 's/^hzprof record: budget 1%: \([0-9]*\) Hz chosen (perf-clock\/libunwind: [0-9.]* us of CPU per sample, calibrated), predicted overhead \([0-9.]*\)%$/\1/p' <<< "$line")
    predicted=$(sed -n 's/.*, predicted overhead \([0-9.]*\)%$/\1/p' <<< "$line")
    [ -n "$rate" ] && [ -n "$predicted" ] || fail "budget line not as expected: $line"
    [ "$rate" -ge 1 ] && [ "$rate" -le 10000 ] || fail "chosen rate $rate"
    awk -v p="$predicted" 'BEGIN { exit !(p > 0 && p <= 1.005) }' || fail "predicted $predicted% over 1%"
    grep -q "samples (0 lost)" record.err || fail "no summary line"
    pprof_strings cal.pb.gz > strings.txt
    grep -aEq "budget: max_overhead=1% chosen_rate=${rate}Hz predicted_overhead=[0-9.e-]+% cost_per_sample=[0-9]+ns \(calibrated\)" strings.txt ||
        fail "the pprof comments lack the budget: $(grep -a budget strings.txt)"
    grep -aq "sampler=perf-clock unwinder=libunwind rate=${rate}Hz" strings.txt || fail "settings comment"
    if command -v go > /dev/null; then # go tool pprof reads the same comments
        export PPROF_TMPDIR="${TMPDIR:-/tmp}" HOME="${HOME:-/tmp}"
        go tool pprof -comments cal.pb.gz > comments.txt 2>&1 || fail "go tool pprof: $(cat comments.txt)"
        grep -q "chosen_rate=${rate}Hz" comments.txt || fail "go tool pprof -comments: $(cat comments.txt)"
    fi
    # A given cost: no calibration, an exact choice (1% of a second over 100 us: 100 Hz).
    cost_file c.json perf-clock libunwind 100000
    "$hzprof" record --max-overhead 1% --cost c.json --sampler perf-clock -o given.pb.gz -- \
        "$rec_hot" t.txt 2> record.err || fail "record --cost: $(cat record.err)"
    grep -qx "hzprof record: budget 1%: 100 Hz chosen (perf-clock/libunwind: 100.0 us of CPU per sample, from the cost file), predicted overhead 1.00%" record.err ||
        fail "record --cost: $(cat record.err)"
    pprof_strings given.pb.gz | grep -aq "budget: max_overhead=1% chosen_rate=100Hz predicted_overhead=1% cost_per_sample=100000ns (given)" ||
        fail "the comments of a given cost: $(pprof_strings given.pb.gz | grep -a budget)"
    # A tick sampler: the prediction is at the rate it reaches, and the line says why.
    cost_file tick.json thread-timer fp 4000
    sed -i 's/"ceiling_hz": 0/"ceiling_hz": 250/' tick.json
    "$hzprof" record --max-overhead 0.5 --cost tick.json --unwinder fp -o tick.pb.gz -- \
        "$rec_hot" t.txt 2> record.err || fail "record (tick): $(cat record.err)"
    grep -qx "hzprof record: budget 0.5%: 1250 Hz chosen (thread-timer/fp: 4.0 us of CPU per sample, from the cost file); thread-timer reached only 250 Hz in calibration (a tick sampler: CONFIG_HZ), so predicted overhead 0.10%" record.err ||
        fail "record (tick): $(cat record.err)"
    # The budget is the program's: without it nothing is said of one.
    "$hzprof" record -F 100 -o plain.pb.gz -- "$rec_hot" t.txt 2> record.err || fail "record -F"
    ! grep -q budget record.err || fail "a budget line without a budget: $(cat record.err)"
    ! pprof_strings plain.pb.gz | grep -aq "budget:" || fail "a budget comment without a budget"
    echo PASS
    ;;
summary)
    [ -f "$fixture" ] || fail "no fixture '$fixture'"
    mkdir run && cp "$fixture" run/results.json
    "$hzprof" report run > report.md 2> err.txt || fail "report: $(cat err.txt)"
    sed -n '/^## Budget mode/,/^## /p' report.md
    grep -qx "## Budget mode: predicted vs measured" report.md || fail "no budget section"
    for row in \
        "| mm | perf-clock | fp | 1 | 181 | 180 | 55.1 | 1.00 | 0.91 [0.62, 1.24] | 8 | within |" \
        "| mm | perf-clock | fp | 0.5 | 90 | 90 | 55.4 | 0.50 | 1.31 [1.08, 1.60] | 8 | above, **over budget** |" \
        "| mm | thread-timer | fp | 1 | 1879 | 248 | 5.3 | 0.13 | *0.20 [-0.90, 1.10]* | 8 | within |" \
        "| split | perf-clock | fp | 1 | 176 | 174 | 56.8 | 1.00 | 0.41 [0.22, 0.63] | 8 | below |" \
        "| split | wall | fp | 1 | 141 | 140 | 70.4 | 0.99 | *1.20 [0.10, 2.30]* | 3 | no interval |" \
        "| mm | itimer | fp | 1 | **failed**: calibration: the itimer sampler took no sample | - | - | - | - | - | no trials |" \
        "- mm itimer/fp budget 1%: failed: calibration: the itimer sampler took no sample (2 trials)"; do
        grep -qxF -- "$row" report.md || fail "missing row: $row"
    done
    # Without budgets there is no section.
    mkdir plain && python3 -c 'import json, sys
d = json.load(open(sys.argv[1])); del d["summary"]["budget"]; json.dump(d, open(sys.argv[2], "w"))' \
        "$fixture" plain/results.json
    "$hzprof" report plain > plain.md || fail "report without budgets"
    ! grep -q "Budget mode" plain.md || fail "a budget section without budgets"
    # A damaged row is refused in one line naming the field, as every results field is.
    mkdir bad && python3 -c 'import json, sys
d = json.load(open(sys.argv[1])); del d["summary"]["budget"][1]["verdict"]; json.dump(d, open(sys.argv[2], "w"))' \
        "$fixture" bad/results.json
    expect_error 1 "summary.budget[1].verdict: missing" report bad
    echo PASS
    ;;
*)
    fail "unknown case '$case_name'"
    ;;
esac
