#!/usr/bin/env bash
# e2e_layers.sh — scripts/check_layers.sh catches what it must and nothing else: on a small
# tree shaped like the repository, every include that points up or sideways, names a
# header found nowhere or in two layers, is one line (file, line, target, why) and exit 1;
# the includes the layering allows (down, within a layer, relative, generated .h.in, system
# headers) pass.
#   e2e_layers.sh CHECK_LAYERS_SH
set -euo pipefail
check=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAILED: $*" >&2; exit 1; }

t=$work/repo
mkdir -p "$t"/{core/include,core/src/samplers,profile,cli,harness,viz,workloads}
for h in core/include/hzprof.h core/src/error.h core/src/samplers/sampler.h cli/commands.h \
         profile/profile_input.h profile/text_file.h harness/results_load.h viz/plot.h \
         workloads/cacheinfo.h harness/build_info.h.in; do
    echo "/* $h */" > "$t/$h"
done
src() { # FILE INCLUDE-LINES...
    local f=$1
    shift
    printf '%s\n' "/* $f */" "$@" 'int x;' > "$t/$f"
}
# Allowed: each of these must pass.
src core/src/samplers/s.c '#include "../error.h"' '#include "sampler.h"' '#include <stdio.h>'
src profile/profile_input.c '#include "profile_input.h"' '#include "text_file.h"' '#include "hzprof.h"'
src harness/ok.c '#include "profile_input.h"' '#include "cacheinfo.h"' '#include "build_info.h"' \
    '#  include "samplers/sampler.h"'
src viz/ok.c '#include "text_file.h"' '#include "results_load.h"' '#include "plot.h"'
src cli/main.c '#include "commands.h"' '#include "plot.h"' '#include <hzprof.h>'
src workloads/w.c '#include "cacheinfo.h"' '#include <hzprof.h>'

out=$(bash "$check" "$t") || fail "a clean tree failed: $out"
[[ $out == "layers: "* ]] || fail "no summary on a clean tree: $out"

# Each kind of break, once.
src harness/up.c '#include "hzprof.h"' '#include "commands.h"'
src viz/up.c '#include <stdlib.h>' '#include "commands.h"'
src core/src/up.c '#include "text_file.h"'
src workloads/side.c '#include "profile_input.h"'
src profile/text_file.c '#include "text_file.h"' '#include "results_load.h"'
src harness/rel.c '#include "../cli/commands.h"'
src harness/lost.c '#include "nowhere.h"' '#include <nowhere_either.h>'
echo "/* dup */" > "$t/cli/dup.h"
echo "/* dup */" > "$t/core/src/dup.h"
src harness/dup.c '#include "dup.h"'

rc=0
bash "$check" "$t" > "$work/out" 2> "$work/err" || rc=$?
[ "$rc" = 1 ] || fail "exit $rc, not 1: $(cat "$work/out" "$work/err")"
sort > "$work/want" <<'EOF'
harness/up.c:3: includes cli/commands.h (cli is above harness)
viz/up.c:3: includes cli/commands.h (cli is above viz)
core/src/up.c:2: includes profile/text_file.h (profile is above core)
workloads/side.c:2: includes profile/profile_input.h (profile is beside workloads, not below it)
profile/text_file.c:3: includes harness/results_load.h (harness is above profile)
harness/rel.c:2: includes cli/commands.h (cli is above harness)
harness/lost.c:2: includes nowhere.h, found in no layer's directories
harness/dup.c:2: includes dup.h, found in several layers: cli/dup.h core/src/dup.h
EOF
sort "$work/out" | diff "$work/want" - || fail "the lines above differ"
grep -q "8 of .* includes break the layer rule" "$work/err" || fail "no count: $(cat "$work/err")"

# Not the repository: a clear refusal, not a pass.
rc=0
bash "$check" "$work" > /dev/null 2> "$work/err" || rc=$?
if [ "$rc" != 2 ] || ! grep -q "not the repository" "$work/err"; then
    fail "wrong root: exit $rc, $(cat "$work/err")"
fi
echo PASS
