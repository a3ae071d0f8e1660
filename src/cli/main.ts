/**
 * `japananime` command-line entry point. Argument parsing only: each command lives in
 * src/cli/commands/<name>.ts, parses its flags with node:util parseArgs and calls the library.
 * Exit codes: 0 success, 1 user error (one line on stderr), 2 internal error, 130 interrupted.
 */
import { JapananimeError, UsageError } from '../errors.js';
import { projectVersion } from '../project-paths.js';
import type { CommandModule } from './command-module.js';
import { cliMessage } from './option-flags.js';

export type { CommandModule } from './command-module.js';

/**
 * Loaded when run, so `japananime doctor` does not pay for tfjs (the model package code imports it,
 * a second or more). The specifiers are literals: tsc checks each module and its `command` export,
 * and a module that fails to load fails with its own error.
 */
const COMMANDS: Record<string, () => Promise<CommandModule>> = {
  stylize: async () => (await import('./commands/stylize.js')).command,
  serve: async () => (await import('./commands/serve.js')).command,
  dataset: async () => (await import('./commands/dataset.js')).command,
  train: async () => (await import('./commands/train.js')).command,
  export: async () => (await import('./commands/export.js')).command,
  quantize: async () => (await import('./commands/quantize.js')).command,
  import: async () => (await import('./commands/import.js')).command,
  models: async () => (await import('./commands/models.js')).command,
  plot: async () => (await import('./commands/plot.js')).command,
  bench: async () => (await import('./commands/bench.js')).command,
  eval: async () => (await import('./commands/eval.js')).command,
  doctor: async () => (await import('./commands/doctor.js')).command,
};

async function topLevelHelp(): Promise<string> {
  const lines = ['Usage: japananime <command> [options]', '', 'Turn real-world video and photos into Japanese-anime style.', '', 'Commands:'];
  for (const [name, load] of Object.entries(COMMANDS)) lines.push(`  ${name.padEnd(9)} ${(await load()).summary}`);
  lines.push('', 'Run `japananime <command> --help` for the options of one command.');
  return lines.join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write((await topLevelHelp()) + '\n');
    return name === undefined ? 1 : 0;
  }
  if (name === '--version' || name === '-v') {
    process.stdout.write((await projectVersion()) + '\n');
    return 0;
  }
  const load = COMMANDS[name];
  if (!load) throw new UsageError(`unknown command '${name}' (run 'japananime --help' for the list)`);
  const command = await load();
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(command.help.trimEnd() + '\n');
    return 0;
  }
  // Ctrl-C aborts the job; the job cleans up (temp files, child processes) and we exit 130.
  // A second Ctrl-C forces the exit.
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = (sig: NodeJS.Signals): void => {
    interrupts += 1;
    if (interrupts > 1) process.exit(130);
    process.stderr.write(`\n${sig}: stopping, cleaning up… (press Ctrl-C again to force)\n`);
    controller.abort(new Error(sig));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await command.run(rest, controller.signal);
  } catch (err) {
    throw parseArgsUsageError(err, name) ?? err;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/**
 * node:util parseArgs's errors as one line that names the option and points to the command's help.
 * Its own text for an unknown option suggests quoting it as a positional argument, with an
 * unbalanced quote; undefined for any other error.
 */
export function parseArgsUsageError(err: unknown, command: string): UsageError | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !code.startsWith('ERR_PARSE_ARGS')) return undefined;
  const message = err instanceof Error ? err.message : String(err);
  const hint = `(run 'japananime ${command} --help' for the options)`;
  const unknown = /^Unknown option '([^']+)'/.exec(message);
  if (unknown) return new UsageError(`unknown option '${unknown[1]}' ${hint}`);
  const firstSentence = (message.split(/\.\s/)[0] ?? message).replace(/\.$/, '');
  return new UsageError(`${firstSentence.charAt(0).toLowerCase()}${firstSentence.slice(1)} ${hint}`);
}

/** Maps an error to one line on stderr and an exit code. Stack traces only for internal errors. */
export function reportError(err: unknown): number {
  if (err instanceof JapananimeError) {
    process.stderr.write(`japananime: ${cliMessage(err)}\n`);
    return err.exitCode;
  }
  // node:util parseArgs throws TypeErrors with ERR_PARSE_ARGS_* codes for bad flags: a user error.
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) {
    process.stderr.write(`japananime: ${(err as Error).message}\n`);
    return 1;
  }
  process.stderr.write(`japananime: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  return 2;
}

