/**
 * The constants of one register width. The scalar domain is generic over the width so
 * that the property tests can run it at 8 bits (4-bit subregister), where every
 * concrete value can be enumerated, with exactly the code the verifier runs at 64 bits.
 */
export interface Width {
  /** Bits in the register (64 for eBPF). */
  readonly bits: number;
  readonly bitsN: bigint;
  /** 2^bits. */
  readonly modulus: bigint;
  /** 2^bits - 1: every bit set; also the largest unsigned value. */
  readonly max: bigint;
  /** The sign bit, 2^(bits-1). */
  readonly signBit: bigint;
  /** Smallest and largest signed values. */
  readonly smin: bigint;
  readonly smax: bigint;
  /** Bits in the subregister (32 for eBPF): half the width. */
  readonly half: number;
  readonly halfN: bigint;
  /** 2^half. */
  readonly halfModulus: bigint;
  /** 2^half - 1. */
  readonly halfMax: bigint;
  readonly halfSignBit: bigint;
  readonly halfSmin: bigint;
  readonly halfSmax: bigint;
  /** `max & ~signBit` and `halfMax & ~halfSignBit`: every bit but the sign. */
  readonly notSign: bigint;
  readonly halfNotSign: bigint;
  /** The upper half's bits: `max & ~halfMax`. */
  readonly upperMask: bigint;
  /** Bits in a "byte" for byte swaps and movsx8: 8 at 64 bits, 1 at 8 bits. */
  readonly lane: number;
}

const cache = new Map<number, Width>();

/** The constants for `bits` (an even number from 2 to 64, a multiple of 8 for byte swaps). */
export function widthOf(bits: number): Width {
  let w = cache.get(bits);
  if (w === undefined) {
    const bitsN = BigInt(bits);
    const half = bits >> 1;
    const halfN = BigInt(half);
    w = Object.freeze({
      bits,
      bitsN,
      modulus: 1n << bitsN,
      max: (1n << bitsN) - 1n,
      signBit: 1n << (bitsN - 1n),
      smin: -(1n << (bitsN - 1n)),
      smax: (1n << (bitsN - 1n)) - 1n,
      half,
      halfN,
      halfModulus: 1n << halfN,
      halfMax: (1n << halfN) - 1n,
      halfSignBit: half > 0 ? 1n << (halfN - 1n) : 0n,
      halfSmin: half > 0 ? -(1n << (halfN - 1n)) : 0n,
      halfSmax: half > 0 ? (1n << (halfN - 1n)) - 1n : 0n,
      notSign: (1n << (bitsN - 1n)) - 1n,
      halfNotSign: half > 0 ? (1n << (halfN - 1n)) - 1n : 0n,
      upperMask: ((1n << bitsN) - 1n) & ~((1n << halfN) - 1n),
      lane: Math.max(1, bits >> 3),
    });
    cache.set(bits, w);
  }
  return w;
}

/** `x` (any bigint) as a signed value of `bits`. */
export function toSigned(x: bigint, w: Width): bigint {
  return BigInt.asIntN(w.bits, x);
}

/** `x` (any bigint) as an unsigned value of `bits`. */
export function toUnsigned(x: bigint, w: Width): bigint {
  return BigInt.asUintN(w.bits, x);
}
