#!/usr/bin/env bash
# e2e_plot.sh — `hzprof plot` renders every chart of a small results.json fixture with
# gnuplot, without a warning (plot fails on any gnuplot stderr), and each chart exists as
# a non-trivial SVG and PNG beside its .gp script and .dat data.
#   e2e_plot.sh HZPROF FIXTURE
set -euo pipefail
hzprof=$1 fixture=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAILED: $*" >&2; exit 1; }
command -v gnuplot >/dev/null || fail "gnuplot (gnuplot-nox) is needed"
"$hzprof" plot "$fixture" -o "$work/plots" 2> "$work/err.txt" || fail "plot: $(cat "$work/err.txt")"
for chart in overhead-mm overhead-split cost-mm cost-split achieved-rate truth-error; do
    for ext in gp dat svg png; do
        f="$work/plots/$chart.$ext"
        [ -s "$f" ] || fail "$chart.$ext missing or empty"
    done
    [ "$(stat -c %s "$work/plots/$chart.png")" -gt 5000 ] || fail "$chart.png is trivially small"
    xmllint --noout "$work/plots/$chart.svg" || fail "$chart.svg is not well-formed"
    grep -q '<path' "$work/plots/$chart.svg" || fail "$chart.svg draws nothing"
done
# The scripts re-render by themselves (what the paper does with them).
(cd "$work/plots" && gnuplot overhead-mm.gp 2>&1 | tee gp.err) && [ ! -s "$work/plots/gp.err" ] ||
    fail "overhead-mm.gp does not re-run cleanly"
# The paper's data (report --format latex -o): numbers as \hzv keys, tables citing them,
# charts as PDF too; re-runnable in its own directory, refuses a directory of other files.
mkdir "$work/run" && cp "$fixture" "$work/run/results.json"
"$hzprof" report "$work/run" --format latex -o "$work/gen" > /dev/null || fail "report -o failed"
grep -q 'hz@ov/mm/' "$work/gen/numbers.tex" || fail "numbers.tex has no overhead keys"
ls "$work"/gen/table-rate-mm-*.tex > /dev/null || fail "no per-rate table"
grep -q '\\hzv{ov/mm/' "$work"/gen/table-rate-mm-*.tex || fail "tables do not cite \\hzv keys"
[ -s "$work/gen/plots/overhead-mm.pdf" ] || fail "no PDF chart"
"$hzprof" report "$work/run" --format latex -o "$work/gen" > /dev/null || fail "second run refused"
mkdir "$work/mine" && echo keep > "$work/mine/notes.tex"
if "$hzprof" report "$work/run" --format latex -o "$work/mine" 2> "$work/err.txt"; then
    fail "wrote into a directory of other files"
fi
[ "$(cat "$work/mine/notes.tex")" = keep ] && [ ! -e "$work/mine/numbers.tex" ] ||
    fail "touched a directory of other files"
grep -q "did not write" "$work/err.txt" || fail "no reason given: $(cat "$work/err.txt")"

# Hostile names (issue 14: command injection). results.json is data anyone can write: a
# workload name with a shell command, a sampler name with a gnuplot system() call, a
# workload that would leave the plots directory, a directory with a quote in its name, a
# single rate (gnuplot warns "empty x range" and draws). Nothing runs, every chart draws.
hostile="$work/bob's run"
mkdir "$hostile"
python3 - "$fixture" "$hostile/results.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
names = {"mm": "x'; touch PWNED; echo '", "split": "../../evil\nname"}
def fix(o):
    if o.get("workload") in names:
        o["workload"] = names[o["workload"]]
    if o.get("sampler") == "perf-clock":
        o["sampler"] = "x'.system('touch GPWN').'"
s = r["summary"]
rates = sorted({c["rate"] for c in s["configs"] if c.get("rate")})
s["configs"] = [c for c in s["configs"] if c.get("rate") in (0, rates[0])]
for c in s["configs"] + s["cost_per_sample"]:
    fix(c)
json.dump(r, open(sys.argv[2], "w"))
PY
(cd "$work" && "$hzprof" plot "$hostile" 2> "$work/err.txt") ||
    fail "plot of hostile names: $(cat "$work/err.txt")"
found=$(find "$work" / -maxdepth 1 \( -name PWNED -o -name GPWN \) 2>/dev/null; \
        find "$work" \( -name PWNED -o -name GPWN -o -name 'evil*' \) 2>/dev/null | grep -v "/plots/" || true)
[ -z "$found" ] || fail "a name from results.json ran or escaped: $found"
ls "$hostile"/plots/overhead-x___touch_PWNED__echo__.svg > /dev/null || fail "no chart for the odd workload"
grep -q "system(" "$hostile"/plots/overhead-x___touch_PWNED__echo__.svg ||
    fail "the sampler name is not shown as text"
[ -s "$hostile/plots/achieved-rate.svg" ] || fail "single rate: no achieved-rate chart"

# Bad input: one line, non-zero.
if "$hzprof" plot /nonexistent/results.json 2> "$work/err.txt"; then fail "missing input accepted"; fi
grep -q "cannot read" "$work/err.txt" || fail "no message for missing input"
echo PASS
