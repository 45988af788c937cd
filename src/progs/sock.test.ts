/**
 * The socket, perf_event and tracing contexts: offsets against linux/bpf.h compiled by
 * cc, access rules and return ranges per attach type, helper lists, the plain harness.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AddressSpace } from '../vm/index.js';
import { AttachType as A, ProgramType } from '../elf/index.js';
import { PROTOTYPES } from '../helpers/index.js';
import type { ContextLayout } from '../verifier/context.js';
import { assertMatchesC, cMembers, probeLayouts } from './c-layout.test.fixture.js';
import {
  BpfPerfEventData, CGROUP_SKB, CGROUP_SOCK, CGROUP_SOCK_ADDR, PERF_EVENT, PROGRAM_TYPES, SOCK_OPS, TRACING, XDP,
  SOCKET_FILTER, helpersFor, programTypeFor, programTypeForSectionName, type ProgramTypeInfo,
} from './index.js';

const env = { deviceExists: () => true, rxQueues: () => 1, arch: 'x86_64' as const };
const helper = (name: string): number => PROTOTYPES.findIndex((p) => p?.name === name);

function fieldOf(layout: ContextLayout, name: string) {
  const f = layout.fields.find((x) => x.name === name);
  assert.ok(f, `no field ${name} in ${layout.name}`);
  return f;
}

/** Struct, layout, and which field names to leave out of the header check (not C members). */
const STRUCTS: ReadonlyArray<readonly [string, ContextLayout, (name: string) => boolean]> = [
  ['bpf_sock_ops', SOCK_OPS.context, () => true],
  ['bpf_sock', CGROUP_SOCK.context, (n) => !n.includes(':')],
  ['bpf_sock_addr', CGROUP_SOCK_ADDR.context, () => true],
  // The registers are checked as one block: the uapi pt_regs spells them differently.
  ['bpf_perf_event_data', PERF_EVENT.context, (n) => !n.startsWith('regs.')],
];

test('bpf_sock_ops, bpf_sock, bpf_sock_addr and bpf_perf_event_data match the system header', (t) => {
  const members = STRUCTS.map(([s, layout, keep]) => [s, cMembers(layout, keep)] as const);
  const probe = probeLayouts(members, {
    headers: ['linux/bpf.h', 'linux/bpf_perf_event.h'],
    values: { regsOffset: 'offsetof(struct bpf_perf_event_data, regs)', regsSize: 'sizeof(bpf_user_pt_regs_t)' },
  });
  if (!probe) return t.skip('no C compiler with linux/bpf.h');
  let checked = 0;
  for (const [s, layout] of STRUCTS) checked += assertMatchesC(probe, s, layout);
  assert.equal(probe.values.get('regsOffset'), BpfPerfEventData.regs);
  assert.equal(probe.values.get('regsSize'), BpfPerfEventData.sample_period, 'the registers fill the struct up to sample_period');
  assert.ok(checked > 60, `${checked} members checked`);
});

test('sock_ops: whole u32 reads, reply words and sk_txhash writable, pointers at 184..200', () => {
  const l = SOCK_OPS.context;
  assert.equal(fieldOf(l, 'remote_port').offset, 64);
  assert.equal(fieldOf(l, 'remote_port').narrowReads, false);
  assert.equal(fieldOf(l, 'args[0]').writable, true);
  assert.equal(fieldOf(l, 'sk_txhash').writable, true);
  assert.equal(fieldOf(l, 'op').writable, false);
  assert.equal(fieldOf(l, 'sk').pointer, 'socket_or_null');
  assert.equal(fieldOf(l, 'skb_data').pointer, 'packet');
  assert.equal(fieldOf(l, 'skb_data_end').pointer, 'packet_end');
  assert.deepEqual(SOCK_OPS.returnRange, [0, 1]);
});

test('cgroup_sock_addr: the address fields and return range follow the attach type', () => {
  const connect4 = programTypeForSectionName('cgroup/connect4');
  const connect6 = programTypeForSectionName('cgroup/connect6');
  assert.equal(fieldOf(connect4.context, 'user_ip4').readable, true);
  assert.equal(fieldOf(connect4.context, 'user_ip4').writable, true);
  assert.equal(fieldOf(connect4.context, 'user_ip6[0]').readable, false);
  assert.equal(fieldOf(connect6.context, 'user_ip4').readable, false);
  assert.equal(fieldOf(connect6.context, 'user_ip6[3]').readable, true);
  assert.equal(fieldOf(connect4.context, 'msg_src_ip4').readable, false);
  assert.equal(fieldOf(programTypeForSectionName('cgroup/sendmsg4').context, 'msg_src_ip4').readable, true);
  assert.deepEqual(connect4.returnRange, [0, 1]);
  assert.deepEqual(programTypeForSectionName('cgroup/bind4').returnRange, [0, 3]);
  assert.deepEqual(programTypeForSectionName('cgroup/recvmsg6').returnRange, [1, 1]);
  assert.deepEqual(programTypeForSectionName('cgroup/getpeername4').returnRange, [1, 1]);
  // bpf_bind only from connect hooks; get/set_retval not where the hook only reports an address.
  assert.ok(connect4.helpers.has(helper('bind')));
  assert.ok(!programTypeForSectionName('cgroup/bind4').helpers.has(helper('bind')));
  assert.ok(!programTypeForSectionName('cgroup/recvmsg4').helpers.has(helper('set_retval')));
  assert.ok(programTypeForSectionName('cgroup/sendmsg4').helpers.has(helper('set_retval')));
});

test('cgroup_sock: settable fields at create/release, the source address at post_bind only', () => {
  const create = programTypeFor(ProgramType.CGROUP_SOCK, A.CGROUP_INET_SOCK_CREATE);
  const post4 = programTypeForSectionName('cgroup/post_bind4');
  assert.equal(fieldOf(create.context, 'mark').writable, true);
  assert.equal(fieldOf(create.context, 'src_ip4').readable, false);
  assert.equal(fieldOf(post4.context, 'mark').readable, false);
  assert.equal(fieldOf(post4.context, 'src_ip4').readable, true);
  assert.equal(fieldOf(post4.context, 'src_ip4').writable, false);
  assert.equal(fieldOf(post4.context, 'src_ip6[0]').readable, false);
  assert.equal(fieldOf(post4.context, 'family').narrowReads, true);
});

test('perf_event: registers as whole u64, sample_period at 168; tracing: 12 read-only u64 slots', () => {
  assert.equal(fieldOf(PERF_EVENT.context, 'regs.ip').offset, 128);
  assert.equal(fieldOf(PERF_EVENT.context, 'regs.ip').narrowReads, false);
  assert.equal(fieldOf(PERF_EVENT.context, 'sample_period').offset, 168);
  assert.ok(PERF_EVENT.context.fields.every((f) => !f.writable));
  assert.equal(TRACING.context.fields.length, 12);
  assert.ok(TRACING.context.fields.every((f) => f.size === 8 && !f.writable && !f.narrowReads && f.readable));
  const fexit = programTypeForSectionName('fexit/tcp_close');
  const fentry = programTypeForSectionName('fentry/tcp_close');
  assert.deepEqual(fentry.returnRange, [0, 0]);
  assert.ok(fexit.helpers.has(helper('get_func_ret')));
  assert.ok(!fentry.helpers.has(helper('get_func_ret')));
  assert.ok(fentry.helpers.has(helper('get_func_arg')));
  assert.equal(programTypeForSectionName('tp_btf/sched_switch').returnRange, undefined);
  assert.ok(!programTypeForSectionName('tp_btf/sched_switch').helpers.has(helper('get_func_arg')));
});

test('helper lists: each type its own (wronghelper.o: XDP may not update a sockmap)', () => {
  assert.ok(!XDP.helpers.has(helper('sock_map_update')));
  assert.ok(SOCK_OPS.helpers.has(helper('sock_map_update')));
  assert.ok(!SOCKET_FILTER.helpers.has(helper('skb_store_bytes')));
  assert.ok(SOCKET_FILTER.helpers.has(helper('skb_load_bytes')));
  assert.ok(XDP.helpers.has(helper('map_lookup_elem')));
  assert.ok(!CGROUP_SKB.helpers.has(helper('redirect')));
  assert.deepEqual(programTypeFor(ProgramType.CGROUP_SKB, A.CGROUP_INET_EGRESS).returnRange, [0, 3]);
  assert.deepEqual(programTypeFor(ProgramType.CGROUP_SKB, A.CGROUP_INET_INGRESS).returnRange, [0, 1]);
  for (const t of PROGRAM_TYPES) assert.ok(t.helpers.size > 50, `${t.name}: ${t.helpers.size} helpers`);
  assert.equal(helpersFor(ProgramType.EXT).size, 0, 'a type without a list allows nothing');
});

test('the plain harness: ctx_in by name or bytes, zero elsewhere, no packet', () => {
  const space = new AddressSpace();
  const types: ProgramTypeInfo[] = [SOCK_OPS, PERF_EVENT, CGROUP_SOCK, CGROUP_SOCK_ADDR, TRACING];
  for (const t of types) assert.equal(t.linuxTestRun, false, t.name);
  const run = SOCK_OPS.setup(space, { ctx: { op: 4, 'args[1]': 7 } }, env);
  assert.equal(space.view.getUint32(run.ctx, true), 4);
  assert.equal(space.view.getUint32(run.ctx + 8, true), 7);
  assert.equal(space.view.getUint32(run.ctx + 64, true), 0);
  space.view.setUint32(run.ctx + 4, 99, true);
  assert.equal(new DataView(run.finish().ctx!.buffer).getUint32(4, true), 99, 'sock_ops writes come back');
  run.release();
  assert.throws(() => PERF_EVENT.setup(space, { data: new Uint8Array(14) }, env), /no packet data/);
  const tr = TRACING.setup(space, { ctx: { args: [1, 2] } }, env);
  assert.equal(space.view.getBigUint64(tr.ctx + 8, true), 2n);
  assert.equal(tr.finish().ctx, undefined);
  tr.release();
});
