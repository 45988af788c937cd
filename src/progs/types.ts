/**
 * What every program type describes: its number and names, its context as the
 * verifier sees it, its return codes, and its test-run harness (Linux's
 * `bpf_prog_test_run_*` for that type: which inputs it takes, how it lays out the
 * packet and the context, what it gives back).
 */
import type { AddressSpace } from '../vm/index.js';
import type { ContextLayout } from '../verifier/context.js';
import type { PacketState } from '../helpers/packet.js';
import type { NamedContext } from './layout.js';

/** The inputs of one test run, as BPF_PROG_TEST_RUN takes them. */
export interface TestRunInput {
  /** `data_in`: the packet (XDP and skb types), or nothing. */
  readonly data?: Uint8Array;
  /** `ctx_in`: the context struct's bytes, or its fields by name (`{ mark: 1, 'cb[0]': 7 }`, `{ PARM1: 3 }`). */
  readonly ctx?: Uint8Array | NamedContext;
}

/** What a harness needs to know about the machine around it. */
export interface HarnessEnv {
  /** True when a network device with this ifindex exists (ebee's default: only lo, 1). */
  readonly deviceExists: (ifindex: number) => boolean;
  /** Receive queues of a device (Linux's real_num_rx_queues; lo has 1). */
  readonly rxQueues: (ifindex: number) => number;
  /** pt_regs layout for kprobes. */
  readonly arch: PtRegsArch;
}

export type PtRegsArch = 'x86_64' | 'arm64';

/** One test run's memory: built by `setup`, read back by `finish`, freed by `release`. */
export interface RunSetup {
  /** r1: the context's address. */
  readonly ctx: number;
  /** Set for packet types: the buffer helpers change. */
  readonly packet?: PacketState;
  /** The packet legacy loads (LD_ABS / LD_IND) read: skb data. */
  readonly legacyPacket?: { readonly address: number; readonly length: number };
  /** `data_out` and `ctx_out` after the run. */
  finish(): { data: Uint8Array | undefined; ctx: Uint8Array | undefined };
  release(): void;
}

/** A program type. */
export interface ProgramTypeInfo {
  /** `enum bpf_prog_type`. */
  readonly type: number;
  /** Short name (`xdp`, `sched_cls`); the first of `names`. */
  readonly name: string;
  /** Every name the CLI and `loadProgram` accept for the type. */
  readonly names: readonly string[];
  /** The context struct as the verifier checks accesses to it. */
  readonly context: ContextLayout;
  /** Return codes with names, Linux's (`XDP_PASS` 2...). Empty when any value is meaningful. */
  readonly returnCodes: Readonly<Record<string, number>>;
  /** The range the verifier demands of r0 at exit (`check_return_code`), when it checks one. */
  readonly returnRange?: readonly [number, number];
  /**
   * Helper ids a program of this type may call (the kernel's `get_func_proto` for the
   * type, as root sees it: see `helpers.ts`).
   */
  readonly helpers: ReadonlySet<number>;
  /**
   * The type as a program loaded with this `expected_attach_type` sees it, for types
   * whose context, return range or helpers depend on it (cgroup_sock_addr's connect4
   * reads `user_ip4`, cgroup_skb egress may return 0..3). Absent when nothing does.
   */
  readonly forAttach?: (expectedAttachType: number) => ProgramTypeInfo;
  /** Linux runs this type with BPF_PROG_TEST_RUN; ebee runs every type, this says whether Linux would. */
  readonly linuxTestRun: boolean;
  /** Whether `repeat` is accepted (Linux refuses any non-zero repeat for raw_tp and syscall). */
  readonly repeatAllowed: boolean;
  /** Builds the context (and packet) of a test run, with BPF_PROG_TEST_RUN's checks. */
  setup(space: AddressSpace, input: TestRunInput, env: HarnessEnv): RunSetup;
}

const names = new WeakMap<ProgramTypeInfo, Map<number, string>>();

/** The name of a return value for a type (`XDP_PASS`), or the number (its low 32 bits, signed). */
export function returnName(info: ProgramTypeInfo, r0: bigint | number): string {
  let byValue = names.get(info);
  if (!byValue) {
    byValue = new Map(Object.entries(info.returnCodes).map(([name, value]) => [value, name]));
    names.set(info, byValue);
  }
  const v = typeof r0 === 'number' ? r0 | 0 : Number(BigInt.asIntN(32, r0));
  return byValue.get(v) ?? String(v);
}
