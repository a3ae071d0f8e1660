/**
 * The project's typed errors. Every error a user can cause carries a stable `code` and a one-line
 * human message; the CLI prints that line and exits 1 without a stack trace. Anything else is an
 * internal error (exit 2).
 */

/** Stable error codes. Add new ones at the end; scripts may match on them. */
export type ErrorCode =
  | 'E_USAGE' // bad command-line arguments or options
  | 'E_INPUT_MISSING' // an input file or folder does not exist
  | 'E_INPUT_INVALID' // an input exists but is not what it should be (not a video, corrupt image…)
  | 'E_INPUT_TRUNCATED' // a video ends early
  | 'E_OUTPUT_INVALID' // the output path cannot be used
  | 'E_MODEL_INVALID' // a model package is missing files, broken or foreign
  | 'E_BACKEND_UNAVAILABLE' // an engine, backend or execution provider is not installed
  | 'E_FFMPEG_MISSING' // no ffmpeg/ffprobe binary could be found
  | 'E_FFMPEG_FAILED' // ffmpeg exited with an error
  | 'E_DATASET_INVALID' // training data is missing, empty or unusable
  | 'E_RUN_INVALID' // a training run folder cannot be resumed or exported
  | 'E_ABORTED' // the job was cancelled (Ctrl-C, AbortSignal)
  | 'E_CLOSED' // a stylizer, pool or server was used after close()
  | 'E_WORKER_CRASHED'; // an inference worker died (out of memory, native abort) and its retry failed too

/** Base class of every error the user can cause or should see as one line. */
export class JapananimeError extends Error {
  readonly code: ErrorCode;
  /** Exit code the CLI uses for this error. 1 = user error, 130 = interrupted. */
  readonly exitCode: number;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; exitCode?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'JapananimeError';
    this.code = code;
    this.exitCode = options?.exitCode ?? (code === 'E_ABORTED' ? 130 : 1);
  }
}

/** Bad arguments: unknown flag, missing value, value out of range. */
export class UsageError extends JapananimeError {
  constructor(message: string) {
    super('E_USAGE', message);
    this.name = 'UsageError';
  }
}

/**
 * A bad option value. The message names library options (`tile must be…`); `template` marks each
 * option as `{tile}` so that the CLI can put its flags there instead (`--tile must be…`,
 * src/cli/option-flags.ts), in one place for every command.
 */
export class OptionError extends UsageError {
  /** The message with each option name as `{name}`. */
  readonly template: string;
  constructor(template: string) {
    super(template.replace(/\{(\w+)\}/g, '$1'));
    this.name = 'OptionError';
    this.template = template;
  }
}

/** Input that does not exist or cannot be used. */
export class InputError extends JapananimeError {
  constructor(code: 'E_INPUT_MISSING' | 'E_INPUT_INVALID' | 'E_INPUT_TRUNCATED', message: string, cause?: unknown) {
    super(code, message, { cause });
    this.name = 'InputError';
  }
}

/** A model package that is missing, broken or of another kind. */
export class ModelError extends JapananimeError {
  constructor(message: string, cause?: unknown) {
    super('E_MODEL_INVALID', message, { cause });
    this.name = 'ModelError';
  }
}

/** A runtime, backend, execution provider or binary that is not installed. */
export class BackendUnavailableError extends JapananimeError {
  constructor(message: string, cause?: unknown) {
    super('E_BACKEND_UNAVAILABLE', message, { cause });
    this.name = 'BackendUnavailableError';
  }
}

/** ffmpeg or ffprobe exited with an error. The message is one line; `stderrTail` has the detail. Made by ffmpegError() in src/media/child-process.ts. */
export class FfmpegError extends JapananimeError {
  readonly stderrTail: string;
  constructor(message: string, stderrTail: string) {
    super('E_FFMPEG_FAILED', message);
    this.name = 'FfmpegError';
    this.stderrTail = stderrTail;
  }
}

/** A dataset the trainer cannot use. */
export class DatasetError extends JapananimeError {
  constructor(message: string, cause?: unknown) {
    super('E_DATASET_INVALID', message, { cause });
    this.name = 'DatasetError';
  }
}

/** A run folder that cannot be started, resumed or exported. */
export class RunError extends JapananimeError {
  constructor(message: string, cause?: unknown) {
    super('E_RUN_INVALID', message, { cause });
    this.name = 'RunError';
  }
}

/** The job was cancelled through its AbortSignal (Ctrl-C in the CLI). */
export class AbortedError extends JapananimeError {
  constructor(message = 'cancelled') {
    super('E_ABORTED', message);
    this.name = 'AbortedError';
  }
}

/** Throws AbortedError if the signal has fired; call at loop boundaries of long work. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AbortedError();
}

/** A stylizer, worker pool or server was used after its close(). An internal error (exit 2): the program, not the user, got the order wrong. */
export class ClosedError extends JapananimeError {
  constructor(what: string) {
    super('E_CLOSED', `${what} is closed`, { exitCode: 2 });
    this.name = 'ClosedError';
  }
}

/**
 * An inference worker died while running a batch (out of memory, a native abort), was restarted, and
 * the batch's one retry failed as well. Exit 2: nothing the user typed was wrong, but the message is
 * still one line.
 */
export class WorkerCrashedError extends JapananimeError {
  constructor(message: string, cause?: unknown) {
    super('E_WORKER_CRASHED', message, { cause, exitCode: 2 });
    this.name = 'WorkerCrashedError';
  }
}
