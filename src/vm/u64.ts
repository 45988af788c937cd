/**
 * 64-bit arithmetic on (lo, hi) pairs of int32 without BigInt, for the interpreter's
 * hot path. Registers live in two Int32Arrays (low and high halves); a 64-bit value
 * is passed as two int32 bit patterns.
 *
 * Every result is exact. Where doubles are used, the comment says why the value
 * cannot be rounded (integers below 2^53), or how an estimate is corrected with
 * exact integer arithmetic. `u64.test.ts` checks all of it against BigInt. The
 * interpreter writes the simplest of these (add, shifts, the multiply) inline.
 */

const TWO32 = 4294967296;

/**
 * High 32 bits of the unsigned 64-bit product of two uint32 (given as int32 bit
 * patterns; a larger double is taken modulo 2^32). With `Math.imul` for the low half
 * this is a full 32x32->64 multiply. Schoolbook over 16-bit limbs: every partial
 * product is below 2^32, and every sum below 2^32, so V8 keeps it all in int32
 * registers (the `>>>`/`&` truncations make wrap-around harmless).
 */
export function mulhiU32(a: number, b: number): number {
  const a0 = a & 0xffff, a1 = a >>> 16, b0 = b & 0xffff, b1 = b >>> 16;
  const lh = a0 * b1, hl = a1 * b0;
  const mid = ((a0 * b0) >>> 16) + (lh & 0xffff) + (hl & 0xffff);
  return (a1 * b1 + (lh >>> 16) + (hl >>> 16) + (mid >>> 16)) | 0;
}

/**
 * Results of the last division: quotient (0, 1) and remainder (2, 3) as lo/hi int32
 * pairs. Entries 4-8 remember its operands and whether it was signed (1) or not (0).
 */
export const DIVMOD = new Int32Array(9);

const INV32 = 1 / TWO32; // exact: a power of two

/**
 * Unsigned 64-bit division and remainder of (nlo, nhi) by (dlo, dhi), the divisor
 * non-zero. Result in `DIVMOD`.
 *
 * Programs often take the quotient and the remainder of the same operands one after
 * the other (`q = a / b; r = a % b`), so the last operands are remembered and the
 * repeat costs five compares. This function and the two below are each kept under
 * V8's inlining limit (460 bytes of bytecode), so they compile into the interpreter.
 */
export function udivmod64(nlo: number, nhi: number, dlo: number, dhi: number): void {
  const M = DIVMOD;
  if (M[4] === nlo && M[5] === nhi && M[6] === dlo && M[7] === dhi && M[8] === 0) return;
  M[4] = nlo; M[5] = nhi; M[6] = dlo; M[7] = dhi; M[8] = 0;
  if (dhi === 0 && (dlo >>> 0) < 0x200000) divSmall(nlo >>> 0, nhi >>> 0, dlo >>> 0);
  else divLarge(nlo, nhi, dlo, dhi);
}

/**
 * Divisor below 2^21: two steps of schoolbook division. The high word's remainder is
 * below 2^21, so x = remainder * 2^32 + nL is below 2^53 and exact, and so is the
 * floor of a quotient of integers below 2^53.
 */
function divSmall(nL: number, nH: number, dL: number): void {
  const M = DIVMOD;
  const qh = (nH / dL) >>> 0;
  const x = (nH - qh * dL) * TWO32 + nL;
  const ql = Math.floor(x / dL);
  M[0] = ql; M[1] = qh; M[2] = x - ql * dL; M[3] = 0;
}

/**
 * Divisor at least 2^21, so the quotient q is below 2^43, and the floor of the rounded
 * n / d (three roundings of relative size 2^-53) is q - 1, q or q + 1. The remainder
 * r = n - q * d is then in (-2^45, 2^64). Its low word is exact in int32 arithmetic
 * (the low word of q * d is imul(q, dlo)); its high word is (r - low word) / 2^32, an
 * integer, which the rounded r (off by less than 2^13) gives exactly once rounded to
 * the nearest integer (as floor(x + 0.5): V8 compiles Math.round to five instructions
 * and a branch, which cost 10% of the muldiv benchmark). One step then corrects q by
 * 1 if r fell outside [0, d).
 */
function divLarge(nlo: number, nhi: number, dlo: number, dhi: number): void {
  const M = DIVMOD;
  const dL = dlo >>> 0, dH = dhi >>> 0;
  const n = (nhi >>> 0) * TWO32 + (nlo >>> 0), d = dH * TWO32 + dL;
  let q = Math.floor(n / d);
  let rl = (nlo - Math.imul(q, dlo)) | 0;
  let rh = Math.floor((n - q * d - (rl >>> 0)) * INV32 + 0.5);
  if (rh < 0) {
    rh += dH + ((rl >>> 0) + dL >= TWO32 ? 1 : 0);
    rl = (rl + dlo) | 0;
    q--;
  } else if (rh > dH || (rh === dH && (rl >>> 0) >= dL)) {
    rh -= dH + ((rl >>> 0) < dL ? 1 : 0);
    rl = (rl - dlo) | 0;
    q++;
  }
  M[0] = q; M[1] = Math.floor(q * INV32); M[2] = rl; M[3] = rh;
}

/**
 * Signed 64-bit division and remainder (truncating, as C), divisor non-zero. Result
 * in `DIVMOD`. Divides the magnitudes (|INT64_MIN| = 2^63 is fine unsigned), then
 * gives the quotient the sign of n * d and the remainder the sign of n: INT64_MIN / -1
 * thereby wraps to INT64_MIN with remainder 0, as the RFC defines.
 */
export function sdivmod64(nlo: number, nhi: number, dlo: number, dhi: number): void {
  const M = DIVMOD;
  if (M[4] === nlo && M[5] === nhi && M[6] === dlo && M[7] === dhi && M[8] === 1) return;
  const nneg = nhi < 0, dneg = dhi < 0;
  udivmod64(nneg ? -nlo | 0 : nlo, nneg ? (~nhi + (nlo === 0 ? 1 : 0)) | 0 : nhi,
    dneg ? -dlo | 0 : dlo, dneg ? (~dhi + (dlo === 0 ? 1 : 0)) | 0 : dhi);
  if (nneg !== dneg) { const l = M[0]!; M[0] = -l | 0; M[1] = (~M[1]! + (l === 0 ? 1 : 0)) | 0; }
  if (nneg) { const l = M[2]!; M[2] = -l | 0; M[3] = (~M[3]! + (l === 0 ? 1 : 0)) | 0; }
  M[4] = nlo; M[5] = nhi; M[6] = dlo; M[7] = dhi; M[8] = 1;
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
