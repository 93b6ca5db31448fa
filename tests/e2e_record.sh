#!/usr/bin/env bash
# e2e_record.sh — `hzprof record` on programs it did not build, read back with go tool pprof
# and our own tools. Usage (from ctest):
#   e2e_record.sh CASE HZPROF REC_HOT REC_HOT_NOFP REC_THREADS REC_FORKEXEC REC_FOREVER
#                 REC_SMALLSTACK REC_SIGPROF
# CASE is one of: pprof, nofp, threads, forkexec, unprofiled, hostile, sigterm, errors,
# smallstack.
# Exit 77 (skip) when a case needs `go` and it is not installed.
set -euo pipefail
case_name=$1 hzprof=$2 rec_hot=$3 rec_hot_nofp=$4 rec_threads=$5 rec_forkexec=$6 rec_forever=$7 rec_smallstack=$8 rec_sigprof=$9
# In the sanitizer build every program carries libasan, which insists on coming first in
# the library list; LD_PRELOAD puts libhzprof_preload.so before it. Harmless otherwise.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
export PPROF_TMPDIR="${TMPDIR:-/tmp}" HOME="${HOME:-/tmp}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

fail() { echo "FAILED: $*" >&2; exit 1; }
need_go() { command -v go >/dev/null || { echo "SKIP: go (golang-go) not installed"; exit 77; }; }
# flat% of function $2 in `go tool pprof -top` output file $1 (0 if absent)
flat_pct() { awk -v f="$2" '$6 == f { sub("%", "", $2); print $2; found=1 } END { if (!found) print 0 }' "$1"; }
within() { awk -v a="$1" -v b="$2" -v d="$3" 'BEGIN { x = a - b; if (x < 0) x = -x; exit !(x <= d) }'; }

case $case_name in
pprof)
    # Acceptance 1: go tool pprof reads the file; the static hot function is on top with
    # the expected share (+-5 points of its measured CPU share), with file and line.
    need_go
    "$hzprof" record -F 250 -o cpu.pb.gz -- "$rec_hot" truth.txt 2> record.err || fail "record: $(cat record.err)"
    cat record.err
    grep -q "samples (0 lost)" record.err || fail "summary line missing"
    go tool pprof -top cpu.pb.gz > top.txt 2> top.err || fail "go tool pprof -top: $(cat top.err)"
    go tool pprof -raw cpu.pb.gz > raw.txt 2> raw.err || fail "go tool pprof -raw: $(cat raw.err)"
    [ ! -s top.err ] || fail "go tool pprof complained: $(cat top.err)"
    cat top.txt
    first=$(awk '/flat%/ { getline; print $6; exit }' top.txt)
    [ "$first" = hot_static ] || fail "top function is '$first', expected hot_static"
    truth=$(awk '$1 == "hot_static" { print $2 }' truth.txt)
    got=$(flat_pct top.txt hot_static)
    echo "hot_static: profile ${got}%, measured ${truth}%"
    within "$got" "$truth" 5 || fail "hot_static share ${got}% vs measured ${truth}%"
    grep -Eq "hot_static .*rec_hot\.c:[0-9]+" raw.txt || fail "no file:line for hot_static in -raw"
    grep -Eq "warm_step .*rec_hot\.c:[0-9]+" raw.txt || fail "the inlined warm_step is not expanded"
    grep -q "warm_step (inline)" top.txt || fail "go tool pprof does not see warm_step as inlined"
    grep -q "^Mappings" raw.txt || fail "no mappings"
    # Our own reader and top agree with go tool pprof.
    "$hzprof" top cpu.pb.gz -n 1 > ours.txt
    grep -q "hot_static" ours.txt || fail "hzprof top disagrees: $(cat ours.txt)"
    ;;
nofp)
    # Acceptance 2: no frame pointers, no debug info. libunwind: full stacks from the
    # unwind tables; fp: at least the leaf; names from the symbol table.
    for unwinder in libunwind fp; do
        "$hzprof" record -F 250 --unwinder "$unwinder" -o none --folded "$unwinder.folded" \
            -- "$rec_hot_nofp" truth.txt 2> record.err || fail "record: $(cat record.err)"
        total=$(awk '{ s += $NF } END { print s }' "$unwinder.folded")
        leaf=$(awk '{ n = split($1, f, ";"); if (f[n] == "hot_static") s += $NF } END { print s+0 }' "$unwinder.folded")
        full=$(awk '$1 ~ /(^|;)main;hot_static$/ { s += $NF } END { print s+0 }' "$unwinder.folded")
        echo "$unwinder: $total samples, $leaf with leaf hot_static, $full of them main;hot_static"
        [ "$leaf" -gt 0 ] || fail "$unwinder: hot_static not resolved as a leaf"
        within "$(awk -v l="$leaf" -v t="$total" 'BEGIN { print 100*l/t }')" \
               "$(awk '$1 == "hot_static" { print $2 }' truth.txt)" 5 ||
            fail "$unwinder: hot_static share off"
        if [ "$unwinder" = libunwind ]; then
            [ "$full" -ge $((leaf * 95 / 100)) ] || fail "libunwind: stacks not complete ($full of $leaf)"
        fi
    done
    ;;
threads)
    # Acceptance 3: threads created after start all sampled; labels are pprof labels.
    need_go
    "$hzprof" record -F 250 -o mt.pb.gz --folded mt.folded -- "$rec_threads" 2> record.err ||
        fail "record: $(cat record.err)"
    cat record.err
    for fn in work_zero work_one work_two; do
        n=$(awk -v f="$fn" '$1 ~ ("(^|;)" f "$") { s += $NF } END { print s+0 }' mt.folded)
        echo "$fn: $n samples"
        [ "$n" -gt 20 ] || fail "thread running $fn has $n samples"
    done
    go tool pprof -tags mt.pb.gz > tags.txt 2>&1 || fail "go tool pprof -tags: $(cat tags.txt)"
    cat tags.txt
    for w in 0 1 2; do
        grep -Eq "^ +[0-9.]+m?s .*: $w$" tags.txt || fail "label worker=$w missing"
    done
    grep -q "worker:" tags.txt || fail "no worker tag"
    ;;
forkexec)
    # Acceptance 5: forks and execs /bin/true in a loop while profiled, and finishes.
    "$hzprof" record -F 1000 --sampler itimer -o fe.pb.gz -- "$rec_forkexec" 2> record.err ||
        fail "record exited $?: $(cat record.err)"
    cat record.err
    "$hzprof" top fe.pb.gz -n 3 | grep -q main || fail "no samples of main"
    "$hzprof" record -F 1000 --sampler perf-clock -o fe2.pb.gz -- "$rec_forkexec" 2> record.err ||
        fail "record (perf-clock) exited $?: $(cat record.err)"
    # Issue 14 #10: execs that fail (no such file, on no PATH entry) do not end profiling:
    # the work after them is in the profile, and nothing is said.
    "$hzprof" record -F 1000 --sampler perf-clock -o none --folded fx.folded -- \
        "$rec_forkexec" failexec 2> record.err || fail "record (failexec) exited $?: $(cat record.err)"
    cat record.err
    after=$(awk '$1 ~ /(^|;)after_failed_exec$/ { s += $NF } END { print s+0 }' fx.folded)
    echo "after_failed_exec: $after samples"
    [ "$after" -gt 20 ] || fail "a failed exec ended profiling ($after samples after it)"
    ! grep -q "exec of" record.err || fail "a foreseen failure was reported: $(cat record.err)"
    # One it cannot foresee (an executable file that is no program) is said, not silent.
    printf 'garbage\n' > notexec && chmod +x notexec
    "$hzprof" record -F 1000 --sampler perf-clock -o none --folded fy.folded -- \
        "$rec_forkexec" failexec "$PWD/notexec" 2> record.err || fail "record (notexec) exited $?: $(cat record.err)"
    grep -q "hzprof: exec of '$PWD/notexec' failed (Exec format error) after the profile was written" record.err ||
        fail "an unforeseen exec failure was silent: $(cat record.err)"
    ;;
unprofiled)
    # Issue 14 #18: a program preloaded but not profiled (a child that inherited
    # LD_PRELOAD: HZPROF_PID names another process) pays nothing per thread: its threads
    # are not registered (no alternate stack, no unwinder warm-up). Profiled, they are.
    probe=$(dirname "$rec_hot")/rec_threadprobe
    preload=$(dirname "$(dirname "$hzprof")")/lib/libhzprof_preload.so
    [ -f "$preload" ] || fail "no $preload"
    export ASAN_OPTIONS="$ASAN_OPTIONS:use_sigaltstack=0" # ASan gives every thread one of its own
    out=$(LD_PRELOAD="$preload" HZPROF_PID=1 HZPROF_OUTPUT="$PWD/never.pb.gz" "$probe")
    [ "$out" = "not registered" ] || fail "unprofiled: the thread was registered ($out)"
    [ ! -e never.pb.gz ] || fail "unprofiled: a profile was written"
    out=$("$hzprof" record -o p.pb.gz -- "$probe" 2> record.err) || fail "record: $(cat record.err)"
    [ "$out" = registered ] || fail "profiled: the thread was not registered ($out)"
    # Issue 14 #19: threads shorter than a period are never sampled by a per-thread CPU
    # timer; their CPU is accounted for, not lost silently.
    short=$(dirname "$rec_hot")/rec_shortthreads
    truth=$("$hzprof" record -F 1000 --sampler perf-clock -o none --folded st.folded -- "$short" 2> record.err) ||
        fail "record: $(cat record.err)"
    cat record.err
    said=$(sed -n 's/.*, \([0-9.]*\) CPU s ([0-9]*%) in exited threads after their last sample.*/\1/p' record.err)
    [ -n "$said" ] || fail "short threads' CPU not accounted for: $(cat record.err)"
    echo "threads' CPU: measured $truth s, accounted as unsampled $said s"
    # Within 10 %: the accounting starts once the thread's timer is armed (arming is the
    # profiler's own CPU, before any timer could sample; counted, it made 1.07-1.26 x).
    awk -v a="$said" -v t="$truth" 'BEGIN { exit !(a >= 0.5 * t && a <= 1.1 * t) }' ||
        fail "unsampled $said s vs the threads' $truth s"
    ;;
hostile)
    # Issue 14, "keep them fixed": programs that do what profilers dislike behave exactly
    # as unprofiled (exit status, and output where it is deterministic) under the sampler
    # that interrupts the most (wall) and a per-thread CPU one, and the summary is there.
    short=$(dirname "$rec_hot")/rec_shortthreads
    run_both() { # NAME COMPARE_OUTPUT PROG ARGS...
        local name=$1 compare=$2; shift 2
        set +e
        "$@" > plain.out 2> plain.err
        local want=$?
        set -e
        for sampler in wall perf-clock; do
            set +e
            "$hzprof" record -F 1000 --sampler $sampler -o none --folded h.folded -f -- "$@" \
                > prof.out 2> prof.err
            local got=$?
            set -e
            [ "$got" -eq "$want" ] || fail "$name ($sampler): exit $got, unprofiled $want: $(cat prof.err)"
            if [ "$compare" = yes ]; then
                cmp -s plain.out prof.out || fail "$name ($sampler): output differs: $(head -3 prof.out)"
            fi
            grep -q "^hzprof record: " prof.err || fail "$name ($sampler): no summary: $(cat prof.err)"
            echo "$name ($sampler): exit $got as unprofiled; $(grep '^hzprof record: ' prof.err | head -1)"
        done
    }
    run_both "fork and exec in a loop" yes "$rec_forkexec"
    run_both "fork storm" yes bash -c 'for i in $(seq 100); do /bin/true & done; wait; echo done'
    run_both "failed execs" yes "$rec_forkexec" failexec
    run_both "own SIGPROF handler" yes "$rec_sigprof" handler
    run_both "SIGPROF ignored" yes "$rec_sigprof" ignore
    run_both "SIGPROF blocked" yes "$rec_sigprof" block
    run_both "smallest stacks" yes "$rec_smallstack" threads
    run_both "own sigaltstack" yes "$rec_smallstack" altstack
    run_both "chdir" yes bash -c 'cd / && pwd && cd /tmp && pwd'
    run_both "400 short threads" no "$short"
    run_both "exit status" yes bash -c 'echo out; exit 3'
    ;;
sigterm)
    # The profile is written when PROG is stopped by SIGTERM; the status says so.
    set +e
    timeout --preserve-status -s TERM 1 "$hzprof" record -o term.pb.gz -- "$rec_forever" 2> record.err
    status=$?
    set -e
    cat record.err
    [ "$status" -eq 143 ] || fail "status $status, expected 143 (SIGTERM)"
    "$hzprof" top term.pb.gz -n 1 | grep -q spin_until_killed || fail "profile of the killed program missing"
    # Issue 14 #11: SIGHUP (a closed terminal) writes the profile too.
    set +e
    timeout --preserve-status -s HUP 1 "$hzprof" record -o hup.pb.gz -- "$rec_forever" 2> record.err
    status=$?
    set -e
    [ "$status" -eq 129 ] || fail "status $status, expected 129 (SIGHUP)"
    "$hzprof" top hup.pb.gz -n 1 | grep -q spin_until_killed || fail "SIGHUP lost the profile: $(cat record.err)"
    ;;
errors)
    # Bad input fails before PROG starts, with one clear line and a non-zero status.
    expect_error() {
        local want=$1; shift
        if "$hzprof" "$@" > out.txt 2> err.txt; then fail "'$*' succeeded"; fi
        grep -q -- "$want" err.txt || fail "'$*': expected '$want', got: $(cat err.txt)"
        [ "$(wc -l < err.txt)" -eq 1 ] || fail "'$*': more than one line: $(cat err.txt)"
    }
    expect_error "unknown sampler 'nope'" record --sampler nope -- "$rec_hot" t.txt
    expect_error "unknown unwinder 'x'" record --unwinder x -- "$rec_hot" t.txt
    expect_error "not a rate" record -F 0 -- "$rec_hot" t.txt
    expect_error "command not found" record -- no-such-program-here
    expect_error "cannot write '/no/such/dir/p.pb.gz'" record -o /no/such/dir/p.pb.gz -- "$rec_hot" t.txt
    expect_error "no program to run" record -F 10
    expect_error "unknown or incomplete option" record --bogus -- "$rec_hot" t.txt
    # Issue 14 #1: a rate that can lock up the kernel is refused before PROG starts,
    # never clamped; so is a sampler this machine cannot provide (perf-cycles, no PMU).
    expect_error "perf-clock: 100000 Hz is above its safe maximum of 10000 Hz" \
        record -F 100000 --sampler perf-clock -- "$rec_hot" t.txt
    expect_error "wall: 20000 Hz is above its safe maximum" record -F 20000 --sampler wall -- "$rec_hot" t.txt
    if ! "$hzprof" record --sampler perf-cycles -o pc.pb.gz -- "$rec_hot" t.txt 2> err.txt; then
        grep -q "hardware counters unavailable.*PROG not started" err.txt ||
            fail "perf-cycles without a PMU: $(cat err.txt)"
        [ ! -e t.txt ] || fail "perf-cycles without a PMU: PROG ran unprofiled"
    fi
    [ ! -e t.txt ] || fail "PROG ran despite a bad flag"
    rm -f t.txt
    # An existing output is kept as .old; with .old present too, record refuses.
    echo precious > keep.pb.gz
    "$hzprof" record -o keep.pb.gz -- /bin/true 2> err.txt || fail "record /bin/true failed"
    [ "$(cat keep.pb.gz.old)" = precious ] || fail "existing output not kept as .old"
    expect_error "exist; remove one or use -f" record -o keep.pb.gz -- /bin/true
    "$hzprof" record -f -o keep.pb.gz -- /bin/true 2> err.txt || fail "-f did not overwrite"
    # Issue 14 #8: outputs are resolved before PROG starts (PROG may chdir), and every
    # output is checked before any is moved aside.
    mkdir sub
    "$hzprof" record -o rel.pb.gz -- python3 -c 'import os; os.chdir("sub"); sum(range(3000000))' 2> err.txt ||
        fail "record with chdir: $(cat err.txt)"
    [ -s rel.pb.gz ] && [ ! -e sub/rel.pb.gz ] || fail "-o followed PROG's chdir: $(ls . sub)"
    grep -q "wrote rel.pb.gz" err.txt || fail "summary names another file: $(cat err.txt)"
    expect_error "name the same file" record -o ./same --folded same -- /bin/true
    echo keep > x.pb.gz; echo keep > y.folded; echo keep > y.folded.old
    expect_error "'y.folded' and 'y.folded.old' exist" record -o x.pb.gz --folded y.folded -- /bin/true
    [ ! -e x.pb.gz.old ] && [ "$(cat x.pb.gz)" = keep ] || fail "moved x.pb.gz aside before refusing"
    # Issue 14 #16: a program that takes SIGPROF (its own handler, ignored, blocked) runs
    # as unprofiled, and the summary says so instead of "N samples ... wrote".
    for how in handler ignore block; do
        "$hzprof" record -f -o sp.pb.gz -- "$rec_sigprof" $how > out.txt 2> err.txt ||
            fail "rec_sigprof $how: exit $?: $(cat err.txt)"
        [ "$(cat out.txt)" = done ] || fail "rec_sigprof $how did not finish"
        grep -Eq "installed its own SIGPROF handler or ignored SIGPROF|does the program block SIGPROF" err.txt ||
            fail "rec_sigprof $how: no word of SIGPROF: $(cat err.txt)"
    done
    # Status pass-through.
    set +e; "$hzprof" record -o s.pb.gz -- /bin/sh -c 'exit 7' 2> err.txt; st=$?; set -e
    [ "$st" -eq 7 ] || fail "exit status $st, expected 7"
    # Our viewers reject what they cannot read, in one line.
    head -c 100 /dev/urandom > junk.bin; printf '\x1f\x8b\x08garbage' > bad.gz
    expect_error "'junk.bin'" top junk.bin
    expect_error "gzip" top bad.gz
    expect_error "cannot open 'missing.pb.gz'" top missing.pb.gz
    ;;
smallstack)
    # Issue 14 #3: threads on PTHREAD_STACK_MIN stacks are profiled, not crashed, under
    # every sampler and unwinder, with their whole stacks (the handler runs on the
    # alternate stack hzprof gives them); in a program's own 8 KB alternate stack the
    # samples keep their leaf and are counted, and the program is unharmed.
    for sampler in perf-clock thread-timer itimer wall; do
        for unwinder in libunwind fp; do
            "$hzprof" record -F 1000 --sampler $sampler --unwinder $unwinder -o none \
                --folded s.folded -f -- "$rec_smallstack" threads > out.txt 2> record.err ||
                fail "$sampler/$unwinder: exit $?: $(cat record.err)"
            [ "$(cat out.txt)" = ok ] || fail "$sampler/$unwinder: the program did not finish"
            # Leaf-only samples are possible only as a thread exits (its alternate stack is
            # gone by then): at most a few percent of the burn.
            whole=$(awk '/;small_stack_burn [0-9]+$/ { n += $NF } END { print n + 0 }' s.folded)
            leaf=$(awk '/^small_stack_burn [0-9]+$/ { n += $NF } END { print n + 0 }' s.folded)
            [ "$whole" -gt 0 ] && [ $((leaf * 20)) -le "$whole" ] ||
                fail "$sampler/$unwinder: $leaf leaf-only vs $whole whole stacks: $(cat record.err)"
            grep -Eq "start_thread;.*worker;small_stack_burn [0-9]+$" s.folded ||
                grep -Eq "start_thread;.*small_stack_burn [0-9]+$" s.folded ||
                fail "$sampler/$unwinder: no whole stack through small_stack_burn: $(head -3 s.folded)"
        done
    done
    "$hzprof" record -F 1000 --sampler perf-clock -o none --folded a.folded -f -- \
        "$rec_smallstack" altstack > out.txt 2> record.err || fail "altstack: exit $?: $(cat record.err)"
    [ "$(cat out.txt)" = ok ] || fail "altstack: the program did not finish"
    grep -Eq "[0-9]+ with the leaf only \(too little stack to unwind\)" record.err ||
        fail "altstack: leaf-only samples not counted: $(cat record.err)"
    grep -Eq "^small_stack_burn [0-9]+$" a.folded || fail "altstack: no leaf samples: $(cat a.folded)"
    ;;
*) fail "unknown case $case_name" ;;
esac
echo "PASS: $case_name"
