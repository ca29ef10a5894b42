/**
 * Small builders over `onnx-proto`'s generated classes: attributes, tensor types and the model
 * wrapper shared by every exporter. Kept apart so each exporter reads as the graph it builds.
 */
import { onnx } from 'onnx-proto';

/** The graph input every exported model takes: float32 features, one row per observation. */
export const FEATURES_INPUT = 'features';

/** Opsets the exported graphs use: ONNX 13 for Sigmoid/Slice, ai.onnx.ml 3 for the ML ops. */
const OPSETS = [
  { domain: '', version: 13 },
  { domain: 'ai.onnx.ml', version: 3 },
];

const encoder = new TextEncoder();
const Attr = onnx.AttributeProto.AttributeType;

export type AttributeValue =
  | { readonly ints: readonly number[] }
  | { readonly floats: readonly number[] }
  | { readonly strings: readonly string[] }
  | { readonly int: number }
  | { readonly float: number }
  | { readonly string: string };

export function attribute(name: string, value: AttributeValue): onnx.IAttributeProto {
  if ('ints' in value) return { name, type: Attr.INTS, ints: [...value.ints] };
  if ('floats' in value) return { name, type: Attr.FLOATS, floats: [...value.floats] };
  if ('strings' in value)
    return { name, type: Attr.STRINGS, strings: value.strings.map((s) => encoder.encode(s)) };
  if ('int' in value) return { name, type: Attr.INT, i: value.int };
  if ('float' in value) return { name, type: Attr.FLOAT, f: value.float };
  return { name, type: Attr.STRING, s: encoder.encode(value.string) };
}

export function node(
  opType: string,
  domain: '' | 'ai.onnx.ml',
  inputs: readonly string[],
  outputs: readonly string[],
  attributes: Record<string, AttributeValue> = {},
): onnx.INodeProto {
  return {
    opType,
    domain,
    name: `${opType}_${outputs[0]}`,
    input: [...inputs],
    output: [...outputs],
    attribute: Object.entries(attributes).map(([k, v]) => attribute(k, v)),
  };
}

type Dim = number | 'N';

export function tensorInfo(
  name: string,
  elemType: onnx.TensorProto.DataType,
  dims: readonly Dim[],
  docString = '',
): onnx.IValueInfoProto {
  return {
    name,
    docString,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((d) => (d === 'N' ? { dimParam: 'N' } : { dimValue: d })) },
      },
    },
  };
}

export function int64Tensor(name: string, values: readonly number[]): onnx.ITensorProto {
  return { name, dims: [values.length], dataType: onnx.TensorProto.DataType.INT64, int64Data: [...values] };
}

export const FLOAT = onnx.TensorProto.DataType.FLOAT;
export const INT64 = onnx.TensorProto.DataType.INT64;

/** Serializes a single-graph model with the `features` input [N, featureNames.length]. */
export function serializeModel(options: {
  readonly graphName: string;
  readonly docString: string;
  readonly featureNames: readonly string[];
  readonly nodes: readonly onnx.INodeProto[];
  readonly outputs: readonly onnx.IValueInfoProto[];
  readonly initializers?: readonly onnx.ITensorProto[];
}): Uint8Array {
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'line-rca',
    producerVersion: '1',
    docString: options.docString,
    opsetImport: OPSETS,
    // Column order of the input tensor, so a consumer can build rows by name.
    metadataProps: [{ key: 'feature_names', value: JSON.stringify(options.featureNames) }],
    graph: {
      name: options.graphName,
      node: [...options.nodes],
      initializer: [...(options.initializers ?? [])],
      input: [
        tensorInfo(
          FEATURES_INPUT,
          FLOAT,
          ['N', options.featureNames.length],
          'float32 features in the order of metadata "feature_names"; NaN is missing',
        ),
      ],
      output: [...options.outputs],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}
