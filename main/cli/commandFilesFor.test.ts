import { describe, expect, it } from 'vitest';
import { commandFilesFor } from './commandFilesFor';

const texts = {
  'volume.ts': "program\n    .command('info')\n  ...\n  program.command('convert')",
  'weights.ts': "const weights = program.command('weights');\n weights\n    .command('inspect')",
  'dataset.ts': "const dataset = program.command('dataset'); dataset.command(\"inspect\")",
  'serve.ts': "addDeviceOption(program.command('serve')).alias('web')",
};
const argv = (...a: string[]) => ['node', 'med3d', ...a];

describe('commandFilesFor', () => {
  it('loads no command for a bare --version / -V', () => {
    expect(commandFilesFor(argv('--version'), texts)).toEqual([]);
    expect(commandFilesFor(argv('-V'), texts)).toEqual([]);
  });

  it('loads only the file that names the command (or its alias)', () => {
    expect(commandFilesFor(argv('info', 'ct.nii.gz', '--json'), texts)).toEqual(['volume.ts']);
    expect(commandFilesFor(argv('weights', 'inspect', 'w.pth'), texts)).toEqual(['weights.ts']);
    expect(commandFilesFor(argv('web'), texts)).toEqual(['serve.ts']);
  });

  it('loads every file that names it when several do (a subcommand may share a name)', () => {
    expect(commandFilesFor(argv('inspect'), texts)).toEqual(['dataset.ts', 'weights.ts']);
  });

  it('loads everything for help, a leading option, no command or an unknown one', () => {
    const all = ['dataset.ts', 'serve.ts', 'volume.ts', 'weights.ts'];
    expect(commandFilesFor(argv(), texts)).toEqual(all);
    expect(commandFilesFor(argv('--help'), texts)).toEqual(all);
    expect(commandFilesFor(argv('--version', 'info'), texts)).toEqual(all);
    expect(commandFilesFor(argv('infoo'), texts)).toEqual(all);
  });
});
