#!/usr/bin/env bash
# Checks for the Debian packages hzprof needs and installs the missing ones.
#
#   scripts/deps.sh [extra-package ...] [--optional package ...]
#
# As root (or with password-less sudo) it runs apt-get install for what is missing.
# Otherwise it prints the exact install line and exits 1, so `make` stops before a
# confusing compiler error. Extra packages (e.g. golang-go for the pprof tests) may be
# named on the command line or in HZPROF_EXTRA_PACKAGES. Packages after --optional (the
# bench baselines) are installed where we can install, and otherwise only named: their
# absence is recorded by the benchmark, not an error.
set -euo pipefail

optional=()
required=()
seen_optional=0
for a in "$@"; do
  if [ "$a" = --optional ]; then seen_optional=1
  elif [ $seen_optional -eq 1 ]; then optional+=("$a")
  else required+=("$a")
  fi
done
can_install=0
if [ "$(id -u)" -eq 0 ] || { command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; }; then
  can_install=1
fi

packages=(
  build-essential cmake pkg-config
  libunwind-dev libcjson-dev check zlib1g-dev libdw-dev libelf-dev
  gnuplot-nox libxml2-utils python3
)
packages+=("${required[@]+"${required[@]}"}")
if [ ${#optional[@]} -gt 0 ]; then
  if [ $can_install -eq 1 ]; then
    packages+=("${optional[@]}")
  else
    for p in "${optional[@]}"; do
      dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
        echo "hzprof deps: optional package $p is missing (its baseline will be skipped);" \
             "install it with: sudo apt-get install -y $p" >&2
    done
  fi
fi
# shellcheck disable=SC2206
packages+=(${HZPROF_EXTRA_PACKAGES:-})

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

line="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then
  sudo=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo="sudo"
else
  echo "hzprof deps: missing Debian packages: ${missing[*]}" >&2
  echo "hzprof deps: install them with: sudo $line" >&2
  exit 1
fi

# Why each package is needed: printed before installing it.
why() {
  case "$1" in
    build-essential) echo "C compiler and make" ;;
    cmake) echo "the build" ;;
    pkg-config) echo "finding the libraries below" ;;
    libunwind-dev) echo "the libunwind unwinder" ;;
    libcjson-dev) echo "JSON of workloads and results" ;;
    check) echo "unit tests (Check)" ;;
    zlib1g-dev) echo "gzipped pprof profiles" ;;
    libdw-dev|libelf-dev) echo "symbolization (function, file, line)" ;;
    gnuplot-nox) echo "charts (hzprof plot, the HTML report)" ;;
    libxml2-utils) echo "xmllint: tests check SVG output" ;;
    python3) echo "test scripts" ;;
    golang-go) echo "go tool pprof checks our profiles; the Go twins (go-pprof baseline)" ;;
    chromium) echo "the browser test of flame graphs and the report" ;;
    libgoogle-perftools4) echo "the gperftools baseline" ;;
    linux-perf) echo "the perf-record baseline" ;;
    clang|clang-format) echo "fuzzing and the format check" ;;
    libclang-rt-*) echo "libFuzzer and the sanitizers' runtime for clang (scripts/fuzz.sh)" ;;
    valgrind) echo "the cachegrind preset" ;;
    texlive-*|latexmk) echo "the paper (make paper)" ;;
    *) echo "requested" ;;
  esac
}
echo "hzprof deps: installing ${#missing[@]} Debian package(s):" >&2
for p in "${missing[@]}"; do
  echo "  $p — $(why "$p")" >&2
done
export DEBIAN_FRONTEND=noninteractive
log=$(mktemp /tmp/hzprof-apt.XXXXXX.log)
# Package lists may be absent on a fresh machine; update once, then install. apt's own
# progress goes to the log, shown only if it fails.
$sudo apt-get update -qq >"$log" 2>&1 || true
if ! $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >>"$log" 2>&1; then
  tail -20 "$log" >&2
  echo "hzprof deps: '$line' failed (full log: $log)" >&2
  exit 1
fi
rm -f "$log"
echo "hzprof deps: installed" >&2
