import assert from 'node:assert/strict';
import { MapType, XdpAction } from '../maps/index.js';
import { createHelperEnv, FibResult, FibFlag, AF_INET, AF_INET6, TcAction, type FibRoute } from './index.js';
import { bothEngines, signed, fakePacket, assertBytes } from './rig.test.fixture.js';

function withPacket(kind: 'xdp' | 'skb') {
  return () => {
    const env = createHelperEnv({ ingressIfindex: 3, ifindexes: [1, 2, 3] });
    env.packet = fakePacket(env.space, kind, new Uint8Array(64));
    return { env };
  };
}

const redirect = (ifindex: number, flags: number) => `r1 = ${ifindex}\nr2 = ${flags}\ncall 23\nexit`;

bothEngines('redirect from XDP: XDP_REDIRECT, recorded; any flag aborts', withPacket('xdp'), ({ env }, run) => {
  assert.equal(run(redirect(7, 0)).r0, BigInt(XdpAction.REDIRECT));
  assert.equal(run(redirect(7, 1)).r0, BigInt(XdpAction.ABORTED));
  assert.deepEqual(env.redirects, [{ kind: 'redirect', ifindex: 7, flags: 0n, result: XdpAction.REDIRECT }]);
});

bothEngines('redirect from tc: TC_ACT_REDIRECT with BPF_F_INGRESS allowed; other flags drop', withPacket('skb'), ({ env }, run) => {
  assert.equal(run(redirect(2, 1)).r0, BigInt(TcAction.REDIRECT));
  assert.equal(run(redirect(2, 2)).r0, BigInt(TcAction.SHOT));
  assert.deepEqual(env.redirects, [{ kind: 'redirect', ifindex: 2, flags: 1n, result: TcAction.REDIRECT }]);
});

bothEngines('clone_redirect: 0 for a known device, -EINVAL for an unknown one or a bad flag', withPacket('skb'), ({ env }, run) => {
  const packet = env.packet!;
  const clone = (ifindex: number, flags: number) => signed(run(`r1 = ${packet.ctx}\nr2 = ${ifindex}\nr3 = ${flags}\ncall 13\nexit`));
  assert.equal(clone(2, 1), 0n);
  assert.equal(clone(9, 0), -22n);
  assert.equal(clone(2, 4), -22n);
  assert.equal(env.redirects.length, 1);
  assert.equal(env.redirects[0]!.kind, 'clone_redirect');
});

bothEngines('redirect_map through a DEVMAP: the entry\'s device, the fallback action on a miss, broadcast',
  () => {
    const t = withPacket('xdp')();
    const devmap = t.env.maps.create({ type: MapType.DEVMAP, keySize: 4, valueSize: 4, maxEntries: 4 });
    devmap.update(0, 3);
    devmap.update(1, 5);
    return { ...t, devmap };
  }, ({ env, devmap }, run) => {
    const rm = (key: number, flags: number) => run(`r1 = ${devmap.handle} ll\nr2 = ${key}\nr3 = ${flags}\ncall 51\nexit`).r0;
    assert.equal(rm(1, 0), BigInt(XdpAction.REDIRECT));
    assert.equal(rm(2, XdpAction.PASS), BigInt(XdpAction.PASS));
    assert.equal(rm(0, 1 << 3 | 1 << 4), BigInt(XdpAction.REDIRECT));
    assert.equal(env.redirects.length, 2);
    assert.deepEqual([env.redirects[0]!.ifindex, env.redirects[0]!.key, env.redirects[0]!.map], [5, 1, devmap]);
    // Broadcast excluding the ingress device (3) leaves device 5 only.
    assert.deepEqual(env.redirects[1]!.targets!.map((t) => t.ifindex), [5]);
  });

const routes: FibRoute[] = [
  { prefix: '10.0.0.0/8', ifindex: 4, gateway: '192.168.0.1', smac: '02:00:00:00:00:01', dmac: '02:00:00:00:00:02', mtu: 1400, metric: 5 },
  { prefix: '10.1.0.0/16', ifindex: 6, smac: '02:00:00:00:00:03', dmac: '02:00:00:00:00:04', source: '10.1.0.100' },
  { prefix: '10.2.0.0/16', ifindex: 7 },
  { prefix: '10.66.0.0/16', type: 'blackhole' },
  { prefix: '2001:db8::/32', ifindex: 8, gateway: 'fe80::1', dmac: '02:00:00:00:00:08' },
];

// Fills a struct bpf_fib_lookup at r10-64 for `dst` (4 or 16 bytes) and calls fib_lookup.
function fib(family: number, dst: number[], flags: number, totLen = 0, plen = 64): string {
  const stores = [`*(u8 *)(r10 - 64) = ${family}`, `*(u16 *)(r10 - 58) = ${totLen}`];
  dst.forEach((b, i) => stores.push(`*(u8 *)(r10 - ${64 - 32 - i}) = ${b}`));
  return `
    r1 = 0
    *(u64 *)(r10 - 64) = r1
    *(u64 *)(r10 - 56) = r1
    *(u64 *)(r10 - 48) = r1
    *(u64 *)(r10 - 40) = r1
    *(u64 *)(r10 - 32) = r1
    *(u64 *)(r10 - 24) = r1
    *(u64 *)(r10 - 16) = r1
    *(u64 *)(r10 - 8) = r1
    ${stores.join('\n')}
    r1 = 0
    r2 = r10
    r2 += -64
    r3 = ${plen}
    r4 = ${flags}
    call 69
    r1 = r10
    r1 += -64
    *(u64 *)(r6 + 0) = r1
    exit`;
}

bothEngines('fib_lookup answers from the routes: longest prefix, gateway, MACs, MTU, metric; the failure codes', () => {
  const env = createHelperEnv({ routes });
  const out = env.space.alloc(8, { name: 'out' });
  return { env, out: out.start };
}, ({ env, out }, run) => {
  const look = (family: number, dst: number[], flags = 0, totLen = 0, plen = 64) => {
    const r = signed(run(`r6 = ${out} ll\n${fib(family, dst, flags, totLen, plen)}`));
    const at = Number(env.space.view.getBigUint64(out, true));
    return { r, p: env.space.bytes.slice(at, at + 64), view: new DataView(env.space.bytes.slice(at, at + 64).buffer) };
  };
  const hit = look(AF_INET, [10, 9, 9, 9]);
  assert.equal(hit.r, BigInt(FibResult.SUCCESS));
  assert.equal(hit.view.getUint32(8, true), 4, 'egress ifindex');
  assert.equal(hit.view.getUint32(12, true), 5, 'metric');
  assertBytes(hit.p.subarray(32, 36), [192, 168, 0, 1], 'gateway in ipv4_dst');
  assertBytes(hit.p.subarray(52, 64), [2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2], 'smac, dmac');
  assert.equal(hit.view.getUint16(6, true), 1400, 'mtu_result');
  const longer = look(AF_INET, [10, 1, 2, 3], FibFlag.SRC);
  assert.equal(longer.r, 0n);
  assert.equal(longer.view.getUint32(8, true), 6);
  assertBytes(longer.p.subarray(32, 36), [10, 1, 2, 3], 'no gateway: the destination stays');
  assertBytes(longer.p.subarray(16, 20), [10, 1, 0, 100], 'BPF_FIB_LOOKUP_SRC fills the source');
  assert.equal(look(AF_INET, [10, 9, 9, 9], FibFlag.SRC).r, BigInt(FibResult.NO_SRC_ADDR));
  assert.equal(look(AF_INET, [10, 2, 0, 1]).r, BigInt(FibResult.NO_NEIGH));
  assert.equal(look(AF_INET, [10, 2, 0, 1], FibFlag.SKIP_NEIGH).r, 0n);
  assert.equal(look(AF_INET, [10, 66, 0, 1]).r, BigInt(FibResult.BLACKHOLE));
  assert.equal(look(AF_INET, [11, 0, 0, 1]).r, BigInt(FibResult.NOT_FWDED));
  const big = look(AF_INET, [10, 9, 9, 9], 0, 1500);
  assert.equal(big.r, BigInt(FibResult.FRAG_NEEDED));
  assert.equal(big.view.getUint16(6, true), 1400);
  const v6 = look(AF_INET6, [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
  assert.equal(v6.r, 0n);
  assertBytes(v6.p.subarray(32, 48), [0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
  assert.equal(look(7, [1, 2, 3, 4]).r, -97n, 'unknown family: -EAFNOSUPPORT');
  assert.equal(look(AF_INET, [10, 9, 9, 9], 1 << 7).r, -22n, 'unknown flag');
  assert.equal(look(AF_INET, [10, 9, 9, 9], 0, 0, 60).r, -22n, 'plen below the struct size');
});

bothEngines('redirect_peer: TC_ACT_REDIRECT, recorded; any flag drops', withPacket('skb'), ({ env }, run) => {
  assert.equal(run('r1 = 4\nr2 = 0\ncall 155\nexit').r0, BigInt(TcAction.REDIRECT));
  assert.equal(run('r1 = 4\nr2 = 1\ncall 155\nexit').r0, BigInt(TcAction.SHOT));
  assert.deepEqual(env.redirects, [{ kind: 'redirect_peer', ifindex: 4, flags: 0n, result: TcAction.REDIRECT }]);
});
