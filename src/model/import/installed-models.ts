/**
 * The model packages installed in a models folder (default: the project's models/), with what
 * `japananime models` shows: architecture, size, where the weights came from and their licence.
 * A folder that is not a valid package is listed with the reason instead of hiding it.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { MODELS_DIR } from '../../project-paths.js';
import { readModelMeta, type ModelMeta } from '../model-package.js';

export type InstalledModel =
  | { name: string; dir: string; ok: true; meta: ModelMeta }
  | { name: string; dir: string; ok: false; problem: string };

/** Every sub-folder of `modelsDir` (sorted by name); missing folder → empty list. */
export async function listInstalledModels(modelsDir: string = MODELS_DIR): Promise<InstalledModel[]> {
  let entries;
  try {
    entries = await readdir(modelsDir, { withFileTypes: true });
  } catch {
    return [];
  }
  const out: InstalledModel[] = [];
  for (const e of entries.filter((x) => x.isDirectory() && !x.name.startsWith('.')).sort((a, b) => a.name.localeCompare(b.name))) {
    const dir = path.join(modelsDir, e.name);
    try {
      out.push({ name: e.name, dir, ok: true, meta: await readModelMeta(dir) });
    } catch (err) {
      out.push({ name: e.name, dir, ok: false, problem: (err as Error).message });
    }
  }
  return out;
}

/** "imported onnx animeganv3_hayao.onnx" / "trained here (1200 steps)": one line on where the weights came from. */
export function describeOrigin(meta: ModelMeta): string {
  if (meta.source) return `imported ${meta.source.kind} ${meta.source.file} (sha256 ${meta.source.sha256.slice(0, 12)}…)`;
  const steps = meta.training['steps'];
  if (meta.training['kind'] === 'trained') return `trained here${typeof steps === 'number' ? ` (${steps} steps)` : ''}`;
  return String(meta.training['kind'] ?? 'unspecified');
}
