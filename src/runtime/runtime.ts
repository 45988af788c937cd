/**
 * `Runtime`: the object a user holds. One address space, one map registry, the helper
 * environment, and both engines over them; programs are loaded into it, put into
 * PROG_ARRAY slots by id, and test-run as BPF_PROG_TEST_RUN would run them.
 */
import type { Instruction } from '../isa/index.js';
import type { Dialect } from '../asm/index.js';
import { AddressSpace, DEFAULT_BUDGET, HelperRegistry, Vm, type HelperFn } from '../vm/index.js';
import { JitVm } from '../jit/index.js';
import { MapRegistry, ProgArrayMap, type BpfMap, type MapSpec } from '../maps/index.js';
import {
  createHelperEnv, createHelpers, type FibRoute, type HelperClock, type HelperEnv, type TaskInfo, type VirtualClockOptions,
} from '../helpers/index.js';
import type { ContextLayout } from '../verifier/context.js';
import {
  programTypeFor, programTypeForSectionName, type HarnessEnv, type ProgramTypeInfo, type PtRegsArch,
} from '../progs/index.js';
import { RuntimeError, RuntimeErrorCode, VerifierRejectedError } from './errors.js';
import { verifyForRuntime } from './verify.js';
import type { GlobalFunction, VerifierResult } from '../verifier/index.js';
import { Program, type RunOptions, type RunOutcome } from './program.js';
import { decodeSource, mapRefsByFd, resolveMaps, type MapRef, type ProgramSourceInput } from './source.js';
import { OpenObject, type LoadedObject, type LoadObjectOptions, type OpenObjectOptions } from './object.js';
import { runTest, trampoline, type EngineName, type TestRunHost, type TestRunOptions, type TestRunResult } from './testrun.js';

/** What a verifier hook is shown; it throws to refuse the program. */
export interface VerifyRequest {
  /** The program as BPF_PROG_LOAD passes it: map references are `lddw` MAP_FD / MAP_VALUE with the map's id. */
  readonly insns: readonly Instruction[];
  /** The map an fd in `insns` names. */
  readonly mapByFd: (fd: number) => BpfMap | undefined;
  readonly type: number;
  readonly context: ContextLayout;
  readonly name: string;
  /** The program type's whole description (return range...). */
  readonly typeInfo: ProgramTypeInfo;
  /** The program's license (`GPL` unless the load said otherwise). */
  readonly license: string;
  /** Source line per pc, when the program came from an object with BTF line info. */
  readonly lineInfo?: ReadonlyMap<number, string>;
  /** Global functions by entry pc, when the program came with BTF func info (as BPF_PROG_LOAD's func_info). */
  readonly globalFunctions?: ReadonlyMap<number, GlobalFunction>;
  /** The program is sleepable (BPF_F_SLEEPABLE). */
  readonly sleepable?: boolean;
}

/**
 * A custom verifier: throw (or return a result with `ok: false`) to refuse the
 * program. `verifyForRuntime(request)` is the built-in one, for hooks that add to it.
 */
export type VerifyHook = (request: VerifyRequest) => void | VerifierResult;

export interface RuntimeOptions {
  /** Possible CPUs (per-CPU maps hold this many values); default 1. */
  readonly cpus?: number;
  /** Initial and maximum size of the address space in bytes (defaults 1 MiB and 1 GiB). */
  readonly memory?: { readonly initialBytes?: number; readonly maximumBytes?: number };
  /** Default engine for runs: the JIT unless told otherwise. */
  readonly engine?: EngineName;
  /** The time helpers' clock (default: a virtual clock, deterministic). */
  readonly clock?: HelperClock | VirtualClockOptions;
  /** Seed of bpf_get_prandom_u32 (default fixed). */
  readonly seed?: number | bigint;
  readonly task?: Partial<TaskInfo>;
  /** Routes for bpf_fib_lookup. */
  readonly routes?: readonly FibRoute[];
  /** Network devices besides lo (ifindex 1) that exist: XDP ingress_ifindex, __sk_buff.ifindex, redirects. */
  readonly devices?: Iterable<number>;
  /** pt_regs layout of kprobes (default x86_64). */
  readonly arch?: PtRegsArch;
  /** Called with each trace_printk line as it is written. */
  readonly onPrintk?: (line: string) => void;
  /**
   * The verifier run at load: ebee's own (the default, `true`), a custom hook, or
   * `false` for none. A program it accepts runs unchecked in the JIT (no region checks,
   * no budget) unless the load asks for `checked: true`; programs not verified always
   * run with every memory access checked and a budget.
   */
  readonly verify?: boolean | VerifyHook;
}

export interface LoadOptions {
  /** Program type by number or name (`xdp`, `tc`...), or the ELF section name's rules decide. */
  readonly type?: number | string;
  /** BPF_PROG_LOAD's expected_attach_type, for types whose context, return range or helpers depend on it. */
  readonly expectedAttachType?: number;
  /** An ELF section name (`xdp`, `tc/ingress`, `kprobe/do_exit`) to take the type from. */
  readonly section?: string;
  readonly name?: string;
  /** The maps MAP_IDX references index (assembly text lists its map names itself; these override them). */
  readonly maps?: readonly MapRef[];
  /** Assembly dialect (default: detected). */
  readonly dialect?: Dialect;
  /**
   * Check memory accesses and count instructions at run time (default: false for a
   * verified program, true otherwise; false is refused for a program not verified).
   */
  readonly checked?: boolean;
  /** Verify this program (default: whenever the runtime has a verifier); false loads it unverified, to run checked. */
  readonly verify?: boolean;
  /** The license, as BPF_PROG_LOAD's `license` (default `GPL`): decides whether gpl_only helpers may be called. */
  readonly license?: string;
  /** Source line per pc, for the verifier's explanations. */
  readonly lineInfo?: ReadonlyMap<number, string>;
  /** Global functions by entry pc (from BTF func info; `globalFunctionsOf`): verified on their own, as Linux does. */
  readonly globalFunctions?: ReadonlyMap<number, GlobalFunction>;
  /** As BPF_F_SLEEPABLE: the program may call helpers that sleep (`bpf_copy_from_user`...). Default false. */
  readonly sleepable?: boolean;
}

const LOOPBACK = 1;
/** Prog arrays up to this many slots have their programs compiled before a timed JIT run; larger ones compile on first use. */
const PREPARE_SLOT_LIMIT = 4096;

type RunOnceWithArgs = (engine: EngineName, helpers: HelperRegistry, program: Program, ctx: number,
  packet: { address: number; length: number } | undefined, budget: number, args?: readonly (bigint | number)[],
) => { r0: bigint; executed: number | undefined; tailCall?: unknown };

export class Runtime {
  readonly space: AddressSpace;
  readonly maps: MapRegistry;
  readonly env: HelperEnv;
  readonly helpers: HelperRegistry;
  readonly defaultEngine: EngineName;
  readonly harness: HarnessEnv;
  private readonly options: RuntimeOptions;
  private readonly programs: Program[] = [];
  private readonly own = new WeakSet<Program>();
  private engines = new WeakMap<HelperRegistry, { jit?: JitVm; interpreter?: Vm }>();

  constructor(options: RuntimeOptions = {}) {
    this.options = options;
    const engine = options.engine ?? 'jit';
    if (engine !== 'jit' && engine !== 'interpreter') {
      throw new RuntimeError(RuntimeErrorCode.BAD_OPTION, `engine must be 'jit' or 'interpreter', not '${String(engine)}'`);
    }
    this.defaultEngine = engine;
    this.space = new AddressSpace(options.memory ?? {});
    this.maps = new MapRegistry({ space: this.space, ...(options.cpus === undefined ? {} : { cpus: options.cpus }) });
    const devices = new Set<number>([LOOPBACK, ...(options.devices ?? [])]);
    for (const d of devices) {
      if (!Number.isInteger(d) || d < 1 || d > 0x7fffffff) throw new RuntimeError(RuntimeErrorCode.BAD_OPTION, `device ifindex ${d} is not valid`);
    }
    const arch = options.arch ?? 'x86_64';
    if (arch !== 'x86_64' && arch !== 'arm64') throw new RuntimeError(RuntimeErrorCode.BAD_OPTION, `arch must be x86_64 or arm64, not '${String(arch)}'`);
    this.harness = { deviceExists: (i) => devices.has(i), rxQueues: () => 1, arch };
    this.env = this.newEnv({});
    this.helpers = createHelpers(this.env);
  }

  /** BPF_MAP_CREATE. */
  createMap(spec: MapSpec): BpfMap {
    return this.maps.create(spec);
  }

  /** The first map with this name. */
  map(name: string): BpfMap | undefined {
    return this.maps.mapByName(name);
  }

  /** Loaded programs, in load order. */
  listPrograms(): readonly Program[] {
    return [...this.programs];
  }

  /**
   * BPF_PROG_LOAD: decodes or assembles the source, resolves map references, runs the
   * verifier hook when there is one, and registers the program (its `id` can be put
   * into PROG_ARRAY slots).
   */
  loadProgram(source: ProgramSourceInput, options: LoadOptions = {}): Program {
    const type = this.typeOf(options);
    const decoded = decodeSource(source, options.dialect);
    const byFd = mapRefsByFd(decoded.insns, this.maps, options.maps ?? decoded.mapNames);
    const name = options.name ?? `prog${this.programs.length}`;
    const hook = this.verifier;
    const verified = hook !== undefined && options.verify !== false;
    if (verified) {
      const request: VerifyRequest = {
        insns: byFd, mapByFd: (fd) => this.maps.map(fd), type: type.type, context: type.context, name, typeInfo: type,
        license: options.license ?? 'GPL', ...(options.lineInfo ? { lineInfo: options.lineInfo } : {}),
        ...(options.globalFunctions ? { globalFunctions: options.globalFunctions } : {}),
        ...(options.sleepable ? { sleepable: true } : {}),
      };
      let result: VerifierResult | void;
      try {
        result = hook(request);
      } catch (err) {
        if (err instanceof RuntimeError) throw err;
        throw new RuntimeError(RuntimeErrorCode.REJECTED, `program ${name} was rejected: ${(err as Error)?.message ?? err}`, { cause: err });
      }
      if (result && !result.ok) throw new VerifierRejectedError(name, result);
    }
    const insns = resolveMaps(byFd, this.maps);
    const checked = options.checked ?? !verified;
    if (!checked && !verified) {
      throw new RuntimeError(RuntimeErrorCode.BAD_OPTION, hook
        ? 'only a verified program may run unchecked (this load asked for verify: false)'
        : 'only a verified program may run unchecked (this runtime has verify: false)');
    }
    const program = new Program(this, (p) => this.maps.registerProgram(p, { type: type.type, name }), name, type, insns, checked, verified);
    this.programs.push(program);
    this.own.add(program);
    return program;
  }

  /**
   * Parses a clang-built ELF object without creating anything: set its global
   * variables (`.rodata` constants included) and choose its programs, then `load()`.
   */
  openObject(bytes: Uint8Array, options: OpenObjectOptions = {}): OpenObject {
    return new OpenObject(this, bytes, options);
  }

  /** `openObject(bytes).load()`: every map created and initialised, every autoload program loaded. */
  loadObject(bytes: Uint8Array, options: OpenObjectOptions & LoadObjectOptions = {}): LoadedObject {
    return this.openObject(bytes, options).load(options);
  }

  /** @internal Undoes an object load that failed half-way: its programs and maps are forgotten. */
  discard(maps: readonly BpfMap[], programs: readonly Program[]): void {
    for (const p of programs) {
      this.maps.unregister(p.id);
      const i = this.programs.indexOf(p);
      if (i >= 0) this.programs.splice(i, 1);
      this.own.delete(p);
    }
    for (const m of maps) this.maps.destroy(m);
  }

  /** The verifier loads run: the option's hook, ebee's own by default, none for `verify: false`. */
  private get verifier(): VerifyHook | undefined {
    const v = this.options.verify;
    if (v === false) return undefined;
    if (typeof v === 'function') return v;
    if (v !== undefined && v !== true) throw new RuntimeError(RuntimeErrorCode.BAD_OPTION, `verify must be a boolean or a function, not ${typeof v}`);
    return (r) => verifyForRuntime({ insns: r.insns, mapByFd: r.mapByFd, typeInfo: r.typeInfo, license: r.license,
      ...(r.lineInfo ? { lineInfo: r.lineInfo } : {}), ...(r.globalFunctions ? { globalFunctions: r.globalFunctions } : {}),
      ...(r.sleepable ? { sleepable: true } : {}) });
  }

  /** Programs of another runtime would run against this one's maps: refuse them. */
  private mine(program: Program): void {
    if (!this.own.has(program)) throw new RuntimeError(RuntimeErrorCode.BAD_OPTION, `program ${program.name} was loaded by another runtime`);
  }

  /**
   * Runs a program with r1-r5 as given and no context or packet built for it (a
   * pointer argument must point into the address space): for programs used as plain
   * functions. Tail calls are followed.
   */
  run(program: Program, options: RunOptions = {}): RunOutcome {
    this.mine(program);
    const args = options.args ?? [];
    if (args.length > 5) throw new RuntimeError(RuntimeErrorCode.BAD_OPTION, `${args.length} arguments given; r1-r5 hold at most 5`);
    const engine = options.engine ?? this.defaultEngine;
    if (engine !== 'jit' && engine !== 'interpreter') {
      throw new RuntimeError(RuntimeErrorCode.BAD_OPTION, `engine must be 'jit' or 'interpreter', not '${String(engine)}'`);
    }
    const budget = options.budget ?? DEFAULT_BUDGET;
    if (!Number.isSafeInteger(budget) || budget < 0) throw new RuntimeError(RuntimeErrorCode.BAD_OPTION, `budget must be a non-negative integer, not ${budget}`);
    const env = this.env;
    env.printk.length = 0;
    env.tailCalls = 0;
    env.heldLocks.clear();
    const host = this.host;
    const run = { ...host, runOnce: (e: EngineName, h: HelperRegistry, p: Program, _ctx: number, _pk: unknown, b: number) =>
      host.runOnce(e, h, p, 0, undefined, b, args) };
    const { r0, executed } = trampoline(run, engine, this.helpers, program, 0, undefined, budget);
    return { r0, executed, tailCalls: env.tailCalls, printk: [...env.printk] };
  }

  /** BPF_PROG_TEST_RUN. */
  testRun(program: Program, options: TestRunOptions = {}): TestRunResult {
    this.mine(program);
    return runTest(this.host, program, options);
  }

  private typeOf(options: LoadOptions): ProgramTypeInfo {
    if (options.type !== undefined) return programTypeFor(options.type, options.expectedAttachType);
    if (options.section !== undefined) return programTypeForSectionName(options.section);
    throw new RuntimeError(RuntimeErrorCode.BAD_OPTION, 'loadProgram needs a type (or a section name to take it from)');
  }

  private newEnv(options: TestRunOptions): HelperEnv {
    const o = this.options;
    const clock = options.clock ?? o.clock;
    const seed = options.seed ?? o.seed;
    return createHelperEnv({
      maps: this.maps,
      ...(clock === undefined ? {} : { clock }),
      ...(seed === undefined ? {} : { random: seed }),
      task: { ...o.task, ...options.task },
      ...(o.routes ? { routes: o.routes } : {}),
      ...(o.onPrintk ? { onPrintk: o.onPrintk } : {}),
      ifindexes: [LOOPBACK, ...(o.devices ?? [])],
    });
  }

  private hostObject: TestRunHost & { runOnce: RunOnceWithArgs } | undefined;

  private get host(): TestRunHost & { runOnce: RunOnceWithArgs } {
    return this.hostObject ??= {
      maps: this.maps,
      harness: this.harness,
      defaultEngine: this.defaultEngine,
      helpersFor: (options: TestRunOptions) => {
        if (options.clock === undefined && options.seed === undefined && options.task === undefined && options.mocks === undefined) {
          return { env: this.env, helpers: this.helpers };
        }
        const env = this.newEnv(options);
        return { env, helpers: createHelpers(env, options.mocks ? { mocks: options.mocks as Record<string | number, HelperFn> } : {}) };
      },
      prepare: (engine: EngineName, helpers: HelperRegistry, program: Program) => {
        if (engine !== 'jit') return;
        const jit = this.jit(helpers);
        jit.compile(program.prepared, program.checked);
        // Tail-call targets too, so `duration` does not time their compilation (compiles are cached).
        for (const map of this.maps.maps()) {
          if (!(map instanceof ProgArrayMap) || map.maxEntries > PREPARE_SLOT_LIMIT) continue;
          for (let i = 0; i < map.maxEntries; i++) {
            const target = map.tailCallTarget(i)?.program;
            if (target instanceof Program && this.own.has(target)) jit.compile(target.prepared, target.checked);
          }
        }
      },
      runOnce: (engine: EngineName, helpers: HelperRegistry, program: Program, ctx: number,
        packet: { address: number; length: number } | undefined, budget: number, args: readonly (bigint | number)[] = [ctx]) => {
        const run = { args, checked: program.checked, budget, ...(packet ? { packet } : {}) };
        return engine === 'jit' ? this.jit(helpers).run(program.prepared, run) : this.interpreter(helpers).run(program.prepared, run);
      },
    };
  }

  private enginesFor(helpers: HelperRegistry): { jit?: JitVm; interpreter?: Vm } {
    let e = this.engines.get(helpers);
    if (!e) this.engines.set(helpers, (e = {}));
    return e;
  }

  private jit(helpers: HelperRegistry): JitVm {
    const e = this.enginesFor(helpers);
    return (e.jit ??= new JitVm({ space: this.space, helpers }));
  }

  private interpreter(helpers: HelperRegistry): Vm {
    const e = this.enginesFor(helpers);
    return (e.interpreter ??= new Vm({ space: this.space, helpers }));
  }
}
