/**
 * Transfer functions of the ALU operations: given what is known of the operands, what
 * is known of the result. Each is sound (every concrete result is a member) and at
 * least as precise as Linux's `adjust_scalar_min_max_vals`.
 *
 * Where Linux gives up (division and modulo, shifts by an amount that is not a known
 * constant below the width, byte swaps) the result is unknown by default, because
 * ebee's verdicts must match the kernel's: a program ebee accepts must load. With
 * `kernelCompatible: false` these keep what is cheap to keep (ranges through division,
 * tnums through swaps and variable shifts), for tools that want the tighter answer.
 *
 * A 32-bit operation runs the same code in the subregister's domain and zero-extends.
 * A 64-bit operation whose low result bits depend only on the operands' low bits (add,
 * sub, mul, bitwise, neg, mov, small left shifts) also runs on the subregisters, so the
 * 32-bit bounds are tracked as Linux tracks them alongside the 64-bit ones.
 */
import { ALU_OPS, type AluOpName } from './ops.js';
import { memoKey, recall, remember } from './memo.js';
import { Scalar, ScalarDomain, zeroExtend, type ScalarBounds } from './scalar.js';
import { ScalarError } from './errors.js';
import {
  Tnum, tnumAdd, tnumAnd, tnumArshift, tnumLshift, tnumMul, tnumOr, tnumRshift, tnumSub,
  tnumSwap, tnumUnion, tnumXor, bitLength,
} from './tnum.js';
import type { Width } from './width.js';

export interface ScalarAluOptions {
  /**
   * Give up where Linux gives up (default true): division, modulo, byte swaps and
   * shifts by anything but a constant below the width give a fully unknown register.
   */
  readonly kernelCompatible?: boolean;
}

/** Operations Linux does not track at all (`is_safe_to_compute_dst_reg_range`, BPF_END). */
const KERNEL_UNTRACKED: ReadonlySet<AluOpName> = new Set<AluOpName>([
  'div', 'sdiv', 'mod', 'smod', 'le16', 'le32', 'le64', 'be16', 'be32', 'be64',
  'bswap16', 'bswap32', 'bswap64',
]);

/**
 * `dst = dst OP src` (`src` is ignored by neg and the byte swaps; `dst` by mov and
 * movsx). `is32` selects the 32-bit form (ALU class): operands are the low halves and
 * the result is zero-extended. Byte swaps take their width from the name. Division
 * and modulo by zero follow BPF: `x / 0 = 0`, `x % 0 = x`. Shifts by an amount that
 * may reach the width give an unknown result, as in Linux.
 */
export function scalarAlu(op: AluOpName, dst: Scalar, src: Scalar, is32: boolean, options: ScalarAluOptions = {}): Scalar {
  const index = ALU_INDEX.get(op);
  if (index === undefined) return aluUncached(op, dst, src, is32, options);
  // Four codes per operation: 32-bit or not, kernel-compatible or not.
  const key = memoKey(src, index * 4 + (is32 ? 2 : 0) + (options.kernelCompatible === false ? 1 : 0));
  const known = recall<Scalar>(dst, key);
  if (known !== undefined) return known;
  const r = aluUncached(op, dst, src, is32, options);
  remember(dst, key, r);
  return r;
}

/** Each operation's position in ALU_OPS, for memo keys. */
const ALU_INDEX: ReadonlyMap<AluOpName, number> = new Map(ALU_OPS.map((op, i) => [op, i]));

function aluUncached(op: AluOpName, dst: Scalar, src: Scalar, is32: boolean, options: ScalarAluOptions): Scalar {
  const d = dst.domain;
  if (src.domain !== d) throw new ScalarError(`scalarAlu: operands of ${dst.domain.bits} and ${src.domain.bits} bits`);
  if (options.kernelCompatible !== false) {
    // Linux marks the whole register unknown here, even for a 32-bit operation.
    if (KERNEL_UNTRACKED.has(op)) return d.unknown();
    // Linux checks the amount against the operation's width with the 64-bit bound even
    // for a 32-bit shift, so an amount with unknown upper bits gives up there too.
    if ((op === 'lsh' || op === 'rsh' || op === 'arsh')
      && (!(is32 ? src.subreg() : src).isConstant() || src.umax >= (is32 ? d.w.halfN : d.w.bitsN))) {
      return d.unknown();
    }
  }
  const lane = d.w.lane;
  switch (op) {
    case 'le16': return dst.truncate(2 * lane);
    case 'le32': return dst.truncate(4 * lane);
    case 'le64': return dst;
    case 'be16': case 'bswap16': return d.fromTnum(tnumSwap(dst.tnum, 2 * lane, lane));
    case 'be32': case 'bswap32': return d.fromTnum(tnumSwap(dst.tnum, 4 * lane, lane));
    case 'be64': case 'bswap64': return d.fromTnum(tnumSwap(dst.tnum, 8 * lane, lane));
    default: break;
  }
  if (is32) return zeroExtend(d, compute(d.sub, op, dst.subreg(), src.subreg(), lane, false));
  return compute(d, op, dst, src, lane, true);
}

/** Operations whose low-half result depends only on the operands' low halves. */
const LOW_LOCAL: ReadonlySet<AluOpName> = new Set(['add', 'sub', 'mul', 'and', 'or', 'xor', 'neg', 'mov']);

interface Raw {
  t: Tnum;
  umin: bigint;
  umax: bigint;
  smin: bigint;
  smax: bigint;
}

function compute(d: ScalarDomain, op: AluOpName, a: Scalar, b: Scalar, lane: number, deep: boolean): Scalar {
  const w = d.w;
  const raw = rawOp(d, op, a, b, lane);
  if (raw instanceof Scalar) return raw;
  let u32min = 0n;
  let u32max = w.halfMax;
  let s32min = w.halfSmin;
  let s32max = w.halfSmax;
  // When operands and result all have a zero upper half, the subregister computation
  // would repeat this one on the same numbers.
  const allLow = a.umax <= w.halfMax && b.umax <= w.halfMax && raw.umax <= w.halfMax;
  if (deep && !allLow && (LOW_LOCAL.has(op) || (op === 'lsh' && b.umax < w.halfN))) {
    // The subregister's bounds by the same rules; the final cross-refinement
    // reconciles them with the known bits, so the low result needs no refinement here.
    const lo = rawOp(d.sub, op, a.subreg(), b.subreg(), lane, true);
    u32min = lo.umin;
    u32max = lo.umax;
    s32min = lo.smin;
    s32max = lo.smax;
  }
  const bounds: ScalarBounds = { tnum: raw.t, umin: raw.umin, umax: raw.umax, smin: raw.smin, smax: raw.smax,
    u32min, u32max, s32min, s32max };
  // Sound transfer functions of non-empty operands never give contradictory facts;
  // unknown is the safe answer should one ever do.
  return d.make(bounds) ?? d.unknown();
}

/**
 * The result's facts before cross-refinement, or a finished value. With `boundsOnly`
 * the caller wants the ranges alone: the costlier tnum arithmetic is skipped and the
 * returned tnum is meaningless.
 */
function rawOp(d: ScalarDomain, op: AluOpName, a: Scalar, b: Scalar, lane: number, boundsOnly = false): Raw | Scalar {
  const w = d.w;
  if (a.tnum.mask === 0n && b.tnum.mask === 0n) {
    const c = evalConst(op, a.tnum.value, b.tnum.value, w);
    if (c !== undefined) return d.constant(c);
  }
  let raw: Raw | Scalar;
  switch (op) {
    case 'mov': return b;
    case 'movsx8': return b.signExtend(lane);
    case 'movsx16': return b.signExtend(2 * lane);
    case 'movsx32': return b.signExtend(4 * lane);
    case 'add': raw = add(a, b, w, boundsOnly); break;
    case 'sub': raw = sub(a, b, w, boundsOnly); break;
    case 'neg': raw = sub(d.constant(0n), a, w, boundsOnly); break;
    case 'mul': raw = mul(a, b, w, boundsOnly); break;
    case 'and': raw = and(a, b, w); break;
    case 'or': raw = or(a, b, w); break;
    case 'xor': raw = full(tnumXor(a.tnum, b.tnum), w); break;
    case 'lsh': raw = shift(d, 'lsh', a, b); break;
    case 'rsh': raw = shift(d, 'rsh', a, b); break;
    case 'arsh': raw = shift(d, 'arsh', a, b); break;
    case 'div': raw = udiv(d, a, b); break;
    case 'mod': raw = umod(a, b, w); break;
    case 'sdiv': raw = sdiv(d, a, b); break;
    case 'smod': raw = smod(a, b, w); break;
    default: throw new ScalarError(`scalarAlu: unknown operation '${String(op)}'`);
  }
  return raw;
}

/**
 * The exact result for constant operands, or undefined for a shift by the width or
 * more: Linux treats that result as unknown (whatever the hardware does), and so must
 * we for our verdicts to match.
 */
function evalConst(op: AluOpName, x: bigint, y: bigint, w: Width): bigint | undefined {
  const M = w.max;
  switch (op) {
    case 'add': return (x + y) & M;
    case 'sub': return (x - y) & M;
    case 'mul': return (x * y) & M;
    case 'div': return y === 0n ? 0n : x / y;
    case 'mod': return y === 0n ? x : x % y;
    case 'sdiv': {
      const sy = BigInt.asIntN(w.bits, y);
      return sy === 0n ? 0n : (BigInt.asIntN(w.bits, x) / sy) & M;
    }
    case 'smod': {
      const sy = BigInt.asIntN(w.bits, y);
      return sy === 0n ? x : (BigInt.asIntN(w.bits, x) % sy) & M;
    }
    case 'or': return x | y;
    case 'and': return x & y;
    case 'xor': return x ^ y;
    case 'neg': return -x & M;
    case 'lsh': return y < w.bitsN ? (x << y) & M : undefined;
    case 'rsh': return y < w.bitsN ? x >> y : undefined;
    case 'arsh': return y < w.bitsN ? (BigInt.asIntN(w.bits, x) >> y) & M : undefined;
    default: return undefined;
  }
}

function full(t: Tnum, w: Width): Raw {
  return { t, umin: 0n, umax: w.max, smin: w.smin, smax: w.smax };
}

/** `[lo, hi]` (exact integers) taken modulo 2^bits, when that keeps it one interval. */
function wrapU(lo: bigint, hi: bigint, w: Width): [bigint, bigint] {
  if (lo >> w.bitsN === hi >> w.bitsN) return [lo & w.max, hi & w.max];
  return [0n, w.max];
}

function wrapS(lo: bigint, hi: bigint, w: Width): [bigint, bigint] {
  if ((lo + w.signBit) >> w.bitsN === (hi + w.signBit) >> w.bitsN) {
    return [BigInt.asIntN(w.bits, lo), BigInt.asIntN(w.bits, hi)];
  }
  return [w.smin, w.smax];
}

function add(a: Scalar, b: Scalar, w: Width, boundsOnly: boolean): Raw {
  const [umin, umax] = wrapU(a.umin + b.umin, a.umax + b.umax, w);
  const [smin, smax] = wrapS(a.smin + b.smin, a.smax + b.smax, w);
  return { t: boundsOnly ? a.tnum : tnumAdd(a.tnum, b.tnum, w), umin, umax, smin, smax };
}

function sub(a: Scalar, b: Scalar, w: Width, boundsOnly: boolean): Raw {
  const [umin, umax] = wrapU(a.umin - b.umax, a.umax - b.umin, w);
  const [smin, smax] = wrapS(a.smin - b.smax, a.smax - b.smin, w);
  return { t: boundsOnly ? a.tnum : tnumSub(a.tnum, b.tnum, w), umin, umax, smin, smax };
}

function mul(a: Scalar, b: Scalar, w: Width, boundsOnly: boolean): Raw {
  const [umin, umax] = wrapU(a.umin * b.umin, a.umax * b.umax, w);
  const p1 = a.smin * b.smin;
  const p2 = a.smin * b.smax;
  const p3 = a.smax * b.smin;
  const p4 = a.smax * b.smax;
  const lo = min(min(p1, p2), min(p3, p4));
  const hi = max(max(p1, p2), max(p3, p4));
  const [smin, smax] = wrapS(lo, hi, w);
  return { t: boundsOnly ? a.tnum : tnumMul(a.tnum, b.tnum, w), umin, umax, smin, smax };
}

function and(a: Scalar, b: Scalar, w: Width): Raw {
  const t = tnumAnd(a.tnum, b.tnum);
  // x & y is at most each operand; with one operand non-negative so is the result.
  let smin = w.smin;
  let smax = w.smax;
  if (a.smin >= 0n) {
    smin = 0n;
    smax = a.smax;
  }
  if (b.smin >= 0n) {
    smin = 0n;
    if (b.smax < smax) smax = b.smax;
  }
  return { t, umin: t.value, umax: min(a.umax, b.umax), smin, smax };
}

function or(a: Scalar, b: Scalar, w: Width): Raw {
  const t = tnumOr(a.tnum, b.tnum);
  // x | y is at least each operand; with one operand negative so is the result.
  let smin = w.smin;
  let smax = w.smax;
  if (a.smax < 0n) {
    smin = a.smin;
    smax = -1n;
  }
  if (b.smax < 0n) {
    smax = -1n;
    if (smin === w.smin || b.smin > smin) smin = b.smin;
  }
  return { t, umin: max(a.umin, b.umin), umax: t.value | t.mask, smin, smax };
}

function shift(d: ScalarDomain, op: 'lsh' | 'rsh' | 'arsh', a: Scalar, b: Scalar): Raw | Scalar {
  const w = d.w;
  if (b.umax >= w.bitsN) return d.unknown();
  const kl = Number(b.umin);
  const kh = Number(b.umax);
  let t: Tnum | undefined;
  for (let k = kl; k <= kh; k++) {
    if (!b.tnum.contains(BigInt(k))) continue;
    const tk = op === 'lsh' ? tnumLshift(a.tnum, k, w) : op === 'rsh' ? tnumRshift(a.tnum, k) : tnumArshift(a.tnum, k, w);
    t = t === undefined ? tk : tnumUnion(t, tk);
  }
  if (t === undefined) return d.unknown();
  const l = BigInt(kl);
  const h = BigInt(kh);
  if (op === 'lsh') {
    const r = full(t, w);
    if (a.umax << h <= w.max) {
      r.umin = a.umin << l;
      r.umax = a.umax << h;
    }
    if (a.smin >= w.smin >> h && a.smax <= w.smax >> h) {
      r.smin = min(a.smin << l, a.smin << h);
      r.smax = max(a.smax << l, a.smax << h);
    }
    return r;
  }
  if (op === 'rsh') {
    const r = full(t, w);
    r.umin = a.umin >> h;
    r.umax = a.umax >> l;
    return r;
  }
  const r = full(t, w);
  r.smin = min(a.smin >> l, a.smin >> h);
  r.smax = max(a.smax >> l, a.smax >> h);
  return r;
}

function isPow2(x: bigint): boolean {
  return x > 0n && (x & (x - 1n)) === 0n;
}

function log2(x: bigint): number {
  return bitLength(x) - 1;
}

function udiv(d: ScalarDomain, a: Scalar, b: Scalar): Raw | Scalar {
  const w = d.w;
  if (b.umax === 0n) return d.constant(0n);
  const c = b.constantValue();
  if (c !== undefined && isPow2(c)) {
    const k = log2(c);
    return { ...full(tnumRshift(a.tnum, k), w), umin: a.umin >> BigInt(k), umax: a.umax >> BigInt(k) };
  }
  // A zero divisor contributes 0; the others divide monotonically.
  const lo = b.umin === 0n ? 0n : a.umin / b.umax;
  const hi = a.umax / (b.umin === 0n ? 1n : b.umin);
  return { ...full(new Tnum(0n, w.max), w), umin: lo, umax: hi };
}

function umod(a: Scalar, b: Scalar, w: Width): Raw | Scalar {
  if (b.umax === 0n) return a;
  if (b.umin > 0n) {
    if (a.umax < b.umin) return a;
    const c = b.constantValue();
    if (c !== undefined && isPow2(c)) {
      const t = tnumAnd(a.tnum, new Tnum(c - 1n, 0n));
      return { ...full(t, w), umax: min(a.umax, c - 1n) };
    }
    return { ...full(new Tnum(0n, w.max), w), umax: min(a.umax, b.umax - 1n) };
  }
  // x % 0 = x and x % y <= x.
  return { ...full(new Tnum(0n, w.max), w), umax: a.umax };
}

function sdiv(d: ScalarDomain, a: Scalar, b: Scalar): Raw | Scalar {
  const w = d.w;
  let lo: bigint | undefined;
  let hi: bigint | undefined;
  const include = (v: bigint) => {
    if (lo === undefined || v < lo) lo = v;
    if (hi === undefined || v > hi) hi = v;
  };
  if (b.smin <= 0n && b.smax >= 0n) include(0n);
  // On each side of zero, truncating division is monotone in each operand, so the
  // extremes are at the corners.
  const parts: [bigint, bigint][] = [];
  if (b.smin <= -1n) parts.push([b.smin, min(b.smax, -1n)]);
  if (b.smax >= 1n) parts.push([max(b.smin, 1n), b.smax]);
  for (const [p, q] of parts) {
    include(a.smin / p);
    include(a.smin / q);
    include(a.smax / p);
    include(a.smax / q);
  }
  if (lo === undefined || hi === undefined) return d.unknown();
  // Only smin / -1 leaves the range; it wraps to smin.
  if (hi > w.smax) return d.unknown();
  return { ...full(new Tnum(0n, w.max), w), smin: lo, smax: hi };
}

function smod(a: Scalar, b: Scalar, w: Width): Raw | Scalar {
  const mayBeZero = b.smin <= 0n && b.smax >= 0n;
  if (b.smin === 0n && b.smax === 0n) return a;
  // Smallest and largest magnitude of a non-zero divisor.
  let minAbs: bigint | undefined;
  if (b.smax >= 1n) minAbs = max(b.smin, 1n);
  if (b.smin <= -1n) {
    const m = -min(b.smax, -1n);
    if (minAbs === undefined || m < minAbs) minAbs = m;
  }
  const maxAbs = max(-b.smin, b.smax);
  const xAbs = max(-a.smin, a.smax);
  if (minAbs !== undefined && xAbs < minAbs) return a;
  // The remainder has the dividend's sign and a smaller magnitude than the divisor.
  const m = maxAbs - 1n;
  let lo = a.smin >= 0n ? 0n : max(a.smin, -m);
  let hi = a.smax <= 0n ? 0n : min(a.smax, m);
  if (mayBeZero) {
    lo = min(lo, a.smin);
    hi = max(hi, a.smax);
  }
  return { ...full(new Tnum(0n, w.max), w), smin: lo, smax: hi };
}

function min(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

function max(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}
