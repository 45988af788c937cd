/**
 * Which helpers each program type may call: Linux's `get_func_proto` per type, as
 * root (CAP_BPF, CAP_PERFMON, CAP_SYS_ADMIN) sees it on a kernel without lockdown.
 * The groups below follow the kernel's functions one by one (names in each comment);
 * a type's set is its own helpers plus the group its function falls back to.
 * `helpers-kernel.test.ts` checks every type against the running kernel.
 */
import { AttachType, ProgramType } from '../elf/index.js';
import { PROTOTYPES } from '../helpers/index.js';

const byName = new Map<string, number>();
PROTOTYPES.forEach((p, id) => { if (p) byName.set(p.name, id); });

/** Helper ids by name; a name the helper table lacks is a bug in this file. */
function ids(names: readonly string[]): number[] {
  return names.map((n) => {
    const id = byName.get(n);
    if (id === undefined) throw new Error(`progs/helpers: no helper named ${n}`);
    return id;
  });
}

function union(...groups: ReadonlyArray<readonly number[]>): ReadonlySet<number> {
  return new Set(groups.flat());
}

/** bpf_base_func_proto (kernel/bpf/helpers.c): what every type may call. */
const BASE_ANYONE = [
  'map_lookup_elem', 'map_update_elem', 'map_delete_elem', 'map_push_elem', 'map_pop_elem', 'map_peek_elem',
  'map_lookup_percpu_elem', 'get_prandom_u32', 'get_smp_processor_id', 'get_numa_node_id', 'tail_call',
  'ktime_get_ns', 'ktime_get_boot_ns', 'ktime_get_tai_ns', 'ringbuf_output', 'ringbuf_reserve', 'ringbuf_submit',
  'ringbuf_discard', 'ringbuf_query', 'strncmp', 'strtol', 'strtoul', 'get_current_pid_tgid',
  'get_ns_current_pid_tgid', 'get_current_uid_gid',
] as const;
/** bpf_base_func_proto, with CAP_BPF (CONFIG_CGROUPS and CONFIG_CGROUP_NET_CLASSID set). */
const BASE_CAP_BPF = [
  'spin_lock', 'spin_unlock', 'jiffies64', 'per_cpu_ptr', 'this_cpu_ptr', 'timer_init', 'timer_set_callback',
  'timer_start', 'timer_cancel', 'kptr_xchg', 'for_each_map_elem', 'loop', 'user_ringbuf_drain',
  'ringbuf_reserve_dynptr', 'ringbuf_submit_dynptr', 'ringbuf_discard_dynptr', 'dynptr_from_mem', 'dynptr_read',
  'dynptr_write', 'dynptr_data', 'get_current_cgroup_id', 'get_current_ancestor_cgroup_id',
  'current_task_under_cgroup', 'get_cgroup_classid', 'task_storage_get', 'task_storage_delete',
] as const;
/** bpf_base_func_proto, with CAP_PERFMON. */
const BASE_PERFMON = [
  'trace_printk', 'get_current_task', 'get_current_task_btf', 'get_current_comm', 'probe_read_user',
  'probe_read_kernel', 'probe_read_user_str', 'probe_read_kernel_str', 'copy_from_user', 'copy_from_user_task',
  'snprintf_btf', 'snprintf', 'task_pt_regs', 'trace_vprintk', 'perf_event_read_value', 'perf_event_read',
  'send_signal', 'send_signal_thread', 'get_task_stack', 'get_branch_snapshot', 'find_vma',
] as const;
const BASE = ids([...BASE_ANYONE, ...BASE_CAP_BPF, ...BASE_PERFMON]);

/** bpf_sk_base_func_proto (net/core/filter.c): the BTF socket casts and the coarse clock, then the base. */
const SK_BASE = [...BASE, ...ids([
  'skc_to_tcp6_sock', 'skc_to_tcp_sock', 'skc_to_tcp_timewait_sock', 'skc_to_tcp_request_sock', 'skc_to_udp6_sock',
  'skc_to_unix_sock', 'skc_to_mptcp_sock', 'ktime_get_coarse_ns',
])];

/**
 * bpf_tracing_func_proto (kernel/trace/bpf_trace.c): the base plus the legacy probe
 * reads and bpf_probe_write_user (refused where the kernel is locked down).
 */
const TRACING_BASE = [...BASE, ...ids(['probe_read', 'probe_read_str', 'probe_write_user'])];

/** kprobe_prog_func_proto, tp_prog_func_proto and raw_tp_prog_func_proto share these. */
const PROBE = [...TRACING_BASE, ...ids(['perf_event_output', 'get_stackid', 'get_stack', 'get_func_ip', 'get_attach_cookie'])];

/** The socket lookups that XDP, tc, cgroup and sk_skb programs share (bpf_sk_lookup_*). */
const SK_LOOKUP = ['sk_lookup_tcp', 'sk_lookup_udp', 'sk_release', 'skc_lookup_tcp'] as const;
/** The SYN cookie helpers of XDP and tc. */
const SYNCOOKIE = [
  'tcp_check_syncookie', 'tcp_gen_syncookie', 'tcp_raw_gen_syncookie_ipv4', 'tcp_raw_gen_syncookie_ipv6',
  'tcp_raw_check_syncookie_ipv4', 'tcp_raw_check_syncookie_ipv6',
] as const;
/** cgroup_common_func_proto (kernel/bpf/cgroup.c); get/set_retval only where the hook has a return value. */
const CGROUP_COMMON = ['get_local_storage'] as const;
const CGROUP_RETVAL = ['get_retval', 'set_retval'] as const;

/** sk_filter_func_proto. */
const SOCKET_FILTER = [...SK_BASE, ...ids([
  'skb_load_bytes', 'skb_load_bytes_relative', 'get_socket_cookie', 'get_socket_uid', 'perf_event_output', 'get_netns_cookie',
])];

/** tc_cls_act_func_proto. */
const TC = [...SK_BASE, ...ids([
  'skb_store_bytes', 'skb_load_bytes', 'skb_load_bytes_relative', 'skb_pull_data', 'csum_diff', 'csum_update',
  'csum_level', 'l3_csum_replace', 'l4_csum_replace', 'clone_redirect', 'get_cgroup_classid', 'skb_vlan_push',
  'skb_vlan_pop', 'skb_change_proto', 'skb_change_type', 'skb_adjust_room', 'skb_change_tail', 'skb_change_head',
  'skb_get_tunnel_key', 'skb_set_tunnel_key', 'skb_get_tunnel_opt', 'skb_set_tunnel_opt', 'redirect',
  'redirect_neigh', 'redirect_peer', 'get_route_realm', 'get_hash_recalc', 'set_hash_invalid', 'set_hash',
  'perf_event_output', 'get_smp_processor_id', 'skb_under_cgroup', 'get_socket_cookie', 'get_socket_uid',
  'fib_lookup', 'check_mtu', 'sk_fullsock', 'sk_storage_get', 'sk_storage_delete', 'skb_get_xfrm_state',
  'skb_cgroup_classid', 'skb_cgroup_id', 'skb_ancestor_cgroup_id', ...SK_LOOKUP, 'tcp_sock', 'get_listener_sock',
  'skb_ecn_set_ce', ...SYNCOOKIE, 'sk_assign', 'skb_set_tstamp', 'get_netns_cookie',
])];

/** xdp_func_proto. */
const XDP = [...SK_BASE, ...ids([
  'perf_event_output', 'get_smp_processor_id', 'csum_diff', 'xdp_adjust_head', 'xdp_adjust_meta', 'redirect',
  'redirect_map', 'xdp_adjust_tail', 'xdp_get_buff_len', 'xdp_load_bytes', 'xdp_store_bytes', 'fib_lookup',
  'check_mtu', ...SK_LOOKUP, ...SYNCOOKIE,
])];

/** cg_skb_func_proto. */
const CGROUP_SKB = [...SK_BASE, ...ids([
  ...CGROUP_COMMON, 'sk_fullsock', 'sk_storage_get', 'sk_storage_delete', 'perf_event_output', 'skb_cgroup_id',
  'skb_ancestor_cgroup_id', 'sk_cgroup_id', 'sk_ancestor_cgroup_id', ...SK_LOOKUP, 'tcp_sock', 'get_listener_sock',
  'skb_ecn_set_ce', 'skb_load_bytes', 'skb_load_bytes_relative', 'get_socket_cookie', 'get_socket_uid',
  'get_netns_cookie',
])];

/** sock_filter_func_proto (cgroup_sock). */
const CGROUP_SOCK = [...BASE, ...ids([
  ...CGROUP_COMMON, ...CGROUP_RETVAL, 'get_socket_cookie', 'get_netns_cookie', 'perf_event_output', 'sk_storage_get',
  'ktime_get_coarse_ns',
])];

/** sock_addr_func_proto, before the attach-type rules (bind for connect, get/set_retval where it returns). */
const SOCK_ADDR = [...SK_BASE, ...ids([
  ...CGROUP_COMMON, 'get_socket_cookie', 'get_netns_cookie', 'perf_event_output', ...SK_LOOKUP, 'sk_storage_get',
  'sk_storage_delete', 'setsockopt', 'getsockopt',
])];

/** sock_ops_func_proto. */
const SOCK_OPS = [...SK_BASE, ...ids([
  ...CGROUP_COMMON, 'setsockopt', 'getsockopt', 'sock_ops_cb_flags_set', 'sock_map_update', 'sock_hash_update',
  'get_socket_cookie', 'perf_event_output', 'sk_storage_get', 'sk_storage_delete', 'get_netns_cookie', 'tcp_sock',
  'load_hdr_opt', 'store_hdr_opt', 'reserve_hdr_opt',
])];

/** sk_skb_func_proto. */
const SK_SKB = [...SK_BASE, ...ids([
  'skb_store_bytes', 'skb_load_bytes', 'skb_pull_data', 'skb_change_tail', 'skb_change_head', 'skb_adjust_room',
  'get_socket_cookie', 'get_socket_uid', 'sk_redirect_map', 'sk_redirect_hash', 'perf_event_output', ...SK_LOOKUP,
])];

/** sk_msg_func_proto. */
const SK_MSG = [...SK_BASE, ...ids([
  'msg_redirect_map', 'msg_redirect_hash', 'msg_apply_bytes', 'msg_cork_bytes', 'msg_pull_data', 'msg_push_data',
  'msg_pop_data', 'perf_event_output', 'sk_storage_get', 'sk_storage_delete', 'get_netns_cookie',
])];

/** cgroup_dev_func_proto. */
const CGROUP_DEVICE = [...BASE, ...ids([...CGROUP_COMMON, 'perf_event_output'])];

/** sysctl_func_proto. */
const CGROUP_SYSCTL = [...BASE, ...ids([
  ...CGROUP_COMMON, 'perf_event_output', 'sysctl_get_name', 'sysctl_get_current_value',
  'sysctl_get_new_value', 'sysctl_set_new_value', 'ktime_get_coarse_ns',
])];

/** cg_sockopt_func_proto; setsockopt hooks may also call bpf_setsockopt and bpf_getsockopt. */
const CGROUP_SOCKOPT = [...BASE, ...ids([
  ...CGROUP_COMMON, 'perf_event_output', 'sk_storage_get', 'sk_storage_delete', 'get_netns_cookie', 'tcp_sock',
])];

/** lwt_out_func_proto; lwt_in adds encapsulation, lwt_seg6local the SRv6 helpers. */
const LWT_OUT = [...SK_BASE, ...ids([
  'skb_load_bytes', 'skb_pull_data', 'csum_diff', 'get_cgroup_classid', 'get_route_realm', 'get_hash_recalc',
  'perf_event_output', 'get_smp_processor_id', 'skb_under_cgroup',
])];
/** lwt_xmit_func_proto. */
const LWT_XMIT = [...LWT_OUT, ...ids([
  'skb_get_tunnel_key', 'skb_set_tunnel_key', 'skb_get_tunnel_opt', 'skb_set_tunnel_opt', 'redirect',
  'clone_redirect', 'skb_change_tail', 'skb_change_head', 'skb_store_bytes', 'csum_update', 'csum_level',
  'l3_csum_replace', 'l4_csum_replace', 'set_hash_invalid', 'lwt_push_encap',
])];

/** sk_reuseport_func_proto: falls back to the base, not the socket base. */
const SK_REUSEPORT = [...BASE, ...ids([
  'sk_select_reuseport', 'skb_load_bytes', 'skb_load_bytes_relative', 'get_socket_cookie', 'ktime_get_coarse_ns',
])];

/** sk_lookup_func_proto. */
const SK_LOOKUP_TYPE = [...SK_BASE, ...ids(['perf_event_output', 'sk_assign', 'sk_release'])];

/**
 * tracing_prog_func_proto (fentry, fexit, fmod_ret, tp_btf, iter): the tracing base,
 * the skb/xdp outputs and BTF socket casts; trampolines (fentry, fexit, fmod_ret) add
 * the argument helpers, fexit and fmod_ret the return value, iterators the seq_file
 * writers. bpf_d_path is allowed for trampolines although the kernel allows it only
 * for some attach targets: ebee does not know the target.
 */
const TRACING = [...TRACING_BASE, ...ids([
  'perf_event_output', 'get_stackid', 'get_stack', 'get_func_ip', 'get_attach_cookie', 'skb_output', 'xdp_output',
  'xdp_get_buff_len', 'skc_to_tcp6_sock', 'skc_to_tcp_sock', 'skc_to_tcp_timewait_sock', 'skc_to_tcp_request_sock',
  'skc_to_udp6_sock', 'skc_to_unix_sock', 'skc_to_mptcp_sock', 'sock_from_file', 'get_socket_cookie',
  'sk_storage_get', 'sk_storage_delete',
])];
const TRAMPOLINE = ids(['get_func_arg', 'get_func_arg_cnt', 'd_path']);
const FUNC_RET = ids(['get_func_ret']);
const ITER = ids(['seq_printf', 'seq_write', 'seq_printf_btf']);

/** syscall_prog_func_proto (always sleepable): the tracing helpers a syscall program has, and the bpf() ones. */
const SYSCALL = [...TRACING_BASE, ...ids([
  'perf_event_output', 'get_stackid', 'get_stack', 'get_func_ip', 'skb_output', 'xdp_output', 'xdp_get_buff_len',
  'skc_to_tcp6_sock', 'skc_to_tcp_sock', 'skc_to_tcp_timewait_sock', 'skc_to_tcp_request_sock', 'skc_to_udp6_sock',
  'skc_to_unix_sock', 'skc_to_mptcp_sock', 'sock_from_file', 'get_socket_cookie', 'sys_bpf', 'sys_close',
  'btf_find_by_name_kind', 'kallsyms_lookup_name',
])];

const A = AttachType;
/**
 * bpf_get_retval / bpf_set_retval are refused for these expected attach types
 * (cgroup_current_func_proto); a device or sysctl program loaded without one has 0,
 * which is BPF_CGROUP_INET_INGRESS, so it may not call them either.
 */
const RETVAL_REFUSED: ReadonlySet<number> = new Set([A.CGROUP_INET_INGRESS, A.CGROUP_INET_EGRESS, A.CGROUP_SOCK_OPS]);
/** cgroup_sock_addr hooks that report an address rather than decide (no return value to set). */
const SOCK_ADDR_NO_RETVAL: ReadonlySet<number> = new Set([
  A.CGROUP_UDP4_RECVMSG, A.CGROUP_UDP6_RECVMSG, A.CGROUP_UNIX_RECVMSG, A.CGROUP_INET4_GETPEERNAME,
  A.CGROUP_INET6_GETPEERNAME, A.CGROUP_UNIX_GETPEERNAME, A.CGROUP_INET4_GETSOCKNAME, A.CGROUP_INET6_GETSOCKNAME,
  A.CGROUP_UNIX_GETSOCKNAME,
]);

const cache = new Map<string, ReadonlySet<number>>();

/**
 * The helper ids a program of `type` loaded with `expectedAttachType` may call; the
 * empty set for types ebee has no list for.
 */
export function helpersFor(type: number, expectedAttachType = 0): ReadonlySet<number> {
  const key = `${type}/${expectedAttachType}`;
  let set = cache.get(key);
  if (!set) {
    set = compute(type, expectedAttachType);
    cache.set(key, set);
  }
  return set;
}

function compute(type: number, attach: number): ReadonlySet<number> {
  const T = ProgramType;
  switch (type) {
    case T.SOCKET_FILTER: return union(SOCKET_FILTER);
    case T.KPROBE: return union(PROBE, ids(['override_return']));
    case T.TRACEPOINT: case T.RAW_TRACEPOINT: case T.RAW_TRACEPOINT_WRITABLE: return union(PROBE);
    case T.PERF_EVENT: return union(PROBE, ids(['perf_prog_read_value', 'read_branch_records']));
    case T.SCHED_CLS: case T.SCHED_ACT: return union(TC);
    case T.XDP: return union(XDP);
    case T.CGROUP_SKB: return union(CGROUP_SKB);
    case T.CGROUP_SOCK: return union(CGROUP_SOCK);
    case T.SOCK_OPS: return union(SOCK_OPS);
    case T.SK_SKB: return union(SK_SKB);
    case T.SK_MSG: return union(SK_MSG);
    case T.CGROUP_DEVICE: return union(CGROUP_DEVICE, RETVAL_REFUSED.has(attach) ? [] : ids(CGROUP_RETVAL));
    case T.CGROUP_SYSCTL: return union(CGROUP_SYSCTL, RETVAL_REFUSED.has(attach) ? [] : ids(CGROUP_RETVAL));
    case T.CGROUP_SOCKOPT:
      return union(CGROUP_SOCKOPT, attach === A.CGROUP_SETSOCKOPT ? ids(['setsockopt', 'getsockopt']) : [],
        RETVAL_REFUSED.has(attach) ? [] : ids(CGROUP_RETVAL));
    case T.CGROUP_SOCK_ADDR:
      return union(SOCK_ADDR,
        attach === A.CGROUP_INET4_CONNECT || attach === A.CGROUP_INET6_CONNECT ? ids(['bind']) : [],
        SOCK_ADDR_NO_RETVAL.has(attach) ? [] : ids(CGROUP_RETVAL));
    case T.LWT_IN: return union(LWT_OUT, ids(['lwt_push_encap']));
    case T.LWT_OUT: return union(LWT_OUT);
    case T.LWT_XMIT: return union(LWT_XMIT);
    case T.LWT_SEG6LOCAL: return union(LWT_OUT, ids(['lwt_seg6_store_bytes', 'lwt_seg6_adjust_srh', 'lwt_seg6_action']));
    case T.SK_REUSEPORT: return union(SK_REUSEPORT);
    case T.FLOW_DISSECTOR: return union(SK_BASE, ids(['skb_load_bytes']));
    case T.SK_LOOKUP: return union(SK_LOOKUP_TYPE);
    case T.SYSCALL: return union(SYSCALL);
    case T.TRACING: {
      const trampoline = attach === A.TRACE_FENTRY || attach === A.TRACE_FEXIT || attach === A.MODIFY_RETURN;
      const ret = attach === A.TRACE_FEXIT || attach === A.MODIFY_RETURN;
      return union(TRACING, trampoline ? TRAMPOLINE : [], ret ? FUNC_RET : [], attach === A.TRACE_ITER ? ITER : []);
    }
    default: return new Set();
  }
}
