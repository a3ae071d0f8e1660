/**
 * Measures the clipping range of every tensor the plan quantises by running the fp32 model (ONNX
 * Runtime, the same graph that is then rewritten) on real frames with those tensors as extra
 * outputs, one frame at a time (frames may differ in size).
 */
import { ort } from '../../engine/onnx-runtime.js';
import { throwIfAborted } from '../../errors.js';
import type { Frame } from '../../frame.js';
import { ONNX_INPUT_NAME } from '../onnx-export.js';
import { ActivationHistogram } from './activation-histogram.js';
import { uint8Params, withIntermediateOutputs, type ActivationParams, type QuantizationPlan } from './qdq-graph.js';

export interface CalibrateOptions {
  /** Percentile rule: each end of the range leaves out (100 - p)% of the values. Default: 99.99. */
  percentile?: number;
  /** Intra-op threads of the calibration session (0 = ORT's default). Default: 0. */
  threads?: number;
  /** Called after each frame with (done, total). Default: none. */
  onFrame?: (done: number, total: number) => void;
  /** Stops between frames. Default: none. */
  signal?: AbortSignal;
}

export interface CalibrationResult {
  /** Group name → uint8 parameters. */
  params: Map<string, ActivationParams>;
  /** Group name → clipping range [lo, hi] and the observed [min, max]. */
  ranges: Map<string, { range: [number, number]; extremes: [number, number] }>;
}

export async function calibrateActivations(onnx: Uint8Array, plan: QuantizationPlan, frames: Frame[], options: CalibrateOptions = {}): Promise<CalibrationResult> {
  const percentile = options.percentile ?? 99.99;
  const histograms = new Map(plan.tensors.map((t) => [t, new ActivationHistogram()]));
  const session = await ort.InferenceSession.create(withIntermediateOutputs(onnx, plan.tensors), {
    executionProviders: ['cpu'],
    intraOpNumThreads: options.threads ?? 0,
    interOpNumThreads: 1,
    // Basic only: the extra outputs must stay the tensors they name (no layout changes, no fusions that remove them).
    graphOptimizationLevel: 'basic',
    enableMemPattern: false,
    extra: { session: { intra_op: { allow_spinning: '0' } } },
  });
  try {
    for (const [i, frame] of frames.entries()) {
      throwIfAborted(options.signal);
      const input = new ort.Tensor('uint8', frame.data, [1, frame.height, frame.width, 3]);
      const result = await session.run({ [ONNX_INPUT_NAME]: input }, plan.tensors);
      for (const t of plan.tensors) {
        const out = result[t];
        if (!out) throw new Error(`calibration: the model did not return tensor ${t}`);
        histograms.get(t)!.addValues(out.data as Float32Array);
        out.dispose();
      }
      options.onFrame?.(i + 1, frames.length);
    }
  } finally {
    await session.release();
  }
  // A group's range covers every member's (data-movement ops share one scale).
  const ranges = new Map<string, { range: [number, number]; extremes: [number, number] }>();
  for (const t of plan.tensors) {
    const g = plan.group.get(t) ?? t;
    const h = histograms.get(t)!;
    const r = h.percentileRange(percentile);
    const e = h.extremes;
    const prev = ranges.get(g);
    ranges.set(g, prev ? { range: [Math.min(prev.range[0], r[0]), Math.max(prev.range[1], r[1])], extremes: [Math.min(prev.extremes[0], e[0]), Math.max(prev.extremes[1], e[1])] } : { range: r, extremes: e });
  }
  const params = new Map([...ranges].map(([g, r]) => [g, uint8Params(r.range[0], r.range[1])]));
  return { params, ranges };
}
