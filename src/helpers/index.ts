/**
 * `helpers/`: Linux's BPF helpers. Every helper of `enum bpf_func_id` has a prototype
 * (what the verifier checks calls against); most of those a test run needs have an
 * implementation over a `HelperEnv` (maps, clocks, PRNG, task, packet, printk,
 * events, redirects, FIB, stacks). `createHelpers(env)` gives the registry both
 * engines call; mocks replace any helper.
 */
export { ArgKind, RetKind, type ArgKindValue, type RetKindValue, type HelperPrototype } from './prototype.js';
export type { PacketState } from './packet.js';
export { PROTOTYPES, MAX_HELPER_ID } from './protos.js';
export {
  HELPERS, helperPrototype, helperById, helperByName, createHelpers, type HelperEntry, type CreateHelpersOptions,
} from './table.js';
export type { HelperImpl } from './impl.js';
export {
  createHelperEnv, beginRun, DEFAULT_TASK, type HelperEnv, type HelperEnvOptions, type TaskInfo, type RedirectRecord,
  type PerfEventRecord, type HelperEvent, type SyntheticStacks, type ProbeRange, type ProbeMemory,
} from './env.js';
export {
  VirtualClock, SeededRandom, realClock, HZ, INITIAL_JIFFIES, type HelperClock, type HelperRandom, type VirtualClockOptions,
} from './clock.js';
export { type FibRoute, type FibTable, parseIp } from './fib.js';
export { bpfFormat, type FormatMemory } from './format.js';
export {
  HErrno, MAX_TAIL_CALL_CNT, BPF_MAX_LOOPS, StoreFlag, CsumFlag, StackFlag, BPF_F_INGRESS, TcAction, FibFlag, FibResult,
  AF_INET, AF_INET6, XDP_FRAME_SIZE, XDP_META_MAX,
} from './constants.js';
export { HelperError, HelperErrorCode, type HelperErrorCodeValue } from './errors.js';
