/**
 * The one place that turns library option names into command-line flags: library messages name
 * options (`maxSide must be…`, see OptionError), the CLI prints the flag a user typed (`--max-side
 * must be…`). Most flags are the option in kebab case; the others are listed.
 */
import { OptionError } from '../errors.js';

/** Options whose flag is not simply their name in kebab case. */
const FLAG_EXCEPTIONS: Record<string, string> = {
  output: '-o/--output',
  broadcastMaxSide: '--max-side',
  allowOrigins: '--allow-origin',
  maxConnectionsPerAddress: '--max-per-address',
  license: '--licence',
};

/** Pure: the flag of a library option, e.g. maxSide → --max-side. */
export function flagFor(option: string): string {
  return FLAG_EXCEPTIONS[option] ?? `--${option.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** The line the CLI prints for an error: an OptionError with its options as flags, any other as it is. */
export function cliMessage(err: Error): string {
  return err instanceof OptionError ? err.template.replace(/\{(\w+)\}/g, (_, name: string) => flagFor(name)) : err.message;
}
