/**
 * `HelperEnv`: everything the helper implementations read and record during a run,
 * with deterministic defaults. The runtime creates one per test run (or reuses one
 * and resets what it records); tests create their own with `createHelperEnv`.
 */
import { AddressSpace } from '../vm/index.js';
import { MapRegistry, type BpfMap, type RedirectTarget } from '../maps/index.js';
import type { PacketState } from './packet.js';
import { HelperError, HelperErrorCode } from './errors.js';
import { SeededRandom, VirtualClock, type HelperClock, type HelperRandom, type VirtualClockOptions } from './clock.js';
import { compileRoutes, type FibRoute, type FibTable } from './fib.js';

/** The task the program runs "in" (bpf_get_current_pid_tgid / uid_gid / comm). */
export interface TaskInfo {
  /** Thread id (the kernel's pid). */
  readonly pid: number;
  /** Process id (the kernel's tgid). */
  readonly tgid: number;
  readonly uid: number;
  readonly gid: number;
  /** Command name; Linux keeps 15 bytes and a NUL (TASK_COMM_LEN). */
  readonly comm: string;
  /**
   * Ids of the task's cgroup v2 ancestry, from the root (level 0) to its own cgroup:
   * bpf_get_current_cgroup_id is the last, bpf_get_current_ancestor_cgroup_id(level)
   * the one at `level`. The root cgroup's id is 1.
   */
  readonly cgroups: readonly number[];
}

/** What bpf_redirect, bpf_redirect_map and bpf_clone_redirect did, in call order. */
export interface RedirectRecord {
  readonly kind: 'redirect' | 'redirect_map' | 'clone_redirect' | 'redirect_peer';
  /** Target device (redirect_map: the first target's, or 0 for a CPU/XSK target or a failed lookup). */
  readonly ifindex: number;
  readonly flags: bigint;
  readonly map?: BpfMap;
  readonly key?: number;
  /** redirect_map: where the map sends the packet (every device for BPF_F_BROADCAST). */
  readonly targets?: readonly RedirectTarget[];
  /** redirect / redirect_map: the action returned (XDP_REDIRECT, TC_ACT_REDIRECT, a fallback...); clone_redirect: 0 or -errno. */
  readonly result: number;
}

/** A sample written by bpf_perf_event_output. (Ring-buffer records stay in their map: consume them there.) */
export interface PerfEventRecord {
  readonly kind: 'perf_event_output';
  readonly map: BpfMap;
  /** The slot written (the current CPU for BPF_F_CURRENT_CPU). */
  readonly index: number;
  readonly cpu: number;
  readonly data: Uint8Array;
}
export type HelperEvent = PerfEventRecord;

/** Synthetic call stacks, innermost frame first, for bpf_get_stack / bpf_get_stackid. */
export interface SyntheticStacks {
  kernel: readonly bigint[];
  user: readonly bigint[];
}

/** A range of addresses bpf_probe_read* may read. */
export interface ProbeRange {
  readonly start: number;
  readonly end: number;
}

/**
 * Where probe reads may read. `kernel: 'regions'` (the default) counts every region
 * of the address space as kernel memory: those are all a program can know addresses
 * of. User memory is empty unless given.
 */
export interface ProbeMemory {
  kernel: 'regions' | readonly ProbeRange[];
  user: readonly ProbeRange[];
}

export interface HelperEnv {
  readonly space: AddressSpace;
  readonly maps: MapRegistry;
  readonly clock: HelperClock;
  readonly random: HelperRandom;
  task: TaskInfo;
  /** bpf_get_numa_node_id. */
  numaNode: number;
  /** The packet of this run (XDP or skb), if any. */
  packet: PacketState | undefined;
  /** Address of the program's context (r1 at entry), 0 when none. */
  ctx: number;
  /** The device the packet arrived on (XDP's ingress_ifindex), for BPF_F_EXCLUDE_INGRESS. */
  ingressIfindex: number;
  /** Devices that exist, for bpf_clone_redirect and bpf_check_mtu (undefined: every ifindex > 0 exists). */
  ifindexes: ReadonlySet<number> | undefined;
  /** The device MTU (L3 bytes): skb size changes stop at mtu + 14. */
  mtu: number;
  /** trace_printk / trace_vprintk output, one string per call, without the trailing newline. */
  readonly printk: string[];
  /** Called with each printk line as it is written. */
  onPrintk: ((line: string) => void) | undefined;
  /** perf_event_output samples, in order (they are also in the PERF_EVENT_ARRAY's buffers). */
  readonly events: HelperEvent[];
  readonly redirects: RedirectRecord[];
  /** Routes for bpf_fib_lookup. */
  readonly fib: FibTable;
  stacks: SyntheticStacks;
  readonly probe: ProbeMemory;
  /** Tail calls taken so far in this run (Linux allows MAX_TAIL_CALL_CNT = 33). */
  tailCalls: number;
  /** Addresses of the bpf_spin_locks the program holds now. */
  readonly heldLocks: Set<number>;
}

export interface HelperEnvOptions {
  /** The map registry (its address space is the env's). Default: a new one. */
  readonly maps?: MapRegistry;
  /** Used when `maps` is absent: the address space of the new registry. */
  readonly space?: AddressSpace;
  /** Used when `maps` is absent: CPUs of the new registry (default 1). */
  readonly cpus?: number;
  /** A clock, or options for the default virtual clock. */
  readonly clock?: HelperClock | VirtualClockOptions;
  /** Seed of the default PRNG (default 0x5eed), or a random source. */
  readonly random?: number | bigint | HelperRandom;
  readonly task?: Partial<TaskInfo>;
  readonly numaNode?: number;
  readonly packet?: PacketState;
  readonly ctx?: number;
  readonly ingressIfindex?: number;
  readonly ifindexes?: Iterable<number>;
  readonly mtu?: number;
  readonly onPrintk?: (line: string) => void;
  readonly routes?: readonly FibRoute[];
  /** Frames as bigints or non-negative numbers. */
  readonly stacks?: { readonly kernel?: readonly (bigint | number)[]; readonly user?: readonly (bigint | number)[] };
  readonly probe?: Partial<ProbeMemory>;
}

export const DEFAULT_TASK: TaskInfo = Object.freeze({ pid: 4242, tgid: 4242, uid: 1000, gid: 1000, comm: 'ebee', cgroups: Object.freeze([1]) });

function isClock(c: unknown): c is HelperClock {
  return typeof c === 'object' && c !== null && typeof (c as HelperClock).monotonicNs === 'function';
}

function checkInt(value: number, what: string, max = 0xffffffff): number {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new HelperError(HelperErrorCode.BAD_OPTION, `${what} must be an integer in 0..${max}, not ${value}`);
  }
  return value;
}

function frames(list: readonly (bigint | number)[] | undefined, what: string): bigint[] {
  if (list === undefined) return [];
  if (!Array.isArray(list)) throw new HelperError(HelperErrorCode.BAD_OPTION, `stacks.${what} must be an array`);
  return list.map((ip) => {
    if (typeof ip === 'bigint') return BigInt.asUintN(64, ip);
    if (typeof ip === 'number' && Number.isSafeInteger(ip) && ip >= 0) return BigInt(ip);
    throw new HelperError(HelperErrorCode.BAD_OPTION, `stacks.${what}: ${String(ip)} is not an address`);
  });
}

function ranges(list: readonly ProbeRange[], what: string): ProbeRange[] {
  if (!Array.isArray(list)) throw new HelperError(HelperErrorCode.BAD_OPTION, `probe.${what} must be an array of ranges or 'regions'`);
  return list.map((r) => {
    const ok = Number.isSafeInteger(r?.start) && Number.isSafeInteger(r?.end) && r.start >= 0 && r.end >= r.start;
    if (!ok) throw new HelperError(HelperErrorCode.BAD_OPTION, `probe.${what}: ${JSON.stringify(r)} is not a range`);
    return { start: r.start, end: r.end };
  });
}

export function createHelperEnv(options: HelperEnvOptions = {}): HelperEnv {
  const maps = options.maps ?? new MapRegistry({ space: options.space, cpus: options.cpus });
  if (options.maps && options.space && options.space !== options.maps.space) {
    throw new HelperError(HelperErrorCode.BAD_OPTION, 'space must be the map registry\'s address space');
  }
  const task = { ...DEFAULT_TASK, ...options.task };
  for (const k of ['pid', 'tgid', 'uid', 'gid'] as const) checkInt(task[k], `task.${k}`);
  if (typeof task.comm !== 'string') throw new HelperError(HelperErrorCode.BAD_OPTION, 'task.comm must be a string');
  if (!Array.isArray(task.cgroups) || task.cgroups.length === 0 || !task.cgroups.every((id) => Number.isSafeInteger(id) && id > 0)) {
    throw new HelperError(HelperErrorCode.BAD_OPTION, 'task.cgroups must list positive cgroup ids, root first');
  }
  const random = options.random;
  if (options.routes !== undefined && !Array.isArray(options.routes)) throw new HelperError(HelperErrorCode.BAD_OPTION, 'routes must be an array');
  return {
    space: maps.space,
    maps,
    clock: isClock(options.clock) ? options.clock : new VirtualClock(options.clock),
    random: typeof random === 'object' && random !== null ? random : new SeededRandom(random),
    task,
    numaNode: checkInt(options.numaNode ?? 0, 'numaNode'),
    packet: options.packet,
    ctx: checkInt(options.ctx ?? options.packet?.ctx ?? 0, 'ctx'),
    ingressIfindex: checkInt(options.ingressIfindex ?? 0, 'ingressIfindex'),
    mtu: checkInt(options.mtu ?? 1500, 'mtu', 0xffff),
    ifindexes: options.ifindexes ? new Set([...options.ifindexes].map((i) => checkInt(i, 'ifindex'))) : undefined,
    printk: [],
    onPrintk: options.onPrintk,
    events: [],
    redirects: [],
    fib: compileRoutes(options.routes ?? []),
    stacks: { kernel: frames(options.stacks?.kernel, 'kernel'), user: frames(options.stacks?.user, 'user') },
    probe: {
      kernel: options.probe?.kernel === undefined || options.probe.kernel === 'regions' ? 'regions' : ranges(options.probe.kernel, 'kernel'),
      user: ranges(options.probe?.user ?? [], 'user'),
    },
    tailCalls: 0,
    heldLocks: new Set(),
  };
}

/**
 * Starts a new run on an env that served an earlier one: the tail-call count and the
 * held locks start afresh. (The runtime's trampoline does not call this between the
 * programs of one chain of tail calls: the count spans the chain.) What the env
 * records (printk, events, redirects) is kept; clear those arrays to drop it.
 */
export function beginRun(env: HelperEnv): void {
  env.tailCalls = 0;
  env.heldLocks.clear();
}
