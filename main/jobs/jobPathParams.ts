/**
 * Job parameters that name files or folders. Every job kind declares which of its parameters
 * are paths and whether the job reads or writes there (`JobKindHandler.pathParams`); the job
 * manager resolves each through the host's path policy (PathGuard: allowed roots, symlinks,
 * user grants) before the job is queued, and hands the handler the checked absolute paths.
 * A path-like value in a parameter the kind did not declare is refused rather than trusted, so a
 * kind that forgets its declaration fails closed.
 */
import { JobError } from './JobError';
import type { JsonValue } from '../../common/api/schema';

/** 'read': must exist inside the allowed folders; 'write': a destination inside them (may not exist yet). */
export type JobPathAccess = 'read' | 'write';

export interface JobPathParam {
  access: JobPathAccess;
  /**
   * Values matching this are ids the handler resolves itself (e.g. a model version 'lung-v3'
   * inside the workspace), not paths.
   */
  idPattern?: RegExp;
}

/** Top-level parameter name → how it is used. */
export type JobPathParams = Readonly<Record<string, JobPathAccess | JobPathParam>>;

/** What the host checks paths with (PathGuard and the workspace's write rules). */
export interface JobPathPolicy {
  /** Absolute real path inside the allowed folders, or throws ApiError naming it. */
  resolve(p: string, o: { mustExist?: boolean; what?: string }): Promise<string>;
  /** Throws when a job must not write there (e.g. over the workspace's own files). */
  checkWrite?(abs: string, what: string): void | Promise<void>;
}

/** Absolute POSIX or Windows paths, home-relative paths and file URLs. */
const PATH_LIKE = /^(\/|~[\\/]|[A-Za-z]:[\\/]|\\\\|file:)/i;

function param(decl: JobPathAccess | JobPathParam): JobPathParam {
  return typeof decl === 'string' ? { access: decl } : decl;
}

/**
 * Throw 'forbidden-path' for a path-like string anywhere in `params` outside the declared
 * parameters (which the caller checks separately).
 */
export function refuseUndeclaredPaths(kind: string, params: JsonValue, declared: JobPathParams = {}): void {
  const walk = (x: JsonValue, at: string, top: boolean): void => {
    if (typeof x === 'string') {
      if (PATH_LIKE.test(x)) throw new JobError('forbidden-path', `${kind}: parameter "${at}" looks like a path (${x.slice(0, 200)}) but the ${kind} job kind does not declare it as one`, x);
      return;
    }
    if (Array.isArray(x)) x.forEach((e, i) => walk(e, `${at}[${i}]`, false));
    else if (x && typeof x === 'object') {
      for (const [k, e] of Object.entries(x)) {
        if (top && Object.hasOwn(declared, k)) continue;
        walk(e, at ? `${at}.${k}` : k, false);
      }
    }
  };
  walk(params, '', true);
}

/** True when `params` carries a value for a declared path parameter that is not an id. */
export function hasPathValues(params: JsonValue, declared: JobPathParams = {}): boolean {
  if (!params || typeof params !== 'object' || Array.isArray(params)) return false;
  return Object.entries(declared).some(([k, d]) => {
    const val = Object.hasOwn(params, k) ? params[k] : undefined;
    return val !== undefined && val !== null && !(typeof val === 'string' && param(d).idPattern?.test(val));
  });
}

/**
 * Resolve every declared path parameter through `policy` and return the parameters with the
 * checked absolute paths in place; throws JobError (or the policy's error) naming the parameter and the path.
 */
export async function checkJobPaths(kind: string, params: JsonValue, declared: JobPathParams, policy: JobPathPolicy): Promise<JsonValue> {
  refuseUndeclaredPaths(kind, params, declared);
  if (!params || typeof params !== 'object' || Array.isArray(params)) return params;
  const out: { [k: string]: JsonValue } = { ...params };
  for (const [key, d] of Object.entries(declared)) {
    if (!Object.hasOwn(params, key) || params[key] === null) continue;
    const val = params[key];
    const { access, idPattern } = param(d);
    if (typeof val !== 'string') throw new JobError('invalid-request', `${kind}: parameter "${key}" must be a path (string)`);
    if (idPattern?.test(val)) continue;
    const what = `${kind} ${access === 'read' ? 'input' : 'output'} "${key}"`;
    const abs = await policy.resolve(val, { mustExist: access === 'read', what });
    if (access === 'write') await policy.checkWrite?.(abs, what);
    out[key] = abs;
  }
  return out;
}
