/**
 * Which command files `med3d <argv>` needs, so a call imports only its own command's module tree:
 * `med3d --version` loads no command and `med3d info x.nii` does not load the engine (every call
 * in a batch script pays the start-up). A file is picked when its text names the command in a
 * `.command('name')` or `.alias('name')` call; when no file does (help, a leading option, a typo),
 * every file is loaded so commander answers as it always does.
 */
const VERSION_FLAGS = new Set(['-V', '--version']);
const NAMED = /\.(?:command|alias)\(\s*['"`]([\w:-]+)/g;

/** `texts`: each command file's source (or compiled) text by file name; returns the file names to import. */
export function commandFilesFor(argv: readonly string[], texts: Readonly<Record<string, string>>): string[] {
  const files = Object.keys(texts).sort();
  const first = argv[2];
  if (first !== undefined && VERSION_FLAGS.has(first) && argv.length === 3) return [];
  if (first === undefined || first.startsWith('-')) return files;
  const picked = files.filter((f) => [...texts[f]!.matchAll(NAMED)].some((m) => m[1] === first));
  return picked.length ? picked : files;
}
