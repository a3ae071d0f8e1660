/**
 * Finds the ffmpeg and ffprobe binaries, in a fixed order so `japananime doctor` can say which one is
 * used and why: FFMPEG_PATH/FFPROBE_PATH → ffmpeg-static (an optional dependency whose binary
 * download may have failed) → `ffmpeg` on PATH → @ffmpeg-installer/ffmpeg.
 *
 * ffprobe: FFPROBE_PATH, else an `ffprobe` beside the chosen ffmpeg, else `ffprobe` on PATH, else
 * @ffprobe-installer/ffprobe (a bundled static build, like @ffmpeg-installer): a fresh machine
 * without a system ffmpeg still runs `npm start` from the npm registry alone.
 */
import { accessSync, chmodSync, constants, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { JapananimeError } from '../errors.js';

export type FfmpegSource = 'env' | 'ffmpeg-static' | 'path' | '@ffmpeg-installer';

export interface ResolvedFfmpeg {
  /** Absolute path of the ffmpeg executable. */
  ffmpeg: string;
  /** Absolute path of the ffprobe executable. */
  ffprobe: string;
  /** Where ffmpeg was found. */
  source: FfmpegSource;
}

const FIX =
  'install ffmpeg (Debian/Ubuntu: `sudo apt-get install ffmpeg`, macOS: `brew install ffmpeg`) or set FFMPEG_PATH and FFPROBE_PATH to the binaries';

function isExecutable(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Pure lookup of `name` in a PATH-like string; exported for tests. */
export function findOnPath(name: string, pathEnv: string | undefined = process.env.PATH): string | undefined {
  if (!pathEnv) return undefined;
  const exts = process.platform === 'win32' ? ['.exe', ''] : [''];
  for (const dir of pathEnv.split(path.delimiter)) {
    if (!dir) continue;
    for (const ext of exts) {
      const candidate = path.join(dir, name + ext);
      if (isExecutable(candidate)) return candidate;
    }
  }
  return undefined;
}

const require = createRequire(import.meta.url);

/** Optional packages are CommonJS and may be absent or throw when their binary is missing. */
function tryRequire(id: string): unknown {
  try {
    return require(id) as unknown;
  } catch {
    return undefined;
  }
}

function fromFfmpegStatic(): string | undefined {
  const mod = tryRequire('ffmpeg-static');
  const p = typeof mod === 'string' ? mod : (mod as { default?: unknown } | undefined)?.default;
  return typeof p === 'string' && isExecutable(p) ? p : undefined;
}

/**
 * The binary of an @ffmpeg-installer-style package (`require(id).path`). Their only install script
 * is `chmod u+x`, which `npm install --ignore-scripts` (or npm 11 without an allowScripts entry)
 * skips and the tarball does not always make up for (@ffprobe-installer ships it 0644): then the
 * same chmod is done here, once.
 */
function fromInstallerPackage(id: string): string | undefined {
  const mod = tryRequire(id) as { path?: unknown } | undefined;
  if (typeof mod?.path !== 'string') return undefined;
  if (!isExecutable(mod.path)) {
    try {
      const file = statSync(mod.path);
      if (file.isFile()) chmodSync(mod.path, file.mode | 0o100);
    } catch {
      return undefined;
    }
  }
  return isExecutable(mod.path) ? mod.path : undefined;
}

function resolveFfmpegPath(env: NodeJS.ProcessEnv): { ffmpeg: string; source: FfmpegSource } {
  const envPath = env.FFMPEG_PATH;
  if (envPath) {
    if (!isExecutable(envPath)) {
      throw new JapananimeError('E_FFMPEG_MISSING', `FFMPEG_PATH=${envPath} is not an executable file; fix the variable or unset it`);
    }
    return { ffmpeg: path.resolve(envPath), source: 'env' };
  }
  const stat = fromFfmpegStatic();
  if (stat) return { ffmpeg: stat, source: 'ffmpeg-static' };
  const onPath = findOnPath('ffmpeg', env.PATH);
  if (onPath) return { ffmpeg: onPath, source: 'path' };
  const installer = fromInstallerPackage('@ffmpeg-installer/ffmpeg');
  if (installer) return { ffmpeg: installer, source: '@ffmpeg-installer' };
  throw new JapananimeError('E_FFMPEG_MISSING', `ffmpeg not found: ${FIX}`);
}

function resolveFfprobePath(ffmpeg: string, env: NodeJS.ProcessEnv): string {
  const envPath = env.FFPROBE_PATH;
  if (envPath) {
    if (!isExecutable(envPath)) {
      throw new JapananimeError('E_FFMPEG_MISSING', `FFPROBE_PATH=${envPath} is not an executable file; fix the variable or unset it`);
    }
    return path.resolve(envPath);
  }
  const sibling = path.join(path.dirname(ffmpeg), process.platform === 'win32' ? 'ffprobe.exe' : 'ffprobe');
  if (isExecutable(sibling)) return sibling;
  const onPath = findOnPath('ffprobe', env.PATH);
  if (onPath) return onPath;
  const installer = fromInstallerPackage('@ffprobe-installer/ffprobe');
  if (installer) return installer;
  throw new JapananimeError('E_FFMPEG_MISSING', `ffprobe not found (ffmpeg is ${ffmpeg}): ${FIX}`);
}

/** Resolves without caching, from the given environment; for `doctor` and tests. */
export function resolveFfmpegFrom(env: NodeJS.ProcessEnv): ResolvedFfmpeg {
  const { ffmpeg, source } = resolveFfmpegPath(env);
  return { ffmpeg, ffprobe: resolveFfprobePath(ffmpeg, env), source };
}

let cached: Promise<ResolvedFfmpeg> | undefined;

/**
 * The binaries to run, resolved once per process (the environment does not change under us).
 * Throws JapananimeError('E_FFMPEG_MISSING') with the fix when none is found.
 */
export function resolveFfmpeg(): Promise<ResolvedFfmpeg> {
  if (!cached) {
    cached = Promise.resolve().then(() => resolveFfmpegFrom(process.env));
    // A failure is not cached: the user may fix the environment in a long-running server.
    cached.catch(() => {
      cached = undefined;
    });
  }
  return cached;
}
