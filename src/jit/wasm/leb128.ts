/**
 * LEB128, the variable-length integer encoding of every index, length and constant in
 * the wasm binary format (core spec 5.2.2). Writers append to the builders'
 * `ByteBuffer`; readers serve `printWat` and the tests.
 *
 * Writers take exactly the range their encoding can hold and throw `EBEE_WASM_RANGE`
 * otherwise, because a silently truncated index or constant is a miscompilation. The
 * `writeI32` / `writeI64` forms are for `i32.const` / `i64.const`, whose immediates are
 * signed but whose values are just bit patterns: they also take the unsigned spelling
 * (2^64-1 is -1), so callers need not convert first.
 */
import { ByteBuffer } from './bytes.js';
import { WasmEncodeError, WasmErrorCode } from './errors.js';

const TWO_31 = 2 ** 31;
const TWO_32 = 2 ** 32;
const TWO_63n = 1n << 63n;
const TWO_64n = 1n << 64n;

function rangeError(what: string, v: number | bigint): WasmEncodeError {
  return new WasmEncodeError(WasmErrorCode.RANGE, `${String(v)} is not a valid ${what}`);
}

/** Appends `v` (an integer in [0, 2^32)) as unsigned LEB128: at most 5 bytes. */
export function writeU32(out: ByteBuffer, v: number): void {
  if (!Number.isInteger(v) || v < 0 || v >= TWO_32) throw rangeError('u32', v);
  for (;;) {
    const b = v & 0x7f;
    v >>>= 7;
    if (v === 0) { out.push(b); return; }
    out.push(b | 0x80);
  }
}

/** Appends `v` (an integer in [-2^31, 2^31)) as signed LEB128: at most 5 bytes. */
export function writeS32(out: ByteBuffer, v: number): void {
  if (!Number.isInteger(v) || v < -TWO_31 || v >= TWO_31) throw rangeError('s32', v);
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    // Done once the rest is pure sign extension of the bit just written (bit 6).
    if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) { out.push(b); return; }
    out.push(b | 0x80);
  }
}

/** Appends an `i32.const` immediate: any 32-bit pattern, given in [-2^31, 2^32). */
export function writeI32(out: ByteBuffer, v: number): void {
  if (!Number.isInteger(v) || v < -TWO_31 || v >= TWO_32) throw rangeError('i32 constant', v);
  writeS32(out, v | 0);
}

/** Appends `v` (an integer in [-2^63, 2^63)) as signed LEB128: at most 10 bytes. */
export function writeS64(out: ByteBuffer, v: bigint | number): void {
  if (typeof v === 'number') {
    // The common case in JITted code (small constants, offsets) stays off BigInt:
    // floor division by 128 is exact for every safe integer.
    if (!Number.isSafeInteger(v)) {
      if (!Number.isInteger(v)) throw rangeError('s64', v);
      writeS64(out, BigInt(v));
      return;
    }
    for (;;) {
      const q = Math.floor(v / 128);
      const b = (v - q * 128) | 0; // `| 0` keeps it a small integer: a double would turn the whole byte array into doubles
      v = q;
      if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) { out.push(b); return; }
      out.push(b | 0x80);
    }
  }
  if (v < -TWO_63n || v >= TWO_63n) throw rangeError('s64', v);
  for (;;) {
    const b = Number(v & 0x7fn);
    v >>= 7n; // BigInt shifts are arithmetic (floor), as signed LEB128 needs
    if ((v === 0n && (b & 0x40) === 0) || (v === -1n && (b & 0x40) !== 0)) { out.push(b); return; }
    out.push(b | 0x80);
  }
}

/** Appends an `i64.const` immediate: any 64-bit pattern, given in [-2^63, 2^64). */
export function writeI64(out: ByteBuffer, v: bigint | number): void {
  if (typeof v === 'number') {
    if (Number.isSafeInteger(v)) { writeS64(out, v); return; }
    if (!Number.isInteger(v)) throw rangeError('i64 constant', v);
    v = BigInt(v);
  }
  if (v < -TWO_63n || v >= TWO_64n) throw rangeError('i64 constant', v);
  writeS64(out, v >= TWO_63n ? v - TWO_64n : v);
}

/** Appends `v` (an integer in [0, 2^64)) as unsigned LEB128: at most 10 bytes. */
export function writeU64(out: ByteBuffer, v: bigint | number): void {
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw rangeError('u64', v);
    v = BigInt(v);
  }
  if (v < 0n || v >= TWO_64n) throw rangeError('u64', v);
  for (;;) {
    const b = Number(v & 0x7fn);
    v >>= 7n;
    if (v === 0n) { out.push(b); return; }
    out.push(b | 0x80);
  }
}

/** The bytes a writer appends, for tests and one-off uses: `bytesOf((o) => writeS64(o, -1n))`. */
export function bytesOf(write: (out: ByteBuffer) => void): Uint8Array<ArrayBuffer> {
  const out = new ByteBuffer();
  write(out);
  return out.toBytes();
}

/** A decoded value and the offset just past it. */
export interface Decoded<T> { value: T; next: number }

/**
 * Reads an N-bit LEB128 at `pos`, rejecting what the spec rejects: truncation, more
 * than ceil(N/7) bytes, and unused bits in the last byte that are not zero (unsigned)
 * or not copies of the sign bit (signed).
 */
export function readLeb(bytes: Uint8Array, pos: number, bits: 32 | 64, signed: boolean): Decoded<bigint> {
  const maxBytes = Math.ceil(bits / 7);
  let result = 0n;
  let shift = 0n;
  for (let i = 0; ; i++) {
    if (i === maxBytes) throw new WasmEncodeError(WasmErrorCode.MALFORMED, `LEB128 at offset ${pos} is longer than ${maxBytes} bytes`);
    const at = pos + i;
    if (at >= bytes.length) throw new WasmEncodeError(WasmErrorCode.MALFORMED, `LEB128 at offset ${pos} runs past the end`);
    const b = bytes[at]!;
    result |= BigInt(b & 0x7f) << shift;
    shift += 7n;
    if ((b & 0x80) === 0) {
      if (signed && (b & 0x40) !== 0) result -= 1n << shift; // sign-extend from the bits read
      const fits = signed
        ? result >= -(1n << BigInt(bits - 1)) && result < 1n << BigInt(bits - 1)
        : result < 1n << BigInt(bits);
      if (!fits) throw new WasmEncodeError(WasmErrorCode.MALFORMED, `LEB128 at offset ${pos} does not fit ${signed ? 's' : 'u'}${bits}`);
      return { value: result, next: at + 1 };
    }
  }
}

export function readU32(bytes: Uint8Array, pos: number): Decoded<number> {
  const r = readLeb(bytes, pos, 32, false);
  return { value: Number(r.value), next: r.next };
}

export function readS32(bytes: Uint8Array, pos: number): Decoded<number> {
  const r = readLeb(bytes, pos, 32, true);
  return { value: Number(r.value), next: r.next };
}

export function readS64(bytes: Uint8Array, pos: number): Decoded<bigint> {
  return readLeb(bytes, pos, 64, true);
}

export function readU64(bytes: Uint8Array, pos: number): Decoded<bigint> {
  return readLeb(bytes, pos, 64, false);
}
