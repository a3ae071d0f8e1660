/**
 * The cost of a foreign ONNX graph, for meta.json's gmac256 (which convertVideo reads to decide how
 * many sessions a video gets). Estimated without running it: the spatial scale of every value
 * relative to the input is followed through the nodes that change it (strided convolutions and
 * pools, transposed convolutions, depth/space shuffles, Resize with constant scales), and each
 * Conv/ConvTranspose with an initializer kernel costs pixels × kernel size. Everything else
 * (norms, activations, adds) is a rounding error beside the convolutions.
 */
import type onnxProto from 'onnx-proto';

function intsAttr(node: onnxProto.onnx.INodeProto, name: string): number[] | undefined {
  const a = node.attribute?.find((x) => x.name === name);
  if (!a) return undefined;
  if (a.ints && a.ints.length > 0) return a.ints.map(Number);
  return a.i !== undefined && a.i !== null ? [Number(a.i)] : undefined;
}

function floatValues(t: onnxProto.onnx.ITensorProto): number[] {
  if (t.floatData && t.floatData.length > 0) return [...t.floatData];
  const raw = t.rawData;
  if (!raw || raw.length % 4 !== 0) return [];
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  return Array.from({ length: raw.length / 4 }, (_, i) => view.getFloat32(i * 4, true));
}

/** Multiply-accumulates of one run on an h×w frame (batch 1), estimated as described above. */
export function estimateOnnxMacs(graph: onnxProto.onnx.IGraphProto, input: string, [h, w]: [number, number]): number {
  const inits = new Map((graph.initializer ?? []).map((t) => [t.name ?? '', t]));
  const scale = new Map<string, number>([[input, 1]]);
  let macs = 0;
  for (const node of graph.node ?? []) {
    const s = (node.input ?? []).map((i) => scale.get(i)).find((v) => v !== undefined);
    if (s === undefined) continue;
    let out = s;
    const kernel = inits.get(node.input?.[1] ?? '');
    const kdims = (kernel?.dims ?? []).map(Number);
    const stride = intsAttr(node, 'strides')?.[0] ?? 1;
    switch (node.opType) {
      case 'Conv':
        out = s / stride;
        if (kdims.length === 4) macs += h * w * out * out * kdims.reduce((a, b) => a * b, 1);
        break;
      case 'ConvTranspose':
        if (kdims.length === 4) macs += h * w * s * s * kdims.reduce((a, b) => a * b, 1);
        out = s * stride;
        break;
      case 'MaxPool':
      case 'AveragePool':
        out = s / stride;
        break;
      case 'DepthToSpace':
        out = s * (intsAttr(node, 'blocksize')?.[0] ?? 1);
        break;
      case 'SpaceToDepth':
        out = s / (intsAttr(node, 'blocksize')?.[0] ?? 1);
        break;
      case 'Resize':
      case 'Upsample': {
        const scales = inits.get(node.input?.[node.opType === 'Resize' ? 2 : 1] ?? '');
        const factor = scales ? Math.max(...floatValues(scales), 0) : 0;
        if (factor > 0) out = s * factor;
        break;
      }
      default:
        break;
    }
    for (const o of node.output ?? []) scale.set(o, out);
  }
  return macs;
}
