#!/usr/bin/env bash
# Installs the Debian packages the tests need and a fresh machine lacks: ffmpeg (the suite runs
# against Debian's 5.1, not only the old bundled build) and chromium (the end-to-end browser tests).
# Does nothing when both are there; uses sudo when not run as root. Called by .ci/run and by the
# README's test command.
set -euo pipefail

need=()
command -v ffmpeg >/dev/null 2>&1 || need+=(ffmpeg)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
[ ${#need[@]} -eq 0 ] && exit 0

as_root=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "install-test-deps: needs root or sudo to apt-get install ${need[*]}" >&2; exit 1; }
  as_root=(sudo)
fi
command -v apt-get >/dev/null 2>&1 || { echo "install-test-deps: no apt-get here; install ${need[*]} yourself (or set CHROMIUM_PATH)" >&2; exit 1; }
echo "install-test-deps: apt-get install ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" apt-get install -y -qq "${need[@]}" >/dev/null
