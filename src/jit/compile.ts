/**
 * eBPF program -> one WebAssembly module: the imports and globals of `abi.ts`, one
 * wasm function per eBPF function (pc 0, every `call` target, every code address),
 * and, when the program uses `callx`, a dispatcher over the function entries.
 */
import { prepare, typedSignature, type PreparedProgram, type TypedHelper } from '../vm/index.js';
import type { Instruction } from '../isa/index.js';
import { ModuleBuilder, ValType, type ValTypeValue } from './wasm/index.js';
import { EMPTY_CACHE, Global, IMPORT_MODULE, Import, functionExport, savedRegisterGlobal, typedHelperImport } from './abi.js';
import { analyseFlow } from './analysis/flow.js';
import { signatureOf } from './analysis/liveness.js';
import { emitFunction } from './emit.js';
import { buildCallxDispatcher, type ModuleEnv } from './lower/index.js';

export interface CompileOptions {
  /** Region checks and the instruction budget, for unverified programs (default true). */
  readonly checked?: boolean;
  /**
   * Compile for a shared `WebAssembly.Memory` (worker CPUs): the memory import is
   * declared shared and atomics use wasm atomic instructions. Default false;
   * `JitVm.run` picks the right variant for its address space by itself.
   */
  readonly shared?: boolean;
  /**
   * Where helpers' typed signatures come from (`HelperRegistry`): a `call imm` to a
   * helper that has one goes to its own import with i32 arguments where it allows.
   * Without it every helper call goes through the generic i64 import.
   */
  readonly helpers?: { get(id: number): { readonly typed?: TypedHelper } | undefined };
}

export interface CompiledProgram {
  readonly program: PreparedProgram;
  readonly bytes: Uint8Array<ArrayBuffer>;
  readonly module: WebAssembly.Module;
  readonly checked: boolean;
  readonly shared: boolean;
  /** Irreducible regions that needed a `br_table` dispatcher (0 for clang output, almost always). */
  readonly dispatcherRegions: number;
  /** Function entry pcs, each exported as `f<pc>`. */
  readonly entries: readonly number[];
  /** Registers passed and returned beyond r1-r5 and r0 (see `analysis/liveness.ts`). */
  readonly extraIn: readonly number[];
  readonly extraOut: readonly number[];
  /** Helper id -> the typed signature (`typedSignature`) its calls were compiled for. */
  readonly typedHelpers: ReadonlyMap<number, string>;
}

/** What `compileToBytes` produces: everything of a `CompiledProgram` but the module. */
export type GeneratedModule = Omit<CompiledProgram, 'module'>;

export type ProgramSource = PreparedProgram | readonly Instruction[] | Uint8Array;

/** A prepared program as is; instructions or bytecode are checked and laid out first. */
export function asPrepared(program: ProgramSource): PreparedProgram {
  if (!(program instanceof Uint8Array) && 'opcode' in program && program.opcode instanceof Uint8Array) {
    return program as PreparedProgram;
  }
  return prepare(program as readonly Instruction[] | Uint8Array);
}

/**
 * Compiles a program to a WebAssembly module (synchronously).
 *
 * Tiering, as measured on Node 20 (V8 11.3), and why ebee leaves it to V8: the
 * `WebAssembly.Module` constructor only decodes and validates (about 0.1 µs per eBPF
 * instruction); V8 compiles each function lazily, with its Liftoff baseline compiler,
 * on the function's first call, and recompiles it with TurboFan in the background once
 * it has run for a while (dynamic tiering); calls made after that run the optimised
 * code, but a call in progress never switches (V8 has no on-stack replacement for
 * wasm). So a long first run stays in Liftoff code, 1-5x slower than the steady state
 * on ../shared/bench, and the runs after it are at native speed. What else there is:
 *
 * - `WebAssembly.compile` (async) compiles and tiers the same way: same first run.
 * - Running the function once on a small input first cannot be done for an arbitrary
 *   program (it has side effects: helpers, stores, and it needs real inputs), and a
 *   short call only triggers the Liftoff compile, not the tier-up.
 * - `v8.setFlagsFromString('--no-liftoff')` does take effect at run time (first run =
 *   steady state), but it changes every wasm module of the whole process, is not
 *   available in browsers, and makes V8 compile every called function with TurboFan
 *   before running it: 1.5-1.8 s for the first run of the generated 100,000-instruction
 *   benchmark program against 30-40 ms with Liftoff.
 *
 * Lazy Liftoff first is the better default for a library: compile stays cheap, short
 * and repeated runs (the usual eBPF pattern) reach TurboFan code after the first few.
 * An application that runs one long program once can start Node with `--no-liftoff`.
 */
export function compile(program: ProgramSource, options: CompileOptions = {}): CompiledProgram {
  const generated = compileToBytes(program, options);
  return { ...generated, module: new WebAssembly.Module(generated.bytes) };
}

/** ebee's part of `compile`: the module's bytes, without handing them to the engine. */
export function compileToBytes(program: ProgramSource, options: CompileOptions = {}): GeneratedModule {
  const p = asPrepared(program);
  const checked = options.checked ?? true;
  const shared = options.shared ?? false;
  const flow = analyseFlow(p);
  const signature = signatureOf(p, flow);
  const I32 = ValType.I32;
  const I64 = ValType.I64;
  const params: ValTypeValue[] = [I64, I64, I64, I64, I64, ...signature.extraIn.map(() => I64)];
  const results: ValTypeValue[] = [I64, ...signature.extraOut.map(() => I64)];

  const m = new ModuleBuilder({ name: 'ebee' });
  const imports = {
    helper: m.importFunction(IMPORT_MODULE, Import.HELPER, [I32, I32, I64, I64, I64, I64, I64], [I64]),
    memory: checked ? m.importFunction(IMPORT_MODULE, Import.MEMORY, [I32, I32, I32, I32, I32, I32, I32], []) : -1,
    trap: m.importFunction(IMPORT_MODULE, Import.TRAP, [I32, I32, I64, I32], []),
    abort: m.importFunction(IMPORT_MODULE, Import.ABORT, [], []),
    typed: new Map<number, { readonly index: number; readonly typed: TypedHelper }>(),
  };
  const typedHelpers = new Map<number, string>();
  for (let pc = 0; pc < p.length; pc++) {
    if (p.opcode[pc] !== 0x85 || p.src[pc] !== 0 || p.indexAt[pc]! < 0) continue;
    const id = p.imm[pc]!;
    const typed = options.helpers?.get(id)?.typed;
    if (!typed || imports.typed.has(id)) continue;
    const wasmType = (kind: string): ValTypeValue => kind === 'i64' ? I64 : I32;
    const index = m.importFunction(IMPORT_MODULE, typedHelperImport(id), [I32, ...typed.args.map(wasmType)], [wasmType(typed.ret)]);
    imports.typed.set(id, { index, typed });
    typedHelpers.set(id, typedSignature(typed));
  }
  m.importMemory(IMPORT_MODULE, Import.MEMORY_OBJECT, shared ? { minimum: 0, maximum: 65536, shared: true } : { minimum: 0 });
  const global = (name: string, type: ValTypeValue, init: number | bigint): number => {
    const index = m.addGlobal(type, true, init);
    m.exportGlobal(name, index);
    return index;
  };
  const globals: ModuleEnv['globals'] = {
    depth: global(Global.DEPTH, I32, 0),
    stackEnd: global(Global.STACK_END, I32, 0),
    fuel: checked ? global(Global.FUEL, I64, 0) : -1,
    readStart: checked ? global(Global.READ_START, I32, EMPTY_CACHE | 0) : -1,
    readEnd: checked ? global(Global.READ_END, I32, EMPTY_CACHE | 0) : -1,
    writeStart: checked ? global(Global.WRITE_START, I32, EMPTY_CACHE | 0) : -1,
    writeEnd: checked ? global(Global.WRITE_END, I32, EMPTY_CACHE | 0) : -1,
    packetPresent: global(Global.PACKET_PRESENT, I32, 0),
    packetAddress: global(Global.PACKET_ADDRESS, I32, 0),
    packetLength: global(Global.PACKET_LENGTH, I32, 0),
    saved: new Map(signature.extraIn.map((r) => [r, global(savedRegisterGlobal(r), I64, 0)] as const)),
  };
  const base = m.functionCount;
  const functionIndex = new Map(flow.entries.map((e, i) => [e, base + i] as const));
  let usesCallx = false;
  for (let pc = 0; pc < p.length; pc++) if (p.opcode[pc] === 0x8d && p.indexAt[pc]! >= 0) usesCallx = true;
  const env: ModuleEnv = {
    program: p, checked, shared, signature, params, results, imports, globals, functionIndex,
    callx: usesCallx ? base + flow.entries.length : -1,
  };

  let dispatcherRegions = 0;
  const localOf = new Int32Array(flow.blockCount);
  flow.entries.forEach((entry, i) => {
    const { context, dispatcherRegions: regions } = emitFunction(env, flow, flow.functions[i]!, localOf);
    dispatcherRegions += regions;
    const index = m.addFunction(params, results, context.b, functionExport(entry));
    m.exportFunction(functionExport(entry), index);
  });
  if (usesCallx) m.addFunction([I32, I32, ...params], results, buildCallxDispatcher(env), 'callx');

  const bytes = m.toBytes();
  return {
    program: p, bytes, checked, shared, dispatcherRegions,
    entries: flow.entries, extraIn: signature.extraIn, extraOut: signature.extraOut, typedHelpers,
  };
}
