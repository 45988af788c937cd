/**
 * Running compiled programs: `JitVm` mirrors `Vm` (one address space, one helper
 * registry) and instantiates each compiled module once, with imports that do what
 * `Execution` does at the same points: the helper call (including `ctx.invoke`
 * callbacks, which call back into the wasm function for the code address), the slow
 * path of checked accesses, and the failures, with the same VmError codes and pcs.
 */
import {
  AddressSpace, CODE_ADDRESS_TAG, DEFAULT_BUDGET, HelperRegistry, MAX_CALL_FRAMES, PROGRAM_EXIT, STACK_FRAME_SIZE, TailCallRequest,
  VmError, VmErrorCode, budgetExhausted, callDepthExceeded, callbackTarget, codeTarget, fellOffEnd, invalidOpcode,
  kfuncUnavailable, noPacket, notCallable, resolveAccess, runHelper, unresolvedLddw, type ExecutionOptions, type PreparedProgram,
  helperFailure, typedResult, typedSignature, type TypedHelper,
} from '../vm/index.js';
import {
  CACHE_LIMIT, EMPTY_CACHE, Global, IMPORT_MODULE, Import, Trap, functionExport, savedRegisterGlobal, typedHelperImport,
} from './abi.js';
import { asPrepared, compile, type CompiledProgram, type ProgramSource } from './compile.js';

export interface JitVmOptions {
  /** The address space to run in (default: a new one). */
  readonly space?: AddressSpace;
  /** Helpers reachable by `call` (default: none). */
  readonly helpers?: HelperRegistry;
}

/**
 * The interpreter's run options. `checked` defaults to the compiled program's mode
 * (else true); the budget applies in checked mode only.
 */
export type JitRunOptions = ExecutionOptions;

export interface JitRunResult {
  readonly r0: bigint;
  /** Instructions executed, exactly as the interpreter counts them (checked mode); undefined when unchecked. */
  readonly executed: number | undefined;
  /** Set when the program ended in a successful `bpf_tail_call`: the program to run next (r0 is then 0). */
  readonly tailCall?: unknown;
}

/** More fuel than any run can burn, standing in for an unbounded budget. */
const MAX_FUEL = 1n << 62n;

type Exports = Record<string, unknown>;

interface Instance {
  readonly compiled: CompiledProgram;
  readonly exports: Exports;
  readonly functions: ReadonlyMap<number, (...args: bigint[]) => bigint | bigint[]>;
  busy: boolean;
  /** The fuel the current run started with. */
  budget: bigint;
}

const variants = new WeakMap<PreparedProgram, Map<string, CompiledProgram>>();

/**
 * Compiles (once per program, mode, memory kind and helper signatures) the variant a
 * run needs: a helper registered or mocked with another typed signature (or none)
 * since the last compile gets code that calls it the new way.
 */
function variant(program: PreparedProgram, checked: boolean, shared: boolean, helpers: HelperRegistry): CompiledProgram {
  let map = variants.get(program);
  if (!map) variants.set(program, (map = new Map()));
  const key = `${checked}/${shared}/${signatureKey(program, helpers)}`;
  let compiled = map.get(key);
  if (!compiled) map.set(key, (compiled = compile(program, { checked, shared, helpers })));
  return compiled;
}

/** Helper ids a program calls with `call imm`, in order of first use. */
const calledHelpers = new WeakMap<PreparedProgram, number[]>();

function helperIds(program: PreparedProgram): number[] {
  let ids = calledHelpers.get(program);
  if (!ids) {
    const set = new Set<number>();
    for (let pc = 0; pc < program.length; pc++) {
      if (program.opcode[pc] === 0x85 && program.src[pc] === 0 && program.indexAt[pc]! >= 0) set.add(program.imm[pc]!);
    }
    calledHelpers.set(program, (ids = [...set]));
  }
  return ids;
}

/** The typed signatures `helpers` has for the program's helper calls, spelled as compile records them. */
function signatureKey(program: PreparedProgram, helpers: HelperRegistry): string {
  return helperIds(program).flatMap((id) => {
    const typed = helpers.get(id)?.typed;
    return typed ? [`${id}:${typedSignature(typed)}`] : [];
  }).join(' ');
}

function signaturesMatch(compiled: CompiledProgram, helpers: HelperRegistry): boolean {
  const key = [...compiled.typedHelpers].map(([id, sig]) => `${id}:${sig}`).join(' ');
  return key === signatureKey(compiled.program, helpers);
}

function isCompiled(program: CompiledProgram | ProgramSource): program is CompiledProgram {
  return !(program instanceof Uint8Array) && 'module' in program && program.module instanceof WebAssembly.Module;
}

const global = (exports: Exports, name: string): WebAssembly.Global => exports[name] as WebAssembly.Global;

export class JitVm {
  readonly space: AddressSpace;
  readonly helpers: HelperRegistry;
  private readonly instances = new WeakMap<WebAssembly.Module, Instance>();

  constructor(options: JitVmOptions = {}) {
    this.space = options.space ?? new AddressSpace();
    this.helpers = options.helpers ?? new HelperRegistry();
  }

  /** Compiles a program for this VM's memory (cached per program). */
  compile(program: CompiledProgram | ProgramSource, checked?: boolean): CompiledProgram {
    const shared = typeof SharedArrayBuffer !== 'undefined' && this.space.memory.buffer instanceof SharedArrayBuffer;
    if (isCompiled(program)) {
      if ((checked === undefined || checked === program.checked) && program.shared === shared
        && signaturesMatch(program, this.helpers)) return program;
      return variant(program.program, checked ?? program.checked, shared, this.helpers);
    }
    return variant(asPrepared(program), checked ?? true, shared, this.helpers);
  }

  /** Runs a program to completion and returns r0 (and, checked, the instruction count). */
  run(program: CompiledProgram | ProgramSource, options: JitRunOptions = {}): JitRunResult {
    const compiled = this.compile(program, options.checked);
    const budget = options.budget ?? DEFAULT_BUDGET;
    if (!(budget >= 0)) throw new VmError(VmErrorCode.BAD_ARGUMENT, `budget ${options.budget} is not a count`);
    const args = options.args ?? [];
    if (args.length > 5) throw new VmError(VmErrorCode.BAD_ARGUMENT, `${args.length} arguments given; r1-r5 hold at most 5`);
    const regs = [0, 1, 2, 3, 4].map((i) => BigInt.asIntN(64, BigInt(args[i] ?? 0)));

    let inst = this.instances.get(compiled.module);
    if (!inst || inst.busy) {
      const fresh = this.instantiate(compiled);
      if (!inst) this.instances.set(compiled.module, fresh);
      inst = fresh;
    }
    const ex = inst.exports;
    const fuel = budget >= Number(MAX_FUEL) ? MAX_FUEL : BigInt(Math.floor(budget));
    const stack = this.space.alloc(STACK_FRAME_SIZE * MAX_CALL_FRAMES, { name: 'stack', align: 16 });
    global(ex, Global.DEPTH).value = 0;
    global(ex, Global.STACK_END).value = stack.end;
    global(ex, Global.PACKET_PRESENT).value = options.packet ? 1 : 0;
    global(ex, Global.PACKET_ADDRESS).value = options.packet?.address ?? 0;
    global(ex, Global.PACKET_LENGTH).value = options.packet?.length ?? 0;
    for (const r of compiled.extraIn) global(ex, savedRegisterGlobal(r)).value = 0n;
    if (compiled.checked) {
      global(ex, Global.FUEL).value = fuel;
      inst.budget = fuel;
      resetCache(ex);
    }
    let r0: bigint;
    let tailCall: unknown;
    inst.busy = true;
    try {
      const out = inst.functions.get(0)!(...regs, ...compiled.extraIn.map(() => 0n));
      r0 = Array.isArray(out) ? out[0]! : out;
    } catch (err) {
      // The `abort` import: a legacy packet load out of range ends the run with r0 = 0.
      if (err === PROGRAM_EXIT) r0 = 0n;
      else if (err instanceof TailCallRequest) { r0 = 0n; tailCall = err.target; }
      else throw translate(err);
    } finally {
      inst.busy = false;
      this.space.release(stack);
    }
    let executed: number | undefined;
    if (compiled.checked) {
      const left = global(ex, Global.FUEL).value as bigint;
      if (left < 0n) throw budgetExhausted(fuel, undefined);
      executed = Number(fuel - left);
    }
    return tailCall === undefined ? { r0: BigInt.asUintN(64, r0), executed } : { r0: 0n, executed, tailCall };
  }

  private instantiate(compiled: CompiledProgram): Instance {
    const space = this.space;
    const helpers = this.helpers;
    const p = compiled.program;
    // `inst` is filled in below; the imports only run once it is.
    const inst = { compiled, busy: false, budget: 0n } as Instance;

    /** `ctx.invoke` from the helper called at `pc` with `callArgs`: runs the callback's wasm function. */
    const invoke = (address: bigint, args: readonly bigint[], pc: number, callArgs: readonly bigint[]): bigint => {
      const target = callbackTarget(p, address, args, pc);
      const fn = inst.functions.get(target);
      if (!fn) throw notAnEntry(target, pc);
      const regs = callArgs.map((v, i) => BigInt.asIntN(64, i < args.length ? BigInt(args[i]!) : v));
      const extra = compiled.extraIn.map((r) => global(inst.exports, savedRegisterGlobal(r)).value as bigint);
      const depth = global(inst.exports, Global.DEPTH);
      const outer = depth.value as number;
      if (outer + 1 >= MAX_CALL_FRAMES) throw callDepthExceeded(pc);
      depth.value = outer + 1;
      let out: bigint | bigint[];
      try {
        out = fn(...regs, ...extra);
      } catch (err) {
        throw translate(err);
      } finally {
        depth.value = outer;
        // A helper call inside the callback stored the callback's registers in the same
        // globals; the caller's are what the next callback of this helper must see.
        compiled.extraIn.forEach((r, i) => { global(inst.exports, savedRegisterGlobal(r)).value = extra[i]!; });
      }
      if (compiled.checked && (global(inst.exports, Global.FUEL).value as bigint) < 0n) throw budgetExhausted(inst.budget, pc);
      return BigInt.asUintN(64, Array.isArray(out) ? out[0]! : out);
    };

    /**
     * The typed import of helper `id`: the registry's typed implementation, looked up
     * per call as the generic import does (compile() made sure the signature matches).
     * A callback it invokes sees the typed arguments in r1..rn and 0 above them, as in
     * the interpreter.
     */
    const typedImport = (id: number) => {
      const expected = compiled.typedHelpers.get(id)!;
      let checkedTyped: TypedHelper | undefined;
      return (pc: number, a1?: number | bigint, a2?: number | bigint, a3?: number | bigint, a4?: number | bigint, a5?: number | bigint): number | bigint => {
        const def = helpers.get(id);
        const typed = def?.typed;
        if (!def || !typed || (typed !== checkedTyped && typedSignature(typed) !== expected)) {
          throw new VmError(VmErrorCode.UNSUPPORTED,
            `helper ${id} was replaced during the run by one with another signature; run the program again`, { pc });
        }
        checkedTyped = typed;
        const k = typed.args;
        if (k[0] === 'u32') a1 = (a1 as number) >>> 0;
        if (k[1] === 'u32') a2 = (a2 as number) >>> 0;
        if (k[2] === 'u32') a3 = (a3 as number) >>> 0;
        if (k[3] === 'u32') a4 = (a4 as number) >>> 0;
        if (k[4] === 'u32') a5 = (a5 as number) >>> 0;
        let result: unknown;
        try {
          const ctx = {
            space, pc,
            invoke: (address: bigint, a: readonly bigint[]) => invoke(address, a, pc, typedRegisters([a1, a2, a3, a4, a5], k.length)),
          };
          result = typed.fn(ctx, a1, a2, a3, a4, a5);
        } catch (err) {
          throw helperFailure(def, err, pc);
        }
        return typedResult(def, typed.ret, result, pc);
      };
    };

    const imports = {
      [IMPORT_MODULE]: {
        [Import.MEMORY_OBJECT]: space.memory,
        [Import.HELPER]: (id: number, pc: number, r1: bigint, r2: bigint, r3: bigint, r4: bigint, r5: bigint): bigint => {
          const callArgs = [r1, r2, r3, r4, r5].map((v) => BigInt.asUintN(64, v));
          const r0 = runHelper(helpers, space, id, pc, callArgs[0]!, callArgs[1]!, callArgs[2]!, callArgs[3]!, callArgs[4]!,
            (address, args) => invoke(address, args, pc, callArgs));
          return r0;
        },
        [Import.MEMORY]: (lo: number, hi: number, off: number, size: number, pc: number, write: number, over: number): void => {
          // Checked mode only (unchecked code has no slow path): the region, or the error;
          // BUDGET_EXCEEDED for an access the interpreter would not have reached.
          let region;
          try {
            region = resolveAccess(space, (lo >>> 0) + off, hi, size, pc, write ? 'write' : 'read', true);
          } catch (err) {
            if (over) throw budgetExhausted(inst.budget, pc);
            throw err;
          }
          const cacheable = region.end <= CACHE_LIMIT;
          global(inst.exports, write ? Global.WRITE_START : Global.READ_START).value = cacheable ? region.start : EMPTY_CACHE | 0;
          global(inst.exports, write ? Global.WRITE_END : Global.READ_END).value = cacheable ? region.end : EMPTY_CACHE | 0;
        },
        [Import.TRAP]: (code: number, pc: number, value: bigint, rest: number): never => {
          if (compiled.checked && (global(inst.exports, Global.FUEL).value as bigint) + BigInt(rest) < 0n) {
            throw budgetExhausted(inst.budget, pc);
          }
          throw trapError(inst, code, pc, value);
        },
        [Import.ABORT]: (): never => {
          throw PROGRAM_EXIT;
        },
        ...Object.fromEntries([...compiled.typedHelpers.keys()].map((id) => [typedHelperImport(id), typedImport(id)])),
      },
    };
    const instance = new WebAssembly.Instance(compiled.module, imports as unknown as WebAssembly.Imports);
    const exports = instance.exports as Exports;
    const functions = new Map(compiled.entries.map((e) => [e, exports[functionExport(e)] as (...args: bigint[]) => bigint | bigint[]] as const));
    Object.assign(inst, { exports, functions });
    return inst;
  }
}

/** r1..r5 as a typed helper's callback sees them: its `count` arguments, then zeros. */
export function typedRegisters(args: readonly (number | bigint | undefined)[], count: number): bigint[] {
  return args.map((v, i) => i < count ? BigInt.asUintN(64, BigInt(v!)) : 0n);
}

function resetCache(exports: Exports): void {
  for (const name of [Global.READ_START, Global.READ_END, Global.WRITE_START, Global.WRITE_END]) {
    global(exports, name).value = EMPTY_CACHE | 0;
  }
}

function notAnEntry(target: number, pc: number): VmError {
  return new VmError(VmErrorCode.UNSUPPORTED,
    `call to pc ${target}, which is not a function entry (call target or lddw code address) known when the program was compiled`, { pc });
}

function trapError(inst: Instance, code: number, pc: number, value: bigint): VmError {
  const p = inst.compiled.program;
  switch (code) {
    case Trap.FELL_OFF_END: return fellOffEnd(p);
    case Trap.KFUNC: return kfuncUnavailable(value, pc);
    case Trap.LDDW_SOURCE: return unresolvedLddw(value, pc);
    case Trap.INVALID_OPCODE: return invalidOpcode(value, pc);
    case Trap.CALL_DEPTH: return callDepthExceeded(pc);
    case Trap.BUDGET: return budgetExhausted(inst.budget, pc);
    case Trap.NO_PACKET: return noPacket(pc);
    case Trap.CALLX_TARGET: return notCallable(p.dst[pc]!, value, pc);
    case Trap.CODE_ADDRESS: {
      // The wasm code checked the tag; the low word (value) names no function entry.
      const target = Number(value);
      try {
        codeTarget(p, (BigInt(CODE_ADDRESS_TAG) << 32n) | BigInt(target), pc);
      } catch (err) {
        return err as VmError;
      }
      return notAnEntry(target, pc);
    }
    default:
      return new VmError(VmErrorCode.UNSUPPORTED, `internal: unknown trap ${code}`, { pc });
  }
}

/** Wasm traps that can reach here only in unchecked mode, as VmErrors. */
function translate(err: unknown): unknown {
  if (err instanceof WebAssembly.RuntimeError && /out of bounds/i.test(err.message)) {
    return new VmError(VmErrorCode.OUT_OF_BOUNDS, `memory access out of bounds (unchecked mode: ${err.message})`, { cause: err });
  }
  return err;
}
