/**
 * Program types, attach types and libbpf's section-name rules: how `SEC("...")` in a
 * BPF C file decides what kind of program a function is.
 *
 * Numbers are Linux's (`enum bpf_prog_type`, `enum bpf_attach_type` in
 * include/uapi/linux/bpf.h, 6.x). The rules follow libbpf 1.x: a rule is either an
 * exact name (`xdp`, `tc`, `cgroup/connect4`), a name that may stand alone or be
 * followed by `/target` (`kprobe`, `kprobe/do_unlinkat`, but not `kprobe_foo`), or a
 * prefix that needs the `/` (`sk_skb/` forms). A leading `?` turns autoload off.
 * libbpf before 1.0 matched most names as plain prefixes (`socket1`, `xdp_prog`,
 * `classifier_ingress`); old objects rely on that, so `{ legacy: true }` falls back
 * to it when no 1.x rule matches.
 */

/** `enum bpf_prog_type`. */
export const ProgramType = {
  /** BPF_PROG_TYPE_UNSPEC: no type; what section names no rule knows give. */
  UNSPEC: 0,
  /** Socket filter (`SO_ATTACH_BPF`), context `__sk_buff`. */
  SOCKET_FILTER: 1,
  /** kprobe / uprobe / usdt / ksyscall, context `pt_regs`. */
  KPROBE: 2,
  /** tc classifier (cls_bpf, tcx, netkit), context `__sk_buff`. */
  SCHED_CLS: 3,
  /** tc action (act_bpf), context `__sk_buff`. */
  SCHED_ACT: 4,
  /** Tracepoint, context the tracepoint's record. */
  TRACEPOINT: 5,
  /** XDP, context `xdp_md`. */
  XDP: 6,
  /** perf event, context `bpf_perf_event_data`. */
  PERF_EVENT: 7,
  /** cgroup ingress/egress packet filter, context `__sk_buff`. */
  CGROUP_SKB: 8,
  /** cgroup socket create/release/post_bind, context `bpf_sock`. */
  CGROUP_SOCK: 9,
  /** Lightweight tunnel input. */
  LWT_IN: 10,
  /** Lightweight tunnel output. */
  LWT_OUT: 11,
  /** Lightweight tunnel transmit. */
  LWT_XMIT: 12,
  /** TCP socket operations, context `bpf_sock_ops`. */
  SOCK_OPS: 13,
  /** sockmap stream parser / verdict, context `__sk_buff`. */
  SK_SKB: 14,
  /** cgroup device access control, context `bpf_cgroup_dev_ctx`. */
  CGROUP_DEVICE: 15,
  /** sockmap sendmsg verdict, context `sk_msg_md`. */
  SK_MSG: 16,
  /** Raw tracepoint, context the raw arguments. */
  RAW_TRACEPOINT: 17,
  /** cgroup bind/connect/sendmsg/recvmsg/getpeername hooks, context `bpf_sock_addr`. */
  CGROUP_SOCK_ADDR: 18,
  /** Segment routing local action. */
  LWT_SEG6LOCAL: 19,
  /** Infrared remote decoder. */
  LIRC_MODE2: 20,
  /** SO_REUSEPORT socket selection, context `sk_reuseport_md`. */
  SK_REUSEPORT: 21,
  /** Flow dissector, context `__sk_buff`. */
  FLOW_DISSECTOR: 22,
  /** cgroup sysctl access, context `bpf_sysctl`. */
  CGROUP_SYSCTL: 23,
  /** Raw tracepoint that may write its arguments. */
  RAW_TRACEPOINT_WRITABLE: 24,
  /** cgroup get/setsockopt hooks, context `bpf_sockopt`. */
  CGROUP_SOCKOPT: 25,
  /** BTF-typed tracing: fentry, fexit, fmod_ret, tp_btf, iter. */
  TRACING: 26,
  /** Implementation of a kernel struct_ops member. */
  STRUCT_OPS: 27,
  /** freplace: replaces a function of another BPF program. */
  EXT: 28,
  /** BPF LSM hook. */
  LSM: 29,
  /** Socket lookup, context `bpf_sk_lookup`. */
  SK_LOOKUP: 30,
  /** Program run by BPF_PROG_TEST_RUN that may issue bpf() syscalls. */
  SYSCALL: 31,
  /** Netfilter hook, context `bpf_nf_ctx`. */
  NETFILTER: 32,
} as const;
export type ProgramTypeValue = (typeof ProgramType)[keyof typeof ProgramType];

/** `enum bpf_attach_type`: the entries section rules set as expected_attach_type. */
export const AttachType = {
  CGROUP_INET_INGRESS: 0,
  CGROUP_INET_EGRESS: 1,
  CGROUP_INET_SOCK_CREATE: 2,
  CGROUP_SOCK_OPS: 3,
  SK_SKB_STREAM_PARSER: 4,
  SK_SKB_STREAM_VERDICT: 5,
  CGROUP_DEVICE: 6,
  SK_MSG_VERDICT: 7,
  CGROUP_INET4_BIND: 8,
  CGROUP_INET6_BIND: 9,
  CGROUP_INET4_CONNECT: 10,
  CGROUP_INET6_CONNECT: 11,
  CGROUP_INET4_POST_BIND: 12,
  CGROUP_INET6_POST_BIND: 13,
  CGROUP_UDP4_SENDMSG: 14,
  CGROUP_UDP6_SENDMSG: 15,
  LIRC_MODE2: 16,
  FLOW_DISSECTOR: 17,
  CGROUP_SYSCTL: 18,
  CGROUP_UDP4_RECVMSG: 19,
  CGROUP_UDP6_RECVMSG: 20,
  CGROUP_GETSOCKOPT: 21,
  CGROUP_SETSOCKOPT: 22,
  TRACE_RAW_TP: 23,
  TRACE_FENTRY: 24,
  TRACE_FEXIT: 25,
  MODIFY_RETURN: 26,
  LSM_MAC: 27,
  TRACE_ITER: 28,
  CGROUP_INET4_GETPEERNAME: 29,
  CGROUP_INET6_GETPEERNAME: 30,
  CGROUP_INET4_GETSOCKNAME: 31,
  CGROUP_INET6_GETSOCKNAME: 32,
  XDP_DEVMAP: 33,
  CGROUP_INET_SOCK_RELEASE: 34,
  XDP_CPUMAP: 35,
  SK_LOOKUP: 36,
  XDP: 37,
  SK_SKB_VERDICT: 38,
  SK_REUSEPORT_SELECT: 39,
  SK_REUSEPORT_SELECT_OR_MIGRATE: 40,
  PERF_EVENT: 41,
  TRACE_KPROBE_MULTI: 42,
  LSM_CGROUP: 43,
  STRUCT_OPS: 44,
  NETFILTER: 45,
  TCX_INGRESS: 46,
  TCX_EGRESS: 47,
  TRACE_UPROBE_MULTI: 48,
  CGROUP_UNIX_CONNECT: 49,
  CGROUP_UNIX_SENDMSG: 50,
  CGROUP_UNIX_RECVMSG: 51,
  CGROUP_UNIX_GETPEERNAME: 52,
  CGROUP_UNIX_GETSOCKNAME: 53,
  NETKIT_PRIMARY: 54,
  NETKIT_PEER: 55,
  TRACE_KPROBE_SESSION: 56,
  TRACE_UPROBE_SESSION: 57,
} as const;
export type AttachTypeValue = (typeof AttachType)[keyof typeof AttachType];

/** What a section name says about the programs in it. */
export interface SectionProgramType {
  readonly type: ProgramTypeValue;
  /** expected_attach_type given to BPF_PROG_LOAD, when the rule sets one. */
  readonly expectedAttachType?: AttachTypeValue;
  /** False when the name began with `?` (libbpf loads such programs only on request). */
  readonly autoload: boolean;
  /** The part after `rule/`: a kernel function, tracepoint, BTF type or struct_ops name. */
  readonly attachTarget?: string;
  /** Sleepable variants (`fentry.s/`, `lsm.s/`, `uprobe.s`, `syscall`...): BPF_F_SLEEPABLE. */
  readonly sleepable: boolean;
  /** `xdp.frags`: BPF_F_XDP_HAS_FRAGS. */
  readonly xdpFrags: boolean;
  /** The rule that matched, e.g. `kprobe+` or `cgroup/connect4`. */
  readonly rule: string;
  /** True when only the pre-1.0 plain-prefix fallback matched. */
  readonly legacy: boolean;
}

/**
 * How a rule matches. `exact`: the whole name. `optional`: the name alone or followed
 * by `/` and a target (libbpf writes these with a trailing `+`). `slash`: the name
 * must be followed by `/` (libbpf writes these with the trailing `/`).
 */
type Match = 'exact' | 'optional' | 'slash';

interface Rule {
  readonly name: string;
  readonly match: Match;
  readonly type: ProgramTypeValue;
  readonly attach?: AttachTypeValue;
  readonly sleepable?: boolean;
  readonly frags?: boolean;
  /** Pre-1.0 libbpf matched this rule as a plain prefix. */
  readonly sloppy?: boolean;
}

const P = ProgramType;
const A = AttachType;

/*
 * Order matters only among rules that can match the same name; libbpf takes the
 * first. Longer, more specific names come before their prefixes so the legacy
 * plain-prefix fallback also picks the most specific one.
 */
const RULES: readonly Rule[] = [
  { name: 'socket', match: 'exact', type: P.SOCKET_FILTER, sloppy: true },
  { name: 'sk_reuseport/migrate', match: 'exact', type: P.SK_REUSEPORT, attach: A.SK_REUSEPORT_SELECT_OR_MIGRATE, sloppy: true },
  { name: 'sk_reuseport', match: 'exact', type: P.SK_REUSEPORT, attach: A.SK_REUSEPORT_SELECT, sloppy: true },
  { name: 'kprobe.multi', match: 'optional', type: P.KPROBE, attach: A.TRACE_KPROBE_MULTI },
  { name: 'kretprobe.multi', match: 'optional', type: P.KPROBE, attach: A.TRACE_KPROBE_MULTI },
  { name: 'kprobe.session', match: 'optional', type: P.KPROBE, attach: A.TRACE_KPROBE_SESSION },
  { name: 'uprobe.multi.s', match: 'optional', type: P.KPROBE, attach: A.TRACE_UPROBE_MULTI, sleepable: true },
  { name: 'uretprobe.multi.s', match: 'optional', type: P.KPROBE, attach: A.TRACE_UPROBE_MULTI, sleepable: true },
  { name: 'uprobe.multi', match: 'optional', type: P.KPROBE, attach: A.TRACE_UPROBE_MULTI },
  { name: 'uretprobe.multi', match: 'optional', type: P.KPROBE, attach: A.TRACE_UPROBE_MULTI },
  { name: 'uprobe.session.s', match: 'optional', type: P.KPROBE, attach: A.TRACE_UPROBE_SESSION, sleepable: true },
  { name: 'uprobe.session', match: 'optional', type: P.KPROBE, attach: A.TRACE_UPROBE_SESSION },
  { name: 'uprobe.s', match: 'optional', type: P.KPROBE, sleepable: true },
  { name: 'uretprobe.s', match: 'optional', type: P.KPROBE, sleepable: true },
  { name: 'kprobe', match: 'optional', type: P.KPROBE, sloppy: true },
  { name: 'uprobe', match: 'optional', type: P.KPROBE, sloppy: true },
  { name: 'kretprobe', match: 'optional', type: P.KPROBE, sloppy: true },
  { name: 'uretprobe', match: 'optional', type: P.KPROBE, sloppy: true },
  { name: 'ksyscall', match: 'optional', type: P.KPROBE },
  { name: 'kretsyscall', match: 'optional', type: P.KPROBE },
  { name: 'usdt.s', match: 'optional', type: P.KPROBE, sleepable: true },
  { name: 'usdt', match: 'optional', type: P.KPROBE },
  { name: 'tc/ingress', match: 'exact', type: P.SCHED_CLS, attach: A.TCX_INGRESS },
  { name: 'tc/egress', match: 'exact', type: P.SCHED_CLS, attach: A.TCX_EGRESS },
  { name: 'tcx/ingress', match: 'exact', type: P.SCHED_CLS, attach: A.TCX_INGRESS },
  { name: 'tcx/egress', match: 'exact', type: P.SCHED_CLS, attach: A.TCX_EGRESS },
  { name: 'tc', match: 'exact', type: P.SCHED_CLS, sloppy: true },
  { name: 'classifier', match: 'exact', type: P.SCHED_CLS, sloppy: true },
  { name: 'action', match: 'exact', type: P.SCHED_ACT, sloppy: true },
  { name: 'netkit/primary', match: 'exact', type: P.SCHED_CLS, attach: A.NETKIT_PRIMARY },
  { name: 'netkit/peer', match: 'exact', type: P.SCHED_CLS, attach: A.NETKIT_PEER },
  { name: 'tracepoint', match: 'optional', type: P.TRACEPOINT, sloppy: true },
  { name: 'tp_btf', match: 'optional', type: P.TRACING, attach: A.TRACE_RAW_TP, sloppy: true },
  { name: 'tp', match: 'optional', type: P.TRACEPOINT, sloppy: true },
  { name: 'raw_tracepoint.w', match: 'optional', type: P.RAW_TRACEPOINT_WRITABLE, sloppy: true },
  { name: 'raw_tp.w', match: 'optional', type: P.RAW_TRACEPOINT_WRITABLE, sloppy: true },
  { name: 'raw_tracepoint', match: 'optional', type: P.RAW_TRACEPOINT, sloppy: true },
  { name: 'raw_tp', match: 'optional', type: P.RAW_TRACEPOINT, sloppy: true },
  { name: 'fentry.s', match: 'optional', type: P.TRACING, attach: A.TRACE_FENTRY, sleepable: true },
  { name: 'fmod_ret.s', match: 'optional', type: P.TRACING, attach: A.MODIFY_RETURN, sleepable: true },
  { name: 'fexit.s', match: 'optional', type: P.TRACING, attach: A.TRACE_FEXIT, sleepable: true },
  { name: 'fentry', match: 'optional', type: P.TRACING, attach: A.TRACE_FENTRY, sloppy: true },
  { name: 'fmod_ret', match: 'optional', type: P.TRACING, attach: A.MODIFY_RETURN, sloppy: true },
  { name: 'fexit', match: 'optional', type: P.TRACING, attach: A.TRACE_FEXIT, sloppy: true },
  { name: 'freplace', match: 'optional', type: P.EXT, sloppy: true },
  { name: 'lsm.s', match: 'optional', type: P.LSM, attach: A.LSM_MAC, sleepable: true },
  { name: 'lsm_cgroup', match: 'optional', type: P.LSM, attach: A.LSM_CGROUP },
  { name: 'lsm', match: 'optional', type: P.LSM, attach: A.LSM_MAC, sloppy: true },
  { name: 'iter.s', match: 'optional', type: P.TRACING, attach: A.TRACE_ITER, sleepable: true },
  { name: 'iter', match: 'optional', type: P.TRACING, attach: A.TRACE_ITER, sloppy: true },
  { name: 'syscall', match: 'exact', type: P.SYSCALL, sleepable: true },
  { name: 'xdp.frags/devmap', match: 'exact', type: P.XDP, attach: A.XDP_DEVMAP, frags: true },
  { name: 'xdp/devmap', match: 'exact', type: P.XDP, attach: A.XDP_DEVMAP },
  { name: 'xdp_devmap', match: 'slash', type: P.XDP, attach: A.XDP_DEVMAP, sloppy: true },
  { name: 'xdp.frags/cpumap', match: 'exact', type: P.XDP, attach: A.XDP_CPUMAP, frags: true },
  { name: 'xdp/cpumap', match: 'exact', type: P.XDP, attach: A.XDP_CPUMAP },
  { name: 'xdp_cpumap', match: 'slash', type: P.XDP, attach: A.XDP_CPUMAP, sloppy: true },
  { name: 'xdp.frags', match: 'exact', type: P.XDP, attach: A.XDP, frags: true },
  { name: 'xdp', match: 'exact', type: P.XDP, attach: A.XDP, sloppy: true },
  { name: 'perf_event', match: 'exact', type: P.PERF_EVENT, sloppy: true },
  { name: 'lwt_in', match: 'exact', type: P.LWT_IN, sloppy: true },
  { name: 'lwt_out', match: 'exact', type: P.LWT_OUT, sloppy: true },
  { name: 'lwt_xmit', match: 'exact', type: P.LWT_XMIT, sloppy: true },
  { name: 'lwt_seg6local', match: 'exact', type: P.LWT_SEG6LOCAL, sloppy: true },
  { name: 'sockops', match: 'exact', type: P.SOCK_OPS, attach: A.CGROUP_SOCK_OPS, sloppy: true },
  { name: 'sk_skb/stream_parser', match: 'exact', type: P.SK_SKB, attach: A.SK_SKB_STREAM_PARSER, sloppy: true },
  { name: 'sk_skb/stream_verdict', match: 'exact', type: P.SK_SKB, attach: A.SK_SKB_STREAM_VERDICT, sloppy: true },
  { name: 'sk_skb/verdict', match: 'exact', type: P.SK_SKB, attach: A.SK_SKB_VERDICT, sloppy: true },
  { name: 'sk_skb', match: 'exact', type: P.SK_SKB, sloppy: true },
  { name: 'sk_msg', match: 'exact', type: P.SK_MSG, attach: A.SK_MSG_VERDICT, sloppy: true },
  { name: 'lirc_mode2', match: 'exact', type: P.LIRC_MODE2, attach: A.LIRC_MODE2, sloppy: true },
  { name: 'flow_dissector', match: 'exact', type: P.FLOW_DISSECTOR, attach: A.FLOW_DISSECTOR, sloppy: true },
  { name: 'cgroup_skb/ingress', match: 'exact', type: P.CGROUP_SKB, attach: A.CGROUP_INET_INGRESS, sloppy: true },
  { name: 'cgroup_skb/egress', match: 'exact', type: P.CGROUP_SKB, attach: A.CGROUP_INET_EGRESS, sloppy: true },
  { name: 'cgroup/skb', match: 'exact', type: P.CGROUP_SKB, sloppy: true },
  { name: 'cgroup/sock_create', match: 'exact', type: P.CGROUP_SOCK, attach: A.CGROUP_INET_SOCK_CREATE, sloppy: true },
  { name: 'cgroup/sock_release', match: 'exact', type: P.CGROUP_SOCK, attach: A.CGROUP_INET_SOCK_RELEASE, sloppy: true },
  { name: 'cgroup/sock', match: 'exact', type: P.CGROUP_SOCK, attach: A.CGROUP_INET_SOCK_CREATE, sloppy: true },
  { name: 'cgroup/post_bind4', match: 'exact', type: P.CGROUP_SOCK, attach: A.CGROUP_INET4_POST_BIND, sloppy: true },
  { name: 'cgroup/post_bind6', match: 'exact', type: P.CGROUP_SOCK, attach: A.CGROUP_INET6_POST_BIND, sloppy: true },
  { name: 'cgroup/bind4', match: 'exact', type: P.CGROUP_SOCK_ADDR, attach: A.CGROUP_INET4_BIND, sloppy: true },
  { name: 'cgroup/bind6', match: 'exact', type: P.CGROUP_SOCK_ADDR, attach: A.CGROUP_INET6_BIND, sloppy: true },
  { name: 'cgroup/connect4', match: 'exact', type: P.CGROUP_SOCK_ADDR, attach: A.CGROUP_INET4_CONNECT, sloppy: true },
  { name: 'cgroup/connect6', match: 'exact', type: P.CGROUP_SOCK_ADDR, attach: A.CGROUP_INET6_CONNECT, sloppy: true },
  { name: 'cgroup/connect_unix', match: 'exact', type: P.CGROUP_SOCK_ADDR, attach: A.CGROUP_UNIX_CONNECT },
  { name: 'cgroup/sendmsg4', match: 'exact', type: P.CGROUP_SOCK_ADDR, attach: A.CGROUP_UDP4_SENDMSG, sloppy: true },
  { name: 'cgroup/sendmsg6', match: 'exact', type: P.CGROUP_SOCK_ADDR, attach: A.CGROUP_UDP6_SENDMSG, sloppy: true },
  { name: 'cgroup/sendmsg_unix', match: 'exact', type: P.CGROUP_SOCK_ADDR, attach: A.CGROUP_UNIX_SENDMSG },
  { name: 'cgroup/recvmsg4', match: 'exact', type: P.CGROUP_SOCK_ADDR, attach: A.CGROUP_UDP4_RECVMSG, sloppy: true },
  { name: 'cgroup/recvmsg6', match: 'exact', type: P.CGROUP_SOCK_ADDR, attach: A.CGROUP_UDP6_RECVMSG, sloppy: true },
  { name: 'cgroup/recvmsg_unix', match: 'exact', type: P.CGROUP_SOCK_ADDR, attach: A.CGROUP_UNIX_RECVMSG },
  { name: 'cgroup/getpeername4', match: 'exact', type: P.CGROUP_SOCK_ADDR, attach: A.CGROUP_INET4_GETPEERNAME, sloppy: true },
  { name: 'cgroup/getpeername6', match: 'exact', type: P.CGROUP_SOCK_ADDR, attach: A.CGROUP_INET6_GETPEERNAME, sloppy: true },
  { name: 'cgroup/getpeername_unix', match: 'exact', type: P.CGROUP_SOCK_ADDR, attach: A.CGROUP_UNIX_GETPEERNAME },
  { name: 'cgroup/getsockname4', match: 'exact', type: P.CGROUP_SOCK_ADDR, attach: A.CGROUP_INET4_GETSOCKNAME, sloppy: true },
  { name: 'cgroup/getsockname6', match: 'exact', type: P.CGROUP_SOCK_ADDR, attach: A.CGROUP_INET6_GETSOCKNAME, sloppy: true },
  { name: 'cgroup/getsockname_unix', match: 'exact', type: P.CGROUP_SOCK_ADDR, attach: A.CGROUP_UNIX_GETSOCKNAME },
  { name: 'cgroup/sysctl', match: 'exact', type: P.CGROUP_SYSCTL, attach: A.CGROUP_SYSCTL, sloppy: true },
  { name: 'cgroup/getsockopt', match: 'exact', type: P.CGROUP_SOCKOPT, attach: A.CGROUP_GETSOCKOPT, sloppy: true },
  { name: 'cgroup/setsockopt', match: 'exact', type: P.CGROUP_SOCKOPT, attach: A.CGROUP_SETSOCKOPT, sloppy: true },
  { name: 'cgroup/dev', match: 'exact', type: P.CGROUP_DEVICE, attach: A.CGROUP_DEVICE, sloppy: true },
  { name: 'struct_ops.s', match: 'optional', type: P.STRUCT_OPS, sleepable: true },
  { name: 'struct_ops', match: 'optional', type: P.STRUCT_OPS, sloppy: true },
  { name: 'sk_lookup', match: 'exact', type: P.SK_LOOKUP, attach: A.SK_LOOKUP, sloppy: true },
  { name: 'netfilter', match: 'exact', type: P.NETFILTER, attach: A.NETFILTER },
];

function ruleText(rule: Rule): string {
  return rule.match === 'optional' ? rule.name + '+' : rule.match === 'slash' ? rule.name + '/' : rule.name;
}

/** The target after `rule/`, or undefined when the name is the rule alone. */
function strictMatch(rule: Rule, name: string): { target: string | undefined } | undefined {
  if (rule.match === 'exact') return name === rule.name ? { target: undefined } : undefined;
  if (!name.startsWith(rule.name)) return undefined;
  const rest = name.slice(rule.name.length);
  if (rest === '') return rule.match === 'optional' ? { target: undefined } : undefined;
  if (!rest.startsWith('/')) return undefined;
  return { target: rest.slice(1) };
}

function result(rule: Rule, target: string | undefined, autoload: boolean, legacy: boolean): SectionProgramType {
  return {
    type: rule.type,
    ...(rule.attach !== undefined ? { expectedAttachType: rule.attach } : {}),
    autoload,
    ...(target !== undefined && target !== '' ? { attachTarget: target } : {}),
    sleepable: rule.sleepable === true,
    xdpFrags: rule.frags === true,
    rule: ruleText(rule),
    legacy,
  };
}

export interface SectionRuleOptions {
  /**
   * Fall back to pre-1.0 libbpf's plain-prefix matching (`socket1`, `xdp_prog`,
   * `kprobe/...` without the rules' separators) when no 1.x rule matches.
   */
  readonly legacy?: boolean;
}

/**
 * The program type libbpf gives a section name, or undefined when no rule matches
 * (libbpf then refuses to load the program unless told its type).
 */
export function programTypeForSection(section: string, options: SectionRuleOptions = {}): SectionProgramType | undefined {
  const autoload = !section.startsWith('?');
  const name = autoload ? section : section.slice(1);
  for (const rule of RULES) {
    const m = strictMatch(rule, name);
    if (m) return result(rule, m.target, autoload, false);
  }
  if (!options.legacy) return undefined;
  for (const rule of RULES) {
    if (rule.sloppy && name.startsWith(rule.name)) {
      const rest = name.slice(rule.name.length);
      return result(rule, rest.startsWith('/') ? rest.slice(1) : undefined, autoload, true);
    }
  }
  return undefined;
}

/** Linux's name of a program type (`xdp`, `sched_cls`...), as bpftool prints it. */
export function programTypeName(type: number): string {
  for (const [k, v] of Object.entries(ProgramType)) if (v === type) return k.toLowerCase();
  return `unknown(${type})`;
}

/** Linux's name of an attach type, lower case without `BPF_`. */
export function attachTypeName(type: number): string {
  for (const [k, v] of Object.entries(AttachType)) if (v === type) return k.toLowerCase();
  return `unknown(${type})`;
}
