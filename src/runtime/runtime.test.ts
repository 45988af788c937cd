import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encode } from '../isa/index.js';
import { assemble } from '../asm/index.js';
import { MapType, PerfEventArray, ProgArrayMap } from '../maps/index.js';
import { ProgError, ProgErrorCode, SkBuff, XdpReturnCode as XdpAction, TcReturnCode as TcAction } from '../progs/index.js';
import { isEbeeError } from '../errors.js';
import { Runtime, RuntimeError, RuntimeErrorCode, type EngineName } from './index.js';

const ENGINES: readonly EngineName[] = ['jit', 'interpreter'];

function both(name: string, fn: (engine: EngineName) => void): void {
  for (const engine of ENGINES) test(`${name} (${engine})`, () => fn(engine));
}

/** An Ethernet + IPv4 frame with the given IP protocol and payload. */
function ipv4Frame(proto: number, payload: number[] = [], dest = [0, 0, 0, 0, 0, 0]): Uint8Array {
  const total = 20 + payload.length;
  return new Uint8Array([...dest, 2, 0, 0, 0, 0, 1, 0x08, 0x00,
    0x45, 0, total >> 8, total & 0xff, 0, 0, 0, 0, 64, proto, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2, ...payload]);
}

const XDP_COUNT = `
  r2 = *(u32 *)(r1 + 0)
  r3 = *(u32 *)(r1 + 4)
  r4 = r2
  r4 += 34
  if r4 > r3 goto pass
  r5 = *(u16 *)(r2 + 12)
  if r5 != 0x8 goto pass
  r5 = *(u8 *)(r2 + 23)
  *(u32 *)(r10 - 4) = r5
  r2 = r10
  r2 += -4
  r1 = counts ll
  call 1
  if r0 == 0 goto pass
  r1 = 1
  lock *(u64 *)(r0 + 0) += r1
  r5 = *(u32 *)(r10 - 4)
  if r5 == 17 goto drop
pass:
  r0 = 2
  exit
drop:
  r0 = 1
  exit
`;

both('XDP parses Ethernet/IPv4, counts protocols in a map and drops UDP', (engine) => {
  const rt = new Runtime({ engine });
  const counts = rt.createMap({ type: MapType.ARRAY, keySize: 4, valueSize: 8, maxEntries: 256, name: 'counts' });
  // checked: the instruction count below exists only in checked mode (a verified program runs unchecked by default).
  const prog = rt.loadProgram(XDP_COUNT, { type: 'xdp', name: 'count', checked: true });
  assert.equal(prog.verified, true);
  const udp = rt.testRun(prog, { data: ipv4Frame(17, [0, 53, 0, 53, 0, 8, 0, 0]) });
  assert.equal(udp.retval, XdpAction.XDP_DROP);
  assert.equal(udp.action, 'XDP_DROP');
  const tcp = prog.testRun({ data: ipv4Frame(6), repeat: 3 });
  assert.equal(tcp.action, 'XDP_PASS');
  assert.deepEqual([...tcp.data!], [...ipv4Frame(6)]);
  assert.equal(counts.lookupU64(17), 1n);
  assert.equal(counts.lookupU64(6), 3n, 'repeat runs the program three times');
  const arp = prog.testRun({ data: new Uint8Array([...new Uint8Array(12), 0x08, 0x06, ...new Uint8Array(28)]) });
  assert.equal(arp.action, 'XDP_PASS');
  assert.ok(udp.duration >= 0 && Number.isInteger(udp.duration));
  assert.ok(udp.executed! > 10);
});

both('XDP adjust_head grows the packet into the headroom; data_out and ctx_out follow', (engine) => {
  const rt = new Runtime({ engine });
  const prog = rt.loadProgram(`
    r6 = r1
    r2 = -4
    call 44
    if r0 != 0 goto fail
    r2 = *(u32 *)(r6 + 0)
    r3 = *(u32 *)(r6 + 4)
    r4 = r2
    r4 += 4
    if r4 > r3 goto fail
    w1 = 0xefbeadde
    *(u32 *)(r2 + 0) = w1
    r0 = 3
    exit
  fail:
    r0 = 0
    exit`, { type: 'xdp' });
  const frame = ipv4Frame(6);
  const res = rt.testRun(prog, { data: frame, ctx: { data_end: frame.length } });
  assert.equal(res.action, 'XDP_TX');
  assert.deepEqual([...res.data!], [0xde, 0xad, 0xbe, 0xef, ...frame]);
  const ctx = new DataView(res.ctx!.buffer);
  assert.equal(ctx.getUint32(0, true), 0, 'no metadata');
  assert.equal(ctx.getUint32(4, true), frame.length + 4);
});

both('XDP redirect is recorded with its target', (engine) => {
  const rt = new Runtime({ engine, devices: [7] });
  const prog = rt.loadProgram('r1 = 7\nr2 = 0\ncall 23\nexit', { type: 'xdp' });
  const res = rt.testRun(prog, { data: ipv4Frame(6) });
  assert.equal(res.retval, XdpAction.XDP_REDIRECT);
  assert.equal(res.redirects.length, 1);
  assert.equal(res.redirects[0]!.kind, 'redirect');
  assert.equal(res.redirects[0]!.ifindex, 7);
});

both('tc program reads and writes __sk_buff fields', (engine) => {
  const rt = new Runtime({ engine });
  const prog = rt.loadProgram(`
    r2 = *(u32 *)(r1 + ${SkBuff.mark})
    r2 += 1
    *(u32 *)(r1 + ${SkBuff.mark}) = r2
    r3 = *(u32 *)(r1 + ${SkBuff.protocol})
    *(u32 *)(r1 + ${SkBuff.cb}) = r3
    r4 = *(u32 *)(r1 + ${SkBuff.len})
    r0 = ${TcAction.TC_ACT_OK}
    if r4 < 100 goto out
    r0 = ${TcAction.TC_ACT_SHOT}
  out:
    exit`, { type: 'tc' });
  const small = rt.testRun(prog, { data: ipv4Frame(6), ctx: { mark: 41 } });
  assert.equal(small.action, 'TC_ACT_OK');
  const out = new DataView(small.ctx!.buffer);
  assert.equal(out.getUint32(SkBuff.mark, true), 42);
  assert.equal(out.getUint32(SkBuff.cb, true), 0x0008);
  const big = rt.testRun(prog, { data: ipv4Frame(6, new Array(100).fill(0)) });
  assert.equal(big.action, 'TC_ACT_SHOT');
  assert.equal(big.retval, 2);
});

both('socket filter with legacy packet loads (LD_ABS) from the network header', (engine) => {
  const rt = new Runtime({ engine });
  // Keep UDP packets whole, drop the rest; an out-of-range load ends the program with 0.
  const prog = rt.loadProgram(`
    r6 = r1
    r0 = *(u8 *)skb[9]
    if r0 != 17 goto drop
    r0 = *(u16 *)skb[2]
    exit
  drop:
    r0 = 0
    exit`, { type: 'socket' });
  const udp = ipv4Frame(17, [1, 2, 3, 4, 5, 6, 7, 8]);
  assert.equal(rt.testRun(prog, { data: udp }).retval, 28);
  assert.equal(rt.testRun(prog, { data: ipv4Frame(6) }).retval, 0);
  const far = rt.loadProgram('r6 = r1\nr0 = *(u32 *)skb[4000]\nr0 = 5\nexit', { type: 'socket' });
  assert.equal(rt.testRun(far, { data: udp }).retval, 0);
});

both('kprobe reads its arguments, given by name', (engine) => {
  const rt = new Runtime({ engine });
  const prog = rt.loadProgram('r0 = *(u64 *)(r1 + 112)\nr2 = *(u64 *)(r1 + 104)\nr0 += r2\nexit', { section: 'kprobe/do_sys_open' });
  assert.equal(rt.testRun(prog, { ctx: { PARM1: 40, PARM2: 2 } }).retval, 42);
  const arm = new Runtime({ engine, arch: 'arm64' });
  const p2 = arm.loadProgram('r0 = *(u64 *)(r1 + 8)\nexit', { type: 'kprobe' });
  assert.equal(arm.testRun(p2, { ctx: { PARM2: 9 } }).retval, 9);
  // pt_regs is read-only: the verifier refuses a store at load, and unverified, so does the run.
  const store = 'r2 = 1\n*(u64 *)(r1 + 0) = r2\nr0 = 0\nexit';
  assert.throws(() => rt.loadProgram(store, { type: 'kprobe' }), (e: unknown) => isEbeeError(e, 'EBEE_RUNTIME_VERIFIER_REJECTED'));
  // Really unsafe (a store into pt_regs): loaded unverified to see the run-time check.
  const bad = rt.loadProgram(store, { type: 'kprobe', verify: false });
  assert.throws(() => rt.testRun(bad, {}), (e: unknown) => isEbeeError(e, 'EBEE_VM_READ_ONLY'));
});

both('tail calls through a PROG_ARRAY, with the 33-call limit', (engine) => {
  const rt = new Runtime({ engine });
  const jmp = rt.createMap({ type: MapType.PROG_ARRAY, keySize: 4, valueSize: 4, maxEntries: 4, name: 'jmp' }) as ProgArrayMap;
  const hits = rt.createMap({ type: MapType.ARRAY, keySize: 4, valueSize: 8, maxEntries: 1, name: 'hits' });
  const entry = rt.loadProgram(`
    r2 = jmp ll
    r3 = 1
    call 12
    r0 = 99
    exit`, { type: 'xdp', name: 'entry' });
  const target = rt.loadProgram('r0 = 3\nexit', { type: 'xdp', name: 'target' });
  const data = ipv4Frame(6);
  assert.equal(rt.testRun(entry, { data }).retval, 99, 'empty slot: the call falls through');
  jmp.setProgram(1, target.id);
  const res = rt.testRun(entry, { data });
  assert.equal(res.retval, 3);
  assert.equal(res.tailCalls, 1);

  const loop = rt.loadProgram(`
    r6 = r1
    *(u32 *)(r10 - 4) = 0
    r2 = r10
    r2 += -4
    r1 = hits ll
    call 1
    if r0 == 0 goto out
    r1 = 1
    lock *(u64 *)(r0 + 0) += r1
    r1 = r6
    r2 = jmp ll
    r3 = 0
    call 12
  out:
    r0 = 7
    exit`, { type: 'xdp', name: 'loop' });
  jmp.setProgram(0, loop.id);
  const looped = rt.testRun(loop, { data });
  assert.equal(looped.retval, 7);
  assert.equal(looped.tailCalls, 33);
  assert.equal(hits.lookupU64(0), 34n, 'the first run and 33 tail calls');
});

function cString(text: string): string {
  // Stores `text` NUL-padded on the stack at r10-8.. (multiple of 8 bytes) and points r1 at it.
  const bytes = new TextEncoder().encode(text);
  const len = Math.ceil((bytes.length + 1) / 8) * 8;
  const padded = new Uint8Array(len);
  padded.set(bytes);
  const view = new DataView(padded.buffer);
  const lines: string[] = [];
  for (let i = 0; i < len; i += 8) {
    lines.push(`r1 = 0x${view.getBigUint64(i, true).toString(16)} ll`, `*(u64 *)(r10 - ${len - i}) = r1`);
  }
  lines.push('r1 = r10', `r1 += -${len}`, `r2 = ${len}`);
  return lines.join('\n');
}

both('printk lines and ring-buffer events come back from the run', (engine) => {
  const rt = new Runtime({ engine });
  rt.createMap({ type: MapType.RINGBUF, keySize: 0, valueSize: 0, maxEntries: 4096, name: 'rb' });
  const prog = rt.loadProgram(`
    ${cString('seen %d packets\n')}
    r3 = 42
    call 6
    r1 = rb ll
    r2 = 8
    r3 = 0
    call 131
    if r0 == 0 goto out
    r1 = 0x1122334455667788 ll
    *(u64 *)(r0 + 0) = r1
    r1 = r0
    r2 = 0
    call 132
  out:
    r0 = 2
    exit`, { type: 'xdp' });
  const res = rt.testRun(prog, { data: ipv4Frame(6) });
  assert.deepEqual(res.printk, ['seen 42 packets']);
  assert.equal(res.events.length, 1);
  assert.equal(res.events[0]!.kind, 'ringbuf');
  assert.deepEqual([...res.events[0]!.data], [0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11]);
  const again = rt.testRun(prog, { data: ipv4Frame(6) });
  assert.equal(again.events.length, 1, 'each run reports its own records');
});

both('clock, random seed, cpu and mocks are deterministic per run', (engine) => {
  const rt = new Runtime({ engine, cpus: 4 });
  const time = rt.loadProgram('call 5\nexit', { type: 'raw_tp' });
  assert.equal(rt.testRun(time, { clock: { startNs: 5000, stepNs: 0 } }).r0, 5000n);
  assert.equal(rt.testRun(time, { mocks: { ktime_get_ns: () => 123n } }).r0, 123n);
  const rnd = rt.loadProgram('call 7\nexit', { type: 'raw_tp' });
  const a = rt.testRun(rnd, { seed: 1 }).r0;
  assert.equal(rt.testRun(rnd, { seed: 1 }).r0, a);
  assert.notEqual(rt.testRun(rnd, { seed: 2 }).r0, a);
  const cpu = rt.loadProgram('call 8\nexit', { type: 'raw_tp' });
  assert.equal(rt.testRun(cpu, { cpu: 3 }).retval, 3);
  assert.throws(() => rt.testRun(cpu, { cpu: 4 }), (e: unknown) => e instanceof RuntimeError && e.code === RuntimeErrorCode.BAD_OPTION);
});

both('BPF_PROG_TEST_RUN error cases are typed errors with Linux errnos', (engine) => {
  const rt = new Runtime({ engine });
  const xdp = rt.loadProgram('r0 = 2\nexit', { type: 'xdp' });
  const tc = rt.loadProgram('r0 = 0\nexit', { type: 'sched_cls' });
  const raw = rt.loadProgram('r0 = 0\nexit', { type: 'raw_tp' });
  const isProg = (code: string, errno: number) => (e: unknown) => e instanceof ProgError && e.code === code && e.errno === errno;
  assert.throws(() => rt.testRun(xdp, { data: new Uint8Array(13) }), isProg(ProgErrorCode.BAD_DATA, 22));
  assert.throws(() => rt.testRun(tc, { data: new Uint8Array(8) }), isProg(ProgErrorCode.BAD_DATA, 22));
  assert.throws(() => rt.testRun(tc, { data: ipv4Frame(6), ctx: { len: 3 } }), isProg(ProgErrorCode.BAD_CTX, 22));
  assert.throws(() => rt.testRun(tc, { data: ipv4Frame(6), ctx: { hash: 3 } }), isProg(ProgErrorCode.BAD_CTX, 22));
  assert.throws(() => rt.testRun(raw, { repeat: 2 }), isProg(ProgErrorCode.BAD_OPTION, 22));
  assert.throws(() => rt.testRun(raw, { data: ipv4Frame(6) }), isProg(ProgErrorCode.BAD_DATA, 22));
  assert.throws(() => rt.testRun(xdp, { data: ipv4Frame(6), repeat: -1 }), (e: unknown) => e instanceof RuntimeError);
  // Nothing leaks from failed runs: the address space holds only what the runtime made.
  const before = rt.space.listRegions().length;
  assert.throws(() => rt.testRun(xdp, { data: ipv4Frame(6), ctx: { data_end: 3 } }));
  rt.testRun(xdp, { data: ipv4Frame(6) });
  assert.equal(rt.space.listRegions().length, before);
});

test('loading: bytecode with map fds, map values, unresolved maps, unchecked needs a verifier', () => {
  const rt = new Runtime();
  const cfg = rt.createMap({ type: MapType.ARRAY, keySize: 4, valueSize: 16, maxEntries: 1, name: 'cfg' });
  cfg.update(0, new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0]));
  const bytes = encode(assemble(`r1 = map_value(${cfg.id}) + 8 ll\nr0 = *(u64 *)(r1 + 0)\nexit`).insns);
  const prog = rt.loadProgram(bytes, { type: 'raw_tp' });
  assert.equal(rt.testRun(prog).retval, 5);
  const named = rt.loadProgram('r1 = map_value(cfg) + 8 ll\nr0 = *(u64 *)(r1 + 0)\nexit', { type: 'raw_tp' });
  assert.equal(named.testRun({ engine: 'interpreter' }).retval, 5);
  assert.throws(() => rt.loadProgram('r1 = nosuch ll\nr0 = 0\nexit', { type: 'xdp' }),
    (e: unknown) => e instanceof RuntimeError && e.code === RuntimeErrorCode.UNRESOLVED_MAP && /nosuch/.test(e.message));
  assert.throws(() => rt.loadProgram('r0 = 0\nexit', { type: 'xdp', checked: false, verify: false }), /verif/);
  assert.throws(() => new Runtime({ verify: false }).loadProgram('r0 = 0\nexit', { type: 'xdp', checked: false }), /verif/);
  assert.throws(() => rt.loadProgram('r0 = 0\nexit', {}), (e: unknown) => e instanceof RuntimeError && e.code === RuntimeErrorCode.BAD_OPTION);
  assert.throws(() => rt.loadProgram(new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), { type: 'xdp' }),
    (e: unknown) => e instanceof RuntimeError && e.code === RuntimeErrorCode.BAD_SOURCE);
  const seen: string[] = [];
  const verified = new Runtime({ verify: (r) => { seen.push(r.context.name); if (r.insns.length > 2) throw new Error('too long'); } });
  // The verifier sees map references as BPF_PROG_LOAD passes them: by fd.
  const shown: { src: number; imm: number; map: string | undefined }[] = [];
  const inspecting = new Runtime({ verify: (r) => { for (const i of r.insns) if (i.opcode === 0x18) shown.push({ src: i.src, imm: i.imm, map: r.mapByFd(i.imm)?.name }); } });
  const m = inspecting.createMap({ type: MapType.HASH, keySize: 4, valueSize: 4, maxEntries: 4, name: 'seen' });
  inspecting.loadProgram('r1 = seen ll\nr0 = 0\nexit', { type: 'xdp' });
  assert.deepEqual(shown, [{ src: 1, imm: m.id, map: 'seen' }]);
  const fast = verified.loadProgram('r0 = 2\nexit', { type: 'xdp', checked: false });
  assert.equal(fast.checked, false);
  assert.equal(verified.testRun(fast, { data: ipv4Frame(6) }).retval, 2);
  assert.throws(() => verified.loadProgram('r0 = 2\nr0 += 1\nexit', { type: 'xdp' }),
    (e: unknown) => e instanceof RuntimeError && e.code === RuntimeErrorCode.REJECTED);
  assert.deepEqual(seen, ['xdp_md', 'xdp_md']);
  assert.throws(() => rt.testRun(fast, { data: ipv4Frame(6) }), /another runtime/);
});

both('perf_event_output samples and redirect_map through a DEVMAP are reported', (engine) => {
  const rt = new Runtime({ engine, cpus: 2, devices: [5] });
  const perf = rt.createMap({ type: MapType.PERF_EVENT_ARRAY, keySize: 4, valueSize: 4, maxEntries: 2, name: 'perf' }) as PerfEventArray;
  perf.open(1);
  const dev = rt.createMap({ type: MapType.DEVMAP, keySize: 4, valueSize: 4, maxEntries: 4, name: 'tx' });
  dev.update(2, 5);
  const prog = rt.loadProgram(`
    r6 = r1
    r1 = 0x0807060504030201 ll
    *(u64 *)(r10 - 8) = r1
    r1 = r6
    r2 = perf ll
    r3 = 0xffffffff ll
    r4 = r10
    r4 += -8
    r5 = 8
    call 25
    r1 = tx ll
    r2 = 2
    r3 = 0
    call 51
    exit`, { type: 'xdp' });
  const res = rt.testRun(prog, { data: ipv4Frame(6), cpu: 1 });
  assert.equal(res.action, 'XDP_REDIRECT');
  assert.equal(res.events.length, 1);
  const ev = res.events[0]!;
  assert.equal(ev.kind, 'perf_event_output');
  assert.equal(ev.kind === 'perf_event_output' && ev.cpu, 1);
  assert.deepEqual([...ev.data], [1, 2, 3, 4, 5, 6, 7, 8]);
  assert.equal(res.redirects.length, 1);
  assert.equal(res.redirects[0]!.kind, 'redirect_map');
  assert.equal(res.redirects[0]!.ifindex, 5);
});

both('cgroup_skb reads the test socket, tracepoint its record, syscall writes its context back', (engine) => {
  const rt = new Runtime({ engine });
  const cg = rt.loadProgram(`
    r2 = *(u32 *)(r1 + ${SkBuff.remote_ip4})
    r0 = 0
    if r2 != 0x0200000a goto out
    r0 = 1
  out:
    exit`, { section: 'cgroup_skb/ingress' });
  assert.equal(rt.testRun(cg, { data: ipv4Frame(6) }).retval, 1, 'remote_ip4 is 10.0.0.2 in network order');
  const tp = rt.loadProgram('r0 = *(u32 *)(r1 + 8)\nr0 += 1\nexit', { section: 'tracepoint/syscalls/sys_enter_openat' });
  assert.equal(rt.testRun(tp, { ctx: { common_pid: 7, 'u64@8': 41 } }).retval, 42);
  const sys = rt.loadProgram('r2 = *(u64 *)(r1 + 0)\nr2 *= 3\n*(u64 *)(r1 + 8) = r2\nr0 = 0\nexit', { type: 'syscall' });
  const out = rt.testRun(sys, { ctx: new Uint8Array([5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]) });
  assert.equal(out.ctx![8], 15);
});

both('a program runs as a plain function with r1-r5', (engine) => {
  const rt = new Runtime({ engine });
  // Really unsafe for Linux (only r1 is set at entry: R2 !read_ok); a plain function takes r1-r5, so unverified.
  const prog = rt.loadProgram('r0 = r1\nr0 *= r2\nr0 += r5\nexit', { type: 'raw_tp', verify: false });
  const res = prog.run({ args: [6, 7, 0, 0, 100] });
  assert.equal(res.r0, 142n);
  assert.equal(res.executed, 4);
  assert.throws(() => prog.run({ args: [1, 2, 3, 4, 5, 6] }), (e: unknown) => e instanceof RuntimeError);
});

both('packet helpers work on the harness buffers: adjust_tail up to the frame end, skb_store_bytes', (engine) => {
  const rt = new Runtime({ engine });
  const frame = ipv4Frame(6);
  // The frame has 256 bytes of headroom and ends 320 bytes before the page end: 3520 bytes of packet at most.
  const room = 4096 - 256 - 320 - frame.length;
  const grow = (delta: number) => rt.loadProgram(`
    r2 = ${delta}
    call 65
    exit`, { type: 'xdp' });
  const ok = rt.testRun(grow(room), { data: frame });
  assert.equal(ok.retval, 0);
  assert.equal(ok.data!.length, 4096 - 256 - 320);
  assert.deepEqual([...ok.data!.subarray(0, frame.length)], [...frame]);
  assert.ok(ok.data!.subarray(frame.length).every((b) => b === 0));
  assert.equal(BigInt.asIntN(64, rt.testRun(grow(room + 1), { data: frame }).r0), -22n);

  const tc = rt.loadProgram(`
    r6 = r1
    w1 = 0x04030201
    *(u32 *)(r10 - 4) = w1
    r1 = r6
    r2 = 26
    r3 = r10
    r3 += -4
    r4 = 4
    r5 = 0
    call 9
    r0 = *(u32 *)(r6 + ${SkBuff.len})
    exit`, { type: 'tc' });
  const res = rt.testRun(tc, { data: frame });
  assert.equal(res.retval, frame.length);
  assert.deepEqual([...res.data!.subarray(26, 30)], [1, 2, 3, 4]);
  assert.deepEqual([...res.data!.subarray(0, 26)], [...frame.subarray(0, 26)]);
});
