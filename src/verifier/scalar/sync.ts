/**
 * Cross-refinement of a scalar's facts (Linux's `reg_bounds_sync`): each of the known
 * bits, the unsigned and signed 64-bit ranges and the unsigned and signed 32-bit ranges
 * is tightened by what the others imply, without changing the set of numbers they
 * describe together.
 */
import { Tnum, tnumDisjoint, tnumIntersect, tnumRange } from './tnum.js';
import type { Width } from './width.js';

/** Raw facts before cross-refinement (signed fields are signed values). */
export interface ScalarBounds {
  tnum: Tnum;
  umin: bigint;
  umax: bigint;
  smin: bigint;
  smax: bigint;
  u32min: bigint;
  u32max: bigint;
  s32min: bigint;
  s32max: bigint;
}

/** Makes the value from refined facts (the caller's class, so this file needs none). */
export type Build<T> = (
  t: Tnum, umin: bigint, umax: bigint, smin: bigint, smax: bigint,
  u32min: bigint, u32max: bigint, s32min: bigint, s32max: bigint,
) => T;

/**
 * Linux's `reg_bounds_sync`, made exact for each pair of facts it combines: known bits
 * bound the ranges; the unsigned and signed ranges of each width are intersected (the
 * signed range is one or two unsigned intervals); the subregister ranges follow from
 * the full ranges when those stay within one 2^32 block, and the full ranges are
 * tightened to the nearest numbers whose low half is in the subregister ranges; the
 * ranges then give known bits back. Returns null when the facts cannot all hold.
 */
export function reduceBounds<T>(w: Width, b: ScalarBounds, build: Build<T>): T | null {
  let t = b.tnum;
  let { umin, umax, smin, smax, u32min, u32max, s32min, s32max } = b;
  const H = w.halfN;
  const HM = w.halfMax;

  // Known bits -> ranges.
  const tmax = t.value | t.mask;
  if (t.value > umin) umin = t.value;
  if (tmax < umax) umax = tmax;
  if (t.mask !== w.max) {
    const tsmin = BigInt.asIntN(w.bits, t.value | (t.mask & w.signBit));
    const tsmax = BigInt.asIntN(w.bits, t.value | (t.mask & w.notSign));
    if (tsmin > smin) smin = tsmin;
    if (tsmax < smax) smax = tsmax;
    const lv = t.value & HM;
    const lm = t.mask & HM;
    if (lv > u32min) u32min = lv;
    if ((lv | lm) < u32max) u32max = lv | lm;
    const tsmin32 = BigInt.asIntN(w.half, lv | (lm & w.halfSignBit));
    const tsmax32 = BigInt.asIntN(w.half, lv | (lm & w.halfNotSign));
    if (tsmin32 > s32min) s32min = tsmin32;
    if (tsmax32 < s32max) s32max = tsmax32;
  }

  // Only the known bits say anything (xor, byte swaps, fromTnum): the bounds they give
  // already agree with each other, as each is the extreme of the same set of bits.
  if (umin === t.value && umax === tmax && b.umin === 0n && b.umax === w.max && b.smin === w.smin
    && b.smax === w.smax && b.u32min === 0n && b.u32max === HM && b.s32min === w.halfSmin
    && b.s32max === w.halfSmax) {
    return finish(w, build, t, umin, umax, smin, smax, u32min, u32max, s32min, s32max);
  }
  // The common case (byte and word loads, lengths, indices): every member is below
  // 2^(half-1), where all four orderings agree, so one interval and the tnum say it all.
  let cap = umax;
  if (smin >= 0n && smax < cap) cap = smax;
  if (cap <= w.halfSmax) {
    let lo = umin;
    let hi = cap;
    if (smin > lo) lo = smin;
    if (u32min > lo) lo = u32min;
    if (s32min > lo) lo = s32min;
    if (u32max < hi) hi = u32max;
    if (s32max < hi) hi = s32max;
    if (lo > hi) return null;
    return smallValue(w, build, t, lo, hi);
  }

  for (let round = 0; round < 2; round++) {
    const before = umin ^ umax ^ smin ^ smax;
    // Full ranges -> subregister ranges, when a range stays inside one block of the
    // low half's unsigned (or signed) numbering.
    if (umin >> H === umax >> H) {
      const lo = umin & HM;
      const hi = umax & HM;
      if (lo > u32min) u32min = lo;
      if (hi < u32max) u32max = hi;
    }
    if (smin >> H === smax >> H) {
      const lo = smin & HM;
      const hi = smax & HM;
      if (lo > u32min) u32min = lo;
      if (hi < u32max) u32max = hi;
    }
    {
      const slo = BigInt.asIntN(w.half, umin);
      const shi = BigInt.asIntN(w.half, umax);
      if (umin - slo === umax - shi) {
        if (slo > s32min) s32min = slo;
        if (shi < s32max) s32max = shi;
      }
      const slo2 = BigInt.asIntN(w.half, smin);
      const shi2 = BigInt.asIntN(w.half, smax);
      if (smin - slo2 === smax - shi2) {
        if (slo2 > s32min) s32min = slo2;
        if (shi2 < s32max) s32max = shi2;
      }
    }
    // Subregister: unsigned <-> signed.
    {
      const r = intersectUS(u32min, u32max, s32min, s32max, w.half, w.halfMax);
      if (r === null) return null;
      [u32min, u32max, s32min, s32max] = r;
    }
    // Full register: unsigned <-> signed.
    {
      const r = intersectUS(umin, umax, smin, smax, w.bits, w.max);
      if (r === null) return null;
      [umin, umax, smin, smax] = r;
    }
    // Subregister ranges -> full ranges: move each end to the nearest number whose low
    // half satisfies them (nothing to learn when they are what the full ranges gave).
    const implied = umin >> H === umax >> H && u32min === (umin & HM) && u32max === (umax & HM)
      && smin >> H === smax >> H && u32min === (smin & HM) && u32max === (smax & HM);
    if (!implied && (u32min !== 0n || u32max !== HM || s32min !== w.halfSmin || s32max !== w.halfSmax)) {
      const ulo = tightenLow(umin, umax, u32min, u32max, false, w);
      if (ulo === null) return null;
      const slo = tightenLow(smin, smax, u32min, u32max, false, w);
      if (slo === null) return null;
      const ulo2 = tightenLow(ulo[0], ulo[1], s32min, s32max, true, w);
      if (ulo2 === null) return null;
      const slo2 = tightenLow(slo[0], slo[1], s32min, s32max, true, w);
      if (slo2 === null) return null;
      [umin, umax] = ulo2;
      [smin, smax] = slo2;
      const r = intersectUS(umin, umax, smin, smax, w.bits, w.max);
      if (r === null) return null;
      [umin, umax, smin, smax] = r;
    }
    // A second round only matters when the full ranges moved.
    if ((umin ^ umax ^ smin ^ smax) === before) break;
  }

  // Ranges -> known bits.
  const t0 = t;
  if (umin !== 0n || umax !== w.max) {
    const r = tnumRange(umin, umax, w);
    if (tnumDisjoint(t, r)) return null;
    if (!t.includes(r)) t = tnumIntersect(t, r);
  }
  if (u32min !== 0n || u32max !== HM) {
    const r0 = tnumRange(u32min, u32max, w);
    const r = new Tnum(r0.value, r0.mask | w.upperMask);
    if (tnumDisjoint(t, r)) return null;
    if (!t.includes(r)) t = tnumIntersect(t, r);
  }
  if (t === t0) return finish(w, build, t, umin, umax, smin, smax, u32min, u32max, s32min, s32max);
  // And known bits -> ranges once more, as the intersection may have learned bits.
  const tmax2 = t.value | t.mask;
  if (t.value > umin) umin = t.value;
  if (tmax2 < umax) umax = tmax2;
  if (umin > umax) return null;
  {
    const tsmin = BigInt.asIntN(w.bits, t.value | (t.mask & w.signBit));
    const tsmax = BigInt.asIntN(w.bits, t.value | (t.mask & w.notSign));
    if (tsmin > smin) smin = tsmin;
    if (tsmax < smax) smax = tsmax;
    if (smin > smax) return null;
    const lv = t.value & HM;
    const lm = t.mask & HM;
    if (lv > u32min) u32min = lv;
    if ((lv | lm) < u32max) u32max = lv | lm;
    if (u32min > u32max) return null;
    const tsmin32 = BigInt.asIntN(w.half, lv | (lm & w.halfSignBit));
    const tsmax32 = BigInt.asIntN(w.half, lv | (lm & w.halfNotSign));
    if (tsmin32 > s32min) s32min = tsmin32;
    if (tsmax32 < s32max) s32max = tsmax32;
    if (s32min > s32max) return null;
  }
  return finish(w, build, t, umin, umax, smin, smax, u32min, u32max, s32min, s32max);
}

function finish<T>(
  w: Width, build: Build<T>, t: Tnum, umin: bigint, umax: bigint, smin: bigint, smax: bigint,
  u32min: bigint, u32max: bigint, s32min: bigint, s32max: bigint,
): T | null {
  const HM = w.halfMax;
  if (t.mask === 0n) {
    // A constant must also satisfy the ranges it was not derived from.
    const v = t.value;
    const s = BigInt.asIntN(w.bits, v);
    const lo = v & HM;
    const slo = BigInt.asIntN(w.half, lo);
    if (v < umin || v > umax || s < smin || s > smax || lo < u32min || lo > u32max
      || slo < s32min || slo > s32max) return null;
    return build(t, v, v, s, s, lo, lo, slo, slo);
  }
  return build(t, umin, umax, smin, smax, u32min, u32max, s32min, s32max);
}

/** `syncBounds` for members known to lie in `[lo, hi]` within `[0, 2^(half-1))`. */
function smallValue<T>(w: Width, build: Build<T>, t: Tnum, lo: bigint, hi: bigint): T | null {
  if (lo !== t.value || hi !== (t.value | t.mask)) {
    const r = tnumRange(lo, hi, w);
    if (tnumDisjoint(t, r)) return null;
    t = tnumIntersect(t, r);
    if (t.value > lo) lo = t.value;
    const tmax = t.value | t.mask;
    if (tmax < hi) hi = tmax;
    if (lo > hi) return null;
  }
  if (t.mask === 0n && (t.value < lo || t.value > hi)) return null;
  return build(t, lo, hi, lo, hi, lo, hi, lo, hi);
}

/**
 * Intersects an unsigned range with a signed one of the same width (the signed range is
 * one unsigned interval, or two when it crosses zero) and returns both hulls of the
 * result, or null when empty.
 */
function intersectUS(
  umin: bigint, umax: bigint, smin: bigint, smax: bigint, bits: number, max: bigint,
): [bigint, bigint, bigint, bigint] | null {
  if (umin > umax || smin > smax) return null;
  // Already agreeing: a non-negative range stated the same way in both orders.
  if (smin === umin && smax === umax) return [umin, umax, smin, smax];
  if (smin >= 0n || smax < 0n) {
    // One interval in unsigned order.
    const lo0 = BigInt.asUintN(bits, smin);
    const hi0 = BigInt.asUintN(bits, smax);
    const lo = lo0 > umin ? lo0 : umin;
    const hi = hi0 < umax ? hi0 : umax;
    if (lo > hi) return null;
    return [lo, hi, BigInt.asIntN(bits, lo), BigInt.asIntN(bits, hi)];
  }
  // [0, smax] and [2^bits + smin, max].
  const aHi = smax < umax ? smax : umax;
  const hasA = umin <= aHi;
  const bLo0 = BigInt.asUintN(bits, smin);
  const bLo = bLo0 > umin ? bLo0 : umin;
  const bHi = umax < max ? umax : max;
  const hasB = bLo <= bHi;
  if (hasA && hasB) {
    // Unsigned hull [umin, bHi]; signed hull [bLo as signed, aHi].
    return [umin, bHi, BigInt.asIntN(bits, bLo), aHi];
  }
  if (hasA) return [umin, aHi, umin, aHi];
  if (hasB) return [bLo, bHi, BigInt.asIntN(bits, bLo), BigInt.asIntN(bits, bHi)];
  return null;
}

/**
 * Narrows `[lo, hi]` (unsigned or signed full-width numbers) to its smallest and largest
 * members whose low half, read unsigned (or signed when `signedLow`), is in `[a, b]`.
 */
function tightenLow(
  lo: bigint, hi: bigint, a: bigint, b: bigint, signedLow: boolean, w: Width,
): [bigint, bigint] | null {
  const P = w.halfModulus;
  let nlo: bigint;
  const l = signedLow ? BigInt.asIntN(w.half, lo) : lo & w.halfMax;
  if (l < a) nlo = lo - l + a;
  else if (l > b) nlo = lo - l + P + a;
  else nlo = lo;
  let nhi: bigint;
  const h = signedLow ? BigInt.asIntN(w.half, hi) : hi & w.halfMax;
  if (h > b) nhi = hi - h + b;
  else if (h < a) nhi = hi - h - P + b;
  else nhi = hi;
  if (nlo > nhi) return null;
  return [nlo, nhi];
}
