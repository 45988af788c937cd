import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Errno, MapFlag, MapType, UpdateFlag } from './constants.js';
import { ArrayOfMaps, HashOfMaps } from './map-in-map.js';
import { ProgArrayMap } from './fd-array.js';
import { ArrayMap } from './array.js';
import { HashMap } from './hash.js';
import { readU32 } from './bytes.js';
import { create, le32, le64, place, registry, throwsErrno } from './maps.test.fixture.js';

const inner = { type: MapType.ARRAY, keySize: 4, valueSize: 8, maxEntries: 4 };

test('ARRAY_OF_MAPS: store by fd, read back the id, programs get the inner map handle', () => {
  const reg = registry();
  const outer = create(reg, { type: MapType.ARRAY_OF_MAPS, keySize: 4, valueSize: 4, maxEntries: 2, innerMap: inner }, ArrayOfMaps);
  const a = create(reg, inner, ArrayMap);
  const b = create(reg, inner, ArrayMap);
  outer.update(0, a.id);
  outer.setInner(1, b);
  assert.equal(outer.lookupU32(0), a.id);
  assert.equal(outer.inner(1), b);
  // Program: lookup(outer, 1) gives b's handle; using it as a map reaches b's values.
  const handle = outer.lookupAddress(place(reg, le32(1)));
  assert.equal(handle, b.handle);
  const viaHandle = reg.mapByAddress(handle)!;
  const p = viaHandle.lookupAddress(place(reg, le32(2)));
  reg.space.view.setBigUint64(p, 99n, true);
  assert.equal(b.lookupU64(2), 99n);
  assert.equal(outer.lookupAddress(place(reg, le32(7))), 0);
  // Programs cannot update or delete outer entries.
  assert.equal(outer.updateElem(place(reg, le32(0)), place(reg, le32(a.id)), 0), -Errno.EOPNOTSUPP);
  // fd-array rules.
  throwsErrno(() => outer.update(0, a.id, UpdateFlag.EXIST), Errno.EINVAL);
  throwsErrno(() => outer.update(2, a.id), Errno.E2BIG);
  throwsErrno(() => outer.update(0, 12345), Errno.EBADF);
  throwsErrno(() => outer.update(0, reg.registerProgram({})), Errno.EINVAL);
  throwsErrno(() => outer.update(0, create(reg, { ...inner, maxEntries: 5 }, ArrayMap).id), Errno.EINVAL);
  throwsErrno(() => outer.update(0, create(reg, { ...inner, type: MapType.HASH }, HashMap).id), Errno.EINVAL);
  const batch = outer.lookupBatch(undefined, 2);
  assert.deepEqual(batch.values.map((v) => readU32(v)), [a.id, b.id]);
  outer.delete(0);
  assert.equal(outer.lookup(0), undefined);
  throwsErrno(() => outer.lookupBatch(undefined, 2), Errno.EINTR); // an empty slot stops the generic batch
  assert.equal(outer.updateBatch([0], [a.id]), 1);
  outer.delete(0);
  throwsErrno(() => outer.delete(0), Errno.ENOENT);
  // A destroyed inner map leaves an empty slot.
  reg.destroy(b);
  assert.equal(outer.lookup(1), undefined);
  assert.equal(outer.lookupAddress(place(reg, le32(1))), 0);
});

test('BPF_F_INNER_MAP templates accept arrays of any size', () => {
  const reg = registry();
  const tmpl = { ...inner, flags: MapFlag.INNER_MAP };
  const outer = create(reg, { type: MapType.ARRAY_OF_MAPS, keySize: 4, valueSize: 4, maxEntries: 2, innerMap: tmpl }, ArrayOfMaps);
  outer.setInner(0, create(reg, { ...tmpl, maxEntries: 100 }, ArrayMap));
  outer.setInner(1, create(reg, { ...tmpl, maxEntries: 1 }, ArrayMap));
  throwsErrno(() => outer.setInner(1, create(reg, inner, ArrayMap)), Errno.EINVAL);
});

test('HASH_OF_MAPS: hash semantics with map values; ring buffers as inner maps', () => {
  const reg = registry();
  const rbSpec = { type: MapType.RINGBUF, keySize: 0, valueSize: 0, maxEntries: 4096 };
  const outer = create(reg, { type: MapType.HASH_OF_MAPS, keySize: 8, valueSize: 4, maxEntries: 2, innerMap: rbSpec }, HashOfMaps);
  const r1 = reg.create(rbSpec);
  const r2 = reg.create({ ...rbSpec, maxEntries: 8192 });
  outer.setInner(1n, r1, UpdateFlag.NOEXIST);
  outer.setInner(2n, r2);
  throwsErrno(() => outer.setInner(1n, r2, UpdateFlag.NOEXIST), Errno.EEXIST);
  throwsErrno(() => outer.setInner(3n, r2), Errno.E2BIG);
  assert.equal(outer.inner(2n), r2);
  assert.equal(outer.lookupU32(1n), r1.id);
  assert.equal(outer.lookupAddress(place(reg, le64(2))), r2.handle);
  assert.equal(outer.lookupAddress(place(reg, le64(9))), 0);
  assert.equal(outer.deleteElem(place(reg, le64(2))), -Errno.EOPNOTSUPP);
  throwsErrno(() => outer.lookupAndDelete(1n), Errno.ENOTSUPP);
  const batch = outer.lookupBatch(undefined, 10);
  assert.deepEqual(batch.values.map((v) => readU32(v)).sort(), [r1.id, r2.id].sort());
  outer.delete(1n);
  assert.equal(outer.lookup(1n), undefined);
});

test('PROG_ARRAY: tail call targets by index, program ids read back, type compatibility', () => {
  const reg = registry();
  const pa = create(reg, { type: MapType.PROG_ARRAY, keySize: 4, valueSize: 4, maxEntries: 4 }, ProgArrayMap);
  const progA = { name: 'a' };
  const idA = reg.registerProgram(progA, { type: 6, name: 'xdp_a' });
  const idB = reg.registerProgram({}, { type: 6 });
  const idTc = reg.registerProgram({}, { type: 3 });
  assert.equal(pa.tailCallTarget(0), undefined);
  pa.setProgram(0, idA);
  pa.update(2, idB);
  assert.equal(pa.tailCallTarget(0)?.program, progA);
  assert.equal(pa.tailCallTarget(0n)?.name, 'xdp_a');
  assert.equal(pa.tailCallTarget(9), undefined);
  assert.equal(pa.tailCallTarget(-1n), undefined);
  assert.equal(pa.lookupU32(2), idB);
  assert.equal(pa.lookup(1), undefined);
  throwsErrno(() => pa.update(1, idTc), Errno.EINVAL);
  throwsErrno(() => pa.update(1, pa.id), Errno.EINVAL);
  throwsErrno(() => pa.update(1, 4242), Errno.EBADF);
  throwsErrno(() => pa.update(1, idA, UpdateFlag.NOEXIST), Errno.EINVAL);
  assert.equal(pa.lookupAddress(place(reg, le32(0))), 0, 'programs cannot look into a prog array');
  pa.delete(0);
  assert.equal(pa.tailCallTarget(0), undefined);
  reg.unregister(idB);
  assert.equal(pa.tailCallTarget(2), undefined, 'an unloaded program leaves an empty slot');
  throwsErrno(() => pa.lookupBatch(undefined, 2), Errno.ENOTSUPP);
});
