import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Errno, MapFlag, MapType, UpdateFlag } from './constants.js';
import { MapErrorCode } from './errors.js';
import { HashMap } from './hash.js';
import { u32, u64, readU32 } from './bytes.js';
import { at, create, hex, le32, le64, place, registry, throwsErrno } from './maps.test.fixture.js';

const spec = { type: MapType.HASH, keySize: 4, valueSize: 8, maxEntries: 4, name: 'h' };

test('user side: update flags, lookup, delete', () => {
  const m = create(registry(), spec, HashMap);
  assert.equal(m.lookup(1), undefined);
  m.update(1, 100n);
  assert.equal(m.lookupU64(1), 100n);
  throwsErrno(() => m.update(1, 5n, UpdateFlag.NOEXIST), Errno.EEXIST, MapErrorCode.EXISTS);
  throwsErrno(() => m.update(2, 5n, UpdateFlag.EXIST), Errno.ENOENT, MapErrorCode.NOT_FOUND);
  m.update(1, 7n, UpdateFlag.EXIST);
  assert.equal(m.lookupU64(1), 7n);
  m.update(2, 8n, UpdateFlag.NOEXIST);
  throwsErrno(() => m.update(3, 1n, 3), Errno.EINVAL);
  throwsErrno(() => m.update(3, 1n, UpdateFlag.F_LOCK), Errno.EINVAL);
  throwsErrno(() => m.lookup(1, UpdateFlag.F_LOCK), Errno.EINVAL);
  throwsErrno(() => m.lookup(1, 8), Errno.EINVAL);
  m.delete(1);
  assert.equal(m.lookup(1), undefined);
  throwsErrno(() => m.delete(1), Errno.ENOENT);
  assert.equal(hex(m.lookupAndDelete(2)), hex(u64(8n)));
  assert.equal(m.lookupAndDelete(2), undefined);
  assert.equal(m.count, 0);
  throwsErrno(() => m.update(new Uint8Array(3), 1n), Errno.EINVAL, MapErrorCode.BAD_ARGUMENT);
  throwsErrno(() => m.lookup(null), Errno.EFAULT, MapErrorCode.BAD_ARGUMENT);
});

test('a full hash map refuses new keys with E2BIG but updates existing ones', () => {
  for (const flags of [0, MapFlag.NO_PREALLOC]) {
    const m = create(registry(), { ...spec, flags }, HashMap);
    for (let k = 0; k < 4; k++) m.update(k, BigInt(k));
    throwsErrno(() => m.update(9, 9n), Errno.E2BIG, MapErrorCode.FULL);
    m.update(3, 33n);
    assert.equal(m.lookupU64(3), 33n);
    m.delete(0);
    m.update(9, 9n);
    assert.equal(m.count, 4);
  }
});

test('program side: lookup returns a stable pointer the user side sees through', () => {
  const reg = registry();
  const m = create(reg, spec, HashMap);
  const key = place(reg, le32(42));
  const val = place(reg, le64(5));
  assert.equal(m.lookupAddress(key), 0);
  assert.equal(m.updateElem(key, val, UpdateFlag.ANY), 0);
  const p = m.lookupAddress(key);
  assert.ok(p >= 65536);
  assert.equal(m.lookupU64(42), 5n);
  // A program stores through the pointer; the syscall side reads it.
  reg.space.view.setBigUint64(p, 1234n, true);
  assert.equal(m.lookupU64(42), 1234n);
  // Updates (either side) keep the address.
  m.update(42, 77n);
  assert.equal(m.lookupAddress(key), p);
  assert.equal(reg.space.view.getBigUint64(p, true), 77n);
  assert.equal(m.updateElem(key, val, 2n), 0);
  assert.equal(m.lookupAddress(key), p);
  assert.equal(m.updateElem(key, val, UpdateFlag.NOEXIST), -Errno.EEXIST);
  assert.equal(m.updateElem(key, val, 4), -Errno.EINVAL);
  assert.equal(m.updateElem(key, val, 1n << 40n), -Errno.EINVAL);
  assert.equal(m.deleteElem(key), 0);
  assert.equal(m.deleteElem(key), -Errno.ENOENT);
  assert.equal(m.updateElem(key, val, UpdateFlag.EXIST), -Errno.ENOENT);
  // The value region lies inside the address space's region table.
  assert.equal(m.updateElem(key, val, 0), 0);
  const region = reg.space.find(m.lookupAddress(key), 8);
  assert.ok(region && region.name === 'map:h' && region.writable);
  assert.throws(() => m.lookupAddress(reg.space.byteLength - 2));
});

test('getNextKey iterates every key once and restarts from the first for an unknown key', () => {
  const m = create(registry(), { ...spec, maxEntries: 64 }, HashMap);
  for (let k = 0; k < 50; k++) m.update(k * 7, BigInt(k));
  const seen = [...m.keys()].map((k) => readU32(k));
  assert.equal(seen.length, 50);
  assert.deepEqual([...seen].sort((a, b) => a - b), Array.from({ length: 50 }, (_, k) => k * 7));
  const first = m.getNextKey();
  assert.equal(hex(m.getNextKey(1000)), hex(first), 'unknown key restarts');
  assert.equal(m.getNextKey(seen[49]!), undefined, 'the last key ends the walk');
  // Deleting the current key during a walk restarts it (Linux's documented quirk).
  const second = m.getNextKey(seen[0]!)!;
  m.delete(second);
  assert.equal(hex(m.getNextKey(second)), hex(first));
  assert.equal([...m.entries()].length, 49);
  const empty = create(registry(), spec, HashMap);
  assert.equal(empty.getNextKey(), undefined);
  assert.equal(empty.getNextKey(5), undefined);
});

test('BPF_F_NO_PREALLOC takes memory on demand and gives it back', () => {
  const reg = registry();
  const m = create(reg, { ...spec, maxEntries: 3000, flags: MapFlag.NO_PREALLOC }, HashMap);
  const before = reg.space.listRegions().length;
  for (let k = 0; k < 3000; k++) m.update(k, BigInt(k));
  assert.ok(reg.space.listRegions().length > before);
  for (let k = 0; k < 3000; k++) assert.equal(m.lookupU64(k), BigInt(k));
  for (let k = 0; k < 3000; k++) m.delete(k);
  assert.equal(reg.space.listRegions().length, before);
  m.update(5, 5n);
  assert.equal(m.lookupU64(5), 5n);
  // Preallocated maps hold all their memory from the start and recycle slots.
  const p = create(reg, { ...spec, maxEntries: 8 }, HashMap);
  const regions = reg.space.listRegions().length;
  for (let round = 0; round < 3; round++) {
    for (let k = 0; k < 8; k++) p.update(k + round * 8, 1n);
    for (let k = 0; k < 8; k++) p.delete(k + round * 8);
  }
  assert.equal(reg.space.listRegions().length, regions);
});

test('syscall access flags and freezing', () => {
  const reg = registry();
  const ro = create(reg, { ...spec, flags: MapFlag.RDONLY }, HashMap);
  throwsErrno(() => ro.update(1, 1n), Errno.EPERM, MapErrorCode.PERMISSION);
  assert.equal(ro.lookup(1), undefined);
  throwsErrno(() => ro.freeze(), Errno.EPERM);
  const key = place(reg, le32(1));
  assert.equal(ro.updateElem(key, place(reg, le64(3)), 0), 0, 'programs may still write');
  assert.equal(ro.lookupU64(1), 3n);
  const wo = create(reg, { ...spec, flags: MapFlag.WRONLY }, HashMap);
  wo.update(1, 1n);
  throwsErrno(() => wo.lookup(1), Errno.EPERM);
  throwsErrno(() => wo.getNextKey(), Errno.EPERM);
  const fz = create(reg, spec, HashMap);
  fz.update(1, 1n);
  fz.freeze();
  throwsErrno(() => fz.freeze(), Errno.EBUSY);
  throwsErrno(() => fz.update(1, 2n), Errno.EPERM);
  throwsErrno(() => fz.delete(1), Errno.EPERM);
  assert.equal(fz.lookupU64(1), 1n);
  assert.equal(fz.updateElem(key, place(reg, le64(9)), 0), 0);
  const rp = create(reg, { ...spec, flags: MapFlag.RDONLY_PROG }, HashMap);
  rp.update(1, 1n);
  assert.equal(rp.updateElem(key, key, 0), -Errno.EPERM);
  assert.equal(rp.deleteElem(key), -Errno.EPERM);
  assert.equal(reg.space.find(rp.lookupAddress(key), 8)?.writable, false);
});

test('batch lookup walks whole buckets with a u32 bucket cursor', () => {
  const m = create(registry(), { ...spec, maxEntries: 32 }, HashMap);
  for (let k = 0; k < 20; k++) m.update(k, BigInt(k * 10));
  const got = new Map<number, bigint>();
  let cursor: Uint8Array | undefined;
  let calls = 0;
  for (;;) {
    const r = m.lookupBatch(cursor, 5);
    calls++;
    assert.ok(r.keys.length <= 5);
    r.keys.forEach((k, i) => got.set(readU32(k), new DataView(r.values[i]!.buffer).getBigUint64(0, true)));
    if (r.done) break;
    assert.equal(r.outBatch!.length, 4);
    cursor = r.outBatch;
  }
  assert.ok(calls >= 4);
  assert.equal(got.size, 20);
  for (let k = 0; k < 20; k++) assert.equal(got.get(k), BigInt(k * 10));
  // A cursor past the last bucket is ENOENT at once.
  const end = m.lookupBatch(u32(32), 5);
  assert.deepEqual([end.keys.length, end.done], [0, true]);
  assert.equal(m.lookupBatch(undefined, 0).keys.length, 0);
  throwsErrno(() => m.lookupBatch(undefined, 5, { flags: 1 }), Errno.EINVAL);
  throwsErrno(() => m.lookupBatch(undefined, 5, { elemFlags: UpdateFlag.F_LOCK }), Errno.EINVAL);
});

test('batch: ENOSPC when the first bucket does not fit; lookup-and-delete; update and delete', () => {
  // max_entries 1: a single bucket, so two colliding keys can be forced into it.
  const m = create(registry(), { ...spec, maxEntries: 2 }, HashMap);
  // Find two keys in the same bucket of a two-bucket table.
  const keys: number[] = [];
  const bucket = (k: number): number => (m as unknown as { table: { bucketOf(b: Uint8Array): number } }).table.bucketOf(u32(k));
  for (let k = 0; keys.length < 2; k++) if (bucket(k) === 0) keys.push(k);
  m.update(keys[0]!, 1n);
  m.update(keys[1]!, 2n);
  throwsErrno(() => m.lookupBatch(undefined, 1), Errno.ENOSPC);
  const all = m.lookupAndDeleteBatch(undefined, 10);
  assert.equal(all.keys.length, 2);
  assert.equal(all.done, true);
  assert.equal(m.count, 0);
  const n = m.updateBatch([1, 2], [10n, 20n]);
  assert.equal(n, 2);
  assert.equal(m.lookupU64(2), 20n);
  throwsErrno(() => m.updateBatch([3, 4], [1n, 1n]), Errno.E2BIG);
  try { m.updateBatch([7, 8], [1n, 1n]); } catch (e) { assert.equal((e as { count: number }).count, 0); }
  assert.equal(m.deleteBatch([1, 2]), 2);
  try { m.deleteBatch([5]); assert.fail('deleted a missing key'); } catch (e) {
    assert.equal((e as { errno: number; count: number }).errno, Errno.ENOENT);
    assert.equal((e as { count: number }).count, 0);
  }
});

test('keys larger than a word, unaligned key sizes', () => {
  const reg = registry();
  const m = create(reg, { type: MapType.HASH, keySize: 13, valueSize: 3, maxEntries: 8 }, HashMap);
  const k1 = Uint8Array.from({ length: 13 }, (_, i) => i);
  const k2 = Uint8Array.from({ length: 13 }, (_, i) => 12 - i);
  m.update(k1, [1, 2, 3]);
  m.update(k2, [4, 5, 6]);
  assert.equal(hex(m.lookup(k1)), '010203');
  assert.equal(hex(m.lookup(k2)), '040506');
  const addr = m.lookupAddress(place(reg, k2));
  assert.equal(hex(at(reg, addr, 3)), '040506');
  assert.equal(addr % 8, 0, 'values are 8-byte aligned like Linux htab_elem values');
});
