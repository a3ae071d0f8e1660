import { parseArgs } from 'node:util';
import { UsageError } from '../../errors.js';
import { plotRun } from '../../train/plot-losses.js';
import type { CommandModule } from '../command-module.js';

const help = `Usage: japananime plot <run> [--out FILE.svg|FILE.png] [--smooth N]

Draws every loss curve of <run>/metrics.jsonl (one panel per loss, pretraining shaded) to an SVG
(default <run>/losses.svg) or a PNG.
`;

export const command: CommandModule = {
  summary: 'draw the loss curves of a training run to SVG or PNG',
  help,
  async run(argv) {
    const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, strict: true, options: { out: { type: 'string' }, smooth: { type: 'string' } } });
    const [run, ...extra] = positionals;
    if (!run) throw new UsageError('plot needs the run folder: japananime plot <run>');
    if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`);
    const smooth = values.smooth === undefined ? undefined : Number(values.smooth);
    if (smooth !== undefined && (!Number.isInteger(smooth) || smooth < 1)) throw new UsageError(`--smooth must be a positive integer, not '${values.smooth}'`);
    const file = await plotRun({ run, out: values.out, smooth });
    process.stdout.write(`wrote ${file}\n`);
    return 0;
  },
};
