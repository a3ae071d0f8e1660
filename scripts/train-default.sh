#!/usr/bin/env bash
# Reproduces models/default: builds the data sets from Debian packages (scripts/make-default-data.sh,
# needs root for apt-get), makes the photos' anime targets once (`dataset targets`: graded colours,
# L0-flattened regions, drawn outlines; ~1 s a crop), trains the `fast` generator with the exact
# command recorded in models/default/meta.json, and exports it with an int8 copy.
# Time on 2 cores: see models/default/meta.json (training.wallSeconds). Pretraining is the regression to
# the anime targets (L1 in pixels + the perceptual content loss against the target), then the GAN
# phase adds the film's style (Gram) loss and the discriminator, with the targets' L1 kept.
# The shipped model took one more step: it was trained with instance norms in its context path (the
# `fast` of 2026-12-05 before 23:00), then moved to today's norm-free `fast` by folding the norms into
# its convs (scripts/fold-fast-norms.ts) and 600 distillation steps to its own outputs
# (scripts/distill-targets.ts, train --init); README "The default model" has the commands. This script
# trains the norm-free network from step 1 with the same recipe, which has not been run to its end.
# Usage: scripts/train-default.sh [run-dir]   (default: runs/default; an existing run is resumed)
set -euo pipefail
cd "$(dirname "$0")/.."
run=${1:-runs/default}
STEPS=${STEPS:-1200}

[ -f data/default/photos/manifest.json ] && [ -f data/default/anime/manifest.json ] || scripts/make-default-data.sh
npm run build --silent
node dist/src/cli/bin.js dataset targets data/default/photos

resume=()
[ -f "$run/run.json" ] && resume=(--resume)
node dist/src/cli/bin.js train --photos data/default/photos --anime data/default/anime --out "$run" \
  --arch fast --steps "$STEPS" --pretrain-steps 1100 --crop 128 --batch 4 --workers 2 --lr 1e-4 --pretrain-lr 2e-3 \
  --content-weight 1 --style-weight 300 --structure-weight 10 --gradient-weight 20 --target anime --content-on target \
  --checkpoint-every 50 --keep 10 --sample-every 100 --seed 1 "${resume[@]}"
node dist/src/cli/bin.js plot "$run"
node dist/src/cli/bin.js export "$run" --out models/default --step "$STEPS" --license MIT \
  --description "JapananimeGAN default: fast generator trained on Ren'Py anime backgrounds and freely licensed photographs (see DATA-ATTRIBUTION.md)"
