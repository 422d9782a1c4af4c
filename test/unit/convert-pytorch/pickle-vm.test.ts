// The pickle machine runs only the tensor-rebuild path: hostile pickles are
// refused by name with PickleRefusedError, and nothing they name is called
// (a pickle that would create a file leaves no file).
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unpickle } from '../../../engine/convert/pytorch/pickle-vm.ts';
import { CheckpointFormatError, PickleRefusedError } from '../../../engine/convert/pytorch/pytorch-errors.ts';
import { readStateDict } from '../../../engine/convert/pytorch/pytorch-to-onnx.ts';
import { resolveTorchGlobal } from '../../../engine/convert/pytorch/torch-checkpoint.ts';
import { PickleWriter } from './checkpoint-writer.ts';

function refusal(run: () => unknown): PickleRefusedError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(PickleRefusedError);
    return error as PickleRefusedError;
  }
  throw new Error('expected the pickle to be refused');
}

const options = { resolveGlobal: resolveTorchGlobal };

describe('pickle VM', () => {
  let dir = '';
  let marker = '';
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'framesmith-pickle-'));
    marker = path.join(dir, 'pwned');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses GLOBAL os.system + REDUCE and never runs the command', () => {
    const hostile = new PickleWriter().proto(2).global('os', 'system').str(`touch ${marker}`).raw(0x85).reduce().stop().bytes();
    const error = refusal(() => unpickle(hostile, 0, options));
    expect(error.refused).toBe('os.system');
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.userMessage).toContain('os.system');
    expect(existsSync(marker)).toBe(false);
  });

  it('refuses STACK_GLOBAL builtins.eval (protocol 4)', () => {
    const hostile = new PickleWriter().proto(4).stackGlobal('builtins', 'eval').str('1+1').raw(0x85).reduce().stop().bytes();
    expect(refusal(() => unpickle(hostile, 0, options)).refused).toBe('builtins.eval');
  });

  it('refuses a near-miss of an allowed name', () => {
    const hostile = new PickleWriter().proto(2).global('torch._utils', '_rebuild_tensor_v2x').emptyTuple().reduce().stop().bytes();
    expect(refusal(() => unpickle(hostile, 0, options)).refused).toBe('torch._utils._rebuild_tensor_v2x');
  });

  it('refuses REDUCE on a value that is not an allowed function', () => {
    const hostile = new PickleWriter().proto(2).global('torch', 'FloatStorage').emptyTuple().reduce().stop().bytes();
    expect(refusal(() => unpickle(hostile, 0, options)).refused).toBe('torch.FloatStorage');
  });

  it('refuses INST, OBJ and NEWOBJ', () => {
    const inst = new PickleWriter().proto(0).mark().raw(0x69).text('os\nsystem\n').stop().bytes();
    expect(refusal(() => unpickle(inst, 0, options)).refused).toBe('INST');
    const obj = new PickleWriter().proto(1).mark().global('os', 'system').raw(0x6f).stop().bytes();
    expect(refusal(() => unpickle(obj, 0, options)).refused).toBe('os.system');
    const newobj = new PickleWriter().proto(2).emptyDict().emptyTuple().raw(0x81).stop().bytes();
    expect(refusal(() => unpickle(newobj, 0, options)).refused).toBe('NEWOBJ');
  });

  it('refuses BUILD on an object without state', () => {
    const hostile = new PickleWriter().proto(2).global('collections', 'OrderedDict').emptyDict().build().stop().bytes();
    expect(refusal(() => unpickle(hostile, 0, options)).refused).toBe('collections.OrderedDict');
  });

  it('refuses a hostile data.pkl inside a torch zip through readStateDict', async () => {
    const hostile = new PickleWriter().proto(2).global('subprocess', 'check_output').str('id').raw(0x85).reduce().stop().bytes();
    const archive = zipSync({ 'archive/data.pkl': hostile, 'archive/version': new TextEncoder().encode('3\n') }, { level: 0 });
    await expect(readStateDict(archive)).rejects.toMatchObject({ refused: 'subprocess.check_output', code: 'INVALID_ARGUMENT' });
  });

  it('reads plain values: ints, big ints, floats, strings, lists, dicts, memo', () => {
    const bytes = new PickleWriter().proto(2).emptyDict().binPut(0).mark()
      .str('small').int(7)
      .str('wide').int(70000)
      .str('negative').int(-5)
      .str('huge').long1(0x1950a86a20f9469cfc6cn)
      .str('float').raw(0x47, 0x40, 0x09, 0x21, 0xfb, 0x54, 0x44, 0x2d, 0x18)
      .str('list').emptyList().mark().int(1).int(2).appends()
      .str('self').binGet(0)
      .setItems().stop().bytes();
    const { value, end } = unpickle(bytes, 0, options);
    expect(end).toBe(bytes.length);
    const dict = value as Map<string, unknown>;
    expect(dict.get('small')).toBe(7);
    expect(dict.get('wide')).toBe(70000);
    expect(dict.get('negative')).toBe(-5);
    expect(dict.get('huge')).toBe(0x1950a86a20f9469cfc6cn);
    expect(dict.get('float')).toBeCloseTo(Math.PI, 12);
    expect(dict.get('list')).toEqual([1, 2]);
    expect(dict.get('self')).toBe(dict);
  });

  it('reports a truncated stream as a format error', () => {
    const bytes = new PickleWriter().proto(2).str('abcdef').stop().bytes().subarray(0, 6);
    expect(() => unpickle(bytes, 0, options)).toThrow(CheckpointFormatError);
  });
});
