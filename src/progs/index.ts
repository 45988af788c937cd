/**
 * `progs/`: program types as Linux defines them: per type its number and names, its
 * context struct as the verifier checks accesses to it (`ContextLayout`), its return
 * codes, and the harness that BPF_PROG_TEST_RUN uses for it (packet buffers with
 * Linux's headroom, which `ctx_in` fields may be set, what comes back). The runtime
 * runs programs with these; the verifier reads the layouts.
 */
export { ProgError, ProgErrorCode, type ProgErrorCodeValue, type ProgErrorOptions } from './errors.js';
export {
  type ProgramTypeInfo, type TestRunInput, type HarnessEnv, type RunSetup, type PtRegsArch, returnName,
} from './types.js';
export { encodeNamed, decodeNamed, type FieldValue, type NamedContext } from './layout.js';
export {
  XDP, XdpReturnCode, XdpMd, XDP_MD_LAYOUT, XDP_PACKET_HEADROOM, contextBytes,
} from './xdp.js';
export { SkBuff, skbLayout, FLOW_KEYS_SIZE, type SkbFlavor } from './skb-layout.js';
export {
  SOCKET_FILTER, SCHED_CLS, SCHED_ACT, CGROUP_SKB, LWT_IN, LWT_OUT, LWT_XMIT, LWT_SEG6LOCAL, TcReturnCode,
  CgroupSkbReturnCode, LwtReturnCode, PacketType, SKB_HEADROOM,
} from './skb.js';
export {
  KPROBE, TRACEPOINT, RAW_TRACEPOINT, SYSCALL, PT_REGS_LAYOUTS, PT_REGS_ALIASES, tracepointLayout,
  TRACE_COMMON_HEADER, PERF_MAX_TRACE_SIZE, MAX_RAW_TP_ARGS, MAX_SYSCALL_CTX,
} from './tracing.js';
export { SOCK_OPS, CGROUP_SOCK, CGROUP_SOCK_ADDR, BpfSockOps, BpfSock, BpfSockAddr, CgroupReturnCode } from './sock.js';
export { PERF_EVENT, TRACING, BpfPerfEventData, TRACING_ARGS_LAYOUT } from './perf-tracing.js';
export { SK_SKB, SK_MSG, SkAction, SkMsgMd } from './sockmap.js';
export { CGROUP_DEVICE, CGROUP_SYSCTL, CGROUP_SOCKOPT, BpfCgroupDevCtx, BpfSysctl, BpfSockopt } from './cgroup.js';
export {
  FLOW_DISSECTOR, BpfFlowKeys, BPF_FLOW_KEYS_LAYOUT, FlowDissectorReturnCode,
} from './flow-dissector.js';
export { PROGRAM_TYPES, PROGRAM_TYPE_NAMES, programType, programTypeFor, programTypeForSectionName } from './registry.js';
export { helpersFor } from './helpers.js';
