/**
 * Wraps a foreign ONNX image-to-image model into the package contract: input `image` uint8 NHWC
 * rgb24 [N,H,W,3], output `stylized` the same. Every conversion is a node of the graph, so the
 * pipeline hands ffmpeg's bytes straight in as it does for our own models:
 *
 *   uint8 → float, RGB→BGR if asked, [0,255] → the model's range,
 *   fixed-size model: bilinear resize to its size │ otherwise: enlarge to the minimum side if asked,
 *   then edge-pad H and W to the multiple; NHWC→NCHW if the model wants it,
 *   the model's own nodes (names prefixed `model/`, untouched),
 *   back to NHWC, crop the padding (or resize back), range → [0,255], BGR→RGB, clip, round, uint8.
 *
 * A model with a fixed batch of 1 runs inside a Scan over the batch, so the package still takes any
 * N and nothing downstream has to know. The model's own operator set is kept (the wrapper's nodes
 * exist unchanged from opset 11 on), because bumping it would change what older nodes mean.
 */
import onnxProto from 'onnx-proto';
import { InputError } from '../../errors.js';
import { ONNX_INPUT_NAME, ONNX_OUTPUT_NAME } from '../onnx-export.js';
import { OnnxGraphBuilder, OnnxType } from '../onnx-graph.js';
import { readImageSignature, type ImageLayout, type ImageModelSignature } from './image-model-signature.js';
import { estimateOnnxMacs } from './onnx-model-facts.js';

const { onnx } = onnxProto;

export type ChannelOrder = 'rgb' | 'bgr';

/** The conventions a foreign model was trained with; every field can be given, most are read from the graph. */
export interface OnnxWrapOptions {
  /** Tensor layout. Default: read from the input's shape (axis 1 or 3 of size 3). */
  layout?: ImageLayout;
  /** The value range of the model's input and output. Default: [-1, 1] (AnimeGAN, CartoonGAN, White-box). */
  range?: [number, number];
  /** Channel order of the model. Default: 'rgb' (a graph cannot say; White-box exports are 'bgr'). */
  channels?: ChannelOrder;
  /** H and W must be multiples of this; the graph edge-pads and crops back. Default: 1 (ignored for fixed-size models). */
  multiple?: number;
  /** Images whose shorter side is below this are enlarged to it and shrunk back after. Default: 0 (never). */
  minSide?: number;
  /** Name of the source file for error messages. Default: 'model'. */
  file?: string;
}

/** The conventions the wrapper used: written into meta.json's source.conventions. */
export interface OnnxConventions {
  inputName: string;
  outputName: string;
  layout: ImageLayout;
  range: [number, number];
  channels: ChannelOrder;
  multiple: number;
  minSide: number;
  /** [H, W] the model is resized to, or null for any size. */
  fixedSize: [number, number] | null;
  /** 1: the model takes one image at a time (run in a Scan over the batch); 'dynamic' otherwise. */
  batch: 1 | 'dynamic';
  opset: number;
}

export interface WrappedOnnx {
  onnx: Uint8Array;
  conventions: OnnxConventions;
  /** Scalars in the model's float initializers. */
  parameters: number;
  /** Estimated billions of MACs for a 256×256 frame (at the model's own size for fixed-size models). */
  gmac256: number;
  /** How `--tile` will treat it (see ModelMeta.tiling). */
  tiling: 'shared-norm' | 'plain-overlap';
}

/** Prefix of every name that came from the foreign model, so none can collide with the wrapper's. */
const MODEL_PREFIX = 'model/';

/** Decodes bytes as an ONNX model, or one InputError line. */
export function decodeOnnx(bytes: Uint8Array, file: string): onnxProto.onnx.ModelProto {
  let model: onnxProto.onnx.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (err) {
    throw new InputError('E_INPUT_INVALID', `${file} is not an ONNX model (${(err as Error).message})`, err);
  }
  if (!model.graph || (model.graph.node ?? []).length === 0) throw new InputError('E_INPUT_INVALID', `${file} is not an ONNX model (no graph)`);
  return model;
}

/** Renames every value and node of a graph and of its subgraphs (one consistent map, so outer-scope references still match). */
function renameGraph(graph: onnxProto.onnx.IGraphProto, rename: (name: string) => string): void {
  const r = (n: string | null | undefined): string => (n ? rename(n) : (n ?? ''));
  for (const node of graph.node ?? []) {
    node.input = (node.input ?? []).map(r);
    node.output = (node.output ?? []).map(r);
    if (node.name) node.name = r(node.name);
    for (const a of node.attribute ?? []) {
      if (a.g) renameGraph(a.g, rename);
      for (const g of a.graphs ?? []) renameGraph(g, rename);
    }
  }
  for (const t of graph.initializer ?? []) t.name = r(t.name);
  for (const s of graph.sparseInitializer ?? []) if (s.values) s.values.name = r(s.values.name);
  for (const v of [...(graph.input ?? []), ...(graph.output ?? []), ...(graph.valueInfo ?? [])]) v.name = r(v.name);
}

/** Constant nodes holding a tensor become initializers (so e.g. an instance norm's scale is one, as tiling needs). */
function constantsToInitializers(graph: onnxProto.onnx.IGraphProto): void {
  const nodes: onnxProto.onnx.INodeProto[] = [];
  for (const node of graph.node ?? []) {
    const value = node.opType === 'Constant' && node.attribute?.length === 1 && node.attribute[0]?.name === 'value' ? node.attribute[0].t : undefined;
    if (value && node.output?.[0]) (graph.initializer ??= []).push({ ...value, name: node.output[0] });
    else nodes.push(node);
  }
  graph.node = nodes;
}

/**
 * Whether every instance norm can get a frame's statistics when tiled (shared-norm-graph.ts): its
 * scale is an initializer, it normalises a 4-D NCHW activation (PyTorch's GroupNorm export feeds
 * it a Reshape'd 3-D one), and the opset has the forms the surgery writes: Shape with `start`
 * (opset 15) and ReduceMean with `axes` as an attribute (before 18).
 */
function instanceNorms(graph: onnxProto.onnx.IGraphProto, opset: number): { count: number; shareable: boolean } {
  const inits = new Set((graph.initializer ?? []).map((t) => t.name ?? ''));
  const producer = new Map<string, string>();
  for (const node of graph.node ?? []) for (const o of node.output ?? []) producer.set(o, node.opType ?? '');
  const norms = (graph.node ?? []).filter((n) => n.opType === 'InstanceNormalization');
  const shareable = opset >= 15 && opset < 18 && norms.every((n) => inits.has(n.input?.[1] ?? '') && inits.has(n.input?.[2] ?? '') && producer.get(n.input?.[0] ?? '') !== 'Reshape');
  return { count: norms.length, shareable };
}

function tensorValue(name: string, elemType: number, dims: Array<number | string>): onnxProto.onnx.IValueInfoProto {
  return { name, type: { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } } };
}

/**
 * The wrapper around the model: from uint8 `input` [N,H,W,3] to uint8 `output`. `modelIn`/`modelOut`
 * are the (renamed) model's input and output.
 */
function emitWrapper(g: OnnxGraphBuilder, c: OnnxConventions, input: string, modelIn: string, modelOut: string, output: string): void {
  const [lo, hi] = c.range;
  const i64 = (prefix: string, values: number[]): string => g.int64Init(g.fresh(prefix), [values.length], values);
  const emptyFloat = (): string => g.floatInit(g.fresh('wrap_empty'), [0], []);
  const bgr = (x: string): string => (c.channels === 'bgr' ? g.node('Gather', [x, i64('wrap_bgr', [2, 1, 0])], { axis: 3 }) : x);
  // Bilinear with pixel centres aligned (OpenCV's cv2.resize, which the models' own scripts use).
  const resize = (x: string, sizes: string): string =>
    g.node('Resize', [x, emptyFloat(), emptyFloat(), sizes], { mode: 'linear', coordinate_transformation_mode: 'half_pixel' });

  const shape = g.node('Shape', [input]);
  const batch = g.node('Slice', [shape, i64('wrap_0', [0]), i64('wrap_1', [1])]);
  const hw = g.node('Slice', [shape, i64('wrap_1', [1]), i64('wrap_3', [3])]);
  // Created on first use: ONNX Runtime warns about every unused initializer.
  let channelsInit: string | undefined;
  const three = (): string => (channelsInit ??= i64('wrap_c', [3]));
  let x = bgr(g.node('Cast', [input], { to: OnnxType.FLOAT }));
  x = g.node('Add', [g.node('Mul', [x, g.floatScalar('wrap_scale_in', (hi - lo) / 255)]), g.floatScalar('wrap_low', lo)]);

  // The size the model runs at: fixed, or enlarged to the minimum side; then padded to the multiple.
  let runHW = hw;
  if (c.fixedSize) {
    x = resize(x, g.node('Concat', [batch, i64('wrap_fixed', c.fixedSize), three()], { axis: 0 }));
  } else {
    if (c.minSide > 0) {
      const hwf = g.node('Cast', [hw], { to: OnnxType.FLOAT });
      const shorter = g.node('Min', [g.node('Slice', [hwf, i64('wrap_0', [0]), i64('wrap_1', [1])]), g.node('Slice', [hwf, i64('wrap_1', [1]), i64('wrap_2', [2])])]);
      const factor = g.node('Max', [g.node('Div', [g.floatInit(g.fresh('wrap_min_side'), [1], [c.minSide]), shorter]), g.floatInit(g.fresh('wrap_one'), [1], [1])]);
      runHW = g.node('Cast', [g.node('Ceil', [g.node('Mul', [hwf, factor])])], { to: OnnxType.INT64 });
      // Same size → an exact copy (half-pixel centres coincide), so images that are large enough are untouched.
      x = resize(x, g.node('Concat', [batch, runHW, three()], { axis: 0 }));
    }
    if (c.multiple > 1) {
      const m = i64('wrap_multiple', [c.multiple]);
      const pad = g.node('Mod', [g.node('Sub', [m, g.node('Mod', [runHW, m])]), m]);
      x = g.node('Pad', [x, g.node('Concat', [i64('wrap_pad_head', [0, 0, 0, 0, 0]), pad, i64('wrap_pad_tail', [0])], { axis: 0 })], { mode: 'edge' });
    }
  }
  g.node(c.layout === 'NCHW' ? 'Transpose' : 'Identity', [x], c.layout === 'NCHW' ? { perm: [0, 3, 1, 2] } : {}, modelIn);

  let y = c.layout === 'NCHW' ? g.node('Transpose', [modelOut], { perm: [0, 2, 3, 1] }) : modelOut;
  if (c.fixedSize) {
    y = resize(y, g.node('Concat', [batch, hw, three()], { axis: 0 }));
  } else {
    if (c.multiple > 1) y = g.node('Slice', [y, i64('wrap_crop_start', [0, 0]), runHW, i64('wrap_crop_axes', [1, 2])]);
    if (c.minSide > 0) y = resize(y, g.node('Concat', [batch, hw, three()], { axis: 0 }));
  }
  y = bgr(g.node('Mul', [g.node('Sub', [y, g.floatScalar('wrap_low_out', lo)]), g.floatScalar('wrap_scale_out', 255 / (hi - lo))]));
  const clipped = g.node('Clip', [y, g.floatScalar('wrap_zero', 0), g.floatScalar('wrap_max', 255)]);
  g.node('Cast', [g.node('Round', [clipped])], { to: OnnxType.UINT8 }, output);
}

/** Wraps ONNX bytes; throws InputError (one line) when they are not a usable rgb image-to-image model. */
export function wrapOnnxModel(bytes: Uint8Array, options: OnnxWrapOptions = {}): WrappedOnnx {
  const file = options.file ?? 'model';
  const model = decodeOnnx(bytes, file);
  const sig: ImageModelSignature = readImageSignature(model, file, options.layout ? { layout: options.layout } : {});
  const range = options.range ?? [-1, 1];
  if (!(range[1] > range[0])) throw new InputError('E_INPUT_INVALID', `range ${range.join(',')} is empty`);
  const multiple = options.multiple ?? 1;
  if (!Number.isInteger(multiple) || multiple < 1) throw new InputError('E_INPUT_INVALID', `--multiple must be a positive integer, not ${multiple}`);
  const minSide = options.minSide ?? 0;
  if (!Number.isInteger(minSide) || minSide < 0) throw new InputError('E_INPUT_INVALID', `--min-side must be a whole number ≥ 0, not ${minSide}`);
  const graph = model.graph!;
  constantsToInitializers(graph);
  const norms = instanceNorms(graph, sig.opset);
  // A fixed batch of 1 runs frame by frame in a Scan; so do norms tiling could not share (in a
  // subgraph the shared-norm surgery leaves them alone and tiles are blended plainly).
  const inScan = sig.fixedBatch || (norms.count > 0 && !norms.shareable);
  const conventions: OnnxConventions = {
    inputName: sig.input,
    outputName: sig.output,
    layout: sig.layout,
    range,
    channels: options.channels ?? 'rgb',
    multiple: sig.fixedSize ? 1 : multiple,
    minSide: sig.fixedSize ? 0 : minSide,
    fixedSize: sig.fixedSize ?? null,
    batch: sig.fixedBatch ? 1 : 'dynamic',
    opset: sig.opset,
  };
  const macs = estimateOnnxMacs(graph, sig.input, sig.fixedSize ? sig.fixedSize : [256, 256]);
  const parameters = (graph.initializer ?? []).filter((t) => t.dataType === OnnxType.FLOAT).reduce((n, t) => n + (t.dims ?? []).reduce<number>((a, d) => a * Number(d), 1), 0);

  renameGraph(graph, (n) => MODEL_PREFIX + n);
  const modelIn = MODEL_PREFIX + sig.input;
  const modelOut = MODEL_PREFIX + sig.output;
  const g = new OnnxGraphBuilder();
  const imageOut = tensorValue(ONNX_OUTPUT_NAME, OnnxType.UINT8, ['N', 'H', 'W', 3]);
  const imageIn = tensorValue(ONNX_INPUT_NAME, OnnxType.UINT8, ['N', 'H', 'W', 3]);
  const initializers = (graph.initializer ?? []);
  let nodes: onnxProto.onnx.INodeProto[];
  if (!inScan) {
    emitWrapper(g, conventions, ONNX_INPUT_NAME, modelIn, modelOut, ONNX_OUTPUT_NAME);
    // Wrapper nodes before the model's and after it: the model's nodes stay topologically sorted.
    const split = g.nodes.findIndex((n) => n.output?.[0] === modelIn) + 1;
    nodes = [...g.nodes.slice(0, split), ...(graph.node ?? []), ...g.nodes.slice(split)];
    initializers.push(...g.initializers);
  } else {
    // Scan body: one frame [H,W,3] → [1,H,W,3] → wrapper and model → [H,W,3]. Reshape rather than
    // Unsqueeze/Squeeze, whose axes moved from an attribute to an input in opset 13.
    const frameIn = 'scan/frame';
    const frameOut = 'scan/stylized';
    const one = g.int64Init('scan/one', [1], [1]);
    const frameShape = g.node('Shape', [frameIn]);
    const batched = g.node('Reshape', [frameIn, g.node('Concat', [one, frameShape], { axis: 0 })]);
    const batchedOut = g.fresh('scan_out');
    emitWrapper(g, conventions, batched, modelIn, modelOut, batchedOut);
    g.node('Reshape', [batchedOut, frameShape], {}, frameOut);
    const split = g.nodes.findIndex((n) => n.output?.[0] === modelIn) + 1;
    const body: onnxProto.onnx.IGraphProto = {
      name: 'per_frame',
      node: [...g.nodes.slice(0, split), ...(graph.node ?? []), ...g.nodes.slice(split)],
      // The model's weights stay in the outer graph (read from the body as outer-scope values).
      initializer: g.initializers,
      input: [tensorValue(frameIn, OnnxType.UINT8, ['H', 'W', 3])],
      output: [tensorValue(frameOut, OnnxType.UINT8, ['H', 'W', 3])],
      valueInfo: graph.valueInfo ?? [],
    };
    nodes = [{
      opType: 'Scan', input: [ONNX_INPUT_NAME], output: [ONNX_OUTPUT_NAME], name: 'per_frame_scan',
      attribute: [{ name: 'body', type: onnx.AttributeProto.AttributeType.GRAPH, g: body }, { name: 'num_scan_inputs', type: onnx.AttributeProto.AttributeType.INT, i: 1 }],
    }];
  }
  const wrapped = onnx.ModelProto.create({
    // IR 6 is the first that lets initializers stay out of the graph's inputs at opset 11.
    irVersion: Math.max(Number(model.irVersion ?? 0), 6),
    opsetImport: model.opsetImport ?? [],
    producerName: 'japananime import',
    producerVersion: '1',
    docString: `imported ${file}: uint8 rgb24 NHWC in, uint8 rgb24 NHWC out`,
    metadataProps: [{ key: 'architecture', value: 'imported' }, { key: 'source', value: file }],
    graph: {
      name: 'japananime_imported',
      node: nodes,
      initializer: initializers,
      input: [imageIn],
      output: [imageOut],
      valueInfo: inScan ? [] : (graph.valueInfo ?? []),
    },
  });
  return {
    onnx: onnx.ModelProto.encode(wrapped).finish(),
    conventions,
    parameters,
    gmac256: Math.round((macs / 1e9) * 1000) / 1000,
    tiling: !inScan && norms.count > 0 ? 'shared-norm' : 'plain-overlap',
  };
}
