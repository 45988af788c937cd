/**
 * Test support: run one program in the interpreter and through the JIT (checked, and
 * unchecked when the interpreter succeeds) in identical fresh address spaces, and
 * compare everything observable: r0, the instruction count, the bytes of every region
 * the test set up, and for failures the VmError's code, pc, address and size.
 */
import assert from 'node:assert/strict';
import type { Instruction } from '../isa/index.js';
import { AddressSpace, HelperRegistry, Vm, VmError, prepare, type HelperFn, type Region } from '../vm/index.js';
import { compile, JitVm } from './index.js';

export interface Setup {
  /** Regions allocated in order before the run (so their addresses are the same in every space). */
  readonly regions?: readonly { readonly name: string; readonly bytes: Uint8Array | number; readonly writable?: boolean }[];
  /** r1-r5, given the regions allocated. */
  readonly args?: (regions: readonly Region[]) => readonly (bigint | number)[];
  readonly helpers?: Readonly<Record<number, HelperFn>>;
  readonly budget?: number;
  /** Use region `n` as the legacy-load packet. */
  readonly packet?: number;
  /** Back the address space with a SharedArrayBuffer. */
  readonly shared?: boolean;
}

export type Outcome =
  | { readonly r0: bigint; readonly executed: number | undefined; readonly memory: readonly string[] }
  | { readonly error: string; readonly pc: number | undefined; readonly address: number | bigint | undefined; readonly size: number | undefined; readonly message?: string };

type Engine = 'interpreter' | 'checked' | 'unchecked';

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export function runOn(engine: Engine, insns: readonly Instruction[], setup: Setup = {}): Outcome {
  const space = new AddressSpace({ shared: setup.shared ?? false });
  const helpers = new HelperRegistry();
  for (const [id, fn] of Object.entries(setup.helpers ?? {})) helpers.register(Number(id), `helper${id}`, fn);
  const regions = (setup.regions ?? []).map((r) => {
    const region = typeof r.bytes === 'number'
      ? space.alloc(r.bytes, { name: r.name, writable: r.writable ?? true })
      : space.allocBytes(r.bytes, { name: r.name, writable: r.writable ?? true });
    return region;
  });
  const args = setup.args?.(regions) ?? [];
  const packetRegion = setup.packet === undefined ? undefined : regions[setup.packet]!;
  const packet = packetRegion ? { address: packetRegion.start, length: packetRegion.size } : undefined;
  const options = {
    args,
    ...(setup.budget === undefined ? {} : { budget: setup.budget }),
    ...(packet ? { packet } : {}),
  };
  try {
    const result = engine === 'interpreter'
      ? new Vm({ space, helpers }).run(insns, options)
      : new JitVm({ space, helpers }).run(insns, { ...options, checked: engine === 'checked' });
    return {
      r0: result.r0,
      executed: result.executed,
      memory: regions.map((r) => hex(space.read(r.start, r.size))),
    };
  } catch (err) {
    if (!(err instanceof VmError)) throw err;
    return {
      error: err.code, pc: err.pc, address: err.address, size: err.size,
      // Budget errors name the next instruction in the interpreter, the block in the JIT.
      ...(err.code === 'EBEE_VM_BUDGET_EXCEEDED' ? {} : { message: err.message }),
    };
  }
}

/**
 * Asserts that the JIT behaves as the interpreter on `insns`, and that the module
 * validates. Returns the interpreter's outcome for further checks.
 */
export function same(insns: readonly Instruction[], setup: Setup = {}, what = ''): Outcome {
  const compiled = compile(prepare(insns), { shared: setup.shared ?? false });
  assert.ok(WebAssembly.validate(compiled.bytes), `${what}: the module does not validate`);
  const ref = runOn('interpreter', insns, setup);
  const jit = runOn('checked', insns, setup);
  if ('error' in ref && ref.error === 'EBEE_VM_BUDGET_EXCEEDED' && 'error' in jit) {
    assert.equal(jit.error, ref.error, what);
  } else {
    assert.deepEqual(jit, ref, `${what}: checked JIT differs from the interpreter`);
  }
  if (!('error' in ref)) {
    const unchecked = runOn('unchecked', insns, setup);
    assert.deepEqual(unchecked, { ...ref, executed: undefined }, `${what}: unchecked JIT differs from the interpreter`);
  }
  return ref;
}
