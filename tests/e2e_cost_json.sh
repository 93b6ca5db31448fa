#!/usr/bin/env bash
# e2e_cost_json.sh — `hzprof cost --json FILE` writes the figures it prints (schema
# hzprof.cost/1, with machine and build), and does not overwrite a file without -f; its
# calibrated rows (part 3) are what `hzprof record --max-overhead --cost FILE` reads.
#   e2e_cost_json.sh HZPROF
set -euo pipefail
hzprof=$1
# Under ASan the preload library (record --cost below) comes before libasan: see e2e_record.sh.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAILED: $*" >&2; exit 1; }
args=(--signals 300 --rounds 1 --seconds 0.05 --rates 500)
"$hzprof" cost "${args[@]}" --json "$work/cost.json" > "$work/out.txt" || fail "cost failed"
python3 - "$work/cost.json" "$work/out.txt" <<'PY' || fail "cost.json does not match the printout"
import json, sys
d = json.load(open(sys.argv[1]))
text = open(sys.argv[2]).read()
assert d["schema"] == "hzprof.cost/1" and d["machine"]["cores_online"] >= 1
assert [r["handler"] for r in d["signal_path"]] == ["floor", "none", "fp", "libunwind"]
assert d["signal_path"][0]["x_floor"] == 1
for r in d["signal_path"]:  # the printed median is the JSON one, rounded
    assert f'{r["median_ns"]:12.0f}' in text, r
rows = [r for r in d["samplers"] if "unwinder" in r]
assert {r["sampler"] for r in rows} >= {"itimer", "thread-timer", "perf-clock"}
assert all(r["rate"] == 500 and r["samples"] > 0 for r in rows if r["sampler"] == "perf-clock")
cal = {(r["sampler"], r["unwinder"]): r for r in d["calibrated"] if "unwinder" in r}
assert {s for s, u in cal} >= {"itimer", "thread-timer", "perf-clock", "wall"}, cal.keys()
for (s, u), r in cal.items():
    assert r["cost_ns"] > 0 and r["cost_ns"] >= r["handler_ns"], r
    # Tick samplers stop at CONFIG_HZ (a ceiling, costed by their signal); hrtimer ones
    # reach the test rate and are costed by pairs of blocks.
    tick = s in ("itimer", "thread-timer")
    assert (r["ceiling_hz"] > 0 and r["pairs"] == 0) if tick else (r["ceiling_hz"] == 0 and r["pairs"] > 0), r
PY
out=$("$hzprof" record --max-overhead 1% --cost "$work/cost.json" --sampler perf-clock --unwinder fp \
      -o "$work/p.pb.gz" -- /bin/true 2>&1) || fail "record --cost: $out"
grep -q "^hzprof record: budget 1%: [0-9]* Hz chosen (perf-clock/fp: [0-9.]* us of CPU per sample, from the cost file)" <<< "$out" ||
    fail "record did not use the cost file: $out"
echo keep > "$work/mine.json"
if "$hzprof" cost "${args[@]}" --json "$work/mine.json" > /dev/null 2> "$work/err.txt"; then
    fail "overwrote an existing file"
fi
[ "$(cat "$work/mine.json")" = keep ] || fail "the existing file changed"
grep -q "use -f to overwrite" "$work/err.txt" || fail "no hint: $(cat "$work/err.txt")"
"$hzprof" cost "${args[@]}" --part 1 --json "$work/mine.json" -f > /dev/null || fail "-f refused"
echo PASS
