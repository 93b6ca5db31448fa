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

echo "hzprof deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# Package lists may be absent on a fresh machine; update once, then install.
$sudo apt-get update -qq >&2 || true
if ! $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2; then
  echo "hzprof deps: '$line' failed" >&2
  exit 1
fi
