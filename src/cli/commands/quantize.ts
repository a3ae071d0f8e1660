import { parseArgs } from 'node:util';
import { UsageError } from '../../errors.js';
import type { CommandModule } from '../command-module.js';

const help = `Usage: japananime quantize <model-dir> --out <model-dir> [--calibration <video|image|folder>]... [--frames N] [--percentile P] [--keep-thin N] [--json]

Writes an int8 copy of an fp32 model package: static QDQ quantisation (int8 weights per output channel,
uint8 activations) that ONNX Runtime's CPU provider runs with int8 kernels. Activation ranges are
measured on real frames with a percentile rule; meta.json records the precision, the rule, the
calibration data and what stayed fp32. The tfjs weights stay the fp32 ones.

  --out <dir>             the int8 package (written atomically; must differ from the source)
  --calibration <path>    a video, an image or a folder of images (repeatable);
                          default: samples/sample.mp4 and the package's training photos when present
  --frames <N>            calibration frames, shared among the sources (default 64)
  --percentile <P>        each end of an activation range leaves out (100 - P)% of the values (default 99.99)
  --keep-thin <N>         leave Convs with N or fewer input or output channels in fp32: the rgb stem and
                          head and fixed image filters, where int8 costs more than it saves (default 3)
  --json                  print the result as one JSON object

'serve' uses <model>-int8 beside a model when it was made from that exact model:
  japananime quantize models/default --out models/default-int8`;

export const command: CommandModule = {
  summary: 'write an int8 (static QDQ) copy of a model package, calibrated on real frames',
  help,
  async run(argv, signal) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        out: { type: 'string' },
        calibration: { type: 'string', multiple: true },
        frames: { type: 'string' },
        percentile: { type: 'string' },
        'keep-thin': { type: 'string' },
        json: { type: 'boolean', default: false },
      },
    });
    const [model, ...extra] = positionals;
    if (!model) throw new UsageError('quantize needs the model package: japananime quantize <model-dir> --out <dir>');
    if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`);
    if (!values.out) throw new UsageError('quantize needs --out <model-dir>');
    const whole = (flag: string, text: string | undefined, min: number): number | undefined => {
      if (text === undefined) return undefined;
      if (!/^\d+$/.test(text) || Number(text) < min) throw new UsageError(`--${flag} must be a whole number ≥ ${min}, got '${text}'`);
      return Number(text);
    };
    const percentile = values.percentile === undefined ? undefined : Number(values.percentile);
    if (percentile !== undefined && !(percentile > 50 && percentile <= 100)) throw new UsageError(`--percentile must be a number in (50, 100], got '${values.percentile}'`);
    const { quantizeModel } = await import('../../model/quantize/quantize-model.js');
    const { pkg, record } = await quantizeModel({
      model,
      out: values.out,
      calibration: values.calibration,
      frames: whole('frames', values.frames, 1),
      percentile,
      keepThinConvs: whole('keep-thin', values['keep-thin'], 0),
      signal,
      onProgress: values.json || !process.stderr.isTTY ? undefined : (phase, done, total) => {
        process.stderr.write(phase === 'calibrating' ? `\rcalibrating ${done}/${total} frames` : phase === 'writing' ? '\n' : 'reading calibration frames…\n');
      },
    });
    const summary = { dir: pkg.dir, architecture: pkg.meta.architecture, precision: pkg.meta.precision, quantizedConvs: record['quantizedConvs'], calibration: record['calibration'] };
    process.stdout.write((values.json ? JSON.stringify(summary) : `wrote int8 ${summary.architecture} (${String(summary.quantizedConvs)} Convs in int8) to ${summary.dir}`) + '\n');
    return 0;
  },
};
