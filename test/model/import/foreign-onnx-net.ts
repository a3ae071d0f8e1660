/**
 * Small random conv nets in the conventions community anime models use (NCHW or NHWC, [-1,1],
 * [0,1] or [0,255], fixed size, fixed batch 1, a stride that needs a multiple), written with the
 * project's ONNX writer. They play the part of AnimeGAN/White-box exports the registry cannot
 * give us: a foreign input/output name, down- and up-sampling with a skip that only lines up on
 * multiples of 2^downsamples, an instance norm, and an output activation for the range.
 */
import onnxProto from 'onnx-proto';
import { OnnxGraphBuilder, OnnxType } from '../../../src/model/onnx-graph.js';
import { mulberry32 } from '../../../src/seeded-random.js';

const { onnx } = onnxProto;

export interface ForeignNetOptions {
  /** Default: 'NCHW'. */
  layout?: 'NCHW' | 'NHWC';
  /** The model's value range; picks the output activation. Default: [-1, 1] (tanh). */
  range?: [number, number];
  /** Stride-2 downsamples; H and W must be multiples of 2^n. Default: 1. */
  downsamples?: number;
  /** A fixed [H, W] input. Default: dynamic. */
  fixedSize?: [number, number];
  /** Batch fixed at 1. Default: dynamic. */
  fixedBatch?: boolean;
  /** Channels of the input (3 for an image model; 1 or 4 to test the refusal). Default: 3. */
  inChannels?: number;
  /** Append a global pool and a dense layer: a classifier. Default: false. */
  classifier?: boolean;
  /** Include the instance norm. Default: true. */
  norm?: boolean;
  /** Default: 11 (AnimeGANv2's common exports). */
  opset?: number;
  seed?: number;
}

export const FOREIGN_INPUT = 'input_1:0';
export const FOREIGN_OUTPUT = 'generator/out:0';

export function foreignNet(options: ForeignNetOptions = {}): Uint8Array {
  const layout = options.layout ?? 'NCHW';
  const [lo, hi] = options.range ?? [-1, 1];
  const down = options.downsamples ?? 1;
  const cin = options.inChannels ?? 3;
  const rand = mulberry32(options.seed ?? 7);
  const normal = (): number => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const g = new OnnxGraphBuilder();
  const weights = (name: string, dims: number[], fanIn: number): string => {
    const n = dims.reduce((a, b) => a * b, 1);
    return g.floatInit(name, dims, Float32Array.from({ length: n }, () => normal() * Math.sqrt(2 / fanIn)));
  };
  const bias = (name: string, n: number): string => g.floatInit(name, [n], Float32Array.from({ length: n }, () => normal() * 0.1));
  const conv = (x: string, name: string, ci: number, co: number, k: number, stride = 1): string =>
    g.node('Conv', [x, weights(`${name}/w`, [co, ci, k, k], ci * k * k), bias(`${name}/b`, co)], { kernel_shape: [k, k], strides: [stride, stride], pads: Array<number>(4).fill((k - 1) >> 1) });

  let x = layout === 'NHWC' ? g.node('Transpose', [FOREIGN_INPUT], { perm: [0, 3, 1, 2] }) : FOREIGN_INPUT;
  // The input's scale matters: a model trained on [0,255] sees large values.
  x = g.node('Mul', [x, g.floatScalar('in_gain', 2 / (hi - lo))]);
  const f = g.node('LeakyRelu', [conv(x, 'c0', cin, 8, 3)], { alpha: { float: 0.2 } });
  let y = f;
  for (let i = 0; i < down; i++) y = g.node('Relu', [conv(y, `down${i}`, 8, 8, 3, 2)]);
  for (let i = 0; i < down; i++) {
    y = g.node('ConvTranspose', [y, weights(`up${i}/w`, [8, 8, 4, 4], 8 * 4), bias(`up${i}/b`, 8)], { kernel_shape: [4, 4], strides: [2, 2], pads: [1, 1, 1, 1] });
    y = g.node('Relu', [y]);
  }
  // The skip only adds when the sizes line up: H and W multiples of 2^down.
  y = g.node('Add', [y, f]);
  if (options.norm !== false) y = g.node('InstanceNormalization', [y, g.floatInit('norm/scale', [8], Float32Array.from({ length: 8 }, () => 1 + 0.2 * normal())), bias('norm/bias', 8)], { epsilon: { float: 1e-5 } });
  y = g.node('LeakyRelu', [y], { alpha: { float: 0.2 } });
  let out: string;
  if (options.classifier) {
    const pooled = g.node('GlobalAveragePool', [y]);
    const flat = g.node('Flatten', [pooled], { axis: 1 });
    out = g.node('Gemm', [flat, weights('fc/w', [8, 10], 8), bias('fc/b', 10)], {}, FOREIGN_OUTPUT);
  } else {
    y = conv(y, 'c_out', 8, 3, 3);
    // tanh for [-1,1], sigmoid for [0,1], sigmoid·255 for [0,255]: outputs spread over the range.
    if (lo === -1) y = g.node('Tanh', [y]);
    else y = g.node('Mul', [g.node('Sigmoid', [y]), g.floatScalar('out_gain', hi)]);
    out = layout === 'NHWC' ? g.node('Transpose', [y], { perm: [0, 2, 3, 1] }, FOREIGN_OUTPUT) : g.node('Identity', [y], {}, FOREIGN_OUTPUT);
  }
  const [fh, fw] = options.fixedSize ?? ['H', 'W'];
  const n = options.fixedBatch ? 1 : 'N';
  const dim = (d: number | string) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d });
  const shape = (c: number | string, h: number | string, w: number | string) => (layout === 'NCHW' ? [n, c, h, w] : [n, h, w, c]).map(dim);
  const model = onnx.ModelProto.create({
    irVersion: 7,
    opsetImport: [{ domain: '', version: options.opset ?? 11 }],
    producerName: 'test foreign net',
    graph: {
      name: 'foreign',
      node: g.nodes,
      initializer: g.initializers,
      input: [{ name: FOREIGN_INPUT, type: { tensorType: { elemType: OnnxType.FLOAT, shape: { dim: shape(cin, fh, fw) } } } }],
      output: [{
        name: out,
        type: { tensorType: { elemType: OnnxType.FLOAT, shape: { dim: options.classifier ? [dim(n), dim(10)] : shape(3, options.fixedSize ? fh : 'H2', options.fixedSize ? fw : 'W2') } } },
      }],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}
