import assert from 'node:assert/strict';
import { createHelperEnv, XDP_FRAME_SIZE } from './index.js';
import { bothEngines, signed, fakePacket, assertBytes, XDP_MD } from './rig.test.fixture.js';

const FRAME = Array.from({ length: 60 }, (_, i) => i);

function xdp(headroom = 256, tailroom = 64) {
  const env = createHelperEnv();
  const packet = fakePacket(env.space, 'xdp', FRAME, { headroom, tailroom });
  env.packet = packet;
  env.ctx = packet.ctx;
  return { env, packet };
}

// Calls `helper`(ctx, delta) and returns (data_end - data) << 32 | (data - data_meta) << 16 | (u16)result,
// reading the context after the call as a program would.
const adjust = (helper: number, delta: number) => `
  r6 = r1
  r2 = ${delta}
  call ${helper}
  r0 &= 0xffff
  r2 = *(u32 *)(r6 + ${XDP_MD.data})
  r3 = *(u32 *)(r6 + ${XDP_MD.data_end})
  r4 = *(u32 *)(r6 + ${XDP_MD.data_meta})
  r3 -= r2
  r3 <<= 32
  r2 -= r4
  r2 <<= 16
  r0 |= r3
  r0 |= r2
  exit`;

const unpack = (r: bigint) => ({ len: Number(r >> 32n), meta: Number((r >> 16n) & 0xffffn), ret: Number(BigInt.asIntN(16, r & 0xffffn)) });

bothEngines('xdp_adjust_head grows and shrinks the head within the headroom (minus xdp_frame) and keeps 14 bytes', xdp,
  ({ packet }, run) => {
    const args = [packet.ctx];
    assert.deepEqual(unpack(run(adjust(44, -20), { args }).r0), { len: 80, meta: 0, ret: 0 });
    assert.equal(packet.bytes().length, 80);
    assertBytes(packet.bytes().subarray(20, 24), [0, 1, 2, 3]);
    assert.deepEqual(unpack(run(adjust(44, 20), { args }).r0), { len: 60, meta: 0, ret: 0 });
    const room = 256 - XDP_FRAME_SIZE;
    assert.deepEqual(unpack(run(adjust(44, -room - 1), { args }).r0), { len: 60, meta: 0, ret: -22 });
    assert.deepEqual(unpack(run(adjust(44, -room), { args }).r0), { len: 60 + room, meta: 0, ret: 0 });
    assert.deepEqual(unpack(run(adjust(44, room + 60 - 14 + 1), { args }).r0), { len: 60 + room, meta: 0, ret: -22 });
    assert.deepEqual(unpack(run(adjust(44, room + 60 - 14), { args }).r0), { len: 14, meta: 0, ret: 0 });
  });

bothEngines('xdp_adjust_meta: 4-byte multiples up to 32 bytes, never past data; adjust_head carries the metadata along', xdp,
  ({ packet, env }, run) => {
    const args = [packet.ctx];
    assert.deepEqual(unpack(run(adjust(54, -8), { args }).r0), { len: 60, meta: 8, ret: 0 });
    assert.deepEqual(unpack(run(adjust(54, -26), { args }).r0), { len: 60, meta: 8, ret: -13 }, 'metadata of 34 bytes: -EACCES');
    assert.deepEqual(unpack(run(adjust(54, -2), { args }).r0), { len: 60, meta: 8, ret: -13 }, 'not a multiple of 4: -EACCES');
    assert.deepEqual(unpack(run(adjust(54, 12), { args }).r0), { len: 60, meta: 8, ret: -22 }, 'past data: -EINVAL');
    env.space.bytes.set([0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4], packet.dataMeta);
    assert.deepEqual(unpack(run(adjust(44, -4), { args }).r0), { len: 64, meta: 8, ret: 0 });
    assertBytes(env.space.bytes.subarray(packet.dataMeta, packet.data), [0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4]);
    assert.deepEqual(unpack(run(adjust(54, 8), { args }).r0), { len: 64, meta: 0, ret: 0 });
  });

bothEngines('xdp_adjust_tail grows into the tailroom (zero-filled) and shrinks to 14 bytes at least', xdp, ({ packet, env }, run) => {
  const args = [packet.ctx];
  env.space.bytes.fill(0x5a, packet.dataEnd, packet.region.end);
  assert.deepEqual(unpack(run(adjust(65, 65), { args }).r0), { len: 60, meta: 0, ret: -22 });
  assert.deepEqual(unpack(run(adjust(65, 64), { args }).r0), { len: 124, meta: 0, ret: 0 });
  assert.ok(packet.bytes().subarray(60).every((b) => b === 0));
  assert.deepEqual(unpack(run(adjust(65, -111), { args }).r0), { len: 124, meta: 0, ret: -22 });
  assert.deepEqual(unpack(run(adjust(65, -110), { args }).r0), { len: 14, meta: 0, ret: 0 });
});

bothEngines('xdp_load_bytes / xdp_store_bytes / xdp_get_buff_len', xdp, ({ packet }, run) => {
  const args = [packet.ctx];
  const load = (off: number, len: number) => run(`
    r6 = r1
    r2 = ${off}
    r3 = r10
    r3 += -8
    r4 = ${len}
    call 189
    if r0 != 0 goto out
    r0 = *(u64 *)(r10 - 8)
  out:
    exit`, { args });
  assert.equal(load(52, 8).r0, 0x3b3a393837363534n);
  assert.equal(signed(load(53, 8)), -22n);
  const store = run(`
    r1 = 0x1122334455667788 ll
    *(u64 *)(r10 - 8) = r1
    r1 = ${packet.ctx}
    r2 = 4
    r3 = r10
    r3 += -8
    r4 = 8
    call 190
    r6 = r0
    r1 = ${packet.ctx}
    call 188
    r0 <<= 8
    r0 += r6
    exit`, { args });
  assert.equal(store.r0, 60n << 8n);
  assertBytes(packet.bytes().subarray(2, 14), [2, 3, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11, 12, 13]);
});

bothEngines('xdp helpers need an XDP packet', () => ({ env: createHelperEnv() }), (_t, run) => {
  assert.throws(() => run('r2 = 0\ncall 44\nexit'), /needs a packet/);
});

bothEngines('check_mtu: the packet (or *mtu_len, an L3 length) plus len_diff against mtu + 14; *mtu_len gets the MTU', () => {
  const env = createHelperEnv({ mtu: 100, ifindexes: [1, 2] });
  env.packet = fakePacket(env.space, 'xdp', FRAME);
  return { env };
}, (_t, run) => {
  const check = (ifindex: number, mtuIn: number, diff: number, flags = 0) => {
    const r = run(`
      *(u32 *)(r10 - 4) = ${mtuIn}
      r1 = 0
      r2 = ${ifindex}
      r3 = r10
      r3 += -4
      r4 = ${diff}
      r5 = ${flags}
      call 163
      r1 = *(u32 *)(r10 - 4)
      r1 <<= 32
      r0 &= 0xffff
      r0 |= r1
      exit`).r0;
    return [Number(BigInt.asIntN(16, r & 0xffffn)), Number(r >> 32n)];
  };
  assert.deepEqual(check(0, 0, 0), [0, 100], '60 bytes fit in 114');
  assert.deepEqual(check(0, 0, 54), [0, 100]);
  assert.deepEqual(check(0, 0, 55), [1, 100], 'FRAG_NEEDED');
  assert.deepEqual(check(2, 101, 0), [1, 100], 'an L3 length of 101 does not fit');
  assert.deepEqual(check(2, 100, 0), [0, 100]);
  assert.deepEqual(check(7, 0, 0), [-19, 0], 'no such device');
  assert.deepEqual(check(0, 0, 0, 1), [-22, 0], 'XDP takes no flags');
});
