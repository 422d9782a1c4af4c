// The stabiliser on synthetic streams: a static background whose
// "stylisation" jitters every frame (as style networks do on codec noise) and
// a square moving across it. Static regions must calm down by at least half;
// where the square was, the output must be the new stylisation (no trail).
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../../common/errors.ts';
import { TemporalStabilizer } from '../../../engine/tasks/temporal-stabilizer.ts';

const width = 48;
const height = 32;
const plane = width * height;

function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

/** Source frame t: grey gradient background with +-1/255 noise, a bright 8x8 square at x = 4 + 3t. */
function source(t: number, next: () => number): Float32Array {
  const out = new Float32Array(3 * plane);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const inSquare = x >= 4 + 3 * t && x < 12 + 3 * t && y >= 12 && y < 20;
      for (let c = 0; c < 3; c += 1) {
        out[c * plane + y * width + x] = inSquare ? 0.95 : 0.2 + 0.3 * (x / width) + (next() - 0.5) * (2 / 255);
      }
    }
  }
  return out;
}

/** A fake stylisation: the source shifted by a texture that jitters by +-8/255 every frame. */
function stylise(frame: Float32Array, next: () => number): Float32Array {
  const out = new Float32Array(frame.length);
  for (let i = 0; i < frame.length; i += 1) out[i] = Math.min(1, Math.max(0, 0.8 * frame[i] + 0.1 + (next() - 0.5) * (16 / 255)));
  return out;
}

function staticFlicker(outputs: Float32Array[], isStatic: (x: number, y: number, t: number) => boolean): number {
  let sum = 0;
  let count = 0;
  for (let t = 1; t < outputs.length; t += 1) {
    for (let y = 0; y < height; y += 1) {
      for (let x = 0; x < width; x += 1) {
        if (!isStatic(x, y, t)) continue;
        for (let c = 0; c < 3; c += 1) sum += Math.abs(outputs[t][c * plane + y * width + x] - outputs[t - 1][c * plane + y * width + x]);
        count += 3;
      }
    }
  }
  return sum / count;
}

describe('TemporalStabilizer', () => {
  const frames = 10;
  const next = random(7);
  const sources = Array.from({ length: frames }, (_, t) => source(t, next));
  const stylised = sources.map((frame) => stylise(frame, next));
  const stabilizer = new TemporalStabilizer();
  const stable = sources.map((frame, t) => stabilizer.apply(frame, stylised[t], width, height));
  // Static: farther than 4 px from the square in both frames of the pair.
  const farFromSquare = (x: number, y: number, t: number) => [t - 1, t].every((k) => x < 4 + 3 * k - 4 || x >= 12 + 3 * k + 4 || y < 8 || y >= 24);

  it('reduces flicker in static regions by at least half', () => {
    const before = staticFlicker(stylised, farFromSquare);
    const after = staticFlicker(stable, farFromSquare);
    expect(after / before).toBeLessThan(0.5);
  });

  it('takes the new stylisation where the square moved and where it left', () => {
    for (let t = 1; t < frames; t += 1) {
      for (let y = 12; y < 20; y += 1) {
        // Columns the square covered in frame t-1 but not in t: the region it left.
        for (let x = 4 + 3 * (t - 1); x < 4 + 3 * t; x += 1) {
          for (let c = 0; c < 3; c += 1) {
            const i = c * plane + y * width + x;
            expect(Math.abs(stable[t][i] - stylised[t][i])).toBeLessThan(1e-6);
          }
        }
      }
    }
  });

  it('passes the first frame and a size change through, and resets', () => {
    const fresh = new TemporalStabilizer();
    const first = fresh.apply(sources[0], stylised[0], width, height);
    expect([...first]).toEqual([...stylised[0]]);
    const small = new Float32Array(3 * 4);
    expect([...fresh.apply(small, small.map(() => 0.5), 2, 2)]).toEqual(Array(12).fill(0.5));
    fresh.reset();
    expect([...fresh.apply(sources[1], stylised[1], width, height)]).toEqual([...stylised[1]]);
  });

  it('refuses bad settings and mismatched planes', () => {
    expect(() => new TemporalStabilizer({ blend: 1.5 })).toThrow(InvalidArgumentError);
    expect(() => new TemporalStabilizer({ staticThreshold: 0.2, motionThreshold: 0.1 })).toThrow(InvalidArgumentError);
    expect(() => new TemporalStabilizer().apply(new Float32Array(3), new Float32Array(3), 2, 2)).toThrow(InvalidArgumentError);
  });
});
