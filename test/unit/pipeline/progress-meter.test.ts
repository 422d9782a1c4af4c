import { describe, expect, it } from 'vitest';
import type { Progress } from '../../../common/progress.ts';
import { ProgressMeter } from '../../../engine/pipeline/progress-meter.ts';

describe('ProgressMeter', () => {
  it('throttles events, reports fps and ETA, and always reports the last frame', () => {
    let clock = 0;
    const events: Progress[] = [];
    const meter = new ProgressMeter({
      itemIndex: 1,
      itemCount: 2,
      framesTotal: 100,
      onProgress: (progress) => events.push(progress),
      now: () => clock,
    });
    for (let frame = 0; frame < 100; frame += 1) {
      clock += 20; // 50 fps
      meter.frames();
    }
    // 2 s of frames at one event per 100 ms, plus the final frame.
    expect(events.length).toBeGreaterThanOrEqual(19);
    expect(events.length).toBeLessThanOrEqual(21);
    const middle = events[10] as Progress;
    expect(middle.fps).toBeCloseTo(50, 5);
    expect(middle.etaMs).toBeCloseTo(((100 - middle.framesDone) / 50) * 1000, 3);
    const last = events.at(-1) as Progress;
    expect(last.framesDone).toBe(100);
    expect(last.fraction).toBeCloseTo(1, 10);
    expect(events[0]?.fraction).toBeGreaterThanOrEqual(0.5);
  });

  it('gives no ETA when the total is unknown', () => {
    const events: Progress[] = [];
    let clock = 0;
    const meter = new ProgressMeter({ itemIndex: 0, itemCount: 1, framesTotal: null, onProgress: (p) => events.push(p), now: () => (clock += 200) });
    meter.frames();
    expect(events[0]?.etaMs).toBeNull();
    expect(events[0]?.fraction).toBe(0);
  });
});
