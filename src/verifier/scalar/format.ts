/**
 * Scalars as the Linux verifier log prints them (`print_scalar_ranges`): a constant as
 * its number, anything else as `scalar(...)` listing only the bounds that say
 * something, equal bounds of the same kind merged (`smax=umax=255`), and the known
 * bits unless none are known.
 */
import type { Scalar } from './scalar.js';

// Linux prints numbers of small magnitude in decimal and the rest in hex.
const SNUM_DECIMAL = 32767n;
const UNUM_DECIMAL = 65535n;

function snum(v: bigint): string {
  return v >= -SNUM_DECIMAL - 1n && v <= SNUM_DECIMAL ? v.toString() : '0x' + BigInt.asUintN(64, v).toString(16);
}

function unum(v: bigint): string {
  return v <= UNUM_DECIMAL ? v.toString() : '0x' + v.toString(16);
}

/** The kernel log's rendering: `42`, `-1`, `scalar()` or `scalar(smin=...,var_off=(...))`. */
export function formatScalar(s: Scalar): string {
  const w = s.domain.w;
  if (s.tnum.mask === 0n) return snum(BigInt.asIntN(w.bits, s.tnum.value));
  const dec32 = (v: bigint) => v >= -SNUM_DECIMAL - 1n && v <= SNUM_DECIMAL;
  // Each entry: name, the value compared for merging (a 64-bit pattern), signed?, omitted?
  const items: { name: string; key: bigint; text: string; neg: boolean; omit: boolean }[] = [
    { name: 'smin', key: BigInt.asUintN(64, s.smin), text: snum(s.smin), neg: s.smin < 0n, omit: s.smin === w.smin },
    { name: 'smax', key: BigInt.asUintN(64, s.smax), text: snum(s.smax), neg: s.smax < 0n, omit: s.smax === w.smax },
    { name: 'umin', key: s.umin, text: unum(s.umin), neg: false, omit: s.umin === 0n },
    { name: 'umax', key: s.umax, text: unum(s.umax), neg: false, omit: s.umax === w.max },
    { name: 'smin32', key: dec32(s.s32min) ? BigInt.asUintN(64, s.s32min) : BigInt.asUintN(w.half, s.s32min),
      text: dec32(s.s32min) ? s.s32min.toString() : '0x' + BigInt.asUintN(w.half, s.s32min).toString(16),
      neg: s.s32min < 0n, omit: s.s32min === w.halfSmin },
    { name: 'smax32', key: dec32(s.s32max) ? BigInt.asUintN(64, s.s32max) : BigInt.asUintN(w.half, s.s32max),
      text: dec32(s.s32max) ? s.s32max.toString() : '0x' + BigInt.asUintN(w.half, s.s32max).toString(16),
      neg: s.s32max < 0n, omit: s.s32max === w.halfSmax },
    { name: 'umin32', key: s.u32min, text: unum(s.u32min), neg: false, omit: s.u32min === 0n },
    { name: 'umax32', key: s.u32max, text: unum(s.u32max), neg: false, omit: s.u32max === w.halfMax },
  ];
  const parts: string[] = [];
  for (let i = 0; i < items.length; i++) {
    const m1 = items[i]!;
    if (m1.omit) continue;
    // Linux merges equal values of the same kind of bound (min with min, max with max)
    // into one `a=b=v`, never mixing a negative signed value with an unsigned one.
    let names = m1.name;
    for (let j = i + 2; j < items.length; j += 2) {
      const m2 = items[j]!;
      if (m2.omit || m2.key !== m1.key || m2.neg !== m1.neg) continue;
      m2.omit = true;
      names += '=' + m2.name;
    }
    parts.push(`${names}=${m1.text}`);
  }
  if (s.tnum.mask !== w.max) parts.push(`var_off=${s.tnum.toString()}`);
  return `scalar(${parts.join(',')})`;
}
