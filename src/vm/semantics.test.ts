/**
 * Differential test of the interpreter's ALU and jump semantics against a direct
 * BigInt transcription of RFC 9669 (no shared code with the interpreter). Operands
 * come from an edge-heavy distribution: the cases that break 64-bit emulation on
 * int32 halves are carries, sign bits, zero divisors and INT_MIN / -1.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { insn, lddw, type Instruction } from '../isa/index.js';
import { Vm } from './index.js';

const M64 = (1n << 64n) - 1n;
const u64 = (x: bigint): bigint => BigInt.asUintN(64, x);
const s64 = (x: bigint): bigint => BigInt.asIntN(64, x);
const u32 = (x: bigint): bigint => BigInt.asUintN(32, x);
const s32 = (x: bigint): bigint => BigInt.asIntN(32, x);

function swap(x: bigint, bits: number): bigint {
  let out = 0n;
  for (let i = 0; i < bits / 8; i++) out = (out << 8n) | ((x >> BigInt(8 * i)) & 0xffn);
  return out;
}

/** RFC 9669 arithmetic: op code (high nibble), 64-bit or not, offset, dst, src (already the operand value). */
function alu(op: number, wide: boolean, off: number, dst: bigint, src: bigint): bigint {
  if (!wide) {
    const d = u32(dst), s = u32(src);
    switch (op) {
      case 0x00: return u32(d + s);
      case 0x10: return u32(d - s);
      case 0x20: return u32(d * s);
      case 0x30: return s === 0n ? 0n : off === 1 ? u32(s32(d) / s32(s)) : d / s;
      case 0x40: return d | s;
      case 0x50: return d & s;
      case 0x60: return u32(d << (s & 31n));
      case 0x70: return d >> (s & 31n);
      case 0x80: return u32(-d);
      case 0x90: return s === 0n ? d : off === 1 ? u32(s32(d) % s32(s)) : d % s;
      case 0xa0: return d ^ s;
      case 0xb0: return off === 8 ? u32(BigInt.asIntN(8, s)) : off === 16 ? u32(BigInt.asIntN(16, s)) : s;
      case 0xc0: return u32(s32(d) >> (s & 31n));
    }
  } else {
    const d = dst, s = src;
    switch (op) {
      case 0x00: return u64(d + s);
      case 0x10: return u64(d - s);
      case 0x20: return u64(d * s);
      case 0x30: return s === 0n ? 0n : off === 1 ? u64(s64(d) / s64(s)) : d / s;
      case 0x40: return d | s;
      case 0x50: return d & s;
      case 0x60: return u64(d << (s & 63n));
      case 0x70: return d >> (s & 63n);
      case 0x80: return u64(-d);
      case 0x90: return s === 0n ? d : off === 1 ? u64(s64(d) % s64(s)) : d % s;
      case 0xa0: return d ^ s;
      case 0xb0: return off === 8 ? u64(BigInt.asIntN(8, s)) : off === 16 ? u64(BigInt.asIntN(16, s)) : off === 32 ? u64(BigInt.asIntN(32, s)) : s;
      case 0xc0: return u64(s64(d) >> (s & 63n));
    }
  }
  throw new Error(`no op ${op}`);
}

function jump(op: number, wide: boolean, dst: bigint, src: bigint): boolean {
  const d = wide ? dst : u32(dst), s = wide ? src : u32(src);
  const sd = wide ? s64(d) : s32(d), ss = wide ? s64(s) : s32(s);
  switch (op) {
    case 0x10: return d === s;
    case 0x20: return d > s;
    case 0x30: return d >= s;
    case 0x40: return (d & s) !== 0n;
    case 0x50: return d !== s;
    case 0x60: return sd > ss;
    case 0x70: return sd >= ss;
    case 0xa0: return d < s;
    case 0xb0: return d <= s;
    case 0xc0: return sd < ss;
    case 0xd0: return sd <= ss;
  }
  throw new Error(`no jump ${op}`);
}

/** xorshift64*: deterministic so a failure reproduces. */
function rng(seed: bigint): () => bigint {
  let x = seed;
  return () => {
    x ^= x >> 12n; x ^= u64(x << 25n); x ^= x >> 27n;
    return u64(x * 0x2545f4914f6cdd1dn);
  };
}

const EDGES = [0n, 1n, 2n, 3n, 7n, 0x7fn, 0x80n, 0xffn, 0x7fffn, 0x8000n, 0xffffn, 0x7fffffffn, 0x80000000n,
  0xffffffffn, 0x100000000n, 0x1fffffffffffffn, 0x20000000000000n, 0x7fffffffffffffffn, 0x8000000000000000n, M64,
  M64 - 1n, 0xffffffff00000000n, 0x00000000ffffffffn];

function operand(next: () => bigint): bigint {
  const pick = next() % 4n;
  if (pick === 0n) return EDGES[Number(next() % BigInt(EDGES.length))]!;
  if (pick === 1n) return u64(-EDGES[Number(next() % BigInt(EDGES.length))]!);
  if (pick === 2n) return next() & 0xffffffffn;
  return next();
}

const ALU_OPS = [0x00, 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x80, 0x90, 0xa0, 0xb0, 0xc0];
const JMP_OPS = [0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0xa0, 0xb0, 0xc0, 0xd0];

test('ALU instructions match the RFC 9669 BigInt model on 40,000 random cases', () => {
  const next = rng(0x9e3779b97f4a7c15n);
  const vm = new Vm();
  let checked = 0;
  for (let i = 0; i < 40_000; i++) {
    const op = ALU_OPS[Number(next() % BigInt(ALU_OPS.length))]!;
    const wide = (next() & 1n) === 1n;
    const useImm = op !== 0x80 && (next() & 1n) === 1n;
    let off = 0;
    if ((op === 0x30 || op === 0x90) && (next() & 1n) === 1n) off = 1;
    if (op === 0xb0 && !useImm) off = [0, 8, 16, 32][Number(next() % (wide ? 4n : 3n))]!;
    const dst = operand(next);
    const imm = Number(s32(operand(next)));
    const src = useImm ? (wide ? u64(BigInt(imm)) : u32(BigInt(imm))) : operand(next);
    const opcode = op | (useImm || op === 0x80 ? 0 : 0x08) | (wide ? 0x07 : 0x04);
    const prog: Instruction[] = [
      lddw(1, dst), lddw(2, src),
      insn(opcode, 1, useImm || op === 0x80 ? 0 : 2, off, useImm ? imm : 0),
      insn(0xbf, 0, 1, 0, 0), insn(0x95, 0, 0, 0, 0),
    ];
    const expected = alu(op, wide, off, dst, useImm && !wide ? u64(BigInt(imm)) : src);
    const actual = vm.run(prog).r0;
    if (actual !== expected) {
      assert.fail(`opcode 0x${opcode.toString(16)} off ${off} dst 0x${dst.toString(16)} src 0x${src.toString(16)} imm ${imm}: got 0x${actual.toString(16)}, want 0x${expected.toString(16)}`);
    }
    checked++;
  }
  assert.equal(checked, 40_000);
});

test('byte swaps match the model for every width', () => {
  const next = rng(12345n);
  const vm = new Vm();
  for (let i = 0; i < 2_000; i++) {
    const x = operand(next);
    for (const bits of [16, 32, 64]) {
      const mask = (1n << BigInt(bits)) - 1n;
      const run = (opcode: number): bigint => vm.run([lddw(0, x), insn(opcode, 0, 0, 0, bits), insn(0x95, 0, 0, 0, 0)]).r0;
      assert.equal(run(0xd4), x & mask, `le${bits} 0x${x.toString(16)}`);
      assert.equal(run(0xdc), swap(x & mask, bits), `be${bits} 0x${x.toString(16)}`);
      assert.equal(run(0xd7), swap(x & mask, bits), `bswap${bits} 0x${x.toString(16)}`);
    }
  }
});

test('conditional jumps match the model on 30,000 random cases', () => {
  const next = rng(0xdeadbeefn);
  const vm = new Vm();
  for (let i = 0; i < 30_000; i++) {
    const op = JMP_OPS[Number(next() % BigInt(JMP_OPS.length))]!;
    const wide = (next() & 1n) === 1n;
    const useImm = (next() & 1n) === 1n;
    const dst = operand(next);
    const imm = Number(s32(operand(next)));
    const src = useImm ? u64(BigInt(imm)) : operand(next);
    const opcode = op | (useImm ? 0 : 0x08) | (wide ? 0x05 : 0x06);
    const prog: Instruction[] = [
      lddw(1, dst), lddw(2, src), insn(0xb7, 0, 0, 0, 0),
      insn(opcode, 1, useImm ? 0 : 2, 1, useImm ? imm : 0),
      insn(0x95, 0, 0, 0, 0), insn(0xb7, 0, 0, 0, 1), insn(0x95, 0, 0, 0, 0),
    ];
    const want = jump(op, wide, dst, src) ? 1n : 0n;
    const got = vm.run(prog).r0;
    if (got !== want) assert.fail(`opcode 0x${opcode.toString(16)} dst 0x${dst.toString(16)} src 0x${src.toString(16)}: taken=${got}, want ${want}`);
  }
});

test('32-bit and 64-bit atomics touch exactly their width', () => {
  const vm = new Vm();
  const cases: [number, number, bigint, bigint, bigint, bigint][] = [
    // [opcode, imm, memory before, src, memory after, src after (fetch) or r0 (cmpxchg)]
    [0xc3, 0x00, 0xaaaaaaaa_ffffffffn, 1n, 0xaaaaaaaa_00000000n, 1n],
    [0xc3, 0x01, 0xaaaaaaaa_ffffffffn, 1n, 0xaaaaaaaa_00000000n, 0xffffffffn],
    [0xdb, 0x01, 0xaaaaaaaa_ffffffffn, 1n, 0xaaaaaaab_00000000n, 0xaaaaaaaa_ffffffffn],
    [0xc3, 0x41, 0x11111111_0000000fn, 0xf0n, 0x11111111_000000ffn, 0xfn],
    [0xdb, 0x51, 0xff00n, 0x0ff0n, 0x0f00n, 0xff00n],
    [0xc3, 0xa1, 0x5555555555555555n, 0xffffffffn, 0x55555555aaaaaaaan, 0x55555555n],
    [0xc3, 0xe1, 0x99999999_12345678n, 0xcafef00dn, 0x99999999_cafef00dn, 0x12345678n],
    [0xdb, 0xe1, 5n, M64, M64, 5n],
  ];
  for (const [opcode, imm, before, src, after, out] of cases) {
    const prog = [
      lddw(1, before), insn(0x7b, 10, 1, -8, 0), lddw(2, src),
      insn(opcode, 10, 2, -8, imm),
      insn(0x79, 0, 10, -8, 0), insn(0x7b, 10, 2, -16, 0), insn(0x95, 0, 0, 0, 0),
    ];
    const ex = vm.start(prog);
    const r0 = ex.run().r0;
    assert.equal(r0, after, `0x${opcode.toString(16)} imm 0x${imm.toString(16)} memory`);
    assert.equal(ex.register(2), out, `0x${opcode.toString(16)} imm 0x${imm.toString(16)} fetched`);
    ex.release();
  }
  // cmpxchg: r0 gets the old value; the store happens only on a match; 32-bit compares the low half.
  const cmpxchg = (opcode: number, mem: bigint, r0: bigint, src: bigint): [bigint, bigint] => {
    const ex = vm.start([
      lddw(1, mem), insn(0x7b, 10, 1, -8, 0), lddw(0, r0), lddw(2, src),
      insn(opcode, 10, 2, -8, 0xf1), insn(0x79, 3, 10, -8, 0), insn(0x95, 0, 0, 0, 0),
    ]);
    const result = ex.run().r0;
    const memAfter = ex.register(3);
    ex.release();
    return [result, memAfter];
  };
  assert.deepEqual(cmpxchg(0xdb, 7n, 7n, 9n), [7n, 9n]);
  assert.deepEqual(cmpxchg(0xdb, 7n, 8n, 9n), [7n, 7n]);
  assert.deepEqual(cmpxchg(0xc3, 0x1_00000007n, 0x2_00000007n, 9n), [7n, 0x1_00000009n]);
  assert.deepEqual(cmpxchg(0xc3, 0x1_00000007n, 6n, 9n), [7n, 0x1_00000007n]);
});
