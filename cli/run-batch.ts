// Runs a batch for one CLI command: plan every item first (so bad usage fails
// before any work), then process items one by one, reporting progress.
// Ctrl-C cancels cleanly (no partial output); a second Ctrl-C exits at once.
import {
  isCancellation,
  serializeError,
  type BatchRequest,
  type Engine,
} from '../engine/index.ts';
import { EXIT_CANCELLED, EXIT_FAILED, EXIT_OK, EXIT_USAGE } from './exit-codes.ts';
import { onInterrupt } from './interrupt.ts';
import { JsonReporter, TextReporter, type Reporter } from './reporter.ts';

export interface CliBatchRequest extends BatchRequest {
  json: boolean;
}

export async function runBatch(engine: Engine, request: CliBatchRequest): Promise<number> {
  const reporter: Reporter = request.json ? new JsonReporter() : new TextReporter(Boolean(process.stderr.isTTY));
  const controller = new AbortController();
  const stopListening = onInterrupt(() => controller.abort());
  try {
    let plan;
    try {
      plan = await engine.planBatch(request, { signal: controller.signal });
    } catch (error) {
      if (isCancellation(error)) {
        reporter.event({ type: 'cancelled' });
        return EXIT_CANCELLED;
      }
      const serialized = serializeError(error);
      reporter.event({ type: 'error', error: serialized });
      // Planning checks model ids against the catalog only, so an unknown id is a usage mistake.
      return serialized.code === 'INVALID_ARGUMENT' || serialized.code === 'MODEL_NOT_FOUND' ? EXIT_USAGE : EXIT_FAILED;
    }
    let failures = 0;
    for (const [index, item] of plan.items.entries()) {
      const label = item.input.path;
      reporter.event({ type: 'start', item: label, index, count: plan.items.length });
      const started = performance.now();
      try {
        const result = await engine.processItem(item, {
          signal: controller.signal,
          itemIndex: index,
          itemCount: plan.items.length,
          onProgress: (progress) => reporter.event({ type: 'progress', item: label, progress }),
          onNotice: (message) => reporter.event({ type: 'notice', item: label, message }),
        });
        reporter.event({
          type: 'done',
          item: label,
          output: result.output,
          frames: result.framesWritten,
          seconds: (performance.now() - started) / 1000,
          provider: result.providers.join(', ') || undefined,
        });
      } catch (error) {
        if (isCancellation(error) || controller.signal.aborted) {
          reporter.event({ type: 'cancelled', item: label });
          return EXIT_CANCELLED;
        }
        failures += 1;
        reporter.event({ type: 'error', item: label, error: serializeError(error) });
      }
    }
    return failures > 0 ? EXIT_FAILED : EXIT_OK;
  } finally {
    reporter.close();
    stopListening();
  }
}
