// readGraphIo on the real Real-ESRGAN files: element types and named or
// unnamed free dimensions as the published graphs declare them.
import { describe, expect, it } from 'vitest';
import { readGraphIo } from '../../../engine/onnx/onnx-graph-io.ts';
import { srModel } from '../../helpers/inference-fixtures.ts';

const general = srModel('realesr-general-x4v3');
const anime = srModel('realesr-animevideov3-x4');

describe.skipIf(!general || !anime)('onnx graph inputs and outputs', () => {
  it('lists graph inputs and outputs with element types and symbolic dims', async () => {
    const io = await readGraphIo(general!.path);
    expect(io.inputs).toEqual([{ name: 'input', elementType: 'float16', shape: [{ symbol: 'batch_size' }, 3, { symbol: 'height' }, { symbol: 'width' }] }]);
    expect(io.outputs.map((output) => [output.name, output.elementType])).toEqual([['output', 'float16']]);
    const animeIo = await readGraphIo(anime!.path);
    expect(animeIo.inputs[0]).toMatchObject({ name: 'input', elementType: 'float32', shape: [{ symbol: null }, 3, { symbol: null }, { symbol: null }] });
  });
});
