/**
 * What a foreign ONNX model says about its image input and output: names (read from the graph,
 * never assumed), layout, fixed or dynamic sizes and batch, element type. Everything that makes it
 * unusable as an rgb image-to-image model is one InputError line naming the file and the tensor.
 */
import type onnxProto from 'onnx-proto';
import { InputError } from '../../errors.js';
import { OnnxType } from '../onnx-graph.js';

export type ImageLayout = 'NHWC' | 'NCHW';

/** One dimension: a size, or a symbolic/unknown one (null). */
export type Dim = number | null;

export interface ImageModelSignature {
  /** The graph's one (non-initializer) input. */
  input: string;
  /** The graph output that carries the image. */
  output: string;
  inputShape: Dim[];
  outputShape: Dim[] | undefined;
  layout: ImageLayout;
  /** [H, W] when the model only takes one size. */
  fixedSize: [number, number] | undefined;
  /** The model's batch dimension is fixed at 1. */
  fixedBatch: boolean;
  /** Version of the default ONNX operator set. */
  opset: number;
}

export interface SignatureOptions {
  /** Overrides the layout read from the input's shape. Default: read from the shape. */
  layout?: ImageLayout;
}

/** The oldest operator set the wrapper's nodes (Pad, Resize, Clip and Round with inputs) exist in. */
export const MIN_IMPORT_OPSET = 11;

function dims(v: onnxProto.onnx.IValueInfoProto | undefined): Dim[] | undefined {
  const shape = v?.type?.tensorType?.shape;
  if (!shape) return undefined;
  return (shape.dim ?? []).map((d) => {
    const n = d.dimValue === undefined || d.dimValue === null ? 0 : Number(d.dimValue);
    return n > 0 ? n : null;
  });
}

const show = (shape: Dim[]): string => `[${shape.map((d) => (d === null ? '?' : String(d))).join(',')}]`;

/** Channel axis of a layout in a rank-4 shape. */
export const channelAxis = (layout: ImageLayout): 1 | 3 => (layout === 'NCHW' ? 1 : 3);

/** Reads and checks the image input/output of a decoded model; `file` names it in errors. */
export function readImageSignature(model: onnxProto.onnx.IModelProto, file: string, options: SignatureOptions = {}): ImageModelSignature {
  const graph = model.graph;
  if (!graph || (graph.node ?? []).length === 0) throw new InputError('E_INPUT_INVALID', `${file} is not an ONNX model (no graph)`);
  const opset = Number(model.opsetImport?.find((o) => !o.domain)?.version ?? 0);
  if (opset < MIN_IMPORT_OPSET) throw new InputError('E_INPUT_INVALID', `${file} uses ONNX opset ${opset}; import needs opset ${MIN_IMPORT_OPSET} or newer (re-export the model)`);
  const initializers = new Set((graph.initializer ?? []).map((t) => t.name ?? ''));
  const inputs = (graph.input ?? []).filter((v) => !initializers.has(v.name ?? ''));
  if (inputs.length !== 1) {
    throw new InputError('E_INPUT_INVALID', `${file} has ${inputs.length} inputs (${inputs.map((v) => v.name).join(', ')}); an image-to-image model has one`);
  }
  const input = inputs[0]!;
  const name = input.name ?? '';
  const elemType = input.type?.tensorType?.elemType;
  if (elemType !== OnnxType.FLOAT) throw new InputError('E_INPUT_INVALID', `${file}: input '${name}' is of ONNX type ${String(elemType)}, only float32 image models can be imported`);
  const inputShape = dims(input);
  if (!inputShape || inputShape.length !== 4) {
    throw new InputError('E_INPUT_INVALID', `${file}: input '${name}' has shape ${inputShape ? show(inputShape) : 'unknown'}, not an image batch [N,H,W,3] or [N,3,H,W]`);
  }
  const layout = options.layout ?? detectLayout(inputShape, file, name);
  const channels = inputShape[channelAxis(layout)];
  if (channels !== null && channels !== 3) {
    throw new InputError('E_INPUT_INVALID', `${file}: input '${name}' ${show(inputShape)} has ${channels} channel${channels === 1 ? '' : 's'} (${layout}); only 3-channel RGB/BGR models can be imported`);
  }

  const outputs = graph.output ?? [];
  const imageLike = (v: onnxProto.onnx.IValueInfoProto): boolean => {
    const s = dims(v);
    return s === undefined || (s.length === 4 && (s[channelAxis(layout)] === 3 || s[channelAxis(layout)] === null));
  };
  const output = outputs.find(imageLike);
  if (!output) {
    const first = outputs[0];
    const s = dims(first);
    const described = first ? `'${first.name ?? ''}' has shape ${s ? show(s) : 'unknown'}` : 'is missing';
    throw new InputError('E_INPUT_INVALID', `${file} is not an image-to-image model: its output ${described} (a classifier or detector?), expected a 3-channel image`);
  }

  const [n, a, b, c] = inputShape as [Dim, Dim, Dim, Dim];
  const [h, w] = layout === 'NCHW' ? [b, c] : [a, b];
  if (n !== null && n !== 1) throw new InputError('E_INPUT_INVALID', `${file}: input '${name}' has a fixed batch of ${n}; only dynamic or 1 can be imported`);
  if ((h === null) !== (w === null)) throw new InputError('E_INPUT_INVALID', `${file}: input '${name}' ${show(inputShape)} fixes only one of height and width`);
  return {
    input: name,
    output: output.name ?? '',
    inputShape,
    outputShape: dims(output),
    layout,
    fixedSize: h !== null && w !== null ? [h, w] : undefined,
    fixedBatch: n === 1,
    opset,
  };
}

/** NCHW when axis 1 holds the channels, NHWC when axis 3 does; anything else needs --layout. */
function detectLayout(shape: Dim[], file: string, name: string): ImageLayout {
  const few = (d: Dim | undefined): boolean => d === 1 || d === 3 || d === 4;
  if (shape[1] === 3 && shape[3] !== 3) return 'NCHW';
  if (shape[3] === 3 && shape[1] !== 3) return 'NHWC';
  // Not 3 channels on either side: name the channel count of the side that looks like channels.
  if (few(shape[1]) && !few(shape[3])) return 'NCHW';
  if (few(shape[3]) && !few(shape[1])) return 'NHWC';
  throw new InputError('E_INPUT_INVALID', `${file}: cannot tell the layout of input '${name}' ${show(shape)}; pass --layout nchw or --layout nhwc`);
}
