/**
 * The ONE place that starts ffmpeg or ffprobe (DESIGN: src/media is the only spawn point).
 *
 * - explicit stdio: the caller says whether it writes stdin and reads stdout; stderr is always read
 *   and its last ~8 KB kept for error messages;
 * - stdin EPIPE (the child quit while we were writing) is swallowed here; the exit status says why;
 * - `exited` never rejects: it resolves to a tagged union, so a forgotten await cannot crash the process;
 * - `close()` is idempotent: SIGTERM, then SIGKILL after `killTimeoutMs`;
 * - an AbortSignal closes the child;
 * - children live in their own process group, so a terminal Ctrl-C reaches only us and we shut them
 *   down in order (the encoder's half-written file is then deleted by its owner); any child still alive
 *   when the process exits is SIGKILLed, so none outlives us.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { getPriority, setPriority } from 'node:os';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { AbortedError, FfmpegError, JapananimeError } from '../errors.js';
import { resolveFfmpeg } from './ffmpeg-binary.js';

export type ChildExit =
  | { kind: 'ok' }
  | { kind: 'failed'; code: number | null; signal: NodeJS.Signals | null; stderrTail: string };

export interface SpawnChildOptions {
  /** 'pipe' to write the child's stdin, 'ignore' otherwise. Default: 'ignore'. */
  stdin?: 'pipe' | 'ignore';
  /** 'pipe' to read the child's stdout, 'ignore' otherwise. Default: 'ignore'. */
  stdout?: 'pipe' | 'ignore';
  /** Closes the child when it fires. Default: none. */
  signal?: AbortSignal;
  /** Milliseconds between SIGTERM and SIGKILL in close(). Default: 2000. */
  killTimeoutMs?: number;
  /** How many bytes of stderr to keep. Default: 8192. */
  stderrTailBytes?: number;
  /** Environment of the child. Default: process.env. */
  env?: NodeJS.ProcessEnv;
  /** Working directory of the child. Default: process.cwd(). */
  cwd?: string;
  /**
   * Niceness of the child added to ours (0 = ours; the result is capped at 19, the lowest priority),
   * e.g. to keep ffmpeg from competing with the model (convertVideo's codecNiceness). Default: 0.
   */
  niceness?: number;
}

export interface ChildHandle {
  /** Process id, undefined if the spawn itself failed. */
  readonly pid: number | undefined;
  /** The child's stdin when options.stdin was 'pipe', else null. Write errors (EPIPE) are handled. */
  readonly stdin: Writable | null;
  /** The child's stdout when options.stdout was 'pipe', else null. */
  readonly stdout: Readable | null;
  /** Resolves once the child has exited and its stderr is read. Never rejects. */
  readonly exited: Promise<ChildExit>;
  /** The last bytes of stderr so far. */
  stderrTail(): string;
  /** True once close() was called (or the signal fired). */
  readonly closing: boolean;
  /** SIGTERM, then SIGKILL after the timeout; resolves with the exit. Idempotent. */
  close(): Promise<ChildExit>;
}

/** Children alive right now, killed synchronously if the process exits under them. */
const live = new Set<ChildProcess>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of live) {
      try {
        child.kill('SIGKILL');
      } catch {
        // already gone
      }
    }
  });
}

/** Number of children started here that have not exited yet (for tests and leak checks). */
export function liveChildCount(): number {
  return live.size;
}

class TailBuffer {
  private chunks: Buffer[] = [];
  private size = 0;
  constructor(private readonly limit: number) {}
  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.size - (this.chunks[0]?.length ?? 0) >= this.limit && this.chunks.length > 1) {
      this.size -= this.chunks.shift()!.length;
    }
  }
  text(): string {
    const all = Buffer.concat(this.chunks);
    return all.subarray(Math.max(0, all.length - this.limit)).toString('utf8');
  }
}

export function spawnChild(cmd: string, args: readonly string[], options: SpawnChildOptions = {}): ChildHandle {
  installExitHook();
  const killTimeoutMs = options.killTimeoutMs ?? 2000;
  const tail = new TailBuffer(options.stderrTailBytes ?? 8192);
  let spawnError: Error | undefined;

  const child = spawn(cmd, args, {
    stdio: [options.stdin ?? 'ignore', options.stdout ?? 'ignore', 'pipe'],
    env: options.env ?? process.env,
    cwd: options.cwd,
    // Own process group: a terminal Ctrl-C goes to us only, and we stop the child in order.
    detached: process.platform !== 'win32',
    windowsHide: true,
  });
  if (child.pid !== undefined) live.add(child);
  if (child.pid !== undefined && options.niceness) {
    try {
      // Relative to ours (a job started under `nice` keeps its children below it), capped at 19.
      setPriority(child.pid, Math.min(19, getPriority() + options.niceness));
    } catch {
      // Not permitted or not supported (e.g. some containers): the child just runs at our priority.
    }
  }

  child.stdin?.on('error', (err: NodeJS.ErrnoException) => {
    // EPIPE / destroyed: the child quit early; its exit status carries the reason.
    if (err.code !== 'EPIPE' && err.code !== 'ERR_STREAM_DESTROYED' && err.code !== 'ECONNRESET') tail.push(Buffer.from(`\n[stdin] ${err.message}`));
  });
  // A reader that stops early may destroy stdout; never let that surface as an uncaught error.
  child.stdout?.on('error', () => undefined);
  child.stderr?.on('data', (chunk: Buffer) => tail.push(chunk));

  const stderrDone = new Promise<void>((resolve) => {
    if (!child.stderr) return resolve();
    child.stderr.once('close', () => resolve());
    child.stderr.once('error', () => resolve());
  });

  const exitStatus = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('error', (err) => {
      spawnError = err;
      // 'exit' may never come when the spawn itself failed.
      if (child.pid === undefined) resolve({ code: null, signal: null });
    });
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });

  let closing = false;
  let killTimer: NodeJS.Timeout | undefined;

  const exited: Promise<ChildExit> = exitStatus.then(async ({ code, signal }) => {
    live.delete(child);
    if (killTimer) clearTimeout(killTimer);
    options.signal?.removeEventListener('abort', onAbort);
    // stderr normally closes right after exit; do not hang on a pipe some grandchild holds open.
    await Promise.race([stderrDone, new Promise((r) => setTimeout(r, 1000).unref())]);
    if (spawnError && child.pid === undefined) {
      return { kind: 'failed', code: null, signal: null, stderrTail: `cannot start ${cmd}: ${spawnError.message}` };
    }
    if (code === 0) return { kind: 'ok' };
    return { kind: 'failed', code, signal, stderrTail: tail.text() };
  });

  const close = (): Promise<ChildExit> => {
    if (!closing) {
      closing = true;
      if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
        child.stdin?.destroy();
        child.kill('SIGTERM');
        killTimer = setTimeout(() => {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        }, killTimeoutMs);
        killTimer.unref();
      }
      // Unread stdout would keep the pipe (and the child writing into it) alive.
      child.stdout?.destroy();
    }
    return exited;
  };

  function onAbort(): void {
    void close();
  }
  if (options.signal) {
    if (options.signal.aborted) onAbort();
    else options.signal.addEventListener('abort', onAbort, { once: true });
  }

  return {
    pid: child.pid,
    stdin: child.stdin,
    stdout: child.stdout,
    exited,
    stderrTail: () => tail.text(),
    get closing() {
      return closing;
    },
    close,
  };
}

export { FfmpegError } from '../errors.js';

/** The error for a failed ffmpeg/ffprobe run: one line naming `what`, how it ended and its last stderr line. */
export function ffmpegError(what: string, exit: Extract<ChildExit, { kind: 'failed' }>): FfmpegError {
  return new FfmpegError(`${what} failed (${describeExit(exit)}): ${lastMeaningfulLine(exit.stderrTail)}`, exit.stderrTail);
}

export function describeExit(exit: Extract<ChildExit, { kind: 'failed' }>): string {
  if (exit.signal) return `killed by ${exit.signal}`;
  if (exit.code === null) return 'did not start';
  return `exit code ${exit.code}`;
}

/** The last non-empty stderr line, which is where ffmpeg puts the reason. */
export function lastMeaningfulLine(stderr: string): string {
  const lines = stderr
    .split(/\r?\n|\r/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0 && !/^Conversion failed!?$/.test(l) && !/^Exiting normally/.test(l));
  return (lines[lines.length - 1] ?? '(no message)').slice(0, 300);
}

export interface RunOptions {
  /** Cancels the run (the child is stopped and AbortedError thrown). Default: none. */
  signal?: AbortSignal;
}

/** Runs ffmpeg to completion; throws FfmpegError (E_FFMPEG_FAILED) with the stderr tail, or AbortedError. */
export async function runFfmpeg(args: readonly string[], options: RunOptions = {}): Promise<void> {
  const { ffmpeg } = await resolveFfmpeg();
  if (options.signal?.aborted) throw new AbortedError();
  const handle = spawnChild(ffmpeg, args, { stdin: 'ignore', stdout: 'ignore', signal: options.signal });
  const exit = await handle.exited;
  if (options.signal?.aborted) throw new AbortedError();
  if (exit.kind === 'failed') throw ffmpegError('ffmpeg', exit);
}

/**
 * Runs ffprobe with `-v error -print_format json` before `args` and returns the parsed JSON.
 * Throws FfmpegError (E_FFMPEG_FAILED) when ffprobe fails, AbortedError when cancelled.
 */
export async function runFfprobeJson(args: readonly string[], options: RunOptions = {}): Promise<unknown> {
  const { ffprobe } = await resolveFfmpeg();
  if (options.signal?.aborted) throw new AbortedError();
  const handle = spawnChild(ffprobe, ['-hide_banner', '-v', 'error', '-print_format', 'json', ...args], {
    stdin: 'ignore',
    stdout: 'pipe',
    signal: options.signal,
  });
  const chunks: Buffer[] = [];
  handle.stdout!.on('data', (c: Buffer) => chunks.push(c));
  const stdoutDone = new Promise<void>((resolve) => {
    handle.stdout!.once('close', () => resolve());
  });
  const exit = await handle.exited;
  await stdoutDone;
  if (options.signal?.aborted) throw new AbortedError();
  if (exit.kind === 'failed') throw ffmpegError('ffprobe', exit);
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new JapananimeError('E_FFMPEG_FAILED', `ffprobe printed invalid JSON (${text.length} bytes)`, { cause: err });
  }
}

export interface CommandOutputOptions extends RunOptions {
  /** Gives up (and stops the child) after this many milliseconds. Default: 10000. */
  timeoutMs?: number;
}

/**
 * Runs a short command (e.g. `ffmpeg -version`, `chromium --version`) and returns its stdout; throws
 * FfmpegError-shaped E_FFMPEG_FAILED when it fails or times out. For `doctor` and capability checks.
 */
export async function readCommandOutput(cmd: string, args: readonly string[], options: CommandOutputOptions = {}): Promise<string> {
  const timeout = AbortSignal.timeout(options.timeoutMs ?? 10_000);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  const handle = spawnChild(cmd, args, { stdin: 'ignore', stdout: 'pipe', signal });
  const chunks: Buffer[] = [];
  handle.stdout!.on('data', (c: Buffer) => chunks.push(c));
  const stdoutDone = new Promise<void>((resolve) => handle.stdout!.once('close', () => resolve()));
  const exit = await handle.exited;
  await stdoutDone;
  if (options.signal?.aborted) throw new AbortedError();
  if (exit.kind === 'failed') throw ffmpegError(path.basename(cmd), exit);
  return Buffer.concat(chunks).toString('utf8');
}
