#!/usr/bin/env bash
# e2e_flame.sh — `hzprof flame`: well-formed SVG for hostile names (xmllint), widths
# proportional to samples, --diff colours, options, very deep stacks, and refusals.
#   e2e_flame.sh HZPROF
set -euo pipefail
hzprof=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
fail() { echo "FAILED: $*" >&2; exit 1; }
command -v xmllint >/dev/null || fail "xmllint (libxml2-utils) is needed"

# The rect attributes of the frame whose title starts with NAME.
rect_of() { grep -F "<title>$2 (" "$1" | head -1 | sed -n 's/.*<rect \([^/]*\)\/>.*/\1/p'; }
attr() { sed -n "s/.*[[:space:]]$2=\"\([^\"]*\)\".*/\1/p" <<< " $1"; }

# 1. Hostile names: XML metacharacters, quotes, ]]>, very long names, UTF-8, bad UTF-8.
long=$(head -c 5000 /dev/zero | tr '\0' 'x')
printf 'main;std::vector<int, alloc<int>>::push&pop 5\nmain;say "hi" & '"'"'bye'"'"' 3\nmain;]]>;caf\xc3\xa9;\xe6\x97\xa5\xe6\x9c\xac 2\nmain;bad\xff\xfe\xc0\xafutf;ctl\x01x 2\nmain;%s 1\n' "$long" > hostile.folded
"$hzprof" flame hostile.folded -o hostile.svg --title 'T <&> "x"' --subtitle ']]>' ||
    fail "flame failed on hostile names"
xmllint --noout hostile.svg || fail "hostile.svg is not well-formed XML"
grep -q 'std::vector&lt;int, alloc&lt;int&gt;&gt;::push&amp;pop' hostile.svg || fail "names not escaped"
grep -q 'café' hostile.svg || fail "UTF-8 name lost"
grep -q '日本' hostile.svg || fail "UTF-8 name lost"

# 2. Widths proportional to samples: a;b 30, a;c 10 -> b = 3/4, c = 1/4 of the width.
printf 'a;b 30\na;c 10\n' > prop.folded
"$hzprof" flame prop.folded -o prop.svg --width 1000
xmllint --noout prop.svg
full=$(attr "$(rect_of prop.svg all)" width)
wa=$(attr "$(rect_of prop.svg a)" width)
wb=$(attr "$(rect_of prop.svg b)" width)
wc=$(attr "$(rect_of prop.svg c)" width)
xb=$(attr "$(rect_of prop.svg b)" x)
xc=$(attr "$(rect_of prop.svg c)" x)
echo "widths: all $full a $wa b $wb c $wc; x: b $xb c $xc"
awk -v f="$full" -v a="$wa" -v b="$wb" -v c="$wc" -v xb="$xb" -v xc="$xc" 'BEGIN {
    ok = (f == 980) && (a == f) && (b - 0.75 * f)^2 < 1e-4 && (c - 0.25 * f)^2 < 1e-4 &&
         (xc - (xb + b))^2 < 1e-4;   # siblings sorted by name, side by side
    exit !ok }' || fail "widths are not proportional to samples"
grep -q '<title>b (30 samples, 75.00%)</title>' prop.svg || fail "title of b"

# 3. --diff: b grew (red), c shrank (blue), normalised to equal totals.
printf 'a;b 50\na;c 50\n' > base.folded
printf 'a;b 160\na;c 40\n' > new.folded
"$hzprof" flame new.folded --diff base.folded -o diff.svg
xmllint --noout diff.svg
fb=$(attr "$(rect_of diff.svg b)" fill)
fc=$(attr "$(rect_of diff.svg c)" fill)
echo "diff: b $fb, c $fc"
IFS='(,)' read -r _ br bg bb _ <<< "$fb"
IFS='(,)' read -r _ cr cg cb _ <<< "$fc"
[ "$br" -eq 255 ] && [ "$bg" -eq "$bb" ] && [ "$bg" -lt 200 ] || fail "b should be red: $fb"
[ "$cb" -eq 255 ] && [ "$cr" -eq "$cg" ] && [ "$cr" -lt 200 ] || fail "c should be blue: $fc"

# 4. Options: inverted puts the root at the top; reverse merges by leaf; max-depth cuts;
#    tag filters on pprof labels (folded root frames {k=v}).
printf '{mode=fast};r;x;leaf 4\n{mode=slow};r;y;leaf 6\n' > tags.folded
"$hzprof" flame tags.folded -o inv.svg --inverted
yr=$(attr "$(rect_of inv.svg r)" y); yl=$(attr "$(rect_of inv.svg leaf)" y)
awk -v a="$yr" -v b="$yl" 'BEGIN { exit !(a < b) }' || fail "--inverted: root not above the leaf"
"$hzprof" flame tags.folded -o rev.svg --reverse
grep -q '<title>leaf (10 samples, 100.00%)</title>' rev.svg || fail "--reverse did not merge by leaf"
"$hzprof" flame tags.folded -o tag.svg --tag mode=slow
grep -q '<title>all (6 samples' tag.svg || fail "--tag did not filter"
"$hzprof" flame tags.folded -o depth.svg --max-depth 1
! grep -q '<title>leaf' depth.svg || fail "--max-depth did not cut"
"$hzprof" flame tags.folded -o - --colors mem --hash --countname ms | xmllint --noout - ||
    fail "stdout output"

# 5. Very deep stacks (deep recursion): the layout once recursed with 16 KB of stack per
#    frame and died at ~507 frames, leaving a partial SVG. One stack of 100,000 frames and
#    one of 600 under the same root, a sample each: every frame is 490 px wide, so all of
#    them are drawn (all + main + 99,999 + 599 = 100,600), the deepest at the very top.
#    printf, not string concatenation: linear in the line's length.
awk 'BEGIN {
    printf "main"; for (i = 1; i < 100000; i++) printf ";deep_%d", i; print " 1"
    printf "main"; for (i = 1; i < 600; i++) printf ";mid_%d", i; print " 1"
}' > deep.folded
"$hzprof" flame deep.folded -o deep.svg || fail "flame failed on a 100,000-frame stack"
xmllint --noout deep.svg || fail "deep.svg is not well-formed XML"
frames=$(grep -c '<g data-n=' deep.svg)
[ "$frames" -eq 100600 ] || fail "deep.svg has $frames frames, not 100600"
grep -q '<title>deep_99999 (1 samples, 50.00%)</title>' deep.svg || fail "deepest frame missing"
grep -q '<title>mid_599 (1 samples, 50.00%)</title>' deep.svg || fail "600th frame missing"
# depth 100,000 at 16 px a frame: y = height - 34 - 100,001 * 16 = 42, the top padding.
[ "$(attr "$(rect_of deep.svg deep_99999)" y)" = 42.0 ] || fail "deepest frame misplaced"

# 6. Refusals: existing output, bad options, unreadable input.
if "$hzprof" flame prop.folded -o prop.svg 2> err.txt; then fail "overwrote prop.svg"; fi
grep -q "exists; use -f" err.txt || fail "no refusal message"
if "$hzprof" flame prop.folded -o x.svg --colors plaid 2> err.txt; then fail "bad palette accepted"; fi
if "$hzprof" flame missing.folded -o y.svg 2> err.txt; then fail "missing input accepted"; fi
grep -q "cannot open 'missing.folded'" err.txt || fail "missing input message"
if "$hzprof" flame prop.folded -o z.svg --sample-type cpu 2> err.txt; then fail "bad sample type"; fi
grep -q "no sample type 'cpu'" err.txt || fail "sample type message"
echo PASS
