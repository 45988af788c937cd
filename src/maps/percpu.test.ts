import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Errno, MapType, UpdateFlag } from './constants.js';
import { ArrayMap } from './array.js';
import { HashMap } from './hash.js';
import { readU64 } from './bytes.js';
import { create, hex, le32, le64, place, registry, throwsErrno } from './maps.test.fixture.js';

test('PERCPU_ARRAY with 3 CPUs: each CPU writes its own slot, the syscall side sees all', () => {
  const reg = registry(3);
  const m = create(reg, { type: MapType.PERCPU_ARRAY, keySize: 4, valueSize: 4, maxEntries: 2 }, ArrayMap);
  assert.equal(m.userValueSize, 24, '3 CPUs × round_up(4, 8)');
  const key = place(reg, le32(1));
  for (let cpu = 0; cpu < 3; cpu++) {
    reg.currentCpu = cpu;
    const p = m.lookupAddress(key);
    reg.space.view.setUint32(p, 100 + cpu, true);
  }
  assert.deepEqual(m.lookupPerCpu(1)!.map((v) => hex(v)), ['64000000', '65000000', '66000000']);
  assert.equal(m.lookup(1)!.length, 24);
  // bpf_map_lookup_percpu_elem reaches any CPU; an out-of-range CPU is NULL.
  reg.currentCpu = 0;
  assert.equal(reg.space.view.getUint32(m.lookupPercpuAddress(key, 2), true), 102);
  assert.equal(m.lookupPercpuAddress(key, 3), 0);
  // A program update writes the current CPU's value only.
  reg.currentCpu = 1;
  assert.equal(m.updateElem(key, place(reg, le32(7)), 0), 0);
  assert.deepEqual(m.lookupPerCpu(1)!.map((v) => hex(v)), ['64000000', '07000000', '66000000']);
  // The syscall side writes all CPUs at once.
  m.updatePerCpu(0, [1, 2, 3]);
  assert.deepEqual(m.lookupPerCpu(0)!.map((v) => v[0]), [1, 2, 3]);
  const flat = new Uint8Array(24);
  flat[16] = 9;
  m.update(0, flat);
  assert.deepEqual(m.lookupPerCpu(0)!.map((v) => v[0]), [0, 0, 9]);
  throwsErrno(() => m.update(0, new Uint8Array(4)), Errno.EINVAL);
  throwsErrno(() => m.updatePerCpu(0, [1, 2]), Errno.EINVAL);
  throwsErrno(() => m.update(0, flat, UpdateFlag.F_LOCK), Errno.EINVAL);
  throwsErrno(() => m.update(0, flat, UpdateFlag.NOEXIST), Errno.EEXIST);
});

test('PERCPU_HASH with 3 CPUs: a program insertion sets this CPU and zeroes the others', () => {
  const reg = registry(3);
  const m = create(reg, { type: MapType.PERCPU_HASH, keySize: 4, valueSize: 8, maxEntries: 4 }, HashMap);
  const key = place(reg, le32(5));
  reg.currentCpu = 2;
  assert.equal(m.updateElem(key, place(reg, le64(50)), UpdateFlag.NOEXIST), 0);
  assert.deepEqual(m.lookupPerCpu(5)!.map((v) => readU64(v)), [0n, 0n, 50n]);
  reg.currentCpu = 0;
  assert.equal(m.updateElem(key, place(reg, le64(7)), UpdateFlag.EXIST), 0);
  assert.deepEqual(m.lookupPerCpu(5)!.map((v) => readU64(v)), [7n, 0n, 50n]);
  // Each CPU's pointer is its own slot; stores show up on the syscall side.
  reg.currentCpu = 1;
  const p1 = m.lookupAddress(key);
  reg.space.view.setBigUint64(p1, 11n, true);
  assert.deepEqual(m.lookupPerCpu(5)!.map((v) => readU64(v)), [7n, 11n, 50n]);
  assert.equal(m.lookupPercpuAddress(key, 1), p1);
  assert.equal(m.lookupPercpuAddress(key, 0) + 8, p1);
  m.updatePerCpu(6, [1n, 2n, 3n]);
  const all = m.lookupAndDelete(6)!;
  assert.equal(all.length, 24);
  assert.deepEqual([0, 8, 16].map((o) => readU64(all, o)), [1n, 2n, 3n]);
  const batch = m.lookupBatch(undefined, 10);
  assert.equal(batch.values[0]!.length, 24);
  // Non-per-CPU maps reject the per-CPU helpers.
  const plain = create(reg, { type: MapType.HASH, keySize: 4, valueSize: 8, maxEntries: 4 }, HashMap);
  assert.equal(plain.lookupPercpuAddress(key, 0), 0);
  throwsErrno(() => plain.lookupPerCpu(1), Errno.EINVAL);
});
