/**
 * A side-by-side contact sheet for looking at models (issue 16: "look at the pictures"):
 * one row per picture, columns = input | model A | model B | ..., labels above the columns.
 *
 *   node --import tsx scripts/contact-sheet.ts --out docs/contact-sheet.jpg \
 *     --model models/default=old\ default --model runs/new/model=new\ default \
 *     [--reference data/default/anime/anime/val/x.png=anime\ (training\ film)] \
 *     [--side 1280] [--width 360] [--rows 4] <image|folder|video>...
 *
 * --model DIR[=LABEL]        a model package (a column); repeatable, in column order
 * --rendered DIR[=LABEL]     a column of pictures stylized elsewhere (e.g. by an older release whose
 *                            model this code cannot load), found by the input's base name with any
 *                            image extension; repeatable, placed before the --model columns
 * --reference FILE[=LABEL]   a picture shown alone in the input column of a last row (e.g. one anime
 *                            frame of the training film, to compare the look with); repeatable
 * --side N                   pictures are stylized with their longer side at N px (default 1280, a
 *                            720p frame's scale: the models' smoothing is in pixels, so a thumbnail
 *                            would look more stylized than a real conversion), then scaled to the tile
 * --width N                  tile width in the sheet (default 360)
 * --rows N                   pictures taken at most from each folder, in name order (default 4)
 * A video contributes its first frame. The sheet is written under a temporary name and renamed.
 *
 * Also the one sheet maker of the other scripts: scripts/make-readme-images.ts lays out the README's
 * pictures with readPicture and writeContactSheet from here.
 */
import { readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { createStylizer } from '../src/engine/create-stylizer.js';
import type { Frame } from '../src/frame.js';
import { decodeFrames } from '../src/media/decode-frames.js';
import { probeMedia } from '../src/media/probe.js';

export const IMAGE = /\.(jpe?g|png|webp)$/i;
const GUTTER = 8;
const LABEL_HEIGHT = 28;

/**
 * A picture or a video's first frame with its longer side at most `side` px. The models' smoothing is
 * in pixels: stylizing a thumbnail would look more stylized than a real conversion.
 */
export async function readPicture(file: string, side: number): Promise<Frame> {
  if (IMAGE.test(file)) {
    const { data, info } = await sharp(file).rotate().resize({ width: side, height: side, fit: 'inside', withoutEnlargement: true }).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
    return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height, pts: 0, index: 0 };
  }
  const info = await probeMedia(file);
  const scale = Math.min(1, side / Math.max(info.width, info.height));
  const w = Math.max(2, Math.round((info.width * scale) / 2) * 2);
  const h = Math.max(2, Math.round((info.height * scale) / 2) * 2);
  for await (const frame of decodeFrames(file, { width: w, height: h, frameRate: info.frameRate, scale: w !== info.width || h !== info.height })) return frame;
  throw new Error(`${file}: no video frames`);
}

const escapeXml = (s: string): string => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A label as a PNG strip, white text on dark grey, so it reads on any picture. */
function label(text: string, w: number): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${LABEL_HEIGHT}"><rect width="100%" height="100%" fill="#303030"/>` +
    `<text x="8" y="19" font-family="DejaVu Sans, sans-serif" font-size="15" fill="#ffffff">${escapeXml(text)}</text></svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

/** One row of a sheet: its pictures left to right (all scaled to the first one's aspect), and a label over the first. */
export interface SheetRow {
  frames: Frame[];
  label?: string;
}

export interface ContactSheetOptions {
  /** Tile width in px. */
  width: number;
  /** Labels above the columns; none: no label strip. */
  columns?: string[];
}

/**
 * Writes `rows` as one JPEG, tiles on white with a gutter. Written whole under a temporary name, then
 * renamed: a killed run leaves no half sheet behind. Returns the sheet's size.
 */
export async function writeContactSheet(out: string, rows: SheetRow[], options: ContactSheetOptions): Promise<{ width: number; height: number }> {
  const { width } = options;
  const tiles: sharp.OverlayOptions[] = [];
  let top = GUTTER;
  if (options.columns) {
    for (const [c, text] of options.columns.entries()) tiles.push({ input: await label(text, width), top, left: GUTTER + c * (width + GUTTER) });
    top += LABEL_HEIGHT + GUTTER;
  }
  for (const row of rows) {
    const first = row.frames[0];
    if (!first) continue;
    const h = Math.round((first.height / first.width) * width);
    for (const [c, f] of row.frames.entries()) {
      tiles.push({ input: await sharp(f.data, { raw: { width: f.width, height: f.height, channels: 3 } }).resize(width, h).png().toBuffer(), top, left: GUTTER + c * (width + GUTTER) });
    }
    if (row.label !== undefined) tiles.push({ input: await label(row.label, width), top: top + h - LABEL_HEIGHT, left: GUTTER });
    top += h + GUTTER;
  }
  const columns = Math.max(options.columns?.length ?? 0, ...rows.map((r) => r.frames.length));
  const sheetWidth = columns * (width + GUTTER) + GUTTER;
  const partial = path.join(path.dirname(out), `.${path.basename(out)}.in-progress.jpg`);
  try {
    await sharp({ create: { width: sheetWidth, height: top, channels: 3, background: '#ffffff' } }).composite(tiles).jpeg({ quality: 88 }).toFile(partial);
    await rename(partial, out);
  } catch (err) {
    await rm(partial, { force: true });
    throw err;
  }
  return { width: sheetWidth, height: top };
}

/** "path=label" → [path, label]; the label defaults to the file or folder name. */
function labelled(spec: string): [string, string] {
  const eq = spec.indexOf('=');
  const file = eq < 0 ? spec : spec.slice(0, eq);
  return [file, eq < 0 ? path.basename(file) : spec.slice(eq + 1)];
}

/** The inputs, each folder replaced by its first `rows` pictures in name order. */
async function expand(inputs: string[], rows: number): Promise<string[]> {
  const files: string[] = [];
  for (const input of inputs) {
    if ((await stat(input)).isDirectory()) {
      const names = (await readdir(input)).filter((n) => IMAGE.test(n)).sort().slice(0, rows);
      files.push(...names.map((n) => path.join(input, n)));
    } else {
      files.push(input);
    }
  }
  return files;
}

/** The picture in `dir` with the base name of `file` (any image extension), at the input frame's size. */
async function renderedPicture(dir: string, file: string, like: Frame): Promise<Frame> {
  const base = path.basename(file).replace(/\.[^.]+$/, '');
  const name = (await readdir(dir)).find((n) => IMAGE.test(n) && n.replace(/\.[^.]+$/, '') === base);
  if (!name) throw new Error(`${dir} has no picture named ${base}.*`);
  const { data } = await sharp(path.join(dir, name)).resize(like.width, like.height).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { ...like, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      out: { type: 'string', default: 'docs/contact-sheet.jpg' },
      model: { type: 'string', multiple: true, default: [] },
      reference: { type: 'string', multiple: true, default: [] },
      rendered: { type: 'string', multiple: true, default: [] },
      side: { type: 'string', default: '1280' },
      width: { type: 'string', default: '360' },
      rows: { type: 'string', default: '4' },
    },
  });
  const side = Number(values.side);
  const width = Number(values.width);
  if (!Number.isInteger(side) || side < 16 || !Number.isInteger(width) || width < 16) throw new Error('--side and --width must be integers ≥ 16');
  if (positionals.length === 0 && values.reference.length === 0) {
    console.error('usage: scripts/contact-sheet.ts --out sheet.jpg --model DIR[=LABEL]... <image|folder|video>...');
    process.exit(1);
  }
  const models = values.model.map(labelled);
  const rendered = values.rendered.map(labelled);
  const columns = ['input', ...rendered.map(([, l]) => l), ...models.map(([, l]) => l)];
  const pictures = await expand(positionals, Number(values.rows));
  const stylizers = await Promise.all(models.map(([dir]) => createStylizer({ model: dir })));
  const rows: SheetRow[] = [];
  try {
    for (const file of pictures) {
      const frame = await readPicture(file, side);
      const row = [frame];
      for (const [dir] of rendered) row.push(await renderedPicture(dir, file, frame));
      for (const s of stylizers) row.push((await s.run([frame]))[0]!);
      rows.push({ frames: row, label: path.basename(file) });
      console.log(`row: ${file}`);
    }
    for (const spec of values.reference) {
      const [file, text] = labelled(spec);
      rows.push({ frames: [await readPicture(file, side)], label: text });
      console.log(`reference row: ${file}`);
    }
  } finally {
    await Promise.all(stylizers.map((s) => s.close()));
  }
  const size = await writeContactSheet(values.out, rows, { width, columns });
  console.log(`wrote ${values.out} (${size.width}×${size.height}: ${pictures.length} rows × ${columns.length} columns, ${values.reference.length} reference rows)`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main(process.argv.slice(2));
