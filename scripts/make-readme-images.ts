/**
 * Makes the README's before/after pictures from a model package:
 *   docs/contact-sheet.jpg  held-out photos (left) and their anime versions (right), one pair a row
 *   docs/sample-frame.jpg   the sample clip's first frame, original | converted
 * Usage: node --import tsx scripts/make-readme-images.ts --model models/default --photos <dir> [--names a.jpg,b.jpg]
 *          [--side 1280] [--video <in> --converted <out>]
 * Photos are stylized at --side px on their longer side (a 720p frame's scale, what a video sees:
 * the model's smoothing is in pixels, so a thumbnail-sized input would look more stylized than a
 * real conversion), then both halves are scaled down to the sheet. The sheets are laid out by
 * scripts/contact-sheet.ts (writeContactSheet), the one sheet maker, without its labels.
 */
import { mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createStylizer } from '../src/engine/create-stylizer.js';
import type { Frame } from '../src/frame.js';
import { IMAGE, readPicture, writeContactSheet, type SheetRow } from './contact-sheet.js';

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
const side = Number(values.side);
await mkdir(values.out, { recursive: true });

async function sheet(rows: SheetRow[], file: string): Promise<void> {
  await writeContactSheet(file, rows, { width });
  console.log(`wrote ${file}`);
}

const stylizer = await createStylizer({ model: values.model });
try {
  if (values.photos) {
    const names = values.names ? values.names.split(',') : (await readdir(values.photos)).filter((n) => IMAGE.test(n)).sort().slice(0, Number(values.rows));
    const rows: SheetRow[] = [];
    for (const name of names) {
      const frame: Frame = await readPicture(path.join(values.photos, name), side);
      const [out] = await stylizer.run([frame]);
      rows.push({ frames: [frame, out!] });
    }
    await sheet(rows, path.join(values.out, 'contact-sheet.jpg'));
  }
  if (values.video && values.converted) {
    // Both at the same scale: the sheet shows them the tile's width, --side only bounds the decode.
    await sheet([{ frames: [await readPicture(values.video, side), await readPicture(values.converted, side)] }], path.join(values.out, 'sample-frame.jpg'));
  }
} finally {
  await stylizer.close();
}
