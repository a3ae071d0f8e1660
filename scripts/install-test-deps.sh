#!/usr/bin/env bash
# Installs the Debian packages the tests need and a fresh machine lacks: ffmpeg (the suite runs
# against Debian's 5.1, not only the old bundled build), chromium (the end-to-end browser tests) and
# Mesa's software OpenGL ES (the WebGPU training tests run on llvmpipe through Dawn's GL backend:
# dawn.node dlopens the unversioned libEGL.so, which only libegl-dev provides; libegl-mesa0 is
# Mesa's EGL and libgl1-mesa-dri holds llvmpipe, swrast_dri.so).
# Does nothing when all are there; uses sudo when not run as root. Called by .ci/run and by the
# README's test command.
set -euo pipefail

need=()
command -v ffmpeg >/dev/null 2>&1 || need+=(ffmpeg)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
if command -v dpkg >/dev/null 2>&1; then
  for pkg in libegl-dev libegl-mesa0 libgl1-mesa-dri; do
    dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
  done
fi
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
