/**
 * `Scalar`: what the verifier knows about a number in a register or a stack slot, as
 * Linux tracks it: a tnum (known bits) plus signed and unsigned bounds of the whole
 * register and of its low half (the 32-bit subregister). The nine facts describe the
 * same set of numbers, and every constructor cross-refines them (`reg_bounds_sync` in
 * Linux) so each one is as tight as the others allow.
 *
 * A `ScalarDomain` holds the constants of one width; `DOMAIN64` is eBPF's. The same code
 * runs at 8 bits (4-bit subregister) in the property tests.
 */
import { Tnum, tnumCast, tnumDisjoint, tnumIntersect, tnumRange, tnumUnion } from './tnum.js';
import { reduceBounds, type Build, type ScalarBounds } from './sync.js';
import { formatScalar } from './format.js';
import { widthOf, type Width } from './width.js';
import { ScalarError } from './errors.js';
import { FactTable } from './intern.js';
import type { Memoised } from './memo.js';

export type { ScalarBounds } from './sync.js';

export class ScalarDomain {
  readonly w: Width;
  /** Builds this domain's values from refined facts. */
  readonly build: Build<Scalar>;
  /** Every value this domain builds, interned (intern.ts), so equal values are one object. */
  private readonly table: FactTable<Scalar>;
  private subDomain: ScalarDomain | undefined;
  private unknownValue: Scalar | undefined;
  private readonly unsignedRanges = new RangeCache();
  private readonly signedRanges = new RangeCache();

  constructor(bits: number) {
    if (!Number.isInteger(bits) || bits < 2 || bits > 64 || bits % 2 !== 0) {
      throw new ScalarError(`a scalar domain's width must be an even number of bits from 2 to 64, not ${bits}`);
    }
    this.w = widthOf(bits);
    const table = new FactTable<Scalar>((t, umin, umax, smin, smax, u32min, u32max, s32min, s32max) =>
      new Scalar(this, t, umin, umax, smin, smax, u32min, u32max, s32min, s32max));
    this.table = table;
    this.build = (t, umin, umax, smin, smax, u32min, u32max, s32min, s32max) =>
      table.intern(t, umin, umax, smin, smax, u32min, u32max, s32min, s32max);
  }

  get bits(): number {
    return this.w.bits;
  }

  /** The domain of the subregister (32 bits for the 64-bit domain). */
  get sub(): ScalarDomain {
    return (this.subDomain ??= domainOf(this.w.half));
  }

  /** Any number. */
  unknown(): Scalar {
    const w = this.w;
    return (this.unknownValue ??= this.table.intern(new Tnum(0n, w.max), 0n, w.max, w.smin, w.smax,
      0n, w.halfMax, w.halfSmin, w.halfSmax));
  }

  /** Exactly `v` (signed or unsigned; taken modulo 2^bits). */
  constant(v: bigint): Scalar {
    const w = this.w;
    const u = BigInt.asUintN(w.bits, v);
    const table = this.table;
    let c = table.constants.get(u);
    if (c === undefined) {
      const s = BigInt.asIntN(w.bits, u);
      const lo = u & w.halfMax;
      const slo = BigInt.asIntN(w.half, lo);
      c = table.intern(new Tnum(u, 0n), u, u, s, s, lo, lo, slo, slo);
      table.constants.set(u, c);
    }
    return c;
  }

  /** Every number in `[lo, hi]` (unsigned; lo <= hi). */
  fromUnsignedRange(lo: bigint, hi: bigint): Scalar {
    const w = this.w;
    if (lo < 0n || hi > w.max || lo > hi) throw new ScalarError(`bad unsigned range [${lo}, ${hi}] for ${w.bits} bits`);
    // Each narrow load makes one of a few ranges: remember them rather than re-derive.
    return this.unsignedRanges.get(lo, hi) ?? this.unsignedRanges.set(lo, hi,
      this.make({ tnum: tnumRange(lo, hi, w), umin: lo, umax: hi, smin: w.smin, smax: w.smax,
        u32min: 0n, u32max: w.halfMax, s32min: w.halfSmin, s32max: w.halfSmax }) ?? this.unknown());
  }

  /** Every number in `[lo, hi]` (signed; lo <= hi). */
  fromSignedRange(lo: bigint, hi: bigint): Scalar {
    const w = this.w;
    if (lo < w.smin || hi > w.smax || lo > hi) throw new ScalarError(`bad signed range [${lo}, ${hi}] for ${w.bits} bits`);
    return this.signedRanges.get(lo, hi) ?? this.signedRanges.set(lo, hi,
      this.make({ tnum: new Tnum(0n, w.max), umin: 0n, umax: w.max, smin: lo, smax: hi,
        u32min: 0n, u32max: w.halfMax, s32min: w.halfSmin, s32max: w.halfSmax }) ?? this.unknown());
  }

  /** Every number of the tnum. */
  fromTnum(t: Tnum): Scalar {
    const w = this.w;
    if (t.value < 0n || t.mask < 0n || ((t.value | t.mask) & ~w.max) !== 0n || (t.value & t.mask) !== 0n) {
      throw new ScalarError(`bad tnum ${t.toString()} for ${w.bits} bits`);
    }
    return this.make({ tnum: t, umin: 0n, umax: w.max, smin: w.smin, smax: w.smax,
      u32min: 0n, u32max: w.halfMax, s32min: w.halfSmin, s32max: w.halfSmax }) ?? this.unknown();
  }

  /**
   * The numbers satisfying every fact, cross-refined; `null` when the facts
   * contradict each other (no number satisfies them all).
   */
  make(b: ScalarBounds): Scalar | null {
    return syncBounds(this, b);
  }
}

/** Values made from a range, by the range's ends. */
class RangeCache {
  private readonly byLow = new Map<bigint, Map<bigint, Scalar>>();
  private count = 0;

  get(lo: bigint, hi: bigint): Scalar | undefined {
    return this.byLow.get(lo)?.get(hi);
  }

  set(lo: bigint, hi: bigint, v: Scalar): Scalar {
    if (this.count >= 4096) {
      this.byLow.clear();
      this.count = 0;
    }
    let m = this.byLow.get(lo);
    if (m === undefined) this.byLow.set(lo, (m = new Map()));
    m.set(hi, v);
    this.count++;
    return v;
  }
}

const domains = new Map<number, ScalarDomain>();

/** The domain of `bits`-bit registers (shared instances). */
export function domainOf(bits: number): ScalarDomain {
  let d = domains.get(bits);
  if (d === undefined) {
    d = new ScalarDomain(bits);
    domains.set(bits, d);
  }
  return d;
}

/** eBPF's registers: 64 bits with a 32-bit subregister. */
export const DOMAIN64: ScalarDomain = domainOf(64);

export class Scalar implements Memoised {
  private subCache: Scalar | undefined;
  /** @internal Identity and remembered results for the operation memo (memo.ts). */
  memoId = 0;
  /** @internal */
  memo: Map<number, unknown> | undefined = undefined;

  constructor(
    readonly domain: ScalarDomain,
    readonly tnum: Tnum,
    readonly umin: bigint,
    readonly umax: bigint,
    readonly smin: bigint,
    readonly smax: bigint,
    readonly u32min: bigint,
    readonly u32max: bigint,
    readonly s32min: bigint,
    readonly s32max: bigint,
  ) {}

  /** Any 64-bit number. */
  static unknown(): Scalar {
    return DOMAIN64.unknown();
  }

  /** Exactly `v` (64-bit, signed or unsigned). */
  static constant(v: bigint): Scalar {
    return DOMAIN64.constant(v);
  }

  static fromUnsignedRange(lo: bigint, hi: bigint): Scalar {
    return DOMAIN64.fromUnsignedRange(lo, hi);
  }

  static fromSignedRange(lo: bigint, hi: bigint): Scalar {
    return DOMAIN64.fromSignedRange(lo, hi);
  }

  static fromTnum(t: Tnum): Scalar {
    return DOMAIN64.fromTnum(t);
  }

  isConstant(): boolean {
    return this.tnum.mask === 0n;
  }

  /** The value (unsigned) when constant. */
  constantValue(): bigint | undefined {
    return this.tnum.mask === 0n ? this.tnum.value : undefined;
  }

  /** The value as a signed number when constant. */
  signedConstantValue(): bigint | undefined {
    return this.tnum.mask === 0n ? BigInt.asIntN(this.domain.w.bits, this.tnum.value) : undefined;
  }

  /** Nothing is known. */
  isUnknown(): boolean {
    const w = this.domain.w;
    return this.tnum.mask === w.max && this.umin === 0n && this.umax === w.max
      && this.smin === w.smin && this.smax === w.smax && this.u32min === 0n
      && this.u32max === w.halfMax && this.s32min === w.halfSmin && this.s32max === w.halfSmax;
  }

  /** True when `v` (signed or unsigned, modulo 2^bits) satisfies every fact. */
  contains(v: bigint): boolean {
    const w = this.domain.w;
    const u = BigInt.asUintN(w.bits, v);
    if ((u & ~this.tnum.mask) !== this.tnum.value) return false;
    if (u < this.umin || u > this.umax) return false;
    const s = BigInt.asIntN(w.bits, u);
    if (s < this.smin || s > this.smax) return false;
    const lo = u & w.halfMax;
    if (lo < this.u32min || lo > this.u32max) return false;
    const slo = BigInt.asIntN(w.half, lo);
    return slo >= this.s32min && slo <= this.s32max;
  }

  /**
   * True when every number of `other` is one of this one's, judged fact by fact (what
   * state pruning asks: is the explored state at least as general).
   */
  subsumes(other: Scalar): boolean {
    // Interned values make this the common case in state pruning.
    if (this === other) return true;
    return this.umin <= other.umin && this.umax >= other.umax
      && this.smin <= other.smin && this.smax >= other.smax
      && this.u32min <= other.u32min && this.u32max >= other.u32max
      && this.s32min <= other.s32min && this.s32max >= other.s32max
      && this.tnum.includes(other.tnum);
  }

  equals(other: Scalar): boolean {
    return this === other || (this.domain === other.domain
      && this.tnum.value === other.tnum.value && this.tnum.mask === other.tnum.mask
      && this.umin === other.umin && this.umax === other.umax
      && this.smin === other.smin && this.smax === other.smax
      && this.u32min === other.u32min && this.u32max === other.u32max
      && this.s32min === other.s32min && this.s32max === other.s32max);
  }

  /** The facts, for callers that build a modified copy with `domain.make`. */
  bounds(): ScalarBounds {
    return {
      tnum: this.tnum, umin: this.umin, umax: this.umax, smin: this.smin, smax: this.smax,
      u32min: this.u32min, u32max: this.u32max, s32min: this.s32min, s32max: this.s32max,
    };
  }

  /** The low half as a value of the subregister's domain. */
  subreg(): Scalar {
    return (this.subCache ??= this.computeSubreg());
  }

  private computeSubreg(): Scalar {
    const sub = this.domain.sub;
    const w = sub.w;
    return syncBounds(sub, {
      tnum: tnumCast(this.tnum, w.bits), umin: this.u32min, umax: this.u32max,
      smin: this.s32min, smax: this.s32max,
      u32min: 0n, u32max: w.halfMax, s32min: w.halfSmin, s32max: w.halfSmax,
    }) ?? sub.unknown();
  }

  /** The low half, zero-extended (what a 32-bit ALU write leaves in the register). */
  zext32(): Scalar {
    return zeroExtend(this.domain, this.subreg());
  }

  /** The low `bits` bits, zero-extended (a narrow load or store of this value). */
  truncate(bits: number): Scalar {
    return truncateTo(this, bits);
  }

  /** The low `bits` bits, sign-extended (a sign-extending load or `movsx`). */
  signExtend(bits: number): Scalar {
    return signExtendFrom(this, bits);
  }

  /** The numbers in both, or null when none is. */
  meet(other: Scalar): Scalar | null {
    return meet(this, other);
  }

  /** Every number of either (a join of two paths). */
  join(other: Scalar): Scalar {
    return join(this, other);
  }

  /** The kernel log's rendering: `42`, `-1`, `scalar()` or `scalar(smin=...,var_off=(...))`. */
  toString(): string {
    return formatScalar(this);
  }
}

/**
 * The numbers satisfying every fact, as a value of `d` with each fact as tight as the
 * others allow, or null when no number satisfies them all.
 */
export function syncBounds(d: ScalarDomain, b: ScalarBounds): Scalar | null {
  return reduceBounds(d.w, b, d.build);
}

// ---- Conversions between widths --------------------------------------------------------

/** A subregister value (of `d.sub`) zero-extended into `d`. */
export function zeroExtend(d: ScalarDomain, s: Scalar): Scalar {
  // The upper half is zero, so the full value equals the low half and is non-negative.
  return syncBounds(d, {
    tnum: s.tnum, umin: s.umin, umax: s.umax, smin: s.umin, smax: s.umax,
    u32min: s.umin, u32max: s.umax, s32min: s.smin, s32max: s.smax,
  }) ?? d.unknown();
}

function truncateTo(s: Scalar, bits: number): Scalar {
  const d = s.domain;
  const w = d.w;
  if (bits >= w.bits) return s;
  if (bits === w.half) return s.zext32();
  const n = BigInt(bits);
  const m = (1n << n) - 1n;
  let umin = 0n;
  let umax = m;
  if (s.umin >> n === s.umax >> n) {
    umin = s.umin & m;
    umax = s.umax & m;
  }
  return syncBounds(d, {
    tnum: tnumCast(s.tnum, bits), umin, umax, smin: 0n, smax: m,
    u32min: 0n, u32max: w.halfMax, s32min: w.halfSmin, s32max: w.halfSmax,
  }) ?? d.unknown();
}

function signExtendFrom(s: Scalar, bits: number): Scalar {
  const d = s.domain;
  const w = d.w;
  if (bits >= w.bits) return s;
  const n = BigInt(bits);
  const hiBound = (1n << (n - 1n)) - 1n;
  // Already the sign extension of its low bits: unchanged.
  if (s.smin >= -hiBound - 1n && s.smax <= hiBound) return s;
  let smin = -hiBound - 1n;
  let smax = hiBound;
  // A range within one block of the signed `bits`-bit numbering keeps its order.
  const blo = BigInt.asIntN(bits, s.umin);
  const bhi = BigInt.asIntN(bits, s.umax);
  if (s.umin - blo === s.umax - bhi) {
    smin = blo;
    smax = bhi;
  }
  const t = s.tnum;
  const low = (1n << n) - 1n;
  const top = 1n << (n - 1n);
  const v = BigInt.asUintN(w.bits, BigInt.asIntN(bits, t.value & low));
  const mk = (t.mask & top) !== 0n ? (t.mask & low) | (w.max & ~low) : t.mask & low;
  return syncBounds(d, {
    tnum: new Tnum(v & ~mk, mk), umin: 0n, umax: w.max, smin, smax,
    u32min: 0n, u32max: w.halfMax, s32min: w.halfSmin, s32max: w.halfSmax,
  }) ?? d.unknown();
}

// ---- Lattice operations ----------------------------------------------------------------

export function meet(a: Scalar, b: Scalar): Scalar | null {
  if (tnumDisjoint(a.tnum, b.tnum)) return null;
  return syncBounds(a.domain, {
    tnum: tnumIntersect(a.tnum, b.tnum),
    umin: a.umin > b.umin ? a.umin : b.umin, umax: a.umax < b.umax ? a.umax : b.umax,
    smin: a.smin > b.smin ? a.smin : b.smin, smax: a.smax < b.smax ? a.smax : b.smax,
    u32min: a.u32min > b.u32min ? a.u32min : b.u32min, u32max: a.u32max < b.u32max ? a.u32max : b.u32max,
    s32min: a.s32min > b.s32min ? a.s32min : b.s32min, s32max: a.s32max < b.s32max ? a.s32max : b.s32max,
  });
}

export function join(a: Scalar, b: Scalar): Scalar {
  if (a === b) return a;
  return syncBounds(a.domain, {
    tnum: tnumUnion(a.tnum, b.tnum),
    umin: a.umin < b.umin ? a.umin : b.umin, umax: a.umax > b.umax ? a.umax : b.umax,
    smin: a.smin < b.smin ? a.smin : b.smin, smax: a.smax > b.smax ? a.smax : b.smax,
    u32min: a.u32min < b.u32min ? a.u32min : b.u32min, u32max: a.u32max > b.u32max ? a.u32max : b.u32max,
    s32min: a.s32min < b.s32min ? a.s32min : b.s32min, s32max: a.s32max > b.s32max ? a.s32max : b.s32max,
  }) ?? a.domain.unknown();
}

/**
 * Widening for loop heads: the join, with every bound that grew since `previous` sent
 * to its extreme, and every bit from the lowest newly unknown one upwards made unknown
 * (low bits that stayed known, such as the alignment of a counter stepping by 4, are
 * kept), so an ascending chain of states stops after a few steps.
 */
export function widen(previous: Scalar, next: Scalar): Scalar {
  const w = previous.domain.w;
  const j = join(previous, next);
  let tnum = j.tnum;
  const lost = j.tnum.mask & ~previous.tnum.mask;
  if (lost !== 0n) {
    const keep = (lost & -lost) - 1n;
    tnum = new Tnum(tnum.value & keep, (tnum.mask & keep) | (w.max & ~keep));
  }
  return syncBounds(previous.domain, {
    tnum,
    umin: j.umin < previous.umin ? 0n : j.umin, umax: j.umax > previous.umax ? w.max : j.umax,
    smin: j.smin < previous.smin ? w.smin : j.smin, smax: j.smax > previous.smax ? w.smax : j.smax,
    u32min: j.u32min < previous.u32min ? 0n : j.u32min,
    u32max: j.u32max > previous.u32max ? w.halfMax : j.u32max,
    s32min: j.s32min < previous.s32min ? w.halfSmin : j.s32min,
    s32max: j.s32max > previous.s32max ? w.halfSmax : j.s32max,
  }) ?? previous.domain.unknown();
}
