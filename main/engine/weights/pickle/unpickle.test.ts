import { describe, expect, it } from 'vitest';
import { unpickle, type UnpickleHooks } from './unpickle';
import { PyDict, PyGlobal, PyObject, PySet, PyTuple, type PyValue } from './pyTypes';
import { PickleWriter } from './PickleWriter';

const none: UnpickleHooks = { isAllowed: () => false, call: () => null };
const run = (bytes: ArrayLike<number>, hooks: UnpickleHooks = none): PyValue => unpickle(Uint8Array.from(bytes), 0, hooks).value;
const enc = (s: string): number[] => Array.from(new TextEncoder().encode(s));
const le64 = (n: number): number[] => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24, 0, 0, 0, 0];

describe('unpickle (allowlist interpreter)', () => {
  it('reads protocol 4/5 opcodes: FRAME, SHORT_BINUNICODE, MEMOIZE, BINFLOAT, LONG1, EMPTY_SET, ADDITEMS, TUPLE2/3, BINBYTES', () => {
    const body = [
      0x7d, 0x94, // EMPTY_DICT MEMOIZE(0)
      0x28, // MARK
      0x8c, 1, ...enc('f'), 0x94, 0x47, 0x40, 0x09, 0x21, 0xfb, 0x54, 0x44, 0x2d, 0x18, // 'f': pi (BINFLOAT, big-endian)
      0x8c, 1, ...enc('l'), 0x8a, 9, 0, 0, 0, 0, 0, 0, 0, 0, 1, // 'l': 2**64 (LONG1)
      0x8c, 1, ...enc('n'), 0x8a, 1, 0xff, // 'n': -1
      0x8c, 1, ...enc('s'), 0x8f, 0x28, 0x4b, 7, 0x4b, 8, 0x90, // 's': {7, 8}
      0x8c, 1, ...enc('t'), 0x4b, 1, 0x4b, 2, 0x86, 0x4b, 3, 0x4b, 4, 0x4b, 5, 0x87, 0x86, // 't': ((1,2),(3,4,5))
      0x8c, 1, ...enc('b'), 0x43, 2, 0xde, 0xad, // 'b': b'\xde\xad'
      0x8c, 1, ...enc('m'), 0x68, 0, // 'm': the dict itself via BINGET 0
      0x75, // SETITEMS
      0x2e,
    ];
    const bytes = [0x80, 5, 0x95, ...le64(body.length), ...body];
    const v = run(bytes);
    expect(v).toBeInstanceOf(PyDict);
    const d = v as PyDict;
    expect(d.get('f')).toBeCloseTo(Math.PI, 15);
    expect(d.get('l')).toBe(2n ** 64n);
    expect(d.get('n')).toBe(-1);
    expect((d.get('s') as PySet).items).toEqual([7, 8]);
    const t = d.get('t') as PyTuple;
    expect((t.items[0] as PyTuple).items).toEqual([1, 2]);
    expect((t.items[1] as PyTuple).items).toEqual([3, 4, 5]);
    expect(Array.from(d.get('b') as Uint8Array)).toEqual([0xde, 0xad]);
    expect(d.get('m')).toBe(d);
  });

  it('reads protocol 0 text opcodes (INT, LONG, FLOAT, STRING, UNICODE, PUT/GET, LIST/APPEND)', () => {
    const v = run(enc("(lp0\nI42\naL-7L\naF0.5\naS'a\\nb'\naVh\\u00e9\nag0\na."));
    const list = v as PyValue[];
    expect(list.slice(0, 5)).toEqual([42, -7, 0.5, 'a\nb', 'hé']);
    expect(list[5]).toBe(list);
  });

  it('refuses GLOBALs outside the allowlist, including via STACK_GLOBAL and INST', () => {
    expect(() => run(enc('cos\nsystem\n(S\'ls\'\ntR.'))).toThrow('refusing pickle GLOBAL os.system (not in the allowlist)');
    expect(() => run([0x80, 4, 0x8c, 8, ...enc('builtins'), 0x8c, 4, ...enc('eval'), 0x93, 0x2e])).toThrow(
      'refusing pickle GLOBAL builtins.eval (not in the allowlist)',
    );
    expect(() => run(enc('(ios\nsystem\n.'))).toThrow('refusing pickle GLOBAL os.system');
  });

  it('hands allowed calls to the hook and never calls anything else', () => {
    const calls: string[] = [];
    const hooks: UnpickleHooks = {
      isAllowed: (m, n) => m === 'collections' && n === 'OrderedDict',
      call: (fn: PyGlobal, args) => {
        calls.push(`${fn.qualified}/${args.length}`);
        return new PyObject('od', null);
      },
    };
    const bytes = new PickleWriter().proto().global('collections', 'OrderedDict').emptyTuple().reduce().stop().finish();
    expect(run(bytes, hooks)).toBeInstanceOf(PyObject);
    expect(calls).toEqual(['collections.OrderedDict/0']);
  });

  it.each([
    ['truncated before STOP', [0x80, 2, 0x7d], /truncated: pickle ends at byte 3 before STOP/],
    ['truncated inside an argument', [0x80, 2, 0x58, 10, 0, 0, 0, 0x41], /truncated: pickle BINUNICODE/],
    ['unknown opcode', [0x80, 2, 0xff, 0x2e], /unknown opcode 0xff at byte 2/],
    ['missing memo entry', [0x80, 2, 0x68, 5, 0x2e], /memo entry 5 missing/],
    ['stack underflow', [0x80, 2, 0x85, 0x2e], /stack underflow/],
    ['unsupported protocol', [0x80, 9, 0x2e], /unsupported pickle protocol 9/],
    ['EXT opcode', [0x80, 2, 0x82, 1, 0x2e], /refusing pickle opcode EXT/],
  ])('rejects %s', (_t, bytes, msg) => {
    expect(() => run(bytes)).toThrow(msg);
  });

  it('PickleWriter ints round-trip through every width', () => {
    for (const v of [0, 255, 256, 65535, 65536, -1, -0x80000000, 0x7fffffff, 2 ** 40, -(2 ** 40), 0x1950a86a20f9469cfc6cn]) {
      expect(run(new PickleWriter().proto().int(v).stop().finish())).toEqual(v);
    }
    expect(run(new PickleWriter().proto().float(-1.25).stop().finish())).toBe(-1.25);
  });
});
