/**
 * Builds the web viewer on demand when its dist folder is missing (a fresh checkout run through tsx),
 * with the same script `npm run build` uses (web-viewer/build.mjs, esbuild).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { BackendUnavailableError } from '../errors.js';
import { PROJECT_ROOT } from '../project-paths.js';

let building: Promise<void> | undefined;

/** The newest modification time (ms) of the viewer's sources, or 0 when they are not there (an installed build). */
function newestSourceMtime(): number {
  const viewer = path.join(PROJECT_ROOT, 'web-viewer');
  const files = ['index.html', 'style.css', 'build.mjs'].map((f) => path.join(viewer, f));
  try {
    for (const f of readdirSync(path.join(viewer, 'src'))) files.push(path.join(viewer, 'src', f));
  } catch {
    return 0;
  }
  // The server modules the viewer bundles.
  for (const f of ['frame-header.ts', 'frame-stamp.ts', 'send-pacer.ts']) files.push(path.join(PROJECT_ROOT, 'src', 'stream', f));
  let newest = 0;
  for (const f of files) {
    try {
      newest = Math.max(newest, statSync(f).mtimeMs);
    } catch {
      // A missing file is the build's problem, not the staleness check's.
    }
  }
  return newest;
}

/**
 * Ensures `<outdir>/index.html` exists, building the viewer into outdir when it does not or when a
 * source is newer than the build (a checkout updated since the last build would serve an old viewer).
 */
export async function ensureViewerBuilt(outdir: string = path.join(PROJECT_ROOT, 'web-viewer', 'dist')): Promise<void> {
  const index = path.join(outdir, 'index.html');
  if (existsSync(index) && statSync(index).mtimeMs >= newestSourceMtime()) return;
  building ??= (async () => {
    const script = path.join(PROJECT_ROOT, 'web-viewer', 'build.mjs');
    if (!existsSync(script)) throw new BackendUnavailableError(`the web viewer is not built and ${script} is missing`);
    try {
      const mod = (await import(pathToFileURL(script).href)) as { buildViewer: (o: { outdir: string }) => Promise<string> };
      await mod.buildViewer({ outdir });
    } catch (err) {
      throw new BackendUnavailableError(`cannot build the web viewer (is esbuild installed?): ${err instanceof Error ? err.message : String(err)}`, err);
    }
  })().finally(() => {
    building = undefined;
  });
  await building;
}
