/**
 * Which pointer types may carry `arg:ctx` (libbpf's `__arg_ctx`), as Linux decides in
 * btf_validate_prog_ctx_type (kernel/bpf/btf.c): `void *` always; a struct pointer
 * only if the struct is named like the program type's own context struct (by name
 * alone, so the kernel's `sk_buff` that an untagged argument may name does not do);
 * a few types take more (any pointer for tracepoints, `u64 *` for raw tracepoints,
 * the `bpf_user_pt_regs_t` typedef for kprobes and perf events). The tagged argument
 * then is the program's context, whatever the pointee.
 */
import { BtfKind, type Btf, type BtfType } from '../btf/index.js';
import { AttachType, ProgramType } from '../elf/index.js';

const P = ProgramType;

/**
 * The context struct each type's programs see (the first type of each entry of the
 * kernel's include/linux/bpf_types.h, typedefs resolved as on x86-64); `null` where
 * that is no struct (`__u32` for lirc_mode2, `void *` for the BTF-attached types), so
 * only `void *` may be tagged. Types not listed are checked against ebee's context
 * model's name.
 */
const CONTEXT_STRUCT: ReadonlyMap<number, string | null> = new Map<number, string | null>([
  [P.SOCKET_FILTER, '__sk_buff'], [P.SCHED_CLS, '__sk_buff'], [P.SCHED_ACT, '__sk_buff'],
  [P.CGROUP_SKB, '__sk_buff'], [P.LWT_IN, '__sk_buff'], [P.LWT_OUT, '__sk_buff'], [P.LWT_XMIT, '__sk_buff'],
  [P.LWT_SEG6LOCAL, '__sk_buff'], [P.SK_SKB, '__sk_buff'], [P.FLOW_DISSECTOR, '__sk_buff'],
  [P.XDP, 'xdp_md'], [P.KPROBE, 'pt_regs'], [P.PERF_EVENT, 'bpf_perf_event_data'],
  [P.RAW_TRACEPOINT, 'bpf_raw_tracepoint_args'], [P.RAW_TRACEPOINT_WRITABLE, 'bpf_raw_tracepoint_args'],
  [P.CGROUP_SOCK, 'bpf_sock'], [P.SOCK_OPS, 'bpf_sock_ops'], [P.CGROUP_DEVICE, 'bpf_cgroup_dev_ctx'],
  [P.SK_MSG, 'sk_msg_md'], [P.CGROUP_SOCK_ADDR, 'bpf_sock_addr'], [P.SK_REUSEPORT, 'sk_reuseport_md'],
  [P.CGROUP_SYSCTL, 'bpf_sysctl'], [P.CGROUP_SOCKOPT, 'bpf_sockopt'], [P.SK_LOOKUP, 'bpf_sk_lookup'],
  [P.NETFILTER, 'bpf_nf_ctx'], [P.LIRC_MODE2, null], [P.TRACING, null], [P.LSM, null], [P.STRUCT_OPS, null],
]);

/** Types whose tagged context may point to anything. */
const ANY_POINTEE = new Set<number>([P.TRACEPOINT, P.SYSCALL, P.EXT]);

function isStruct(t: BtfType, name: string): boolean {
  return t.kind === BtfKind.STRUCT && t.name === name;
}

function isU64(t: BtfType): boolean {
  return t.kind === BtfKind.INT && t.size === 8;
}

/** Pointees a type accepts beyond its context struct (the kernel's special cases). */
function specialCase(t: BtfType, type: number, attach: number | undefined): boolean {
  switch (type) {
    case P.KPROBE: return isStruct(t, 'pt_regs');
    // On x86-64 bpf_user_pt_regs_t is struct pt_regs, so perf events take that too.
    case P.PERF_EVENT: return isStruct(t, 'pt_regs');
    case P.RAW_TRACEPOINT:
    case P.RAW_TRACEPOINT_WRITABLE:
    case P.LSM:
    case P.STRUCT_OPS: return isU64(t);
    case P.TRACING:
      if (attach === AttachType.TRACE_RAW_TP) return isStruct(t, 'bpf_raw_tracepoint_args') || isU64(t);
      if (attach === AttachType.TRACE_ITER) return t.kind === BtfKind.STRUCT && t.name.startsWith('bpf_iter__');
      return (attach === AttachType.TRACE_FENTRY || attach === AttachType.TRACE_FEXIT || attach === AttachType.MODIFY_RETURN) && isU64(t);
    default: return ANY_POINTEE.has(type);
  }
}

/** The program a global function is verified for, as far as its context goes. */
export interface ContextOf {
  /** ebee's context struct for the program; what `arg:ctx` struct pointers must name when `type` is absent or unlisted. */
  readonly name: string;
  /** The program type (`ProgramType`). */
  readonly type?: number;
  /** The expected attach type, which decides for tracing programs. */
  readonly attachType?: number;
}

/** Why pointer `ptr` (argument `index`) may not carry `arg:ctx`, in the kernel's words, or undefined. */
export function ctxTagProblem(btf: Btf, ptr: BtfType & { readonly type: number }, index: number, ctx: ContextOf): string | undefined {
  const type = ctx.type;
  let id = ptr.type;
  if (type === P.KPROBE || type === P.PERF_EVENT) {
    const named = btf.typeById(btf.skipModifiers(id));
    if (named.kind === BtfKind.TYPEDEF && named.name === 'bpf_user_pt_regs_t') return undefined;
  }
  id = btf.resolveId(id);
  if (id === 0) return undefined; // `void *ctx __arg_ctx` is always the context
  const t = btf.typeById(id);
  if (t.name === '') return `arg#${index} type doesn't have a name`;
  if (type !== undefined && specialCase(t, type, ctx.attachType)) return undefined;
  const want = type !== undefined && CONTEXT_STRUCT.has(type) ? CONTEXT_STRUCT.get(type)! : ctx.name;
  if (want === null) return `arg#${index} should be void pointer`;
  return isStruct(t, want) ? undefined : `arg#${index} should be \`struct ${want} *\``;
}
