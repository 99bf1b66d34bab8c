import { describe, it, expect } from 'vitest';
import { decodePath, parseRequestTarget } from './requestTarget';

describe('parseRequestTarget', () => {
  it('splits origin-form targets into path and query', () => {
    const t = parseRequestTarget('/assets/a%20b.js?token=abc&x=%zz#frag');
    expect(t?.rawPath).toBe('/assets/a%20b.js');
    expect(t?.query.get('token')).toBe('abc');
    expect(t?.query.get('x')).toBe('%zz');
  });
  it.each(['http://a:99999/', '*', '', '//evil.example/x', 'api'])('refuses the non-origin-form target %j', (raw) => {
    expect(parseRequestTarget(raw)).toBeNull();
  });
});

describe('decodePath', () => {
  it('decodes escapes and refuses malformed ones and NUL', () => {
    expect(decodePath('/a%2Fb')).toBe('/a/b');
    expect(decodePath('/%E0%A4%A')).toBeNull();
    expect(decodePath('/a%00b')).toBeNull();
  });
});
