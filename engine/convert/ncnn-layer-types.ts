// The binary `.param` format names layer types by their index in ncnn's
// built-in layer registry (the order of ncnn_add_layer in ncnn's CMakeLists),
// so this table must follow that order exactly. Indices with the custom bit
// (256) set are application layers that a binary param cannot name.

export const NCNN_BUILTIN_LAYER_TYPES: readonly string[] = [
  'AbsVal', 'ArgMax', 'BatchNorm', 'Bias', 'BNLL', 'Concat', 'Convolution', 'Crop',
  'Deconvolution', 'Dropout', 'Eltwise', 'ELU', 'Embed', 'Exp', 'Flatten', 'InnerProduct',
  'Input', 'Log', 'LRN', 'MemoryData', 'MVN', 'Pooling', 'Power', 'PReLU',
  'Proposal', 'Reduction', 'ReLU', 'Reshape', 'ROIPooling', 'Scale', 'Sigmoid', 'Slice',
  'Softmax', 'Split', 'SPP', 'TanH', 'Threshold', 'Tile', 'RNN', 'LSTM',
  'BinaryOp', 'UnaryOp', 'ConvolutionDepthWise', 'Padding', 'Squeeze', 'ExpandDims', 'Normalize', 'Permute',
  'PriorBox', 'DetectionOutput', 'Interp', 'DeconvolutionDepthWise', 'ShuffleChannel', 'InstanceNorm', 'Clip', 'Reorg',
  'YoloDetectionOutput', 'Quantize', 'Dequantize', 'Yolov3DetectionOutput', 'PSROIPooling', 'ROIAlign', 'Packing', 'Requantize',
  'Cast', 'HardSigmoid', 'SELU', 'HardSwish', 'Noop', 'PixelShuffle', 'DeepCopy', 'Mish',
  'StatisticsPooling', 'Swish', 'Gemm', 'GroupNorm', 'LayerNorm', 'Softplus', 'GRU', 'MultiHeadAttention',
  'GELU', 'Convolution1D', 'Pooling1D', 'ConvolutionDepthWise1D', 'Convolution3D', 'ConvolutionDepthWise3D', 'Pooling3D', 'MatMul',
  'Deconvolution1D', 'DeconvolutionDepthWise1D', 'Deconvolution3D', 'DeconvolutionDepthWise3D', 'Einsum', 'DeformableConv2D', 'GLU', 'Fold',
  'Unfold', 'GridSample', 'CumulativeSum', 'CopyTo', 'Erf', 'Diag', 'CELU', 'Shrink',
];

/** The type name for a binary type index; custom or unknown indices get a descriptive placeholder. */
export function ncnnLayerTypeName(index: number): string {
  if (index >= 0 && index < NCNN_BUILTIN_LAYER_TYPES.length) return NCNN_BUILTIN_LAYER_TYPES[index] as string;
  if (index & 256) return `custom#${index & 255}`;
  return `unknown#${index}`;
}
