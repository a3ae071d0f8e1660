/**
 * Where the project's own files are (models/, samples/, web-viewer/dist), whether we run from
 * src/ through tsx or from dist/src/ after a build.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'src'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('japananime: cannot find the project root (package.json)');
    dir = parent;
  }
}

/** Absolute path of the repository/package root. */
export const PROJECT_ROOT = findRoot();

/** The embedded default model package. */
export const DEFAULT_MODEL_DIR = path.join(PROJECT_ROOT, 'models', 'default');

/** The folder of named model packages (`--model <name>` looks here). */
export const MODELS_DIR = path.join(PROJECT_ROOT, 'models');

/** The embedded sample clip folder. */
export const SAMPLES_DIR = path.join(PROJECT_ROOT, 'samples');

export async function projectVersion(): Promise<string> {
  const pkg = JSON.parse(await readFile(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

/**
 * A path as a package's meta.json records it: relative to the project root when it lies inside it
 * (so a shipped package does not carry the builder's folders), else absolute.
 */
export function recordedPath(p: string): string {
  const abs = path.resolve(p);
  const rel = path.relative(PROJECT_ROOT, abs);
  return rel === '' || rel.startsWith('..') || path.isAbsolute(rel) ? abs : rel;
}
