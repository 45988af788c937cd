import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AddressSpace } from '../vm/index.js';
import { assertMatchesC, cMembers, probeLayouts } from './c-layout.test.fixture.js';
import { ProgramType } from '../elf/index.js';
import {
  CGROUP_SKB, KPROBE, PT_REGS_LAYOUTS, ProgError, ProgErrorCode, RAW_TRACEPOINT, SCHED_CLS, SOCKET_FILTER, SYSCALL, SkBuff,
  TRACEPOINT, XDP, XDP_MD_LAYOUT, XDP_PACKET_HEADROOM, programType, programTypeForSectionName, skbLayout,
  type HarnessEnv, type ProgramTypeInfo, type TestRunInput,
} from './index.js';

const env: HarnessEnv = { deviceExists: (i) => i === 1 || i === 7, rxQueues: () => 1, arch: 'x86_64' };

function frame(etherType: number, payload: number[] = [], dest = [0, 0, 0, 0, 0, 0]): Uint8Array {
  return new Uint8Array([...dest, 2, 0, 0, 0, 0, 1, etherType >> 8, etherType & 0xff, ...payload]);
}
const ipv4 = frame(0x0800, [0x45, 0, 0, 20, 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2]);

function rejects(type: ProgramTypeInfo, input: TestRunInput, code: string, errno: number, what?: RegExp): void {
  const space = new AddressSpace();
  assert.throws(() => type.setup(space, input, env), (err: unknown) => {
    assert.ok(err instanceof ProgError, String(err));
    assert.equal(err.code, code);
    assert.equal(err.errno, errno);
    if (what) assert.match(err.message, what);
    return true;
  });
}

function fieldOf(t: ProgramTypeInfo, name: string) {
  const f = t.context.fields.find((x) => x.name === name);
  assert.ok(f, `no field ${name}`);
  return f;
}

test('__sk_buff and xdp_md offsets match the system header', (t) => {
  const skb = skbLayout('tc');
  const members = [['__sk_buff', cMembers(skb)], ['xdp_md', cMembers(XDP_MD_LAYOUT)]] as const;
  const probe = probeLayouts(members);
  if (!probe) return t.skip('no C compiler with linux/bpf.h');
  const checked = assertMatchesC(probe, '__sk_buff', skb) + assertMatchesC(probe, 'xdp_md', XDP_MD_LAYOUT);
  assert.equal(checked, members[0][1].length + members[1][1].length);
  assert.equal(probe.sizes.size, 2, 'both struct sizes compared');
});

test('context access rules per type follow the kernel', () => {
  // XDP: nothing writable, pointers whole-size only, egress_ifindex hidden without a devmap attach.
  assert.ok(XDP.context.fields.every((f) => !f.writable));
  assert.equal(fieldOf(XDP, 'data').pointer, 'packet');
  assert.equal(fieldOf(XDP, 'data').narrowReads, false);
  assert.equal(fieldOf(XDP, 'egress_ifindex').readable, false);
  // Socket filters: no direct packet access, only cb writable.
  assert.equal(fieldOf(SOCKET_FILTER, 'data').readable, false);
  assert.deepEqual(SOCKET_FILTER.context.fields.filter((f) => f.writable).map((f) => f.name),
    ['cb[0]', 'cb[1]', 'cb[2]', 'cb[3]', 'cb[4]', 'cb:u64[0]', 'cb:u64[1]']);
  // cb is bytes: stores of any size, 8-byte views across two elements.
  assert.equal(fieldOf(SOCKET_FILTER, 'cb[2]').narrowWrites, true);
  assert.equal(fieldOf(SOCKET_FILTER, 'cb:u64[1]').offset, 56);
  assert.equal(fieldOf(SOCKET_FILTER, 'mark').narrowWrites, undefined);
  // tc: mark and tc_classid writable, len not; socket fields hidden; data_meta a pointer.
  assert.equal(fieldOf(SCHED_CLS, 'mark').writable, true);
  assert.equal(fieldOf(SCHED_CLS, 'tc_classid').writable, true);
  assert.equal(fieldOf(SCHED_CLS, 'len').writable, false);
  assert.equal(fieldOf(SCHED_CLS, 'len').narrowReads, true);
  assert.equal(fieldOf(SCHED_CLS, 'family').readable, false);
  assert.equal(fieldOf(SCHED_CLS, 'data_meta').pointer, 'packet_meta');
  assert.equal(fieldOf(SCHED_CLS, 'tstamp_type').readable, true);
  // cgroup: reads the socket addresses, no tc_classid, no data_meta.
  assert.equal(fieldOf(CGROUP_SKB, 'remote_ip4').readable, true);
  assert.equal(fieldOf(CGROUP_SKB, 'remote_ip4').narrowReads, false);
  assert.equal(fieldOf(CGROUP_SKB, 'tc_classid').readable, false);
  assert.equal(fieldOf(CGROUP_SKB, 'priority').writable, true);
  assert.equal(fieldOf(CGROUP_SKB, 'tc_index').writable, false);
  // Every type: flow_keys never, sk read-only as a socket pointer.
  for (const t of [SOCKET_FILTER, SCHED_CLS, CGROUP_SKB]) {
    assert.equal(fieldOf(t, 'flow_keys').readable, false);
    assert.equal(fieldOf(t, 'sk').writable, false);
  }
  assert.equal(fieldOf(SCHED_CLS, 'sk').pointer, 'socket_or_null');
  // Tracing contexts are read-only; the tracepoint header is not readable.
  assert.ok(KPROBE.context.fields.every((f) => f.readable && !f.writable));
  assert.equal(fieldOf(TRACEPOINT, 'common_pid').readable, false);
  assert.equal(RAW_TRACEPOINT.context.fields.length, 12);
  assert.equal(fieldOf(SYSCALL, 'u64@0').writable, true);
});

test('XDP test run: headroom, metadata from ctx_in, ctx and data out', () => {
  const space = new AddressSpace();
  const data = new Uint8Array([1, 2, 3, 4, ...ipv4]);
  const run = XDP.setup(space, { data, ctx: { data: 4, data_end: data.length, ingress_ifindex: 7 } }, env);
  const p = run.packet!;
  assert.equal(p.kind, 'xdp');
  assert.equal(p.data - p.region.start, XDP_PACKET_HEADROOM);
  assert.equal(p.data - p.dataMeta, 4);
  assert.deepEqual([...p.bytes()], [...ipv4]);
  const v = space.view;
  assert.equal(v.getUint32(run.ctx, true), p.data);
  assert.equal(v.getUint32(run.ctx + 4, true), p.dataEnd);
  assert.equal(v.getUint32(run.ctx + 8, true), p.dataMeta);
  assert.equal(v.getUint32(run.ctx + 12, true), 7);
  // A helper moves the head back 2 bytes (into the metadata's place is not allowed; into free headroom is).
  p.dataMeta -= 2; p.data -= 2; space.bytes.set([0xaa, 0xbb], p.data); p.sync();
  assert.equal(v.getUint32(run.ctx, true), p.data);
  const out = run.finish();
  assert.equal(out.data!.length, data.length + 2);
  const ctxOut = new DataView(out.ctx!.buffer);
  assert.equal(ctxOut.getUint32(0, true), 4);
  assert.equal(ctxOut.getUint32(4, true), data.length + 2);
  run.release();
  assert.equal(space.listRegions().length, 0);
});

test('XDP test run refuses what Linux refuses', () => {
  const { BAD_DATA, BAD_CTX, NO_DEVICE, UNSUPPORTED } = ProgErrorCode;
  rejects(XDP, { data: new Uint8Array(13) }, BAD_DATA, 22, /at least 14/);
  rejects(XDP, {}, BAD_DATA, 22);
  rejects(XDP, { data: ipv4, ctx: { data_end: 10 } }, BAD_CTX, 22, /data_end/);
  rejects(XDP, { data: ipv4, ctx: { data_end: ipv4.length, data_meta: 4 } }, BAD_CTX, 22, /data_meta/);
  rejects(XDP, { data: ipv4, ctx: { data: 3, data_end: ipv4.length } }, BAD_CTX, 22, /multiple of 4/);
  rejects(XDP, { data: ipv4, ctx: { data: 0, data_end: ipv4.length, egress_ifindex: 2 } }, BAD_CTX, 22, /egress/);
  rejects(XDP, { data: ipv4, ctx: { data_end: ipv4.length, rx_queue_index: 1 } }, BAD_CTX, 22, /ingress_ifindex/);
  rejects(XDP, { data: ipv4, ctx: { data_end: ipv4.length, ingress_ifindex: 3 } }, NO_DEVICE, 19);
  rejects(XDP, { data: ipv4, ctx: { data_end: ipv4.length, ingress_ifindex: 1, rx_queue_index: 1 } }, BAD_CTX, 22, /queue/);
  rejects(XDP, { data: new Uint8Array(3521) }, UNSUPPORTED, 524);
  const long = new Uint8Array(30);
  long[28] = 1;
  rejects(XDP, { data: ipv4, ctx: long }, BAD_CTX, 7, /not zero/);
});

test('skb test run: eth_type_trans fields, settable ctx fields, ctx_out', () => {
  const space = new AddressSpace();
  const bcast = frame(0x0800, [...ipv4.subarray(14)], [0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
  const run = SCHED_CLS.setup(space, { data: bcast, ctx: { mark: 9, 'cb': [1, 2, 3, 4, 5], priority: 3 } }, env);
  const v = space.view;
  const at = (off: number) => v.getUint32(run.ctx + off, true);
  assert.equal(at(SkBuff.len), bcast.length);
  assert.equal(at(SkBuff.protocol), 0x0008); // htons(ETH_P_IP) as a little-endian load sees it
  assert.equal(at(SkBuff.pkt_type), 1);
  assert.equal(at(SkBuff.mark), 9);
  assert.equal(at(SkBuff.cb + 16), 5);
  assert.equal(at(SkBuff.ifindex), 1);
  assert.equal(at(SkBuff.wire_len), bcast.length);
  assert.equal(at(SkBuff.data), run.packet!.data);
  assert.equal(at(SkBuff.data_end) - at(SkBuff.data), bcast.length);
  assert.equal(run.packet!.data - run.packet!.region.start, 64);
  v.setUint32(run.ctx + SkBuff.mark, 77, true);
  v.setUint32(run.ctx + SkBuff.tc_index, 5, true);
  const out = run.finish();
  const o = new DataView(out.ctx!.buffer);
  assert.equal(o.getUint32(SkBuff.mark, true), 77);
  assert.equal(o.getUint32(SkBuff.tc_index, true), 0, 'tc_index is not copied back');
  assert.equal(o.getUint32(SkBuff.wire_len, true), bcast.length);
  assert.deepEqual([...out.data!], [...bcast]);
  run.release();

  // Socket filters and cgroup programs start at the network header; data_out gets a zeroed MAC header.
  const sf = SOCKET_FILTER.setup(space, { data: ipv4 }, env);
  assert.equal(v.getUint32(sf.ctx + SkBuff.len, true), ipv4.length - 14);
  assert.deepEqual(sf.legacyPacket, { address: sf.packet!.data, length: ipv4.length - 14 });
  assert.deepEqual([...sf.finish().data!], [...new Uint8Array(14), ...ipv4.subarray(14)]);
  assert.equal(v.getUint32(sf.ctx + SkBuff.pkt_type, true), 0, 'to the loopback address: PACKET_HOST');
  sf.release();
  const cg = CGROUP_SKB.setup(space, { data: ipv4 }, env);
  assert.equal(v.getUint32(cg.ctx + SkBuff.family, true), 2);
  assert.deepEqual([...space.read(cg.ctx + SkBuff.local_ip4, 4)], [10, 0, 0, 1]);
  assert.deepEqual([...space.read(cg.ctx + SkBuff.remote_ip4, 4)], [10, 0, 0, 2]);
  cg.release();
  assert.equal(space.listRegions().length, 0);
});

test('skb test run refuses what Linux refuses', () => {
  const { BAD_DATA, BAD_CTX, NO_DEVICE } = ProgErrorCode;
  rejects(SCHED_CLS, { data: new Uint8Array(10) }, BAD_DATA, 22);
  rejects(SCHED_CLS, { data: new Uint8Array(3713) }, BAD_DATA, 22);
  rejects(SCHED_CLS, { data: ipv4, ctx: { len: 5 } }, BAD_CTX, 22, /__sk_buff\.len may not be set/);
  rejects(SCHED_CLS, { data: ipv4, ctx: { tc_index: 1 } }, BAD_CTX, 22, /tc_index/);
  rejects(SCHED_CLS, { data: ipv4, ctx: { 'remote_ip6[2]': 1 } }, BAD_CTX, 22, /remote_ip6\[2\]/);
  rejects(SCHED_CLS, { data: ipv4, ctx: { wire_len: 5 } }, BAD_CTX, 22, /wire_len/);
  rejects(SCHED_CLS, { data: ipv4, ctx: { gso_segs: 70000 } }, BAD_CTX, 22, /gso_segs/);
  rejects(SCHED_CLS, { data: ipv4, ctx: { ifindex: 9 } }, NO_DEVICE, 19);
  rejects(SCHED_CLS, { data: ipv4, ctx: { nonsense: 1 } }, BAD_CTX, 22, /no field 'nonsense'/);
  rejects(SCHED_CLS, { data: ipv4, ctx: { mark: 2 ** 32 } }, BAD_CTX, 22, /does not fit/);
  const space = new AddressSpace();
  const ok = SCHED_CLS.setup(space, { data: ipv4, ctx: { ifindex: 7, wire_len: 1000, gso_segs: 2, hwtstamp: 5n } }, env);
  assert.equal(space.view.getUint32(ok.ctx + SkBuff.ifindex, true), 7);
  ok.release();
});

test('tracing contexts: pt_regs by name on both architectures, raw_tp and syscall rules', () => {
  const space = new AddressSpace();
  const k = KPROBE.setup(space, { ctx: { PARM1: 11, PARM2: 22, RC: -1, ip: 0xffffffff81000000n } }, env);
  const v = space.view;
  assert.equal(v.getBigUint64(k.ctx + 112, true), 11n); // di
  assert.equal(v.getBigUint64(k.ctx + 104, true), 22n); // si
  assert.equal(v.getBigUint64(k.ctx + 80, true), 0xffffffffffffffffn); // ax
  assert.equal(v.getBigUint64(k.ctx + 128, true), 0xffffffff81000000n);
  k.release();
  const a = KPROBE.setup(space, { ctx: { PARM1: 5, PARM8: 8, LR: 3 } }, { ...env, arch: 'arm64' });
  assert.equal(v.getBigUint64(a.ctx, true), 5n);
  assert.equal(v.getBigUint64(a.ctx + 56, true), 8n);
  assert.equal(v.getBigUint64(a.ctx + 240, true), 3n);
  assert.equal(PT_REGS_LAYOUTS.arm64.size, 336);
  a.release();
  assert.throws(() => KPROBE.setup(space, { ctx: { PARM7: 1 } }, env), /no field 'PARM7'/);
  assert.throws(() => KPROBE.setup(space, { data: ipv4 }, env), (e: unknown) => e instanceof ProgError && e.code === ProgErrorCode.BAD_DATA);

  const r = RAW_TRACEPOINT.setup(space, { ctx: { args: [1, 2, 3] } }, env);
  assert.deepEqual([...space.read(r.ctx, 24)].filter((_, i) => i % 8 === 0), [1, 2, 3]);
  assert.equal(space.find(r.ctx, 0)!.size, 24);
  r.release();
  rejects(RAW_TRACEPOINT, { ctx: new Uint8Array(104) }, ProgErrorCode.BAD_CTX, 22);
  assert.equal(RAW_TRACEPOINT.repeatAllowed, false);

  const s = SYSCALL.setup(space, { ctx: new Uint8Array([1, 2, 3, 4]) }, env);
  space.bytes[s.ctx] = 9;
  assert.deepEqual([...s.finish().ctx!], [9, 2, 3, 4]);
  s.release();
  const none = SYSCALL.setup(space, {}, env);
  assert.equal(none.ctx, 0);
  const tp = TRACEPOINT.setup(space, { ctx: { common_pid: 42, 'u64@8': 7 } }, env);
  assert.equal(v.getUint32(tp.ctx + 4, true), 42);
  assert.equal(v.getBigUint64(tp.ctx + 8, true), 7n);
  tp.release();
});

test('program types by number, name and section', () => {
  assert.equal(programType('tc'), SCHED_CLS);
  assert.equal(programType('XDP'), XDP);
  assert.equal(programType(ProgramType.KPROBE), KPROBE);
  assert.equal(programTypeForSectionName('xdp').type, ProgramType.XDP);
  assert.equal(programTypeForSectionName('tc').type, ProgramType.SCHED_CLS);
  assert.equal(programTypeForSectionName('kprobe/do_unlinkat').type, ProgramType.KPROBE);
  assert.equal(programTypeForSectionName('socket').type, ProgramType.SOCKET_FILTER);
  assert.equal(programTypeForSectionName('raw_tp/sched_switch').type, ProgramType.RAW_TRACEPOINT);
  assert.throws(() => programType('nope'), (e: unknown) => e instanceof ProgError && e.code === ProgErrorCode.UNSUPPORTED_TYPE);
  assert.throws(() => programType(ProgramType.LSM), /no context model/);
  assert.throws(() => programTypeForSectionName('not_a_section'), /names no program type/);
});

test('checks come in Linux\'s order: data, then context tail, then device, then fields', () => {
  const { BAD_DATA, BAD_CTX, NO_DEVICE } = ProgErrorCode;
  // XDP: a short packet is refused before the receive queue is looked at.
  rejects(XDP, { data: new Uint8Array(10), ctx: { data_end: 10, ingress_ifindex: 3 } }, BAD_DATA, 22);
  // skb: an unknown device before a field that may not be set.
  rejects(SCHED_CLS, { data: ipv4, ctx: { ifindex: 9, len: 3 } }, NO_DEVICE, 19);
  rejects(SCHED_CLS, { data: new Uint8Array(5), ctx: { len: 3 } }, BAD_DATA, 22);
  const tail = new Uint8Array(SkBuff.SIZE + 8);
  tail[SkBuff.SIZE + 1] = 1;
  tail[0] = 1;
  rejects(SCHED_CLS, { data: ipv4, ctx: tail }, BAD_CTX, 7);
});
