import { parseArgs } from 'node:util';
import { evaluateModel, formatEvaluationTable } from '../../eval/evaluate-model.js';
import { UsageError } from '../../errors.js';
import type { CommandModule } from '../command-module.js';

const help = `Usage: japananime eval [--model M] [options] <image|folder|video>...

Measures how anime-like a model's output is on held-out photos and videos, next to a blur of the
same inputs as a reference: flatter regions (texture below 1), crisp edges (edges near or above 1),
fewer colours, content kept (edge correlation) and, on video, flicker.

Options:
  --model M          model package folder or name under models/ (default: models/default)
  --engine E         onnx | tfjs (default: onnx)
  --max-side N       scale inputs so the longest side is at most N (default: 512)
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
    const videoFrames = values['video-frames'] === undefined ? undefined : Number(values['video-frames']);
    if (videoFrames !== undefined && (!Number.isInteger(videoFrames) || videoFrames < 2)) throw new UsageError('--video-frames must be an integer ≥ 2');
    const result = await evaluateModel({
      inputs: positionals,
      model: values.model,
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
