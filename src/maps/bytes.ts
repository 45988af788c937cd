/**
 * Byte helpers for map keys and values: little-endian number views (what a u32/u64
 * key or counter looks like on x86-64 and arm64), conversion of convenience arguments
 * to exact-size buffers, 64-bit flag words, and the hash the hash-based maps use.
 */
import { MapError, MapErrorCode } from './errors.js';
import { Errno } from './constants.js';

/** A key or value from the user side: bytes, or a number / bigint when the size is 1, 2, 4 or 8. */
export type BytesLike = Uint8Array | ArrayLike<number> | number | bigint;

/** Four little-endian bytes of an unsigned (or signed) 32-bit number. */
export function u32(value: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value >>> 0, true);
  return out;
}

/** Eight little-endian bytes of a 64-bit number (negative values wrap). */
export function u64(value: number | bigint): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt.asUintN(64, BigInt(value)), true);
  return out;
}

function need(bytes: Uint8Array, offset: number, size: number): void {
  if (!(offset >= 0) || offset + size > bytes.length) {
    throw new MapError(MapErrorCode.BAD_ARGUMENT, Errno.EINVAL,
      `cannot read ${size} bytes at offset ${offset} of a ${bytes.length}-byte value`);
  }
}

/** Reads a little-endian u32 at `offset`. */
export function readU32(bytes: Uint8Array, offset = 0): number {
  need(bytes, offset, 4);
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(offset, true);
}

/** Reads a little-endian u64 at `offset` as a bigint. */
export function readU64(bytes: Uint8Array, offset = 0): bigint {
  need(bytes, offset, 8);
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(offset, true);
}

/** Reads a little-endian s64 at `offset` as a bigint. */
export function readI64(bytes: Uint8Array, offset = 0): bigint {
  need(bytes, offset, 8);
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigInt64(offset, true);
}

/** Concatenates byte arrays. */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

/**
 * Converts a user-side key or value to exactly `size` bytes. Numbers and bigints are
 * little-endian and only allowed for sizes 1, 2, 4 and 8; byte arrays must have the
 * exact size (Linux copies exactly key_size / value_size bytes from the caller).
 */
export function toBytes(value: BytesLike, size: number, what: string, map?: string): Uint8Array {
  if (typeof value === 'number' || typeof value === 'bigint') {
    if (size !== 1 && size !== 2 && size !== 4 && size !== 8) {
      throw new MapError(MapErrorCode.BAD_ARGUMENT, Errno.EINVAL, `a number cannot be a ${size}-byte ${what}`, { map });
    }
    if (typeof value === 'number' && !Number.isInteger(value)) {
      throw new MapError(MapErrorCode.BAD_ARGUMENT, Errno.EINVAL, `${what} ${value} is not an integer`, { map });
    }
    const full = u64(value);
    return full.slice(0, size);
  }
  const bytes = value instanceof Uint8Array ? value : Uint8Array.from(value);
  if (bytes.length !== size) {
    throw new MapError(MapErrorCode.BAD_ARGUMENT, Errno.EINVAL,
      `${what} has ${bytes.length} bytes, the map's ${what} size is ${size}`, { map });
  }
  return bytes;
}

/** A 64-bit flags word as unsigned 32-bit halves (helpers pass flags as u64). */
export interface FlagWord { readonly lo: number; readonly hi: number }

/** Splits a flags argument (number up to 2^53 or bigint) into u32 halves. */
export function flagWord(flags: number | bigint): FlagWord {
  if (typeof flags === 'bigint') {
    const v = BigInt.asUintN(64, flags);
    return { lo: Number(v & 0xffffffffn), hi: Number(v >> 32n) };
  }
  if (!Number.isFinite(flags) || flags < 0) return { lo: 0xffffffff, hi: 0xffffffff };
  return { lo: flags % 0x100000000 >>> 0, hi: Math.floor(flags / 0x100000000) >>> 0 };
}

/** A 64-bit flag argument as a number when it fits in 32 bits, else a huge sentinel. */
export function smallFlags(flags: number | bigint): number {
  const w = flagWord(flags);
  return w.hi === 0 ? w.lo : Number.MAX_SAFE_INTEGER;
}

export function roundUp(value: number, to: number): number {
  return Math.ceil(value / to) * to;
}

export function isPowerOfTwo(n: number): boolean {
  return n > 0 && Number.isInteger(Math.log2(n));
}

/** Smallest power of two >= n (n >= 1). */
export function roundUpPow2(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/**
 * The 32-bit hash of the hash-based maps and the bloom filter: MurmurHash3 (x86, 32-bit
 * variant, Austin Appleby's public-domain design) over `length` bytes at `offset`.
 * Linux uses jhash with a random seed; ebee uses a fixed seed so iteration order is
 * the same on every run and every machine.
 */
export function hash32(bytes: Uint8Array, offset: number, length: number, seed: number): number {
  let h = seed >>> 0;
  const blocks = length & ~3;
  let i = 0;
  for (; i < blocks; i += 4) {
    const at = offset + i;
    let k = bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  const rest = length & 3;
  if (rest > 0) {
    let k = 0;
    for (let j = rest - 1; j >= 0; j--) k = (k << 8) | bytes[offset + i + j]!;
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
  }
  h ^= length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** True when `a[aOff..aOff+n)` equals `b[bOff..bOff+n)`. */
export function bytesEqual(a: Uint8Array, aOff: number, b: Uint8Array, bOff: number, n: number): boolean {
  for (let i = 0; i < n; i++) if (a[aOff + i] !== b[bOff + i]) return false;
  return true;
}

/**
 * An LPM trie key: u32 prefix length (host order, little-endian) then the data bytes
 * in network order. `lpmKey(24, [10, 1, 2, 0])` is 10.1.2.0/24.
 */
export function lpmKey(prefixlen: number, data: ArrayLike<number>): Uint8Array {
  return concatBytes(u32(prefixlen), Uint8Array.from(data));
}

/** An IPv4 LPM key from CIDR text: `ipv4Key('10.0.0.0/8')`; no `/n` means /32. */
export function ipv4Key(cidr: string): Uint8Array {
  const [addr, len] = cidr.split('/');
  const parts = (addr ?? '').split('.').map((p) => Number(p));
  const prefix = len === undefined ? 32 : Number(len);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)
    || !Number.isInteger(prefix) || prefix < 0 || prefix > 32) {
    throw new MapError(MapErrorCode.BAD_ARGUMENT, Errno.EINVAL, `not an IPv4 prefix: ${cidr}`);
  }
  return lpmKey(prefix, parts);
}
