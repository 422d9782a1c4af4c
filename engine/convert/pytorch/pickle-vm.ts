// A minimal pickle machine (protocols 0-5) for checkpoint loading. It never
// imports or calls anything by itself: GLOBAL/STACK_GLOBAL go through the
// caller's resolver (which allows a short list and refuses the rest), REDUCE
// works only on PickleCallable values that resolver handed out, BUILD only on
// values that accept state, and the opcodes that construct arbitrary classes
// (INST, OBJ, NEWOBJ, NEWOBJ_EX, EXT*) are refused outright. Python values map
// to: int -> number (bigint beyond 2^53), float -> number, str -> string,
// bytes -> Uint8Array, list and tuple -> array, dict -> Map, None -> null.
import { CheckpointFormatError, PickleRefusedError } from './pytorch-errors.ts';

/** A function the resolver allows REDUCE to call, with the Python name it stands for. */
export class PickleCallable {
  constructor(
    readonly qualifiedName: string,
    readonly invoke: (args: readonly unknown[]) => unknown,
  ) {}
}

/** Values the resolver hands out may carry their Python name for error messages. */
export interface PickleNamed {
  readonly pickleName: string;
}

/** A value that accepts BUILD's state (Python's __setstate__). */
export interface PickleBuildable {
  setPickleState(state: unknown): void;
}

export interface UnpickleOptions {
  /** Returns the value of `module.name` or throws PickleRefusedError. */
  resolveGlobal: (module: string, name: string) => unknown;
  /** Turns a persistent id into a value; without it, persistent ids are refused. */
  persistentLoad?: (pid: unknown) => unknown;
}

export interface UnpickleResult {
  value: unknown;
  /** Offset just past the STOP opcode (the next pickle in the stream starts there). */
  end: number;
}

const REFUSED_OPCODES: ReadonlyMap<number, string> = new Map([
  [0x69, 'INST'],
  [0x6f, 'OBJ'],
  [0x81, 'NEWOBJ'],
  [0x92, 'NEWOBJ_EX'],
  [0x82, 'EXT1'],
  [0x83, 'EXT2'],
  [0x84, 'EXT4'],
  [0x97, 'NEXT_BUFFER'],
  [0x98, 'READONLY_BUFFER'],
]);

function isBuildable(value: unknown): value is PickleBuildable {
  return typeof value === 'object' && value !== null && typeof (value as Partial<PickleBuildable>).setPickleState === 'function';
}

function describe(value: unknown): string {
  if (value instanceof PickleCallable) return value.qualifiedName;
  if (value === null) return 'None';
  if (value instanceof Map) return 'a dict';
  if (Array.isArray(value)) return 'a list or tuple';
  if (typeof value === 'object' && 'pickleName' in value) return String(value.pickleName);
  if (typeof value === 'object') return (value as object).constructor.name;
  return `a ${typeof value}`;
}

class Reader {
  offset: number;
  private readonly view: DataView;

  constructor(readonly bytes: Uint8Array, offset: number) {
    this.offset = offset;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private need(count: number): number {
    if (count < 0 || this.offset + count > this.bytes.length) {
      throw new CheckpointFormatError(`the pickle stream ends early (needed ${count} bytes at offset ${this.offset} of ${this.bytes.length})`);
    }
    const start = this.offset;
    this.offset += count;
    return start;
  }

  u8(): number {
    return this.view.getUint8(this.need(1));
  }

  u16(): number {
    return this.view.getUint16(this.need(2), true);
  }

  i32(): number {
    return this.view.getInt32(this.need(4), true);
  }

  u32(): number {
    return this.view.getUint32(this.need(4), true);
  }

  u64(): number {
    const value = this.view.getBigUint64(this.need(8), true);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new CheckpointFormatError(`a pickle length of ${value} bytes is impossible`);
    return Number(value);
  }

  f64be(): number {
    return this.view.getFloat64(this.need(8), false);
  }

  take(count: number): Uint8Array {
    const start = this.need(count);
    return this.bytes.subarray(start, start + count);
  }

  line(): string {
    const end = this.bytes.indexOf(0x0a, this.offset);
    if (end < 0) throw new CheckpointFormatError('a text pickle opcode has no line end');
    const text = new TextDecoder('latin1').decode(this.bytes.subarray(this.offset, end));
    this.offset = end + 1;
    return text;
  }
}

const utf8 = new TextDecoder('utf-8');
const latin1 = new TextDecoder('latin1');

function littleEndianSigned(bytes: Uint8Array): number | bigint {
  if (bytes.length === 0) return 0;
  let value = 0n;
  for (let i = bytes.length - 1; i >= 0; i -= 1) value = (value << 8n) | BigInt(bytes[i] as number);
  if (((bytes[bytes.length - 1] as number) & 0x80) !== 0) value -= 1n << BigInt(bytes.length * 8);
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
}

function parseTextInt(text: string): number | bigint | boolean {
  const trimmed = text.replace(/L$/, '');
  if (trimmed === '01') return true;
  if (trimmed === '00') return false;
  const value = BigInt(trimmed);
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
}

function unquote(text: string): string {
  const quote = text[0];
  if ((quote === '"' || quote === "'") && text.endsWith(quote)) return text.slice(1, -1);
  throw new CheckpointFormatError('a STRING opcode has an unquoted argument');
}

/** Runs one pickle from `offset` to its STOP. */
export function unpickle(bytes: Uint8Array, offset: number, options: UnpickleOptions): UnpickleResult {
  const reader = new Reader(bytes, offset);
  let stack: unknown[] = [];
  const marks: unknown[][] = [];
  const memo = new Map<number, unknown>();

  const pop = (): unknown => {
    if (stack.length === 0) throw new CheckpointFormatError('the pickle pops an empty stack');
    return stack.pop();
  };
  const top = (): unknown => {
    if (stack.length === 0) throw new CheckpointFormatError('the pickle reads an empty stack');
    return stack[stack.length - 1];
  };
  const popMark = (): unknown[] => {
    const items = stack;
    const previous = marks.pop();
    if (previous === undefined) throw new CheckpointFormatError('the pickle closes a MARK it never opened');
    stack = previous;
    return items;
  };
  const memoGet = (index: number): unknown => {
    if (!memo.has(index)) throw new CheckpointFormatError(`the pickle reads memo slot ${index}, which was never written`);
    return memo.get(index);
  };
  const global = (module: string, name: string): void => {
    stack.push(options.resolveGlobal(module, name));
  };
  const setItems = (target: unknown, items: readonly unknown[]): void => {
    if (!(target instanceof Map)) throw new PickleRefusedError(`SETITEM on ${describe(target)}`, 'only dicts take items');
    for (let i = 0; i + 1 < items.length; i += 2) target.set(items[i], items[i + 1]);
  };
  const append = (target: unknown, items: readonly unknown[]): void => {
    if (!Array.isArray(target)) throw new PickleRefusedError(`APPEND on ${describe(target)}`, 'only lists take appends');
    target.push(...items);
  };
  const persistent = (pid: unknown): void => {
    if (options.persistentLoad === undefined) throw new PickleRefusedError('persistent id', 'this stream may not reference external objects');
    stack.push(options.persistentLoad(pid));
  };

  for (;;) {
    const code = reader.u8();
    switch (code) {
      case 0x80: { // PROTO
        const protocol = reader.u8();
        if (protocol > 5) throw new CheckpointFormatError(`pickle protocol ${protocol} is newer than 5`);
        break;
      }
      case 0x95: reader.u64(); break; // FRAME: only a read-ahead hint
      case 0x2e: // STOP
        if (stack.length !== 1) throw new CheckpointFormatError(`the pickle stops with ${stack.length} values on the stack`);
        return { value: stack[0], end: reader.offset };
      case 0x28: marks.push(stack); stack = []; break; // MARK
      case 0x30: pop(); break; // POP
      case 0x31: popMark(); break; // POP_MARK
      case 0x32: stack.push(top()); break; // DUP
      case 0x4e: stack.push(null); break; // NONE
      case 0x88: stack.push(true); break; // NEWTRUE
      case 0x89: stack.push(false); break; // NEWFALSE
      case 0x4a: stack.push(reader.i32()); break; // BININT
      case 0x4b: stack.push(reader.u8()); break; // BININT1
      case 0x4d: stack.push(reader.u16()); break; // BININT2
      case 0x8a: stack.push(littleEndianSigned(reader.take(reader.u8()))); break; // LONG1
      case 0x8b: { // LONG4
        const length = reader.i32();
        if (length < 0) throw new CheckpointFormatError('LONG4 has a negative length');
        stack.push(littleEndianSigned(reader.take(length)));
        break;
      }
      case 0x49: stack.push(parseTextInt(reader.line())); break; // INT
      case 0x4c: stack.push(parseTextInt(reader.line())); break; // LONG
      case 0x47: stack.push(reader.f64be()); break; // BINFLOAT
      case 0x46: stack.push(Number.parseFloat(reader.line())); break; // FLOAT
      case 0x58: stack.push(utf8.decode(reader.take(reader.u32()))); break; // BINUNICODE
      case 0x8c: stack.push(utf8.decode(reader.take(reader.u8()))); break; // SHORT_BINUNICODE
      case 0x8d: stack.push(utf8.decode(reader.take(reader.u64()))); break; // BINUNICODE8
      case 0x56: stack.push(reader.line()); break; // UNICODE (raw-unicode-escape; ASCII keys in practice)
      case 0x53: stack.push(unquote(reader.line())); break; // STRING
      case 0x54: stack.push(latin1.decode(reader.take(reader.i32()))); break; // BINSTRING
      case 0x55: stack.push(latin1.decode(reader.take(reader.u8()))); break; // SHORT_BINSTRING
      case 0x42: stack.push(reader.take(reader.u32())); break; // BINBYTES
      case 0x43: stack.push(reader.take(reader.u8())); break; // SHORT_BINBYTES
      case 0x8e: stack.push(reader.take(reader.u64())); break; // BINBYTES8
      case 0x96: stack.push(reader.take(reader.u64()).slice()); break; // BYTEARRAY8
      case 0x29: stack.push([]); break; // EMPTY_TUPLE
      case 0x5d: stack.push([]); break; // EMPTY_LIST
      case 0x7d: stack.push(new Map()); break; // EMPTY_DICT
      case 0x8f: stack.push([]); break; // EMPTY_SET (as a list)
      case 0x74: { const items = popMark(); stack.push(items); break; } // TUPLE (popMark swaps `stack`: read it after)
      case 0x6c: { const items = popMark(); stack.push(items); break; } // LIST
      case 0x85: stack.push([pop()]); break; // TUPLE1
      case 0x86: { const b = pop(); const a = pop(); stack.push([a, b]); break; } // TUPLE2
      case 0x87: { const c = pop(); const b = pop(); const a = pop(); stack.push([a, b, c]); break; } // TUPLE3
      case 0x64: { const dict = new Map(); const items = popMark(); setItems(dict, items); stack.push(dict); break; } // DICT
      case 0x91: { const items = popMark(); stack.push(items); break; } // FROZENSET (as a list)
      case 0x61: { const item = pop(); append(top(), [item]); break; } // APPEND
      case 0x65: { const items = popMark(); append(top(), items); break; } // APPENDS
      case 0x90: { const items = popMark(); append(top(), items); break; } // ADDITEMS (set as a list)
      case 0x73: { const value = pop(); const key = pop(); setItems(top(), [key, value]); break; } // SETITEM
      case 0x75: { const items = popMark(); setItems(top(), items); break; } // SETITEMS
      case 0x70: memo.set(Number(reader.line()), top()); break; // PUT
      case 0x71: memo.set(reader.u8(), top()); break; // BINPUT
      case 0x72: memo.set(reader.u32(), top()); break; // LONG_BINPUT
      case 0x94: memo.set(memo.size, top()); break; // MEMOIZE
      case 0x67: stack.push(memoGet(Number(reader.line()))); break; // GET
      case 0x68: stack.push(memoGet(reader.u8())); break; // BINGET
      case 0x6a: stack.push(memoGet(reader.u32())); break; // LONG_BINGET
      case 0x63: { const module = reader.line(); const name = reader.line(); global(module, name); break; } // GLOBAL
      case 0x93: { // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') throw new CheckpointFormatError('STACK_GLOBAL needs two strings');
        global(module, name);
        break;
      }
      case 0x50: persistent(reader.line()); break; // PERSID
      case 0x51: persistent(pop()); break; // BINPERSID
      case 0x52: { // REDUCE
        const args = pop();
        const callable = pop();
        if (!(callable instanceof PickleCallable)) throw new PickleRefusedError(describe(callable), 'REDUCE on something that is not an allowed function');
        if (!Array.isArray(args)) throw new CheckpointFormatError(`REDUCE of ${callable.qualifiedName} has no argument tuple`);
        stack.push(callable.invoke(args));
        break;
      }
      case 0x62: { // BUILD
        const state = pop();
        const target = top();
        if (target instanceof Map) break; // attributes on a dict (state_dict()._metadata): not needed
        if (!isBuildable(target)) throw new PickleRefusedError(describe(target), 'BUILD on an object that takes no state');
        target.setPickleState(state);
        break;
      }
      default: {
        const refused = REFUSED_OPCODES.get(code);
        if (refused !== undefined) throw new PickleRefusedError(refused, 'an opcode that constructs arbitrary objects');
        throw new CheckpointFormatError(`unknown pickle opcode 0x${code.toString(16).padStart(2, '0')} at offset ${reader.offset - 1}`);
      }
    }
  }
}
