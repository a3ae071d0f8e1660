/**
 * Writes a generator and its weights as an ONNX model (protobufjs + the ONNX schema), generated from
 * the same spec as the tfjs forward pass.
 *
 * The graph takes uint8 rgb24 NHWC [N,H,W,3] (dynamic N, H, W) and returns uint8 of the same shape,
 * so callers hand ffmpeg's bytes straight in: cast, scale to [-1,1], edge-pad H and W at the end to a
 * multiple of 4 (computed from the input's shape at run time), NHWC→NCHW, the network, crop back,
 * NCHW→NHWC, map to [0,255], clip, round (half to even, like tf.round), cast to uint8.
 */
import onnxProto from 'onnx-proto';
import { INSTANCE_NORM_EPSILON, instanceNormOnnx, kerasContribNormOnnx } from './instance-norm.js';
import { OnnxGraphBuilder, OnnxType } from './onnx-graph.js';
import { checkParams, type ParamSet } from './params.js';
import { countParameters, type ArchitectureSpec, type InkLayer, type Layer } from './spec.js';
import { INK_LUMA, inkKernel1d, PIXEL_SCALE } from './tfjs-forward.js';

const { onnx } = onnxProto;

export const ONNX_OPSET = 17;
export const ONNX_IR_VERSION = 8;
/** Names of the graph's input and output. */
export const ONNX_INPUT_NAME = 'image';
export const ONNX_OUTPUT_NAME = 'stylized';

/**
 * TensorFlow 'same' padding [begin, end] of one spatial axis, assuming the size is a multiple of the
 * stride (the graph pads to a multiple of 4 first): total k - stride, the odd pixel at the end.
 */
export function samePads(k: number, stride: number): [number, number] {
  const total = Math.max(k - stride, 0);
  const begin = Math.floor(total / 2);
  return [begin, total - begin];
}

/** tfjs kernel [a,b,c,d] → ONNX [d,c,a,b]: conv [k,k,cin,cout]→[cout,cin,k,k]; convT [k,k,cout,cin]→[cin,cout,k,k]. */
export function kernelToOnnx(data: Float32Array, shape: number[]): { dims: number[]; data: Float32Array } {
  const [a, b, c, d] = shape as [number, number, number, number];
  const out = new Float32Array(data.length);
  for (let i = 0; i < a; i++)
    for (let j = 0; j < b; j++)
      for (let p = 0; p < c; p++)
        for (let q = 0; q < d; q++) out[((q * c + p) * a + i) * b + j] = data[((i * b + j) * c + p) * d + q] as number;
  return { dims: [d, c, a, b], data: out };
}

/** Box mean over a (2r+1)² window of the pixels inside the image, like tf.avgPool 'same'. */
function boxMeanOnnx(g: OnnxGraphBuilder, x: string, radius: number): string {
  const k = 2 * radius + 1;
  return g.node('AveragePool', [x], { kernel_shape: [k, k], strides: [1, 1], pads: [radius, radius, radius, radius], count_include_pad: 0 });
}

/** The guided filter of p with guide I, node for node like guidedFilterTf. */
function guidedFilterOnnx(g: OnnxGraphBuilder, guide: string, p: string, radius: number, eps: number, name: string): string {
  const meanI = boxMeanOnnx(g, guide, radius);
  const meanP = boxMeanOnnx(g, p, radius);
  const covIP = g.node('Sub', [boxMeanOnnx(g, g.node('Mul', [guide, p]), radius), g.node('Mul', [meanI, meanP])]);
  const varI = g.node('Sub', [boxMeanOnnx(g, g.node('Mul', [guide, guide]), radius), g.node('Mul', [meanI, meanI])]);
  const a = g.node('Div', [covIP, g.node('Add', [varI, g.floatScalar(`${name}/eps`, eps)])]);
  const b = g.node('Sub', [meanP, g.node('Mul', [a, meanI])]);
  return g.node('Add', [g.node('Mul', [boxMeanOnnx(g, a, radius), guide]), boxMeanOnnx(g, b, radius)], {}, g.fresh(name));
}

/** The smooth Kuwahara filter, node for node like kuwaharaTf (NCHW). */
function kuwaharaOnnx(g: OnnxGraphBuilder, x: string, radius: number, temperature: number): string {
  const r = radius;
  const pool = (v: string): string => g.node('AveragePool', [v], { kernel_shape: [r + 1, r + 1], strides: [1, 1], pads: [r, r, r, r], count_include_pad: 0 });
  const mean = pool(x);
  const variance = g.node('ReduceSum', [g.node('Sub', [pool(g.node('Mul', [x, x])), g.node('Mul', [mean, mean])]), g.int64Init(g.fresh('channel_axis'), [1], [1])], { keepdims: 1 });
  // H and W of x, for the quadrant slices of the (H+r)×(W+r) pooled maps.
  const hw = g.node('Slice', [g.node('Shape', [x]), g.int64Init(g.fresh('hw_start'), [1], [2]), g.int64Init(g.fresh('hw_end'), [1], [4])]);
  const axes = g.int64Init(g.fresh('hw_axes'), [2], [2, 3]);
  const quadrant = (v: string, dy: number, dx: number): string => {
    const start = g.int64Init(g.fresh('quadrant_start'), [2], [dy, dx]);
    return g.node('Slice', [v, start, g.node('Add', [hw, start]), axes]);
  };
  const offsets = [[0, 0], [0, r], [r, 0], [r, r]] as const;
  const minusInvT = g.floatScalar('kuwahara_scale', -1 / temperature);
  // The softmax over the four quadrants written out (exp of logit minus the largest, over their sum):
  // ORT's Softmax on axis 1 of a [N,4,H,W] tensor transposes it twice and took 18 ms a 640×360 frame,
  // 9% of the whole model; Max, Exp, Sum and Div on [N,1,H,W] maps cost a tenth of that.
  const logits = offsets.map(([dy, dx]) => g.node('Mul', [quadrant(variance, dy, dx), minusInvT]));
  const top = g.node('Max', logits);
  const weights = logits.map((l) => g.node('Exp', [g.node('Sub', [l, top])]));
  const weighted = g.node('Sum', offsets.map(([dy, dx], q) => g.node('Mul', [quadrant(mean, dy, dx), weights[q]!])));
  return g.node('Div', [weighted, g.node('Sum', weights)]);
}

/** The ink layer, node for node like inkTf (NCHW). */
function inkOnnx(g: OnnxGraphBuilder, x: string, layer: InkLayer): string {
  const luma = g.node('Conv', [x, g.floatInit(g.fresh('ink_luma'), [1, 3, 1, 1], [...INK_LUMA])]);
  // The Gaussian is separable, so each blur is a column pass and a row pass (2k taps, not k²), and
  // the count of real pixels under the kernel at the image's edges (what the tfjs forward gets by
  // blurring a tensor of ones) is the outer product of a column of ones blurred and a row of ones
  // blurred. ORT pads a 1-channel conv to 16 channels, so the 2-D convs had cost 4 ms a frame.
  const onesLike = (v: string) => g.node('Add', [g.node('Mul', [v, g.floatScalar('zero', 0)]), g.floatScalar('one', 1)]);
  const firstOf = (axis: number) => g.node('Slice', [luma, g.int64Init(g.fresh('first_start'), [1], [0]), g.int64Init(g.fresh('first_end'), [1], [1]), g.int64Init(g.fresh('first_axis'), [1], [axis])]);
  const onesColumn = onesLike(firstOf(3)); // [N,1,H,1]
  const onesRow = onesLike(firstOf(2)); // [N,1,1,W]
  const blur = (sigma: number): string => {
    const k = inkKernel1d(sigma);
    const r = (k.size - 1) / 2;
    const column = g.floatInit(g.fresh('ink_gauss_col'), [1, 1, k.size, 1], k.values);
    const row = g.floatInit(g.fresh('ink_gauss_row'), [1, 1, 1, k.size], k.values);
    const byColumn = (v: string) => g.node('Conv', [v, column], { kernel_shape: [k.size, 1], pads: [r, 0, r, 0] });
    const byRow = (v: string) => g.node('Conv', [v, row], { kernel_shape: [1, k.size], pads: [0, r, 0, r] });
    return g.node('Div', [byRow(byColumn(luma)), g.node('Mul', [byColumn(onesColumn), byRow(onesRow)])]);
  };
  const dog = g.node('Sub', [blur(layer.sigma1), blur(layer.sigma2)]);
  const line = g.node('Clip', [g.node('Mul', [g.node('Sub', [g.node('Neg', [dog]), g.floatScalar('ink_eps', layer.eps)]), g.floatScalar('ink_phi', layer.phi)]), g.floatScalar('zero', 0), g.floatScalar('one', 1)]);
  const keep = g.node('Sub', [g.floatScalar('one', 1), g.node('Mul', [line, g.floatScalar('ink_strength', layer.strength)])]);
  return g.node('Sub', [g.node('Mul', [g.node('Add', [x, g.floatScalar('one', 1)]), keep]), g.floatScalar('one', 1)]);
}

function emitLayers(g: OnnxGraphBuilder, layers: Layer[], params: ParamSet, input: string, guide: string): string {
  const param = (name: string) => {
    const p = params.get(name);
    if (!p) throw new RangeError(`exportOnnx: missing parameter '${name}'`);
    return p;
  };
  let x = input;
  for (const layer of layers) {
    switch (layer.op) {
      case 'conv':
      case 'convTranspose': {
        const kernel = param(`${layer.name}/kernel`);
        const bias = param(`${layer.name}/bias`);
        const w = kernelToOnnx(kernel.data, kernel.shape);
        const wName = g.floatInit(`${layer.name}/kernel`, w.dims, w.data);
        const bName = g.floatInit(`${layer.name}/bias`, bias.shape, bias.data);
        const [pb, pe] = samePads(layer.k, layer.stride);
        const attrs = { kernel_shape: [layer.k, layer.k], strides: [layer.stride, layer.stride], pads: [pb, pb, pe, pe] };
        x = g.node(layer.op === 'conv' ? 'Conv' : 'ConvTranspose', [x, wName, bName], attrs, g.fresh(layer.name));
        break;
      }
      case 'instanceNorm': {
        const scale = param(`${layer.name}/scale`);
        const bias = param(`${layer.name}/bias`);
        const s = g.floatInit(`${layer.name}/scale`, scale.shape, scale.data);
        const b = g.floatInit(`${layer.name}/bias`, bias.shape, bias.data);
        x = layer.kerasContrib ? kerasContribNormOnnx(g, x, s, b, layer.kerasContrib.epsilon) : instanceNormOnnx(g, x, s, b, INSTANCE_NORM_EPSILON);
        break;
      }
      case 'leakyRelu':
        x = g.node('LeakyRelu', [x], { alpha: { float: layer.alpha } });
        break;
      case 'residual':
        x = g.node('Add', [x, emitLayers(g, layer.body, params, x, guide)], {}, g.fresh(layer.name));
        break;
      case 'guidedFilter':
        x = guidedFilterOnnx(g, guide, x, layer.radius, layer.eps, layer.name);
        break;
      case 'kuwahara':
        x = kuwaharaOnnx(g, x, layer.radius, layer.temperature);
        break;
      case 'ink':
        x = inkOnnx(g, x, layer);
        break;
      case 'upsample': {
        // Resize's optional roi input is empty (''); nearest with asymmetric coordinates and floor
        // rounding copies each pixel into a factor×factor block, exactly like upsampleNearestTf.
        const scales = g.floatInit(g.fresh('upsample_scales'), [4], new Float32Array([1, 1, layer.factor, layer.factor]));
        x = g.node('Resize', [x, '', scales], { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' });
        break;
      }
    }
  }
  return x;
}

/** Extra facts stored in the ONNX model's metadata_props. */
export interface OnnxExportOptions {
  /** Free-form key/values written into metadata_props. Default: architecture and parameter count only. */
  metadata?: Record<string, string>;
}

/** Serialises a generator with its weights to ONNX bytes. Throws RangeError for a non-generator or mismatched params. */
export function exportOnnx(spec: ArchitectureSpec, params: ParamSet, options: OnnxExportOptions = {}): Uint8Array {
  if (spec.role !== 'generator') throw new RangeError(`exportOnnx: ${spec.name} is not a generator`);
  const problem = checkParams(spec, params);
  if (problem) throw new RangeError(`exportOnnx: ${problem}`);
  const g = new OnnxGraphBuilder();
  const m = spec.sizeMultiple;

  // uint8 NHWC → float [-1,1] NHWC.
  const xf = g.node('Cast', [ONNX_INPUT_NAME], { to: OnnxType.FLOAT });
  const xs = g.node('Sub', [g.node('Mul', [xf, g.floatScalar('pixel_scale', PIXEL_SCALE)]), g.floatScalar('one', 1)]);

  // H, W from the input's shape; pads = (m - hw % m) % m at the end of axes 1 and 2.
  const shape = g.node('Shape', [ONNX_INPUT_NAME]);
  const hw = g.node('Slice', [shape, g.int64Init('hw_start', [1], [1]), g.int64Init('hw_end', [1], [3])], {}, 'input_hw');
  const mult = g.int64Init('size_multiple', [1], [m]);
  const padHW = g.node('Mod', [g.node('Sub', [mult, g.node('Mod', [hw, mult])]), mult], {}, 'pad_hw');
  const pads = g.node('Concat', [g.int64Init('pads_head', [5], [0, 0, 0, 0, 0]), padHW, g.int64Init('pads_tail', [1], [0])], { axis: 0 }, 'pads');
  const padded = g.node('Pad', [xs, pads], { mode: 'edge' });
  const nchw = g.node('Transpose', [padded], { perm: [0, 3, 1, 2] });

  const y = emitLayers(g, spec.layers, params, nchw, nchw);

  // Crop back to H, W; NCHW → NHWC; [-1,1] → uint8.
  const cropped = g.node('Slice', [y, g.int64Init('crop_start', [2], [0, 0]), hw, g.int64Init('crop_axes', [2], [2, 3])]);
  const nhwc = g.node('Transpose', [cropped], { perm: [0, 2, 3, 1] });
  const scaled = g.node('Mul', [g.node('Add', [nhwc, g.floatScalar('one', 1)]), g.floatScalar('half_range', 127.5)]);
  const clipped = g.node('Clip', [scaled, g.floatScalar('zero', 0), g.floatScalar('max_pixel', 255)]);
  const rounded = g.node('Round', [clipped]);
  g.node('Cast', [rounded], { to: OnnxType.UINT8 }, ONNX_OUTPUT_NAME);

  const imageType = (name: string): onnxProto.onnx.IValueInfoProto => ({
    name,
    type: { tensorType: { elemType: OnnxType.UINT8, shape: { dim: [{ dimParam: 'N' }, { dimParam: 'H' }, { dimParam: 'W' }, { dimValue: 3 }] } } },
  });
  const metadata: Record<string, string> = { architecture: spec.name, parameters: String(countParameters(spec)), ...options.metadata };
  const model = onnx.ModelProto.create({
    irVersion: ONNX_IR_VERSION,
    opsetImport: [{ domain: '', version: ONNX_OPSET }],
    producerName: 'japananime',
    producerVersion: '1',
    docString: `JapananimeGAN ${spec.name} generator: uint8 rgb24 NHWC in, uint8 rgb24 NHWC out`,
    metadataProps: Object.entries(metadata).map(([key, value]) => ({ key, value })),
    graph: {
      name: `japananime_${spec.name}`,
      node: g.nodes,
      initializer: g.initializers,
      input: [imageType(ONNX_INPUT_NAME)],
      output: [imageType(ONNX_OUTPUT_NAME)],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

/** What a decoded ONNX file says about itself (for package validation). */
export interface OnnxSummary {
  irVersion: number;
  opset: number;
  inputs: { name: string; elemType: number }[];
  outputs: { name: string; elemType: number }[];
  metadata: Record<string, string>;
  nodeCount: number;
}

/** Decodes ONNX bytes far enough to check them; throws when they are not an ONNX model. */
export function inspectOnnx(bytes: Uint8Array): OnnxSummary {
  const model = onnx.ModelProto.decode(bytes);
  if (!model.graph) throw new RangeError('no graph in the ONNX model');
  const io = (vs: onnxProto.onnx.IValueInfoProto[] | null | undefined) => (vs ?? []).map((v) => ({ name: v.name ?? '', elemType: v.type?.tensorType?.elemType ?? 0 }));
  const metadata: Record<string, string> = {};
  for (const p of model.metadataProps ?? []) if (p.key) metadata[p.key] = p.value ?? '';
  const opset = model.opsetImport?.find((o) => !o.domain)?.version;
  return {
    irVersion: Number(model.irVersion ?? 0),
    opset: Number(opset ?? 0),
    inputs: io(model.graph.input),
    outputs: io(model.graph.output),
    metadata,
    nodeCount: model.graph.node?.length ?? 0,
  };
}
