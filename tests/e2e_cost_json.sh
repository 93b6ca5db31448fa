#!/usr/bin/env bash
# e2e_cost_json.sh — `hzprof cost --json FILE` writes the figures it prints (schema
# hzprof.cost/1, with machine and build), and does not overwrite a file without -f.
#   e2e_cost_json.sh HZPROF
set -euo pipefail
hzprof=$1
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
PY
echo keep > "$work/mine.json"
if "$hzprof" cost "${args[@]}" --json "$work/mine.json" > /dev/null 2> "$work/err.txt"; then
    fail "overwrote an existing file"
fi
[ "$(cat "$work/mine.json")" = keep ] || fail "the existing file changed"
grep -q "use -f to overwrite" "$work/err.txt" || fail "no hint: $(cat "$work/err.txt")"
"$hzprof" cost "${args[@]}" --part 1 --json "$work/mine.json" -f > /dev/null || fail "-f refused"
echo PASS
