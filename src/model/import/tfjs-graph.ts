/**
 * A TensorFlow.js graph model (model.json + weight shards, as tfjs-converter writes them) of a
 * convolutional image-to-image network, translated to an ONNX model with float NHWC input and
 * output (the tensorflow layout), which onnx-wrapper.ts then wraps like any foreign ONNX model.
 *
 * Activations stay NHWC as in TensorFlow; each convolution is Transpose → Conv → Transpose, pairs
 * that ONNX Runtime's optimiser cancels. Constants are read at translation time: the axes, paddings
 * and strides become attributes; Shape, StridedSlice and Pack (the arithmetic that computes a resize
 * or transposed conv's output size from the input's) become their int64 ONNX counterparts, and a
 * transposed conv ignores its computed output shape (it is always in × stride for 'SAME'). Any op
 * not in the table is a one-line error naming the op and the node.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import onnxProto from 'onnx-proto';
import { InputError } from '../../errors.js';
import { kernelToOnnx } from '../onnx-export.js';
import { OnnxGraphBuilder, OnnxType } from '../onnx-graph.js';

const { onnx } = onnxProto;

/** The operator set of the translation (ReduceMean still takes axes as an attribute; Squeeze and Unsqueeze take inputs). */
const OPSET = 17;

interface TfAttr {
  s?: string;
  i?: string | number;
  f?: number;
  b?: boolean;
  type?: string;
  list?: { i?: Array<string | number>; f?: number[]; s?: string[] };
  shape?: { dim?: Array<{ size?: string | number }>; unknownRank?: boolean };
}
interface TfNode {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, TfAttr>;
}
interface WeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string; scale?: number; min?: number };
}
interface ModelJson {
  format?: string;
  modelTopology?: { node?: TfNode[] };
  weightsManifest?: Array<{ paths: string[]; weights: WeightSpec[] }>;
}

/** A value known at translation time. */
interface ConstValue {
  shape: number[];
  dtype: 'float32' | 'int32';
  values: number[];
}

const str = (a: TfAttr | undefined): string | undefined => (a?.s === undefined ? undefined : Buffer.from(a.s, 'base64').toString('utf8'));
const ints = (a: TfAttr | undefined): number[] => (a?.list?.i ?? []).map(Number);

/** Reads the weights of the manifest into constants (float32, int32, and uint8/uint16-quantised floats). */
async function readWeights(dir: string, json: ModelJson, file: string): Promise<Map<string, ConstValue>> {
  const out = new Map<string, ConstValue>();
  for (const group of json.weightsManifest ?? []) {
    const buffers = await Promise.all(group.paths.map(async (p) => {
      try {
        return await readFile(path.join(dir, p));
      } catch (err) {
        throw new InputError('E_INPUT_MISSING', `${file}: weight shard ${p} is missing`, err);
      }
    }));
    const data = Buffer.concat(buffers);
    let offset = 0;
    for (const w of group.weights) {
      const n = w.shape.reduce((a, b) => a * b, 1);
      const q = w.quantization;
      const stored = q?.dtype ?? w.dtype;
      const bytes = stored === 'uint8' ? 1 : stored === 'uint16' || stored === 'float16' ? 2 : 4;
      if (offset + n * bytes > data.length) throw new InputError('E_INPUT_INVALID', `${file}: the weight shards end before weight ${w.name}`);
      const view = new DataView(data.buffer, data.byteOffset + offset, n * bytes);
      let values: number[];
      if (q && (stored === 'uint8' || stored === 'uint16') && q.scale !== undefined) {
        values = Array.from({ length: n }, (_, i) => (stored === 'uint8' ? view.getUint8(i) : view.getUint16(i * 2, true)) * q.scale! + (q.min ?? 0));
      } else if (stored === 'float32') values = Array.from({ length: n }, (_, i) => view.getFloat32(i * 4, true));
      else if (stored === 'int32') values = Array.from({ length: n }, (_, i) => view.getInt32(i * 4, true));
      else throw new InputError('E_INPUT_INVALID', `${file}: weight ${w.name} is ${stored}, not supported (float32, int32, uint8/uint16-quantised)`);
      out.set(w.name, { shape: w.shape, dtype: w.dtype === 'int32' ? 'int32' : 'float32', values });
      offset += n * bytes;
    }
  }
  return out;
}

/** Translates model.json (its shards beside it) to ONNX bytes; InputError (one line) for anything it cannot. */
export async function tfjsGraphToOnnx(file: string): Promise<Uint8Array> {
  const name = path.basename(file);
  let json: ModelJson;
  try {
    json = JSON.parse(await readFile(file, 'utf8')) as ModelJson;
  } catch (err) {
    throw new InputError('E_INPUT_INVALID', `${name} is not a model file (not ONNX, HDF5 or a tfjs model.json: ${(err as Error).message})`, err);
  }
  const nodes = json.modelTopology?.node;
  if (!Array.isArray(nodes) || nodes.length === 0) {
    throw new InputError('E_INPUT_INVALID', `${name} is not a TensorFlow.js graph model (no modelTopology.node; a layers model has to be converted as a graph model)`);
  }
  const consts = await readWeights(path.dirname(file), json, name);
  return translate(nodes, consts, name);
}

function translate(nodes: TfNode[], consts: Map<string, ConstValue>, file: string): Uint8Array {
  const g = new OnnxGraphBuilder();
  /** ONNX value of each TF output ("node" or "node:i"). */
  const values = new Map<string, string>();
  const fail = (node: TfNode, why: string): never => {
    throw new InputError('E_INPUT_INVALID', `${file}: node '${node.name}' (${node.op}): ${why}`);
  };
  const ref = (input: string): string => {
    const clean = input.replace(/^\^/, '');
    return clean.endsWith(':0') ? clean.slice(0, -2) : clean;
  };
  const constOf = (input: string): ConstValue | undefined => consts.get(ref(input));
  const needConst = (node: TfNode, input: string | undefined, what: string): ConstValue => {
    const c = input === undefined ? undefined : constOf(input);
    return c ?? fail(node, `its ${what} must be a constant`);
  };
  /** The ONNX value of a TF input: a translated node, or a constant as an initializer (float, or int64 for shape arithmetic). */
  const valueOf = (node: TfNode, input: string): string => {
    const r = ref(input);
    const v = values.get(r);
    if (v) return v;
    const c = consts.get(r);
    if (!c) return fail(node, `input '${input}' comes from no translated node`);
    const init = c.dtype === 'int32' ? g.int64Init(g.fresh('const'), c.shape, c.values) : g.floatInit(g.fresh('const'), c.shape, c.values);
    values.set(r, init);
    return init;
  };
  const i64 = (vals: number[]): string => g.int64Init(g.fresh('i64'), [vals.length], vals);
  const toNchw = (x: string): string => g.node('Transpose', [x], { perm: [0, 3, 1, 2] });
  const toNhwc = (x: string): string => g.node('Transpose', [x], { perm: [0, 2, 3, 1] });
  const padding = (node: TfNode): Record<string, string> => {
    const p = str(node.attr?.['padding']);
    if (p === 'SAME') return { auto_pad: 'SAME_UPPER' };
    if (p === 'VALID') return { auto_pad: 'VALID' };
    return fail(node, `padding ${String(p)} is not supported (SAME or VALID)`);
  };
  const checkNhwc = (node: TfNode): void => {
    const f = str(node.attr?.['data_format']);
    if (f !== undefined && f !== 'NHWC') fail(node, `data_format ${f} is not supported (NHWC)`);
  };
  const spatial = (node: TfNode, attr: string): [number, number] => {
    const v = ints(node.attr?.[attr]);
    return v.length === 4 ? [v[1]!, v[2]!] : [1, 1];
  };
  /** Conv over NHWC x with a TF kernel [kh,kw,cin,cout] (or depthwise [kh,kw,cin,mult]). */
  const conv = (node: TfNode, x: string, kernelInput: string | undefined, depthwise: boolean, bias?: string): string => {
    checkNhwc(node);
    const k = needConst(node, kernelInput, 'filter');
    const [kh, kw, cin, cout] = k.shape as [number, number, number, number];
    let w: { dims: number[]; data: Float32Array };
    if (depthwise) {
      // [kh,kw,cin,mult] → [cin·mult, 1, kh, kw], one group per input channel.
      const data = new Float32Array(k.values.length);
      for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) for (let c = 0; c < cin; c++) for (let m = 0; m < cout; m++) data[((c * cout + m) * kh + i) * kw + j] = k.values[((i * kw + j) * cin + c) * cout + m]!;
      w = { dims: [cin * cout, 1, kh, kw], data };
    } else w = kernelToOnnx(Float32Array.from(k.values), k.shape);
    const inputs = [toNchw(x), g.floatInit(g.fresh(`${node.name}/w`), w.dims, w.data)];
    if (bias) inputs.push(bias);
    const y = g.node('Conv', inputs, { kernel_shape: [kh, kw], strides: spatial(node, 'strides'), dilations: spatial(node, 'dilations'), ...(depthwise && { group: cin }), ...padding(node) });
    return toNhwc(y);
  };
  const fused = (node: TfNode, y: string): string => {
    const ops = (node.attr?.['fused_ops']?.list?.s ?? []).map((s) => Buffer.from(s, 'base64').toString('utf8'));
    for (const op of ops.slice(1)) {
      if (op === 'Relu') y = g.node('Relu', [y]);
      else if (op === 'Relu6') y = g.node('Clip', [y, g.floatScalar('zero', 0), g.floatScalar('six', 6)]);
      else if (op === 'LeakyRelu') y = g.node('LeakyRelu', [y], { alpha: { float: node.attr?.['leakyrelu_alpha']?.f ?? 0.2 } });
      else if (op === 'Sigmoid') y = g.node('Sigmoid', [y]);
      else if (op === 'Tanh') y = g.node('Tanh', [y]);
      else fail(node, `fused op ${op} is not supported`);
    }
    if (ops[0] !== 'BiasAdd') fail(node, `fused ops ${ops.join('+')} are not supported (BiasAdd first)`);
    return y;
  };
  const binary: Record<string, string> = { Mul: 'Mul', Add: 'Add', AddV2: 'Add', Sub: 'Sub', RealDiv: 'Div', Maximum: 'Max', Minimum: 'Min', BiasAdd: 'Add' };
  const unary: Record<string, string> = { Relu: 'Relu', Tanh: 'Tanh', Sigmoid: 'Sigmoid', Identity: 'Identity', Sqrt: 'Sqrt', Exp: 'Exp', Abs: 'Abs', Neg: 'Neg', Elu: 'Elu', Square: '' };

  let input: { name: string; dims: Array<number | string> } | undefined;
  for (const node of nodes) {
    const ins = (node.input ?? []).filter((i) => !i.startsWith('^'));
    const out = (v: string): void => {
      values.set(node.name, v);
    };
    switch (node.op) {
      case 'Placeholder': {
        if (input) fail(node, 'a second input; an image-to-image model has one');
        const dims = (node.attr?.['shape']?.shape?.dim ?? []).map((d, i) => (Number(d.size) > 0 ? Number(d.size) : ['N', 'H', 'W', 'C'][i] ?? `d${i}`));
        input = { name: node.name, dims: dims.length === 4 ? dims : ['N', 'H', 'W', 3] };
        values.set(node.name, node.name);
        break;
      }
      case 'Const':
        if (!consts.has(node.name)) fail(node, 'its value is not in the weight manifest');
        break;
      case 'Conv2D':
        out(conv(node, valueOf(node, ins[0]!), ins[1], false));
        break;
      case 'DepthwiseConv2dNative':
        out(conv(node, valueOf(node, ins[0]!), ins[1], true));
        break;
      case '_FusedConv2D':
      case 'FusedDepthwiseConv2dNative': {
        // The bias is the Conv's own B input; the fused activations follow.
        const bias = needConst(node, ins[2], 'bias');
        const b = g.floatInit(g.fresh(`${node.name}/b`), [bias.values.length], bias.values);
        out(fused(node, conv(node, valueOf(node, ins[0]!), ins[1], node.op !== '_FusedConv2D', b)));
        break;
      }
      case 'Conv2DBackpropInput': {
        checkNhwc(node);
        const k = needConst(node, ins[1], 'filter');
        const [kh, kw] = k.shape as [number, number, number, number];
        const [sh, sw] = spatial(node, 'strides');
        const mode = str(node.attr?.['padding']);
        if (mode !== 'SAME') fail(node, `padding ${String(mode)} is not supported for transposed convolutions (SAME)`);
        // TF's 'SAME' transposed conv (output = input × stride): the conv it is the gradient of pads
        // P = max(k − s, 0), floor(P/2) first; output_padding makes up the rest.
        const pads = (kk: number, s: number): [number, number, number] => {
          const total = Math.max(kk - s, 0);
          return [Math.floor(total / 2), total - Math.floor(total / 2), s - kk + total];
        };
        const [ph0, ph1, oph] = pads(kh, sh);
        const [pw0, pw1, opw] = pads(kw, sw);
        const w = kernelToOnnx(Float32Array.from(k.values), k.shape);
        const y = g.node('ConvTranspose', [toNchw(valueOf(node, ins[2]!)), g.floatInit(g.fresh(`${node.name}/w`), w.dims, w.data)], {
          kernel_shape: [kh, kw], strides: [sh, sw], pads: [ph0, pw0, ph1, pw1], output_padding: [oph, opw],
        });
        out(toNhwc(y));
        break;
      }
      case 'Pad':
      case 'PadV2':
      case 'MirrorPad': {
        const p = needConst(node, ins[1], 'paddings').values;
        const pads = [0, 1, 2, 3].map((i) => p[i * 2]!).concat([0, 1, 2, 3].map((i) => p[i * 2 + 1]!));
        let mode = 'constant';
        if (node.op === 'MirrorPad') {
          const m = str(node.attr?.['mode']);
          if (m !== 'REFLECT') fail(node, `mode ${String(m)} is not supported (REFLECT)`);
          mode = 'reflect';
        }
        const extra = node.op === 'PadV2' ? [g.floatScalar('pad_value', needConst(node, ins[2], 'constant value').values[0]!)] : [];
        out(g.node('Pad', [valueOf(node, ins[0]!), i64(pads), ...extra], { mode }));
        break;
      }
      case 'Mean': {
        const axes = needConst(node, ins[1], 'axes').values.map((a) => (a < 0 ? a + 4 : a));
        out(g.node('ReduceMean', [valueOf(node, ins[0]!)], { axes, keepdims: node.attr?.['keep_dims']?.b ? 1 : 0 }));
        break;
      }
      case 'SquaredDifference': {
        const d = g.node('Sub', [valueOf(node, ins[0]!), valueOf(node, ins[1]!)]);
        out(g.node('Mul', [d, d]));
        break;
      }
      case 'Rsqrt':
        out(g.node('Reciprocal', [g.node('Sqrt', [valueOf(node, ins[0]!)])]));
        break;
      case 'Relu6':
        out(g.node('Clip', [valueOf(node, ins[0]!), g.floatScalar('zero', 0), g.floatScalar('six', 6)]));
        break;
      case 'LeakyRelu':
        out(g.node('LeakyRelu', [valueOf(node, ins[0]!)], { alpha: { float: node.attr?.['alpha']?.f ?? 0.2 } }));
        break;
      case 'FusedBatchNorm':
      case 'FusedBatchNormV3': {
        // Inference: folded to one scale and shift per channel (NHWC: broadcast on the last axis).
        const [scale, offset, mean, variance] = [1, 2, 3, 4].map((i) => needConst(node, ins[i], 'statistics').values);
        const eps = node.attr?.['epsilon']?.f ?? 1e-3;
        const a = scale!.map((s, c) => s / Math.sqrt(variance![c]! + eps));
        const b = offset!.map((o, c) => o - mean![c]! * a[c]!);
        out(g.node('Add', [g.node('Mul', [valueOf(node, ins[0]!), g.floatInit(g.fresh('bn_a'), [a.length], a)]), g.floatInit(g.fresh('bn_b'), [b.length], b)]));
        break;
      }
      case 'ResizeBilinear':
      case 'ResizeNearestNeighbor': {
        const x = valueOf(node, ins[0]!);
        const size = constOf(ins[1]!) ? i64(constOf(ins[1]!)!.values) : valueOf(node, ins[1]!);
        const shape = g.node('Shape', [x]);
        const sizes = g.node('Concat', [g.node('Slice', [shape, i64([0]), i64([1])]), g.node('Cast', [size], { to: OnnxType.INT64 }), g.node('Slice', [shape, i64([3]), i64([4])])], { axis: 0 });
        const align = node.attr?.['align_corners']?.b === true;
        const half = node.attr?.['half_pixel_centers']?.b === true;
        const bilinear = node.op === 'ResizeBilinear';
        // Nearest with half-pixel centres is TF's floor((x + 0.5)·in/out): ONNX's half_pixel gives that
        // minus 0.5, and round_prefer_ceil(v − 0.5) = floor(v). (opset 13 dropped tf_half_pixel_for_nn.)
        const coordinate = align ? 'align_corners' : half ? 'half_pixel' : 'asymmetric';
        const nearest = align || half ? 'round_prefer_ceil' : 'floor';
        const empty = (): string => g.floatInit(g.fresh('empty'), [0], []);
        out(g.node('Resize', [x, empty(), empty(), sizes], { mode: bilinear ? 'linear' : 'nearest', coordinate_transformation_mode: coordinate, ...(!bilinear && { nearest_mode: nearest }) }));
        break;
      }
      case 'ConcatV2': {
        const axis = needConst(node, ins.at(-1), 'axis').values[0]!;
        out(g.node('Concat', ins.slice(0, -1).map((i) => valueOf(node, i)), { axis }));
        break;
      }
      case 'Shape':
        out(g.node('Shape', [valueOf(node, ins[0]!)]));
        break;
      case 'StridedSlice': {
        const [begin, end, strides] = [1, 2, 3].map((i) => needConst(node, ins[i], 'begin, end and strides').values);
        const mask = (n: string): number => Number(node.attr?.[n]?.i ?? 0);
        if (mask('ellipsis_mask') || mask('new_axis_mask')) fail(node, 'ellipsis and new-axis masks are not supported');
        const axes = begin!.map((_, i) => i);
        const starts = begin!.map((b, i) => (mask('begin_mask') & (1 << i) ? 0 : b));
        const ends = end!.map((e, i) => (mask('end_mask') & (1 << i) ? Number.MAX_SAFE_INTEGER : mask('shrink_axis_mask') & (1 << i) ? starts[i]! + 1 : e));
        let y = g.node('Slice', [valueOf(node, ins[0]!), i64(starts), i64(ends), i64(axes), i64(strides!)]);
        const shrink = axes.filter((i) => mask('shrink_axis_mask') & (1 << i));
        if (shrink.length > 0) y = g.node('Squeeze', [y, i64(shrink)]);
        out(y);
        break;
      }
      case 'Pack': {
        const axis = Number(node.attr?.['axis']?.i ?? 0);
        out(g.node('Concat', ins.map((i) => g.node('Unsqueeze', [valueOf(node, i), i64([axis])])), { axis }));
        break;
      }
      default: {
        const b = binary[node.op];
        const u = unary[node.op];
        if (b) {
          // int32 shape arithmetic (e.g. size × 2) runs in int64 like the rest of the shape values.
          out(g.node(b, [valueOf(node, ins[0]!), valueOf(node, ins[1]!)]));
        } else if (u !== undefined) {
          const x = valueOf(node, ins[0]!);
          out(u === '' ? g.node('Mul', [x, x]) : g.node(u, [x]));
        } else fail(node, 'this operation is not supported by the tfjs graph import');
      }
    }
  }
  if (!input) throw new InputError('E_INPUT_INVALID', `${file}: the graph has no Placeholder input`);
  // The output: the one computed node nothing else reads.
  const read = new Set(nodes.flatMap((n) => (n.input ?? []).map(ref)));
  const ends = nodes.filter((n) => n.op !== 'Const' && n.op !== 'Placeholder' && !read.has(n.name));
  if (ends.length !== 1) throw new InputError('E_INPUT_INVALID', `${file}: the graph has ${ends.length} outputs (${ends.map((n) => n.name).join(', ')}); an image-to-image model has one`);
  const output = values.get(ends[0]!.name)!;
  const outName = g.node('Identity', [output], {}, 'output');
  const dim = (d: number | string) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: OPSET }],
    producerName: 'japananime tfjs-graph import',
    graph: {
      name: 'tfjs_graph',
      node: g.nodes,
      initializer: g.initializers,
      input: [{ name: input.name, type: { tensorType: { elemType: OnnxType.FLOAT, shape: { dim: input.dims.map(dim) } } } }],
      output: [{ name: outName, type: { tensorType: { elemType: OnnxType.FLOAT, shape: { dim: ['N', 'H2', 'W2', 3].map(dim) } } } }],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}
