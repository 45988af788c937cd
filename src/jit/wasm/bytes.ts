/**
 * A growable byte buffer: what the builders append to. A `number[]` looked simpler,
 * but appending one element at a time to a JS array measured ~100 ns a byte on this
 * kind of machine against ~2 ns for a typed array that doubles when full, and the JIT
 * writes every instruction through here.
 */
export class ByteBuffer {
  private buf: Uint8Array<ArrayBuffer>;
  private used = 0;

  constructor(capacity = 64) {
    this.buf = new Uint8Array(Math.max(8, capacity));
  }

  /** Bytes written so far. */
  get length(): number {
    return this.used;
  }

  /** Appends one byte (the caller passes 0..255). */
  push(b: number): void {
    if (this.used === this.buf.length) this.grow(1);
    this.buf[this.used++] = b;
  }

  /** Appends two bytes: an opcode and a one-byte immediate, the commonest pair. */
  push2(a: number, b: number): void {
    if (this.used + 2 > this.buf.length) this.grow(2);
    this.buf[this.used++] = a;
    this.buf[this.used++] = b;
  }

  append(bytes: ArrayLike<number>): void {
    if (this.used + bytes.length > this.buf.length) this.grow(bytes.length);
    this.buf.set(bytes, this.used);
    this.used += bytes.length;
  }

  /** Drops everything after the first `n` bytes (undoing a half-written instruction). */
  truncate(n: number): void {
    if (n < this.used) this.used = n;
  }

  /** The bytes written, without copying; valid until the next write. */
  view(): Uint8Array<ArrayBuffer> {
    return this.buf.subarray(0, this.used);
  }

  /** A copy of the bytes written. */
  toBytes(): Uint8Array<ArrayBuffer> {
    return this.buf.slice(0, this.used);
  }

  /**
   * The bytes written, without a copy when the buffer is exactly full (a caller that
   * sized it knew the length); the buffer must not be written after this.
   */
  take(): Uint8Array<ArrayBuffer> {
    return this.used === this.buf.length ? this.buf : this.buf.slice(0, this.used);
  }

  private grow(extra: number): void {
    let cap = this.buf.length * 2;
    while (cap < this.used + extra) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.used));
    this.buf = next;
  }
}
