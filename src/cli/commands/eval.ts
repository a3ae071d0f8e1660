import { evaluateModel, formatEvaluationTable, type EvaluateOptions } from '../../eval/evaluate-model.js';
import { UsageError } from '../../errors.js';
import { parseCommandArgs, wholeNumberFlag } from '../command-flags.js';
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

/** What `eval` passes to evaluateModel, from its flags. */
export type EvalArgs = Pick<EvaluateOptions, 'inputs' | 'model' | 'anime' | 'maxAnime' | 'engine' | 'maxSide' | 'maxVideoFrames'> & { json: boolean };

/** Pure: argv → evaluateModel's options. Throws UsageError for bad flags. */
export function parseEvalArgs(argv: string[]): EvalArgs {
  const { values, positionals } = parseCommandArgs(argv, {
    model: { type: 'string' },
    anime: { type: 'string', multiple: true },
    'anime-max': { type: 'string' },
    engine: { type: 'string' },
    'max-side': { type: 'string' },
    'video-frames': { type: 'string' },
  });
  const engine = values.engine;
  if (engine !== undefined && engine !== 'onnx' && engine !== 'tfjs') throw new UsageError(`--engine must be onnx or tfjs, got '${engine}'`);
  return {
    inputs: positionals,
    model: values.model,
    anime: values.anime,
    maxAnime: wholeNumberFlag('anime-max', values['anime-max'], 4),
    engine,
    maxSide: wholeNumberFlag('max-side', values['max-side'], 16),
    maxVideoFrames: wholeNumberFlag('video-frames', values['video-frames'], 2),
    json: values.json,
  };
}

export const command: CommandModule = {
  summary: 'measure style strength, content and flicker of a model on photos and video',
  help,
  async run(argv, signal) {
    const { json, ...options } = parseEvalArgs(argv);
    const result = await evaluateModel({
      ...options,
      signal,
      onItem: json ? undefined : (label) => process.stderr.write(`measured ${label}\n`),
    });
    process.stdout.write((json ? JSON.stringify(result) : formatEvaluationTable(result)) + '\n');
    return 0;
  },
};
