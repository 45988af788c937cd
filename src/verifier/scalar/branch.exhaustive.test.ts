// Exhaustive soundness of branch refinement at 8 bits (4-bit subregister): for every
// pair of abstract operands in a systematic set, every concrete pair of members that
// takes an edge must be in that edge's refined operands (so an edge reported
// impossible really is). Precision: how many truly impossible edges are detected, and
// how close the refined operands are to the exact sets of members taking the edge.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BRANCH_OPS } from './ops.js';
import { domainOf, type Scalar } from './scalar.js';
import { refineBranch } from './branch.js';
import { abstractValues, branchFn, concreteBranch, members, membership, spread } from './concrete.test.fixture.js';

const BITS = 8;
const d = domainOf(BITS);
const values = abstractValues(d);
const PAIR_SET = spread(values, Number(process.env.EBEE_SCALAR_PAIRS ?? 72), 26);
const memberLists = new Map<Scalar, number[]>(PAIR_SET.map((v) => [v, members(v)]));
const summary: string[] = [];

for (const op of BRANCH_OPS) {
  for (const is32 of [false, true]) {
    const name = `${op}${is32 ? '32' : ''}`;
    test(`refineBranch ${name} is sound on every abstract pair at 8 bits`, () => {
      const failures: string[] = [];
      let pairs = 0;
      let checks = 0;
      let impossible = 0;
      let detected = 0;
      let refinedMembers = 0;
      let exactMembers = 0;
      // Per edge, which members were seen in the current pair (stamped, not cleared).
      const hitA = [new Uint32Array(1 << BITS), new Uint32Array(1 << BITS)];
      const hitB = [new Uint32Array(1 << BITS), new Uint32Array(1 << BITS)];
      let stamp = 0;
      const cond = branchFn(op, is32, BITS);
      for (const a of PAIR_SET) {
        for (const b of PAIR_SET) {
          pairs++;
          const r = refineBranch(op, a, b, is32);
          // One pass over the concrete pairs serves both edges: index 0 taken, 1 not.
          const edges = [r.taken, r.notTaken];
          const inA = edges.map((e) => (e === null ? undefined : membership(e[0])));
          const inB = edges.map((e) => (e === null ? undefined : membership(e[1])));
          const tag = ++stamp;
          const any = [false, false];
          const exactA = [0, 0];
          const exactB = [0, 0];
          for (const x of memberLists.get(a)!) {
            for (const y of memberLists.get(b)!) {
              checks++;
              const e = cond(x, y) ? 0 : 1;
              any[e] = true;
              const ha = hitA[e]!;
              const hb = hitB[e]!;
              if (ha[x] !== tag) { ha[x] = tag; exactA[e]++; }
              if (hb[y] !== tag) { hb[y] = tag; exactB[e]++; }
              const ia = inA[e];
              if ((ia === undefined || ia[x] !== 1 || inB[e]![y] !== 1) && failures.length < 5) {
                const refined = edges[e]!;
                const got = refined === null ? 'impossible' : `[${refined[0]}, ${refined[1]}]`;
                failures.push(`${name} ${e === 0 ? 'taken' : 'not taken'} (${a}, ${b}) -> ${got} misses (${x}, ${y})`);
              }
            }
          }
          for (const e of [0, 1]) {
            const ia = inA[e];
            if (!any[e]) {
              impossible++;
              if (ia === undefined) detected++;
            } else if (ia !== undefined) {
              const ib = inB[e]!;
              for (let x = 0; x < ia.length; x++) refinedMembers += ia[x]! + ib[x]!;
              exactMembers += exactA[e]! + exactB[e]!;
            }
          }
        }
      }
      assert.deepEqual(failures, []);
      summary.push(`${name.padEnd(7)} ${pairs} abstract pairs x 2 edges, ${checks} concrete pairs; impossible edges detected ${detected}/${impossible}; precision ${(exactMembers / refinedMembers).toFixed(3)} (exact members / refined members)`);
    });
  }
}

test('the specialised concrete conditions agree with the reference ones', () => {
  for (const op of BRANCH_OPS) {
    for (const is32 of [false, true]) {
      const f = branchFn(op, is32, BITS);
      for (let x = 0; x < 256; x++) for (let y = 0; y < 256; y++) assert.equal(f(x, y), concreteBranch(op, x, y, is32, BITS));
    }
  }
});

test('constant operands decide the branch', () => {
  const c = (v: bigint) => d.constant(v);
  assert.equal(refineBranch('jeq', c(3n), c(3n), false).notTaken, null);
  assert.equal(refineBranch('jeq', c(3n), c(4n), false).taken, null);
  assert.equal(refineBranch('jsgt', c(0xffn), c(0n), false).taken, null);
  assert.equal(refineBranch('jgt', c(0xffn), c(0n), false).notTaken, null);
  // 32-bit: only the low halves are compared.
  assert.equal(refineBranch('jeq', c(0x13n), c(0x23n), true).notTaken, null);
  assert.equal(refineBranch('jset', c(0x10n), c(0x30n), true).taken, null);
});

test('summary', () => {
  console.log(`scalar branches at 8 bits: ${PAIR_SET.length} abstract values in the pair set\n${summary.join('\n')}`);
});
