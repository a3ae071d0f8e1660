import { parseArgs } from 'node:util';
import { UsageError } from '../../errors.js';
import type { CommandModule } from '../command-module.js';

const help = `Usage: japananime export <run> --out <model-dir> [--step N] [--license L] [--description TEXT] [--json]

Writes the run's latest checkpoint (or --step N) as a model package: model.onnx (uint8 rgb24 in
and out), meta.json with the training record (command, steps, wall time, final losses, data,
perceptual net and licences) and the tfjs weights. Use it with 'japananime stylize --model <dir>'.
`;

export const command: CommandModule = {
  summary: 'export a training run as a model package (ONNX + meta)',
  help,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: { out: { type: 'string' }, step: { type: 'string' }, license: { type: 'string' }, description: { type: 'string' }, json: { type: 'boolean', default: false } },
    });
    const [run, ...extra] = positionals;
    if (!run) throw new UsageError('export needs the run folder: japananime export <run> --out <model-dir>');
    if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`);
    if (!values.out) throw new UsageError('export needs --out <model-dir>');
    const step = values.step === undefined ? undefined : Number(values.step);
    if (step !== undefined && (!Number.isInteger(step) || step < 1)) throw new UsageError(`--step must be a positive integer, not '${values.step}'`);
    const { exportRun } = await import('../../train/export-run.js');
    const pkg = await exportRun({ run, out: values.out, step, license: values.license, description: values.description });
    const summary = { dir: pkg.dir, architecture: pkg.meta.architecture, parameters: pkg.meta.parameters, steps: pkg.meta.training['steps'] };
    process.stdout.write((values.json ? JSON.stringify(summary) : `exported ${summary.architecture} (${summary.parameters} params, step ${String(summary.steps)}) to ${summary.dir}`) + '\n');
    return 0;
  },
};
