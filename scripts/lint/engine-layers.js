// The engine's internal order, enforced the way VS Code's `code-layering`
// rule does it: every folder of engine/ has a rank, and a file may import
// only from its own folder or from folders of a lower rank. An upward import
// (the queue reaching for the facade, onnx/ reaching into inference/) fails
// lint. README's architecture section lists the same order.
import path from 'node:path';

/** Bottom to top. A folder not listed here is an error, so new rooms get a place. */
export const ENGINE_LAYERS = [
  'base',        // helpers with no engine knowledge: exists, cancellable sleep
  'storage',     // durable JSON files
  'media',       // ffmpeg, probing, decode/encode, images, resize
  'gpu',         // GPU execution-provider install (CUDA/TensorRT) and which onnxruntime the worker loads
  'onnx',        // ONNX protobuf: read, write, fp16, blend, split
  'convert',     // ncnn and PyTorch to ONNX
  'inference',   // onnxruntime worker, sessions, providers, tiling
  'models',      // catalog, search path, integrity, store
  'pipeline',    // frame stages, queues, segmented video jobs
  'tasks',       // one file per task (super-resolution, interpolation, style)
  'precision',   // int8 variants, precision measurement and the auto choice
  'steps',       // chain step builders
  'plan',        // the chain plan: geometry, frame mapping, cost, sizes
  'presets',     // built-in and user presets
  'jobs',        // inputs, output plans, the durable queue and its runner
  '.',           // the facade (engine.ts, doctor.ts)
  'farm',        // the render farm: segments on BullMQ, workers, join
  'api',         // the service behind the typed API
  'index.ts',    // the one public door
];

function layerOf(engineRoot, file) {
  const relative = path.relative(engineRoot, file).split(path.sep);
  if (relative[0] === '..' ) return undefined;
  if (relative.length === 1) return relative[0] === 'index.ts' ? 'index.ts' : '.';
  return relative[0];
}

export const engineLayersPlugin = {
  rules: {
    'engine-layers': {
      meta: { type: 'problem', schema: [] },
      create(context) {
        const file = context.filename;
        const engineRoot = path.join(context.cwd, 'engine');
        const from = layerOf(engineRoot, file);
        if (from === undefined) return {};
        const fromRank = ENGINE_LAYERS.indexOf(from);
        function check(node, source) {
          if (typeof source !== 'string' || !source.startsWith('.')) return;
          const target = layerOf(engineRoot, path.resolve(path.dirname(file), source));
          if (target === undefined || target === from) return;
          const targetRank = ENGINE_LAYERS.indexOf(target);
          if (fromRank < 0 || targetRank < 0) {
            context.report({ node, message: `engine/${fromRank < 0 ? from : target} has no place in the engine's layer order (scripts/lint/engine-layers.js): add it.` });
          } else if (targetRank > fromRank) {
            context.report({ node, message: `Upward import: engine/${from} (rank ${fromRank}) may not import engine/${target} (rank ${targetRank}). Move the shared piece down or invert the dependency.` });
          }
        }
        return {
          ImportDeclaration: (node) => check(node.source, node.source.value),
          ExportNamedDeclaration: (node) => node.source && check(node.source, node.source.value),
          ExportAllDeclaration: (node) => check(node.source, node.source.value),
          ImportExpression: (node) => node.source.type === 'Literal' && check(node.source, node.source.value),
        };
      },
    },
  },
};
