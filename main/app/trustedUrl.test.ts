import { describe, it, expect } from 'vitest';
import { isTrustedUrl } from './trustedUrl';

describe('isTrustedUrl', () => {
  it.each([
    ['app://med3d/index.html', undefined, true],
    ['app://med3d/assets/a.js?x=1', undefined, true],
    ['app://med3d.evil.com/index.html', undefined, false],
    ['app://user:pw@med3d/index.html', undefined, false],
    ['app://other/index.html', undefined, false],
    ['http://localhost:5173/', 'http://localhost:5173', true],
    ['http://localhost:5173/src/main.ts', 'http://localhost:5173/', true],
    ['http://localhost:5173.evil.com/', 'http://localhost:5173', false],
    ['http://localhost:51730/', 'http://localhost:5173', false],
    ['https://localhost:5173/', 'http://localhost:5173', false],
    ['http://localhost:5173@evil.com/', 'http://localhost:5173', false],
    ['http://localhost:5173/', undefined, false],
    ['http://localhost:5173/', 'not a url', false],
    ['file:///etc/passwd', 'file:///etc', false],
    ['%%%', 'http://localhost:5173', false],
  ])('%s (dev server %s) → %s', (url, dev, ok) => {
    expect(isTrustedUrl(url, dev)).toBe(ok);
  });
});
