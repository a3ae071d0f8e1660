import { parseArgs } from 'node:util';
import { UsageError } from '../../errors.js';
import type { CommandModule } from '../command-module.js';

const help = `Usage: japananime export <run> --out <model-dir> [--step N] [--license L] [--description TEXT] [--int8] [--json]

Writes the run's latest checkpoint (or --step N) as a model package: model.onnx (uint8 rgb24 in
and out), meta.json with the training record (command, steps, wall time, final losses, data,
perceptual net and licences) and the tfjs weights. Use it with 'japananime stylize --model <dir>'.
With --int8, an int8 copy is written beside it as <model-dir>-int8 (japananime quantize with its
defaults: calibrated on the sample clip and the run's training photos); 'serve' prefers it.
`;

export const command: CommandModule = {
  summary: 'export a training run as a model package (ONNX + meta)',
  help,
  async run(argv, signal) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: { out: { type: 'string' }, step: { type: 'string' }, license: { type: 'string' }, description: { type: 'string' }, int8: { type: 'boolean', default: false }, json: { type: 'boolean', default: false } },
    });
    const [run, ...extra] = positionals;
    if (!run) throw new UsageError('export needs the run folder: japananime export <run> --out <model-dir>');
    if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`);
    if (!values.out) throw new UsageError('export needs --out <model-dir>');
    const step = values.step === undefined ? undefined : Number(values.step);
    if (step !== undefined && (!Number.isInteger(step) || step < 1)) throw new UsageError(`--step must be a positive integer, not '${values.step}'`);
    const { exportRun } = await import('../../train/export-run.js');
    const pkg = await exportRun({ run, out: values.out, step, license: values.license, description: values.description });
    const summary: Record<string, unknown> = { dir: pkg.dir, architecture: pkg.meta.architecture, parameters: pkg.meta.parameters, steps: pkg.meta.training['steps'] };
    if (values.int8 && pkg.dir !== undefined) {
      const { quantizeModel } = await import('../../model/quantize/quantize-model.js');
      const { int8CopyDir } = await import('../../model/quantize/int8-copy.js');
      summary['int8'] = (await quantizeModel({ model: pkg.dir, out: int8CopyDir(pkg.dir), signal })).pkg.dir;
    }
    process.stdout.write(
      (values.json
        ? JSON.stringify(summary)
        : `exported ${String(summary['architecture'])} (${String(summary['parameters'])} params, step ${String(summary['steps'])}) to ${String(summary['dir'])}${summary['int8'] ? `, int8 copy in ${String(summary['int8'])}` : ''}`) + '\n',
    );
    return 0;
  },
};
