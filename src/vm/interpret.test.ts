import { test } from 'node:test';
import assert from 'node:assert/strict';
import { insn, lddw, type Instruction } from '../isa/index.js';
import { HelperRegistry, Vm, VmError, VmErrorCode } from './index.js';

// The interpreter's own fast paths: the inline memory check against the last two
// regions (int32 address arithmetic), the instruction countdown across slow steps,
// and the memory views after a helper grew the address space.

const movi = (d: number, imm: number): Instruction => insn(0xb7, d, 0, 0, imm);
const ldxb = (d: number, s: number, off: number): Instruction => insn(0x71, d, s, off, 0);
const ldxw = (d: number, s: number, off: number): Instruction => insn(0x61, d, s, off, 0);
const stxw = (d: number, s: number, off: number): Instruction => insn(0x63, d, s, off, 0);
const exit = (): Instruction => insn(0x95, 0, 0, 0, 0);

const isVmError = (code: string, check: (e: VmError) => boolean = () => true) =>
  (e: unknown): boolean => e instanceof VmError && e.code === code && check(e);

test('negative offsets and wrapped or high-word addresses around a cached region', () => {
  const vm = new Vm();
  const r = vm.space.allocBytes(new Uint8Array([1, 2, 3, 4]), { name: 'data' });
  // The first load caches the region; the second computes its address in int32.
  const read = (base: bigint, off: number): Instruction[] => [ldxb(0, 1, 0), lddw(2, base), ldxb(0, 2, off), exit()];
  assert.equal(vm.run(read(BigInt(r.start + 4), -2), { args: [r.start] }).r0, 3n);
  assert.equal(vm.run(read(BigInt(r.start) - 32767n, 32767), { args: [r.start] }).r0, 1n);
  for (const [base, off] of [[BigInt(r.start) + (1n << 32n), 0], [BigInt(r.start) + 0xffffffffn, 1],
    [BigInt(r.start) - (1n << 32n), 0], [BigInt(r.start) + 0x100000000n - 32768n, 32767]] as const) {
    assert.throws(() => vm.run(read(base, off), { args: [r.start] }), isVmError(VmErrorCode.OUT_OF_BOUNDS));
  }
});

test('out-of-range addresses report the exact 64-bit address', () => {
  const vm = new Vm();
  const r = vm.space.allocBytes(new Uint8Array(16), { name: 'data' });
  const cases: [bigint, number, bigint][] = [
    [0xffffffffn, 1, 0x100000000n], // low word wraps past 2^32
    [0n, -1, 0xffffffffffffffffn], // below zero
    [BigInt(r.start) + (1n << 32n), 0, BigInt(r.start) + (1n << 32n)], // right low word, high word set
    [BigInt(r.start) + 16n, -17, BigInt(r.start) - 1n], // just below the region
    [BigInt(r.start) + 13n, 0, BigInt(r.start) + 13n], // straddles the end (4 bytes at +13)
  ];
  for (const [base, off, address] of cases) {
    const prog = [ldxw(0, 1, 0), lddw(2, base), ldxw(0, 2, off), exit()]; // first access caches the region
    assert.throws(() => vm.run(prog, { args: [r.start] }), isVmError(VmErrorCode.OUT_OF_BOUNDS,
      (e) => e.pc === 3 && BigInt(e.address!) === address && e.size === 4), `0x${base.toString(16)} + ${off}`);
  }
});

test('two cached regions per direction; a read-only region never enters the write cache', () => {
  const vm = new Vm();
  const a = vm.space.allocBytes(new Uint8Array([5, 0, 0, 0]), { name: 'a' });
  const ro = vm.space.allocBytes(new Uint8Array([7, 0, 0, 0]), { name: 'ro', writable: false });
  // Alternate reads of a, ro and the stack, writes to the stack, 100 times.
  const loop = [
    movi(6, 100), movi(0, 0),
    ldxw(3, 1, 0), ldxw(4, 2, 0), stxw(10, 3, -4), ldxw(5, 10, -4),
    insn(0x0f, 0, 3, 0, 0), insn(0x0f, 0, 4, 0, 0), insn(0x0f, 0, 5, 0, 0),
    insn(0x17, 6, 0, 0, 1), insn(0x55, 6, 0, -9, 0),
    exit(),
  ];
  const res = vm.run(loop, { args: [a.start, ro.start] });
  assert.equal(res.r0, 1700n);
  assert.equal(res.executed, 2 + 9 * 100 + 1);
  // After reads of ro and writes to a, a write to ro still fails.
  const sneaky = [ldxw(3, 2, 0), stxw(1, 3, 0), ldxw(3, 2, 0), stxw(2, 3, 0), exit()];
  assert.throws(() => vm.run(sneaky, { args: [a.start, ro.start] }), isVmError(VmErrorCode.READ_ONLY, (e) => e.pc === 3));
});

test('the count and budget are exact across slow steps and helper callbacks', () => {
  const helpers = new HelperRegistry().register(100, 'call twice', (ctx, fn) => ctx.invoke(fn, [1n]) + ctx.invoke(fn, [2n]));
  const vm = new Vm({ helpers });
  const prog = [
    lddw(1, 6n, 4), movi(6, 3), // fn's code address (pc 0 + 1 + 6); 2 instructions
    insn(0x85, 0, 0, 0, 100), insn(0x17, 6, 0, 0, 1), insn(0x55, 6, 0, -3, 0), // 3 per iteration, x3
    exit(),
    insn(0x85, 0, 1, 0, 1), exit(), // fn: call the local function below, return its r0
    insn(0xbf, 0, 1, 0, 0), exit(),
  ];
  // Each invoke runs 4 instructions; each iteration: 3 + 2 * 4.
  const expected = 2 + 3 * (3 + 8) + 1;
  assert.equal(vm.run(prog).executed, expected);
  assert.equal(vm.run(prog, { budget: expected }).executed, expected);
  for (const budget of [expected - 1, 12, 5]) {
    assert.throws(() => vm.run(prog, { budget }), isVmError(VmErrorCode.BUDGET_EXCEEDED), `budget ${budget}`);
  }
});

test('memory grown by a helper is visible to the loads and stores that follow', () => {
  const vm = new Vm({ helpers: new HelperRegistry() });
  vm.helpers.register(1, 'alloc', (ctx) => {
    const big = ctx.space.alloc(4 << 20, { name: 'big' }); // forces the memory to grow
    ctx.space.write(big.start + 100, new Uint8Array([42]));
    return big.start;
  });
  const prog = [
    movi(1, 9), stxw(10, 1, -4), // stack write before the call
    insn(0x85, 0, 0, 0, 1),
    ldxb(2, 0, 100), ldxw(3, 10, -4), insn(0x0f, 2, 3, 0, 0), stxw(0, 2, 0),
    ldxw(0, 0, 0), exit(),
  ];
  assert.equal(vm.run(prog).r0, 51n);
});
