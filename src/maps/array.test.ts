import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Errno, MapFlag, MapType, PAGE_SIZE, UpdateFlag } from './constants.js';
import { ArrayMap } from './array.js';
import { readU32, u32 } from './bytes.js';
import { create, le32, le64, place, registry, throwsErrno } from './maps.test.fixture.js';

const spec = { type: MapType.ARRAY, keySize: 4, valueSize: 12, maxEntries: 4, name: 'arr' };

test('every element exists, zeroed, at a fixed 8-byte-aligned address', () => {
  const reg = registry();
  const m = create(reg, spec, ArrayMap);
  assert.deepEqual([...m.lookup(3)!], new Array(12).fill(0));
  const addrs = [0, 1, 2, 3].map((i) => m.lookupAddress(place(reg, le32(i))));
  assert.deepEqual(addrs.map((a) => a - addrs[0]!), [0, 16, 32, 48]);
  assert.equal(m.lookupAddress(place(reg, le32(4))), 0);
  assert.equal(m.lookup(4), undefined);
  reg.space.view.setUint32(addrs[2]!, 0xabcd, true);
  assert.equal(m.lookupU32(2), 0xabcd);
  m.update(2, new Uint8Array(12).fill(1));
  assert.equal(m.lookupAddress(place(reg, le32(2))), addrs[2]);
  assert.equal(reg.space.view.getUint32(addrs[2]!, true), 0x01010101);
});

test('update flags and errors follow array_map_update_elem', () => {
  const reg = registry();
  const m = create(reg, spec, ArrayMap);
  const v = new Uint8Array(12);
  m.update(0, v, UpdateFlag.EXIST);
  throwsErrno(() => m.update(0, v, UpdateFlag.NOEXIST), Errno.EEXIST);
  throwsErrno(() => m.update(4, v), Errno.E2BIG);
  throwsErrno(() => m.update(0, v, 3), Errno.EINVAL);
  throwsErrno(() => m.delete(0), Errno.EINVAL);
  const key = place(reg, le32(1));
  const val = place(reg, new Array(12).fill(7));
  assert.equal(m.updateElem(key, val, UpdateFlag.ANY), 0);
  assert.equal(m.lookup(1)![11], 7);
  assert.equal(m.updateElem(key, val, UpdateFlag.NOEXIST), -Errno.EEXIST);
  assert.equal(m.updateElem(place(reg, le32(9)), val, 0), -Errno.E2BIG);
  assert.equal(m.updateElem(key, val, UpdateFlag.F_LOCK), -Errno.EINVAL);
  assert.equal(m.deleteElem(key), -Errno.EINVAL);
});

test('getNextKey: 0 first, restart past the end, ENOENT after the last', () => {
  const m = create(registry(), spec, ArrayMap);
  assert.equal(readU32(m.getNextKey()!), 0);
  assert.equal(readU32(m.getNextKey(1)!), 2);
  assert.equal(m.getNextKey(3), undefined);
  assert.equal(readU32(m.getNextKey(100)!), 0);
  assert.deepEqual([...m.keys()].map((k) => readU32(k)), [0, 1, 2, 3]);
  assert.equal([...m].length, 4);
});

test('generic batch: the cursor is the last key; the end is reported as done', () => {
  const m = create(registry(), { ...spec, valueSize: 4, maxEntries: 5 }, ArrayMap);
  for (let i = 0; i < 5; i++) m.update(i, i * 3);
  const a = m.lookupBatch(undefined, 2);
  assert.deepEqual(a.keys.map((k) => readU32(k)), [0, 1]);
  assert.equal(readU32(a.outBatch!), 1);
  assert.equal(a.done, false);
  const b = m.lookupBatch(a.outBatch, 2);
  assert.deepEqual(b.keys.map((k) => readU32(k)), [2, 3]);
  const c = m.lookupBatch(b.outBatch, 2);
  assert.deepEqual(c.keys.map((k) => readU32(k)), [4]);
  assert.deepEqual(c.values.map((v) => readU32(v)), [12]);
  assert.equal(c.done, true);
  const d = m.lookupBatch(c.outBatch, 2);
  assert.deepEqual([d.keys.length, d.done, d.outBatch], [0, true, undefined]);
  assert.equal(m.updateBatch([0, 1], [9, 9]), 2);
  assert.equal(m.lookupU32(1), 9);
  throwsErrno(() => m.updateBatch([4, 9], [1, 1]), Errno.E2BIG);
  throwsErrno(() => m.deleteBatch([0]), Errno.ENOTSUPP);
  throwsErrno(() => m.lookupAndDeleteBatch(undefined, 1), Errno.ENOTSUPP);
  assert.deepEqual(m.lookupBatch(u32(77), 1).keys.map((k) => readU32(k)), [0], 'a cursor past the end restarts');
});

test('BPF_F_MMAPABLE is page-aligned; BPF_F_RDONLY_PROG is read-only to programs', () => {
  const reg = registry();
  const mm = create(reg, { ...spec, flags: MapFlag.MMAPABLE }, ArrayMap);
  const a = mm.lookupAddress(place(reg, le32(0)));
  assert.equal(a % PAGE_SIZE, 0);
  assert.equal(reg.space.find(a, 1)!.size, PAGE_SIZE);
  const ro = create(reg, { ...spec, flags: MapFlag.RDONLY_PROG }, ArrayMap);
  const r = ro.lookupAddress(place(reg, le32(0)));
  assert.equal(reg.space.find(r, 1)!.writable, false);
  assert.equal(ro.updateElem(place(reg, le32(0)), place(reg, le64(1)), 0), -Errno.EPERM);
  ro.update(0, new Uint8Array(12).fill(2));
  assert.equal(ro.lookup(0)![0], 2, 'the syscall side can still write');
});
