#!/usr/bin/env bash
# e2e_header_example.sh — the usage example of core/include/hzprof.h is tests/header_example.c
# (built by CMake against the public header and libhzprof alone): it runs and writes a
# non-empty folded profile, and the header's copy is still that file's code, line for line.
# Usage (from ctest): e2e_header_example.sh HEADER EXAMPLE_C EXAMPLE_BINARY
set -euo pipefail
header=$1 source=$2 binary=$(realpath "$3")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fail() { echo "FAILED: $*" >&2; exit 1; }

# The header's copy: the indented block after " * Usage", each line " *     CODE" or " *".
awk '/^ \* Usage/ { on = 1; next }
     on && /^ \*     / { sub(/^ \*     /, ""); print; started = 1; next }
     on && /^ \*$/ { if (started) print ""; next }
     on && started { exit }' "$header" | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}' > "$work/header.c"
# The file's code: everything after its leading comment.
awk 'done { print } /^ \*\/$/ && !done { done = 1 }' "$source" > "$work/source.c"
[ -s "$work/header.c" ] || fail "no usage example found in $header"
diff -u "$work/source.c" "$work/header.c" ||
    fail "the usage example in $header is not $source's code: copy it over"

cd "$work"
"$binary" || fail "the example exited $?"
[ -s cpu.folded ] || fail "the example wrote no profile (cpu.folded empty or missing)"
head -3 cpu.folded
echo PASS
