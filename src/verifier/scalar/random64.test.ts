// 64-bit soundness by random walk: a pool of abstract values, each with concrete
// members it is known to hold, is repeatedly combined by a random ALU operation or
// branch edge; every concrete result (every concrete pair taking the edge) must be in
// the abstract result, which then joins the pool with those results as its members.
// Values are biased to where bugs live: 0, the 2^31 / 2^32 / 2^63 / 2^64 boundaries.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ALU_OPS, BRANCH_OPS } from './ops.js';
import { DOMAIN64, join, type Scalar } from './scalar.js';
import { scalarAlu } from './alu.js';
import { refineBranch } from './branch.js';
import { concreteAluBig, concreteBranchBig, rng } from './concrete.test.fixture.js';
import { Tnum } from './tnum.js';

const STEPS = Number(process.env.EBEE_SCALAR_STEPS ?? 40000);
const U64 = (1n << 64n) - 1n;

interface Entry { s: Scalar; xs: bigint[] }

function walk(seed: number) {
  const r = rng(seed);
  const rand64 = () => (BigInt(r()) << 32n) | BigInt(r());
  const pivots = [0n, 1n << 31n, 1n << 32n, 1n << 63n, 0n - 1n, 1n << 16n, 1n << 8n];
  const value = (): bigint => {
    switch (r() % 6) {
      case 0: return BigInt(r() % 300);
      case 1: return BigInt.asUintN(64, pivots[r() % pivots.length]! + BigInt((r() % 9) - 4));
      case 2: return rand64();
      case 3: return BigInt(r());
      case 4: return BigInt.asUintN(64, -BigInt(r() % 300));
      default: return BigInt.asUintN(64, BigInt(r() % 64));
    }
  };
  const fresh = (): Entry => {
    const n = 1 + (r() % 6);
    const base = value();
    // Members close together (ranges that stay in one block) or scattered.
    const xs = Array.from({ length: n }, () => (r() % 2 ? BigInt.asUintN(64, base + BigInt(r() % 40)) : value()));
    let s: Scalar;
    switch (r() % 5) {
      case 0: {
        const lo = xs.reduce((a, b) => (a < b ? a : b));
        const hi = xs.reduce((a, b) => (a > b ? a : b));
        s = DOMAIN64.fromUnsignedRange(lo, hi);
        break;
      }
      case 1: {
        const ss = xs.map((x) => BigInt.asIntN(64, x));
        s = DOMAIN64.fromSignedRange(ss.reduce((a, b) => (a < b ? a : b)), ss.reduce((a, b) => (a > b ? a : b)));
        break;
      }
      case 2: {
        const and = xs.reduce((a, b) => a & b, U64);
        const or = xs.reduce((a, b) => a | b, 0n);
        s = DOMAIN64.fromTnum(new Tnum(and, or & ~and));
        break;
      }
      default:
        s = xs.map((x) => DOMAIN64.constant(x)).reduce((a, b) => join(a, b));
    }
    return { s, xs };
  };
  const pool: Entry[] = Array.from({ length: 200 }, fresh);
  const pick = () => (r() % 5 === 0 ? fresh() : pool[r() % pool.length]!);
  let aluChecks = 0;
  let branchChecks = 0;
  const failures: string[] = [];
  for (let step = 0; step < STEPS && failures.length < 5; step++) {
    const a = pick();
    const b = pick();
    for (const x of a.xs) assert.ok(a.s.contains(x), `pool value ${a.s} lost member ${x}`);
    if (r() % 3 !== 0) {
      const op = ALU_OPS[r() % ALU_OPS.length]!;
      const is32 = r() % 2 === 0 && !op.startsWith('le') && !op.startsWith('be') && !op.startsWith('bswap') && op !== 'movsx32';
      // Both modes: the kernel-compatible one on a third of the steps.
      const res = scalarAlu(op, a.s, b.s, is32, { kernelCompatible: r() % 3 === 0 });
      const zs: bigint[] = [];
      for (const x of a.xs) {
        for (const y of b.xs) {
          const z = concreteAluBig(op, x, y, is32, 64);
          aluChecks++;
          // Linux's rule, which ebee follows: shifts by the width or more are unknown.
          if (!res.contains(z)) failures.push(`${op}${is32 ? '32' : ''}(${a.s}, ${b.s}) = ${res} misses ${x} op ${y} = ${z}`);
          if (zs.length < 6 && !zs.includes(z)) zs.push(z);
        }
      }
      pool[r() % pool.length] = { s: res, xs: zs };
    } else {
      const op = BRANCH_OPS[r() % BRANCH_OPS.length]!;
      const is32 = r() % 2 === 0;
      const res = refineBranch(op, a.s, b.s, is32);
      const kept: [bigint[], bigint[]][] = [[[], []], [[], []]];
      for (const x of a.xs) {
        for (const y of b.xs) {
          branchChecks++;
          const taken = concreteBranchBig(op, x, y, is32, 64);
          const edge = taken ? res.taken : res.notTaken;
          if (edge === null || !edge[0].contains(x) || !edge[1].contains(y)) {
            failures.push(`${op}${is32 ? '32' : ''} ${taken ? 'taken' : 'not taken'} (${a.s}, ${b.s}) -> ${edge === null ? 'impossible' : `[${edge[0]}, ${edge[1]}]`} misses (${x}, ${y})`);
          }
          const k = kept[taken ? 0 : 1]!;
          if (!k[0].includes(x)) k[0].push(x);
          if (!k[1].includes(y)) k[1].push(y);
        }
      }
      for (const [i, edge] of [res.taken, res.notTaken].entries()) {
        const k = kept[i]!;
        if (edge === null || k[0].length === 0) continue;
        pool[r() % pool.length] = { s: edge[0], xs: k[0] };
        pool[r() % pool.length] = { s: edge[1], xs: k[1] };
      }
    }
  }
  return { aluChecks, branchChecks, failures };
}

test('64-bit random walk over ALU operations and branch edges is sound', () => {
  const { aluChecks, branchChecks, failures } = walk(0xeb9f);
  assert.deepEqual(failures, []);
  assert.ok(aluChecks > STEPS && branchChecks > STEPS / 4);
  console.log(`scalar 64-bit random walk: ${STEPS} steps, ${aluChecks} ALU and ${branchChecks} branch concrete checks`);
});

test('64-bit edge cases Linux programs rely on', () => {
  const C = (v: bigint) => DOMAIN64.constant(v);
  // A byte load masked and scaled stays small: index arithmetic (as Linux logs it).
  const byte = DOMAIN64.fromUnsignedRange(0n, 255n);
  const idx = scalarAlu('lsh', scalarAlu('and', byte, C(0xfn), false), C(3n), false);
  assert.equal(idx.toString(), 'scalar(smin=smin32=0,smax=umax=smax32=umax32=120,var_off=(0x0; 0x78))');
  // if r1 < 16 on the taken edge bounds an unknown value.
  const t = refineBranch('jlt', DOMAIN64.unknown(), C(16n), false).taken!;
  assert.equal(t[0].toString(), 'scalar(smin=smin32=0,smax=umax=smax32=umax32=15,var_off=(0x0; 0xf))');
  // A 32-bit comparison bounds the subregister only; w-register arithmetic zero-extends.
  const t32 = refineBranch('jlt', DOMAIN64.unknown(), C(16n), true).taken![0];
  assert.equal(t32.u32max, 15n);
  // The largest number whose low half is at most 15.
  assert.equal(t32.umax, 0xffffffff0000000fn);
  assert.equal(scalarAlu('add', t32, C(1n), true).umax, 16n);
  // Signed comparison of a u32 value: smin stays 0.
  const u32 = DOMAIN64.fromUnsignedRange(0n, 0xffffffffn);
  const s = refineBranch('jsgt', u32, C(100n), false).notTaken![0];
  assert.equal(s.umax, 100n);
  // x / 0 = 0 and x % 0 = x at run time; the domain agrees.
  const precise = { kernelCompatible: false };
  assert.equal(scalarAlu('div', C(7n), C(0n), false, precise).constantValue(), 0n);
  assert.equal(scalarAlu('mod', C(7n), C(0n), false, precise).constantValue(), 7n);
  assert.equal(scalarAlu('sdiv', C(1n << 63n), C(U64), false, precise).constantValue(), 1n << 63n);
  // Linux does not track division at all, so by default neither do we.
  assert.ok(scalarAlu('div', C(7n), C(2n), false).isUnknown());
  // 64-bit bounds deduced from 32-bit ones when the upper half is fixed.
  const hi = DOMAIN64.fromUnsignedRange(0x100000000n, 0x1ffffffffn);
  const lowSmall = refineBranch('jle', hi, C(10n), true).taken![0];
  assert.equal(lowSmall.umax, 0x10000000an);
  // Shifts by the width or more are unknown, as Linux has it.
  assert.ok(scalarAlu('lsh', C(1n), C(64n), false).isUnknown());
});
