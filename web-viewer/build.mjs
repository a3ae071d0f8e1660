// Bundles the web viewer with esbuild: web-viewer/src/main.ts → dist/app.js, plus the static files.
// Run by `npm run build` (`node web-viewer/build.mjs`) and on demand by the server when dist is missing.
import { copyFile, mkdir, rename } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

/** Builds into `outdir` (default web-viewer/dist); files appear atomically per file (temp + rename). */
export async function buildViewer({ outdir = path.join(here, 'dist') } = {}) {
  const esbuild = await import('esbuild');
  await mkdir(outdir, { recursive: true });
  const tmp = path.join(outdir, `.app.${process.pid}.js`);
  await esbuild.build({
    entryPoints: [path.join(here, 'src', 'main.ts')],
    bundle: true,
    format: 'esm',
    target: ['chrome100', 'firefox100', 'safari15'],
    outfile: tmp,
    sourcemap: false,
    minify: true,
    logLevel: 'warning',
  });
  for (const name of ['style.css']) await copyFile(path.join(here, name), path.join(outdir, name));
  await rename(tmp, path.join(outdir, 'app.js'));
  // index.html last: the server treats it as "the build is complete".
  await copyFile(path.join(here, 'index.html'), path.join(outdir, '.index.html.tmp'));
  await rename(path.join(outdir, '.index.html.tmp'), path.join(outdir, 'index.html'));
  return outdir;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const out = await buildViewer();
  process.stdout.write(`web viewer built in ${out}\n`);
}
