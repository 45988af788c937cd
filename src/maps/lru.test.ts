import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Errno, MapFlag, MapType, UpdateFlag } from './constants.js';
import { HashMap } from './hash.js';
import { readU32 } from './bytes.js';
import { create, le32, le64, place, registry } from './maps.test.fixture.js';

const spec = { type: MapType.LRU_HASH, keySize: 4, valueSize: 8, maxEntries: 3 };
const keysOf = (m: HashMap): number[] => [...m.keys()].map((k) => readU32(k)).sort((a, b) => a - b);

test('a full LRU map evicts the least recently used element instead of failing', () => {
  const m = create(registry(), spec, HashMap);
  m.update(1, 1n);
  m.update(2, 2n);
  m.update(3, 3n);
  m.update(4, 4n);
  assert.deepEqual(keysOf(m), [2, 3, 4]);
  assert.deepEqual(m.lruOrder().map((k) => readU32(k)), [4, 3, 2]);
});

test('program lookups and updates refresh an element; syscall lookups do not', () => {
  const reg = registry();
  const m = create(reg, spec, HashMap);
  for (const k of [1, 2, 3]) m.update(k, BigInt(k));
  // Program lookup of 1: now 2 is the oldest.
  assert.ok(m.lookupAddress(place(reg, le32(1))) !== 0);
  m.update(4, 4n);
  assert.deepEqual(keysOf(m), [1, 3, 4]);
  // Syscall lookup of 3 does not count: 3 is the oldest and goes next.
  assert.equal(m.lookupU64(3), 3n);
  m.update(5, 5n);
  assert.deepEqual(keysOf(m), [1, 4, 5]);
  // An update (either side) counts: refresh 1, then insert 6 evicts 4.
  m.update(1, 11n, UpdateFlag.EXIST);
  assert.equal(m.updateElem(place(reg, le32(7)), place(reg, le64(7)), UpdateFlag.ANY), 0);
  assert.deepEqual(keysOf(m), [1, 5, 7]);
  assert.equal(m.lookupU64(1), 11n);
  // Deleting frees room without eviction.
  m.delete(5);
  m.update(8, 8n);
  assert.deepEqual(keysOf(m), [1, 7, 8]);
  // NOEXIST on an existing key fails without evicting anything.
  assert.equal(m.updateElem(place(reg, le32(8)), place(reg, le64(0)), UpdateFlag.NOEXIST), -Errno.EEXIST);
  assert.deepEqual(keysOf(m), [1, 7, 8]);
});

test('LRU_PERCPU_HASH evicts by recency too and keeps values per CPU', () => {
  const reg = registry(3);
  const m = create(reg, { ...spec, type: MapType.LRU_PERCPU_HASH }, HashMap);
  for (const k of [1, 2, 3]) m.updatePerCpu(k, [BigInt(k), 0n, 0n]);
  reg.currentCpu = 2;
  assert.ok(m.lookupPercpuAddress(place(reg, le32(1)), 0) !== 0);
  m.updatePerCpu(4, [4n, 4n, 4n]);
  assert.deepEqual(keysOf(m), [1, 3, 4]);
});

test('BPF_F_NO_COMMON_LRU: one list per CPU, eviction within the inserting CPU\'s list', () => {
  const reg = registry(2);
  const m = create(reg, { ...spec, maxEntries: 4, flags: MapFlag.NO_COMMON_LRU }, HashMap);
  assert.equal(m.maxEntries, 4);
  reg.currentCpu = 0;
  m.update(1, 1n);
  m.update(2, 2n);
  reg.currentCpu = 1;
  m.update(3, 3n);
  // CPU 0's list is full (2 of 4); another insertion on CPU 0 evicts CPU 0's oldest,
  // although the map holds only 3 elements.
  reg.currentCpu = 0;
  m.update(4, 4n);
  assert.deepEqual(keysOf(m), [2, 3, 4]);
  assert.deepEqual(m.lruOrder(1).map((k) => readU32(k)), [3]);
  reg.currentCpu = 1;
  m.update(5, 5n);
  m.update(6, 6n);
  assert.deepEqual(keysOf(m), [2, 4, 5, 6]);
  // Rounding: 5 entries over 2 CPUs become 6.
  assert.equal(create(reg, { ...spec, maxEntries: 5, flags: MapFlag.NO_COMMON_LRU }, HashMap).maxEntries, 6);
});
