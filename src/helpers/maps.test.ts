import assert from 'node:assert/strict';
import { MapFlag, MapType, type BpfMap } from '../maps/index.js';
import { createHelperEnv, HErrno } from './index.js';
import { bothEngines, signed } from './rig.test.fixture.js';

function withMap(type: number, keySize: number, valueSize: number, flags = 0, cpus = 1) {
  return () => {
    const env = createHelperEnv({ cpus });
    const map: BpfMap = env.maps.create({ type, keySize, valueSize, maxEntries: 4, flags });
    return { env, map };
  };
}

// key 7 at r10-4, value at r10-16; update (flags r4), then look up and return the value + 1, or -1 on a miss.
const updateThenLookup = (handle: number, flags: number) => `
  *(u32 *)(r10 - 4) = 7
  r1 = 0x1122334455 ll
  *(u64 *)(r10 - 16) = r1
  r1 = ${handle} ll
  r2 = r10
  r2 += -4
  r3 = r10
  r3 += -16
  r4 = ${flags}
  call 2
  if r0 != 0 goto out
  r1 = ${handle} ll
  r2 = r10
  r2 += -4
  call 1
  if r0 == 0 goto miss
  r0 = *(u64 *)(r0 + 0)
  r0 += 1
  exit
miss:
  r0 = -1
out:
  exit`;

bothEngines('map_update_elem then map_lookup_elem on a hash map', withMap(MapType.HASH, 4, 8, MapFlag.NO_PREALLOC), ({ map }, run) => {
  assert.equal(run(updateThenLookup(map.handle, 0)).r0, 0x1122334456n);
  assert.equal(map.lookupU64(7), 0x1122334455n);
  // BPF_NOEXIST on an existing key: -EEXIST from the map, returned as is.
  assert.equal(signed(run(updateThenLookup(map.handle, 1))), -17n);
});

bothEngines('map_delete_elem returns 0, then -ENOENT', withMap(MapType.HASH, 4, 8), ({ map }, run) => {
  map.update(7, 5n);
  const del = `*(u32 *)(r10 - 4) = 7\nr1 = ${map.handle} ll\nr2 = r10\nr2 += -4\ncall 3\nexit`;
  assert.equal(run(del).r0, 0n);
  assert.equal(signed(run(del)), -BigInt(HErrno.ENOENT));
  assert.equal(map.lookup(7), undefined);
});

bothEngines('queue push, peek and pop', withMap(MapType.QUEUE, 0, 8), ({ map }, run) => {
  const prog = `
    r1 = 41
    *(u64 *)(r10 - 8) = r1
    r1 = ${map.handle} ll
    r2 = r10
    r2 += -8
    r3 = 0
    call 87
    r1 = 42
    *(u64 *)(r10 - 8) = r1
    r1 = ${map.handle} ll
    r2 = r10
    r2 += -8
    r3 = 0
    call 87
    r1 = ${map.handle} ll
    r2 = r10
    r2 += -16
    call 89
    r6 = *(u64 *)(r10 - 16)
    r1 = ${map.handle} ll
    r2 = r10
    r2 += -16
    call 88
    r0 = *(u64 *)(r10 - 16)
    r0 *= 100
    r0 += r6
    exit`;
  // peek and pop both see the oldest element, 41.
  assert.equal(run(prog).r0, 4141n);
  assert.equal(map.lookupAndDelete()?.[0], 42);
});

bothEngines('map_lookup_percpu_elem reads another CPU\'s value and NULL for a CPU past the last',
  withMap(MapType.PERCPU_ARRAY, 4, 8, 0, 2), ({ map, env }, run) => {
    map.update(1, new Uint8Array([5, 0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0]));
    const prog = (cpu: number) => `
      *(u32 *)(r10 - 4) = 1
      r1 = ${map.handle} ll
      r2 = r10
      r2 += -4
      r3 = ${cpu}
      call 195
      if r0 == 0 goto miss
      r0 = *(u64 *)(r0 + 0)
      exit
    miss:
      r0 = 99
      exit`;
    assert.equal(env.maps.currentCpu, 0);
    assert.equal(run(prog(1)).r0, 9n);
    assert.equal(run(prog(0)).r0, 5n);
    assert.equal(run(prog(2)).r0, 99n);
  });

bothEngines('a key pointer outside every region faults like a load would', withMap(MapType.HASH, 4, 8), ({ map }, run) => {
  assert.throws(() => run(`r1 = ${map.handle} ll\nr2 = 16\ncall 1\nexit`), /outside every region|outside memory/);
  // A map pointer that is no map is the program's bug, reported as such.
  assert.throws(() => run(`r1 = 12345\nr2 = r10\nr2 += -4\ncall 1\nexit`), (e: Error) =>
    /HELPER_FAILED/.test((e as { code?: string }).code ?? '') && /not a map pointer/.test(e.message));
});
