import { UsageError } from '../../errors.js';
import { quantizeModel, type QuantizeModelOptions } from '../../model/quantize/quantize-model.js';
import { inputAndOut, OUT_FLAG, parseCommandArgs, wholeNumberFlag } from '../command-flags.js';
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

/** What `quantize` passes to quantizeModel, from its flags. */
export type QuantizeArgs = Pick<QuantizeModelOptions, 'model' | 'out' | 'calibration' | 'frames' | 'percentile' | 'keepThinConvs'> & { json: boolean };

/** Pure: argv → quantizeModel's options. Throws UsageError for bad flags. */
export function parseQuantizeArgs(argv: string[]): QuantizeArgs {
  const { values, positionals } = parseCommandArgs(argv, {
    ...OUT_FLAG,
    calibration: { type: 'string', multiple: true },
    frames: { type: 'string' },
    percentile: { type: 'string' },
    'keep-thin': { type: 'string' },
  });
  const { input, out } = inputAndOut({ command: 'quantize', placeholder: 'model-dir', what: 'the model package' }, positionals, values.out);
  const percentile = values.percentile === undefined ? undefined : Number(values.percentile);
  if (percentile !== undefined && !(percentile > 50 && percentile <= 100)) throw new UsageError(`--percentile must be a number in (50, 100], got '${values.percentile}'`);
  return {
    model: input,
    out,
    calibration: values.calibration,
    frames: wholeNumberFlag('frames', values.frames, 1),
    percentile,
    keepThinConvs: wholeNumberFlag('keep-thin', values['keep-thin'], 0),
    json: values.json,
  };
}

export const command: CommandModule = {
  summary: 'write an int8 (static QDQ) copy of a model package, calibrated on real frames',
  help,
  async run(argv, signal) {
    const { json, ...options } = parseQuantizeArgs(argv);
    const { pkg, record } = await quantizeModel({
      ...options,
      signal,
      onProgress: json || !process.stderr.isTTY ? undefined : (phase, done, total) => {
        process.stderr.write(phase === 'calibrating' ? `\rcalibrating ${done}/${total} frames` : phase === 'writing' ? '\n' : 'reading calibration frames…\n');
      },
    });
    const summary = { dir: pkg.dir, architecture: pkg.meta.architecture, precision: pkg.meta.precision, quantizedConvs: record['quantizedConvs'], calibration: record['calibration'] };
    process.stdout.write((json ? JSON.stringify(summary) : `wrote int8 ${summary.architecture} (${String(summary.quantizedConvs)} Convs in int8) to ${summary.dir}`) + '\n');
    return 0;
  },
};
