#!/usr/bin/env bash
# Reproduces models/default: builds the data sets from Debian packages (scripts/make-default-data.sh,
# needs root for apt-get), trains the `fast` generator with the exact command recorded in
# models/default/meta.json, and exports it. About 35 minutes on 2 cores (1000 GAN steps at ~1.8 s).
# Usage: scripts/train-default.sh [run-dir]   (default: runs/default; an existing run is resumed)
set -euo pipefail
cd "$(dirname "$0")/.."
run=${1:-runs/default}

[ -f data/default/photos/manifest.json ] && [ -f data/default/anime/manifest.json ] || scripts/make-default-data.sh
npm run build --silent

resume=()
[ -f "$run/run.json" ] && resume=(--resume)
node dist/src/cli/bin.js train --photos data/default/photos --anime data/default/anime --out "$run" \
  --arch fast --steps 1000 --pretrain-steps 0 --crop 96 --batch 4 --workers 2 --lr 2e-4 \
  --content-weight 50 --style-weight 1000 --checkpoint-every 50 --sample-every 100 --seed 1 "${resume[@]}"
node dist/src/cli/bin.js plot "$run"
node dist/src/cli/bin.js export "$run" --out models/default --license MIT \
  --description "JapananimeGAN default: fast generator trained on Ren'Py anime backgrounds and freely licensed photographs (see DATA-ATTRIBUTION.md)"
