// Types for bin/buildCli.mjs (plain JavaScript so it runs before anything is compiled).
export const REPO_ROOT: string;
export const SOURCE_ROOTS: string[];
export function defaultOutDir(): string;
export type SourceStamps = Record<string, [size: number, mtimeMs: number]>;
export function scanSources(root?: string, roots?: string[]): SourceStamps;
export function buildInputsStamp(root?: string): string;
export function readManifest(outDir: string): { stamp: string; sources: SourceStamps } | null;
export function staleSources(sources: SourceStamps, manifest: { stamp: string; sources: SourceStamps } | null, stamp: string): { compile: string[]; remove: string[]; full: boolean } | null;
export interface BuildOptions {
  root?: string;
  roots?: string[];
  outDir?: string;
  force?: boolean;
}
export function buildCli(opts?: BuildOptions): Promise<{ compiled: number; removed: number; outDir: string }>;
export function compiledEntry(rel: string, opts?: Omit<BuildOptions, 'force'>): Promise<URL | null>;
