/**
 * Builds the web viewer on demand when its dist folder is missing (a fresh checkout run through tsx),
 * with the same script `npm run build` uses (web-viewer/build.mjs, esbuild).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { BackendUnavailableError } from '../errors.js';
import { PROJECT_ROOT } from '../project-paths.js';

let building: Promise<void> | undefined;

/** Ensures `<outdir>/index.html` exists, building the viewer into outdir when it does not. */
export async function ensureViewerBuilt(outdir: string = path.join(PROJECT_ROOT, 'web-viewer', 'dist')): Promise<void> {
  if (existsSync(path.join(outdir, 'index.html'))) return;
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
