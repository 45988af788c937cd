// The operation memo and the interning it relies on: a remembered answer must be the
// answer the computation gives. Every operation is first asked of the same interned
// operands in every variant (32-bit or not, kernel-compatible or not, each condition),
// so a key that confused two variants would hand one's result to the other; then each
// is asked again and compared with the same question on fresh copies of the operands,
// which the memo has never seen.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ALU_OPS, BRANCH_OPS } from './ops.js';
import { DOMAIN64, Scalar, domainOf } from './scalar.js';
import { scalarAlu } from './alu.js';
import { refineBranch, type BranchRefinement } from './branch.js';
import { abstractValues, rng, spread } from './concrete.test.fixture.js';
import { Tnum, tnumRange } from './tnum.js';
import { FactTable, type Facts } from './intern.js';

const PRECISE = { kernelCompatible: false } as const;

/** A value with the same facts that is not the interned object. */
function copy(s: Scalar): Scalar {
  return new Scalar(s.domain, s.tnum, s.umin, s.umax, s.smin, s.smax, s.u32min, s.u32max, s.s32min, s.s32max);
}

function sameEdge(a: readonly [Scalar, Scalar] | null, b: readonly [Scalar, Scalar] | null): boolean {
  return a === null ? b === null : b !== null && a[0].equals(b[0]) && a[1].equals(b[1]);
}

function sameRefinement(a: BranchRefinement, b: BranchRefinement): boolean {
  return sameEdge(a.taken, b.taken) && sameEdge(a.notTaken, b.notTaken);
}

/** Asks everything of each pair twice and checks the second answers against fresh operands. */
function checkPairs(pairs: readonly (readonly [Scalar, Scalar])[]): string[] {
  const failures: string[] = [];
  for (const [a, b] of pairs) {
    for (let round = 0; round < 2; round++) {
      for (const op of ALU_OPS) {
        for (const is32 of [false, true]) {
          for (const options of [{}, PRECISE]) {
            const r = scalarAlu(op, a, b, is32, options);
            if (round === 0) continue;
            const fresh = scalarAlu(op, copy(a), copy(b), is32, options);
            if (!r.equals(fresh) && failures.length < 5) {
              failures.push(`${op}${is32 ? '32' : ''}${options === PRECISE ? ' precise' : ''}(${a}, ${b}): memo ${r}, computed ${fresh}`);
            }
          }
        }
      }
      for (const op of BRANCH_OPS) {
        for (const is32 of [false, true]) {
          const r = refineBranch(op, a, b, is32);
          if (round === 0) continue;
          if (!sameRefinement(r, refineBranch(op, copy(a), copy(b), is32)) && failures.length < 5) {
            failures.push(`${op}${is32 ? '32' : ''}(${a}, ${b}): the memo's refinement differs`);
          }
        }
      }
    }
  }
  return failures;
}

test('remembered ALU results and branch refinements equal computed ones (8 bits)', () => {
  const d = domainOf(8);
  const set = spread(abstractValues(d), 36, 8);
  const pairs: [Scalar, Scalar][] = [];
  for (const a of set) for (const b of set) pairs.push([a, b]);
  assert.deepEqual(checkPairs(pairs), []);
});

test('remembered ALU results and branch refinements equal computed ones (64 bits)', () => {
  const r = rng(0x3e30);
  const D = DOMAIN64;
  const edges = [0n, 1n, 7n, 255n, (1n << 31n) - 1n, 1n << 31n, (1n << 32n) - 1n, 1n << 32n, (1n << 63n) - 1n, 1n << 63n, D.w.max];
  const value = (): bigint => (r() % 2 ? edges[r() % edges.length]! : (BigInt(r()) << BigInt(r() % 33)) & D.w.max);
  const pool: Scalar[] = [D.unknown()];
  for (let i = 0; i < 24; i++) {
    const x = value();
    const y = value();
    const lo = x < y ? x : y;
    const hi = x < y ? y : x;
    switch (i % 4) {
      case 0: pool.push(D.constant(x)); break;
      case 1: pool.push(D.fromUnsignedRange(lo, hi)); break;
      case 2: pool.push(D.fromSignedRange(BigInt.asIntN(64, lo) < BigInt.asIntN(64, hi) ? BigInt.asIntN(64, lo) : BigInt.asIntN(64, hi),
        BigInt.asIntN(64, lo) < BigInt.asIntN(64, hi) ? BigInt.asIntN(64, hi) : BigInt.asIntN(64, lo))); break;
      default: pool.push(D.fromTnum(new Tnum(x & ~y, y))); break;
    }
  }
  const pairs: [Scalar, Scalar][] = [];
  for (const a of pool) for (const b of pool) if (r() % 3 === 0) pairs.push([a, b]);
  assert.deepEqual(checkPairs(pairs), []);
});

test('values with equal facts are one object; different facts never are', () => {
  const d = domainOf(8);
  assert.equal(d.constant(5n), d.constant(5n));
  assert.equal(d.constant(-1n), d.constant(255n));
  assert.equal(d.fromUnsignedRange(3n, 9n), d.fromUnsignedRange(3n, 9n));
  // A result equal to an existing value is that value.
  assert.equal(scalarAlu('add', d.constant(2n), d.constant(3n), false), d.constant(5n));
  assert.equal(scalarAlu('and', d.unknown(), d.constant(0n), false), d.constant(0n));
  assert.equal(d.fromTnum(new Tnum(0n, d.w.max)), d.unknown());
  // Every distinct set of facts keeps its own object.
  const values = abstractValues(d);
  const again = abstractValues(d);
  values.forEach((v, i) => assert.equal(again[i], v));
  const objects = new Set(values);
  assert.equal(objects.size, values.length);
  for (const v of values) assert.ok(d.make(v.bounds()) === v || !d.make(v.bounds())!.equals(v));
});

test('the intern table tells apart facts whose hashes collide', () => {
  // Bounds near 2^63 that differ only in their lowest bit read as the same double, so
  // they hash alike: only the comparison of every fact keeps them apart. (The 32-bit
  // bounds are below 2^53 and hashed exactly; the signed ones are not hashed at all.)
  const big = (1n << 62n) | (1n << 61n);
  const mask = 1n << 60n;
  const base: Facts = { tnum: new Tnum(big, mask), umin: big, umax: big, smin: big, smax: big,
    u32min: 1n, u32max: 1n, s32min: 1n, s32max: 1n };
  const variants: Facts[] = [base];
  for (const k of ['umin', 'umax', 'smin', 'smax', 'u32min', 'u32max', 's32min', 's32max'] as const) {
    variants.push({ ...base, [k]: base[k] + 1n });
  }
  variants.push({ ...base, tnum: new Tnum(big + 1n, mask) }, { ...base, tnum: new Tnum(big, mask + 1n) });
  const table = new FactTable<Facts>((tnum, umin, umax, smin, smax, u32min, u32max, s32min, s32max) =>
    ({ tnum, umin, umax, smin, smax, u32min, u32max, s32min, s32max }));
  const intern = (f: Facts) => table.intern(f.tnum, f.umin, f.umax, f.smin, f.smax, f.u32min, f.u32max, f.s32min, f.s32max);
  const first = variants.map(intern);
  assert.equal(new Set(first).size, variants.length);
  variants.forEach((f, i) => {
    assert.equal(intern({ ...f, tnum: new Tnum(f.tnum.value, f.tnum.mask) }), first[i]);
    assert.deepEqual(first[i], f);
  });
});

test('remembered ranges are the ranges asked for', () => {
  const d = domainOf(8);
  const w = d.w;
  const fresh = (tnum: Tnum, umin: bigint, umax: bigint, smin: bigint, smax: bigint) =>
    d.make({ tnum, umin, umax, smin, smax, u32min: 0n, u32max: w.halfMax, s32min: w.halfSmin, s32max: w.halfSmax });
  for (let round = 0; round < 2; round++) {
    for (let lo = 0n; lo <= w.max; lo += 7n) {
      for (let hi = lo; hi <= w.max; hi += 5n) {
        const u = d.fromUnsignedRange(lo, hi);
        assert.ok(u.umin === lo && u.umax === hi, `[${lo}, ${hi}] gave ${u}`);
        assert.ok(u === fresh(tnumRange(lo, hi, w), lo, hi, w.smin, w.smax), `[${lo}, ${hi}]`);
        const sl = lo + w.smin;
        const sh = hi + w.smin;
        const s = d.fromSignedRange(sl, sh);
        assert.ok(s.smin === sl && s.smax === sh, `s[${sl}, ${sh}] gave ${s}`);
        assert.ok(s === fresh(new Tnum(0n, w.max), 0n, w.max, sl, sh), `s[${sl}, ${sh}]`);
      }
    }
  }
});
