/**
 * Test support: the JIT against the interpreter.
 *
 * - `runOn` / `same`: run one program in the interpreter and through the JIT (checked,
 *   and unchecked when the interpreter succeeds) in identical fresh address spaces, and
 *   compare everything observable: r0, the instruction count, the bytes of every region
 *   the test set up and of the stack, and for failures the VmError's code, pc, address,
 *   size and message. `same` asserts; the focused tests use it.
 * - `generateProgram(seed, index)` (generate.test.fixture.ts): a random program and its
 *   setup, deterministic from the pair, valid for `checkProgram`, using every
 *   instruction form that can run without a loader; its helpers are in
 *   fuzz-helpers.test.fixture.ts.
 * - `differential(insns, setup)`: `same` without asserting, plus runs at budgets around
 *   the interpreter's count, for the fuzz test and `bench/differential.mjs`: the verdict
 *   lists mismatches instead of throwing, and `minimise` (minimise.test.fixture.ts)
 *   shrinks a mismatching program while it keeps mismatching.
 *
 * Documented differences the comparison allows: on BUDGET_EXCEEDED only the code is
 * compared (the JIT charges whole blocks, so it may name another pc and may have run
 * part of a block past the budget: memory is not compared either), and a call through
 * a code address whose pc is no function entry known at compile time is UNSUPPORTED in
 * the JIT (the interpreter runs it); such runs are counted as `limitation`, not as
 * mismatches.
 */
import assert from 'node:assert/strict';
import type { Instruction } from '../isa/index.js';
import {
  AddressSpace, HelperRegistry, MAX_CALL_FRAMES, STACK_FRAME_SIZE, Vm, VmError, prepare,
  type Execution, type HelperFn, type TypedHelper, type PreparedProgram, type Region,
} from '../vm/index.js';
import { compile, JitVm, type CompiledProgram } from './index.js';

// ---- Running and comparing ------------------------------------------------------------

export interface Setup {
  /** Regions allocated in order before the run (so their addresses are the same in every space). */
  readonly regions?: readonly { readonly name: string; readonly bytes: Uint8Array | number; readonly writable?: boolean }[];
  /** r1-r5, given the regions allocated. */
  readonly args?: (regions: readonly Region[]) => readonly (bigint | number)[];
  readonly helpers?: Readonly<Record<number, HelperFn>>;
  /** Typed fast paths of some of `helpers`, by id. */
  readonly typedHelpers?: Readonly<Record<number, TypedHelper>>;
  readonly budget?: number;
  /** Use region `n` as the legacy-load packet. */
  readonly packet?: number;
  /** Back the address space with a SharedArrayBuffer. */
  readonly shared?: boolean;
  /** The address space's initial size (default: AddressSpace's 1 MiB; smaller is faster to create). */
  readonly initialBytes?: number;
}

export type Outcome =
  | { readonly r0: bigint; readonly executed: number | undefined; readonly memory: readonly string[] }
  | { readonly error: string; readonly pc: number | undefined; readonly address: number | bigint | undefined; readonly size: number | undefined; readonly message?: string };

export type Engine = 'interpreter' | 'checked' | 'unchecked';

interface Run {
  readonly outcome: Outcome;
  /** The regions' bytes, hex, also after a failure. */
  readonly memory: readonly string[];
  /** The whole stack region (all eight frames), hex, after the run. */
  readonly stack: string;
  /** The interpreter's instruction count, also after a failure. */
  readonly executed?: number;
}

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

const STACK_BYTES = STACK_FRAME_SIZE * MAX_CALL_FRAMES;

/**
 * Runs `program` on `engine` in a fresh address space. The stack region both engines
 * allocate at the start of a run is found by allocating (and releasing) a probe of the
 * same size and alignment first: the allocator is first-fit, so the run's stack lands
 * exactly there, and its bytes stay readable after the run releases it.
 */
function execute(engine: Engine, program: PreparedProgram | CompiledProgram | readonly Instruction[], setup: Setup): Run {
  const space = new AddressSpace({
    shared: setup.shared ?? false,
    ...(setup.initialBytes === undefined ? {} : { initialBytes: setup.initialBytes }),
  });
  const helpers = helperRegistry(setup);
  const regions = (setup.regions ?? []).map((r) => typeof r.bytes === 'number'
    ? space.alloc(r.bytes, { name: r.name, writable: r.writable ?? true })
    : space.allocBytes(r.bytes, { name: r.name, writable: r.writable ?? true }));
  const probe = space.alloc(STACK_BYTES, { name: 'stack', align: 16 });
  space.release(probe);
  const args = setup.args?.(regions) ?? [];
  const packetRegion = setup.packet === undefined ? undefined : regions[setup.packet]!;
  const packet = packetRegion ? { address: packetRegion.start, length: packetRegion.size } : undefined;
  const options = {
    args,
    ...(setup.budget === undefined ? {} : { budget: setup.budget }),
    ...(packet ? { packet } : {}),
  };
  const snapshot = (): string[] => regions.map((r) => hex(space.read(r.start, r.size)));
  let outcome: Outcome;
  let ex: Execution | undefined;
  try {
    let result: { r0: bigint; executed: number | undefined };
    if (engine === 'interpreter') {
      ex = new Vm({ space, helpers }).start(program as PreparedProgram | readonly Instruction[], options);
      try {
        result = ex.run();
      } finally {
        ex.release();
      }
    } else {
      result = new JitVm({ space, helpers }).run(program, { ...options, checked: engine === 'checked' });
    }
    outcome = { r0: result.r0, executed: result.executed, memory: snapshot() };
  } catch (err) {
    if (!(err instanceof VmError)) throw err;
    outcome = {
      error: err.code, pc: err.pc, address: err.address, size: err.size,
      // Budget errors name the next instruction in the interpreter, the block in the JIT.
      ...(err.code === 'EBEE_VM_BUDGET_EXCEEDED' ? {} : { message: err.message }),
    };
  }
  const stack = hex(space.read(probe.start, probe.size));
  return { outcome, memory: snapshot(), stack, ...(ex ? { executed: ex.executed } : {}) };
}

export function runOn(engine: Engine, insns: readonly Instruction[], setup: Setup = {}): Outcome {
  return execute(engine, insns, setup).outcome;
}

/** The stack bytes after a run (see `execute`), for tests of the harness itself. */
export function stackAfter(engine: Engine, insns: readonly Instruction[], setup: Setup = {}): { outcome: Outcome; stack: Uint8Array } {
  const run = execute(engine, insns, setup);
  return { outcome: run.outcome, stack: Uint8Array.from(Buffer.from(run.stack, 'hex')) };
}

const isBudget = (o: Outcome): boolean => 'error' in o && o.error === 'EBEE_VM_BUDGET_EXCEEDED';

/** The setup's helpers (with their typed fast paths) in a fresh registry. */
function helperRegistry(setup: Setup): HelperRegistry {
  const helpers = new HelperRegistry();
  for (const [id, fn] of Object.entries(setup.helpers ?? {})) helpers.register(Number(id), `helper${id}`, fn, setup.typedHelpers?.[Number(id)]);
  return helpers;
}

/**
 * Asserts that the JIT behaves as the interpreter on `insns`, and that the module
 * validates. Returns the interpreter's outcome for further checks.
 */
export function same(insns: readonly Instruction[], setup: Setup = {}, what = ''): Outcome {
  const shared = setup.shared ?? false;
  const prepared = prepare(insns);
  const checked = compile(prepared, { shared, helpers: helperRegistry(setup) });
  assert.ok(WebAssembly.validate(checked.bytes), `${what}: the checked module does not validate`);
  const ref = execute('interpreter', prepared, setup);
  const jit = execute('checked', checked, setup);
  if (isBudget(ref.outcome) && 'error' in jit.outcome) {
    assert.equal(jit.outcome.error, 'EBEE_VM_BUDGET_EXCEEDED', what);
  } else {
    assert.deepEqual(jit.outcome, ref.outcome, `${what}: checked JIT differs from the interpreter`);
    assert.deepEqual(jit.memory, ref.memory, `${what}: checked JIT leaves different region bytes`);
    assert.equal(jit.stack, ref.stack, `${what}: checked JIT leaves different stack bytes`);
  }
  if (!('error' in ref.outcome)) {
    const unchecked = compile(prepared, { checked: false, shared, helpers: helperRegistry(setup) });
    assert.ok(WebAssembly.validate(unchecked.bytes), `${what}: the unchecked module does not validate`);
    const run = execute('unchecked', unchecked, setup);
    assert.deepEqual(run.outcome, { ...ref.outcome, executed: undefined }, `${what}: unchecked JIT differs from the interpreter`);
    assert.equal(run.stack, ref.stack, `${what}: unchecked JIT leaves different stack bytes`);
  }
  return ref.outcome;
}

// ---- Verdicts for generated programs ------------------------------------------------

export interface Verdict {
  /** The interpreter's outcome. */
  readonly outcome: Outcome;
  /** One line per disagreement, each starting with its category (`checked:`, `checked stack:`, ...). */
  readonly mismatches: readonly string[];
  /** The JIT refused a documented unsupported case (a call to a pc that is no function entry). */
  readonly limitation: boolean;
  /** Irreducible regions compiled with a dispatcher (checked mode). */
  readonly dispatcherRegions: number;
  /** The unchecked JIT ran (the interpreter completed). */
  readonly uncheckedRan: boolean;
  /** Runs at budgets around the interpreter's count were compared too. */
  readonly budgetEdges: boolean;
}

const show = (o: Outcome): string => JSON.stringify(o, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v));

function firstDifference(a: string, b: string): string {
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  const byte = i >> 1;
  return `byte ${byte}: interpreter ${a.slice(byte * 2, byte * 2 + 16)}, jit ${b.slice(byte * 2, byte * 2 + 16)}`;
}

/** Compares one JIT run with the interpreter's; `detail` (such as the budget) follows the category. */
function compareRuns(category: string, ref: Run, jit: Run, unchecked: boolean, out: string[], detail = ''): void {
  const expected: Outcome = unchecked && !('error' in ref.outcome) ? { ...ref.outcome, executed: undefined } : ref.outcome;
  if (isBudget(ref.outcome) && !unchecked) {
    if (!isBudget(jit.outcome)) out.push(`${category}: ${detail}interpreter ran out of budget, jit ${show(jit.outcome)}`);
    return; // the JIT may stop elsewhere in the block, so memory may differ
  }
  try {
    assert.deepEqual(jit.outcome, expected);
  } catch {
    out.push(`${category}: ${detail}interpreter ${show(expected)}, jit ${show(jit.outcome)}`);
    return;
  }
  jit.memory.forEach((m, i) => {
    if (m !== ref.memory[i]) out.push(`${category} memory: ${detail}region ${i}: ${firstDifference(ref.memory[i]!, m)}`);
  });
  if (jit.stack !== ref.stack) out.push(`${category} stack: ${detail}${firstDifference(ref.stack, jit.stack)}`);
}

const isLimitation = (o: Outcome): boolean =>
  'error' in o && o.error === 'EBEE_VM_UNSUPPORTED' && /not a function entry/.test(o.message ?? '');

/**
 * The JIT against the interpreter on one program, without asserting: compile checked
 * (and unchecked when the interpreter completes), validate every module, compare every
 * run. `budgetEdges` also reruns a completed program at its exact count (it must
 * complete) and one short (it must not), and a failed one at budgets of its count at
 * the failure and one either side (both engines must fail the same way, or both run out).
 */
export function differential(insns: readonly Instruction[], setup: Setup, options: { budgetEdges?: boolean } = {}): Verdict {
  const mismatches: string[] = [];
  const shared = setup.shared ?? false;
  const prepared = prepare(insns);
  let ref: Run;
  try {
    ref = execute('interpreter', prepared, setup);
  } catch (err) {
    mismatches.push(`interpreter: threw ${(err as Error)?.stack ?? err}`);
    const outcome: Outcome = { error: 'interpreter crash', pc: undefined, address: undefined, size: undefined };
    return { outcome, mismatches, limitation: false, dispatcherRegions: 0, uncheckedRan: false, budgetEdges: false };
  }
  let checked: CompiledProgram;
  try {
    checked = compile(prepared, { shared, helpers: helperRegistry(setup) });
  } catch (err) {
    mismatches.push(`compile: checked compile threw ${(err as Error)?.stack ?? err}`);
    return { outcome: ref.outcome, mismatches, limitation: false, dispatcherRegions: 0, uncheckedRan: false, budgetEdges: false };
  }
  if (!WebAssembly.validate(checked.bytes)) mismatches.push('validate: the checked module does not validate');
  const guarded = (engine: Engine, program: CompiledProgram, s: Setup): Run | undefined => {
    try {
      return execute(engine, program, s);
    } catch (err) {
      mismatches.push(`crash: ${engine} JIT threw ${(err as Error)?.stack ?? err}`);
      return undefined;
    }
  };
  const jit = guarded('checked', checked, setup);
  const limitation = jit !== undefined && isLimitation(jit.outcome) && !isLimitation(ref.outcome);
  if (jit && !limitation) compareRuns('checked', ref, jit, false, mismatches);
  let uncheckedRan = false;
  let budgetEdges = false;
  if (!('error' in ref.outcome) && !limitation) {
    let unchecked: CompiledProgram | undefined;
    try {
      unchecked = compile(prepared, { checked: false, shared, helpers: helperRegistry(setup) });
    } catch (err) {
      mismatches.push(`compile: unchecked compile threw ${(err as Error)?.stack ?? err}`);
    }
    if (unchecked) {
      if (!WebAssembly.validate(unchecked.bytes)) mismatches.push('validate: the unchecked module does not validate');
      const run = guarded('unchecked', unchecked, setup);
      uncheckedRan = true;
      if (run) compareRuns('unchecked', ref, run, true, mismatches);
    }
    const executed = ref.outcome.executed!;
    if (options.budgetEdges && executed > 0) {
      budgetEdges = true;
      const exact = guarded('checked', checked, { ...setup, budget: executed });
      if (exact) compareRuns('exact budget', ref, exact, false, mismatches, `budget ${executed}, `);
      const short = guarded('checked', checked, { ...setup, budget: executed - 1 });
      if (short && !isBudget(short.outcome)) mismatches.push(`short budget: budget ${executed - 1}, jit ${show(short.outcome)}`);
    }
  } else if (options.budgetEdges && !limitation && !isBudget(ref.outcome) && ref.executed !== undefined) {
    // A failure: with budgets around the count at the failure, the interpreter either
    // fails the same way or runs out of budget first; the JIT must do the same.
    budgetEdges = true;
    for (const budget of [ref.executed - 1, ref.executed, ref.executed + 1]) {
      if (budget < 0 || budget >= (setup.budget ?? Infinity)) continue;
      const edge = { ...setup, budget };
      const near = execute('interpreter', prepared, edge);
      const run = guarded('checked', checked, edge);
      if (run) compareRuns('failure budget', near, run, false, mismatches, `budget ${budget}, `);
    }
  }
  return { outcome: ref.outcome, mismatches, limitation, dispatcherRegions: checked.dispatcherRegions, uncheckedRan, budgetEdges };
}
