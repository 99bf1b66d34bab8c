// Types for jpeg-lossless-decoder-js 2.x, whose published package ships no declarations.
declare module 'jpeg-lossless-decoder-js' {
  export class Decoder {
    constructor(buffer?: ArrayBuffer | null, numBytes?: number);
    /** Decode a JPEG Lossless (process 14) codestream; numBytes = bytes per output sample (1 or 2). */
    decode(buffer?: ArrayBuffer, offset?: number, length?: number, numBytes?: number): Uint8Array | Uint16Array;
  }
}
