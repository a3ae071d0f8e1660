/**
 * Training checkpoints. Each is a folder `<run>/checkpoints/step-NNNNNNNN/` that appears under its
 * final name only when complete (written as a temp folder, then renamed), so a process killed while
 * writing leaves the previous checkpoint as the latest valid one. The last K are kept.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { deserializeParams, serializeParams, type ParamSet } from '../model/params.js';
import type { AdamState } from './adam.js';
import type { LoaderState } from './data-loader.js';

export const CHECKPOINTS_DIR = 'checkpoints';
const STATE_FILE = 'state.json';
const CHECKPOINT_VERSION = 1;

/** Everything needed to continue at the exact next step. */
export interface CheckpointData {
  /** The last completed step. */
  step: number;
  generator: string;
  discriminator: string;
  g: ParamSet;
  d: ParamSet;
  gAdam: AdamState;
  dAdam: AdamState;
  rngState: number;
  loader: LoaderState;
  /** Seconds spent training up to this step (summed over resumed sessions). */
  trainSeconds: number;
}

const PARAM_FILES = ['g', 'd', 'g_adam_m', 'g_adam_v', 'd_adam_m', 'd_adam_v'] as const;

function stepDirName(step: number): string {
  return `step-${String(step).padStart(8, '0')}`;
}

async function writeParams(dir: string, name: string, params: ParamSet): Promise<void> {
  const { manifest, data } = serializeParams(params);
  await writeFile(path.join(dir, `${name}.bin`), data);
  await writeFile(path.join(dir, `${name}.json`), JSON.stringify(manifest));
}

async function readParams(dir: string, name: string): Promise<ParamSet> {
  const manifest = JSON.parse(await readFile(path.join(dir, `${name}.json`), 'utf8')) as unknown;
  const data = await readFile(path.join(dir, `${name}.bin`));
  return deserializeParams(manifest, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
}

/** Writes a checkpoint atomically and prunes all but the newest `keep`. Returns its folder. */
export async function writeCheckpoint(runDir: string, data: CheckpointData, keep = 3): Promise<string> {
  const root = path.join(runDir, CHECKPOINTS_DIR);
  await mkdir(root, { recursive: true });
  const final = path.join(root, stepDirName(data.step));
  const temp = path.join(root, `.${stepDirName(data.step)}.${process.pid}.in-progress`);
  await rm(temp, { recursive: true, force: true });
  await mkdir(temp);
  const sets: Record<(typeof PARAM_FILES)[number], ParamSet> = {
    g: data.g, d: data.d, g_adam_m: data.gAdam.m, g_adam_v: data.gAdam.v, d_adam_m: data.dAdam.m, d_adam_v: data.dAdam.v,
  };
  for (const name of PARAM_FILES) await writeParams(temp, name, sets[name]);
  const state = {
    version: CHECKPOINT_VERSION,
    step: data.step,
    generator: data.generator,
    discriminator: data.discriminator,
    gAdamT: data.gAdam.t,
    dAdamT: data.dAdam.t,
    rngState: data.rngState,
    loader: data.loader,
    trainSeconds: data.trainSeconds,
  };
  await writeFile(path.join(temp, STATE_FILE), JSON.stringify(state, null, 2));
  // A re-written step (resume after a crash right after this step) replaces the old folder.
  await rm(final, { recursive: true, force: true });
  await rename(temp, final);
  const all = await listCheckpoints(runDir);
  for (const old of all.slice(0, Math.max(0, all.length - keep))) await rm(old.dir, { recursive: true, force: true });
  // Temp folders of killed writers.
  for (const name of await readdir(root)) {
    if (name.endsWith('.in-progress') && path.join(root, name) !== temp) await rm(path.join(root, name), { recursive: true, force: true });
  }
  return final;
}

/** Complete checkpoints of a run, oldest first. */
export async function listCheckpoints(runDir: string): Promise<{ step: number; dir: string }[]> {
  const root = path.join(runDir, CHECKPOINTS_DIR);
  if (!existsSync(root)) return [];
  const out: { step: number; dir: string }[] = [];
  for (const name of await readdir(root)) {
    const m = /^step-(\d+)$/.exec(name);
    if (m && existsSync(path.join(root, name, STATE_FILE))) out.push({ step: Number(m[1]), dir: path.join(root, name) });
  }
  return out.sort((a, b) => a.step - b.step);
}

/** Reads a checkpoint folder. */
export async function readCheckpoint(dir: string): Promise<CheckpointData> {
  const state = JSON.parse(await readFile(path.join(dir, STATE_FILE), 'utf8')) as {
    version: number; step: number; generator: string; discriminator: string; gAdamT: number; dAdamT: number; rngState: number; loader: LoaderState; trainSeconds: number;
  };
  if (state.version !== CHECKPOINT_VERSION) throw new RangeError(`checkpoint ${dir} has version ${state.version}, expected ${CHECKPOINT_VERSION}`);
  const [g, d, gm, gv, dm, dv] = await Promise.all(PARAM_FILES.map((n) => readParams(dir, n)));
  return {
    step: state.step,
    generator: state.generator,
    discriminator: state.discriminator,
    g: g!, d: d!,
    gAdam: { t: state.gAdamT, m: gm!, v: gv! },
    dAdam: { t: state.dAdamT, m: dm!, v: dv! },
    rngState: state.rngState,
    loader: state.loader,
    trainSeconds: state.trainSeconds,
  };
}
