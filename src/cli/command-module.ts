/**
 * What each `japananime <command>` module exports. Its own file so that the commands and main.ts,
 * which loads them, do not import each other.
 */

/** A command module: parses its own argv, returns the exit code. */
export interface CommandModule {
  /** One-line summary for the top-level help. */
  summary: string;
  /** Full help text for `japananime <command> --help`. */
  help: string;
  run(argv: string[], signal: AbortSignal): Promise<number>;
}
