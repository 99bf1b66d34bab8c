/**
 * A small protocol-2 pickle emitter, enough to write what torch.save writes for a state dict
 * (and to build synthetic pickles in tests). Callers drive it opcode by opcode; `memo` helpers
 * let repeated GLOBALs be written once and fetched with BINGET like CPython does.
 */
export class PickleWriter {
  private chunks: number[] = [];
  private memoCount = 0;
  private readonly memo = new Map<string, number>();
  private static readonly enc = new TextEncoder();

  private u8(...b: number[]): this {
    for (const x of b) this.chunks.push(x & 0xff);
    return this;
  }
  private u32(v: number): this {
    return this.u8(v, v >>> 8, v >>> 16, v >>> 24);
  }
  private raw(bytes: Uint8Array): this {
    for (const x of bytes) this.chunks.push(x);
    return this;
  }

  proto(v = 2): this {
    return this.u8(0x80, v);
  }
  stop(): this {
    return this.u8(0x2e);
  }
  mark(): this {
    return this.u8(0x28);
  }
  none(): this {
    return this.u8(0x4e);
  }
  bool(v: boolean): this {
    return this.u8(v ? 0x88 : 0x89);
  }
  int(v: number | bigint): this {
    if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < 256) return this.u8(0x4b, v);
    if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < 65536) return this.u8(0x4d, v, v >>> 8);
    if (typeof v === 'number' && Number.isInteger(v) && v >= -0x80000000 && v <= 0x7fffffff) return this.u8(0x4a).u32(v >>> 0);
    // LONG1: minimal little-endian two's complement.
    let b = BigInt(v);
    const out: number[] = [];
    for (;;) {
      const byte = Number(b & 0xffn);
      out.push(byte);
      b >>= 8n;
      if ((b === 0n && !(byte & 0x80)) || (b === -1n && byte & 0x80)) break;
    }
    return this.u8(0x8a, out.length, ...out);
  }
  float(v: number): this {
    const dv = new DataView(new ArrayBuffer(8));
    dv.setFloat64(0, v, false);
    return this.u8(0x47).raw(new Uint8Array(dv.buffer));
  }
  str(s: string): this {
    const b = PickleWriter.enc.encode(s);
    return this.u8(0x58).u32(b.length).raw(b);
  }
  /** GLOBAL module\nname\n, memoized so each one is written once. */
  global(module: string, name: string): this {
    const key = `${module}\n${name}`;
    const idx = this.memo.get(key);
    if (idx !== undefined) return this.get(idx);
    this.u8(0x63).raw(PickleWriter.enc.encode(`${module}\n${name}\n`));
    this.memo.set(key, this.memoCount);
    return this.put();
  }
  /** BINPUT / LONG_BINPUT the top of stack into the next memo slot. */
  put(): this {
    const i = this.memoCount++;
    return i < 256 ? this.u8(0x71, i) : this.u8(0x72).u32(i);
  }
  get(i: number): this {
    return i < 256 ? this.u8(0x68, i) : this.u8(0x6a).u32(i);
  }
  emptyTuple(): this {
    return this.u8(0x29);
  }
  tuple(): this {
    return this.u8(0x74);
  }
  tuple1(): this {
    return this.u8(0x85);
  }
  emptyDict(): this {
    return this.u8(0x7d);
  }
  emptyList(): this {
    return this.u8(0x5d);
  }
  setitem(): this {
    return this.u8(0x73);
  }
  setitems(): this {
    return this.u8(0x75);
  }
  appends(): this {
    return this.u8(0x65);
  }
  reduce(): this {
    return this.u8(0x52);
  }
  build(): this {
    return this.u8(0x62);
  }
  binpersid(): this {
    return this.u8(0x51);
  }
  /** Write a tuple of ints (sizes, strides) with the shortest opcodes. */
  intTuple(v: readonly number[]): this {
    if (v.length === 0) return this.emptyTuple();
    this.mark();
    for (const x of v) this.int(x);
    return this.tuple();
  }
  /** Any raw opcode bytes (tests use this to inject bad input). */
  bytes(b: ArrayLike<number>): this {
    return this.u8(...Array.from(b));
  }
  finish(): Uint8Array {
    return Uint8Array.from(this.chunks);
  }
}
