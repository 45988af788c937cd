/**
 * 64-bit arithmetic on (lo, hi) pairs of int32 without BigInt, for the interpreter's
 * hot path. Registers live in two Int32Arrays (`L` low halves, `H` high halves);
 * these functions write their result into register `d`. Everything that cannot be
 * done exactly in doubles falls back to BigInt on a rare path.
 */

const TWO32 = 4294967296;

/** `r[d] *= (blo, bhi)` modulo 2^64. */
export function mul64(L: Int32Array, H: Int32Array, d: number, blo: number, bhi: number): void {
  const alo = L[d]!;
  const ahi = H[d]!;
  // The low 32x32 product needs 64 bits; split into 16-bit limbs so every partial
  // product stays below 2^53 and is exact in a double.
  const a0 = alo & 0xffff, a1 = alo >>> 16, b0 = blo & 0xffff, b1 = blo >>> 16;
  const mid = a1 * b0 + a0 * b1;
  const low = a0 * b0 + (mid % 65536) * 65536;
  const lo = low >>> 0;
  const carry = (low - lo) / TWO32;
  const high = a1 * b1 + Math.floor(mid / 65536) + carry;
  L[d] = lo | 0;
  H[d] = (high + Math.imul(ahi, blo) + Math.imul(alo, bhi)) | 0;
}

/** Quotient (0, 1) and remainder (2, 3) of the last `udivmod64`, as lo/hi int32 pairs. */
export const DIVMOD = new Int32Array(4);

/** Unsigned 64-bit division; the divisor must not be zero. Result in `DIVMOD`. */
export function udivmod64(nlo: number, nhi: number, dlo: number, dhi: number): void {
  const nL = nlo >>> 0, nH = nhi >>> 0, dL = dlo >>> 0;
  if (dhi === 0) {
    if (nH === 0) {
      const q = Math.floor(nL / dL);
      DIVMOD[0] = q | 0; DIVMOD[1] = 0; DIVMOD[2] = (nL - q * dL) | 0; DIVMOD[3] = 0;
      return;
    }
    // Divisor below 2^32: long division in base 2^16 keeps every dividend under
    // 2^48, where floor(x / d) of doubles is exact.
    const qh = Math.floor(nH / dL);
    let r = nH - qh * dL;
    let x = r * 65536 + (nL >>> 16);
    const q1 = Math.floor(x / dL);
    r = x - q1 * dL;
    x = r * 65536 + (nL & 0xffff);
    const q2 = Math.floor(x / dL);
    r = x - q2 * dL;
    DIVMOD[0] = (q1 * 65536 + q2) | 0; DIVMOD[1] = qh | 0; DIVMOD[2] = r | 0; DIVMOD[3] = 0;
    return;
  }
  const n = (BigInt(nH) << 32n) | BigInt(nL);
  const dv = (BigInt(dhi >>> 0) << 32n) | BigInt(dL);
  const q = n / dv;
  const rem = n - q * dv;
  DIVMOD[0] = Number(BigInt.asIntN(32, q)); DIVMOD[1] = Number(BigInt.asIntN(32, q >> 32n));
  DIVMOD[2] = Number(BigInt.asIntN(32, rem)); DIVMOD[3] = Number(BigInt.asIntN(32, rem >> 32n));
}

/** Signed 64-bit division and remainder (truncating, as C); divisor non-zero. */
export function sdivmod64(nlo: number, nhi: number, dlo: number, dhi: number): void {
  const n = (BigInt(nhi) << 32n) | BigInt(nlo >>> 0);
  const dv = (BigInt(dhi) << 32n) | BigInt(dlo >>> 0);
  // INT64_MIN / -1 overflows: the RFC defines the wrapped result (INT64_MIN), rem 0.
  const q = BigInt.asIntN(64, n / dv);
  const rem = BigInt.asIntN(64, n % dv);
  DIVMOD[0] = Number(BigInt.asIntN(32, q)); DIVMOD[1] = Number(BigInt.asIntN(32, q >> 32n));
  DIVMOD[2] = Number(BigInt.asIntN(32, rem)); DIVMOD[3] = Number(BigInt.asIntN(32, rem >> 32n));
}

/** `r[d] <<= n` for n in 0..63. */
export function lsh64(L: Int32Array, H: Int32Array, d: number, n: number): void {
  if (n === 0) return;
  const lo = L[d]!;
  if (n < 32) {
    H[d] = (H[d]! << n) | (lo >>> (32 - n));
    L[d] = lo << n;
  } else {
    H[d] = lo << (n - 32);
    L[d] = 0;
  }
}

/** `r[d] >>= n` (logical) for n in 0..63. */
export function rsh64(L: Int32Array, H: Int32Array, d: number, n: number): void {
  if (n === 0) return;
  const hi = H[d]!;
  if (n < 32) {
    L[d] = (L[d]! >>> n) | (hi << (32 - n));
    H[d] = hi >>> n;
  } else {
    L[d] = hi >>> (n - 32);
    H[d] = 0;
  }
}

/** `r[d] s>>= n` for n in 0..63. */
export function arsh64(L: Int32Array, H: Int32Array, d: number, n: number): void {
  if (n === 0) return;
  const hi = H[d]!;
  if (n < 32) {
    L[d] = (L[d]! >>> n) | (hi << (32 - n));
    H[d] = hi >> n;
  } else {
    L[d] = hi >> (n - 32);
    H[d] = hi >> 31;
  }
}

/** Reverses the bytes of a 32-bit value. */
export function bswap32(x: number): number {
  return ((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24);
}

/** Reverses the bytes of a 16-bit value (result zero-extended). */
export function bswap16(x: number): number {
  return ((x & 0xff) << 8) | ((x >>> 8) & 0xff);
}

/** `(lo, hi)` as an unsigned bigint. */
export function toBigUint(lo: number, hi: number): bigint {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}
