/**
 * `japananime dataset film <video> --out <dir>` and `japananime dataset photos <video|dir>... --out <dir>`:
 * flag parsing only; the work is buildFilmDataset / buildPhotoDataset in src/train/dataset.
 */
import { parseArgs } from 'node:util';
import { UsageError } from '../../errors.js';
import { buildFilmDataset, buildPhotoDataset, type CommonDatasetOptions, type DatasetResult } from '../../train/dataset/build-dataset.js';
import { buildPhotoTargets } from '../../train/dataset/build-targets.js';
import { DROP_REASONS } from '../../train/dataset/dataset-manifest.js';
import type { CommandModule } from '../main.js';
import { createProgress } from '../progress.js';

const COMMON_HELP = `
Common options:
  --out <dir>             dataset folder (required); layout: anime/{train,val}, anime_smooth/{train,val}
                          or photos/{train,val}, and manifest.json
  --crop <N>              side of the square crops in pixels (default 256)
  --crops-per-frame <N>   random crops per kept frame or image (default 4)
  --val-fraction <F>      fraction of frames for the validation split (default 0.1)
  --seed <N>              seed of crop positions and split (default 1)
  --dedupe-bits <N>       frames within N bits (of 64) of a kept frame's dHash are duplicates; -1 = off
                          (default 8 for film, 4 for photos)
  --max-short-side <N>    scale frames/images down to this shorter side first; 0 = never (default 720)
  --upscale-small         upscale pictures smaller than the crop instead of skipping them
  --json                  one JSON object a line: progress, then the summary
Re-running with the same inputs and options does nothing; an interrupted run resumes.`;

const FILM_HELP = `Usage: japananime dataset film <video> --out <dir> [options]

Anime dataset from a film: key frames at scene changes (plus one every --max-gap seconds), black,
near-uniform and duplicate frames dropped, letterbox bars cut off, random crops and, for every crop,
an edge-smoothed copy (CartoonGAN).

  --scene-threshold <T>   ffmpeg scene-change score 0..1 that starts a new shot (default 0.3)
  --min-spacing <S>       seconds between scene-change key frames at least (default 0.5)
  --max-gap <S>           take a frame at least every S seconds, for pans; 0 = off (default 4)
${COMMON_HELP}`;

const PHOTOS_HELP = `Usage: japananime dataset photos <video|dir|image>... --out <dir> [options]

Photo dataset from travel videos (a frame every --every seconds) and image folders (JPEG/PNG/WebP,
searched recursively, EXIF orientation applied). Unreadable images are reported and skipped.

  --every <S>             seconds between frames sampled from videos (default 2)
${COMMON_HELP}`;

const TARGETS_HELP = `Usage: japananime dataset targets <photo-dataset> [options]

The anime training target of every photo crop (graded colours, L0-flattened regions, drawn outlines;
src/train/anime-target.ts), written once to <photo-dataset>/photo_targets/. \`train\` uses them for
its structure loss when they are there. About 1 s a crop on one core; re-running does only what is
missing.

  --lambda <L>            flattening strength (L0 smoothing λ; larger = fewer, larger regions; default 0.02)
  --no-lines              flat regions only, no drawn outlines
  --json                  one JSON object a line: progress, then the summary`;

// main.ts answers any --help with this text, so it holds every subcommand's options.
const HELP = `${FILM_HELP.slice(0, FILM_HELP.indexOf('Common options:')).trimEnd()}

${PHOTOS_HELP.trimEnd()}

${TARGETS_HELP}`;

const COMMON_FLAGS = {
  out: { type: 'string' },
  crop: { type: 'string' },
  'crops-per-frame': { type: 'string' },
  'val-fraction': { type: 'string' },
  seed: { type: 'string' },
  'dedupe-bits': { type: 'string' },
  'max-short-side': { type: 'string' },
  'upscale-small': { type: 'boolean' },
  json: { type: 'boolean' },
} as const;

/** Parses a number flag; undefined when absent, UsageError when not a number. */
export function numberFlag(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${name} must be a number, got '${value}'`);
  return n;
}

function commonOptions(values: Record<string, string | boolean | undefined>): Omit<CommonDatasetOptions, 'signal' | 'onProgress'> {
  const out = values.out;
  if (typeof out !== 'string' || out === '') throw new UsageError('--out <dir> is required');
  const str = (k: string): string | undefined => (typeof values[k] === 'string' ? (values[k] as string) : undefined);
  return {
    out,
    cropSize: numberFlag('crop', str('crop')),
    cropsPerFrame: numberFlag('crops-per-frame', str('crops-per-frame')),
    valFraction: numberFlag('val-fraction', str('val-fraction')),
    seed: numberFlag('seed', str('seed')),
    dedupeThreshold: numberFlag('dedupe-bits', str('dedupe-bits')),
    maxShortSide: numberFlag('max-short-side', str('max-short-side')),
    upscaleSmall: values['upscale-small'] === true,
  };
}

/** The human summary: what was kept and what was dropped, per reason. */
export function formatSummary(result: DatasetResult, out: string): string {
  const m = result.manifest;
  const c = m.counts;
  const lines: string[] = [];
  if (result.upToDate) lines.push(`${out} is up to date (same sources and options); nothing to do.`);
  const copies = m.kind === 'anime' ? ` (+ ${c.train + c.val} edge-smoothed copies)` : '';
  lines.push(`${m.kind} dataset in ${out}: ${c.keptFrames} of ${c.candidates} ${m.sources.some((s) => s.type === 'video') ? 'frames' : 'images'} kept → ${c.train + c.val} crops of ${m.cropSize}px${copies}: train ${c.train}, val ${c.val}`);
  const drops = DROP_REASONS.filter((r) => c.dropped[r] > 0).map((r) => `${r} ${c.dropped[r]}`);
  lines.push(`dropped: ${drops.length ? drops.join(', ') : 'none'}${c.letterboxed ? `; letterbox bars cut off ${c.letterboxed} frame(s)` : ''}`);
  for (const d of m.dropped.filter((x) => x.reason === 'unreadable')) lines.push(`  unreadable: ${d.label}: ${d.detail}`);
  if (result.reusedCrops > 0) lines.push(`resumed: ${result.reusedCrops} crops were already written`);
  if (c.val === 0 && m.options.valFraction !== 0) lines.push('warning: the validation split is empty (too few frames for --val-fraction)');
  return lines.join('\n');
}

async function runFilm(argv: string[], signal: AbortSignal): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: { ...COMMON_FLAGS, 'scene-threshold': { type: 'string' }, 'min-spacing': { type: 'string' }, 'max-gap': { type: 'string' } },
  });
  if (positionals.length !== 1) throw new UsageError(`'dataset film' takes exactly one video, got ${positionals.length} (see --help)`);
  const common = commonOptions(values);
  const progress = createProgress({ json: values.json === true, unit: 'frames', label: 'key frames' });
  const result = await buildFilmDataset({
    ...common,
    video: positionals[0]!,
    sceneThreshold: numberFlag('scene-threshold', values['scene-threshold']),
    minSpacing: numberFlag('min-spacing', values['min-spacing']),
    maxGap: numberFlag('max-gap', values['max-gap']),
    signal,
    onProgress: (p) => progress.update(p.done, p.total, { keptFrames: p.keptFrames, crops: p.crops }),
  });
  return report(result, common.out, values.json === true, progress);
}

async function runPhotos(argv: string[], signal: AbortSignal): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, strict: true, options: { ...COMMON_FLAGS, every: { type: 'string' } } });
  if (positionals.length === 0) throw new UsageError("'dataset photos' needs at least one video, image or folder (see --help)");
  const common = commonOptions(values);
  const progress = createProgress({ json: values.json === true, unit: 'images', label: 'photos' });
  const result = await buildPhotoDataset({
    ...common,
    inputs: positionals,
    every: numberFlag('every', values.every),
    signal,
    onProgress: (p) => progress.update(p.done, p.total, { keptFrames: p.keptFrames, crops: p.crops }),
  });
  return report(result, common.out, values.json === true, progress);
}

async function runTargets(argv: string[], signal: AbortSignal): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, strict: true, options: { lambda: { type: 'string' }, 'no-lines': { type: 'boolean' }, json: { type: 'boolean' } } });
  if (positionals.length !== 1) throw new UsageError(`'dataset targets' takes exactly one photo dataset folder, got ${positionals.length} (see --help)`);
  const lambda = numberFlag('lambda', values.lambda);
  if (lambda !== undefined && !(lambda > 0)) throw new UsageError(`--lambda must be above 0, got ${lambda}`);
  const progress = createProgress({ json: values.json === true, unit: 'crops', label: 'targets' });
  const result = await buildPhotoTargets({
    root: positionals[0]!,
    target: { ...(lambda !== undefined ? { lambda } : {}), ...(values['no-lines'] ? { lineOpacity: 0 } : {}) },
    signal,
    onProgress: (done, total) => progress.update(done, total, {}),
  });
  progress.finish({ dir: result.dir, written: result.written, kept: result.kept });
  if (values.json !== true) process.stdout.write(`anime targets in ${result.dir}: ${result.written} written, ${result.kept} already there\n`);
  return 0;
}

function report(result: DatasetResult, out: string, json: boolean, progress: ReturnType<typeof createProgress>): number {
  const m = result.manifest;
  progress.finish({ out, kind: m.kind, upToDate: result.upToDate, reusedCrops: result.reusedCrops, cropSize: m.cropSize, counts: m.counts });
  if (!json) process.stdout.write(formatSummary(result, out) + '\n');
  return 0;
}

export const command: CommandModule = {
  summary: 'build training crops from an anime film (film) or travel videos/photos (photos), and the photos\' anime targets (targets)',
  help: HELP,
  async run(argv, signal) {
    const [sub, ...rest] = argv;
    if (sub === 'film') return rest.includes('--help') || rest.includes('-h') ? help(FILM_HELP) : runFilm(rest, signal);
    if (sub === 'photos') return rest.includes('--help') || rest.includes('-h') ? help(PHOTOS_HELP) : runPhotos(rest, signal);
    if (sub === 'targets') return rest.includes('--help') || rest.includes('-h') ? help(TARGETS_HELP) : runTargets(rest, signal);
    throw new UsageError(sub === undefined ? "'dataset' needs a subcommand: film, photos or targets" : `unknown dataset subcommand '${sub}' (use film, photos or targets)`);
  },
};

function help(text: string): number {
  process.stdout.write(text.trimEnd() + '\n');
  return 0;
}
