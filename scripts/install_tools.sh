#!/usr/bin/env bash
# Installs the command-line tools the test run and the benchmarks need from Debian's packages, if they
# are missing: faketime (libfaketime), for the night-clock run of scripts/test.sh, and wrk, the HTTP
# load generator of bench/bench_pages.py (a C program: on a 2-core box a Python load generator would
# take the CPU the measured server needs). Not root: says what to install and leaves it to
# scripts/test.sh to skip that run (or to fail it when CI=true).
set -euo pipefail
need=()
command -v faketime >/dev/null 2>&1 || need+=(faketime)
command -v wrk >/dev/null 2>&1 || need+=(wrk)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "The night-clock test run and bench/bench_pages.py need: ${need[*]} — run: sudo apt-get install ${need[*]}" >&2
  exit 0
fi
echo "Installing ${need[*]} from Debian's packages…"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
