#!/usr/bin/env bash
# check_layers.sh — the layer rule of ARCHITECTURE.md, enforced: an #include may only
# point down. core < profile < harness < viz < cli; workloads sits on core, beside profile.
#
#   scripts/check_layers.sh [ROOT]     ROOT: the repository (default: this script's)
#
# Every C file and header under core/, profile/, harness/, viz/, cli/ and workloads/ is
# read; each #include is resolved as the compiler would find it: next to the including
# file, else in the directories of the layers (core/include, core/src and its
# subdirectories, profile/, harness/, viz/, cli/, workloads/; NAME.in stands for a header
# generated from it). A file's layer is its top directory. Prints one
# line per include that points up or sideways, that names a header in no layer's
# directories ("..." form only: <...> that resolves nowhere is a system header) or in
# several layers, and exits 1; exits 0 when there is none. tests/ is not checked: tests sit
# beside the layers and may include any of them.
set -euo pipefail
root=${1:-"$(dirname "$0")/.."}
cd "$root"

#
# The build enforces most of this too (each layer's CMake target sees only its own
# include directories and those below: an include of a header above does not compile);
# this check also catches what the compiler would find anyway: a relative path
# ("../cli/commands.h") and a header found in two layers.
# An include may point to its own layer or to one of lower rank. profile and workloads
# share a rank: neither may include the other.
declare -A rank=([core]=0 [profile]=1 [workloads]=1 [harness]=2 [viz]=3 [cli]=4)

layers=(core profile harness viz cli workloads)
for d in "${layers[@]}"; do
    [ -d "$d" ] || { echo "check_layers: no $d/ in $(pwd): not the repository" >&2; exit 2; }
done
mapfile -t search < <(find "${layers[@]}" -type d | sort)
mapfile -t files < <(find "${layers[@]}" -type f \( -name '*.c' -o -name '*.h' -o -name '*.h.in' \) |
                     sort)

layer_of() { # FILE -> $layer
    layer=${1%%/*}
}

# Normalises a path relative to the root (a/b/../c.h -> a/c.h), in the shell: no process
# per include.
normalise() { # PATH -> $norm
    local IFS=/ part
    local -a parts out=()
    read -ra parts <<<"$1"
    for part in "${parts[@]}"; do
        case $part in
        . | '') ;;
        ..) if [ ${#out[@]} -gt 0 ]; then unset 'out[-1]'; fi ;;
        *) out+=("$part") ;;
        esac
    done
    norm="${out[*]}"
}

bad=0
checked=0
report() {
    echo "$1"
    bad=$((bad + 1))
}

re='^([^:]+):([0-9]+):[[:space:]]*#[[:space:]]*include[[:space:]]*([<"])([^">]+)[">]'
while IFS= read -r line; do
    [[ $line =~ $re ]] || continue
    file=${BASH_REMATCH[1]} lineno=${BASH_REMATCH[2]} form=${BASH_REMATCH[3]}
    name=${BASH_REMATCH[4]}
    checked=$((checked + 1))
    # "x.h" next to the including file wins, as for the compiler; then the layers' dirs.
    matches=()
    if [ "$form" = '"' ] && [ -f "${file%/*}/$name" ]; then
        normalise "${file%/*}/$name"
        matches=("$norm")
    else
        declare -A seen=()
        for d in "${search[@]}"; do
            for cand in "$d/$name" "$d/$name.in"; do
                [ -f "$cand" ] || continue
                normalise "$cand"
                [ -n "${seen[$norm]:-}" ] || matches+=("$norm")
                seen[$norm]=1
            done
        done
        unset seen
    fi
    if [ ${#matches[@]} -eq 0 ]; then
        [ "$form" = '<' ] || report "$file:$lineno: includes $name, found in no layer's directories"
        continue
    fi
    layer_of "$file"
    from=$layer
    to_layers=()
    for m in "${matches[@]}"; do
        layer_of "$m"
        [[ " ${to_layers[*]} " == *" $layer "* ]] || to_layers+=("$layer")
    done
    if [ ${#to_layers[@]} -gt 1 ]; then
        report "$file:$lineno: includes $name, found in several layers: ${matches[*]}"
        continue
    fi
    to=${to_layers[0]}
    target=${matches[0]}
    target=${target%.in}
    if [ "$to" = "$from" ] || [ "${rank[$to]}" -lt "${rank[$from]}" ]; then
        continue
    elif [ "${rank[$to]}" -eq "${rank[$from]}" ]; then
        report "$file:$lineno: includes $target ($to is beside $from, not below it)"
    else
        report "$file:$lineno: includes $target ($to is above $from)"
    fi
done < <(grep -nH -E '^[[:space:]]*#[[:space:]]*include' "${files[@]}" || true)

if [ "$bad" -gt 0 ]; then
    echo "check_layers: $bad of $checked includes break the layer rule (see ARCHITECTURE.md)" >&2
    exit 1
fi
echo "layers: ${#files[@]} files, $checked includes, all pointing down"
