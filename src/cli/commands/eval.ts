import { parseArgs } from 'node:util';
import { evaluateModel, formatEvaluationTable } from '../../eval/evaluate-model.js';
import { UsageError } from '../../errors.js';
import type { CommandModule } from '../command-module.js';

const help = `Usage: japananime eval [--model M] [--anime <dir>] [options] <image|folder|video>...

Measures a model's output as a viewer would see it, on held-out photos and videos, beside the inputs
themselves and a blur of them: how much the picture changed, content kept (edge correlation at half
size), outlines (strongest edges, and dark lines along the input's object borders), flat colour
(colours covering 90% of the pixels, texture left in flat regions), flicker on video and, with
--anime, the style distance (KID on MobileNetV2 features) to a set of anime images.

Options:
  --model M          model package folder or name under models/ (default: models/default)
  --anime PATH       anime images, a folder of them, or an anime video (frames evenly spread);
                     repeatable; the style the outputs are compared with (KID). Whole frames at the
                     inputs' scale compare best, e.g. the training film (default: none)
  --anime-max N      anime pictures used at most, evenly spread (default: 64)
  --engine E         onnx | tfjs (default: onnx)
  --max-side N       scale inputs so the longest side is at most N (default: 384)
  --video-frames N   consecutive frames measured per video (default: 48)
  --json             print the result as one JSON object
`;

export const command: CommandModule = {
  summary: 'measure style strength, content and flicker of a model on photos and video',
  help,
  async run(argv, signal) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        model: { type: 'string' },
        anime: { type: 'string', multiple: true },
        'anime-max': { type: 'string' },
        engine: { type: 'string' },
        'max-side': { type: 'string' },
        'video-frames': { type: 'string' },
        json: { type: 'boolean', default: false },
      },
    });
    if (values.engine !== undefined && values.engine !== 'onnx' && values.engine !== 'tfjs') throw new UsageError(`--engine must be onnx or tfjs, not '${values.engine}'`);
    const int = (name: string, text: string | undefined): number | undefined => {
      if (text === undefined) return undefined;
      const n = Number(text);
      if (!Number.isInteger(n) || n < 16) throw new UsageError(`--${name} must be an integer ≥ 16, not '${text}'`);
      return n;
    };
    const maxSide = int('max-side', values['max-side']);
    const maxAnime = values['anime-max'] === undefined ? undefined : Number(values['anime-max']);
    if (maxAnime !== undefined && (!Number.isInteger(maxAnime) || maxAnime < 4)) throw new UsageError('--anime-max must be an integer ≥ 4');
    const videoFrames = values['video-frames'] === undefined ? undefined : Number(values['video-frames']);
    if (videoFrames !== undefined && (!Number.isInteger(videoFrames) || videoFrames < 2)) throw new UsageError('--video-frames must be an integer ≥ 2');
    const result = await evaluateModel({
      inputs: positionals,
      model: values.model,
      anime: values.anime,
      maxAnime,
      engine: values.engine as 'onnx' | 'tfjs' | undefined,
      maxSide,
      maxVideoFrames: videoFrames,
      signal,
      onItem: values.json ? undefined : (label) => process.stderr.write(`measured ${label}\n`),
    });
    process.stdout.write((values.json ? JSON.stringify(result) : formatEvaluationTable(result)) + '\n');
    return 0;
  },
};
