import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AttachType as A, ProgramType as P, attachTypeName, programTypeForSection, programTypeName } from './index.js';

/** [section, type, expected attach type, attach target] as libbpf 1.x reads them. */
const STRICT: [string, number, number | undefined, string | undefined][] = [
  ['xdp', P.XDP, A.XDP, undefined],
  ['xdp.frags', P.XDP, A.XDP, undefined],
  ['xdp/devmap', P.XDP, A.XDP_DEVMAP, undefined],
  ['xdp.frags/cpumap', P.XDP, A.XDP_CPUMAP, undefined],
  ['tc', P.SCHED_CLS, undefined, undefined],
  ['tc/ingress', P.SCHED_CLS, A.TCX_INGRESS, undefined],
  ['tc/egress', P.SCHED_CLS, A.TCX_EGRESS, undefined],
  ['tcx/ingress', P.SCHED_CLS, A.TCX_INGRESS, undefined],
  ['tcx/egress', P.SCHED_CLS, A.TCX_EGRESS, undefined],
  ['classifier', P.SCHED_CLS, undefined, undefined],
  ['action', P.SCHED_ACT, undefined, undefined],
  ['socket', P.SOCKET_FILTER, undefined, undefined],
  ['sk_skb/stream_parser', P.SK_SKB, A.SK_SKB_STREAM_PARSER, undefined],
  ['sk_skb/stream_verdict', P.SK_SKB, A.SK_SKB_STREAM_VERDICT, undefined],
  ['sk_skb/verdict', P.SK_SKB, A.SK_SKB_VERDICT, undefined],
  ['sk_skb', P.SK_SKB, undefined, undefined],
  ['sk_msg', P.SK_MSG, A.SK_MSG_VERDICT, undefined],
  ['cgroup_skb/ingress', P.CGROUP_SKB, A.CGROUP_INET_INGRESS, undefined],
  ['cgroup_skb/egress', P.CGROUP_SKB, A.CGROUP_INET_EGRESS, undefined],
  ['cgroup/skb', P.CGROUP_SKB, undefined, undefined],
  ['cgroup/sock', P.CGROUP_SOCK, A.CGROUP_INET_SOCK_CREATE, undefined],
  ['cgroup/connect6', P.CGROUP_SOCK_ADDR, A.CGROUP_INET6_CONNECT, undefined],
  ['cgroup/sendmsg_unix', P.CGROUP_SOCK_ADDR, A.CGROUP_UNIX_SENDMSG, undefined],
  ['cgroup/dev', P.CGROUP_DEVICE, A.CGROUP_DEVICE, undefined],
  ['cgroup/sysctl', P.CGROUP_SYSCTL, A.CGROUP_SYSCTL, undefined],
  ['cgroup/getsockopt', P.CGROUP_SOCKOPT, A.CGROUP_GETSOCKOPT, undefined],
  ['kprobe/do_unlinkat', P.KPROBE, undefined, 'do_unlinkat'],
  ['kprobe', P.KPROBE, undefined, undefined],
  ['kretprobe/do_unlinkat', P.KPROBE, undefined, 'do_unlinkat'],
  ['kprobe.multi/vfs_*', P.KPROBE, A.TRACE_KPROBE_MULTI, 'vfs_*'],
  ['uprobe//bin/bash:readline', P.KPROBE, undefined, '/bin/bash:readline'],
  ['uprobe.s', P.KPROBE, undefined, undefined],
  ['tracepoint/syscalls/sys_enter_openat', P.TRACEPOINT, undefined, 'syscalls/sys_enter_openat'],
  ['tp/sched/sched_switch', P.TRACEPOINT, undefined, 'sched/sched_switch'],
  ['raw_tracepoint/sched_switch', P.RAW_TRACEPOINT, undefined, 'sched_switch'],
  ['raw_tp/sched_switch', P.RAW_TRACEPOINT, undefined, 'sched_switch'],
  ['raw_tp.w/bpf_test_finish', P.RAW_TRACEPOINT_WRITABLE, undefined, 'bpf_test_finish'],
  ['tp_btf/sched_switch', P.TRACING, A.TRACE_RAW_TP, 'sched_switch'],
  ['fentry/do_unlinkat', P.TRACING, A.TRACE_FENTRY, 'do_unlinkat'],
  ['fexit/do_unlinkat', P.TRACING, A.TRACE_FEXIT, 'do_unlinkat'],
  ['fmod_ret/security_x', P.TRACING, A.MODIFY_RETURN, 'security_x'],
  ['fentry.s/do_unlinkat', P.TRACING, A.TRACE_FENTRY, 'do_unlinkat'],
  ['freplace/handler', P.EXT, undefined, 'handler'],
  ['lsm/file_open', P.LSM, A.LSM_MAC, 'file_open'],
  ['lsm_cgroup/socket_bind', P.LSM, A.LSM_CGROUP, 'socket_bind'],
  ['iter/task', P.TRACING, A.TRACE_ITER, 'task'],
  ['syscall', P.SYSCALL, undefined, undefined],
  ['struct_ops/tcp_init', P.STRUCT_OPS, undefined, 'tcp_init'],
  ['struct_ops', P.STRUCT_OPS, undefined, undefined],
  ['perf_event', P.PERF_EVENT, undefined, undefined],
  ['flow_dissector', P.FLOW_DISSECTOR, A.FLOW_DISSECTOR, undefined],
  ['sk_lookup', P.SK_LOOKUP, A.SK_LOOKUP, undefined],
  ['sockops', P.SOCK_OPS, A.CGROUP_SOCK_OPS, undefined],
  ['lwt_in', P.LWT_IN, undefined, undefined],
  ['lwt_xmit', P.LWT_XMIT, undefined, undefined],
  ['lwt_seg6local', P.LWT_SEG6LOCAL, undefined, undefined],
  ['netfilter', P.NETFILTER, A.NETFILTER, undefined],
  ['sk_reuseport/migrate', P.SK_REUSEPORT, A.SK_REUSEPORT_SELECT_OR_MIGRATE, undefined],
];

describe('programTypeForSection', () => {
  for (const [name, type, attach, target] of STRICT) {
    it(name, () => {
      const r = programTypeForSection(name);
      assert.ok(r, `${name} matched no rule`);
      assert.equal(r.type, type, programTypeName(r.type));
      assert.equal(r.expectedAttachType, attach, r.expectedAttachType === undefined ? 'none' : attachTypeName(r.expectedAttachType));
      assert.equal(r.attachTarget, target);
      assert.equal(r.autoload, true);
      assert.equal(r.legacy, false);
    });
  }
  it('reads the ? prefix as no autoload', () => {
    const r = programTypeForSection('?kprobe/foo')!;
    assert.deepEqual([r.type, r.autoload, r.attachTarget], [P.KPROBE, false, 'foo']);
  });
  it('sets sleepable and frags from the rule', () => {
    assert.equal(programTypeForSection('lsm.s/bprm_check')!.sleepable, true);
    assert.equal(programTypeForSection('lsm/bprm_check')!.sleepable, false);
    assert.equal(programTypeForSection('syscall')!.sleepable, true);
    assert.equal(programTypeForSection('xdp.frags')!.xdpFrags, true);
    assert.equal(programTypeForSection('xdp')!.xdpFrags, false);
  });
  it('matches exact rules exactly and prefix rules only at a /', () => {
    for (const name of ['xdp_prog', 'xdp/foo', 'socket1', 'tc_ingress', 'kprobe_x', 'sk_skb/other', 'tcx/other', 'classifier/x', 'cgroup/skbx', '']) {
      assert.equal(programTypeForSection(name), undefined, name);
    }
  });
  it('falls back to pre-1.0 plain prefixes only when asked', () => {
    const cases: [string, number][] = [['socket1', P.SOCKET_FILTER], ['xdp_prog', P.XDP], ['classifier_ingress', P.SCHED_CLS],
      ['kprobe__sys_open', P.KPROBE], ['tracepoint__x', P.TRACEPOINT], ['cgroup/skb1', P.CGROUP_SKB], ['sk_skb1', P.SK_SKB]];
    for (const [name, type] of cases) {
      const r = programTypeForSection(name, { legacy: true });
      assert.equal(r?.type, type, name);
      assert.equal(r?.legacy, true);
    }
    assert.equal(programTypeForSection('xdp_devmap/foo', { legacy: true })?.expectedAttachType, A.XDP_DEVMAP);
    assert.equal(programTypeForSection('tp_btf_x', { legacy: true })?.type, P.TRACING);
    assert.equal(programTypeForSection('2/1', { legacy: true }), undefined);
  });
  it('names types and attach types', () => {
    assert.equal(programTypeName(P.SCHED_CLS), 'sched_cls');
    assert.equal(attachTypeName(A.TCX_INGRESS), 'tcx_ingress');
    assert.equal(programTypeName(999), 'unknown(999)');
  });
});
