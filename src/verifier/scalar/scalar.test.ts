// The Scalar value itself: constructors describe exactly the numbers they name,
// cross-refinement never changes the set of numbers (it only tightens each fact), the
// lattice operations and conversions are sound, and the log rendering is the kernel's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DOMAIN64, Scalar, domainOf, join, meet, widen } from './scalar.js';
import { Tnum } from './tnum.js';
import { ScalarError, ScalarErrorCode } from './errors.js';
import { scalarAlu } from './alu.js';
import { isEbeeError } from '../../errors.js';
import { abstractValues, members, membership, rng, spread } from './concrete.test.fixture.js';

const d = domainOf(8);
const values = abstractValues(d);

const range = (lo: number, hi: number) => Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);

test('constructors hold exactly the numbers they name (every 8-bit constant and interval)', () => {
  for (let v = 0; v < 256; v++) assert.deepEqual(members(d.constant(BigInt(v))), [v]);
  assert.deepEqual(members(d.constant(-1n)), [255]);
  assert.equal(members(d.unknown()).length, 256);
  for (let lo = 0; lo < 256; lo += 3) {
    for (let hi = lo; hi < 256; hi += 5) {
      assert.deepEqual(members(d.fromUnsignedRange(BigInt(lo), BigInt(hi))), range(lo, hi));
    }
  }
  for (let lo = -128; lo < 128; lo += 3) {
    for (let hi = lo; hi < 128; hi += 7) {
      const expected = range(lo, hi).map((x) => x & 0xff).sort((a, b) => a - b);
      assert.deepEqual(members(d.fromSignedRange(BigInt(lo), BigInt(hi))), expected);
    }
  }
  const t = new Tnum(0x21n, 0x0an);
  assert.deepEqual(members(d.fromTnum(t)), [0x21, 0x23, 0x29, 0x2b]);
});

/**
 * Random facts, each loose or tight, at `bits` bits: the synced value must have exactly
 * the members of the facts taken literally, and be null only when that set is empty.
 */
function checkSync(bits: number, N: number, seed: number): string {
  const dom = domainOf(bits);
  const w = dom.w;
  const M = Number(w.max);
  const H = w.half;
  const HM = (1 << H) - 1;
  const r = rng(seed);
  const pick = (lo: number, hi: number) => lo + (r() % (hi - lo + 1));
  // Two ends either anywhere or close together (so ranges within one block occur).
  const ends = (lo: number, hi: number) => {
    const x = pick(lo, hi);
    const y = r() % 2 ? pick(lo, hi) : Math.min(hi, x + pick(0, 40));
    return [x, y].sort((p, q) => p - q);
  };
  let empty = 0;
  let detected = 0;
  let tight = 0;
  let nonEmpty = 0;
  for (let i = 0; i < N; i++) {
    const mask = r() & M;
    const tnum = r() % 4 === 0 ? new Tnum(0n, w.max) : new Tnum(BigInt(r() & M & ~mask), BigInt(mask));
    const u = ends(0, M);
    const s = ends(Number(w.smin), Number(w.smax));
    const u32 = ends(0, HM);
    const s32 = ends(Number(w.halfSmin), Number(w.halfSmax));
    const loose = r();
    const b = {
      tnum,
      umin: loose & 1 ? 0n : BigInt(u[0]!), umax: loose & 1 ? w.max : BigInt(u[1]!),
      smin: loose & 2 ? w.smin : BigInt(s[0]!), smax: loose & 2 ? w.smax : BigInt(s[1]!),
      u32min: loose & 4 ? 0n : BigInt(u32[0]!), u32max: loose & 4 ? w.halfMax : BigInt(u32[1]!),
      s32min: loose & 8 ? w.halfSmin : BigInt(s32[0]!), s32max: loose & 8 ? w.halfSmax : BigInt(s32[1]!),
    };
    const tv = Number(tnum.value);
    const tm = Number(tnum.mask);
    const [umin, umax, smin, smax] = [b.umin, b.umax, b.smin, b.smax].map(Number) as [number, number, number, number];
    const [u32min, u32max, s32min, s32max] = [b.u32min, b.u32max, b.s32min, b.s32max].map(Number) as [number, number, number, number];
    const literal: number[] = [];
    for (let x = 0; x <= M; x++) {
      const sx = x > Number(w.smax) ? x - M - 1 : x;
      const lo = x & HM;
      const slo = lo > Number(w.halfSmax) ? lo - HM - 1 : lo;
      if ((x & ~tm) === tv && x >= umin && x <= umax && sx >= smin && sx <= smax
        && lo >= u32min && lo <= u32max && slo >= s32min && slo <= s32max) literal.push(x);
    }
    const synced = dom.make(b);
    if (literal.length === 0) {
      empty++;
      if (synced === null) detected++;
      else assert.deepEqual(members(synced), [], `${synced} from empty facts`);
      continue;
    }
    assert.ok(synced !== null, `facts with members ${literal.slice(0, 4)} reported empty`);
    assert.deepEqual(members(synced), literal, `sync of ${JSON.stringify(b, (_k, v) => (typeof v === 'bigint' ? String(v) : v))}`);
    // Precision, measured: how often the unsigned bounds are the set's extremes.
    if (synced.umin === BigInt(literal[0]!) && synced.umax === BigInt(literal[literal.length - 1]!)) tight++;
    nonEmpty++;
  }
  return `scalar sync at ${bits} bits: ${N} random fact sets, ${empty} empty (${detected} detected as empty); of ${nonEmpty} others, unsigned bounds exact in ${tight}`;
}

test('cross-refinement keeps exactly the numbers satisfying every fact, or reports none (8 bits)', () => {
  console.log(checkSync(8, 20000, 77));
});

test('cross-refinement keeps exactly the numbers satisfying every fact, or reports none (16 bits)', () => {
  console.log(checkSync(16, 300, 78));
});

test('contains agrees with membership', () => {
  for (const v of spread(values, 60, 26)) {
    const m = membership(v);
    for (let x = 0; x < 256; x++) assert.equal(v.contains(BigInt(x)), m[x] === 1);
    assert.equal(v.contains(-1n), m[255] === 1);
  }
});

test('subsumes, join, widen and meet are sound on pairs of abstract values', () => {
  const set = spread(values, 70, 26);
  const mem = new Map(set.map((v) => [v, membership(v)]));
  let subsumed = 0;
  for (const a of set) {
    assert.ok(a.subsumes(a));
    assert.ok(a.equals(a));
    for (const b of set) {
      const ma = mem.get(a)!;
      const mb = mem.get(b)!;
      if (a.subsumes(b)) {
        subsumed++;
        for (let x = 0; x < 256; x++) if (mb[x]) assert.equal(ma[x], 1, `${a} subsumes ${b} but misses ${x}`);
      }
      const j = membership(join(a, b));
      const wd = membership(widen(a, b));
      const m = meet(a, b);
      const mm = m === null ? undefined : membership(m);
      for (let x = 0; x < 256; x++) {
        if (ma[x] || mb[x]) {
          assert.equal(j[x], 1, `join(${a}, ${b}) misses ${x}`);
          assert.equal(wd[x], 1, `widen(${a}, ${b}) misses ${x}`);
        }
        if (ma[x] && mb[x]) assert.ok(mm !== undefined && mm[x] === 1, `meet(${a}, ${b}) misses ${x}`);
      }
      assert.ok(join(a, b).subsumes(a) && join(a, b).subsumes(b));
    }
  }
  assert.ok(subsumed > set.length);
});

test('widen reaches a fixpoint on a growing counter in a few steps', () => {
  // i = 0; loop { i += 1 }: the ascending chain of loop-head states must stop.
  let state = Scalar.constant(0n);
  let steps = 0;
  for (;;) {
    const next = widen(state, join(state, scalarAlu('add', state, Scalar.constant(1n), false)));
    if (next.equals(state)) break;
    state = next;
    steps++;
    assert.ok(steps < 10, 'widening did not converge');
  }
  assert.ok(state.contains(0n) && state.contains(1000n));
});

test('conversions are sound: subregister, zero extension, truncation, sign extension', () => {
  for (const v of values) {
    const xs = members(v);
    const sub = membership(v.subreg());
    const z = membership(v.zext32());
    const t2 = membership(v.truncate(2));
    const sx2 = membership(v.signExtend(2));
    const sx4 = membership(v.signExtend(4));
    for (const x of xs) {
      assert.equal(sub[x & 15], 1, `subreg(${v}) misses ${x & 15}`);
      assert.equal(z[x & 15], 1, `zext32(${v}) misses ${x & 15}`);
      assert.equal(t2[x & 3], 1, `truncate(${v}, 2) misses ${x & 3}`);
      const s2 = ((x & 3) >= 2 ? (x & 3) - 4 : x & 3) & 0xff;
      const s4 = ((x & 15) >= 8 ? (x & 15) - 16 : x & 15) & 0xff;
      assert.equal(sx2[s2], 1, `signExtend(${v}, 2) misses ${s2}`);
      assert.equal(sx4[s4], 1, `signExtend(${v}, 4) misses ${s4}`);
    }
  }
});

test('the kernel log rendering', () => {
  assert.equal(Scalar.unknown().toString(), 'scalar()');
  assert.equal(Scalar.constant(42n).toString(), '42');
  assert.equal(Scalar.constant(-1n).toString(), '-1');
  assert.equal(Scalar.constant(0x12345678n).toString(), '0x12345678');
  assert.equal(Scalar.fromUnsignedRange(0n, 255n).toString(),
    'scalar(smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff))');
  assert.equal(Scalar.fromSignedRange(-5n, 5n).toString(), 'scalar(smin=smin32=-5,smax=smax32=5)');
  assert.equal(Scalar.fromUnsignedRange(0n, 0xffffffffn).toString(),
    'scalar(smin=0,smax=umax=0xffffffff,var_off=(0x0; 0xffffffff))');
  assert.equal(Scalar.fromTnum(new Tnum(0x4n, 0xf0n)).toString(),
    'scalar(smin=umin=smin32=umin32=4,smax=umax=smax32=umax32=244,var_off=(0x4; 0xf0))');
  // A negative signed bound is never merged with an unsigned one.
  assert.equal(Scalar.fromSignedRange(-1n, 0n).toString(), 'scalar(smin=smin32=-1,smax=smax32=0)');
});

test('queries', () => {
  const c = Scalar.constant(-2n);
  assert.ok(c.isConstant());
  assert.equal(c.constantValue(), 0xfffffffffffffffen);
  assert.equal(c.signedConstantValue(), -2n);
  assert.equal(Scalar.unknown().constantValue(), undefined);
  assert.ok(Scalar.unknown().isUnknown() && !c.isUnknown());
  assert.ok(Scalar.fromUnsignedRange(3n, 9n).equals(DOMAIN64.fromUnsignedRange(3n, 9n)));
  assert.ok(!Scalar.fromUnsignedRange(3n, 9n).equals(Scalar.fromUnsignedRange(3n, 10n)));
});

test('bad arguments are typed errors', () => {
  const isArg = (e: unknown) => e instanceof ScalarError && isEbeeError(e, ScalarErrorCode.ARGUMENT);
  assert.throws(() => domainOf(7), isArg);
  assert.throws(() => domainOf(128), isArg);
  assert.throws(() => Scalar.fromUnsignedRange(5n, 3n), isArg);
  assert.throws(() => Scalar.fromUnsignedRange(0n, 1n << 64n), isArg);
  assert.throws(() => Scalar.fromSignedRange(-(1n << 63n) - 1n, 0n), isArg);
  assert.throws(() => Scalar.fromTnum(new Tnum(1n, 1n)), isArg);
});
