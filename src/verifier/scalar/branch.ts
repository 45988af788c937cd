/**
 * Conditional jumps: what each edge of `if dst OP src` teaches about both operands
 * (Linux's `is_branch_taken` and `reg_set_min_max` in one step). An edge whose
 * refinement is contradictory cannot be taken, and is reported as null; the refined
 * operands hold every concrete pair that takes the edge.
 */
import { BRANCH_OPS, type BranchOpName } from './ops.js';
import { memoKey, recall, remember } from './memo.js';
import { meet, Scalar, type ScalarDomain } from './scalar.js';
import { ScalarError } from './errors.js';
import { Tnum } from './tnum.js';

export interface BranchRefinement {
  /** The operands where the condition holds, or null when it never does. */
  readonly taken: readonly [Scalar, Scalar] | null;
  /** The operands where it does not hold, or null when it always does. */
  readonly notTaken: readonly [Scalar, Scalar] | null;
}

/** The condition on one edge: the branch's own, or its negation (`jset`'s is `jnset`). */
type EdgeCond = BranchOpName | 'jnset';

const NEGATION: Readonly<Record<BranchOpName, EdgeCond>> = {
  jeq: 'jne', jne: 'jeq', jgt: 'jle', jle: 'jgt', jge: 'jlt', jlt: 'jge',
  jsgt: 'jsle', jsle: 'jsgt', jsge: 'jslt', jslt: 'jsge', jset: 'jnset',
};

/**
 * Refines `dst` and `src` for both edges of `if dst OP src`. With `is32` (JMP32) the
 * comparison is of the low halves, which are refined and the full values re-derived.
 * When dst and src are the same register the caller should pass the same value and
 * knows more than this can (`r1 != r1` is never taken).
 */
export function refineBranch(op: BranchOpName, dst: Scalar, src: Scalar, is32: boolean): BranchRefinement {
  const index = BRANCH_INDEX.get(op);
  if (index === undefined) return refineUncached(op, dst, src, is32);
  // Codes 128 and up (below are scalarAlu's), two per condition.
  const key = memoKey(src, 128 + index * 2 + (is32 ? 1 : 0));
  const known = recall<BranchRefinement>(dst, key);
  if (known !== undefined) return known;
  const r = refineUncached(op, dst, src, is32);
  remember(dst, key, r);
  return r;
}

/** Each condition's position in BRANCH_OPS, for memo keys. */
const BRANCH_INDEX: ReadonlyMap<BranchOpName, number> = new Map(BRANCH_OPS.map((op, i) => [op, i]));

function refineUncached(op: BranchOpName, dst: Scalar, src: Scalar, is32: boolean): BranchRefinement {
  if (src.domain !== dst.domain) throw new ScalarError(`refineBranch: operands of ${dst.domain.bits} and ${src.domain.bits} bits`);
  const neg = NEGATION[op];
  if (neg === undefined) throw new ScalarError(`refineBranch: unknown condition '${String(op)}'`);
  if (!is32) return { taken: edge(op, dst, src), notTaken: edge(neg, dst, src) };
  const lowDst = dst.subreg();
  const lowSrc = src.subreg();
  return {
    taken: widenEdge(edge(op, lowDst, lowSrc), dst, src),
    notTaken: widenEdge(edge(neg, lowDst, lowSrc), dst, src),
  };
}

/** Whether the branch is always taken, never taken, or either (Linux's `is_branch_taken`). */
export function branchOutcome(op: BranchOpName, dst: Scalar, src: Scalar, is32: boolean): 'always' | 'never' | 'unknown' {
  const r = refineBranch(op, dst, src, is32);
  if (r.taken === null && r.notTaken !== null) return 'never';
  if (r.notTaken === null && r.taken !== null) return 'always';
  return 'unknown';
}

/** Puts refined low halves back into the full values. */
function widenEdge(low: readonly [Scalar, Scalar] | null, dst: Scalar, src: Scalar): [Scalar, Scalar] | null {
  if (low === null) return null;
  const d = withLow(dst, low[0]);
  if (d === null) return null;
  const s = withLow(src, low[1]);
  if (s === null) return null;
  return [d, s];
}

function withLow(full: Scalar, low: Scalar): Scalar | null {
  if (low.equals(full.subreg())) return full;
  const w = full.domain.w;
  const upper = w.upperMask;
  const t = full.tnum;
  // The refined low half knows at least the bits the full value knew there.
  const tnum = new Tnum((t.value & upper) | low.tnum.value, (t.mask & upper) | low.tnum.mask);
  return full.domain.make({ ...full.bounds(), tnum,
    u32min: low.umin, u32max: low.umax, s32min: low.smin, s32max: low.smax });
}

/** The operands restricted to pairs where `a COND b` holds, or null when none does. */
function edge(cond: EdgeCond, a: Scalar, b: Scalar): [Scalar, Scalar] | null {
  const d = a.domain;
  switch (cond) {
    case 'jeq': {
      const m = meet(a, b);
      return m === null ? null : [m, m];
    }
    case 'jne': return ne(d, a, b);
    case 'jgt': return unsigned(d, a, b, true);
    case 'jge': return unsigned(d, a, b, false);
    case 'jlt': return swap(unsigned(d, b, a, true));
    case 'jle': return swap(unsigned(d, b, a, false));
    case 'jsgt': return signed(d, a, b, true);
    case 'jsge': return signed(d, a, b, false);
    case 'jslt': return swap(signed(d, b, a, true));
    case 'jsle': return swap(signed(d, b, a, false));
    case 'jset': return set(d, a, b);
    case 'jnset': return notSet(d, a, b);
  }
}

function swap(r: [Scalar, Scalar] | null): [Scalar, Scalar] | null {
  return r === null ? null : [r[1], r[0]];
}

function pair(a: Scalar | null, b: Scalar | null): [Scalar, Scalar] | null {
  return a === null || b === null ? null : [a, b];
}

/** `a > b` (strict) or `a >= b`, unsigned. */
function unsigned(d: ScalarDomain, a: Scalar, b: Scalar, strict: boolean): [Scalar, Scalar] | null {
  const gap = strict ? 1n : 0n;
  const aMin = b.umin + gap;
  const bMax = a.umax - gap;
  if (aMin > a.umax || bMax < b.umin) return null;
  const na = aMin > a.umin ? d.make({ ...a.bounds(), umin: aMin }) : a;
  const nb = bMax < b.umax ? d.make({ ...b.bounds(), umax: bMax }) : b;
  return pair(na, nb);
}

/** `a s> b` (strict) or `a s>= b`. */
function signed(d: ScalarDomain, a: Scalar, b: Scalar, strict: boolean): [Scalar, Scalar] | null {
  const gap = strict ? 1n : 0n;
  const aMin = b.smin + gap;
  const bMax = a.smax - gap;
  if (aMin > a.smax || bMax < b.smin) return null;
  const na = aMin > a.smin ? d.make({ ...a.bounds(), smin: aMin }) : a;
  const nb = bMax < b.smax ? d.make({ ...b.bounds(), smax: bMax }) : b;
  return pair(na, nb);
}

function ne(d: ScalarDomain, a: Scalar, b: Scalar): [Scalar, Scalar] | null {
  const ca = a.constantValue();
  const cb = b.constantValue();
  if (ca !== undefined && cb !== undefined) return ca === cb ? null : [a, b];
  // Only a constant on one side excludes anything: the other's bounds step past it.
  if (cb !== undefined) return pair(exclude(d, a, cb), b);
  if (ca !== undefined) return pair(a, exclude(d, b, ca));
  return [a, b];
}

function exclude(d: ScalarDomain, s: Scalar, c: bigint): Scalar | null {
  const sc = BigInt.asIntN(d.w.bits, c);
  if (s.umin !== c && s.umax !== c && s.smin !== sc && s.smax !== sc) return s;
  const b = s.bounds();
  if (b.umin === c) b.umin = c + 1n;
  if (b.umax === c) b.umax = c - 1n;
  if (b.smin === sc) b.smin = sc + 1n;
  if (b.smax === sc) b.smax = sc - 1n;
  return d.make(b);
}

/** `a & b != 0`: both non-zero; a single possible common bit is known set in both. */
function set(d: ScalarDomain, a: Scalar, b: Scalar): [Scalar, Scalar] | null {
  const common = (a.tnum.value | a.tnum.mask) & (b.tnum.value | b.tnum.mask);
  if (common === 0n) return null;
  let ta = a.tnum;
  let tb = b.tnum;
  if ((common & (common - 1n)) === 0n) {
    ta = new Tnum(ta.value | common, ta.mask & ~common);
    tb = new Tnum(tb.value | common, tb.mask & ~common);
  }
  const na = d.make({ ...a.bounds(), tnum: ta, umin: a.umin === 0n ? 1n : a.umin });
  const nb = d.make({ ...b.bounds(), tnum: tb, umin: b.umin === 0n ? 1n : b.umin });
  return pair(na, nb);
}

/** `a & b == 0`: a bit known set in one is clear in the other. */
function notSet(d: ScalarDomain, a: Scalar, b: Scalar): [Scalar, Scalar] | null {
  if ((a.tnum.value & b.tnum.value) !== 0n) return null;
  const na = (a.tnum.mask & b.tnum.value) === 0n ? a
    : d.make({ ...a.bounds(), tnum: new Tnum(a.tnum.value, a.tnum.mask & ~b.tnum.value) });
  const nb = (b.tnum.mask & a.tnum.value) === 0n ? b
    : d.make({ ...b.bounds(), tnum: new Tnum(b.tnum.value, b.tnum.mask & ~a.tnum.value) });
  return pair(na, nb);
}
