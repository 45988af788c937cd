/**
 * Tristate numbers: a value whose bits are each known 0, known 1 or unknown, as the
 * Linux verifier tracks them (`var_off`). A bit is unknown when it is set in `mask`;
 * the known bits are in `value` (and `value & mask` is always 0). The set of numbers a
 * tnum stands for is `{ x : x & ~mask == value }`.
 *
 * The operations take the register width because carries, shifts and sign extension
 * depend on it; `value` and `mask` are always in `[0, 2^bits)`.
 */
import type { Width } from './width.js';

export class Tnum {
  constructor(
    /** The known-1 bits. */
    readonly value: bigint,
    /** The unknown bits. */
    readonly mask: bigint,
  ) {}

  /** Every bit known. */
  isConst(): boolean {
    return this.mask === 0n;
  }

  /** True when `x` (unsigned, in range) is one of the numbers this tnum stands for. */
  contains(x: bigint): boolean {
    return (x & ~this.mask) === this.value;
  }

  /** True when every number of `other` is one of this tnum's (Linux's `tnum_in`). */
  includes(other: Tnum): boolean {
    // Every unknown bit of other is unknown here (one BigInt made, where & ~ makes two).
    if ((other.mask | this.mask) !== this.mask) return false;
    return (other.value & ~this.mask) === this.value;
  }

  equals(other: Tnum): boolean {
    return this.value === other.value && this.mask === other.mask;
  }

  /** The kernel log's form: `(0x0; 0xff)`. */
  toString(): string {
    return `(0x${this.value.toString(16)}; 0x${this.mask.toString(16)})`;
  }
}

/** The tnum of exactly `v` (unsigned, in range). */
export function tnumConst(v: bigint): Tnum {
  return new Tnum(v, 0n);
}

/** Every number of the width. */
export function tnumUnknown(w: Width): Tnum {
  return new Tnum(0n, w.max);
}

/** The smallest tnum holding every number of `[lo, hi]` (unsigned, lo <= hi). */
export function tnumRange(lo: bigint, hi: bigint, w: Width): Tnum {
  const chi = lo ^ hi;
  if (chi === 0n) return new Tnum(lo, 0n);
  const bits = bitLength(chi);
  if (bits >= w.bits) return new Tnum(0n, w.max);
  const delta = (1n << BigInt(bits)) - 1n;
  return new Tnum(lo & ~delta, delta);
}

/** Bits needed to write `x` (0 < x < 2^64). */
export function bitLength(x: bigint): number {
  const hi = Number(x >> 32n);
  return hi !== 0 ? 64 - Math.clz32(hi) : 32 - Math.clz32(Number(x & 0xffffffffn));
}

export function tnumAdd(a: Tnum, b: Tnum, w: Width): Tnum {
  if (a.mask === 0n && b.mask === 0n) return new Tnum((a.value + b.value) & w.max, 0n);
  const sv = a.value + b.value;
  const sm = a.mask + b.mask;
  // Bits where the sum of the extremes differs from the sum of the known parts are
  // where an unknown carry can land.
  const mu = ((sv + sm) ^ sv) | a.mask | b.mask;
  return new Tnum(sv & ~mu & w.max, mu & w.max);
}

export function tnumSub(a: Tnum, b: Tnum, w: Width): Tnum {
  if (a.mask === 0n && b.mask === 0n) return new Tnum((a.value - b.value) & w.max, 0n);
  const dv = a.value - b.value;
  // The largest and smallest differences bound where an unknown borrow can reach.
  const mu = ((dv + a.mask) ^ (dv - b.mask)) | a.mask | b.mask;
  return new Tnum(dv & ~mu & w.max, mu & w.max);
}

export function tnumAnd(a: Tnum, b: Tnum): Tnum {
  const v = a.value & b.value;
  return new Tnum(v, (a.value | a.mask) & (b.value | b.mask) & ~v);
}

export function tnumOr(a: Tnum, b: Tnum): Tnum {
  const v = a.value | b.value;
  return new Tnum(v, (a.mask | b.mask) & ~v);
}

export function tnumXor(a: Tnum, b: Tnum): Tnum {
  const mu = a.mask | b.mask;
  return new Tnum((a.value ^ b.value) & ~mu, mu);
}

export function tnumLshift(a: Tnum, k: number, w: Width): Tnum {
  const s = BigInt(k);
  return new Tnum((a.value << s) & w.max, (a.mask << s) & w.max);
}

export function tnumRshift(a: Tnum, k: number): Tnum {
  const s = BigInt(k);
  return new Tnum(a.value >> s, a.mask >> s);
}

/** Arithmetic shift: the sign bit (known or not) is copied into the vacated bits. */
export function tnumArshift(a: Tnum, k: number, w: Width): Tnum {
  const s = BigInt(k);
  const v = BigInt.asIntN(w.bits, a.value) >> s;
  const m = BigInt.asIntN(w.bits, a.mask) >> s;
  return new Tnum(v & w.max, m & w.max);
}

/**
 * Multiplication as a sum of partial products: each known-1 bit of `a` adds `b`
 * shifted (its unknown part goes to the uncertain accumulator), each unknown bit of `a`
 * may or may not add it (all of `b` shifted is uncertain).
 */
export function tnumMul(a: Tnum, b: Tnum, w: Width): Tnum {
  if (a.mask === 0n && b.mask === 0n) return new Tnum((a.value * b.value) & w.max, 0n);
  // Walk the operand with fewer significant bits.
  if ((a.value | a.mask) > (b.value | b.mask)) [a, b] = [b, a];
  const exact = (a.value * b.value) & w.max;
  let acc = new Tnum(0n, 0n);
  let av = a.value;
  let am = a.mask;
  let bv = b.value;
  let bm = b.mask;
  while ((av | am) !== 0n && (bv | bm) !== 0n) {
    if ((av & 1n) !== 0n) {
      if (bm !== 0n) acc = tnumAdd(acc, new Tnum(0n, bm), w);
    } else if ((am & 1n) !== 0n) {
      acc = tnumAdd(acc, new Tnum(0n, bv | bm), w);
    }
    av >>= 1n;
    am >>= 1n;
    bv = (bv << 1n) & w.max;
    bm = (bm << 1n) & w.max;
  }
  return tnumAdd(new Tnum(exact, 0n), acc, w);
}

/** The numbers in both (meaningful only when they agree on the bits both know). */
export function tnumIntersect(a: Tnum, b: Tnum): Tnum {
  const mu = a.mask & b.mask;
  return new Tnum((a.value | b.value) & ~mu, mu);
}

/** True when the two tnums have no number in common. */
export function tnumDisjoint(a: Tnum, b: Tnum): boolean {
  return ((a.value ^ b.value) & ~(a.mask | b.mask)) !== 0n;
}

/** The smallest tnum holding every number of both. */
export function tnumUnion(a: Tnum, b: Tnum): Tnum {
  const mu = a.mask | b.mask | (a.value ^ b.value);
  return new Tnum(a.value & ~mu, mu);
}

/** The low `bits` bits (zero-extended). */
export function tnumCast(a: Tnum, bits: number): Tnum {
  const m = (1n << BigInt(bits)) - 1n;
  return new Tnum(a.value & m, a.mask & m);
}

/** The low `from` bits, sign-extended to the width. */
export function tnumSext(a: Tnum, from: number, w: Width): Tnum {
  if (from >= w.bits) return a;
  const v = BigInt.asIntN(from, a.value) & w.max;
  const low = (1n << BigInt(from)) - 1n;
  const top = 1n << BigInt(from - 1);
  // An unknown sign bit makes every bit above it unknown.
  const m = (a.mask & top) !== 0n ? (a.mask & low) | (w.max & ~low) : a.mask & low;
  return new Tnum(v & ~m, m);
}

/**
 * Reverses the order of the `lane`-bit units in the low `bits` bits (a byte swap when
 * lane is 8); the bits above are cleared. A permutation of bits, so exact on tnums.
 */
export function tnumSwap(a: Tnum, bits: number, lane: number): Tnum {
  return new Tnum(swapLanes(a.value, bits, lane), swapLanes(a.mask, bits, lane));
}

export function swapLanes(x: bigint, bits: number, lane: number): bigint {
  const n = bits / lane;
  const l = BigInt(lane);
  const unit = (1n << l) - 1n;
  let r = 0n;
  for (let i = 0; i < n; i++) {
    r = (r << l) | ((x >> (BigInt(i) * l)) & unit);
  }
  return r;
}
