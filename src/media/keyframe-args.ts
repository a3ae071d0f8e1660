/**
 * Pure builders of the ffmpeg arguments that pick frames out of a video for the dataset builder:
 * key frames by scene change (film) or one frame every N seconds (travel video). The selection runs
 * inside ffmpeg's `select` filter, so only the chosen frames cross the pipe.
 */
import { inputUrl, PROTOCOL_WHITELIST } from './ffmpeg-args.js';

export interface FrameSelection {
  /**
   * Scene-change score (ffmpeg's `scene`, 0–1) above which a frame starts a new shot; 0 turns
   * scene detection off (periodic sampling only). Default: 0.3.
   */
  sceneThreshold?: number;
  /** Seconds that must pass after a selected frame before a scene change selects another. Default: 0.5. */
  minSpacing?: number;
  /**
   * Seconds after which a frame is selected even without a scene change, so slow pans and long
   * shots still give data; 0 turns it off. Default: 0 (off).
   */
  maxGap?: number;
}

export interface SelectFramesArgsOptions extends FrameSelection {
  /** Local video file (opened as file:…). */
  input: string;
  /** Size of the frames on the pipe when the decoder should scale; default: the source size. */
  scaleTo?: { width: number; height: number };
}

function num(x: number): string {
  // ffmpeg's expression parser takes plain decimals; avoid exponent notation.
  return Number.isInteger(x) ? String(x) : x.toFixed(6).replace(/0+$/, '');
}

/**
 * The `select` expression: always the first frame; a frame at least `maxGap` s after the last
 * selected one; a scene change at least `minSpacing` s after it. prev_selected_t is NaN before the
 * first selection, and comparisons with NaN are false, hence the isnan() term.
 */
export function buildSelectExpression(s: FrameSelection): string {
  const scene = s.sceneThreshold ?? 0.3;
  const minSpacing = s.minSpacing ?? 0.5;
  const maxGap = s.maxGap ?? 0;
  if (!(scene >= 0 && scene < 1)) throw new RangeError(`scene threshold must be in [0, 1), got ${scene}`);
  if (!(minSpacing >= 0)) throw new RangeError(`minimum spacing must be >= 0, got ${minSpacing}`);
  if (!(maxGap >= 0)) throw new RangeError(`maximum gap must be >= 0, got ${maxGap}`);
  if (scene === 0 && maxGap === 0) throw new RangeError('either a scene threshold or a maximum gap is needed to select frames');
  const terms = ['isnan(prev_selected_t)'];
  if (maxGap > 0) terms.push(`gte(t-prev_selected_t,${num(maxGap)})`);
  if (scene > 0) terms.push(`gt(scene,${num(scene)})*gte(t-prev_selected_t,${num(minSpacing)})`);
  return terms.join('+');
}

/** ffmpeg args that decode the selected frames of the first video stream to raw rgb24 on stdout. */
export function buildSelectFramesArgs(o: SelectFramesArgsOptions): string[] {
  const filters = [`select='${buildSelectExpression(o)}'`];
  if (o.scaleTo) filters.push(`scale=${o.scaleTo.width}:${o.scaleTo.height}:flags=area`);
  return [
    '-hide_banner',
    '-nostdin',
    '-v',
    'error',
    '-protocol_whitelist',
    PROTOCOL_WHITELIST,
    '-i',
    inputUrl(o.input),
    '-map',
    '0:v:0',
    '-an',
    '-sn',
    '-dn',
    '-vf',
    filters.join(','),
    // vfr: pass on only the selected frames, never duplicate to keep a constant rate.
    '-fps_mode',
    'vfr',
    '-pix_fmt',
    'rgb24',
    '-f',
    'rawvideo',
    'pipe:1',
  ];
}

/**
 * The size frames are decoded at so the shorter side is at most `maxShortSide` (0 = no limit),
 * keeping the aspect ratio, both sides even.
 */
export function fitShortSide(width: number, height: number, maxShortSide: number): { width: number; height: number } {
  const short = Math.min(width, height);
  if (!maxShortSide || short <= maxShortSide) return { width, height };
  const scale = maxShortSide / short;
  const even = (v: number): number => Math.max(2, 2 * Math.round((v * scale) / 2));
  return { width: even(width), height: even(height) };
}
