// Exhaustive soundness of every ALU transfer function at 8 bits (4-bit subregister):
// for every pair of abstract operands in a systematic set and every pair of their
// concrete members, the concrete result must be a member of the abstract result.
// Precision is measured (members of the abstract result against distinct concrete
// results) and checked exactly where it is cheap: constants give the exact constant.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ALU_OPS, type AluOpName } from './ops.js';
import { domainOf, type Scalar } from './scalar.js';
import { scalarAlu } from './alu.js';
import { abstractValues, concreteAlu, members, membership, spread } from './concrete.test.fixture.js';

const BITS = 8;
// The tracking Linux does not do is the most code to get wrong: test it.
const PRECISE = { kernelCompatible: false } as const;
const d = domainOf(BITS);
const values = abstractValues(d);
const memberLists = new Map<Scalar, number[]>(values.map((v) => [v, members(v)]));
// Binary operations run on every pair of a spread subset (constants and unknown kept);
// unary ones on every value.
const PAIR_SET = spread(values, Number(process.env.EBEE_SCALAR_PAIRS ?? 80), 26);

const UNARY_DST = new Set<AluOpName>(['neg', 'le16', 'le32', 'le64', 'be16', 'be32', 'be64', 'bswap16', 'bswap32', 'bswap64']);
const UNARY_SRC = new Set<AluOpName>(['mov', 'movsx8', 'movsx16', 'movsx32']);
const WIDTH_FREE = (op: AluOpName) => op.startsWith('le') || op.startsWith('be') || op.startsWith('bswap');

interface Tally { pairs: number; checks: number; abstractMembers: number; exactMembers: number; failures: string[] }

function check(op: AluOpName, is32: boolean, a: Scalar, b: Scalar, t: Tally, seen: Uint32Array, stamp: { n: number }): void {
  const r = scalarAlu(op, a, b, is32, PRECISE);
  const inR = membership(r);
  const xs = memberLists.get(a)!;
  const ys = memberLists.get(b)!;
  const tag = ++stamp.n;
  let exact = 0;
  for (const x of xs) {
    for (const y of ys) {
      const z = concreteAlu(op, x, y, is32, BITS);
      t.checks++;
      if (seen[z] !== tag) {
        seen[z] = tag;
        exact++;
      }
      if (inR[z] !== 1 && t.failures.length < 5) {
        t.failures.push(`${op}${is32 ? '32' : ''}(${a}, ${b}) = ${r} misses ${x} op ${y} = ${z}`);
      }
    }
  }
  t.pairs++;
  let n = 0;
  for (let z = 0; z < inR.length; z++) n += inR[z]!;
  t.abstractMembers += n;
  t.exactMembers += exact;
  // Constants fold to the exact constant, except shifts by the width or more, which
  // Linux (and so ebee) treats as unknown.
  const shiftOut = (op === 'lsh' || op === 'rsh' || op === 'arsh') && (b.constantValue() ?? 0n) >= BigInt(is32 ? BITS / 2 : BITS);
  if (a.isConstant() && b.isConstant() && !shiftOut && n !== 1 && t.failures.length < 5) {
    t.failures.push(`${op}${is32 ? '32' : ''}(${a}, ${b}) = ${r}: constants must give the exact constant`);
  }
}

const summary: string[] = [];

for (const op of ALU_OPS) {
  for (const is32 of [false, true]) {
    if (is32 && (WIDTH_FREE(op) || op === 'movsx32')) continue;
    const name = `${op}${is32 ? ' (32-bit)' : ''}`;
    test(`scalarAlu ${name} is sound on every abstract pair at 8 bits`, () => {
      const t: Tally = { pairs: 0, checks: 0, abstractMembers: 0, exactMembers: 0, failures: [] };
      const seen = new Uint32Array(1 << BITS);
      const stamp = { n: 0 };
      // The operand a unary operation ignores is a constant, so each member is checked once.
      const zero = d.constant(0n);
      memberLists.set(zero, [0]);
      if (UNARY_DST.has(op)) for (const a of values) check(op, is32, a, zero, t, seen, stamp);
      else if (UNARY_SRC.has(op)) for (const b of values) check(op, is32, zero, b, t, seen, stamp);
      else for (const a of PAIR_SET) for (const b of PAIR_SET) check(op, is32, a, b, t, seen, stamp);
      assert.deepEqual(t.failures, []);
      assert.ok(t.checks > 0);
      summary.push(`${name.padEnd(16)} ${String(t.pairs).padStart(6)} abstract pairs ${String(t.checks).padStart(9)} concrete checks, precision ${(t.exactMembers / t.abstractMembers).toFixed(3)} (exact results / abstract members)`);
    });
  }
}

test('kernel-compatible mode gives up exactly where Linux does', () => {
  const c = (v: bigint) => d.constant(v);
  const range = d.fromUnsignedRange(0n, 100n);
  for (const op of ['div', 'sdiv', 'mod', 'smod', 'le16', 'le32', 'le64', 'be16', 'be32', 'be64', 'bswap16', 'bswap32', 'bswap64'] as const) {
    for (const is32 of [false, true]) assert.ok(scalarAlu(op, c(12n), c(5n), is32).isUnknown(), op);
  }
  for (const op of ['lsh', 'rsh', 'arsh'] as const) {
    // A variable amount, or one reaching the width, gives unknown; a constant is tracked.
    assert.ok(scalarAlu(op, range, d.fromUnsignedRange(1n, 2n), false).isUnknown(), op);
    assert.ok(scalarAlu(op, range, c(8n), false).isUnknown(), op);
    assert.ok(scalarAlu(op, range, c(4n), true).isUnknown(), `${op}32`);
    for (const is32 of [false, true]) {
      assert.ok(scalarAlu(op, range, c(2n), is32).equals(scalarAlu(op, range, c(2n), is32, PRECISE)), op);
    }
  }
  for (const op of ['add', 'sub', 'mul', 'and', 'or', 'xor', 'neg', 'mov', 'movsx8'] as const) {
    for (const a of PAIR_SET.slice(0, 30)) {
      assert.ok(scalarAlu(op, a, range, false).equals(scalarAlu(op, a, range, false, PRECISE)), op);
    }
  }
});

test('scalarAlu on unknown operands gives unknown (no spurious facts)', () => {
  // At full width every value is reachable: x + y, x - y, x ^ y, x | y, x & y, x * y.
  const u = d.unknown();
  for (const op of ['add', 'sub', 'xor', 'or', 'and', 'mul', 'neg', 'mov', 'bswap64'] as const) {
    assert.ok(scalarAlu(op, u, u, false).isUnknown(), op);
  }
});

test('summary', () => {
  let checks = 0;
  for (const line of summary) checks += Number(/(\d+) concrete/.exec(line)![1]);
  console.log(`scalar ALU at 8 bits: ${values.length} abstract values, ${PAIR_SET.length} in the pair set\n${summary.join('\n')}\ntotal concrete checks: ${checks}`);
});
