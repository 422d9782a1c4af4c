// The one error a conversion raises for a graph it cannot express: it names
// the layer type, the layer and its line so a user can report exactly what
// is missing. It is an InvalidArgumentError (the input model is the problem),
// so callers that only know the common codes still handle it.
import { InvalidArgumentError } from '../../common/errors.ts';
import type { NcnnLayer } from './ncnn-param.ts';

export class NcnnUnsupportedError extends InvalidArgumentError {
  readonly layerType: string;
  readonly layerName: string;
  readonly line: number;

  constructor(layer: Pick<NcnnLayer, 'type' | 'name' | 'line'>, feature?: string) {
    const what = feature === undefined ? `layer type "${layer.type}"` : `${feature} in layer type "${layer.type}"`;
    super(`This ncnn model uses ${what} (layer "${layer.name}", line ${layer.line}), which the ncnn-to-ONNX converter does not support yet. Use an ONNX release of the model if there is one.`);
    this.layerType = layer.type;
    this.layerName = layer.name;
    this.line = layer.line;
  }
}
