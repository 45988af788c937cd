import { test } from 'node:test';
import assert from 'node:assert/strict';
import { insn, lddw } from '../isa/index.js';
import {
  AddressSpace, CODE_ADDRESS_TAG, HelperRegistry, PROGRAM_EXIT, Vm, VmError, VmErrorCode, callbackTarget, codeTarget,
  prepare, resolveAccess, runHelper,
} from './index.js';

const fails = (code: string, message?: RegExp) => (e: unknown): boolean =>
  e instanceof VmError && e.code === code && (message === undefined || message.test(e.message));

test('resolveAccess: the region, or the error both engines raise', () => {
  const space = new AddressSpace();
  const rw = space.alloc(16, { name: 'rw' });
  const ro = space.allocBytes(new Uint8Array(8), { name: 'ro', writable: false });
  assert.equal(resolveAccess(space, rw.start + 8, 0, 8, 3, 'write', true), rw);
  assert.equal(resolveAccess(space, ro.start, 0, 8, 3, 'read', true), ro);
  assert.throws(() => resolveAccess(space, ro.start, 0, 1, 3, 'write', true),
    fails(VmErrorCode.READ_ONLY, /^pc 3: write of 1 bytes at 0x[0-9a-f]+ into read-only region ro$/));
  assert.throws(() => resolveAccess(space, rw.start + 12, 0, 8, 3, 'read', true),
    fails(VmErrorCode.OUT_OF_BOUNDS, /outside every region \(nearest region below: rw/));
  assert.throws(() => resolveAccess(space, 16, 1, 4, 3, 'read', true), fails(VmErrorCode.OUT_OF_BOUNDS, /0x100000010 is outside memory/));
  assert.throws(() => resolveAccess(space, -4, 0, 4, 3, 'read', false), fails(VmErrorCode.OUT_OF_BOUNDS, /outside memory/));
  // Unchecked: anything inside memory, the whole memory.
  assert.deepEqual(resolveAccess(space, 0, 0, 8, 3, 'write', false), { start: 0, end: space.byteLength });
});

test('runHelper: result as unsigned 64 bits; unknown ids, failures and bad results are VmErrors', () => {
  const space = new AddressSpace();
  const helpers = new HelperRegistry()
    .register(1, 'minus_one', () => -1)
    .register(2, 'sum', (_ctx, a, b) => a + b)
    .register(3, 'throws', () => { throw new Error('boom'); })
    .register(4, 'fraction', () => 1.5)
    .register(5, 'exit', () => { throw PROGRAM_EXIT; });
  const none = (): bigint => 0n;
  assert.equal(runHelper(helpers, space, 1, 0, 0n, 0n, 0n, 0n, 0n, none), (1n << 64n) - 1n);
  assert.equal(runHelper(helpers, space, 2, 0, 2n, 3n, 0n, 0n, 0n, none), 5n);
  assert.throws(() => runHelper(helpers, space, 9, 7, 0n, 0n, 0n, 0n, 0n, none), fails(VmErrorCode.UNKNOWN_HELPER, /^pc 7: unknown helper 9/));
  assert.throws(() => runHelper(helpers, space, 3, 7, 0n, 0n, 0n, 0n, 0n, none), fails(VmErrorCode.HELPER_FAILED, /throws \(3\) failed: boom/));
  assert.throws(() => runHelper(helpers, space, 4, 7, 0n, 0n, 0n, 0n, 0n, none), fails(VmErrorCode.HELPER_FAILED, /fraction/));
  assert.throws(() => runHelper(helpers, space, 5, 7, 0n, 0n, 0n, 0n, 0n, none), (e: unknown) => e === PROGRAM_EXIT);
});

test('codeTarget and callbackTarget: tagged pcs of instructions only, at most five arguments', () => {
  const p = prepare([lddw(1, 1n), insn(0xb7, 0, 0, 0, 0), insn(0x95, 0, 0, 0, 0)]); // slots 0-1, 2, 3
  const at = (pc: number): bigint => (BigInt(CODE_ADDRESS_TAG) << 32n) | BigInt(pc);
  assert.equal(codeTarget(p, at(2), 0), 2);
  for (const bad of [at(1), at(4), 2n, (1n << 64n) + at(2) - (1n << 63n)]) {
    assert.throws(() => codeTarget(p, bad, 0), fails(VmErrorCode.BAD_CALL_TARGET, /is not a code address of this program/));
  }
  assert.equal(callbackTarget(p, at(3), [1n, 2n, 3n, 4n, 5n], 0), 3);
  assert.throws(() => callbackTarget(p, at(3), [1n, 2n, 3n, 4n, 5n, 6n], 0), fails(VmErrorCode.BAD_ARGUMENT, /at most 5/));
  // Through the interpreter: a callback given six arguments.
  const helpers = new HelperRegistry().register(10, 'cb', (ctx) => ctx.invoke(at(3), [1n, 2n, 3n, 4n, 5n, 6n]));
  assert.throws(() => new Vm({ helpers }).run([insn(0x85, 0, 0, 0, 10), insn(0x95, 0, 0, 0, 0), insn(0x95, 0, 0, 0, 0), insn(0x95, 0, 0, 0, 0)]),
    fails(VmErrorCode.BAD_ARGUMENT));
});
