import { PyDict, PyGlobal, PyObject, PySet, PyTuple, isPyKey, pyTypeName, type PyKey, type PyValue } from './pyTypes';

/**
 * An allowlist pickle interpreter. It understands the opcodes of protocols 0–5 but never imports
 * or calls anything: a GLOBAL must be in the caller's allowlist, and REDUCE / NEWOBJ hand the
 * (global, args) pair to the caller's `call`, which builds plain data. Everything else (INST, OBJ,
 * EXT*, out-of-band buffers) is refused. See https://github.com/python/cpython/blob/main/Lib/pickletools.py
 * for the opcode reference.
 */
export interface UnpickleHooks {
  /** Whether `module.name` may appear in a GLOBAL / STACK_GLOBAL. */
  isAllowed(module: string, name: string): boolean;
  /** Build the value of `fn(*args)` (REDUCE, NEWOBJ) for an allowed global. */
  call(fn: PyGlobal, args: PyValue[]): PyValue;
  /** Resolve a persistent id (PERSID / BINPERSID). */
  persistentLoad?(pid: PyValue): PyValue;
}

export interface UnpickleResult {
  value: PyValue;
  /** Offset just past the STOP opcode (the next pickle of a stream starts here). */
  end: number;
}

/** Thrown for anything the interpreter refuses or cannot parse; the loader prefixes the file name. */
export class PickleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PickleError';
  }
}

const MARK = Symbol('mark');
type StackItem = PyValue | typeof MARK;

const utf8 = new TextDecoder('utf-8', { fatal: true });
const latin1 = new TextDecoder('latin1');

export function refusalMessage(module: string, name: string): string {
  return `refusing pickle GLOBAL ${module}.${name} (not in the allowlist)`;
}

function intFromBigInt(v: bigint): number | bigint {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

/** Longest LONG1/LONG4 we decode: checkpoints hold small ints; a bigger one is an attack or corruption. */
const MAX_LONG_BYTES = 1 << 20;
/** Longest decimal INT/LONG literal (Python's own int_max_str_digits default). */
const MAX_TEXT_INT_DIGITS = 4300;
/** Deepest MARK nesting we follow (each level holds an array; torch pickles nest a few levels). */
const MAX_MARK_DEPTH = 10_000;

/**
 * Little-endian two's-complement integer of arbitrary length (LONG1 / LONG4), in linear time: one hex
 * string parsed by BigInt (a shift-and-or loop is quadratic: 256 KiB took 39 s).
 */
function decodeLong(bytes: Uint8Array): number | bigint {
  if (bytes.length === 0) return 0;
  if (bytes.length > MAX_LONG_BYTES) throw new PickleError(`refusing a ${bytes.length}-byte integer (more than ${MAX_LONG_BYTES} bytes)`);
  const be = Buffer.from(bytes).reverse();
  let v = BigInt(`0x${be.toString('hex')}`);
  if (be[0]! & 0x80) v -= 1n << BigInt(8 * bytes.length);
  return intFromBigInt(v);
}

function parseTextInt(line: string, what: string): number | bigint {
  const s = line.endsWith('L') ? line.slice(0, -1) : line;
  if (!/^[-+]?\d+$/.test(s)) throw new PickleError(`corrupt pickle: bad ${what} literal '${line.slice(0, 40)}'`);
  if (s.length > MAX_TEXT_INT_DIGITS) throw new PickleError(`refusing a ${s.length}-digit ${what} literal`);
  return intFromBigInt(BigInt(s));
}

/** Python string-literal escapes as written by protocol 0 STRING / UNICODE. */
function unescapePy(s: string): string {
  return s.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{1,3}|.)/g, (_m, e: string) => {
    switch (e[0]) {
      case 'x':
      case 'u':
      case 'U': {
        const cp = parseInt(e.slice(1), 16);
        if (cp > 0x10ffff) throw new PickleError(`corrupt pickle: escape \\${e} is not a Unicode code point`);
        return String.fromCodePoint(cp);
      }
      case 'n':
        return '\n';
      case 'r':
        return '\r';
      case 't':
        return '\t';
      case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7':
        return String.fromCharCode(parseInt(e, 8));
      default:
        return e;
    }
  });
}

export function unpickle(bytes: Uint8Array, start: number, hooks: UnpickleHooks): UnpickleResult {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = start;
  const stack: StackItem[] = [];
  const metastack: StackItem[][] = [];
  let cur = stack;
  const memo = new Map<number, PyValue>();

  const need = (n: number, what: string): void => {
    if (n < 0 || pos + n > bytes.length) {
      throw new PickleError(`truncated: pickle ${what} at byte ${pos} needs ${n} bytes, only ${bytes.length - pos} left`);
    }
  };
  const u8 = (): number => {
    need(1, 'opcode argument');
    return bytes[pos++]!;
  };
  const u16 = (): number => {
    need(2, 'opcode argument');
    const v = dv.getUint16(pos, true);
    pos += 2;
    return v;
  };
  const u32 = (): number => {
    need(4, 'opcode argument');
    const v = dv.getUint32(pos, true);
    pos += 4;
    return v;
  };
  const i32 = (): number => {
    need(4, 'opcode argument');
    const v = dv.getInt32(pos, true);
    pos += 4;
    return v;
  };
  const u64 = (): number => {
    need(8, 'opcode argument');
    const v = dv.getBigUint64(pos, true);
    pos += 8;
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new PickleError(`corrupt pickle: length ${v} at byte ${pos - 8}`);
    return Number(v);
  };
  const take = (n: number, what: string): Uint8Array => {
    need(n, what);
    const out = bytes.subarray(pos, pos + n);
    pos += n;
    return out;
  };
  const line = (): string => {
    const nl = bytes.indexOf(0x0a, pos);
    if (nl < 0) throw new PickleError(`truncated: pickle text argument at byte ${pos} has no end of line`);
    const s = latin1.decode(bytes.subarray(pos, nl));
    pos = nl + 1;
    return s.endsWith('\r') ? s.slice(0, -1) : s;
  };
  const str = (b: Uint8Array): string => {
    try {
      return utf8.decode(b);
    } catch {
      throw new PickleError(`corrupt pickle: invalid UTF-8 string at byte ${pos - b.length}`);
    }
  };

  const pop = (): PyValue => {
    const v = cur.pop();
    if (v === undefined) throw new PickleError(`corrupt pickle: stack underflow at byte ${pos - 1}`);
    if (v === MARK) throw new PickleError(`corrupt pickle: unexpected MARK at byte ${pos - 1}`);
    return v;
  };
  const top = (): PyValue => {
    const v = cur[cur.length - 1];
    if (v === undefined) throw new PickleError(`corrupt pickle: stack underflow at byte ${pos - 1}`);
    if (v === MARK) throw new PickleError(`corrupt pickle: unexpected MARK at byte ${pos - 1}`);
    return v;
  };
  const popMark = (): PyValue[] => {
    const items = cur as PyValue[];
    const prev = metastack.pop();
    if (!prev) throw new PickleError(`corrupt pickle: no MARK for opcode at byte ${pos - 1}`);
    cur = prev;
    return items;
  };
  const global = (module: string, name: string): PyGlobal => {
    if (!hooks.isAllowed(module, name)) throw new PickleError(refusalMessage(module, name));
    return new PyGlobal(module, name);
  };
  const call = (fn: PyValue, args: PyValue): PyValue => {
    if (!(fn instanceof PyGlobal)) throw new PickleError(`corrupt pickle: cannot call a ${pyTypeName(fn)} at byte ${pos - 1}`);
    if (!(args instanceof PyTuple)) throw new PickleError(`corrupt pickle: call arguments are a ${pyTypeName(args)}, not a tuple`);
    return hooks.call(fn, args.items);
  };
  const toKey = (k: PyValue): PyKey => {
    if (isPyKey(k)) return k;
    if (k instanceof PyTuple && k.items.every(isPyKey)) return JSON.stringify(k.items, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
    throw new PickleError(`unsupported dict key of type ${pyTypeName(k)}`);
  };
  const setItems = (target: PyValue, items: PyValue[]): void => {
    if (!(target instanceof PyDict)) throw new PickleError(`corrupt pickle: SETITEM(S) on a ${pyTypeName(target)}`);
    if (items.length % 2) throw new PickleError('corrupt pickle: SETITEMS with an odd number of items');
    for (let i = 0; i < items.length; i += 2) target.map.set(toKey(items[i]!), items[i + 1]!);
  };
  const appendItems = (target: PyValue, items: PyValue[]): void => {
    if (!Array.isArray(target)) throw new PickleError(`corrupt pickle: APPEND(S) on a ${pyTypeName(target)}`);
    for (const it of items) target.push(it);
  };
  const memoGet = (idx: number): PyValue => {
    const v = memo.get(idx);
    if (v === undefined) throw new PickleError(`corrupt pickle: memo entry ${idx} missing at byte ${pos}`);
    return v;
  };

  for (;;) {
    if (pos >= bytes.length) throw new PickleError(`truncated: pickle ends at byte ${pos} before STOP`);
    const opAt = pos;
    const op = bytes[pos++]!;
    switch (op) {
      case 0x80: { // PROTO
        const p = u8();
        if (p > 5) throw new PickleError(`unsupported pickle protocol ${p}`);
        break;
      }
      case 0x95: // FRAME: framing is only a read-ahead hint
        u64();
        break;
      case 0x2e: { // STOP
        const v = pop();
        return { value: v, end: pos };
      }
      case 0x28: // MARK
        if (metastack.length >= MAX_MARK_DEPTH) throw new PickleError(`refusing pickle nested more than ${MAX_MARK_DEPTH} levels deep at byte ${opAt}`);
        metastack.push(cur);
        cur = [];
        break;
      case 0x30: // POP
        if (cur.length === 0) throw new PickleError(`corrupt pickle: POP on empty stack at byte ${opAt}`);
        cur.pop();
        break;
      case 0x31: // POP_MARK
        popMark();
        break;
      case 0x32: // DUP
        cur.push(top());
        break;
      // ---- constants
      case 0x4e: cur.push(null); break; // NONE
      case 0x88: cur.push(true); break; // NEWTRUE
      case 0x89: cur.push(false); break; // NEWFALSE
      case 0x4b: cur.push(u8()); break; // BININT1
      case 0x4d: cur.push(u16()); break; // BININT2
      case 0x4a: cur.push(i32()); break; // BININT
      case 0x8a: cur.push(decodeLong(take(u8(), 'LONG1'))); break; // LONG1
      case 0x8b: { // LONG4
        const n = i32();
        if (n < 0) throw new PickleError(`corrupt pickle: negative LONG4 length at byte ${opAt}`);
        cur.push(decodeLong(take(n, 'LONG4')));
        break;
      }
      case 0x49: { // INT (text); protocol 0 encodes bools as 00 / 01
        const l = line();
        cur.push(l === '00' ? false : l === '01' ? true : parseTextInt(l, 'INT'));
        break;
      }
      case 0x4c: cur.push(parseTextInt(line(), 'LONG')); break; // LONG (text)
      case 0x46: { // FLOAT (text)
        const l = line();
        const v = Number(l);
        if (Number.isNaN(v) && !/nan/i.test(l)) throw new PickleError(`corrupt pickle: bad FLOAT literal at byte ${opAt}`);
        cur.push(v);
        break;
      }
      case 0x47: { // BINFLOAT: big-endian double
        need(8, 'BINFLOAT');
        cur.push(dv.getFloat64(pos, false));
        pos += 8;
        break;
      }
      // ---- strings and bytes
      case 0x58: cur.push(str(take(u32(), 'BINUNICODE'))); break; // BINUNICODE
      case 0x8c: cur.push(str(take(u8(), 'SHORT_BINUNICODE'))); break; // SHORT_BINUNICODE
      case 0x8d: cur.push(str(take(u64(), 'BINUNICODE8'))); break; // BINUNICODE8
      case 0x56: cur.push(unescapePy(line())); break; // UNICODE (raw-unicode-escape)
      case 0x53: { // STRING (quoted repr)
        const l = line();
        const q = l[0];
        if ((q !== "'" && q !== '"') || l[l.length - 1] !== q) throw new PickleError(`corrupt pickle: bad STRING literal at byte ${opAt}`);
        cur.push(unescapePy(l.slice(1, -1)));
        break;
      }
      // Python 2 str → text (what torch's legacy loader does with encoding='utf-8').
      case 0x54: cur.push(latin1.decode(take(i32(), 'BINSTRING'))); break; // BINSTRING
      case 0x55: cur.push(latin1.decode(take(u8(), 'SHORT_BINSTRING'))); break; // SHORT_BINSTRING
      case 0x42: cur.push(take(u32(), 'BINBYTES').slice()); break; // BINBYTES
      case 0x43: cur.push(take(u8(), 'SHORT_BINBYTES').slice()); break; // SHORT_BINBYTES
      case 0x8e: cur.push(take(u64(), 'BINBYTES8').slice()); break; // BINBYTES8
      case 0x96: cur.push(take(u64(), 'BYTEARRAY8').slice()); break; // BYTEARRAY8
      case 0x97: throw new PickleError(`refusing pickle opcode NEXT_BUFFER (out-of-band data) at byte ${opAt}`);
      case 0x98: break; // READONLY_BUFFER: no-op for us
      // ---- containers
      case 0x29: cur.push(new PyTuple([])); break; // EMPTY_TUPLE
      case 0x85: cur.push(new PyTuple([pop()])); break; // TUPLE1
      case 0x86: { const b = pop(); const a = pop(); cur.push(new PyTuple([a, b])); break; } // TUPLE2
      case 0x87: { const c = pop(); const b = pop(); const a = pop(); cur.push(new PyTuple([a, b, c])); break; } // TUPLE3
      case 0x74: { const items = popMark(); cur.push(new PyTuple(items)); break; } // TUPLE
      case 0x5d: cur.push([]); break; // EMPTY_LIST
      case 0x6c: { const items = popMark(); cur.push(items); break; } // LIST
      case 0x61: { const v = pop(); appendItems(top(), [v]); break; } // APPEND
      case 0x65: { const items = popMark(); appendItems(top(), items); break; } // APPENDS
      case 0x7d: cur.push(new PyDict()); break; // EMPTY_DICT
      case 0x64: { const items = popMark(); const d = new PyDict(); setItems(d, items); cur.push(d); break; } // DICT
      case 0x73: { const v = pop(); const k = pop(); setItems(top(), [k, v]); break; } // SETITEM
      case 0x75: { const items = popMark(); setItems(top(), items); break; } // SETITEMS
      case 0x8f: cur.push(new PySet()); break; // EMPTY_SET
      case 0x90: { // ADDITEMS
        const items = popMark();
        const s = top();
        if (!(s instanceof PySet)) throw new PickleError(`corrupt pickle: ADDITEMS on a ${pyTypeName(s)}`);
        for (const it of items) s.items.push(it);
        break;
      }
      case 0x91: { const items = popMark(); const s = new PySet(true); for (const it of items) s.items.push(it); cur.push(s); break; } // FROZENSET
      // ---- memo
      case 0x70: memo.set(Number(parseTextInt(line(), 'PUT')), top()); break; // PUT
      case 0x71: memo.set(u8(), top()); break; // BINPUT
      case 0x72: memo.set(u32(), top()); break; // LONG_BINPUT
      case 0x94: memo.set(memo.size, top()); break; // MEMOIZE
      case 0x67: cur.push(memoGet(Number(parseTextInt(line(), 'GET')))); break; // GET
      case 0x68: cur.push(memoGet(u8())); break; // BINGET
      case 0x6a: cur.push(memoGet(u32())); break; // LONG_BINGET
      // ---- globals and calls (allowlist only)
      case 0x63: { const module = line(); const name = line(); cur.push(global(module, name)); break; } // GLOBAL
      case 0x93: { // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') throw new PickleError(`corrupt pickle: STACK_GLOBAL needs two strings at byte ${opAt}`);
        cur.push(global(module, name));
        break;
      }
      case 0x52: { const args = pop(); const fn = pop(); cur.push(call(fn, args)); break; } // REDUCE
      case 0x81: { const args = pop(); const cls = pop(); cur.push(call(cls, args)); break; } // NEWOBJ
      case 0x92: { // NEWOBJ_EX
        const kwargs = pop();
        const args = pop();
        const cls = pop();
        if (!(kwargs instanceof PyDict) || kwargs.map.size > 0) throw new PickleError(`refusing NEWOBJ_EX with keyword arguments at byte ${opAt}`);
        cur.push(call(cls, args));
        break;
      }
      case 0x62: { // BUILD: only attribute dicts on objects we made
        const state = pop();
        const obj = top();
        if (obj instanceof PyDict || obj instanceof PyObject) obj.attrs = state;
        else throw new PickleError(`refusing BUILD on a ${pyTypeName(obj)} at byte ${opAt}`);
        break;
      }
      case 0x69: { // INST: imports and instantiates a class
        const module = line();
        const name = line();
        throw new PickleError(refusalMessage(module, name));
      }
      case 0x6f: throw new PickleError(`refusing pickle opcode OBJ at byte ${opAt}`);
      case 0x82:
      case 0x83:
      case 0x84:
        throw new PickleError(`refusing pickle opcode EXT (copyreg extension registry) at byte ${opAt}`);
      // ---- persistent ids
      case 0x50: { // PERSID
        const pid = line();
        if (!hooks.persistentLoad) throw new PickleError('corrupt pickle: persistent id without a loader');
        cur.push(hooks.persistentLoad(pid));
        break;
      }
      case 0x51: { // BINPERSID
        const pid = pop();
        if (!hooks.persistentLoad) throw new PickleError('corrupt pickle: persistent id without a loader');
        cur.push(hooks.persistentLoad(pid));
        break;
      }
      default:
        throw new PickleError(`corrupt pickle: unknown opcode 0x${op.toString(16).padStart(2, '0')} at byte ${opAt}`);
    }
  }
}
