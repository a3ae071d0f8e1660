#!/usr/bin/env bash
# Builds the training data of the embedded default model from freely licensed art in Debian packages,
# by the same commands a user runs, and records the licence and attribution of every file used.
#
#   (a) installs the Debian packages (those apt does not know are skipped, and said so);
#   (b) renders the Ren'Py anime backgrounds into a short pan/zoom "anime film" (make-anime-film.sh);
#   (c) `japananime dataset film` on the film → data/default/anime,
#       `japananime dataset photos` on the chosen photographs → data/default/photos,
#       held-out photographs (never trained on) copied to data/default/holdout/ for `japananime eval`;
#   (d) writes models/default/DATA-ATTRIBUTION.md and models/default/LICENSES/.
#
# Idempotent: installed packages, the rendered film and up-to-date datasets are skipped.
# Usage: scripts/make-default-data.sh            (DATA_DIR overrides data/default)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DATA=${DATA_DIR:-$ROOT/data/default}
MODEL=$ROOT/models/default
CLI=(node --import tsx "$ROOT/src/cli/bin.ts")

# Crops: 256 px (the trainer takes 128 px crops from them); a few hundred of each kind.
CROP=256
ANIME_CROPS_PER_FRAME=8
PHOTO_CROPS_PER_FRAME=10
SEED=1

say() { printf '\n== %s\n' "$*"; }

# ---------------------------------------------------------------------------------------------
say "(a) Debian packages"
PACKAGES=(renpy-thequestion renpy-demo lomiri-wallpapers-16.04 plasma-workspace-wallpapers mate-backgrounds tuxpaint-data gcompris-qt-data)
to_install=()
for p in "${PACKAGES[@]}"; do
  if dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    echo "installed: $p"
  elif [[ -n "$(apt-cache policy "$p" 2>/dev/null | awk '/Candidate:/ && $2 != "(none)" {print $2}')" ]]; then
    to_install+=("$p")
  else
    echo "SKIPPED: $p is not available from apt here; its files are left out"
  fi
done
if ((${#to_install[@]})); then
  SUDO=()
  [[ $(id -u) -ne 0 ]] && SUDO=(sudo)
  echo "installing: ${to_install[*]}"
  DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y --no-install-recommends "${to_install[@]}"
fi

# ---------------------------------------------------------------------------------------------
# The files used. One row each: role | file | title | author/copyright | licence | source/notes
#   role anime   → rendered into the film (renpy-*: backgrounds and full-scene illustrations only, no sprites)
#   role train   → photo training set
#   role holdout → copied to holdout/, never trained on (for `japananime eval` and the README contact sheet)
RENPY_Q=/usr/share/games/renpy/the_question/game/images
RENPY_D=/usr/share/games/renpy/demo/game/images
GC_MONUMENTS=src/activities/categorization/resource/images/monuments
FILES=$(cat <<EOF
anime|$RENPY_Q/bg uni.jpg|renpy-thequestion: bg uni|Background Art: Mugenjohncel, original background art: DaFool (credits in the_question/game/options.rpy); Ren'Py © 2004-2022 Tom Rothamel|Expat (MIT)|Debian renpy-thequestion
anime|$RENPY_Q/bg club.jpg|renpy-thequestion: bg club|Background Art: Mugenjohncel, original background art: DaFool; Ren'Py © 2004-2022 Tom Rothamel|Expat (MIT)|Debian renpy-thequestion
anime|$RENPY_Q/bg lecturehall.jpg|renpy-thequestion: bg lecturehall|Background Art: Mugenjohncel, original background art: DaFool; Ren'Py © 2004-2022 Tom Rothamel|Expat (MIT)|Debian renpy-thequestion
anime|$RENPY_Q/bg meadow.jpg|renpy-thequestion: bg meadow|Background Art: Mugenjohncel, original background art: DaFool; Ren'Py © 2004-2022 Tom Rothamel|Expat (MIT)|Debian renpy-thequestion
anime|$RENPY_D/bg panorama.webp|renpy-demo: bg panorama (5842×720)|© 2004-2022 Tom Rothamel and the Ren'Py contributors|Expat (MIT)|Debian renpy-demo
anime|$RENPY_D/concert1.png|renpy-demo: concert1 illustration|© 2004-2022 Tom Rothamel and the Ren'Py contributors|Expat (MIT)|Debian renpy-demo
anime|$RENPY_D/concert3.png|renpy-demo: concert3 illustration|© 2004-2022 Tom Rothamel and the Ren'Py contributors|Expat (MIT)|Debian renpy-demo
train|/usr/share/backgrounds/Bridge_by_Sander_Klootwijk.jpg|Bridge|© 2018 Sander Klootwijk|CC-BY-SA-4.0|Debian lomiri-wallpapers-16.04
train|/usr/share/backgrounds/Dragonfly_by_Bolly.jpg|Dragonfly|© 2018 "Bolly"|CC-BY-SA-4.0|Debian lomiri-wallpapers-16.04
train|/usr/share/backgrounds/Wine_by_Jakkub_Mede.jpg|Wine|© 2018 Jakub Mede|CC-BY-4.0|Debian lomiri-wallpapers-16.04
train|/usr/share/backgrounds/aitzgorri_by_Aitzol_Berasategi.jpg|Aitzgorri|© 2018 Aitzol Berasategi|CC-BY-4.0|Debian lomiri-wallpapers-16.04
train|/usr/share/backgrounds/friends_by_Aitzol_Berasategi.jpg|Friends|© 2018 Aitzol Berasategi|CC-BY-4.0|Debian lomiri-wallpapers-16.04
train|/usr/share/backgrounds/life_by_Aitzol_Berasategi.jpg|Life|© 2018 Aitzol Berasategi|CC-BY-4.0|Debian lomiri-wallpapers-16.04
train|/usr/share/backgrounds/seeding_by_Clements_Engelhardt.jpg|Seeding|© 2018 Clemens Engelhardt|CC0-1.0|Debian lomiri-wallpapers-16.04
train|/usr/share/backgrounds/sunset_by_Aitzol_Berasategi.jpg|Sunset|© 2018 Aitzol Berasategi|CC-BY-4.0|Debian lomiri-wallpapers-16.04
holdout|/usr/share/backgrounds/picosdeeuropa_by_Aitzol_Berasategi.jpg|Picos de Europa|© 2018 Aitzol Berasategi|CC-BY-4.0|Debian lomiri-wallpapers-16.04
train|/usr/share/wallpapers/BytheWater/contents/images/2560x1600.jpg|By the water|Maciej Wiklo|LGPL-3 (metadata.json); package: GPL-2+|Debian plasma-workspace-wallpapers
train|/usr/share/wallpapers/ColdRipple/contents/images/2560x1600.jpg|Cold Ripple|Risto Saukonpää|LGPL-3 (metadata.json); package: GPL-2+|Debian plasma-workspace-wallpapers
train|/usr/share/wallpapers/DarkestHour/contents/images/2560x1600.jpg|Darkest Hour|Risto Saukonpää|LGPL-3 (metadata.json); package: GPL-2+|Debian plasma-workspace-wallpapers
train|/usr/share/wallpapers/FallenLeaf/contents/images/2560x1600.jpg|Fallen Leaf|Martin Klapetek|LGPL-3 (metadata.json); package: GPL-2+|Debian plasma-workspace-wallpapers
train|/usr/share/wallpapers/Grey/contents/images/2560x1600.jpg|Grey|Sigi Sagi|LGPL-3 (metadata.json); package: GPL-2+|Debian plasma-workspace-wallpapers
train|/usr/share/wallpapers/Kite/contents/images/2560x1600.jpg|Kite|Risto Saukonpää|LGPL-3 (metadata.json); package: GPL-2+|Debian plasma-workspace-wallpapers
train|/usr/share/wallpapers/OneStandsOut/contents/images/2560x1600.jpg|One Stands Out|Risto Saukonpää|LGPL-3 (metadata.json); package: GPL-2+|Debian plasma-workspace-wallpapers
train|/usr/share/wallpapers/Path/contents/images/2560x1600.jpg|Path|Risto Saukonpää|LGPL-3 (metadata.json); package: GPL-2+|Debian plasma-workspace-wallpapers
train|/usr/share/wallpapers/summer_1am/contents/images/2560x1600.jpg|summer 1am|Risto Saukonpää|LGPL-3 (metadata.json); package: GPL-2+|Debian plasma-workspace-wallpapers
holdout|/usr/share/wallpapers/EveningGlow/contents/images/2560x1600.jpg|Evening Glow|Ian Hex|LGPL-3 (metadata.json); package: GPL-2+|Debian plasma-workspace-wallpapers
train|/usr/share/backgrounds/mate/nature/Dune.jpg|Dune|© 2007 Marco Cogoni|GPL-2+|Debian mate-backgrounds
train|/usr/share/backgrounds/mate/nature/Storm.jpg|Storm|© 2008 Sergey Nazarov|GPL-2+|Debian mate-backgrounds
train|/usr/share/backgrounds/mate/nature/LadyBird.jpg|Lady Bird|© 2008 Charles Barbin|GPL-2+|Debian mate-backgrounds
train|/usr/share/backgrounds/mate/nature/Garden.jpg|Garden|© 2008 Charles Barbin|GPL-2+|Debian mate-backgrounds
train|/usr/share/tuxpaint/templates/cliff.jpg|Cliff|© Bill Kendrick (Tux Paint templates, AUTHORS.txt)|GPL-2+|Debian tuxpaint-data
train|/usr/share/tuxpaint/templates/corn_maze.jpg|Corn maze|© Bill Kendrick|GPL-2+|Debian tuxpaint-data
train|/usr/share/tuxpaint/templates/mossy_log.jpg|Mossy log|© Bill Kendrick|GPL-2+|Debian tuxpaint-data
train|/usr/share/tuxpaint/templates/ocean_waves.jpg|Ocean waves|© Bill Kendrick|GPL-2+|Debian tuxpaint-data
train|/usr/share/tuxpaint/templates/redwoods_above.jpg|Redwoods above|© Bill Kendrick|GPL-2+|Debian tuxpaint-data
train|/usr/share/tuxpaint/templates/rocks.jpg|Rocks|© Bill Kendrick|GPL-2+|Debian tuxpaint-data
train|/usr/share/tuxpaint/templates/sun_behind_clouds.jpg|Sun behind clouds|© Bill Kendrick|GPL-2+|Debian tuxpaint-data
train|/usr/share/tuxpaint/templates/trees_above.jpg|Trees above|© Bill Kendrick|GPL-2+|Debian tuxpaint-data
train|/usr/share/tuxpaint/templates/trees_at_dusk.jpg|Trees at dusk|© Bill Kendrick|GPL-2+|Debian tuxpaint-data
holdout|/usr/share/tuxpaint/templates/lighthouse.jpg|Lighthouse|© Bill Kendrick|GPL-2+|Debian tuxpaint-data
holdout|/usr/share/tuxpaint/templates/sheep.jpg|Sheep|© Bill Kendrick|GPL-2+|Debian tuxpaint-data
holdout|gcompris:$GC_MONUMENTS/colosseum.webp|Colosseum, Rome|Urse Ovidiu|Public Domain|https://commons.wikimedia.org/wiki/File:Colosseum_Roma_2009.jpg (gcompris-qt-data categorization.rcc)
holdout|gcompris:$GC_MONUMENTS/eiffelTower.webp|Eiffel Tower, Paris|Alex Liivet|CC0-1.0|https://commons.wikimedia.org/wiki/File:Eiffel_Tower_(26514311499).jpg (gcompris-qt-data categorization.rcc)
holdout|gcompris:$GC_MONUMENTS/empireState.webp|Empire State Building, New York|Alex Liivet|CC0-1.0|https://commons.wikimedia.org/wiki/File:New_York_2007_(24636948519).jpg (gcompris-qt-data categorization.rcc)
holdout|gcompris:$GC_MONUMENTS/tajMahal.webp|Taj Mahal, Agra|David Castor|Public Domain|https://commons.wikimedia.org/wiki/File:Taj_Mahal-09.jpg (gcompris-qt-data categorization.rcc)
holdout|gcompris:$GC_MONUMENTS/operaHouse.webp|Sydney Opera House|Anonymous|CC0-1.0|https://commons.wikimedia.org/wiki/File:Sydney_Opera_House_(2017).jpg (gcompris-qt-data categorization.rcc)
holdout|gcompris:$GC_MONUMENTS/parthenon.webp|Parthenon, Athens|Jebulon|CC0-1.0|https://commons.wikimedia.org/wiki/File:Parthenon_east_side_Acropolis_Athens,_Greece.jpg (gcompris-qt-data categorization.rcc)
holdout|gcompris:$GC_MONUMENTS/greatWall.webp|Great Wall of China, Mutianyu|Ahazan|Public Domain|https://commons.wikimedia.org/wiki/File:Great_wall_of_china-mutianyu_4.JPG (gcompris-qt-data categorization.rcc)
holdout|gcompris:$GC_MONUMENTS/brandenburgGate.webp|Brandenburg Gate, Berlin|Evans1551|Public Domain|https://commons.wikimedia.org/wiki/File:Brandenburg_Gate_(summer_2005).JPG (gcompris-qt-data categorization.rcc)
EOF
)

# ---------------------------------------------------------------------------------------------
say "(b) anime film from the Ren'Py backgrounds"
mkdir -p "$DATA/src"
"$ROOT/scripts/make-anime-film.sh" "$DATA/src/anime-film.mp4"

# gcompris-qt's photographs live inside Qt resource files: extract the landmark photos of its
# categorization activity. They are 320 px, too small for 256 px training crops, so they serve as
# held-out evaluation photos only. (The 1024 px photos of explore_monuments.rcc carry no per-file
# licence in the package's copyright file and are not used.)
GC_DIR=$DATA/src/gcompris
GC_RCC=/usr/share/gcompris-qt/rcc/categorization.rcc
if [[ -f "$GC_RCC" && ! -f "$GC_DIR/gcompris/$GC_MONUMENTS/README" ]]; then
  python3 "$ROOT/scripts/extract-qt-rcc.py" "$GC_RCC" "$GC_DIR" images/monuments/
fi

resolve() { # a FILES path → a real path
  case $1 in
    gcompris:*) echo "$GC_DIR/gcompris/${1#gcompris:}" ;;
    *) echo "$1" ;;
  esac
}

say "(c) photo selection: training photos and held-out photos"
PHOTO_DIR=$DATA/src/photos
rm -rf "$PHOTO_DIR"
mkdir -p "$PHOTO_DIR" "$DATA/holdout"
rm -f "$DATA"/holdout/*
used=()
missing=0
while IFS='|' read -r role file title author licence source; do
  real=$(resolve "$file")
  if [[ ! -f "$real" ]]; then
    echo "SKIPPED (not installed): $real"
    missing=$((missing + 1))
    continue
  fi
  used+=("$role|$file|$title|$author|$licence|$source")
  # A stable, readable name: <package>-<file name>; Plasma wallpapers are all called 2560x1600.jpg,
  # so theirs carry the wallpaper's folder name.
  pkg=${source#Debian }
  [[ $file == gcompris:* ]] && pkg=gcompris-qt-data
  name=$(basename "$real")
  [[ $real =~ ^/usr/share/wallpapers/([^/]+)/ ]] && name="${BASH_REMATCH[1]}.jpg"
  name="$pkg-${name// /_}"
  case $role in
    train) ln -s "$real" "$PHOTO_DIR/$name" ;;
    holdout) cp "$real" "$DATA/holdout/$name" ;;
  esac
done <<<"$FILES"
echo "training photos: $(find "$PHOTO_DIR" -maxdepth 1 -type l | wc -l), held out: $(find "$DATA/holdout" -maxdepth 1 -type f | wc -l), missing: $missing"
(cd "$DATA/holdout" && ls -1) > "$DATA/holdout.txt"

say "(c) anime dataset: japananime dataset film"
"${CLI[@]}" dataset film "$DATA/src/anime-film.mp4" --out "$DATA/anime" --crop "$CROP" \
  --crops-per-frame "$ANIME_CROPS_PER_FRAME" --scene-threshold 0.3 --min-spacing 0.5 --max-gap 1 --seed "$SEED"

say "(c) photo dataset: japananime dataset photos"
"${CLI[@]}" dataset photos "$PHOTO_DIR" --out "$DATA/photos" --crop "$CROP" \
  --crops-per-frame "$PHOTO_CROPS_PER_FRAME" --seed "$SEED"

# ---------------------------------------------------------------------------------------------
say "(d) licences and attribution → models/default/"
mkdir -p "$MODEL/LICENSES"
declare -A pkgs_used=()
for row in "${used[@]}"; do
  IFS='|' read -r role file title author licence source <<<"$row"
  case $source in
    *gcompris*) pkgs_used[gcompris-qt-data]=1 ;;
    Debian\ *) pkgs_used[${source#Debian }]=1 ;;
  esac
done
for p in "${!pkgs_used[@]}"; do
  cp "/usr/share/doc/$p/copyright" "$MODEL/LICENSES/$p.copyright"
done
if [[ -f "$GC_DIR/gcompris/$GC_MONUMENTS/README" ]]; then
  cp "$GC_DIR/gcompris/$GC_MONUMENTS/README" "$MODEL/LICENSES/gcompris-qt-data.categorization-monuments.README"
fi
for l in GPL-2 LGPL-3 CC0-1.0; do
  [[ -f /usr/share/common-licenses/$l ]] && cp "/usr/share/common-licenses/$l" "$MODEL/LICENSES/$l.txt"
done

table() { # role → markdown rows
  local want=$1
  for row in "${used[@]}"; do
    IFS='|' read -r role file title author licence source <<<"$row"
    [[ $role == "$want" ]] || continue
    local shown=$file
    [[ $file == gcompris:* ]] && shown="categorization.rcc:${file#gcompris:}"
    printf '| %s | `%s` | %s | %s | %s |\n' "$title" "$shown" "$author" "$licence" "$source"
  done
}

anime_counts=$(node -e 'const m=require(process.argv[1]);const c=m.counts;console.log(`${c.keptFrames} key frames of ${c.candidates} → ${c.train} train + ${c.val} val crops of ${m.cropSize} px (each with an edge-smoothed copy)`)' "$DATA/anime/manifest.json")
photo_counts=$(node -e 'const m=require(process.argv[1]);const c=m.counts;console.log(`${c.keptFrames} photos of ${c.candidates} → ${c.train} train + ${c.val} val crops of ${m.cropSize} px`)' "$DATA/photos/manifest.json")

tmp_md=$(mktemp "$MODEL/.DATA-ATTRIBUTION.md.XXXXXX")
{
  cat <<EOF
# Training data of the default model: sources, licences, attribution

Generated by \`scripts/make-default-data.sh\`, which installs the Debian packages below, builds the
datasets with \`japananime dataset film\` / \`japananime dataset photos\` and writes this file. The full
Debian copyright files of every package used are in [LICENSES/](LICENSES/), with the licence texts
(GPL-2, LGPL-3, CC0-1.0) from \`/usr/share/common-licenses\`; the Creative Commons licences are at
<https://creativecommons.org/licenses/>. Packages are Debian 12 (bookworm) versions:
$(for p in $(printf '%s\n' "${!pkgs_used[@]}" | sort); do echo "\`$p\` $(dpkg-query -W -f='${Version}' "$p")"; done | paste -sd, | sed 's/,/, /g').

The model is trained on crops of these images; no image is shipped with the model. The held-out
photos are never trained on; they are used by \`japananime eval\` and the README's before/after sheet.

## Anime art → the "anime film" → anime dataset

Rendered by \`scripts/make-anime-film.sh\` into a 45 s 1280×720 film of pans and zooms, then
\`japananime dataset film\`: $anime_counts.
Only backgrounds and full-scene illustrations are used; character sprites are not, and neither are
the photographs that ship in renpy-demo (\`bg washington\`, \`bg whitehouse\`, \`bg cave\`, \`imagemap ground\`).

| image | file | author / copyright | licence | from |
|---|---|---|---|---|
$(table anime)

## Photographs → photo dataset

\`japananime dataset photos\`: $photo_counts.
Chosen by hand for landscapes, nature, water, streets and buildings; abstract and rendered wallpapers
are left out. The KDE Plasma wallpapers declare LGPL-3 in their own metadata.json while the Debian
copyright file covers the package as GPL-2+; both are recorded.

| photo | file | author / copyright | licence | from |
|---|---|---|---|---|
$(table train)

## Held-out photographs (evaluation only, never trained on) → \`data/default/holdout/\`

The landmark photos come from gcompris-qt-data's \`categorization.rcc\` (extracted by
\`scripts/extract-qt-rcc.py\`); their per-file authors, sources and licences are from the README inside
that resource (copied to LICENSES/). Debian's copyright file lists older JPEG versions of these files
under CC-BY/CC-BY-SA; the shipped WebP files are the public-domain/CC0 replacements the README names.
They are 320 px on their longer side, too small for 256 px training crops.

| photo | file | author / copyright | licence | source |
|---|---|---|---|---|
$(table holdout)

## Not used, and why

- gcompris-qt-data \`explore_monuments.rcc\` (1024 px landmark photos): no per-file licence in the package's copyright file.
- plasma-workspace-wallpapers rendered/abstract wallpapers, lomiri abstract wallpapers (analogpattern, free, greentock, umang), mate abstract/desktop backgrounds: not photographs.
- renpy-demo photographs (bg washington, bg whitehouse, bg cave, imagemap ground): real photos inside an anime demo, and their provenance is not recorded per file.
EOF
  if ((missing)); then echo; echo "Note: $missing listed file(s) were not installed when this was generated and are not included."; fi
} >"$tmp_md"
mv "$tmp_md" "$MODEL/DATA-ATTRIBUTION.md"

say "done"
echo "anime:   $anime_counts  ($DATA/anime)"
echo "photos:  $photo_counts  ($DATA/photos)"
echo "holdout: $(wc -l <"$DATA/holdout.txt") photos ($DATA/holdout, listed in $DATA/holdout.txt)"
echo "attribution: $MODEL/DATA-ATTRIBUTION.md, $MODEL/LICENSES/"
