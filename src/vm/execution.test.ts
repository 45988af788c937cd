import { test } from 'node:test';
import assert from 'node:assert/strict';
import { insn, lddw, type Instruction } from '../isa/index.js';
import { HelperRegistry, MAX_CALL_FRAMES, STACK_FRAME_SIZE, Vm, VmError, VmErrorCode, runTraced } from './index.js';

// Raw constructors keep these tests independent of the assembler.
const movi = (d: number, imm: number): Instruction => insn(0xb7, d, 0, 0, imm);
const mov = (d: number, s: number): Instruction => insn(0xbf, d, s, 0, 0);
const addi = (d: number, imm: number): Instruction => insn(0x07, d, 0, 0, imm);
const add = (d: number, s: number): Instruction => insn(0x0f, d, s, 0, 0);
const ldxw = (d: number, s: number, off: number): Instruction => insn(0x61, d, s, off, 0);
const stxdw = (d: number, s: number, off: number): Instruction => insn(0x7b, d, s, off, 0);
const ldxdw = (d: number, s: number, off: number): Instruction => insn(0x79, d, s, off, 0);
const ja = (off: number): Instruction => insn(0x05, 0, 0, off, 0);
const jlti = (d: number, imm: number, off: number): Instruction => insn(0xa5, d, 0, off, imm);
const call = (id: number): Instruction => insn(0x85, 0, 0, 0, id);
const callLocal = (rel: number): Instruction => insn(0x85, 0, 1, 0, rel);
const callx = (r: number): Instruction => insn(0x8d, r, 0, 0, 0);
const exit = (): Instruction => insn(0x95, 0, 0, 0, 0);

const isVmError = (code: string, check: (e: VmError) => boolean = () => true) =>
  (e: unknown): boolean => e instanceof VmError && e.code === code && check(e);

test('runs a loop and counts executed instructions', () => {
  const prog = [movi(0, 0), movi(1, 0), add(0, 1), addi(1, 1), jlti(1, 10, -3), exit()];
  const r = new Vm().run(prog);
  assert.equal(r.r0, 45n);
  assert.equal(r.executed, 2 + 3 * 10 + 1);
});

test('a local call gets a fresh frame and preserves r6-r9', () => {
  const prog = [
    movi(6, 6), movi(7, 7), movi(8, 8), movi(9, 9),
    mov(1, 10), // caller's frame pointer as argument
    callLocal(3),
    add(0, 6), add(0, 9), // r0 = callee result + 6 + 9
    exit(),
    // callee: clobbers r6-r9, returns caller_fp - own_fp
    movi(6, 100), movi(9, 100), mov(0, 1), insn(0x1f, 0, 10, 0, 0), exit(),
  ];
  const r = new Vm().run(prog);
  assert.equal(r.r0, BigInt(STACK_FRAME_SIZE + 6 + 9));
});

test(`more than ${MAX_CALL_FRAMES} nested frames is an error`, () => {
  const recurse = [callLocal(-1), exit()];
  assert.throws(() => new Vm().run(recurse), isVmError(VmErrorCode.CALL_DEPTH, (e) => e.pc === 0));
  // Exactly MAX_CALL_FRAMES frames is allowed: a chain of 7 calls.
  const chain: Instruction[] = [];
  for (let i = 0; i < MAX_CALL_FRAMES - 1; i++) chain.push(callLocal(1), exit());
  chain.push(movi(0, 7), exit());
  assert.equal(new Vm().run(chain).r0, 7n);
});

test('the instruction budget stops a runaway program', () => {
  const forever = [movi(0, 0), ja(-1), exit()];
  assert.throws(() => new Vm().run(forever, { budget: 1000 }),
    isVmError(VmErrorCode.BUDGET_EXCEEDED, (e) => e.pc === 1 && /1000 instructions/.test(e.message)));
});

test('checked mode names pc, address and size of a bad access', () => {
  const nullRead = [movi(1, 0), ldxw(0, 1, 16), exit()];
  assert.throws(() => new Vm().run(nullRead),
    isVmError(VmErrorCode.OUT_OF_BOUNDS, (e) => e.pc === 1 && e.address === 16 && e.size === 4 && /pc 1/.test(e.message)));
  const pastStack = [ldxdw(0, 10, 0), exit()];
  assert.throws(() => new Vm().run(pastStack), isVmError(VmErrorCode.OUT_OF_BOUNDS, (e) => e.size === 8));
  const highBits = [lddw(1, 1n << 40n), ldxw(0, 1, 0), exit()];
  assert.throws(() => new Vm().run(highBits), isVmError(VmErrorCode.OUT_OF_BOUNDS, (e) => e.address === 1n << 40n));
});

test('stack writes and reads round-trip; unchecked mode only bounds memory', () => {
  const prog = [lddw(1, 0x1122334455667788n), stxdw(10, 1, -8), ldxdw(0, 10, -8), exit()];
  assert.equal(new Vm().run(prog).r0, 0x1122334455667788n);
  const vm = new Vm();
  const region = vm.space.allocBytes(new Uint8Array([1, 0, 0, 0, 2, 0, 0, 0]), { name: 'data' });
  const straddle = [ldxw(0, 1, 4), exit()];
  assert.throws(() => vm.run(straddle, { args: [region.start + 4] }), isVmError(VmErrorCode.OUT_OF_BOUNDS));
  assert.equal(vm.run(straddle, { args: [region.start], checked: false }).r0, 2n);
  assert.throws(() => vm.run([ldxw(0, 1, 0), exit()], { args: [vm.space.byteLength], checked: false }),
    isVmError(VmErrorCode.OUT_OF_BOUNDS));
});

test('stores into a read-only region fail', () => {
  const vm = new Vm();
  const ro = vm.space.alloc(8, { name: 'rodata', writable: false });
  assert.throws(() => vm.run([insn(0x62, 1, 0, 0, 1), exit()], { args: [ro.start] }),
    isVmError(VmErrorCode.READ_ONLY, (e) => /rodata/.test(e.message)));
  assert.equal(vm.run([ldxw(0, 1, 0), exit()], { args: [ro.start] }).r0, 0n);
});

test('helpers receive r1-r5 and set r0; unknown and failing helpers are typed errors', () => {
  const seen: bigint[] = [];
  const helpers = new HelperRegistry()
    .register(1, 'sum', (_c, a, b, c, d, e) => { seen.push(a, b, c, d, e); return a + b + c + d + e; })
    .register(2, 'boom', () => { throw new Error('kaput'); });
  const vm = new Vm({ helpers });
  const prog = [movi(1, 1), movi(2, 2), movi(3, 3), movi(4, 4), movi(5, -1), call(1), exit()];
  assert.equal(vm.run(prog).r0, 9n, '1 + 2 + 3 + 4 + (2^64 - 1) wraps to 9');
  assert.deepEqual(seen, [1n, 2n, 3n, 4n, 0xffffffffffffffffn]);
  assert.throws(() => vm.run([call(77), exit()]), isVmError(VmErrorCode.UNKNOWN_HELPER, (e) => /77/.test(e.message) && e.pc === 0));
  assert.throws(() => vm.run([call(2), exit()]),
    isVmError(VmErrorCode.HELPER_FAILED, (e) => e.cause instanceof Error && /kaput/.test(e.message)));
});

test('callbacks: a helper invokes a code address; callx reaches functions and helpers', () => {
  const helpers = new HelperRegistry()
    .register(100, 'twice', (ctx, fn) => ctx.invoke(fn, [21n]) + ctx.invoke(fn, [1n]))
    .register(5, 'identity', (_c, r1) => r1);
  const vm = new Vm({ helpers });
  const prog = [
    lddw(1, 5n, 4), // code address of `double`: pc 0 + 1 + 5 (the lddw is two slots)
    movi(6, 1000),
    call(100),
    add(0, 6), // r6 survives the callbacks
    exit(),
    // double: r0 = r1 * 2
    mov(0, 1), add(0, 1), exit(),
  ];
  assert.equal(vm.run(prog).r0, 42n + 2n + 1000n);

  const viaCallx = [lddw(2, 3n, 4), callx(2), exit(), movi(0, 9), exit()];
  assert.equal(vm.run(viaCallx).r0, 9n);
  const helperByCallx = [movi(1, 33), movi(2, 5), callx(2), exit()];
  assert.equal(vm.run(helperByCallx).r0, 33n);
  const bad = [lddw(2, 1n << 40n), callx(2), exit()];
  assert.throws(() => vm.run(bad), isVmError(VmErrorCode.BAD_CALL_TARGET));
});

test('running past the last instruction is an error', () => {
  assert.throws(() => new Vm().run([movi(0, 1)]), isVmError(VmErrorCode.FELL_OFF_END, (e) => e.pc === 0));
  assert.throws(() => new Vm().run([movi(0, 1), jlti(0, 0, -2)]), isVmError(VmErrorCode.FELL_OFF_END, (e) => e.pc === 1));
});

test('single-stepping exposes pc, registers and the stack frame', () => {
  const vm = new Vm();
  const ex = vm.start([movi(1, 0x7f), stxdw(10, 1, -8), movi(0, 3), exit()]);
  assert.equal(ex.pc, 0);
  assert.equal(ex.step(), false);
  assert.equal(ex.pc, 1);
  assert.equal(ex.registers()[1], 0x7fn);
  ex.step();
  const frame = ex.frameBytes();
  assert.equal(frame.length, STACK_FRAME_SIZE);
  assert.equal(frame[STACK_FRAME_SIZE - 8], 0x7f);
  ex.step();
  assert.equal(ex.step(), true);
  assert.equal(ex.done, true);
  assert.equal(ex.register(0), 3n);
  assert.equal(ex.executed, 4);
  ex.release();
});

test('a trace has one step per executed instruction with the registers changed', () => {
  const ex = new Vm().start([movi(0, 0), addi(0, 2), jlti(0, 6, -2), exit()]);
  const steps: { pc: number; changed: ReadonlyMap<number, bigint> }[] = [];
  const r = runTraced(ex, (s) => steps.push(s));
  assert.equal(r.r0, 6n);
  assert.equal(steps.length, r.executed);
  assert.deepEqual(steps.map((s) => s.pc), [0, 1, 2, 1, 2, 1, 2, 3]);
  assert.deepEqual([...steps[1]!.changed], [[0, 2n]]);
  assert.equal(steps[2]!.changed.size, 0);
});

test('legacy packet loads read big-endian and end the program when out of range', () => {
  const vm = new Vm();
  const pkt = vm.space.allocBytes(new Uint8Array([0x12, 0x34, 0x56, 0x78, 0x9a]), { name: 'packet' });
  const packet = { address: pkt.start, length: 5 };
  assert.equal(vm.run([insn(0x28, 0, 0, 0, 1), exit()], { packet }).r0, 0x3456n);
  assert.equal(vm.run([insn(0x20, 0, 0, 0, 0), exit()], { packet }).r0, 0x12345678n);
  assert.equal(vm.run([movi(1, 3), insn(0x50, 0, 1, 0, 1), exit()], { packet }).r0, 0x9an);
  assert.equal(vm.run([movi(0, 5), insn(0x20, 0, 0, 0, 2), movi(0, 99), exit()], { packet }).r0, 0n);
  assert.throws(() => vm.run([insn(0x20, 0, 0, 0, 0), exit()]), isVmError(VmErrorCode.UNSUPPORTED));
});

test('bad arguments are typed errors', () => {
  assert.throws(() => new Vm().run([exit()], { args: [1, 2, 3, 4, 5, 6] }), isVmError(VmErrorCode.BAD_ARGUMENT));
  assert.throws(() => new Vm().run([lddw(1, 0n, 1), exit()]), isVmError(VmErrorCode.UNSUPPORTED, (e) => /pseudo source 1/.test(e.message)));
});

test('a packet load out of range inside a callback ends the whole program with r0 = 0', () => {
  const helpers = new HelperRegistry().register(100, 'call_back', (ctx, fn) => ctx.invoke(fn, []) + 1n);
  const vm = new Vm({ helpers });
  const pkt = vm.space.allocBytes(new Uint8Array(4), { name: 'packet' });
  const prog = [
    lddw(1, 6n, 4), // code address of the callback: pc 0 + 1 + 6 = 7
    call(100),
    movi(0, 7),
    exit(),
    movi(0, 5), // unreachable filler
    exit(),
    insn(0x20, 0, 0, 0, 100), // callback: ld_abs beyond the packet
    exit(),
  ];
  assert.equal(vm.run(prog, { packet: { address: pkt.start, length: 4 }, budget: 1000 }).r0, 0n);
});
