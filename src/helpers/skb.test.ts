import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHelperEnv, CsumFlag } from './index.js';
import { csumFold, csumPartialWords, csumReplace2, csumReplace4, csumReplaceByDiff } from './csum.js';
import { bothEngines, signed, fakePacket, assertBytes, SK_BUFF } from './rig.test.fixture.js';

/** The RFC 1071 checksum of `bytes` (big-endian 16-bit words), computed from scratch. */
function internetChecksum(bytes: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < bytes.length; i += 2) sum += (bytes[i]! << 8) | (bytes[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** Ethernet + IPv4 (valid header checksum) + UDP with checksum `udpCheck` + 4 payload bytes. */
function frame(udpCheck = 0x1234): Uint8Array {
  const f = new Uint8Array(14 + 20 + 8 + 4);
  f.set([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x08, 0x00]);
  f.set([0x45, 0, 0, 32, 0x12, 0x34, 0x40, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2], 14);
  const ipCheck = internetChecksum(f.subarray(14, 34));
  f[24] = ipCheck >> 8;
  f[25] = ipCheck & 0xff;
  f.set([0x30, 0x39, 0x00, 0x35, 0, 12, udpCheck >> 8, udpCheck & 0xff, 0xde, 0xad, 0xbe, 0xef], 34);
  return f;
}

function skb(udpCheck?: number) {
  const env = createHelperEnv();
  const packet = fakePacket(env.space, 'skb', frame(udpCheck));
  env.packet = packet;
  env.ctx = packet.ctx;
  return { env, packet };
}

test('csum arithmetic: incremental updates give what a full recomputation gives', () => {
  let seed = 12345;
  const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
  for (let n = 0; n < 500; n++) {
    const hdr = Uint8Array.from({ length: 20 }, () => rnd() & 0xff);
    hdr[10] = 0; hdr[11] = 0;
    const check = internetChecksum(hdr);
    hdr[10] = check >> 8; hdr[11] = check & 0xff;
    const view = new DataView(hdr.buffer);
    const stored = view.getUint16(10, true);
    const off = 12 + 4 * (rnd() % 2);
    const from = view.getUint32(off, true);
    const to = rnd();
    view.setUint32(off, to, true);
    view.setUint16(10, csumReplace4(stored, from, to), true);
    assert.equal(internetChecksum(hdr), 0, 'replace4 keeps the header valid');
    const from16 = view.getUint16(8, true);
    const to16 = rnd() & 0xffff;
    view.setUint16(8, to16, true);
    view.setUint16(10, csumReplace2(view.getUint16(10, true), from16, to16), true);
    assert.equal(internetChecksum(hdr), 0, 'replace2 keeps the header valid');
    // The same change through csum_diff of the old and new words.
    const old = hdr.slice(12, 16);
    const neu = Uint8Array.from({ length: 4 }, () => rnd() & 0xff);
    hdr.set(neu, 12);
    const inv = old.map((b) => ~b & 0xff);
    const diff = csumPartialWords(Uint8Array.from([...inv, ...neu]), 0);
    view.setUint16(10, csumReplaceByDiff(view.getUint16(10, true), diff), true);
    assert.equal(internetChecksum(hdr), 0, 'replace by diff keeps the header valid');
  }
  assert.equal(csumFold(0), 0xffff);
  assert.equal(csumFold(0xffffffff), 0);
});

// Rewrites the IPv4 destination (offset 30) to 192.168.1.1 with skb_store_bytes, then fixes the
// IP checksum (offset 24) with l3_csum_replace and the UDP one (offset 40) with l4 + PSEUDO_HDR.
const rewrite = (l4flags: number) => `
  r6 = r1
  r7 = *(u32 *)(r6 + ${SK_BUFF.data})
  r8 = *(u32 *)(r6 + ${SK_BUFF.data_end})
  r1 = r7
  r1 += 34
  if r1 > r8 goto drop
  r9 = *(u32 *)(r7 + 30)
  r1 = 0x0101a8c0
  *(u32 *)(r10 - 4) = r1
  r1 = r6
  r2 = 30
  r3 = r10
  r3 += -4
  r4 = 4
  r5 = 0
  call 9
  if r0 != 0 goto out
  r1 = r6
  r2 = 24
  r3 = r9
  r4 = 0x0101a8c0
  r5 = 4
  call 10
  if r0 != 0 goto out
  r1 = r6
  r2 = 40
  r3 = r9
  r4 = 0x0101a8c0
  r5 = ${l4flags}
  call 11
out:
  exit
drop:
  r0 = -1
  exit`;

bothEngines('skb_store_bytes + l3/l4_csum_replace rewrite an address and keep both checksums valid', () => skb(), ({ packet }, run) => {
  const before = packet.bytes().slice();
  assert.equal(run(rewrite(CsumFlag.PSEUDO_HDR | 4), { args: [packet.ctx] }).r0, 0n);
  const after = packet.bytes();
  assertBytes(after.subarray(30, 34), [192, 168, 1, 1]);
  assert.equal(internetChecksum(after.subarray(14, 34)), 0, 'IP header checksum valid');
  // The UDP checksum covers the pseudo-header's addresses: its sum changed exactly as the address did.
  const pseudo = (f: Uint8Array) => {
    const b = new Uint8Array(12 + 12);
    b.set(f.subarray(26, 34));
    b.set([0, 17, 0, 12], 8);
    b.set(f.subarray(34, 46), 12);
    return internetChecksum(b);
  };
  assert.equal(pseudo(after), pseudo(before));
});

bothEngines('l4_csum_replace with MARK_MANGLED_0 leaves a zero UDP checksum alone', () => skb(0), ({ packet }, run) => {
  assert.equal(run(rewrite(CsumFlag.MARK_MANGLED_0 | 4), { args: [packet.ctx] }).r0, 0n);
  assertBytes(packet.bytes().subarray(40, 42), [0, 0]);
});

bothEngines('csum flags, sizes and offsets Linux refuses', () => skb(), ({ packet }, run) => {
  const call = (id: number, off: number, from: number, flags: number) =>
    signed(run(`r1 = ${packet.ctx}\nr2 = ${off}\nr3 = ${from}\nr4 = 1\nr5 = ${flags}\ncall ${id}\nexit`));
  assert.equal(call(10, 24, 0, 3), -22n, 'size 3');
  assert.equal(call(10, 24, 0, 0x14), -22n, 'l3 takes no PSEUDO_HDR');
  assert.equal(call(10, 24, 5, 0), -22n, 'size 0 needs from = 0');
  assert.equal(call(10, 25, 0, 2), -14n, 'odd offset');
  assert.equal(call(11, 45, 0, 2), -14n, 'past the packet');
  assert.equal(call(11, 24, 0, 0x80), -22n, 'unknown flag');
});

bothEngines('skb_load_bytes copies or zero-fills with -EFAULT; skb_store_bytes checks flags and bounds; INVALIDATE_HASH clears hash',
  () => skb(), ({ packet, env }, run) => {
    const load = (off: number) => run(`
      r1 = -1
      *(u64 *)(r10 - 8) = r1
      r1 = ${packet.ctx}
      r2 = ${off}
      r3 = r10
      r3 += -8
      r4 = 8
      call 26
      r1 = *(u64 *)(r10 - 8)
      r0 += r1
      exit`);
    assert.equal(load(0).r0, 0x0706050403020100n);
    assert.equal(signed(load(39)), -14n, 'zero-filled, then -EFAULT');
    env.space.view.setUint32(packet.ctx + SK_BUFF.hash, 0xabcd, true);
    const store = (off: number, flags: number) => signed(run(`
      *(u16 *)(r10 - 2) = 0xbbaa
      r1 = ${packet.ctx}
      r2 = ${off}
      r3 = r10
      r3 += -2
      r4 = 2
      r5 = ${flags}
      call 9
      exit`));
    assert.equal(store(0, 4), -22n);
    assert.equal(store(45, 0), -14n);
    assert.equal(env.space.view.getUint32(packet.ctx + SK_BUFF.hash, true), 0xabcd);
    assert.equal(store(44, 3), 0n);
    assertBytes(packet.bytes().subarray(44, 46), [0xaa, 0xbb]);
    assert.equal(env.space.view.getUint32(packet.ctx + SK_BUFF.hash, true), 0);
  });

bothEngines('csum_diff sums complemented old words and new words onto the seed', () => ({ env: createHelperEnv() }), (_t, run) => {
  const diff = (fromSize: number, toSize: number, seed: number) => signed(run(`
    r1 = 0x0000ffff01020304 ll
    *(u64 *)(r10 - 8) = r1
    r1 = 0x0a0b0c0d05060708 ll
    *(u64 *)(r10 - 16) = r1
    r1 = r10
    r1 += -8
    r2 = ${fromSize}
    r3 = r10
    r3 += -16
    r4 = ${toSize}
    r5 = ${seed}
    call 28
    exit`));
  const model = (from: number[], to: number[], seed: number) =>
    BigInt(csumPartialWords(Uint8Array.from([...from.map((b) => ~b & 0xff), ...to]), seed));
  assert.equal(diff(4, 4, 0), model([4, 3, 2, 1], [8, 7, 6, 5], 0));
  assert.equal(diff(8, 8, 77), model([4, 3, 2, 1, 0xff, 0xff, 0, 0], [8, 7, 6, 5, 0xd, 0xc, 0xb, 0xa], 77));
  assert.equal(diff(0, 4, 0), 0x05060708n);
  assert.equal(diff(2, 4, 0), -22n, 'sizes must be multiples of 4');
});

bothEngines('skb_change_tail grows (zero-padded) and shrinks within the MTU, the buffer and 14 bytes', () => {
  const env = createHelperEnv({ mtu: 100 });
  const packet = fakePacket(env.space, 'skb', frame(), { headroom: 32, tailroom: 200 });
  env.packet = packet;
  return { env, packet };
}, ({ packet, env }, run) => {
  const change = (len: number, flags = 0) => signed(run(`
    r6 = r1
    r2 = ${len}
    r3 = ${flags}
    call 38
    r1 = *(u32 *)(r6 + ${SK_BUFF.len})
    r1 <<= 16
    r0 &= 0xffff
    r0 |= r1
    exit`, { args: [packet.ctx] }));
  const both = (len: number, ret: number) => BigInt(len) << 16n | BigInt(ret & 0xffff);
  env.space.bytes.fill(0x77, packet.dataEnd, packet.region.end);
  assert.equal(change(114), both(114, 0));
  assert.ok(packet.bytes().subarray(46).every((b) => b === 0), 'zero-padded');
  assert.equal(change(115), both(114, -22), 'past mtu + ETH_HLEN');
  assert.equal(change(13), both(114, -22), 'shorter than an Ethernet header');
  assert.equal(change(20, 1), both(114, -22), 'flags');
  assert.equal(change(20), both(20, 0));
  assertBytes(packet.bytes(), frame().subarray(0, 20));
});

bothEngines('skb_change_head pushes zeroed bytes in front; -ENOMEM past the headroom', () => {
  const env = createHelperEnv();
  const packet = fakePacket(env.space, 'skb', frame(), { headroom: 16 });
  env.packet = packet;
  return { env, packet };
}, ({ packet }, run) => {
  const push = (room: number) => signed(run(`r2 = ${room}\nr3 = 0\ncall 43\nexit`, { args: [packet.ctx] }));
  assert.equal(push(4), 0n);
  assert.equal(packet.bytes().length, 50);
  assertBytes(packet.bytes().subarray(0, 6), [0, 0, 0, 0, 0, 1]);
  assert.equal(push(13), -12n);
  assert.equal(push(12), 0n);
  assert.equal(packet.bytes().length, 62);
});

bothEngines('skb_pull_data, set_hash, csum_update', () => skb(), ({ packet, env }, run) => {
  assert.equal(signed(run(`r2 = 46\ncall 39\nexit`, { args: [packet.ctx] })), 0n);
  assert.equal(signed(run(`r2 = 47\ncall 39\nexit`, { args: [packet.ctx] })), -12n);
  run(`r2 = 0xfeed\ncall 48\nexit`, { args: [packet.ctx] });
  assert.equal(env.space.view.getUint32(packet.ctx + SK_BUFF.hash, true), 0xfeed);
  run(`call 41\nexit`, { args: [packet.ctx] });
  assert.equal(env.space.view.getUint32(packet.ctx + SK_BUFF.hash, true), 0);
  assert.equal(signed(run(`r2 = 5\ncall 40\nexit`, { args: [packet.ctx] })), -524n);
});
