/**
 * `japananime` command-line entry point. Argument parsing only: each command lives in
 * src/cli/commands/<name>.ts, parses its flags with node:util parseArgs and calls the library.
 * Exit codes: 0 success, 1 user error (one line on stderr), 2 internal error, 130 interrupted.
 */
import { JapananimeError, UsageError } from '../errors.js';

/** A command module: parses its own argv, returns the exit code. */
export interface CommandModule {
  /** One-line summary for the top-level help. */
  summary: string;
  /** Full help text for `japananime <command> --help`. */
  help: string;
  run(argv: string[], signal: AbortSignal): Promise<number>;
}

/** Loaded lazily so `japananime doctor` does not pay for tfjs, and a broken command cannot break the others. */
const COMMANDS: Record<string, () => Promise<CommandModule>> = {
  stylize: async () => (await import('./commands/stylize.js')).command,
  serve: async () => (await import('./commands/serve.js')).command,
  dataset: async () => (await import('./commands/dataset.js')).command,
  train: async () => (await import('./commands/train.js')).command,
  export: async () => (await import('./commands/export.js')).command,
  import: async () => (await import('./commands/import.js')).command,
  models: async () => (await import('./commands/models.js')).command,
  plot: async () => (await import('./commands/plot.js')).command,
  bench: async () => (await import('./commands/bench.js')).command,
  eval: async () => (await import('./commands/eval.js')).command,
  doctor: async () => (await import('./commands/doctor.js')).command,
};

async function topLevelHelp(): Promise<string> {
  const lines = ['Usage: japananime <command> [options]', '', 'Turn real-world video and photos into Japanese-anime style.', '', 'Commands:'];
  for (const [name, load] of Object.entries(COMMANDS)) {
    let summary = '';
    try {
      summary = (await load()).summary;
    } catch {
      summary = '(not available in this build)';
    }
    lines.push(`  ${name.padEnd(9)} ${summary}`);
  }
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
    const { projectVersion } = await import('../project-paths.js');
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
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** Maps an error to one line on stderr and an exit code. Stack traces only for internal errors. */
export function reportError(err: unknown): number {
  if (err instanceof JapananimeError) {
    process.stderr.write(`japananime: ${err.message}\n`);
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

