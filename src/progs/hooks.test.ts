/**
 * sk_skb, sk_msg, lwt, cgroup_device, cgroup_sysctl, cgroup_sockopt and
 * flow_dissector without the kernel: struct offsets against linux/bpf.h compiled by
 * cc, the access rules per attach type, return ranges, and the harnesses (the flow
 * dissector's keys in and out, the plain harness for the types Linux cannot run).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AddressSpace } from '../vm/index.js';
import { AttachType as A, ProgramType as T } from '../elf/index.js';
import type { ContextLayout } from '../verifier/context.js';
import { assertMatchesC, cMembers, probeLayouts } from './c-layout.test.fixture.js';
import {
  BPF_FLOW_KEYS_LAYOUT, BpfFlowKeys, CGROUP_DEVICE, CGROUP_SOCKOPT, CGROUP_SYSCTL, FLOW_DISSECTOR, LWT_IN, LWT_SEG6LOCAL,
  LWT_XMIT, ProgError, ProgErrorCode, SK_MSG, SK_SKB, SkBuff, programTypeFor, programTypeForSectionName,
} from './index.js';

const env = { deviceExists: () => true, rxQueues: () => 1, arch: 'x86_64' as const };

function fieldOf(layout: ContextLayout, name: string) {
  const f = layout.fields.find((x) => x.name === name);
  assert.ok(f, `no field ${name} in ${layout.name}`);
  return f;
}

/** Each struct with the layout describing it; names with ':' are other views of a member, not C members. */
const STRUCTS: ReadonlyArray<readonly [string, ContextLayout]> = [
  ['sk_msg_md', SK_MSG.context],
  ['bpf_cgroup_dev_ctx', CGROUP_DEVICE.context],
  ['bpf_sysctl', CGROUP_SYSCTL.context],
  ['bpf_sockopt', programTypeFor(T.CGROUP_SOCKOPT, A.CGROUP_GETSOCKOPT).context],
  ['bpf_flow_keys', BPF_FLOW_KEYS_LAYOUT],
];

test('sk_msg_md, bpf_cgroup_dev_ctx, bpf_sysctl, bpf_sockopt and bpf_flow_keys match the system header', (t) => {
  const members = STRUCTS.map(([s, l]) => [s, cMembers(l)] as const);
  const probe = probeLayouts(members);
  if (!probe) return t.skip('no C compiler with linux/bpf.h');
  let checked = 0;
  for (const [s, layout] of STRUCTS) checked += assertMatchesC(probe, s, layout);
  assert.equal(checked, members.reduce((n, [, names]) => n + names.length, 0));
  assert.ok(checked >= 39, `${checked} members checked`);
});

test('sk_skb and lwt: the __sk_buff fields each may read and write', () => {
  const skb = SK_SKB.context;
  assert.equal(fieldOf(skb, 'mark').readable, false);
  assert.equal(fieldOf(skb, 'tc_index').writable, true);
  assert.equal(fieldOf(skb, 'cb[0]').writable, false);
  assert.equal(fieldOf(skb, 'family').readable, true);
  assert.equal(fieldOf(skb, 'data').pointer, 'packet');
  assert.equal(fieldOf(skb, 'tstamp').readable, false);
  assert.equal(skb.packetReadOnly, undefined, 'sk_skb may write its packet');
  const lwt = LWT_IN.context;
  assert.equal(fieldOf(lwt, 'mark').writable, true);
  assert.equal(fieldOf(lwt, 'cb[4]').writable, true);
  assert.equal(fieldOf(lwt, 'tc_index').writable, false);
  assert.equal(fieldOf(lwt, 'family').readable, false);
  assert.equal(fieldOf(lwt, 'data_meta').readable, false);
  assert.equal(fieldOf(lwt, 'sk').pointer, 'socket_or_null');
  assert.equal(lwt.packetReadOnly, true);
  assert.equal(LWT_SEG6LOCAL.context.packetReadOnly, true);
  assert.equal(LWT_XMIT.context.packetReadOnly, undefined, 'lwt_xmit may write its packet');
  for (const t of [SK_SKB, LWT_IN]) assert.equal(t.returnRange, undefined, `${t.name}: r0 is not checked`);
});

test('sk_msg, flow_dissector: pointers that are never NULL, flow keys, nothing writable', () => {
  assert.ok(SK_MSG.context.fields.every((f) => !f.writable));
  assert.equal(fieldOf(SK_MSG.context, 'sk').pointer, 'socket');
  assert.equal(fieldOf(SK_MSG.context, 'size').narrowReads, false);
  const fd = FLOW_DISSECTOR.context;
  assert.deepEqual(fd.fields.filter((f) => f.readable).map((f) => f.name), ['data', 'data_end', 'flow_keys']);
  assert.equal(fieldOf(fd, 'flow_keys').pointer, 'flow_keys');
  assert.equal(fieldOf(fd, 'flow_keys').pointeeSize, BpfFlowKeys.SIZE);
  assert.ok(fd.fields.every((f) => !f.writable));
  assert.equal(fd.packetReadOnly, true);
});

test('cgroup hooks: fields per attach type, return range 0..1, get/set_retval only at a cgroup attach type', () => {
  const get = programTypeForSectionName('cgroup/getsockopt');
  const set = programTypeForSectionName('cgroup/setsockopt');
  assert.equal(fieldOf(get.context, 'retval').writable, true);
  assert.equal(fieldOf(set.context, 'retval').readable, false);
  assert.equal(fieldOf(set.context, 'level').writable, true);
  assert.equal(fieldOf(get.context, 'level').writable, false);
  assert.equal(fieldOf(CGROUP_SOCKOPT.context, 'optlen').writable, true);
  assert.equal(fieldOf(CGROUP_SOCKOPT.context, 'retval').readable, false, 'no attach type: neither hook');
  assert.equal(fieldOf(get.context, 'optval').pointer, 'packet');
  assert.equal(fieldOf(get.context, 'sk').pointer, 'socket');
  assert.equal(fieldOf(CGROUP_SYSCTL.context, 'file_pos').writable, true);
  assert.equal(fieldOf(CGROUP_SYSCTL.context, 'write').writable, false);
  assert.equal(fieldOf(CGROUP_DEVICE.context, 'major').narrowReads, false);
  assert.equal(fieldOf(CGROUP_DEVICE.context, 'access_type').narrowReads, true);
  const getRetval = 186;
  for (const t of [CGROUP_DEVICE, CGROUP_SYSCTL, get, set]) {
    assert.deepEqual(t.returnRange, [0, 1], t.name);
    assert.ok(t.helpers.has(getRetval), `${t.name} at its hook calls get_retval`);
  }
  assert.ok(!programTypeFor(T.CGROUP_DEVICE, 0).helpers.has(getRetval), 'attach type 0 is CGROUP_INET_INGRESS');
  const setsockopt = 49;
  assert.ok(set.helpers.has(setsockopt) && !get.helpers.has(setsockopt), 'bpf_setsockopt only from setsockopt hooks');
});

test('the flow dissector harness: keys in, frame as data, keys out clamped, ctx_in only flags', () => {
  const space = new AddressSpace();
  const frame = new Uint8Array([...new Array(12).fill(0), 0x86, 0xdd, 1, 2, 3, 4]);
  const run = FLOW_DISSECTOR.setup(space, { data: frame, ctx: { flags: 4 } }, env);
  const v = space.view;
  const keys = Number(v.getBigUint64(run.ctx + SkBuff.flow_keys, true));
  const data = v.getUint32(run.ctx + SkBuff.data, true);
  assert.equal(v.getUint32(run.ctx + SkBuff.data_end, true) - data, frame.length, 'data is the whole frame');
  assert.deepEqual([...space.read(data, 14)], [...frame.subarray(0, 14)]);
  assert.equal(v.getUint16(keys + BpfFlowKeys.nhoff, true), 14);
  assert.equal(v.getUint16(keys + BpfFlowKeys.thoff, true), 14);
  assert.equal(v.getUint16(keys + BpfFlowKeys.n_proto, false), 0x86dd, 'n_proto in network byte order');
  assert.equal(v.getUint32(keys + BpfFlowKeys.flags, true), 4);
  assert.equal(run.packet!.bytes().length, 0, 'helpers see no skb');
  v.setUint16(keys + BpfFlowKeys.nhoff, 2, true);
  v.setUint16(keys + BpfFlowKeys.thoff, 500, true);
  const out = run.finish();
  const dv = new DataView(out.data!.buffer);
  assert.equal(out.data!.length, BpfFlowKeys.SIZE, 'data_out is the keys');
  assert.equal(dv.getUint16(BpfFlowKeys.nhoff, true), 14, 'nhoff clamped up to ETH_HLEN');
  assert.equal(dv.getUint16(BpfFlowKeys.thoff, true), frame.length, 'thoff clamped down to the length');
  assert.equal(new DataView(out.ctx!.buffer).getUint32(BpfFlowKeys.flags, true), 4, 'ctx_out is ctx_in');
  run.release();
  const refuses = (input: Parameters<typeof FLOW_DISSECTOR.setup>[1], code: string): void => {
    assert.throws(() => FLOW_DISSECTOR.setup(space, input, env), (e: unknown) => e instanceof ProgError && e.code === code && e.errno === 22);
  };
  refuses({ data: frame.subarray(0, 13) }, ProgErrorCode.BAD_DATA);
  refuses({ data: new Uint8Array(4097) }, ProgErrorCode.BAD_DATA);
  refuses({ data: frame, ctx: { nhoff: 1 } }, ProgErrorCode.BAD_CTX);
});

test('the plain harness for sk_skb, sk_msg and the cgroup hooks; Linux test-runs none of them', () => {
  const space = new AddressSpace();
  for (const t of [SK_SKB, SK_MSG, CGROUP_DEVICE, CGROUP_SYSCTL, CGROUP_SOCKOPT, LWT_SEG6LOCAL]) assert.equal(t.linuxTestRun, false, t.name);
  for (const t of [LWT_IN, LWT_XMIT, FLOW_DISSECTOR]) assert.equal(t.linuxTestRun, true, t.name);
  const sys = CGROUP_SYSCTL.setup(space, { ctx: { write: 1, file_pos: 3 } }, env);
  assert.equal(space.view.getUint32(sys.ctx + 4, true), 3);
  space.view.setUint32(sys.ctx + 4, 9, true);
  assert.equal(new DataView(sys.finish().ctx!.buffer).getUint32(4, true), 9, 'file_pos comes back');
  sys.release();
  const dev = CGROUP_DEVICE.setup(space, { ctx: { access_type: 0x10002, major: 1, minor: 3 } }, env);
  assert.equal(space.view.getUint32(dev.ctx + 8, true), 3);
  assert.equal(dev.finish().ctx, undefined, 'a device context is read-only: nothing comes back');
  dev.release();
  assert.throws(() => SK_MSG.setup(space, { data: new Uint8Array(20) }, env), /no packet data/);
  // seg6local runs on the skb harness from the network header, as lwt_in does in Linux.
  const seg = LWT_SEG6LOCAL.setup(space, { data: new Uint8Array(34) }, env);
  assert.equal(seg.packet!.dataEnd - seg.packet!.data, 20);
  seg.release();
});
