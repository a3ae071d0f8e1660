/**
 * A minimal ONNX graph builder over the protobufjs ONNX schema (onnx-proto): named nodes,
 * float/int64 initializers, attributes. onnx-export.ts and instance-norm.ts emit through it.
 */
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

/** ONNX TensorProto.DataType values used by the project. */
export const OnnxType = { FLOAT: 1, UINT8: 2, INT64: 7 } as const;

export type AttrValue = number | number[] | string | { floats: number[] } | { float: number };

export class OnnxGraphBuilder {
  readonly nodes: onnxProto.onnx.INodeProto[] = [];
  readonly initializers: onnxProto.onnx.ITensorProto[] = [];
  private counter = 0;

  /** A fresh value name with a readable prefix. */
  fresh(prefix: string): string {
    this.counter += 1;
    return `${prefix}__${this.counter}`;
  }

  /**
   * Adds a node and returns its (first) output name. Integer attributes are written as INT/INTS;
   * pass {float} / {floats} for float attributes.
   */
  node(opType: string, inputs: string[], attrs: Record<string, AttrValue> = {}, outputName?: string): string {
    const output = outputName ?? this.fresh(opType.toLowerCase());
    const attribute: onnxProto.onnx.IAttributeProto[] = [];
    const A = onnx.AttributeProto.AttributeType;
    for (const [name, v] of Object.entries(attrs)) {
      if (typeof v === 'string') attribute.push({ name, type: A.STRING, s: new TextEncoder().encode(v) });
      else if (typeof v === 'number') attribute.push({ name, type: A.INT, i: v });
      else if (Array.isArray(v)) attribute.push({ name, type: A.INTS, ints: v });
      else if ('float' in v) attribute.push({ name, type: A.FLOAT, f: v.float });
      else attribute.push({ name, type: A.FLOATS, floats: v.floats });
    }
    this.nodes.push({ opType, input: inputs, output: [output], name: output, attribute });
    return output;
  }

  /** A float32 initializer (weights are copied into little-endian raw bytes). */
  floatInit(name: string, dims: number[], values: Float32Array | number[]): string {
    const n = values.length;
    const raw = new Uint8Array(n * 4);
    const view = new DataView(raw.buffer);
    for (let i = 0; i < n; i++) view.setFloat32(i * 4, values[i] as number, true);
    this.initializers.push({ name, dims, dataType: OnnxType.FLOAT, rawData: raw });
    return name;
  }

  /** An int64 initializer (shape/pad/slice constants). */
  int64Init(name: string, dims: number[], values: number[]): string {
    const raw = new Uint8Array(values.length * 8);
    const view = new DataView(raw.buffer);
    values.forEach((v, i) => view.setBigInt64(i * 8, BigInt(v), true));
    this.initializers.push({ name, dims, dataType: OnnxType.INT64, rawData: raw });
    return name;
  }

  /** A scalar float constant as an initializer with a fresh name. */
  floatScalar(prefix: string, value: number): string {
    return this.floatInit(this.fresh(prefix), [], [value]);
  }
}
