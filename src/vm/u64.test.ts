import { test } from 'node:test';
import assert from 'node:assert/strict';
import { insn, type Instruction } from '../isa/index.js';
import { Vm } from './index.js';
import { DIVMOD, mulhiU32, sdivmod64, udivmod64 } from './u64.js';

// The int32-pair arithmetic of u64.ts and the interpreter's inline copies, against
// BigInt, over operands that favour the edges: powers of two and their neighbours,
// random bit lengths, and dividends within a few units of a multiple of the divisor
// (where a quotient estimate is most likely to be off by one).

const MASK64 = (1n << 64n) - 1n;
const lo = (v: bigint): number => Number(BigInt.asIntN(32, v));
const hi = (v: bigint): number => Number(BigInt.asIntN(32, v >> 32n));
const pair = (l: number, h: number): bigint => (BigInt(h >>> 0) << 32n) | BigInt(l >>> 0);
const hex = (v: bigint): string => `0x${BigInt.asUintN(64, v).toString(16)}`;

/** splitmix64: a seeded generator, so a failure can be replayed. */
function rng(seed: bigint): () => bigint {
  let s = seed;
  return () => {
    s = (s + 0x9e3779b97f4a7c15n) & MASK64;
    let z = s;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
    return z ^ (z >> 31n);
  };
}

const SPECIAL = [0n, 1n, 2n, 3n, 7n, 10n, (1n << 21n) - 1n, 1n << 21n, (1n << 21n) + 1n, (1n << 31n) - 1n, 1n << 31n,
  (1n << 32n) - 1n, 1n << 32n, (1n << 32n) + 1n, (1n << 53n) - 1n, 1n << 53n, (1n << 53n) + 1n,
  (1n << 63n) - 1n, 1n << 63n, (1n << 63n) + 1n, MASK64 - 1n, MASK64];

/** An edge-heavy unsigned 64-bit value. */
function edgy(next: () => bigint): bigint {
  const pick = Number(next() % 8n);
  if (pick < 3) {
    const base = SPECIAL[Number(next() % BigInt(SPECIAL.length))]!;
    const nudge = pick === 0 ? 0n : (next() % 5n) - 2n;
    return (base + nudge) & MASK64;
  }
  if (pick < 6) return next() & ((1n << (next() % 65n)) - 1n); // random bit length 0-64
  return next();
}

/**
 * Pairs (n, d) with d non-zero. A third are n = q * d + r with d of a random bit
 * length, q often the largest that fits, and r at the edge of [0, d): where a quotient
 * estimate is most likely to be off by one.
 */
function* cases(count: number, seed: bigint): Generator<[bigint, bigint]> {
  const next = rng(seed);
  for (let i = 0; i < count; i++) {
    if (i % 3 !== 0) {
      const d = edgy(next);
      yield [edgy(next), d === 0n ? 1n : d];
      continue;
    }
    const d = (next() & ((1n << (1n + next() % 64n)) - 1n)) | 1n;
    const qmax = MASK64 / d;
    const q0 = [qmax, qmax - (next() % 4n), next() % (qmax + 1n), edgy(next) % (qmax + 1n)][Number(next() % 4n)]!;
    const q = q0 < 0n ? 0n : q0;
    const r = [0n, 1n, d - 1n, d - 2n][Number(next() % 4n)]!;
    const n = q * d + (r < 0n ? 0n : r);
    yield [n <= MASK64 ? n : q * d, d];
  }
}

test('mulhiU32 is the high word of the 32x32 product', () => {
  const next = rng(1n);
  for (let i = 0; i < 200_000; i++) {
    const a = edgy(next) & 0xffffffffn, b = edgy(next) & 0xffffffffn;
    const got = mulhiU32(lo(a), lo(b));
    if (got !== lo((a * b) >> 32n)) assert.fail(`mulhiU32(${hex(a)}, ${hex(b)}) = ${got}`);
  }
});

test('udivmod64 matches BigInt on 200,000 edge-heavy cases', () => {
  for (const [n, d] of cases(200_000, 2n)) {
    udivmod64(lo(n), hi(n), lo(d), hi(d));
    const q = pair(DIVMOD[0]!, DIVMOD[1]!), r = pair(DIVMOD[2]!, DIVMOD[3]!);
    if (q !== n / d || r !== n % d) {
      assert.fail(`${hex(n)} / ${hex(d)}: got q ${hex(q)} r ${hex(r)}, want q ${hex(n / d)} r ${hex(n % d)}`);
    }
  }
});

test('sdivmod64 truncates like C and wraps INT64_MIN / -1', () => {
  const s = (v: bigint): bigint => BigInt.asIntN(64, v);
  const check = (n: bigint, d: bigint): void => {
    sdivmod64(lo(n), hi(n), lo(d), hi(d));
    const wantQ = BigInt.asUintN(64, s(n) / s(d)), wantR = BigInt.asUintN(64, s(n) % s(d));
    const q = pair(DIVMOD[0]!, DIVMOD[1]!), r = pair(DIVMOD[2]!, DIVMOD[3]!);
    if (q !== wantQ || r !== wantR) {
      assert.fail(`${s(n)} s/ ${s(d)}: got q ${s(q)} r ${s(r)}, want q ${s(wantQ)} r ${s(wantR)}`);
    }
  };
  check(1n << 63n, MASK64); // INT64_MIN / -1 = INT64_MIN, remainder 0
  check(1n << 63n, 1n);
  check(MASK64, 1n << 63n);
  for (const [n, d] of cases(200_000, 3n)) check(n, d);
});

test('the remembered last division is keyed on operands and signedness', () => {
  const m1 = BigInt.asUintN(64, -7n);
  udivmod64(lo(m1), hi(m1), 2, 0);
  assert.equal(pair(DIVMOD[0]!, DIVMOD[1]!), m1 / 2n);
  sdivmod64(lo(m1), hi(m1), 2, 0); // same bits, signed: -7 / 2 = -3 rem -1
  assert.equal(BigInt.asIntN(64, pair(DIVMOD[0]!, DIVMOD[1]!)), -3n);
  assert.equal(BigInt.asIntN(64, pair(DIVMOD[2]!, DIVMOD[3]!)), -1n);
  udivmod64(lo(m1), hi(m1), 2, 0);
  assert.equal(pair(DIVMOD[2]!, DIVMOD[3]!), m1 % 2n);
  udivmod64(lo(m1), hi(m1), 3, 0);
  assert.equal(pair(DIVMOD[0]!, DIVMOD[1]!), m1 / 3n);
});

// The same arithmetic through the interpreter, whose fast paths are inline copies
// (multiplication, 32-bit division) or called from its loop (64-bit division):
// a program walks a table of (a, b) pairs and writes a * b, a / b, a % b, a s/ b,
// a s% b and the 32-bit forms for each.
test('interpreter mul/div/mod (64 and 32-bit, signed and unsigned) match BigInt', () => {
  const count = 20_000;
  const vm = new Vm();
  const input = new Uint8Array(count * 16);
  const dv = new DataView(input.buffer);
  const pairs = [...cases(count, 4n)];
  pairs.forEach(([n, d], i) => {
    // Every fifth divisor is zero: quotient 0, remainder unchanged.
    dv.setBigUint64(i * 16, n, true);
    dv.setBigUint64(i * 16 + 8, i % 5 === 4 ? 0n : d, true);
  });
  const OPS: readonly [number, number][] = [ // [opcode, offset]: 64-bit then 32-bit forms
    [0x2f, 0], [0x3f, 0], [0x9f, 0], [0x3f, 1], [0x9f, 1], [0x2c, 0], [0x3c, 0], [0x9c, 0], [0x3c, 1], [0x9c, 1],
  ];
  const inRegion = vm.space.allocBytes(input, { name: 'pairs' });
  const outRegion = vm.space.alloc(count * 8 * OPS.length, { name: 'results' });
  // r1 = input cursor, r2 = output cursor, r3 = input end; r4 = a, r5 = b, r0 = result.
  const body: Instruction[] = [insn(0x79, 4, 1, 0, 0), insn(0x79, 5, 1, 8, 0)];
  OPS.forEach(([op, off], k) => {
    body.push(insn(0xbf, 0, 4, 0, 0), insn(op, 0, 5, off, 0), insn(0x7b, 2, 0, k * 8, 0));
  });
  const prog: Instruction[] = [
    insn(0xbf, 3, 1, 0, 0), insn(0x07, 3, 0, 0, count * 16),
    ...body,
    insn(0x07, 1, 0, 0, 16), insn(0x07, 2, 0, 0, 8 * OPS.length),
    insn(0xad, 1, 3, -(body.length + 3), 0),
    insn(0xb7, 0, 0, 0, 0), insn(0x95, 0, 0, 0, 0),
  ];
  vm.run(prog, { args: [inRegion.start, outRegion.start], budget: 1e9 });
  const out = new DataView(vm.space.read(outRegion.start, count * 8 * OPS.length).buffer);
  const s64 = (v: bigint): bigint => BigInt.asIntN(64, v), s32 = (v: bigint): bigint => BigInt.asIntN(32, v);
  const u32 = (v: bigint): bigint => BigInt.asUintN(32, v);
  pairs.forEach(([n, d0], i) => {
    const d = i % 5 === 4 ? 0n : d0;
    const a32 = u32(n), b32 = u32(d);
    const want = [
      (n * d) & MASK64,
      d === 0n ? 0n : n / d,
      d === 0n ? n : n % d,
      d === 0n ? 0n : BigInt.asUintN(64, s64(n) / s64(d)),
      d === 0n ? n : BigInt.asUintN(64, s64(n) % s64(d)),
      u32(a32 * b32),
      b32 === 0n ? 0n : a32 / b32,
      b32 === 0n ? a32 : a32 % b32,
      b32 === 0n ? 0n : u32(s32(a32) / s32(b32)),
      b32 === 0n ? a32 : u32(s32(a32) % s32(b32)),
    ];
    want.forEach((w, k) => {
      const got = out.getBigUint64((i * OPS.length + k) * 8, true);
      if (got !== w) {
        const [op, off] = OPS[k]!;
        assert.fail(`op 0x${op.toString(16)}/${off} on ${hex(n)}, ${hex(d)}: got ${hex(got)}, want ${hex(w)}`);
      }
    });
  });
});
