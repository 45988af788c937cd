import assert from 'node:assert/strict';
import { MapType, PerfEventArray, RingBufMap } from '../maps/index.js';
import { VmError, VmErrorCode } from '../vm/index.js';
import { createHelperEnv } from './index.js';
import { bothEngines, signed, fakePacket, assertBytes } from './rig.test.fixture.js';

function perf(cpus = 2) {
  const env = createHelperEnv({ cpus });
  const map = env.maps.create({ type: MapType.PERF_EVENT_ARRAY, keySize: 4, valueSize: 4, maxEntries: cpus }) as PerfEventArray;
  map.openAll();
  return { env, map };
}

// Writes 8 bytes (0x0807060504030201) from the stack with the given flags.
const output = (handle: number, flags: string, size = 8) => `
  r1 = 0x0807060504030201 ll
  *(u64 *)(r10 - 8) = r1
  r2 = ${handle} ll
  r3 = ${flags} ll
  r4 = r10
  r4 += -8
  r5 = ${size}
  call 25
  exit`;

bothEngines('perf_event_output writes to the current CPU\'s buffer and records the sample', perf, ({ env, map }, run) => {
  env.maps.currentCpu = 1;
  assert.equal(run(output(map.handle, '0xffffffff')).r0, 0n);
  const samples = map.poll();
  assert.equal(samples.length, 1);
  assert.equal(samples[0]!.cpu, 1);
  assertBytes(samples[0]!.data, [1, 2, 3, 4, 5, 6, 7, 8]);
  assert.equal(env.events.length, 1);
  assert.equal(env.events[0]!.index, 1);
  assertBytes(env.events[0]!.data, [1, 2, 3, 4, 5, 6, 7, 8]);
  // Slot 0 is bound to CPU 0: writing it from CPU 1 is -EOPNOTSUPP, and nothing is recorded.
  assert.equal(signed(run(output(map.handle, '0'))), -95n);
  assert.equal(signed(run(output(map.handle, '5'))), -7n);
  assert.equal(env.events.length, 1);
});

bothEngines('perf_event_output appends packet bytes when flags ask for them', () => {
  const t = perf(1);
  t.env.packet = fakePacket(t.env.space, 'xdp', [0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88]);
  return t;
}, ({ env, map }, run) => {
  assert.equal(run(output(map.handle, '0x3ffffffff', 2)).r0, 0n);
  assertBytes(map.poll()[0]!.data, [1, 2, 0xaa, 0xbb, 0xcc]);
  assertBytes(env.events[0]!.data, [1, 2, 0xaa, 0xbb, 0xcc]);
});

function ring() {
  const env = createHelperEnv();
  const map = env.maps.create({ type: MapType.RINGBUF, keySize: 0, valueSize: 0, maxEntries: 4096 }) as RingBufMap;
  return { env, map };
}

bothEngines('ringbuf_output copies a record the consumer reads; query reports positions and size', ring, ({ map }, run) => {
  const prog = `
    r1 = 0x4142434445464748 ll
    *(u64 *)(r10 - 8) = r1
    r1 = ${map.handle} ll
    r2 = r10
    r2 += -8
    r3 = 8
    r4 = 0
    call 130
    r6 = r0
    r1 = ${map.handle} ll
    r2 = 3
    call 134
    r0 <<= 8
    r0 += r6
    exit`;
  assert.equal(run(prog).r0, 16n << 8n, 'PROD_POS after one 8+8-byte record');
  const recs = map.consume();
  assert.equal(recs.length, 1);
  assertBytes(recs[0]!, [0x48, 0x47, 0x46, 0x45, 0x44, 0x43, 0x42, 0x41]);
  assert.equal(run(`r1 = ${map.handle} ll\nr2 = 1\ncall 134\nexit`).r0, 4096n);
});

bothEngines('ringbuf reserve / submit / discard: discarded records are skipped; bad flags give NULL', ring, ({ map }, run) => {
  const reserve = (value: number, commit: 132 | 133, flags = 0) => `
    r1 = ${map.handle} ll
    r2 = 4
    r3 = ${flags}
    call 131
    if r0 == 0 goto null
    *(u32 *)(r0 + 0) = ${value}
    r1 = r0
    r2 = 0
    call ${commit}
    r0 = 1
    exit
  null:
    r0 = 0
    exit`;
  assert.equal(run(reserve(11, 132)).r0, 1n);
  assert.equal(run(reserve(22, 133)).r0, 1n);
  assert.equal(run(reserve(33, 132)).r0, 1n);
  assert.equal(run(reserve(44, 132, 1)).r0, 0n);
  assert.deepEqual(map.consume().map((r) => r[0]), [11, 33]);
});

bothEngines('ringbuf_submit of a pointer that is no record fails the run', ring, (_t, run) => {
  assert.throws(() => run('r1 = r10\nr1 += -8\nr2 = 0\ncall 132\nexit'), (e: unknown) =>
    e instanceof VmError && e.code === VmErrorCode.HELPER_FAILED && /not a ring buffer record/.test(e.message));
});

bothEngines('dynptr over a ring buffer reservation: write, read back, submit', ring, ({ map }, run) => {
  const prog = (size: number, writeAt: number) => `
    r1 = ${map.handle} ll
    r2 = ${size}
    r3 = 0
    r4 = r10
    r4 += -16
    call 198
    if r0 != 0 goto fail
    r1 = 0x0102030405060708 ll
    *(u64 *)(r10 - 24) = r1
    r1 = r10
    r1 += -16
    r2 = ${writeAt}
    r3 = r10
    r3 += -24
    r4 = 8
    r5 = 0
    call 202
    r6 = r0
    r1 = r10
    r1 += -32
    r2 = 4
    r3 = r10
    r3 += -16
    r4 = 2
    r5 = 0
    call 201
    r7 = r0
    r1 = r10
    r1 += -16
    r2 = 0
    call 199
    r0 = *(u32 *)(r10 - 32)
    r6 <<= 32
    r0 |= r6
    r7 <<= 48
    r0 |= r7
    exit
  fail:
    r0 = -1
    exit`;
  // Written at offset 0, read 4 bytes at offset 2: 06 05 04 03.
  assert.equal(run(prog(16, 0)).r0, 0x03040506n);
  const recs = map.consume();
  assert.equal(recs.length, 1);
  assertBytes(recs[0]!.subarray(0, 8), [8, 7, 6, 5, 4, 3, 2, 1]);
  // A 4-byte reservation: the 8-byte write is -E2BIG (bits 32-47 of r0), the record is still submitted.
  const r = run(prog(4, 0)).r0;
  assert.equal(BigInt.asIntN(16, (r >> 32n) & 0xffffn), -7n);
  assert.equal(map.consume()[0]!.length, 4);
});

bothEngines('dynptr_from_mem over the stack; dynptr_data gives a pointer or NULL', () => ({ env: createHelperEnv() }), (_t, run) => {
  const prog = (flags: number, off: number, len: number) => `
    r1 = 0x1122334455667788 ll
    *(u64 *)(r10 - 8) = r1
    r1 = r10
    r1 += -8
    r2 = 8
    r3 = ${flags}
    r4 = r10
    r4 += -32
    call 197
    if r0 != 0 goto out
    r1 = r10
    r1 += -32
    r2 = ${off}
    r3 = ${len}
    call 203
    if r0 == 0 goto null
    r0 = *(u8 *)(r0 + 0)
    exit
  null:
    r0 = 1000
  out:
    exit`;
  assert.equal(run(prog(0, 1, 4)).r0, 0x77n);
  assert.equal(run(prog(0, 6, 4)).r0, 1000n, 'past the end: NULL');
  assert.equal(signed(run(prog(1, 0, 1))), -22n);
});
