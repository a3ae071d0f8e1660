/**
 * Builds small TensorFlow.js graph models (model.json topology + one weight shard) node by node, in
 * the JSON tfjs-converter writes (NodeDef attrs: base64 strings, int lists as strings), so the tfjs
 * import can be checked against tfjs-converter's own loadGraphModel.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { mulberry32 } from '../../../src/seeded-random.js';

type Attr = Record<string, unknown>;
export interface TfNodeJson { name: string; op: string; input?: string[]; attr?: Attr }
export interface WeightJson { name: string; shape: number[]; dtype: 'float32' | 'int32' }

const b64 = (s: string): string => Buffer.from(s).toString('base64');
export const attr = {
  s: (v: string) => ({ s: b64(v) }),
  ints: (v: number[]) => ({ list: { i: v.map(String) } }),
  strs: (v: string[]) => ({ list: { s: v.map(b64) } }),
  i: (v: number) => ({ i: String(v) }),
  f: (v: number) => ({ f: v }),
  b: (v: boolean) => ({ b: v }),
  float: { type: 'DT_FLOAT' },
  int: { type: 'DT_INT32' },
};

export class GraphModelBuilder {
  readonly nodes: TfNodeJson[] = [];
  readonly weights: WeightJson[] = [];
  private readonly data: number[][] = [];
  private readonly rand: () => number;

  constructor(seed = 9) {
    this.rand = mulberry32(seed);
  }

  node(name: string, op: string, input: string[] = [], a: Attr = {}): string {
    this.nodes.push({ name, op, input, attr: { T: attr.float, ...a } });
    return name;
  }

  const(name: string, shape: number[], values: number[], dtype: 'float32' | 'int32' = 'float32'): string {
    this.nodes.push({ name, op: 'Const', attr: { dtype: dtype === 'int32' ? attr.int : attr.float, value: { tensor: { dtype: dtype === 'int32' ? 'DT_INT32' : 'DT_FLOAT', tensorShape: { dim: shape.map((d) => ({ size: String(d) })) } } } } });
    this.weights.push({ name, shape, dtype });
    this.data.push(values);
    return name;
  }

  /** A random float constant (He-normal-ish with `gain`). */
  random(name: string, shape: number[], fanIn: number, gain = 1): string {
    const n = shape.reduce((a, b) => a * b, 1);
    const normal = (): number => Math.sqrt(-2 * Math.log(1 - this.rand())) * Math.cos(2 * Math.PI * this.rand());
    return this.const(name, shape, Array.from({ length: n }, () => normal() * Math.sqrt(2 / fanIn) * gain));
  }

  /** The shard's bytes (little-endian, in weight order). */
  shard(): Uint8Array {
    const total = this.data.reduce((n, d) => n + d.length * 4, 0);
    const out = new Uint8Array(total);
    const view = new DataView(out.buffer);
    let offset = 0;
    this.weights.forEach((w, i) => {
      for (const v of this.data[i]!) {
        if (w.dtype === 'int32') view.setInt32(offset, v, true);
        else view.setFloat32(offset, v, true);
        offset += 4;
      }
    });
    return out;
  }

  /** What tf.io.fromMemory and model.json both hold. */
  artifacts() {
    return { modelTopology: { node: this.nodes, versions: { producer: 1 }, library: {} }, weightSpecs: this.weights, weightData: this.shard().buffer as ArrayBuffer, format: 'graph-model' };
  }

  /** Writes `dir/model.json` and `dir/group1-shard1of1.bin`; returns the model.json path. */
  async write(dir: string): Promise<string> {
    await mkdir(dir, { recursive: true });
    const json = { format: 'graph-model', generatedBy: '2.15.0', convertedBy: 'TensorFlow.js Converter v4.22.0', modelTopology: { node: this.nodes, library: {}, versions: { producer: 1 } }, weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: this.weights }] };
    await writeFile(path.join(dir, 'group1-shard1of1.bin'), this.shard());
    await writeFile(path.join(dir, 'model.json'), JSON.stringify(json));
    return path.join(dir, 'model.json');
  }
}

/**
 * A network in the style of AnimeGANv2's generator, with every op of the import's list: reflect
 * padding, a VALID 7×7 conv, a layer norm out of Mean/SquaredDifference/Rsqrt, LeakyReLU, a fused
 * strided conv, a depthwise conv, Relu6, a transposed conv whose output shape is computed with
 * Shape/StridedSlice/Mul/Pack, bilinear and nearest resizes to a computed size, a concat, and the
 * Sigmoid/RealDiv/Sub/Tanh head. H and W must be even.
 */
export function animeganLikeGraph(seed = 9): GraphModelBuilder {
  const m = new GraphModelBuilder(seed);
  const conv = (name: string, x: string, w: string, strides: number[], padding: string) => m.node(name, 'Conv2D', [x, w], { strides: attr.ints(strides), padding: attr.s(padding), data_format: attr.s('NHWC'), dilations: attr.ints([1, 1, 1, 1]) });
  m.node('input', 'Placeholder', [], { dtype: attr.float, shape: { shape: { dim: [{ size: '-1' }, { size: '-1' }, { size: '-1' }, { size: '3' }] } } });
  const padded = m.node('pad', 'MirrorPad', ['input', m.const('pad/paddings', [4, 2], [0, 0, 3, 3, 3, 3, 0, 0], 'int32')], { mode: attr.s('REFLECT'), Tpaddings: attr.int });
  const c1 = m.node('c1/bias', 'BiasAdd', [conv('c1', padded, m.random('c1/w', [7, 7, 3, 8], 147), [1, 1, 1, 1], 'VALID'), m.random('c1/b', [8], 8, 0.1)], { data_format: attr.s('NHWC') });
  const axes = m.const('ln/axes', [2], [1, 2], 'int32');
  const mean = m.node('ln/mean', 'Mean', [c1, axes], { keep_dims: attr.b(true), Tidx: attr.int });
  const variance = m.node('ln/var', 'Mean', [m.node('ln/sqdiff', 'SquaredDifference', [c1, mean]), axes], { keep_dims: attr.b(true), Tidx: attr.int });
  const inv = m.node('ln/rsqrt', 'Rsqrt', [m.node('ln/add_eps', 'AddV2', [variance, m.const('ln/eps', [], [1e-5])])]);
  const normed = m.node('ln/normed', 'Mul', [m.node('ln/centred', 'Sub', [c1, mean]), inv]);
  const ln = m.node('ln/out', 'AddV2', [m.node('ln/scaled', 'Mul', [normed, m.const('ln/gamma', [8], [1, 1.2, 0.8, 1.1, 0.9, 1, 1.3, 0.7])]), m.const('ln/beta', [8], [0, 0.1, -0.1, 0.2, 0, -0.2, 0.1, 0])]);
  const a1 = m.node('a1', 'LeakyRelu', [ln], { alpha: attr.f(0.2) });
  const d = m.node('down', '_FusedConv2D', [a1, m.random('down/w', [3, 3, 8, 8], 72), m.random('down/b', [8], 8, 0.1)], {
    strides: attr.ints([1, 2, 2, 1]), padding: attr.s('SAME'), data_format: attr.s('NHWC'), dilations: attr.ints([1, 1, 1, 1]), fused_ops: attr.strs(['BiasAdd', 'Relu']), num_args: attr.i(1), epsilon: attr.f(0),
  });
  const dw = m.node('dw', 'DepthwiseConv2dNative', [d, m.random('dw/w', [3, 3, 8, 1], 9)], { strides: attr.ints([1, 1, 1, 1]), padding: attr.s('SAME'), data_format: attr.s('NHWC'), dilations: attr.ints([1, 1, 1, 1]) });
  const r6 = m.node('r6', 'Relu6', [dw]);
  // The transposed conv's output shape, computed from the input's: [n, 2h, 2w, 8].
  const slice = (name: string, x: string, i: number) => m.node(name, 'StridedSlice', [x, m.const(`${name}/b`, [1], [i], 'int32'), m.const(`${name}/e`, [1], [i + 1], 'int32'), m.const(`${name}/s`, [1], [1], 'int32')], { T: attr.int, Index: attr.int, shrink_axis_mask: attr.i(1), begin_mask: attr.i(0), end_mask: attr.i(0), ellipsis_mask: attr.i(0), new_axis_mask: attr.i(0) });
  const shape = m.node('up/shape', 'Shape', [r6], { out_type: attr.int });
  const two = m.const('up/two', [], [2], 'int32');
  const outShape = m.node('up/out_shape', 'Pack', [slice('up/n', shape, 0), m.node('up/h2', 'Mul', [slice('up/height', shape, 1), two], { T: attr.int }), m.node('up/w2', 'Mul', [slice('up/width', shape, 2), two], { T: attr.int }), m.const('up/c', [], [8], 'int32')], { T: attr.int, axis: attr.i(0), N: attr.i(4) });
  const up = m.node('up', 'Conv2DBackpropInput', [outShape, m.random('up/w', [3, 3, 8, 8], 72), r6], { strides: attr.ints([1, 2, 2, 1]), padding: attr.s('SAME'), data_format: attr.s('NHWC'), dilations: attr.ints([1, 1, 1, 1]) });
  // Resizes of the half-size features up to a1's size, read from its shape.
  const size = m.node('size', 'StridedSlice', [m.node('size/shape', 'Shape', [a1], { out_type: attr.int }), m.const('size/b', [1], [1], 'int32'), m.const('size/e', [1], [3], 'int32'), m.const('size/s', [1], [1], 'int32')], { T: attr.int, Index: attr.int, shrink_axis_mask: attr.i(0), begin_mask: attr.i(0), end_mask: attr.i(0), ellipsis_mask: attr.i(0), new_axis_mask: attr.i(0) });
  const bil = m.node('bilinear', 'ResizeBilinear', [d, size], { align_corners: attr.b(false), half_pixel_centers: attr.b(true) });
  const near = m.node('nearest', 'ResizeNearestNeighbor', [r6, size], { align_corners: attr.b(false), half_pixel_centers: attr.b(true) });
  const cat = m.node('cat', 'ConcatV2', [up, bil, near, a1, m.const('cat/axis', [], [3], 'int32')], { N: attr.i(4), Tidx: attr.int });
  const mix = m.node('mix/bias', 'BiasAdd', [conv('mix', cat, m.random('mix/w', [1, 1, 32, 8], 32), [1, 1, 1, 1], 'SAME'), m.random('mix/b', [8], 8, 0.1)], { data_format: attr.s('NHWC') });
  const gate = m.node('gate', 'Sub', [m.node('half', 'RealDiv', [m.node('sig', 'Sigmoid', [mix]), m.const('two_f', [], [0.5])]), m.const('one_f', [], [1])]);
  const head = m.node('head/bias', 'BiasAdd', [conv('head', m.node('relu', 'Relu', [gate]), m.random('head/w', [3, 3, 8, 3], 72, 0.8), [1, 1, 1, 1], 'SAME'), m.random('head/b', [3], 3, 0.1)], { data_format: attr.s('NHWC') });
  m.node('output', 'Tanh', [head]);
  return m;
}
