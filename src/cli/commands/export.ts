import { int8CopyDir } from '../../model/quantize/int8-copy.js';
import { exportRun } from '../../train/export-run.js';
import { inputAndOut, OUT_FLAG, parseCommandArgs, wholeNumberFlag } from '../command-flags.js';
import type { CommandModule } from '../command-module.js';

const help = `Usage: japananime export <run> --out <model-dir> [--step N] [--license L] [--description TEXT] [--int8] [--json]

Writes the run's latest checkpoint (or --step N) as a model package: model.onnx (uint8 rgb24 in
and out), meta.json with the training record (command, steps, wall time, final losses, data,
perceptual net and licences) and the tfjs weights. Use it with 'japananime stylize --model <dir>'.
With --int8, an int8 copy is written beside it as <model-dir>-int8 (japananime quantize with its
defaults: calibrated on the sample clip and the run's training photos); 'serve' prefers it.
`;

/** What `export` does, from its flags. */
export interface ExportArgs {
  run: string;
  out: string;
  step: number | undefined;
  license: string | undefined;
  description: string | undefined;
  /** Also write an int8 copy beside the package. */
  int8: boolean;
  json: boolean;
}

/** Pure: argv → export's arguments. Throws UsageError for bad flags. */
export function parseExportArgs(argv: string[]): ExportArgs {
  const { values, positionals } = parseCommandArgs(argv, {
    ...OUT_FLAG,
    step: { type: 'string' },
    license: { type: 'string' },
    description: { type: 'string' },
    int8: { type: 'boolean', default: false },
  });
  const { input, out } = inputAndOut({ command: 'export', placeholder: 'run', what: 'the run folder' }, positionals, values.out);
  return { run: input, out, step: wholeNumberFlag('step', values.step, 1), license: values.license, description: values.description, int8: values.int8, json: values.json };
}

export const command: CommandModule = {
  summary: 'export a training run as a model package (ONNX + meta)',
  help,
  async run(argv, signal) {
    const args = parseExportArgs(argv);
    const pkg = await exportRun({ run: args.run, out: args.out, step: args.step, license: args.license, description: args.description, ...(args.int8 ? { int8: { signal } } : {}) });
    const summary: Record<string, unknown> = { dir: pkg.dir, architecture: pkg.meta.architecture, parameters: pkg.meta.parameters, steps: pkg.meta.training['steps'] };
    if (args.int8 && pkg.dir !== undefined) summary['int8'] = int8CopyDir(pkg.dir);
    process.stdout.write(
      (args.json
        ? JSON.stringify(summary)
        : `exported ${String(summary['architecture'])} (${String(summary['parameters'])} params, step ${String(summary['steps'])}) to ${String(summary['dir'])}${summary['int8'] ? `, int8 copy in ${String(summary['int8'])}` : ''}`) + '\n',
    );
    return 0;
  },
};
