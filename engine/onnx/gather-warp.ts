// Bilinear GridSample (border padding, align_corners) written as plain ops:
// four GatherElements on the flattened picture, blended by the fractional
// coordinates. onnxruntime 1.30's CPU GridSample samples one value at a time
// through a generic per-pixel path; RIFE v4.6 warps both frames four times per
// run, and at 320x192 those eight GridSamples cost about as much CPU as all
// of its int8 convolutions. The gathers and elementwise ops run vectorised
// and threaded: about 2-3x less CPU per warp (measured 4.1-6.5 ms against
// 1.9-2.0 ms CPU for one 3x192x320 warp on 2 threads).
//
// The arithmetic follows onnxruntime's kernel (denormalise as
// ((g + 1) / 2) * (size - 1), clamp to the border, weights x0 + 1 - x and
// x - x0, rows blended last), but the result is not bit-identical: it differs
// by up to one float32 step (1.2e-7 on 0..1 pictures, in about 0.5% of the
// values). So the rewrite is applied to derived variants whose quality is
// measured anyway (the int8 file), never to the fp32 model as published.
import { ELEMENT_TYPE } from './onnx-file.ts';
import type { GraphProto, ModelProto, TensorProto } from './onnx-file.ts';

type NodeProto = NonNullable<GraphProto['node']>[number];
type AttributeProto = NonNullable<NodeProto['attribute']>[number];

function attribute(node: NodeProto, name: string): AttributeProto | undefined {
  return (node.attribute ?? []).find((entry) => entry.name === name);
}

function intAttribute(node: NodeProto, name: string, fallback: number): number {
  const value = attribute(node, name)?.i;
  if (value === null || value === undefined) return fallback;
  return typeof value === 'number' ? value : value.toNumber();
}

function stringAttribute(node: NodeProto, name: string, fallback: string): string {
  const value = attribute(node, name)?.s;
  return value ? new TextDecoder().decode(value) : fallback;
}

/** Only the form RIFE's warp uses is rewritten; any other GridSample is left as it is. */
export function isRewritableWarp(node: NodeProto): boolean {
  if (node.opType !== 'GridSample' || (node.domain ?? '') !== '') return false;
  const mode = stringAttribute(node, 'mode', 'bilinear');
  return (mode === 'bilinear' || mode === 'linear')
    && stringAttribute(node, 'padding_mode', 'zeros') === 'border'
    && intAttribute(node, 'align_corners', 0) === 1
    && (node.input ?? []).length === 2 && (node.output ?? []).length === 1;
}

function floatScalar(name: string, value: number): TensorProto {
  return { name, dataType: ELEMENT_TYPE.FLOAT, dims: [], floatData: [value] };
}

function int64s(name: string, values: readonly number[]): TensorProto {
  return { name, dataType: ELEMENT_TYPE.INT64, dims: [values.length], int64Data: [...values] };
}

const INT_ATTRIBUTE = 2;

/** The nodes that compute `output` = GridSample(picture, grid) for one warp; names start with `prefix`. */
function warpNodes(picture: string, grid: string, output: string, prefix: string, constants: Record<'one' | 'half' | 'zero' | 'flatPicture' | 'flatGrid' | 'batchChannel' | 'rowsColumns' | 'height' | 'width', string>): NodeProto[] {
  const nodes: NodeProto[] = [];
  let counter = 0;
  const op = (opType: string, inputs: readonly string[], attributes: AttributeProto[] = [], outputs = 1): string[] => {
    const names = Array.from({ length: outputs }, () => `${prefix}_${opType.toLowerCase()}${(counter += 1)}`);
    nodes.push({ opType, input: [...inputs], output: names, name: `${prefix}_${opType}_${counter}`, attribute: attributes });
    return names;
  };
  const one = (opType: string, inputs: readonly string[], attributes: AttributeProto[] = []): string => op(opType, inputs, attributes)[0] as string;
  const axis = (value: number): AttributeProto => ({ name: 'axis', type: INT_ATTRIBUTE, i: value });
  const castTo = (type: number): AttributeProto => ({ name: 'to', type: INT_ATTRIBUTE, i: type });

  const pictureShape = one('Shape', [picture]);
  const width = one('Cast', [one('Gather', [pictureShape, constants.width], [axis(0)])], [castTo(ELEMENT_TYPE.FLOAT)]);
  const height = one('Cast', [one('Gather', [pictureShape, constants.height], [axis(0)])], [castTo(ELEMENT_TYPE.FLOAT)]);
  const lastColumn = one('Sub', [width, constants.one]);
  const lastRow = one('Sub', [height, constants.one]);
  const [gridX, gridY] = op('Split', [grid], [axis(3)], 2) as [string, string];
  /** Pixel coordinate of a normalised one, clamped to the border. */
  const coordinate = (normalised: string, last: string): string => {
    const flat = one('Reshape', [normalised, constants.flatGrid]);
    const pixel = one('Mul', [one('Mul', [one('Add', [flat, constants.one]), constants.half]), last]);
    return one('Min', [one('Max', [pixel, constants.zero]), last]);
  };
  const x = coordinate(gridX, lastColumn);
  const y = coordinate(gridY, lastRow);
  const x0 = one('Floor', [x]);
  const y0 = one('Floor', [y]);
  const x0Next = one('Add', [x0, constants.one]);
  const y0Next = one('Add', [y0, constants.one]);
  const x1 = one('Min', [x0Next, lastColumn]);
  const y1 = one('Min', [y0Next, lastRow]);
  const rightWeight = one('Sub', [x, x0]);
  const leftWeight = one('Sub', [x0Next, x]);
  const lowerWeight = one('Sub', [y, y0]);
  const upperWeight = one('Sub', [y0Next, y]);
  // Flat indices in int32 arithmetic (a float32 y * width + x stops being
  // exact above 2^24 pixels, an 8K frame), and int32 rather than int64 halves
  // the bytes expanded over the channels.
  const toInt = (value: string): string => one('Cast', [value], [castTo(ELEMENT_TYPE.INT32)]);
  const widthInt = toInt(one('Gather', [pictureShape, constants.width], [axis(0)]));
  const [column0, column1] = [toInt(x0), toInt(x1)];
  const row0 = one('Mul', [toInt(y0), widthInt]);
  const row1 = one('Mul', [toInt(y1), widthInt]);
  const flatPicture = one('Reshape', [picture, constants.flatPicture]);
  const gatherShape = one('Concat', [one('Gather', [pictureShape, constants.batchChannel], [axis(0)]), one('Gather', [one('Shape', [x]), constants.height], [axis(0)])], [axis(0)]);
  const sample = (row: string, column: string): string => {
    const index = one('Expand', [one('Add', [row, column]), gatherShape]);
    return one('GatherElements', [flatPicture, index], [axis(2)]);
  };
  const upper = one('Add', [one('Mul', [leftWeight, sample(row0, column0)]), one('Mul', [rightWeight, sample(row0, column1)])]);
  const lower = one('Add', [one('Mul', [leftWeight, sample(row1, column0)]), one('Mul', [rightWeight, sample(row1, column1)])]);
  const blended = one('Add', [one('Mul', [upperWeight, upper]), one('Mul', [lowerWeight, lower])]);
  const outputShape = one('Concat', [one('Gather', [pictureShape, constants.batchChannel], [axis(0)]), one('Gather', [one('Shape', [grid]), constants.rowsColumns], [axis(0)])], [axis(0)]);
  nodes.push({ opType: 'Reshape', input: [blended, outputShape], output: [output], name: `${prefix}_Reshape_out` });
  return nodes;
}

/**
 * Replaces, in place, every 4-D bilinear border align-corners GridSample with
 * the gather form. Returns how many were replaced (0 leaves the model as it was).
 */
export function replaceWarpsWithGathers(model: ModelProto): number {
  const graph = model.graph;
  if (!graph) return 0;
  const prefix = '__gather_warp';
  const constants = {
    one: `${prefix}_one`,
    half: `${prefix}_half`,
    zero: `${prefix}_zero`,
    flatPicture: `${prefix}_flat_picture`,
    flatGrid: `${prefix}_flat_grid`,
    batchChannel: `${prefix}_batch_channel`,
    rowsColumns: `${prefix}_rows_columns`,
    height: `${prefix}_height`,
    width: `${prefix}_width`,
  };
  let replaced = 0;
  const nodes: NodeProto[] = [];
  for (const node of graph.node ?? []) {
    if (!isRewritableWarp(node)) {
      nodes.push(node);
      continue;
    }
    const [picture, grid] = node.input as [string, string];
    nodes.push(...warpNodes(picture, grid, (node.output ?? [])[0] as string, `${prefix}${replaced}`, constants));
    replaced += 1;
  }
  if (replaced === 0) return 0;
  graph.node = nodes;
  graph.initializer = [
    ...(graph.initializer ?? []),
    floatScalar(constants.one, 1),
    floatScalar(constants.half, 0.5),
    floatScalar(constants.zero, 0),
    // [N, C, H*W] for the picture, [N, 1, H*W] for each grid coordinate (0 copies the dimension).
    int64s(constants.flatPicture, [0, 0, -1]),
    int64s(constants.flatGrid, [0, 1, -1]),
    int64s(constants.batchChannel, [0, 1]),
    int64s(constants.rowsColumns, [1, 2]),
    int64s(constants.height, [2]),
    int64s(constants.width, [3]),
  ];
  return replaced;
}
