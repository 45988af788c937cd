/**
 * Byte plumbing shared by the readers and writers: endian-aware integer access on
 * `Uint8Array`s (no `DataView` per record) and `ByteQueue`, the input buffer of the
 * incremental decoder.
 */

export type ByteOrder = 'little' | 'big';

export function u16(b: Uint8Array, at: number, le: boolean): number {
  return le ? b[at]! | (b[at + 1]! << 8) : (b[at]! << 8) | b[at + 1]!;
}

export function u32(b: Uint8Array, at: number, le: boolean): number {
  return le
    ? (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0
    : ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
}

export function u64(b: Uint8Array, at: number, le: boolean): bigint {
  const lo = u32(b, le ? at : at + 4, le);
  const hi = u32(b, le ? at + 4 : at, le);
  return (BigInt(hi) << 32n) | BigInt(lo);
}

export function i64(b: Uint8Array, at: number, le: boolean): bigint {
  return BigInt.asIntN(64, u64(b, at, le));
}

export function put16(b: Uint8Array, at: number, v: number, le: boolean): void {
  if (le) { b[at] = v & 0xff; b[at + 1] = (v >>> 8) & 0xff; }
  else { b[at] = (v >>> 8) & 0xff; b[at + 1] = v & 0xff; }
}

export function put32(b: Uint8Array, at: number, v: number, le: boolean): void {
  for (let i = 0; i < 4; i++) b[le ? at + i : at + 3 - i] = (v >>> (8 * i)) & 0xff;
}

export function put64(b: Uint8Array, at: number, v: bigint, le: boolean): void {
  const x = BigInt.asUintN(64, v);
  put32(b, le ? at : at + 4, Number(x & 0xffffffffn), le);
  put32(b, le ? at + 4 : at, Number(x >> 32n), le);
}

/** `n` rounded up to a multiple of 4 (pcapng pads every field to 32 bits). */
export function pad4(n: number): number {
  return n + ((4 - (n % 4)) % 4);
}

const utf8 = new TextDecoder('utf-8', { fatal: false });
const utf8Encoder = new TextEncoder();

/** UTF-8 text of an option value; pcapng strings are not NUL-terminated, but some writers add one. */
export function decodeUtf8(b: Uint8Array): string {
  let end = b.length;
  while (end > 0 && b[end - 1] === 0) end--;
  return utf8.decode(b.subarray(0, end));
}

export function encodeUtf8(s: string): Uint8Array {
  return utf8Encoder.encode(s);
}

/**
 * The decoder's input: bytes pushed in chunks, read front to back. Views handed out by
 * `peek` and `take` stay valid and unchanged forever: bytes already in the queue are
 * never overwritten (new bytes go after them, or into a fresh buffer), so packet data
 * can be returned as views rather than copies.
 */
export class ByteQueue {
  private buf: Uint8Array = new Uint8Array(0);
  private start = 0;
  private end = 0;
  /** True when `buf` is ours (so its tail past `end` may be written). */
  private owned = false;
  /** File offset of the next unread byte. */
  offset = 0;

  /** Bytes pushed and not yet taken. */
  get available(): number {
    return this.end - this.start;
  }

  /**
   * Appends a chunk. With `adopt`, an empty queue keeps a view of the chunk instead of
   * copying it (the caller promises not to modify it).
   */
  push(chunk: Uint8Array, adopt = false): void {
    if (chunk.length === 0) return;
    const live = this.end - this.start;
    if (live === 0 && adopt) {
      this.buf = chunk;
      this.start = 0;
      this.end = chunk.length;
      this.owned = false;
      return;
    }
    if (this.owned && this.buf.length - this.end >= chunk.length) {
      this.buf.set(chunk, this.end);
      this.end += chunk.length;
      return;
    }
    const next = new Uint8Array(Math.max(live + chunk.length, 2 * live, 65536));
    next.set(this.buf.subarray(this.start, this.end), 0);
    next.set(chunk, live);
    this.buf = next;
    this.start = 0;
    this.end = live + chunk.length;
    this.owned = true;
  }

  /** A view of the next `n` bytes, or undefined when fewer are available. */
  peek(n: number): Uint8Array | undefined {
    if (this.end - this.start < n) return undefined;
    return this.buf.subarray(this.start, this.start + n);
  }

  /** Consumes `n` bytes (which must be available). */
  skip(n: number): void {
    this.start += n;
    this.offset += n;
  }
}
