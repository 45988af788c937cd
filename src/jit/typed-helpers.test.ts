import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assemble } from '../asm/index.js';
import { HelperRegistry, Vm, VmError, type HelperFn, type TypedHelper } from '../vm/index.js';
import { JitVm, compile } from './index.js';

const engines = [
  ['interpreter', (helpers: HelperRegistry) => new Vm({ helpers })],
  ['jit', (helpers: HelperRegistry) => new JitVm({ helpers })],
] as const;

/** Helper 1 adds its two u32 arguments (a pointer and a size, say); it records which path ran. */
function adder(paths: string[]): HelperRegistry {
  const generic: HelperFn = (_ctx, r1, r2) => { paths.push('generic'); return r1 + r2 - 1000n; };
  const typed: TypedHelper = {
    args: ['u32', 'u32'], ret: 's32',
    fn: (_ctx, a: number, b: number) => { paths.push('typed'); return a + b - 1000; },
  };
  return new HelperRegistry()
    .register(1, 'adder', generic, typed)
    .register(2, 'wide', (_ctx, r1) => r1 * 3n, { args: ['i64'], ret: 'i64', fn: (_ctx, a: bigint) => BigInt.asUintN(64, a * 3n) });
}

for (const [name, make] of engines) {
  test(`${name}: call imm takes a helper's typed path when its u32 arguments fit, the generic one otherwise`, () => {
    const paths: string[] = [];
    const vm = make(adder(paths));
    const program = assemble('r1 = 5\nr2 = 7\ncall 1\nexit').insns;
    assert.equal(vm.run(program).r0, BigInt.asUintN(64, -988n));
    const wide = assemble('r1 = 0x100000005 ll\nr2 = 7\ncall 1\nexit').insns;
    assert.equal(vm.run(wide).r0, 0x100000005n + 7n - 1000n);
    // callx names the helper at run time: always the generic path, in both engines.
    const viaCallx = assemble('r1 = 5\nr2 = 7\nr3 = 1\ncallx r3\nexit').insns;
    assert.equal(vm.run(viaCallx).r0, BigInt.asUintN(64, -988n));
    assert.deepEqual(paths, ['typed', 'generic', 'generic']);
  });

  test(`${name}: i64 arguments and results keep all 64 bits`, () => {
    const vm = make(adder([]));
    const program = assemble('r1 = 0x7000000000000001 ll\ncall 2\nexit').insns;
    assert.equal(vm.run(program).r0, BigInt.asUintN(64, 0x7000000000000001n * 3n));
  });

  test(`${name}: a typed helper returning the wrong kind fails the run with HELPER_FAILED`, () => {
    const helpers = new HelperRegistry().register(1, 'bad', () => 0, { args: [], ret: 'u32', fn: () => 1.5 });
    const vm = make(helpers);
    assert.throws(() => vm.run(assemble('call 1\nexit').insns),
      (err: unknown) => err instanceof VmError && err.code === 'EBEE_VM_HELPER_FAILED' && err.pc === 0 && /returned number 1.5/.test(err.message));
  });

  test(`${name}: a callback run by a typed helper sees the typed arguments, then zeros`, () => {
    // Helper 3 invokes its r1 (a code address: i64, its high word is a tag) with one argument.
    const helpers = new HelperRegistry().register(3, 'each', (ctx, r1) => ctx.invoke(r1, [9n]), {
      args: ['i64', 'u32'], ret: 'i64', fn: (ctx, fn: bigint, _n: number) => ctx.invoke(BigInt.asUintN(64, fn), [9n]),
    });
    const vm = make(helpers);
    const program = assemble(`
      r1 = code_addr(pc+6) ll
      r2 = 4
      r3 = 77
      call 3
      r0 += r2
      exit
      r0 = r1
      r0 <<= 8
      r0 |= r2
      r0 <<= 8
      r0 |= r3
      exit`).insns;
    // In the callback: r1 = 9 (passed), r2 = 4 (typed argument), r3 = 0 (not passed to the typed helper).
    // After the call the caller's r2 is still 4.
    assert.equal(vm.run(program).r0, (9n << 16n) + (4n << 8n) + 4n);
  });
}

test('jit: re-registering a helper with another signature recompiles; modules validate', () => {
  const paths: string[] = [];
  const helpers = adder(paths);
  const vm = new JitVm({ helpers });
  const program = assemble('r1 = 5\nr2 = 7\ncall 1\nexit').insns;
  const compiled = vm.compile(program);
  assert.ok(WebAssembly.validate(compiled.bytes));
  assert.deepEqual([...compiled.typedHelpers], [[1, 'u32,u32>s32']]);
  assert.equal(vm.run(compiled).r0, BigInt.asUintN(64, -988n));
  helpers.register(1, 'mock', () => 42n);
  assert.equal(vm.run(compiled).r0, 42n);
  assert.equal(vm.compile(compiled).typedHelpers.size, 0);
  helpers.register(1, 'mock', () => 0n, { args: ['i64'], ret: 'u32', fn: () => 43 });
  assert.equal(vm.run(program).r0, 43n);
  // Compiled without a registry: every call goes through the generic import.
  assert.equal(compile(program).typedHelpers.size, 0);
});

test('HelperRegistry rejects malformed typed signatures', () => {
  const bad = { args: ['u32', 'f64'], ret: 'u32', fn: () => 0 } as unknown as TypedHelper;
  assert.throws(() => new HelperRegistry().register(1, 'x', () => 0, bad), (err: unknown) => err instanceof VmError && err.code === 'EBEE_VM_BAD_ARGUMENT');
});
