import { describe, expect, it } from 'vitest';
import { JOB_STATES } from '../../../common/jobs.ts';
import { assertTransition, canTransition, isFinished } from '../../../engine/jobs/job-state.ts';
import { PauseGate } from '../../../engine/jobs/pause-gate.ts';

describe('job state machine', () => {
  it('allows the lifecycle of a job and its recoveries', () => {
    const allowed: [string, string][] = [
      ['queued', 'running'], ['running', 'paused'], ['paused', 'running'], ['running', 'completed'],
      ['running', 'failed'], ['failed', 'queued'], ['running', 'cancelled'], ['cancelled', 'queued'],
      ['running', 'interrupted'], ['interrupted', 'queued'], ['paused', 'queued'], ['queued', 'cancelled'],
    ];
    for (const [from, to] of allowed) expect(canTransition(from as never, to as never), `${from} -> ${to}`).toBe(true);
  });

  it('refuses what cannot follow, naming both states', () => {
    expect(canTransition('completed', 'running')).toBe(false);
    expect(canTransition('queued', 'completed')).toBe(false);
    expect(canTransition('failed', 'running')).toBe(false);
    expect(() => assertTransition('completed', 'queued', 'j1')).toThrow(/j1 is completed; it cannot become queued/);
    for (const state of JOB_STATES) expect(canTransition('completed', state)).toBe(false);
    expect(isFinished('cancelled')).toBe(true);
    expect(isFinished('interrupted')).toBe(false);
  });

  it('a pause gate holds a waiter until resumed and rejects on abort', async () => {
    const gate = new PauseGate();
    const controller = new AbortController();
    await gate.wait(controller.signal);
    gate.pause();
    let passed = false;
    const waiting = gate.wait(controller.signal).then(() => {
      passed = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(passed).toBe(false);
    gate.resume();
    await waiting;
    expect(passed).toBe(true);
    gate.pause();
    const aborted = gate.wait(controller.signal);
    controller.abort();
    await expect(aborted).rejects.toMatchObject({ code: 'CANCELLED' });
  });
});
