// Tnum operations against concrete semantics at 8 bits: every result holds every
// concrete result (soundness), and the operations Linux's are optimal for (add, sub,
// and, or, xor, constant shifts, union, range, cast, sign extension, swaps) return
// exactly the smallest tnum holding the concrete results.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Tnum, tnumAdd, tnumAnd, tnumArshift, tnumCast, tnumIntersect, tnumLshift, tnumMul, tnumOr,
  tnumRange, tnumRshift, tnumSext, tnumSub, tnumSwap, tnumUnion, tnumXor,
} from './tnum.js';
import { widthOf } from './width.js';
import { rng, tnumOfSet } from './concrete.test.fixture.js';

const w = widthOf(8);
const M = 0xff;

/** Every 8-bit tnum (3^8). */
const ALL: Tnum[] = [];
for (let code = 0; code < 6561; code++) {
  let v = 0;
  let m = 0;
  let c = code;
  for (let b = 0; b < 8; b++) {
    const trit = c % 3;
    c = Math.floor(c / 3);
    if (trit === 1) v |= 1 << b;
    if (trit === 2) m |= 1 << b;
  }
  ALL.push(new Tnum(BigInt(v), BigInt(m)));
}

function membersOf(t: Tnum): number[] {
  const out: number[] = [];
  const v = Number(t.value);
  const m = Number(t.mask);
  // Enumerate the subsets of the mask.
  let sub = m;
  for (;;) {
    out.push(v | sub);
    if (sub === 0) break;
    sub = (sub - 1) & m;
  }
  return out;
}

/** Pairs of tnums with at most 4 unknown bits each: all of the low nibble's, plus random. */
function pairs(): [Tnum, Tnum][] {
  const small = ALL.filter((t) => membersOf(t).length <= 16);
  const out: [Tnum, Tnum][] = [];
  const nibble = ALL.filter((t) => t.value < 16n && t.mask < 16n);
  for (const a of nibble) for (const b of nibble) out.push([a, b]);
  const r = rng(1234);
  for (let i = 0; i < 15000; i++) out.push([small[r() % small.length]!, small[r() % small.length]!]);
  return out;
}
const PAIRS = pairs();

type BinOp = { name: string; abs: (a: Tnum, b: Tnum) => Tnum; conc: (x: number, y: number) => number; optimal: boolean };
const BIN_OPS: BinOp[] = [
  { name: 'add', abs: (a, b) => tnumAdd(a, b, w), conc: (x, y) => (x + y) & M, optimal: true },
  { name: 'sub', abs: (a, b) => tnumSub(a, b, w), conc: (x, y) => (x - y) & M, optimal: true },
  { name: 'and', abs: tnumAnd, conc: (x, y) => x & y, optimal: true },
  { name: 'or', abs: tnumOr, conc: (x, y) => x | y, optimal: true },
  { name: 'xor', abs: tnumXor, conc: (x, y) => x ^ y, optimal: true },
  { name: 'mul', abs: (a, b) => tnumMul(a, b, w), conc: (x, y) => Math.imul(x, y) & M, optimal: false },
];

for (const op of BIN_OPS) {
  test(`tnum ${op.name} is sound${op.optimal ? ' and optimal' : ''} at 8 bits`, () => {
    let checks = 0;
    let optimal = 0;
    const failures: string[] = [];
    for (const [a, b] of PAIRS) {
      const r = op.abs(a, b);
      const results: number[] = [];
      for (const x of membersOf(a)) {
        for (const y of membersOf(b)) {
          const z = op.conc(x, y);
          results.push(z);
          checks++;
          if (!r.contains(BigInt(z)) && failures.length < 5) failures.push(`${a} ${op.name} ${b} = ${r} misses ${z}`);
        }
      }
      const best = tnumOfSet(results)!;
      if (best.equals(r)) optimal++;
      else if (op.optimal && failures.length < 5) failures.push(`${a} ${op.name} ${b} = ${r}, optimal ${best}`);
    }
    assert.deepEqual(failures, []);
    console.log(`tnum ${op.name}: ${PAIRS.length} pairs, ${checks} concrete checks, optimal in ${optimal}`);
  });
}

test('tnum shifts, cast, sign extension and swaps are exact on every 8-bit tnum', () => {
  let checks = 0;
  const failures: string[] = [];
  const expect = (what: string, got: Tnum, xs: number[]) => {
    checks += xs.length;
    const best = tnumOfSet(xs)!;
    if (!best.equals(got) && failures.length < 5) failures.push(`${what} = ${got}, optimal ${best}`);
  };
  const signed = (x: number) => (x >= 128 ? x - 256 : x);
  for (const t of ALL) {
    const xs = membersOf(t);
    for (let k = 0; k < 8; k++) {
      expect(`${t} << ${k}`, tnumLshift(t, k, w), xs.map((x) => (x << k) & M));
      expect(`${t} >> ${k}`, tnumRshift(t, k), xs.map((x) => x >>> k));
      expect(`${t} s>> ${k}`, tnumArshift(t, k, w), xs.map((x) => (signed(x) >> k) & M));
    }
    for (const n of [1, 2, 4]) {
      expect(`cast ${t} ${n}`, tnumCast(t, n), xs.map((x) => x & ((1 << n) - 1)));
      const sx = (x: number) => {
        const low = x & ((1 << n) - 1);
        return (low >= 1 << (n - 1) ? low - (1 << n) : low) & M;
      };
      expect(`sext ${t} ${n}`, tnumSext(t, n, w), xs.map(sx));
    }
    expect(`swap8 ${t}`, tnumSwap(t, 8, 1), xs.map((x) => {
      let r = 0;
      for (let i = 0; i < 8; i++) r = (r << 1) | ((x >> i) & 1);
      return r;
    }));
  }
  assert.deepEqual(failures, []);
  console.log(`tnum unary: ${ALL.length} tnums, ${checks} concrete checks`);
});

test('tnum union is the smallest tnum of both; intersect is the common members', () => {
  const failures: string[] = [];
  for (const [a, b] of PAIRS) {
    const xa = membersOf(a);
    const xb = membersOf(b);
    const u = tnumUnion(a, b);
    if (!u.equals(tnumOfSet([...xa, ...xb])!)) failures.push(`union ${a} ${b} = ${u}`);
    const common = xa.filter((x) => b.contains(BigInt(x)));
    if (common.length > 0) {
      const i = tnumIntersect(a, b);
      const exact = membersOf(i);
      if (exact.length !== common.length || !exact.every((x) => common.includes(x))) failures.push(`intersect ${a} ${b} = ${i}`);
    }
    if (failures.length >= 5) break;
  }
  assert.deepEqual(failures, []);
});

test('tnumRange is the smallest tnum of every 8-bit interval', () => {
  for (let lo = 0; lo < 256; lo++) {
    for (let hi = lo; hi < 256; hi++) {
      const xs: number[] = [];
      for (let x = lo; x <= hi; x++) xs.push(x);
      const got = tnumRange(BigInt(lo), BigInt(hi), w);
      assert.ok(got.equals(tnumOfSet(xs)!), `[${lo}, ${hi}] = ${got}`);
    }
  }
});

test('Tnum queries', () => {
  const t = new Tnum(0b1000n, 0b0011n);
  assert.deepEqual(membersOf(t), [11, 10, 9, 8]);
  assert.ok(t.contains(9n) && !t.contains(12n));
  assert.ok(t.includes(new Tnum(0b1001n, 0b0010n)));
  assert.ok(!t.includes(new Tnum(0b1000n, 0b0111n)));
  assert.equal(t.toString(), '(0x8; 0x3)');
  assert.ok(new Tnum(5n, 0n).isConst() && !t.isConst());
});
