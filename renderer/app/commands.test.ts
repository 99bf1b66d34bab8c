import { describe, it, expect, expectTypeOf } from 'vitest';
import type { MenuCommand } from '../../common/api';
import { invoke, type CommandName, type CommandTable } from './commands';
import { shortcutFor, type KeyLike } from './shortcuts';

/** A table that records each call (command, argument). */
function recorder(): { table: CommandTable; calls: Array<[string, unknown]> } {
  const calls: Array<[string, unknown]> = [];
  const table = new Proxy({}, { get: (_t, name) => (arg: unknown) => calls.push([String(name), arg]) }) as CommandTable;
  return { table, calls };
}

const key = (k: string, o: Partial<KeyLike> = {}): KeyLike => ({ key: k, code: '', ctrlKey: false, metaKey: false, shiftKey: false, altKey: false, ...o });

describe('command table', () => {
  it('has a command for every menu command (compile-time)', () => {
    expectTypeOf<MenuCommand>().toMatchTypeOf<CommandName>();
  });

  it('routes a menu event and a key to the same entry, with their arguments', () => {
    const { table, calls } = recorder();
    invoke(table, { command: 'open-nifti', path: '/data/ct.nii.gz' });
    invoke(table, shortcutFor(key('s', { ctrlKey: true }))!);
    invoke(table, { command: 'save' });
    invoke(table, shortcutFor(key('!', { code: 'Digit1', shiftKey: true }))!);
    expect(calls).toEqual([
      ['open-nifti', { command: 'open-nifti', path: '/data/ct.nii.gz' }],
      ['save', { command: 'save' }],
      ['save', { command: 'save' }],
      ['preset', { command: 'preset', index: 0 }],
    ]);
  });
});
