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
 */
import { readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { createStylizer } from '../src/engine/create-stylizer.js';
import type { Frame } from '../src/frame.js';
import { decodeFrames } from '../src/media/decode-frames.js';
import { probeMedia } from '../src/media/probe.js';

const IMAGE = /\.(jpe?g|png|webp)$/i;
const GUTTER = 8;
const LABEL_HEIGHT = 28;

const { values, positionals } = parseArgs({
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

/** "path=label" → [path, label]; the label defaults to the file or folder name. */
function labelled(spec: string): [string, string] {
  const eq = spec.indexOf('=');
  const file = eq < 0 ? spec : spec.slice(0, eq);
  return [file, eq < 0 ? path.basename(file) : spec.slice(eq + 1)];
}

async function readPicture(file: string): Promise<Frame> {
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

async function expand(inputs: string[]): Promise<string[]> {
  const files: string[] = [];
  for (const input of inputs) {
    if ((await stat(input)).isDirectory()) {
      const names = (await readdir(input)).filter((n) => IMAGE.test(n)).sort().slice(0, Number(values.rows));
      files.push(...names.map((n) => path.join(input, n)));
    } else {
      files.push(input);
    }
  }
  return files;
}

const escapeXml = (s: string): string => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A label as a PNG strip, white text on dark grey, so it reads on any picture. */
function label(text: string, w: number): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${LABEL_HEIGHT}"><rect width="100%" height="100%" fill="#303030"/>` +
    `<text x="8" y="19" font-family="DejaVu Sans, sans-serif" font-size="15" fill="#ffffff">${escapeXml(text)}</text></svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

const models = values.model.map(labelled);
const rendered = values.rendered.map(labelled);
const columns = ['input', ...rendered.map(([, l]) => l), ...models.map(([, l]) => l)];

/** The picture in `dir` with the base name of `file` (any image extension), at the input frame's size. */
async function renderedPicture(dir: string, file: string, like: Frame): Promise<Frame> {
  const base = path.basename(file).replace(/\.[^.]+$/, '');
  const name = (await readdir(dir)).find((n) => IMAGE.test(n) && n.replace(/\.[^.]+$/, '') === base);
  if (!name) throw new Error(`${dir} has no picture named ${base}.*`);
  const { data } = await sharp(path.join(dir, name)).resize(like.width, like.height).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { ...like, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}
const pictures = await expand(positionals);
const stylizers = await Promise.all(models.map(([dir]) => createStylizer({ model: dir })));
const tiles: sharp.OverlayOptions[] = [];
let top = GUTTER;
try {
  for (const [c, text] of columns.entries()) tiles.push({ input: await label(text, width), top, left: GUTTER + c * (width + GUTTER) });
  top += LABEL_HEIGHT + GUTTER;
  const tile = async (f: Frame, h: number): Promise<Buffer> => sharp(f.data, { raw: { width: f.width, height: f.height, channels: 3 } }).resize(width, h).png().toBuffer();
  for (const file of pictures) {
    const frame = await readPicture(file);
    const h = Math.round((frame.height / frame.width) * width);
    const row = [frame];
    for (const [dir] of rendered) row.push(await renderedPicture(dir, file, frame));
    for (const s of stylizers) row.push((await s.run([frame]))[0]!);
    for (const [c, f] of row.entries()) tiles.push({ input: await tile(f, h), top, left: GUTTER + c * (width + GUTTER) });
    tiles.push({ input: await label(path.basename(file), width), top: top + h - LABEL_HEIGHT, left: GUTTER });
    top += h + GUTTER;
    console.log(`row: ${file}`);
  }
  for (const spec of values.reference) {
    const [file, text] = labelled(spec);
    const frame = await readPicture(file);
    const h = Math.round((frame.height / frame.width) * width);
    tiles.push({ input: await tile(frame, h), top, left: GUTTER }, { input: await label(text, width), top: top + h - LABEL_HEIGHT, left: GUTTER });
    top += h + GUTTER;
    console.log(`reference row: ${file}`);
  }
} finally {
  await Promise.all(stylizers.map((s) => s.close()));
}
const sheetWidth = columns.length * (width + GUTTER) + GUTTER;
// Written whole under a temporary name, then renamed: a killed run leaves no half sheet behind.
const partial = path.join(path.dirname(values.out), `.${path.basename(values.out)}.in-progress.jpg`);
try {
  await sharp({ create: { width: sheetWidth, height: top, channels: 3, background: '#ffffff' } }).composite(tiles).jpeg({ quality: 88 }).toFile(partial);
  await rename(partial, values.out);
} catch (err) {
  await rm(partial, { force: true });
  throw err;
}
console.log(`wrote ${values.out} (${sheetWidth}×${top}: ${pictures.length} rows × ${columns.length} columns, ${values.reference.length} reference rows)`);
