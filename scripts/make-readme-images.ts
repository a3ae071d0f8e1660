/**
 * Makes the README's before/after pictures from a model package:
 *   docs/contact-sheet.jpg  held-out photos (left) and their anime versions (right), one pair a row
 *   docs/sample-frame.jpg   the sample clip's first frame, original | converted
 * Usage: node --import tsx scripts/make-readme-images.ts --model models/default --photos <dir> [--names a.jpg,b.jpg]
 *          [--side 1280] [--video <in> --converted <out>]
 * Photos are stylized at --side px on their longer side (a 720p frame's scale, what a video sees:
 * the model's smoothing is in pixels, so a thumbnail-sized input would look more stylized than a
 * real conversion), then both halves are scaled down to the sheet.
 */
import { mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { createStylizer } from '../src/engine/create-stylizer.js';
import type { Frame } from '../src/frame.js';
import { decodeFrames } from '../src/media/decode-frames.js';
import { probeMedia } from '../src/media/probe.js';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: 'models/default' },
    photos: { type: 'string' },
    video: { type: 'string' },
    converted: { type: 'string' },
    rows: { type: 'string', default: '4' },
    names: { type: 'string' },
    side: { type: 'string', default: '1280' },
    width: { type: 'string', default: '480' },
    out: { type: 'string', default: 'docs' },
  },
});
const width = Number(values.width);
await mkdir(values.out, { recursive: true });

async function firstFrame(file: string): Promise<Frame> {
  const info = await probeMedia(file);
  for await (const frame of decodeFrames(file, { width: info.width, height: info.height, frameRate: info.frameRate })) return frame;
  throw new Error(`${file}: no frames`);
}

const raw = (f: Frame): sharp.Sharp => sharp(f.data, { raw: { width: f.width, height: f.height, channels: 3 } });

/** Places pairs side by side, rows stacked, with a white gutter. */
async function sheet(pairs: Array<[Frame, Frame]>, file: string): Promise<void> {
  const gutter = 8;
  const tiles: Array<{ input: Buffer; top: number; left: number }> = [];
  let top = gutter;
  for (const [a, b] of pairs) {
    const h = Math.round((a.height / a.width) * width);
    for (const [i, f] of [a, b].entries()) {
      tiles.push({ input: await raw(f).resize(width, h).png().toBuffer(), top, left: gutter + i * (width + gutter) });
    }
    top += h + gutter;
  }
  await sharp({ create: { width: 2 * width + 3 * gutter, height: top, channels: 3, background: '#ffffff' } }).composite(tiles).jpeg({ quality: 88 }).toFile(file);
  console.log(`wrote ${file}`);
}

const stylizer = await createStylizer({ model: values.model });
try {
  if (values.photos) {
    const names = values.names ? values.names.split(',') : (await readdir(values.photos)).filter((n) => /\.(jpe?g|png|webp)$/i.test(n)).sort().slice(0, Number(values.rows));
    const side = Number(values.side);
    const pairs: Array<[Frame, Frame]> = [];
    for (const name of names) {
      const { data, info } = await sharp(path.join(values.photos, name)).rotate().resize({ width: side, height: side, fit: 'inside', withoutEnlargement: true }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
      const frame: Frame = { data: new Uint8Array(data), width: info.width, height: info.height, pts: 0, index: 0 };
      const [out] = await stylizer.run([frame]);
      pairs.push([frame, out!]);
    }
    await sheet(pairs, path.join(values.out, 'contact-sheet.jpg'));
  }
  if (values.video && values.converted) {
    await sheet([[await firstFrame(values.video), await firstFrame(values.converted)]], path.join(values.out, 'sample-frame.jpg'));
  }
} finally {
  await stylizer.close();
}
