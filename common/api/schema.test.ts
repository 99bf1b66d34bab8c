import { describe, it, expect } from 'vitest';
import { v, ApiValidationError } from './schema';
import { REQUEST_SCHEMAS } from './Med3dApi';

describe('schema helper', () => {
  it('accepts valid objects and drops undefined optionals', () => {
    const s = v.object({ a: v.string(), b: v.optional(v.number({ integer: true })) });
    expect(s.parse({ a: 'x' })).toEqual({ a: 'x' });
    expect(s.parse({ a: 'x', b: 3 })).toEqual({ a: 'x', b: 3 });
  });
  it.each([
    [{ a: 1 }, 'a: expected string'],
    [{ a: 'x', b: 1.5 }, 'b: expected integer'],
    [{ a: 'x', c: 1 }, 'c: expected no such field'],
    [null, 'payload: expected object'],
    [{ a: 'x\0y' }, 'a: expected string without NUL'],
  ])('rejects %j with a message naming the field', (input, msg) => {
    const s = v.object({ a: v.string(), b: v.optional(v.number({ integer: true })) });
    expect(() => s.parse(input)).toThrow(ApiValidationError);
    expect(() => s.parse(input)).toThrow(msg);
  });
  it('discriminated unions pick the member by tag', () => {
    const s = REQUEST_SCHEMAS.openVolume;
    expect(s.parse({ kind: 'demo' })).toEqual({ kind: 'demo' });
    expect(s.parse({ kind: 'path', path: '/a.nii' })).toEqual({ kind: 'path', path: '/a.nii' });
    expect(() => s.parse({ kind: 'path' })).toThrow('path: expected string');
    expect(() => s.parse({ kind: 'url', path: 'x' })).toThrow('kind: expected "path" | "demo"');
  });
  it('nested paths name array items', () => {
    expect(() => REQUEST_SCHEMAS.updateSettings.parse({ labels: [{ value: 1, name: 'lung', color: [0, 0, 300] }] })).toThrow('labels[0].color[2]');
  });
  it('ArrayBuffer fields refuse typed arrays', () => {
    const ok = REQUEST_SCHEMAS.saveLabel.parse({ caseId: 'c1', labels: new ArrayBuffer(8), status: 'corrected' });
    expect(ok.labels.byteLength).toBe(8);
    expect(() => REQUEST_SCHEMAS.saveLabel.parse({ caseId: 'c1', labels: new Uint8Array(8), status: 'corrected' })).toThrow('labels: expected ArrayBuffer');
  });
  it('json() refuses non-JSON values', () => {
    const s = v.json(3);
    expect(s.parse({ a: [1, 'x', null, { b: true }] })).toEqual({ a: [1, 'x', null, { b: true }] });
    expect(() => s.parse({ a: () => 1 })).toThrow('a: expected JSON value');
    expect(() => s.parse({ a: Number.NaN })).toThrow('finite number');
    expect(() => s.parse([[[[[1]]]]])).toThrow('nested at most 3');
  });
  it.each(['constructor', 'toString', '__proto__', 'hasOwnProperty'])('refuses the inherited name %s as an unknown field', (key) => {
    const s = v.object({ a: v.string() });
    const payload = JSON.parse(`{"a":"x","${key}":1}`) as unknown;
    expect(() => s.parse(payload)).toThrow(`${key}: expected no such field`);
    expect(() => REQUEST_SCHEMAS.openCase.parse(JSON.parse(`{"caseId":"c","${key}":{}}`))).toThrow(ApiValidationError);
  });
  it('union tags must be own members', () => {
    expect(() => REQUEST_SCHEMAS.openVolume.parse({ kind: 'constructor' })).toThrow('kind: expected "path" | "demo"');
  });
  it('json() keeps a "__proto__" key as data, never as the prototype', () => {
    const out = v.json().parse(JSON.parse('{"__proto__":{"polluted":true},"a":1}')) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect((out as { polluted?: unknown }).polluted).toBeUndefined();
    expect(Object.hasOwn(out, '__proto__')).toBe(true);
    expect(JSON.stringify(out)).toBe('{"__proto__":{"polluted":true},"a":1}');
  });
  it('ids refuse path-like strings', () => {
    expect(() => REQUEST_SCHEMAS.openCase.parse({ caseId: '../x' })).toThrow('caseId');
  });
  it('none() accepts nothing, null or {}', () => {
    expect(REQUEST_SCHEMAS.listCases.parse(undefined)).toBeUndefined();
    expect(REQUEST_SCHEMAS.listCases.parse({})).toBeUndefined();
    expect(() => REQUEST_SCHEMAS.listCases.parse({ x: 1 })).toThrow();
  });
});
