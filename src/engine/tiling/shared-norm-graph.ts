/**
 * ONNX graph surgery that lets every tile of a frame share one set of instance-norm statistics.
 *
 * Instance normalisation is the one operation that makes a tile's output depend on the rest of the
 * tile: each InstanceNormalization subtracts the mean and divides by the std of its input over H×W.
 * Run on a tile, those are the tile's statistics, not the frame's, and every tile comes out in its
 * own tone and texture strength.
 *
 * The shared-norm graph is the model with every InstanceNormalization replaced by the same affine
 * normalisation whose mean and variance are either the input's own (computed in the graph, and also
 * returned as outputs `norm_mean_<i>`, `norm_var_<i>`, shape [N,C,1,1]) or, when the scalar bool
 * input `use_shared` is true, the ones fed in `shared_mean_<i>`, `shared_var_<i>` ([1,C,1,1], shared
 * by the batch). One graph, so one ONNX Runtime session (one memory arena) serves the three uses:
 * a plain run, measuring a (downscaled) frame's statistics, and running tiles with them.
 * Everything else (the uint8 in/out, padding, layers) is the model's own graph, untouched.
 */
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
const FLOAT = 1;
const BOOL = 9;
const INT = onnx.AttributeProto.AttributeType.INT;
const INTS = onnx.AttributeProto.AttributeType.INTS;

/** Name of the scalar bool input that selects the fed statistics. */
export const USE_SHARED_INPUT = 'use_shared';

/** One instance norm of the model, in graph order. */
export interface NormLayer {
  /** Channels it normalises. */
  channels: number;
  /** Output: the mean of the norm's input over H×W ([N,C,1,1]). */
  mean: string;
  /** Output: its variance. */
  variance: string;
  /** Input: the mean used instead when use_shared is true ([1,C,1,1]). */
  sharedMean: string;
  /** Input: the variance used instead. */
  sharedVariance: string;
}

function floatValue(name: string, dims: Array<number | string>): onnxProto.onnx.IValueInfoProto {
  return { name, type: { tensorType: { elemType: FLOAT, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } } };
}

function decode(bytes: Uint8Array): { model: onnxProto.onnx.ModelProto; graph: onnxProto.onnx.IGraphProto } {
  const model = onnx.ModelProto.decode(bytes);
  if (!model.graph) throw new RangeError('no graph in the ONNX model');
  return { model, graph: model.graph };
}

/** The model's instance norms: channels from each node's scale initializer. */
function normNodes(graph: onnxProto.onnx.IGraphProto): Array<{ node: onnxProto.onnx.INodeProto; layer: NormLayer; epsilon: number }> {
  const inits = new Map((graph.initializer ?? []).map((t) => [t.name ?? '', t]));
  const out: Array<{ node: onnxProto.onnx.INodeProto; layer: NormLayer; epsilon: number }> = [];
  for (const node of graph.node ?? []) {
    if (node.opType !== 'InstanceNormalization') continue;
    const scale = inits.get(node.input?.[1] ?? '');
    const channels = Number(scale?.dims?.[0] ?? 0);
    if (!channels) throw new RangeError(`InstanceNormalization ${node.name ?? ''}: its scale is not an initializer`);
    const eps = node.attribute?.find((a) => a.name === 'epsilon')?.f ?? 1e-5;
    const i = out.length;
    out.push({ node, layer: { channels, mean: `norm_mean_${i}`, variance: `norm_var_${i}`, sharedMean: `shared_mean_${i}`, sharedVariance: `shared_var_${i}` }, epsilon: eps });
  }
  return out;
}

/** The instance norms of a model (empty when it has none: tiles of such a model need no shared statistics). */
export function listNormLayers(bytes: Uint8Array): NormLayer[] {
  return normNodes(decode(bytes).graph).map((n) => n.layer);
}

/** The shared-norm graph of a model (see the file comment). */
export function sharedNormGraph(bytes: Uint8Array): Uint8Array {
  const { model, graph } = decode(bytes);
  const inits = new Map((graph.initializer ?? []).map((t) => [t.name ?? '', t]));
  const newInits: onnxProto.onnx.ITensorProto[] = [];
  const inputs = [...(graph.input ?? []), { name: USE_SHARED_INPUT, type: { tensorType: { elemType: BOOL, shape: { dim: [] } } } }];
  const outputs = [...(graph.output ?? [])];
  const nodes: onnxProto.onnx.INodeProto[] = [];
  const norms = new Map(normNodes(graph).map((n) => [n.node, n]));
  for (const node of graph.node ?? []) {
    const norm = norms.get(node);
    if (!norm) {
      nodes.push(node);
      continue;
    }
    const [x, scaleName, biasName] = node.input as [string, string, string];
    const { mean, variance, sharedMean, sharedVariance, channels } = norm.layer;
    const p = (s: string): string => `${mean}__${s}`;
    // Scale and bias as [1,C,1,1] copies so they broadcast over NCHW without Reshape nodes.
    const reshaped = (name: string): string => {
      const t = inits.get(name)!;
      const copy = `${name}__nchw`;
      newInits.push({ ...t, name: copy, dims: [1, channels, 1, 1] });
      return copy;
    };
    const scale4 = reshaped(scaleName);
    const bias4 = reshaped(biasName);
    newInits.push({ name: p('eps'), dims: [], dataType: FLOAT, floatData: [norm.epsilon] });
    const axes = { name: 'axes', type: INTS, ints: [2, 3] };
    const keep = { name: 'keepdims', type: INT, i: 1 };
    nodes.push(
      // The input's own statistics. var = E[x²] − E[x]² with ReduceSumSquare: no full-size
      // temporary (x − mean and its square would each be as large as the layer's activations).
      { opType: 'ReduceMean', input: [x], output: [mean], name: mean, attribute: [axes, keep] },
      { opType: 'ReduceSumSquare', input: [x], output: [p('sumsq')], name: p('sumsq'), attribute: [axes, keep] },
      { opType: 'Shape', input: [x], output: [p('shape')], name: p('shape'), attribute: [{ name: 'start', type: INT, i: 2 }] },
      { opType: 'ReduceProd', input: [p('shape')], output: [p('count_i')], name: p('count_i'), attribute: [{ name: 'keepdims', type: INT, i: 0 }] },
      { opType: 'Cast', input: [p('count_i')], output: [p('count')], name: p('count'), attribute: [{ name: 'to', type: INT, i: FLOAT }] },
      { opType: 'Div', input: [p('sumsq'), p('count')], output: [p('meansq')], name: p('meansq') },
      { opType: 'Mul', input: [mean, mean], output: [p('sqmean')], name: p('sqmean') },
      { opType: 'Sub', input: [p('meansq'), p('sqmean')], output: [p('diff')], name: p('diff') },
      // Rounding can make E[x²] − E[x]² slightly negative for a flat channel.
      { opType: 'Relu', input: [p('diff')], output: [variance], name: variance },
      // Own or shared statistics, then the norm's affine normalisation.
      { opType: 'Where', input: [USE_SHARED_INPUT, sharedMean, mean], output: [p('m')], name: p('m') },
      { opType: 'Where', input: [USE_SHARED_INPUT, sharedVariance, variance], output: [p('v')], name: p('v') },
      { opType: 'Add', input: [p('v'), p('eps')], output: [p('vareps')], name: p('vareps') },
      { opType: 'Sqrt', input: [p('vareps')], output: [p('std')], name: p('std') },
      { opType: 'Div', input: [scale4, p('std')], output: [p('gain')], name: p('gain') },
      { opType: 'Sub', input: [x, p('m')], output: [p('centred')], name: p('centred') },
      { opType: 'Mul', input: [p('centred'), p('gain')], output: [p('scaled')], name: p('scaled') },
      { opType: 'Add', input: [p('scaled'), bias4], output: [node.output![0]!], name: p('out') },
    );
    inputs.push(floatValue(sharedMean, [1, channels, 1, 1]), floatValue(sharedVariance, [1, channels, 1, 1]));
    outputs.push(floatValue(mean, ['N', channels, 1, 1]), floatValue(variance, ['N', channels, 1, 1]));
  }
  graph.node = nodes;
  graph.input = inputs;
  graph.output = outputs;
  // The norms' 1-D scale and bias are now unused (ONNX Runtime warns about each one): drop them.
  const used = new Set(nodes.flatMap((n) => n.input ?? []));
  graph.initializer = [...(graph.initializer ?? []), ...newInits].filter((t) => used.has(t.name ?? ''));
  return onnx.ModelProto.encode(model).finish();
}
