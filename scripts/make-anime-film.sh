#!/usr/bin/env bash
# Assembles the anime backgrounds of the Ren'Py packages (renpy-thequestion, renpy-demo; MIT/Expat)
# into a short 1280x720 "anime film" with pans and zooms, so the default model's anime dataset is made
# by the same path a user takes: `japananime dataset film <film>`.
#
# Only backgrounds and full-scene illustrations are used, never character sprites (transparent PNGs
# that would teach the model "grey checkerboard/flat background"). The photographs that ship in
# renpy-demo (bg washington, bg whitehouse, bg cave, imagemap ground) are not anime and are left out.
#
# Usage: scripts/make-anime-film.sh <out.mp4>     (idempotent: does nothing if <out.mp4> exists)
set -euo pipefail

out=${1:?usage: make-anime-film.sh <out.mp4>}
if [[ -s "$out" ]]; then
  echo "anime film: $out exists, skipping (delete it to rebuild)"
  exit 0
fi

Q=/usr/share/games/renpy/the_question/game/images
D=/usr/share/games/renpy/demo/game/images
for f in "$Q/bg uni.jpg" "$Q/bg club.jpg" "$Q/bg lecturehall.jpg" "$Q/bg meadow.jpg" "$D/bg panorama.webp" "$D/concert1.png" "$D/concert3.png"; do
  [[ -f "$f" ]] || { echo "make-anime-film: missing $f (install renpy-thequestion and renpy-demo)" >&2; exit 1; }
done

FPS=24
W=1280
H=720
tmp=$(mktemp -d "${TMPDIR:-/tmp}/anime-film.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
ENC=(-c:v libx264 -preset veryfast -crf 18 -pix_fmt yuv420p -r "$FPS" -an)
n=0

# A still image moved by zoompan for <seconds>: z/x/y are zoompan expressions (on = output frame number).
# Upscaling 2x first keeps zoompan's integer crop positions from jittering.
zoom_segment() {
  local img=$1 seconds=$2 z=$3 x=$4 y=$5
  local frames=$((seconds * FPS))
  n=$((n + 1))
  ffmpeg -nostdin -v error -y -i "$img" -filter_complex \
    "[0:v]format=rgb24,scale=$((W * 2)):$((H * 2)):flags=lanczos,zoompan=z='$z':x='$x':y='$y':d=$frames:s=${W}x${H}:fps=$FPS,fade=t=in:st=0:d=0.4,fade=t=out:st=$(awk -v s="$seconds" 'BEGIN{print s-0.4}'):d=0.4" \
    -frames:v "$frames" "${ENC[@]}" "$tmp/$(printf %02d $n).mp4"
}

# A large image panned with a moving crop window over <seconds>.
pan_segment() {
  local img=$1 seconds=$2 scale=$3 x=$4 y=$5
  n=$((n + 1))
  ffmpeg -nostdin -v error -y -loop 1 -framerate "$FPS" -t "$seconds" -i "$img" -filter_complex \
    "[0:v]format=rgb24,scale=$scale:flags=lanczos,crop=$W:$H:x='$x':y='$y',fade=t=in:st=0:d=0.4,fade=t=out:st=$(awk -v s="$seconds" 'BEGIN{print s-0.4}'):d=0.4" \
    "${ENC[@]}" "$tmp/$(printf %02d $n).mp4"
}

echo "anime film: rendering segments…"
zoom_segment "$Q/bg uni.jpg" 5 '1+0.25*on/120' 'iw/2-(iw/zoom/2)' 'ih/2-(ih/zoom/2)'
zoom_segment "$Q/bg club.jpg" 5 '1.3' '(iw-iw/zoom)*on/120' 'ih/2-(ih/zoom/2)'
zoom_segment "$Q/bg lecturehall.jpg" 5 '1.35-0.3*on/120' 'iw/2-(iw/zoom/2)' 'ih/2-(ih/zoom/2)'
zoom_segment "$Q/bg meadow.jpg" 5 '1.3' '(iw-iw/zoom)*(1-on/120)' '(ih-ih/zoom)*0.6'
# The 5842x720 panorama, panned end to end.
pan_segment "$D/bg panorama.webp" 16 "5842:720" "(in_w-out_w)*t/16" "0"
# The concert illustrations (2400x1530): a diagonal pan and a zoom.
pan_segment "$D/concert1.png" 5 "1600:1020" "(in_w-out_w)*t/5" "(in_h-out_h)*t/5"
zoom_segment "$D/concert3.png" 4 '1+0.4*on/96' 'iw/2-(iw/zoom/2)' 'ih/3-(ih/zoom/3)'

printf "file '%s'\n" "$tmp"/*.mp4 > "$tmp/list.txt"
mkdir -p "$(dirname "$out")"
ffmpeg -nostdin -v error -y -f concat -safe 0 -i "$tmp/list.txt" -c copy -movflags +faststart "$tmp/film.mp4"
mv "$tmp/film.mp4" "$out"
echo "anime film: wrote $out ($(ffprobe -v error -show_entries format=duration -of csv=p=0 "$out") s)"
