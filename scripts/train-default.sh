#!/usr/bin/env bash
# Reproduces models/default: builds the data sets from Debian packages (scripts/make-default-data.sh,
# needs root for apt-get), trains the `fast` generator with the exact command recorded in
# models/default/meta.json, and exports it. About 8 minutes on 2 cores: 500 pretraining steps
# (~0.5 s) and 100 GAN steps (~2 s) at 96x96, batch 4. Longer GAN phases grew colour fringes and
# checkerboards from about step 1000 on (see README, "The default model").
# Usage: scripts/train-default.sh [run-dir]   (default: runs/default; an existing run is resumed)
set -euo pipefail
cd "$(dirname "$0")/.."
run=${1:-runs/default}

[ -f data/default/photos/manifest.json ] && [ -f data/default/anime/manifest.json ] || scripts/make-default-data.sh
npm run build --silent

resume=()
[ -f "$run/run.json" ] && resume=(--resume)
node dist/src/cli/bin.js train --photos data/default/photos --anime data/default/anime --out "$run" \
  --arch fast --steps 600 --pretrain-steps 500 --crop 96 --batch 4 --workers 2 --lr 2e-4 --pretrain-lr 2e-3 \
  --content-weight 1 --style-weight 300 --structure-weight 10 --checkpoint-every 50 --sample-every 100 --seed 1 "${resume[@]}"
node dist/src/cli/bin.js plot "$run"
node dist/src/cli/bin.js export "$run" --out models/default --license MIT \
  --description "JapananimeGAN default: fast generator trained on Ren'Py anime backgrounds and freely licensed photographs (see DATA-ATTRIBUTION.md)"
