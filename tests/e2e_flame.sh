#!/usr/bin/env bash
# e2e_flame.sh — `hzprof flame`: well-formed SVG for hostile names (xmllint), widths
# proportional to samples, --diff colours, options, very deep stacks, values in the sample
# type's unit, folded and pprof input drawn alike, folded errors as folded_parse words them,
# the embedded script is viz/flame.js, and refusals.
#   e2e_flame.sh HZPROF
set -euo pipefail
hzprof=$1
src=$(cd "$(dirname "$0")/.." && pwd)
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
rgb() { echo "$((16#${1:1:2})) $((16#${1:3:2})) $((16#${1:5:2}))"; } # #rrggbb -> r g b
read -r br bg bb <<< "$(rgb "$fb")"
read -r cr cg cb <<< "$(rgb "$fc")"
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
frames=$(grep -c '<g data-s=' deep.svg)
[ "$frames" -eq 100600 ] || fail "deep.svg has $frames frames, not 100600"
grep -q '<title>deep_99999 (1 samples, 50.00%)</title>' deep.svg || fail "deepest frame missing"
grep -q '<title>mid_599 (1 samples, 50.00%)</title>' deep.svg || fail "600th frame missing"
# depth 100,000 at 16 px a frame: y = height - 34 - 100,001 * 16 = 60, the top padding
# (title and subtitle).
[ "$(attr "$(rect_of deep.svg deep_99999)" y)" = 60 ] || fail "deepest frame misplaced"

# A gzipped pprof profile from a spec on stdin, written by hand here so that every value
# is known: a first line "types TYPE/UNIT ...", then per sample
# "root;...;leaf<TAB>VALUE ...[<TAB>k=v,k2=v2]" (bytes: names may be any but ';').
mkpprof() {
    python3 -c '
import gzip, sys
def varint(n):
    out = bytearray()
    while True:
        b, n = n & 0x7F, n >> 7
        out.append(b | 0x80 if n else b)
        if not n:
            return bytes(out)
def field(num, payload):  # an int: a varint field; bytes: a length-delimited one
    if isinstance(payload, int):
        return varint(num << 3) + varint(payload)
    return varint(num << 3 | 2) + varint(len(payload)) + payload
strings, index, funcs = [b""], {b"": 0}, {}
def s(x):
    if x not in index:
        index[x] = len(strings)
        strings.append(x)
    return index[x]
lines = sys.stdin.buffer.read().split(b"\n")
prof = b"".join(field(1, field(1, s(t.split(b"/")[0])) + field(2, s(t.split(b"/")[1])))
                for t in lines[0].split()[1:])
for line in filter(None, lines[1:]):
    parts = line.split(b"\t")
    locs = [funcs.setdefault(name, len(funcs) + 1) for name in reversed(parts[0].split(b";"))]
    m = field(1, b"".join(map(varint, locs))) + field(2, b"".join(varint(int(v)) for v in parts[1].split()))
    for kv in filter(None, parts[2].split(b",") if len(parts) > 2 else []):
        k, v = kv.split(b"=", 1)
        m += field(3, field(1, s(k)) + field(2, s(v)))
    prof += field(2, m)
for name, fid in funcs.items():
    prof += field(4, field(1, fid) + field(4, field(1, fid)))  # location: id, line{function}
    prof += field(5, field(1, fid) + field(2, s(name)))      # function: id, name
prof += b"".join(field(6, x) for x in strings)
sys.stdout.buffer.write(gzip.compress(prof, mtime=0))
'
}
title_of() { grep -o "<title>$2 ([^<]*</title>" "$1" | head -1; }

# 6. Units (issue 16): values read in the unit of the sample type they weigh by, and the
#    subtitle names it. `hzprof record` writes samples/count and cpu/nanoseconds, the last
#    being the default; 9,485,000,000 ns is 9.49 s (rounded half up, not 9.48).
printf 'types samples/count alloc_space/bytes cpu/nanoseconds\nmain;a\t1 1048576 5000000000\nmain;b\t1 524288 4485000000\n' |
    mkpprof > units.pb.gz
"$hzprof" flame units.pb.gz -o cpu.svg
xmllint --noout cpu.svg
[ "$(title_of cpu.svg all)" = '<title>all (9.49 s, 100.00%)</title>' ] ||
    fail "cpu/nanoseconds root: $(title_of cpu.svg all)"
[ "$(title_of cpu.svg a)" = '<title>a (5.00 s, 52.71%)</title>' ] || fail "frame a: $(title_of cpu.svg a)"
grep -q '<text id="subtitle"[^>]*>sample type: cpu/nanoseconds</text>' cpu.svg ||
    fail "subtitle does not name the sample type"
"$hzprof" flame units.pb.gz -o count.svg --sample-type samples --subtitle 'run 7'
[ "$(title_of count.svg all)" = '<title>all (2 samples, 100.00%)</title>' ] ||
    fail "samples/count root: $(title_of count.svg all)"
grep -q '<text id="subtitle"[^>]*>run 7 · sample type: samples/count</text>' count.svg ||
    fail "subtitle with --subtitle"
"$hzprof" flame units.pb.gz -o bytes.svg --sample-type alloc_space
[ "$(title_of bytes.svg all)" = '<title>all (1.50 MiB, 100.00%)</title>' ] ||
    fail "bytes root: $(title_of bytes.svg all)"
"$hzprof" flame units.pb.gz -o raw.svg --countname ns
[ "$(title_of raw.svg all)" = '<title>all (9485000000 ns, 100.00%)</title>' ] ||
    fail "--countname: $(title_of raw.svg all)"
"$hzprof" flame prop.folded -o folded.svg -f
grep -q '<text id="subtitle"[^>]*>sample type: samples/count</text>' folded.svg ||
    fail "folded input: subtitle"
"$hzprof" flame --help | grep -q "default: the profile's last sample type" || fail "--help: default"

# 7. The same stacks as folded text and as a profile give the same SVG, byte for byte
#    (two readers: flame_folded.c and the pprof decoder), with every option that reads
#    the stacks; and the output does not vary from run to run.
printf 'main;std::vector<int>::at&x;caf\xc3\xa9 5\n{mode=slow};main;b\xffad;ctl\x01x 3\nmain;say "hi" 2\n{mode=fast,k=v};main;b\xffad 4\nmain 1\nmain;std::vector<int>::at&x 7\n' > same.folded
printf 'types samples/count\nmain;std::vector<int>::at&x;caf\xc3\xa9\t5\nmain;b\xffad;ctl\x01x\t3\tmode=slow\nmain;say "hi"\t2\nmain;b\xffad\t4\tmode=fast,k=v\nmain\t1\nmain;std::vector<int>::at&x\t7\n' | mkpprof > same.pb.gz
printf 'main;b\xffad 9\nmain;say "hi" 1\n' > base.folded
printf 'types samples/count\nmain;b\xffad\t9\nmain;say "hi"\t1\n' | mkpprof > base.pb.gz
for opts in "" "--reverse" "--tag mode=slow" "--max-depth 2" "--inverted --hash --colors aqua" \
    "--minwidth 0 --width 300" "--diff base.folded" "--diff base.pb.gz"; do
    # shellcheck disable=SC2086 # options are words
    "$hzprof" flame same.folded -o f.svg -f $opts || fail "folded, $opts"
    # shellcheck disable=SC2086
    "$hzprof" flame same.pb.gz -o p.svg -f $opts || fail "pprof, $opts"
    xmllint --noout f.svg || fail "folded, $opts: not well-formed"
    cmp -s f.svg p.svg || fail "folded and pprof input differ with '$opts': $(diff f.svg p.svg | head -5)"
done
"$hzprof" flame same.folded -o again.svg --diff base.folded
cmp -s f.svg again.svg || fail "two runs differ"
grep -q '<title>main (22 samples, 100.00%; +0.00% vs base)<' f.svg || fail "diff title: $(title_of f.svg main)"

# 8. Exact positions: data-s and data-v are a frame's start and value in samples;
#    children start at their parent's left edge (the parent's own samples are at its
#    right); a label only where one fits.
printf 'a;c 10\na 10\na;b 30\n' > exact.folded
"$hzprof" flame exact.folded -o exact.svg --width 1000
g_of() { grep -o "<g [^>]*><title>$2 (" "$1" | head -1; }
[ "$(g_of exact.svg b)" = '<g data-s="0" data-v="30"><title>b (' ] || fail "b: $(g_of exact.svg b)"
[ "$(g_of exact.svg c)" = '<g data-s="30" data-v="10"><title>c (' ] || fail "c: $(g_of exact.svg c)"
[ "$(attr "$(rect_of exact.svg c)" x)" = 598 ] || fail "c x: $(rect_of exact.svg c)" # 10 + 30/50 * 980
printf 'main;wide 100000\nmain;narrow 200\n' > narrow.folded
"$hzprof" flame narrow.folded -o narrow.svg
grep -q '<title>narrow ([^<]*</title><rect [^>]*/></g>' narrow.svg || fail "a label on a 2 px frame"
grep -q '<title>wide ([^<]*</title><rect [^>]*/><text [^>]*>wide</text></g>' narrow.svg ||
    fail "no label on a wide frame"

# 9. Folded input is read by flame_folded.c, not folded_parse: it must accept and refuse
#    the same lines with the same messages (`hzprof top` reads folded_parse's way).
printf 'a;b 1\nc\0d 2\n' > nul.folded
printf 'a;b 3\r\n\r\n\n;a 2\n' > crlf.folded
i=0
for text in 'a;b 3\nc;d\n' 'a;b x\n' 'a;b -3\n' 'a;;b 3\n' '{k=v} 3\n' '{kv};a 3\n' '' '\n\n' \
    'a 99999999999999999999999\n' 'a 123456789012345678901234567890123\n' ' 3\n' 'a; 5\n' \
    'a;b +4\n' 'a;b\t7\n' 'a;b \t7\n' '{a=1,};x 2\n' '{=1};x 2\n' '{} 2\n' 'x;{k=v} 2\n'; do
    i=$((i + 1))
    printf "$text" > "bad$i.folded"
done
for f in bad*.folded nul.folded crlf.folded; do
    top_rc=0 flame_rc=0
    "$hzprof" top "$f" > /dev/null 2> top.err || top_rc=$?
    "$hzprof" flame "$f" -o out.svg -f 2> flame.err || flame_rc=$?
    [ "$top_rc" = "$flame_rc" ] || fail "$f: top exits $top_rc, flame $flame_rc"
    [ "$(sed 's/^hzprof top: //' top.err)" = "$(sed 's/^hzprof flame: //' flame.err)" ] ||
        fail "$f: top says '$(cat top.err)', flame '$(cat flame.err)'"
done

# 10. The script in the SVG is viz/flame.js as it is (embedded at build time), and it
#     parses.
sed -n '/<!\[CDATA\[$/,/^]]><\/script>$/p' prop.svg | sed '1d;$d' > embedded.js
cmp -s embedded.js "$src/viz/flame.js" || fail "the embedded script is not viz/flame.js"
if command -v node > /dev/null; then
    node --check "$src/viz/flame.js" || fail "viz/flame.js does not parse"
fi

# 11. Refusals: existing output, bad options, unreadable input.
if "$hzprof" flame prop.folded -o prop.svg 2> err.txt; then fail "overwrote prop.svg"; fi
grep -q "exists; use -f" err.txt || fail "no refusal message"
if "$hzprof" flame prop.folded -o x.svg --colors plaid 2> err.txt; then fail "bad palette accepted"; fi
if "$hzprof" flame missing.folded -o y.svg 2> err.txt; then fail "missing input accepted"; fi
grep -q "cannot open 'missing.folded'" err.txt || fail "missing input message"
if "$hzprof" flame prop.folded -o z.svg --sample-type cpu 2> err.txt; then fail "bad sample type"; fi
grep -q "no sample type 'cpu'" err.txt || fail "sample type message"

# Issue 14 #7: an output appears whole or not at all. On a full disk (a 64 KiB tmpfs,
# where we may mount one) `flame -f` fails and leaves the old SVG as it was, with no
# half-written file beside it.
full=$(mktemp -d)
if [ "$(id -u)" -eq 0 ] && mount -t tmpfs -o size=64k tmpfs "$full" 2>/dev/null; then
    echo '<svg>old</svg>' > "$full/out.svg"
    awk 'BEGIN { for (i = 0; i < 3000; i++) printf "main;f%d;g%d %d\n", i, i, i + 1 }' > wide.folded
    if "$hzprof" flame wide.folded -o "$full/out.svg" -f --minwidth 0 2> err.txt; then
        umount "$full"; fail "a full disk went unnoticed"
    fi
    old=$(cat "$full/out.svg"); left=$(ls "$full" | wc -l)
    umount "$full"
    [ "$old" = '<svg>old</svg>' ] || fail "flame -f destroyed the old SVG on a full disk"
    [ "$left" -eq 1 ] || fail "a temporary file was left behind"
    grep -q "cannot write" err.txt || fail "no message for a full disk: $(cat err.txt)"
else
    echo "note: not root or no tmpfs: the full-disk check is skipped"
fi
rmdir "$full"
echo PASS
