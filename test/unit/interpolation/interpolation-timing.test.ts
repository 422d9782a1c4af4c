// Exact timing of interpolated frames: output counts for common conversions,
// positions as exact fractions, reuse of frames that fall on source times,
// no blending across cuts, and the duplicate-run (animation on twos) spans.
import { describe, expect, it } from 'vitest';
import { parseRational, rational } from '../../../common/rational.ts';
import {
  InterpolationPlanner,
  interpolationTiming,
  outputFrameCount,
  rationalFromNumber,
  sourcePosition,
  type FrameFacts,
  type InterpolationAction,
  type InterpolationMode,
} from '../../../engine/tasks/interpolation-timing.ts';

function plan(sourceRate: string, mode: InterpolationMode, facts: FrameFacts[], dedup = true): InterpolationAction[] {
  const timing = interpolationTiming(parseRational(sourceRate), mode);
  const planner = new InterpolationPlanner({ step: timing.step, outputCount: outputFrameCount(facts.length, timing.step), dedup });
  const actions: InterpolationAction[] = [];
  for (const fact of facts) {
    planner.push(fact);
    for (let action = planner.next(); action; action = planner.next()) actions.push(action);
  }
  planner.end();
  for (let action = planner.next(); action; action = planner.next()) actions.push(action);
  expect(planner.done).toBe(true);
  return actions;
}

const plainFrames = (count: number): FrameFacts[] => Array.from({ length: count }, () => ({ duplicate: false, cut: false }));
const x = (factor: number): InterpolationMode => ({ kind: 'multiply', factor: rationalFromNumber(factor) });

describe('interpolation timing', () => {
  it('counts output frames exactly: ceil(N * rOut / rIn)', () => {
    const count = (rate: string, mode: InterpolationMode, frames: number) => outputFrameCount(frames, interpolationTiming(parseRational(rate), mode).step);
    expect(count('25', x(2), 10)).toBe(20);
    expect(count('25', x(3), 10)).toBe(30);
    expect(count('25', x(2.5), 3)).toBe(8);
    expect(count('24000/1001', { kind: 'fps', rate: rational(60) }, 24)).toBe(61); // 24 * 1001 / 400 = 60.06
    expect(count('24000/1001', { kind: 'fps', rate: rational(60) }, 400)).toBe(1001);
    expect(count('25', { kind: 'fps', rate: rational(50) }, 13)).toBe(26);
    expect(count('30', { kind: 'fps', rate: rational(144) }, 5)).toBe(24);
    expect(count('25', { kind: 'slowmo', factor: rational(4) }, 10)).toBe(40);
    expect(count('25', x(2), 0)).toBe(0);
  });

  it('keeps the source rate in slow motion and the grid rate otherwise', () => {
    const slow = interpolationTiming(parseRational('30000/1001'), { kind: 'slowmo', factor: rational(4) });
    expect(slow.outputRate).toEqual(rational(30000, 1001));
    expect(slow.gridRate).toEqual(rational(120000, 1001));
    expect(slow.stretch).toEqual(rational(4));
    const up = interpolationTiming(parseRational('24000/1001'), { kind: 'fps', rate: rational(60) });
    expect(up.outputRate).toEqual(rational(60));
    expect(up.step).toEqual(rational(400, 1001));
    expect(up.stretch).toEqual(rational(1));
  });

  it('maps output frames to exact source positions', () => {
    const step = interpolationTiming(parseRational('24000/1001'), { kind: 'fps', rate: rational(60) }).step;
    expect(sourcePosition(0, step)).toEqual({ frame: 0, num: 0, den: 1001 });
    expect(sourcePosition(1, step)).toEqual({ frame: 0, num: 400, den: 1001 });
    expect(sourcePosition(3, step)).toEqual({ frame: 1, num: 199, den: 1001 });
    // After 1001 output frames (400 source frames) the grids meet exactly again.
    expect(sourcePosition(1001, step)).toEqual({ frame: 400, num: 0, den: 1001 });
    expect(rationalFromNumber(2.5)).toEqual(rational(5, 2));
    expect(rationalFromNumber(1.001)).toEqual(rational(1001, 1000));
  });

  it('reuses source frames at their own times and blends between them at exact t (x3)', () => {
    const actions = plan('25', x(3), plainFrames(3));
    expect(actions).toEqual([
      { kind: 'copy', output: 0, source: 0 },
      { kind: 'blend', output: 1, from: 0, to: 1, t: rational(1, 3) },
      { kind: 'blend', output: 2, from: 0, to: 1, t: rational(2, 3) },
      { kind: 'copy', output: 3, source: 1 },
      { kind: 'blend', output: 4, from: 1, to: 2, t: rational(1, 3) },
      { kind: 'blend', output: 5, from: 1, to: 2, t: rational(2, 3) },
      { kind: 'copy', output: 6, source: 2 },
      { kind: 'copy', output: 7, source: 2 },
      { kind: 'copy', output: 8, source: 2 },
    ]);
  });

  it('copies a source frame wherever 25 -> 50 lands on one, and only blends at t = 1/2', () => {
    const actions = plan('25', { kind: 'fps', rate: rational(50) }, plainFrames(5));
    expect(actions).toHaveLength(10);
    for (const action of actions) {
      if (action.output % 2 === 0) expect(action).toEqual({ kind: 'copy', output: action.output, source: action.output / 2 });
      else if (action.output < 9) expect(action).toMatchObject({ kind: 'blend', t: rational(1, 2) });
    }
  });

  it('never blends across a cut: the nearest real frame is repeated', () => {
    const facts = plainFrames(4);
    facts[2] = { duplicate: false, cut: true };
    const actions = plan('25', x(4), facts);
    const across = actions.filter((action) => action.kind === 'blend' && action.from <= 1 && action.to >= 2);
    expect(across).toEqual([]);
    expect(actions.slice(4, 9).map((action) => action.kind === 'copy' ? action.source : -1)).toEqual([1, 1, 2, 2, 2]);
  });

  it('spans duplicate runs (animation on twos) so no output repeats, and not without dedup', () => {
    const facts: FrameFacts[] = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => ({ duplicate: i % 2 === 1, cut: false }));
    const actions = plan('12', x(2), facts);
    expect(actions.slice(0, 4)).toEqual([
      { kind: 'copy', output: 0, source: 0 },
      { kind: 'blend', output: 1, from: 0, to: 2, t: rational(1, 4) },
      { kind: 'blend', output: 2, from: 0, to: 2, t: rational(1, 2) },
      { kind: 'blend', output: 3, from: 0, to: 2, t: rational(3, 4) },
    ]);
    // Before the trailing duplicate every output differs from the one before it.
    const body = actions.slice(0, 13);
    for (let i = 1; i < body.length; i += 1) expect(body[i]).not.toEqual({ ...body[i - 1], output: i });
    const plain = plan('12', x(2), facts, false);
    expect(plain[2]).toEqual({ kind: 'copy', output: 2, source: 1 });
    expect(plain[1]).toEqual({ kind: 'blend', output: 1, from: 0, to: 1, t: rational(1, 2) });
  });

  it('treats a long run of identical frames as a hold: still, then one interval', () => {
    const facts: FrameFacts[] = [false, true, true, true, true, true, false].map((duplicate) => ({ duplicate, cut: false }));
    const actions = plan('25', x(2), facts);
    const blends = actions.filter((action) => action.kind === 'blend');
    expect(blends).toEqual([
      { kind: 'blend', output: 11, from: 5, to: 6, t: rational(1, 2) },
    ]);
  });

  it('asks for frames before it can plan past them, and finishes the count after a short stream', () => {
    const timing = interpolationTiming(rational(25), x(2));
    const planner = new InterpolationPlanner({ step: timing.step, outputCount: 6, dedup: true });
    planner.push({ duplicate: false, cut: false });
    expect(planner.next()).toEqual({ kind: 'copy', output: 0, source: 0 });
    expect(planner.next()).toBeUndefined();
    planner.push({ duplicate: false, cut: false });
    expect(planner.next()).toMatchObject({ kind: 'blend', output: 1 });
    planner.end();
    const rest: InterpolationAction[] = [];
    for (let action = planner.next(); action; action = planner.next()) rest.push(action);
    expect(rest.map((action) => action.output)).toEqual([2, 3, 4, 5]);
    expect(rest.every((action) => action.kind === 'copy' && action.source === 1)).toBe(true);
  });
});
