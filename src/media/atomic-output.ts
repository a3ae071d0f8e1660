/**
 * Atomic output files: a result is written under a hidden temporary name beside its final path and
 * renamed when complete, so a half-written video never appears under the name the user asked for
 * (the rename is atomic because both names are in one folder, on one filesystem). When writing fails
 * or is aborted (Ctrl-C) the temporary file is removed; one left by a process that died without
 * cleaning up (SIGKILL, out of memory, power loss) is removed by the next write to the same name.
 */
import { randomBytes } from 'node:crypto';
import { readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';

/** Hidden temporary name in the output's folder, so the final rename is atomic on the same filesystem. */
export function temporaryOutputPath(output: string): string {
  return path.join(path.dirname(output), `.${path.basename(output)}.${process.pid}-${randomBytes(4).toString('hex')}.partial`);
}

/** Pure: the process id in a file name temporaryOutputPath makes for `output`, or null for any other name. */
export function partialOwner(name: string, output: string): number | null {
  const prefix = `.${path.basename(output)}.`;
  if (!name.startsWith(prefix) || !name.endsWith('.partial')) return null;
  const m = /^(\d+)-[0-9a-f]{8}$/.exec(name.slice(prefix.length, -'.partial'.length));
  return m ? Number(m[1]) : null;
}

/** Whether a process with this id exists (EPERM: it does, but belongs to another user). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the temporary files that writes to `output` left behind when their process died without
 * cleaning up: a half-written video can be gigabytes. A file whose process still runs (another
 * conversion to the same name) is left alone. Returns the removed paths.
 */
export async function removeStalePartials(output: string, alive: (pid: number) => boolean = processAlive): Promise<string[]> {
  const dir = path.dirname(output);
  const removed: string[] = [];
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const pid = partialOwner(name, output);
    if (pid === null || pid === process.pid || alive(pid)) continue;
    const file = path.join(dir, name);
    await rm(file, { force: true });
    removed.push(file);
  }
  return removed;
}

export interface AtomicOutputOptions {
  /** Called with the stale temporary files (see removeStalePartials) removed before writing. Default: none. */
  onStaleRemoved?: (files: string[]) => void;
}

/**
 * Runs `write` on a temporary path beside `output` and renames the file to `output` once `write`
 * resolves; when it (or the rename) fails, removes the temporary file and rethrows. `write` must
 * have stopped whatever writes the file before it rejects: ffmpeg's +faststart pass reopens the file
 * by name and would bring it back.
 */
export async function withAtomicOutput<T>(output: string, write: (temp: string) => Promise<T>, options: AtomicOutputOptions = {}): Promise<T> {
  const temp = temporaryOutputPath(output);
  const stale = await removeStalePartials(output);
  if (stale.length > 0) options.onStaleRemoved?.(stale);
  try {
    const result = await write(temp);
    await rename(temp, output);
    return result;
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}
