/**
 * ONNX graph surgery that lets every tile of a frame share one set of instance-norm statistics.
 *
 * Instance normalisation is the one operation that makes a tile's output depend on the rest of the
 * tile: each InstanceNormalization subtracts the mean and divides by the std of its input over H×W.
 * Run on a tile, those are the tile's statistics, not the frame's, and every tile comes out in its
 * own tone and texture strength. Two derived graphs fix this:
 *
 * - the *stats* graph is the model with, for every InstanceNormalization, its input's per-channel
 *   mean and variance as extra outputs (`norm_mean_<i>`, `norm_var_<i>`, shape [N,C,1,1]);
 * - the *apply* graph replaces every InstanceNormalization by the same affine normalisation with
 *   the mean and variance taken from extra inputs (same names, shape [1,C,1,1], shared by the batch).
 *
 * Everything else (the uint8 in/out, padding, layers) is the model's own graph, untouched.
 */
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
const FLOAT = 1;
const INT = onnx.AttributeProto.AttributeType.INT;
const INTS = onnx.AttributeProto.AttributeType.INTS;

/** One instance norm of the model, in graph order. */
export interface NormLayer {
  /** Channels it normalises. */
  channels: number;
  /** Name of the mean output (stats graph) / input (apply graph). */
  mean: string;
  /** Name of the variance output / input. */
  variance: string;
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
    out.push({ node, layer: { channels, mean: `norm_mean_${i}`, variance: `norm_var_${i}` }, epsilon: eps });
  }
  return out;
}

/** The instance norms of a model (empty when it has none: tiles of such a model need no shared statistics). */
export function listNormLayers(bytes: Uint8Array): NormLayer[] {
  return normNodes(decode(bytes).graph).map((n) => n.layer);
}

/** The stats graph: the model plus every instance norm's input mean and variance as outputs. */
export function statsGraph(bytes: Uint8Array): Uint8Array {
  const { model, graph } = decode(bytes);
  const nodes: onnxProto.onnx.INodeProto[] = [];
  const outputs = [...(graph.output ?? [])];
  const norms = new Map(normNodes(graph).map((n) => [n.node, n]));
  for (const node of graph.node ?? []) {
    nodes.push(node);
    const norm = norms.get(node);
    if (!norm) continue;
    const x = node.input![0]!;
    const { mean, variance } = norm.layer;
    // var = E[x²] − E[x]² with ReduceSumSquare: no full-size temporary (x − mean and its square
    // would each be as large as the layer's activations, the largest tensors of the run).
    const p = (s: string): string => `${mean}__${s}`;
    const axes = { name: 'axes', type: INTS, ints: [2, 3] };
    const keep = { name: 'keepdims', type: INT, i: 1 };
    nodes.push(
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
    );
    outputs.push(floatValue(mean, ['N', norm.layer.channels, 1, 1]), floatValue(variance, ['N', norm.layer.channels, 1, 1]));
  }
  graph.node = nodes;
  graph.output = outputs;
  return onnx.ModelProto.encode(model).finish();
}

/** The apply graph: every instance norm uses the mean and variance fed as inputs. */
export function applyGraph(bytes: Uint8Array): Uint8Array {
  const { model, graph } = decode(bytes);
  const inits = new Map((graph.initializer ?? []).map((t) => [t.name ?? '', t]));
  const newInits: onnxProto.onnx.ITensorProto[] = [];
  const inputs = [...(graph.input ?? [])];
  const nodes: onnxProto.onnx.INodeProto[] = [];
  const norms = new Map(normNodes(graph).map((n) => [n.node, n]));
  for (const node of graph.node ?? []) {
    const norm = norms.get(node);
    if (!norm) {
      nodes.push(node);
      continue;
    }
    const [x, scaleName, biasName] = node.input as [string, string, string];
    const { mean, variance, channels } = norm.layer;
    // Scale and bias as [1,C,1,1] copies so they broadcast over NCHW without Reshape nodes.
    const reshaped = (name: string): string => {
      const t = inits.get(name)!;
      const copy = `${name}__nchw`;
      newInits.push({ ...t, name: copy, dims: [1, channels, 1, 1] });
      return copy;
    };
    const scale4 = reshaped(scaleName);
    const bias4 = reshaped(biasName);
    const eps = `${mean}__eps`;
    newInits.push({ name: eps, dims: [], dataType: FLOAT, floatData: [norm.epsilon] });
    const p = (s: string): string => `${mean}__${s}`;
    const out = node.output![0]!;
    nodes.push(
      { opType: 'Add', input: [variance, eps], output: [p('vareps')], name: p('vareps') },
      { opType: 'Sqrt', input: [p('vareps')], output: [p('std')], name: p('std') },
      { opType: 'Div', input: [scale4, p('std')], output: [p('gain')], name: p('gain') },
      { opType: 'Sub', input: [x, mean], output: [p('centred')], name: p('centred') },
      { opType: 'Mul', input: [p('centred'), p('gain')], output: [p('scaled')], name: p('scaled') },
      { opType: 'Add', input: [p('scaled'), bias4], output: [out], name: p('out') },
    );
    inputs.push(floatValue(mean, [1, channels, 1, 1]), floatValue(variance, [1, channels, 1, 1]));
  }
  graph.node = nodes;
  graph.input = inputs;
  // The norms' 1-D scale and bias are now unused (ONNX Runtime warns about each one): drop them.
  const used = new Set(nodes.flatMap((n) => n.input ?? []));
  graph.initializer = [...(graph.initializer ?? []), ...newInits].filter((t) => used.has(t.name ?? ''));
  return onnx.ModelProto.encode(model).finish();
}
