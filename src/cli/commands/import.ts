/**
 * `japananime import <source> --out <model-dir> --licence L`: flags only; the work is importModel
 * (src/model/import). The CLI hands it an ONNX Runtime check (src/model may not import the engine):
 * the finished package must turn an odd-sized frame into one of the same size before it is written.
 */
import { parseArgs } from 'node:util';
import { ort } from '../../engine/onnx-runtime.js';
import { createStylizer } from '../../engine/create-stylizer.js';
import { ModelError, UsageError } from '../../errors.js';
import type { ImageLayout } from '../../model/import/image-model-signature.js';
import { importModel, LICENCE_REMINDER } from '../../model/import/import-model.js';
import type { AnyModelPackage } from '../../model/model-package.js';
import type { CommandModule } from '../command-module.js';

const HELP = `Usage: japananime import <source> --out <model-dir> --licence <licence> [options]

Turns a model made elsewhere into a model package that stylize, serve, eval and bench run like
ours (uint8 rgb24 in and out; every conversion happens inside the ONNX graph). <source> is:
  an ONNX image-to-image model (.onnx): AnimeGANv2/v3, CartoonGAN, White-box exports …
  the seed's Keras generator weights (.h5 from generator.save_weights): a cartoongan package
    with tfjs weights too, so it can be trained further
  a TensorFlow.js graph model (model.json + weight shards, or their folder)

  --out <dir>               package folder to write (appears only when complete) — required
  --licence <text>          licence of the weights, written into meta.json — required
  --force                   replace an existing --out
  --layout <nchw|nhwc>      tensor layout (default: read from the model's input shape)
  --range <-1,1|0,1|0,255>  the model's value range (default: -1,1, as AnimeGAN and CartoonGAN)
  --channels <rgb|bgr>      the model's channel order (default: rgb; White-box exports are bgr)
  --multiple <N>            H and W must be multiples of N (AnimeGANv3 8, its tiny models 16,
                            AnimeGANv2 32); padded and cropped back inside the graph (default: 1)
  --min-side <N>            enlarge images whose shorter side is below N for the model (default: off)
  --description <text>      one line for meta.json
  --json                    print the result as one JSON line
  -h, --help                this help

Fixed-size models (e.g. 1x3x512x512) are resized in and back out; a fixed batch of 1 runs frame
by frame. The input and output names are read from the model.`;

const RANGES: Record<string, [number, number]> = { '-1,1': [-1, 1], '0,1': [0, 1], '0,255': [0, 255] };

/** `--range -1,1` reads like a flag to parseArgs: glue such values to their option. */
function glueDashValues(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = argv[i + 1];
    if (a === '--range' && next !== undefined && /^-\d/.test(next)) {
      out.push(`${a}=${next}`);
      i++;
    } else out.push(a);
  }
  return out;
}

/** The package must run: an odd-sized frame in, the same size out (one line if ONNX Runtime disagrees). */
async function checkRuns(pkg: AnyModelPackage): Promise<void> {
  const width = 37;
  const height = 29;
  // ONNX Runtime logs a failing node on stderr itself; the one line below says it all. (The level is
  // read when the runtime starts, which in an import is this check.)
  ort.env.logLevel = 'fatal';
  let stylizer;
  try {
    stylizer = await createStylizer({ model: pkg, threads: 1 });
    const [out] = await stylizer.run([{ data: new Uint8Array(width * height * 3).fill(128), width, height, pts: 0, index: 0 }]);
    if (out?.width !== width || out.height !== height) throw new Error(`a ${width}x${height} frame came back ${out?.width}x${out?.height}`);
  } catch (err) {
    throw new ModelError(`the imported model does not run: ${String((err as Error).message).split('\n')[0]}`, err);
  } finally {
    await stylizer?.close();
  }
}

export const command: CommandModule = {
  summary: 'turn an ONNX, Keras (seed) or tfjs graph model into a model package',
  help: HELP,
  async run(argv, signal) {
    const { values, positionals } = parseArgs({
      args: glueDashValues(argv),
      allowPositionals: true,
      strict: true,
      options: {
        out: { type: 'string' }, licence: { type: 'string' }, license: { type: 'string' }, force: { type: 'boolean', default: false },
        layout: { type: 'string' }, range: { type: 'string' }, channels: { type: 'string' }, multiple: { type: 'string' }, 'min-side': { type: 'string' },
        description: { type: 'string' }, json: { type: 'boolean', default: false },
      },
    });
    const [source, ...extra] = positionals;
    if (!source) throw new UsageError('import needs a model file: japananime import <source> --out <model-dir> --licence <licence>');
    if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`);
    if (!values.out) throw new UsageError('import needs --out <model-dir>');
    const layout = values.layout?.toUpperCase();
    if (layout !== undefined && layout !== 'NCHW' && layout !== 'NHWC') throw new UsageError(`--layout must be nchw or nhwc, not '${values.layout}'`);
    const range = values.range === undefined ? undefined : RANGES[values.range.replace(/\s/g, '')];
    if (values.range !== undefined && !range) throw new UsageError(`--range must be -1,1 or 0,1 or 0,255, not '${values.range}'`);
    if (values.channels !== undefined && values.channels !== 'rgb' && values.channels !== 'bgr') throw new UsageError(`--channels must be rgb or bgr, not '${values.channels}'`);
    const int = (flag: string, v: string | undefined, min: number): number | undefined => {
      if (v === undefined) return undefined;
      const n = Number(v);
      if (!Number.isInteger(n) || n < min) throw new UsageError(`${flag} must be a whole number ≥ ${min}, not '${v}'`);
      return n;
    };
    const pkg = await importModel({
      source,
      out: values.out,
      license: values.licence ?? values.license ?? '',
      force: values.force,
      ...(layout && { layout: layout as ImageLayout }),
      ...(range && { range }),
      ...(values.channels && { channels: values.channels as 'rgb' | 'bgr' }),
      ...(values.multiple !== undefined && { multiple: int('--multiple', values.multiple, 1) }),
      ...(values['min-side'] !== undefined && { minSide: int('--min-side', values['min-side'], 0) }),
      ...(values.description !== undefined && { description: values.description }),
      check: checkRuns,
      signal,
    });
    const { meta } = pkg;
    const summary = { dir: pkg.dir, architecture: meta.architecture, parameters: meta.parameters, gmac256: meta.gmac256, source: meta.source, license: meta.license, tiling: meta.tiling };
    if (values.json) process.stdout.write(JSON.stringify(summary) + '\n');
    else {
      const c = meta.source?.conventions ?? {};
      const facts = Object.entries(c).filter(([k]) => k !== 'inputName' && k !== 'outputName').map(([k, v]) => `${k} ${JSON.stringify(v)}`).join(', ');
      process.stdout.write(`imported ${meta.source?.kind ?? ''} ${meta.source?.file ?? source} as ${meta.architecture} (${(meta.parameters / 1e6).toFixed(2)}M params, ${meta.gmac256} GMAC at 256²) to ${pkg.dir}\n  ${facts}\n  licence: ${meta.license}\n`);
    }
    process.stderr.write(`note: ${LICENCE_REMINDER}\n`);
    return 0;
  },
};
