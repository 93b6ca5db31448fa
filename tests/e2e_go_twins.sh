#!/usr/bin/env bash
# e2e_go_twins.sh — the Go twins of matmul and io (workloads/go), which `hzprof bench`
# runs for the go-pprof baseline: same JSON schema, results verified, Go's profiler
# writes a pprof profile our tools read, with the twin's own kernel on top; bad flags
# fail with one line and exit 2.
#   e2e_go_twins.sh HZPROF GO_MATMUL GO_IO
set -euo pipefail
hzprof=$1 matmul=$2 io=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAILED: $*" >&2; exit 1; }
field() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"; }

"$matmul" --n 96 --reps 40 > "$work/off.json" || fail "go-matmul failed"
[ "$(field "$work/off.json" 'd["schema"], d["twin"], d["result"]["verified"], d["profiling"]["enabled"]')" \
    = "hzprof.workload/1 go True False" ] || fail "go-matmul output: $(cat "$work/off.json")"
"$matmul" --n 160 --reps 60 --sampler go-pprof --hz 250 --profile-out "$work/m.pb.gz" \
    > "$work/on.json" 2> "$work/on.err" || fail "go-matmul with go-pprof: $(cat "$work/on.err")"
[ "$(field "$work/on.json" 'd["profiling"]["sampler"], d["profiling"]["hz"], d["ok"]')" \
    = "go-pprof 250 True" ] || fail "profiling fields: $(cat "$work/on.json")"
"$hzprof" top "$work/m.pb.gz" > "$work/top.txt" || fail "hzprof cannot read Go's profile"
sed -n 3p "$work/top.txt" | grep -q 'main.multiplyIKJ' ||
    fail "the ikj kernel is not on top of Go's profile: $(cat "$work/top.txt")"

# --fit finds the caches as the C matmul does (issue 12): without sysfs too, and the twin
# sizes the same matrices as matmul, naming the source.
mkdir "$work/nosysfs"
HZPROF_SYSFS_CPU="$work/nosysfs" "$matmul" --fit l2 --reps 1 > "$work/fit.json" 2> "$work/fit.err" ||
    fail "go-matmul --fit l2 without sysfs: $(cat "$work/fit.err")"
src=$(field "$work/fit.json" 'd["params"]["caches_source"]')
case "$src" in *sysfs*|none) fail "go-matmul caches_source '$src' with sysfs removed" ;; esac
if [ -n "${C_MATMUL:-}" ]; then
    HZPROF_SYSFS_CPU="$work/nosysfs" "$C_MATMUL" --fit l2 --reps 1 > "$work/cfit.json"
    [ "$(field "$work/fit.json" 'd["params"]["n"], d["params"]["caches_source"]')" = \
      "$(field "$work/cfit.json" 'd["params"]["n"], d["params"]["caches_source"]')" ] ||
        fail "the twin fits n=$(field "$work/fit.json" 'd["params"]["n"]'), matmul n=$(field "$work/cfit.json" 'd["params"]["n"]')"
fi
HZPROF_CACHE_SOURCES=default "$matmul" --fit l1 --reps 1 > "$work/def.json"
[ "$(field "$work/def.json" 'd["params"]["caches_bytes"]["l1d"], d["params"]["caches_source"]')" = \
    "32768 default" ] || fail "the documented default: $(cat "$work/def.json")"

"$io" --connections 4 --requests 400 > "$work/io.json" || fail "go-io failed"
[ "$(field "$work/io.json" 'd["result"]["completed"], d["result"]["lost"], d["result"]["wrong"]')" \
    = "400 0 0" ] || fail "go-io output: $(cat "$work/io.json")"

for bad in "--order xyz" "--reps 0" "--sampler itimer" "--frobnicate 1"; do
    # shellcheck disable=SC2086
    if "$matmul" $bad > /dev/null 2> "$work/err.txt"; then fail "accepted: $bad"; fi
    [ "$(wc -l < "$work/err.txt")" -eq 1 ] || fail "not one line for '$bad': $(cat "$work/err.txt")"
done
echo PASS
