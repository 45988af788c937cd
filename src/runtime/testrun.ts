/**
 * Test-run options and results (BPF_PROG_TEST_RUN's, plus what ebee records), and the
 * run itself: one harness setup, `repeat` runs through the tail-call trampoline, the
 * packet and context read back.
 */
import { DEFAULT_BUDGET, type HelperFn, type HelperRegistry } from '../vm/index.js';
import { RingBufMap, type BpfMap, type MapRegistry } from '../maps/index.js';
import type { HelperClock, HelperEnv, RedirectRecord, TaskInfo, VirtualClockOptions } from '../helpers/index.js';
import { ProgError, ProgErrorCode, XdpMd, returnName, type HarnessEnv, type NamedContext } from '../progs/index.js';
import { RuntimeError, RuntimeErrorCode } from './errors.js';
import { Program } from './program.js';

export type EngineName = 'jit' | 'interpreter';

export interface TestRunOptions {
  /** `data_in`: the packet for XDP and skb programs. */
  readonly data?: Uint8Array;
  /** `ctx_in`: the context as bytes, or by field name. */
  readonly ctx?: Uint8Array | NamedContext;
  /** Runs (default 1; 0 means 1, as in Linux). Results are the last run's; `duration` the average. */
  readonly repeat?: number;
  /** The CPU the program runs on (per-CPU maps, bpf_get_smp_processor_id); default 0. */
  readonly cpu?: number;
  /** Default: the runtime's (the JIT unless told otherwise). */
  readonly engine?: EngineName;
  /** A clock for this run's time helpers (default: the runtime's virtual clock). */
  readonly clock?: HelperClock | VirtualClockOptions;
  /** Seed of bpf_get_prandom_u32 for this run (default: the runtime's generator). */
  readonly seed?: number | bigint;
  /** The task the program runs in (pid, comm...). */
  readonly task?: Partial<TaskInfo>;
  /** Helpers replaced by JavaScript functions for this run, by id or name (`ktime_get_ns` or `bpf_ktime_get_ns`). */
  readonly mocks?: Readonly<Record<string | number, HelperFn>>;
  /** Instructions per run, tail calls included (default 100,000,000). */
  readonly budget?: number;
  /** Drain ring buffers into `events` after the run (default true). */
  readonly consumeRingbufs?: boolean;
}

/** A record the program emitted. */
export type TestRunEvent =
  | { readonly kind: 'perf_event_output'; readonly map: BpfMap; readonly cpu: number; readonly index: number; readonly data: Uint8Array }
  | { readonly kind: 'ringbuf'; readonly map: BpfMap; readonly data: Uint8Array };

export interface TestRunResult {
  /** r0 as BPF_PROG_TEST_RUN's `retval` reports it: the low 32 bits. */
  readonly retval: number;
  /** r0, all 64 bits. */
  readonly r0: bigint;
  /** The return value's name for the type (`XDP_PASS`, `TC_ACT_SHOT`) or the number. */
  readonly action: string;
  /** `data_out`: the packet after the run (XDP: metadata included). */
  readonly data: Uint8Array | undefined;
  /** `ctx_out`: the context after the run, when the type gives one back. */
  readonly ctx: Uint8Array | undefined;
  /** Average nanoseconds per run (wall clock of the host). */
  readonly duration: number;
  /** trace_printk lines of the last run. */
  readonly printk: readonly string[];
  /** perf_event_output samples of the last run, then the records ring buffers hold after all runs. */
  readonly events: readonly TestRunEvent[];
  readonly redirects: readonly RedirectRecord[];
  /** Tail calls taken in the last run. */
  readonly tailCalls: number;
  /** Instructions executed by the last run, tail-called programs included (undefined when unchecked under the JIT). */
  readonly executed: number | undefined;
}

/** What `runTest` needs from the runtime. */
export interface TestRunHost {
  readonly maps: MapRegistry;
  readonly harness: HarnessEnv;
  /** The helper env and registry for these options (the shared ones, or fresh ones for clock/seed/mocks/task). */
  helpersFor(options: TestRunOptions): { env: HelperEnv; helpers: HelperRegistry };
  /** Runs one program on an engine: r1 = ctx. */
  runOnce(engine: EngineName, helpers: HelperRegistry, program: Program, ctx: number,
    packet: { address: number; length: number } | undefined, budget: number): { r0: bigint; executed: number | undefined; tailCall?: unknown };
  readonly defaultEngine: EngineName;
  /** Compiles ahead of the timed runs, so `duration` does not include the JIT. */
  prepare(engine: EngineName, helpers: HelperRegistry, program: Program): void;
}

/** Linux's MAX_TAIL_CALL_CNT. */
export const MAX_TAIL_CALLS = 33;

function checkCount(value: number | undefined, what: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RuntimeError(RuntimeErrorCode.BAD_OPTION, `${what} must be a non-negative integer, not ${value}`);
  }
  return value;
}

export function runTest(host: TestRunHost, program: Program, options: TestRunOptions): TestRunResult {
  const type = program.type;
  const repeat = Math.max(1, checkCount(options.repeat, 'repeat', 1));
  if (options.repeat !== undefined && options.repeat !== 0 && !type.repeatAllowed) {
    throw new ProgError(ProgErrorCode.BAD_OPTION, `${type.name} test runs take no repeat`);
  }
  const budget = checkCount(options.budget, 'budget', DEFAULT_BUDGET);
  const engine = options.engine ?? host.defaultEngine;
  if (engine !== 'jit' && engine !== 'interpreter') {
    throw new RuntimeError(RuntimeErrorCode.BAD_OPTION, `engine must be 'jit' or 'interpreter', not '${String(engine)}'`);
  }
  const cpu = checkCount(options.cpu, 'cpu', 0);
  if (cpu >= host.maps.cpus) {
    throw new RuntimeError(RuntimeErrorCode.BAD_OPTION, `cpu ${cpu} does not exist (the runtime has ${host.maps.cpus})`);
  }
  const { env, helpers } = host.helpersFor(options);
  const space = host.maps.space;
  const setup = type.setup(space, { ...(options.data ? { data: options.data } : {}), ...(options.ctx ? { ctx: options.ctx } : {}) },
    host.harness);
  const previousCpu = host.maps.currentCpu;
  try {
    host.maps.currentCpu = cpu;
    env.packet = setup.packet;
    env.ctx = setup.ctx;
    env.ingressIfindex = setup.packet?.kind === 'xdp' ? space.view.getUint32(setup.ctx + XdpMd.ingress_ifindex, true) : 0;
    let r0 = 0n;
    let executed: number | undefined;
    host.prepare(engine, helpers, program);
    const started = performance.now();
    for (let i = 0; i < repeat; i++) {
      env.printk.length = 0;
      env.events.length = 0;
      env.redirects.length = 0;
      env.tailCalls = 0;
      env.heldLocks.clear();
      ({ r0, executed } = trampoline(host, engine, helpers, program, setup.ctx, setup.legacyPacket, budget));
    }
    const duration = Math.round(((performance.now() - started) * 1e6) / repeat);
    const out = setup.finish();
    const events: TestRunEvent[] = env.events.map((e) => ({ kind: e.kind, map: e.map, cpu: e.cpu, index: e.index, data: e.data }));
    if (options.consumeRingbufs ?? true) {
      for (const map of host.maps.maps()) {
        if (map instanceof RingBufMap) for (const data of map.consume()) events.push({ kind: 'ringbuf', map, data });
      }
    }
    const retval = Number(r0 & 0xffffffffn);
    return {
      retval, r0, action: returnName(type, r0), data: out.data, ctx: out.ctx, duration,
      printk: [...env.printk], events, redirects: [...env.redirects], tailCalls: env.tailCalls, executed,
    };
  } finally {
    env.packet = undefined;
    env.ctx = 0;
    host.maps.currentCpu = previousCpu;
    setup.release();
  }
}

/**
 * Runs `program` and, while it ends in a tail call, its target with the same context;
 * the helpers count the calls (33 at most, as Linux), this loop only guards against a
 * helper table that does not.
 */
export function trampoline(host: TestRunHost, engine: EngineName, helpers: HelperRegistry, program: Program, ctx: number,
  packet: { address: number; length: number } | undefined, budget: number): { r0: bigint; executed: number | undefined } {
  let current = program;
  let executed: number | undefined = 0;
  for (let hops = 0; ; hops++) {
    const res = host.runOnce(engine, helpers, current, ctx, packet, budget - (executed ?? 0));
    executed = executed === undefined || res.executed === undefined ? undefined : executed + res.executed;
    if (res.tailCall === undefined) return { r0: res.r0, executed };
    if (hops >= MAX_TAIL_CALLS) {
      throw new RuntimeError(RuntimeErrorCode.BAD_TAIL_CALL, `more than ${MAX_TAIL_CALLS} tail calls in one run`);
    }
    current = tailTarget(res.tailCall);
  }
}

function tailTarget(target: unknown): Program {
  if (target instanceof Program) return target;
  const inner = (target as { program?: unknown } | null)?.program;
  if (inner instanceof Program) return inner;
  throw new RuntimeError(RuntimeErrorCode.BAD_TAIL_CALL, 'tail call to something that is not a program of this runtime');
}
