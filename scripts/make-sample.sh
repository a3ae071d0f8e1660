#!/bin/sh
# Makes samples/sample.mp4: a 7.4 s, 640x360, 25 fps H.264 + AAC clip panned and zoomed over five
# freely licensed photographs from Debian's lomiri-wallpapers-16.04 (see samples/ATTRIBUTION.md),
# with an A-major chord from lavfi sine sources. Deterministic given the same ffmpeg build.
#
#   sudo apt-get install lomiri-wallpapers-16.04 ffmpeg && sh scripts/make-sample.sh
set -eu
SRC=${SRC:-/usr/share/backgrounds}
OUT=${1:-"$(dirname "$0")/../samples/sample.mp4"}
W=640 H=360 FPS=25
D=45          # frames per photo (1.8 s)
XF=0.4        # crossfade seconds
for f in picosdeeuropa_by_Aitzol_Berasategi aitzgorri_by_Aitzol_Berasategi life_by_Aitzol_Berasategi \
         sunset_by_Aitzol_Berasategi seeding_by_Clements_Engelhardt; do
  [ -f "$SRC/$f.jpg" ] || { echo "missing $SRC/$f.jpg: sudo apt-get install lomiri-wallpapers-16.04" >&2; exit 1; }
done
# Each photo: cover-crop to 16:9 at 1920x1080 (zoompan on a large image avoids jitter), then a slow
# zoom towards a point of interest, or a pan.
zp() { # $1 = input index, $2 = zoom expr, $3 = x expr, $4 = y expr
  echo "[$1:v]scale=1920:1080:force_original_aspect_ratio=increase,crop=1920:1080,setsar=1,zoompan=z='$2':x='$3':y='$4':d=$D:s=${W}x${H}:fps=$FPS,trim=end_frame=$D,setpts=PTS-STARTPTS,format=yuv420p[v$1]"
}
T=$(awk "BEGIN{print $D/$FPS}")
O1=$(awk "BEGIN{print 1*($T-$XF)}"); O2=$(awk "BEGIN{print 2*($T-$XF)}")
O3=$(awk "BEGIN{print 3*($T-$XF)}"); O4=$(awk "BEGIN{print 4*($T-$XF)}")
TOTAL=$(awk "BEGIN{print 5*$T-4*$XF}")
FILTER="$(zp 0 'min(1+0.004*on,1.18)' 'iw/2-(iw/zoom/2)' 'ih/3-(ih/zoom/3)');\
$(zp 1 '1.15' "(iw-iw/zoom)*on/$D" 'ih/2-(ih/zoom/2)');\
$(zp 2 'max(1.2-0.004*on,1)' 'iw/2-(iw/zoom/2)' 'ih/2-(ih/zoom/2)');\
$(zp 3 'min(1+0.003*on,1.15)' 'iw/2-(iw/zoom/2)' 'ih/4-(ih/zoom/4)');\
$(zp 4 '1.12' 'iw/2-(iw/zoom/2)' "(ih-ih/zoom)*(1-on/$D)");\
[v0][v1]xfade=transition=fade:duration=$XF:offset=$O1[x1];\
[x1][v2]xfade=transition=fade:duration=$XF:offset=$O2[x2];\
[x2][v3]xfade=transition=fade:duration=$XF:offset=$O3[x3];\
[x3][v4]xfade=transition=fade:duration=$XF:offset=$O4[vout];\
[5:a][6:a][7:a]amix=inputs=3:normalize=1,volume=0.8,afade=t=in:d=0.3,afade=t=out:st=$(awk "BEGIN{print $TOTAL-0.6}"):d=0.6[aout]"
ffmpeg -hide_banner -nostdin -v error -y \
  -loop 1 -i "$SRC/picosdeeuropa_by_Aitzol_Berasategi.jpg" \
  -loop 1 -i "$SRC/aitzgorri_by_Aitzol_Berasategi.jpg" \
  -loop 1 -i "$SRC/life_by_Aitzol_Berasategi.jpg" \
  -loop 1 -i "$SRC/sunset_by_Aitzol_Berasategi.jpg" \
  -loop 1 -i "$SRC/seeding_by_Clements_Engelhardt.jpg" \
  -f lavfi -i "sine=frequency=220:sample_rate=48000:duration=$TOTAL" \
  -f lavfi -i "sine=frequency=277.18:sample_rate=48000:duration=$TOTAL" \
  -f lavfi -i "sine=frequency=329.63:sample_rate=48000:duration=$TOTAL" \
  -filter_complex "$FILTER" -map '[vout]' -map '[aout]' \
  -c:v libx264 -preset slow -crf 24 -pix_fmt yuv420p -r $FPS -t "$TOTAL" \
  -c:a aac -b:a 96k -ac 2 -movflags +faststart -metadata title="japananime sample (see ATTRIBUTION.md)" \
  "$OUT"
echo "wrote $OUT"
