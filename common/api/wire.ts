/**
 * WebSocket framing for API messages: one JSON text frame per message, in which every
 * ArrayBuffer is replaced by {"$m3dbin": n}, followed by exactly `nbin` binary frames carrying
 * those buffers in order. Buffers are never base64'd or concatenated, so a 150 MB volume
 * crosses with no extra copy on the browser side. WebSocket keeps frame order per connection.
 */
import type { ResponseEnvelope } from './errors';

export type WireMessage =
  | { t: 'req'; id: number; method: string; payload: unknown }
  | { t: 'res'; id: number; env: ResponseEnvelope }
  | { t: 'evt'; event: string; payload: unknown };

const BIN_KEY = '$m3dbin';

export interface EncodedMessage {
  text: string;
  binaries: ArrayBuffer[];
}

export function encodeMessage(msg: WireMessage): EncodedMessage {
  const binaries: ArrayBuffer[] = [];
  const walk = (x: unknown, depth: number): unknown => {
    if (depth > 64) throw new Error('API message nested too deep');
    if (x instanceof ArrayBuffer) {
      binaries.push(x);
      return { [BIN_KEY]: binaries.length - 1 };
    }
    if (ArrayBuffer.isView(x)) throw new Error('API payloads carry ArrayBuffer, not typed arrays: pass array.buffer (sliced to the view)');
    if (Array.isArray(x)) return x.map((e) => walk(e, depth + 1));
    if (typeof x === 'object' && x !== null) {
      const out: Record<string, unknown> = {};
      for (const [k, e] of Object.entries(x)) out[k] = walk(e, depth + 1);
      return out;
    }
    return x;
  };
  const body = walk(msg, 0) as Record<string, unknown>;
  return { text: JSON.stringify(binaries.length ? { ...body, nbin: binaries.length } : body), binaries };
}

/** Stateful decoder: feed it frames in arrival order; returns a message once complete. */
export class WireDecoder {
  private pending: { header: Record<string, unknown>; nbin: number; bins: ArrayBuffer[] } | null = null;

  /** Throws on a protocol violation (the caller should close the connection). */
  push(frame: string | ArrayBuffer): WireMessage | null {
    if (typeof frame === 'string') {
      if (this.pending) throw new Error('protocol error: text frame while binary frames were expected');
      const header = JSON.parse(frame) as unknown;
      if (typeof header !== 'object' || header === null || Array.isArray(header)) throw new Error('protocol error: message is not an object');
      const h = header as Record<string, unknown>;
      const nbin = h.nbin === undefined ? 0 : h.nbin;
      if (typeof nbin !== 'number' || !Number.isInteger(nbin) || nbin < 0 || nbin > 1024) throw new Error('protocol error: bad nbin');
      if (nbin === 0) return this.finish(h, []);
      this.pending = { header: h, nbin, bins: [] };
      return null;
    }
    if (!this.pending) throw new Error('protocol error: unexpected binary frame');
    this.pending.bins.push(frame);
    if (this.pending.bins.length < this.pending.nbin) return null;
    const { header, bins } = this.pending;
    this.pending = null;
    return this.finish(header, bins);
  }

  private finish(header: Record<string, unknown>, bins: ArrayBuffer[]): WireMessage {
    const used = new Set<number>();
    const walk = (x: unknown, depth: number): unknown => {
      if (depth > 64) throw new Error('protocol error: nested too deep');
      if (Array.isArray(x)) return x.map((e) => walk(e, depth + 1));
      if (typeof x === 'object' && x !== null) {
        const o = x as Record<string, unknown>;
        const keys = Object.keys(o);
        if (keys.length === 1 && keys[0] === BIN_KEY) {
          const i = o[BIN_KEY];
          if (typeof i !== 'number' || !Number.isInteger(i) || i < 0 || i >= bins.length || used.has(i)) throw new Error('protocol error: bad binary reference');
          used.add(i);
          return bins[i];
        }
        const out: Record<string, unknown> = {};
        for (const k of keys) out[k] = walk(o[k], depth + 1);
        return out;
      }
      return x;
    };
    const { nbin: _nbin, ...rest } = header;
    const msg = walk(rest, 0) as Record<string, unknown>;
    if (msg.t === 'req' && typeof msg.id === 'number' && typeof msg.method === 'string') return msg as WireMessage;
    if (msg.t === 'res' && typeof msg.id === 'number' && typeof msg.env === 'object' && msg.env !== null) return msg as WireMessage;
    if (msg.t === 'evt' && typeof msg.event === 'string') return msg as WireMessage;
    throw new Error('protocol error: unknown message type');
  }
}
