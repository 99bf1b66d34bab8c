import { createRequire } from 'node:module';
import { describeCause } from '../../../../util/readerErrorMessage';

/**
 * The cornerstone codecs are emscripten builds: each package exports a factory returning a
 * promise of the module, which loads its .wasm beside the script (Node path: fs.readFileSync of
 * __dirname + file). We load the decode-only WASM builds once, lazily, on first use.
 */

export interface DecodedFrameInfo {
  width: number;
  height: number;
  bitsPerSample: number;
  componentCount: number;
  isSigned?: boolean;
}

/** Shape shared by the cornerstone codec decoders (J2KDecoder, HTJ2KDecoder, JpegLSDecoder, JPEGDecoder). */
export interface WasmDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  decode(): void;
  getDecodedBuffer(): Uint8Array;
  getFrameInfo(): DecodedFrameInfo;
  delete(): void;
}

type DecoderCtor = new () => WasmDecoder;

export type CodecName = 'openjpeg' | 'openjph' | 'charls' | 'libjpeg-turbo';

const SPEC: Record<CodecName, { module: string; ctor: string }> = {
  openjpeg: { module: '@cornerstonejs/codec-openjpeg/decodewasmjs', ctor: 'J2KDecoder' },
  openjph: { module: '@cornerstonejs/codec-openjph/wasmjs', ctor: 'HTJ2KDecoder' },
  charls: { module: '@cornerstonejs/codec-charls/decodewasmjs', ctor: 'JpegLSDecoder' },
  'libjpeg-turbo': { module: '@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs', ctor: 'JPEGDecoder' },
};

const require = createRequire(import.meta.url);
const loaded = new Map<CodecName, Promise<DecoderCtor>>();

export function loadCodec(name: CodecName): Promise<DecoderCtor> {
  let p = loaded.get(name);
  if (!p) {
    const spec = SPEC[name];
    p = (async () => {
      const factory = require(spec.module) as (opts?: object) => Promise<Record<string, unknown>>;
      const mod = await factory({ print: () => undefined, printErr: () => undefined });
      const ctor = mod[spec.ctor] as DecoderCtor | undefined;
      if (!ctor) throw new Error(`codec ${spec.module} has no ${spec.ctor}`);
      return ctor;
    })();
    loaded.set(name, p);
  }
  return p;
}

/** Run one wasm decoder on a codestream; returns a copy of the decoded bytes (WASM memory is freed). */
export async function decodeWithCodec(name: CodecName, encoded: Uint8Array): Promise<{ bytes: Uint8Array; info: DecodedFrameInfo }> {
  const Ctor = await loadCodec(name);
  const dec = new Ctor();
  try {
    dec.getEncodedBuffer(encoded.length).set(encoded);
    try {
      dec.decode();
    } catch (e) {
      throw new Error(`${name} could not decode the frame (${describeCause(e)})`);
    }
    const info = dec.getFrameInfo();
    const out = dec.getDecodedBuffer();
    return { bytes: new Uint8Array(out), info: { ...info } };
  } finally {
    dec.delete();
  }
}
