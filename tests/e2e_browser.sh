#!/usr/bin/env bash
# e2e_browser.sh — the headless-browser test (tests/browser/check_views.mjs) over a flame
# graph and an HTML report made here. Skips (77) where chromium, node or playwright-core
# are not installed; .ci/run installs them.
#   e2e_browser.sh HZPROF
set -euo pipefail
hzprof=$1
here=$(cd "$(dirname "$0")" && pwd)
[ -x /usr/bin/chromium ] || { echo "SKIP: /usr/bin/chromium not installed"; exit 77; }
command -v node >/dev/null || { echo "SKIP: node not installed"; exit 77; }
[ -d "$here/browser/node_modules/playwright-core" ] ||
    { echo "SKIP: run 'npm install' in tests/browser"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf 'a;b;bb 30\na;c 10\n' > "$work/ab.folded"
"$hzprof" flame "$work/ab.folded" -o "$work/ab.svg"
printf 'a;b 100000\na;n;m 20\na;n;k 10\n' > "$work/narrow.folded"
"$hzprof" flame "$work/narrow.folded" -o "$work/narrow.svg"
cat > "$work/tiny.json" <<'JSON'
{"workloads": [{"name": "split", "program": "truth", "args": ["--case", "split", "--seconds", "0.1"]}],
 "samplers": ["perf-clock", "itimer"], "unwinders": ["fp"], "rates": [200, 1000],
 "repetitions": 2, "warmup": 0, "seed": 9}
JSON
"$hzprof" bench "$work/tiny.json" -o "$work/run" 2> /dev/null
"$hzprof" report "$work/run" --format html > /dev/null
node "$here/browser/check_views.mjs" "$work/ab.svg" "$work/run" "$work/narrow.svg"
