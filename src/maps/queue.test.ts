import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Errno, MapFlag, MapType, UpdateFlag } from './constants.js';
import { QueueStackMap } from './queue.js';
import { BloomFilterMap } from './bloom.js';
import { readU32 } from './bytes.js';
import { at, create, le32, place, registry, throwsErrno } from './maps.test.fixture.js';

const queue = { type: MapType.QUEUE, keySize: 0, valueSize: 4, maxEntries: 3 };
const stack = { ...queue, type: MapType.STACK };
const n = (v: Uint8Array | undefined): number | undefined => (v === undefined ? undefined : readU32(v));

test('queue is FIFO, stack is LIFO; empty is ENOENT, full is E2BIG', () => {
  const q = create(registry(), queue, QueueStackMap);
  const s = create(registry(), stack, QueueStackMap);
  for (const m of [q, s]) {
    assert.equal(m.pop(), undefined);
    assert.equal(m.peek(), undefined);
    for (const v of [1, 2, 3]) m.push(v);
    throwsErrno(() => m.push(4), Errno.E2BIG);
    throwsErrno(() => m.push(4, UpdateFlag.NOEXIST), Errno.EINVAL);
    throwsErrno(() => m.push(4, 4), Errno.EINVAL);
  }
  assert.deepEqual(q.values().map(n), [1, 2, 3]);
  assert.deepEqual(s.values().map(n), [3, 2, 1]);
  assert.equal(n(q.peek()), 1);
  assert.equal(n(s.peek()), 3);
  assert.deepEqual([n(q.pop()), n(q.pop()), n(q.pop()), n(q.pop())], [1, 2, 3, undefined]);
  assert.deepEqual([n(s.pop()), n(s.pop()), n(s.pop()), n(s.pop())], [3, 2, 1, undefined]);
});

test('BPF_EXIST overwrites the oldest value when full, for queues and stacks', () => {
  const q = create(registry(), queue, QueueStackMap);
  const s = create(registry(), stack, QueueStackMap);
  for (const m of [q, s]) {
    for (const v of [1, 2, 3]) m.push(v);
    m.push(4, UpdateFlag.EXIST);
    m.push(5, UpdateFlag.EXIST);
  }
  assert.deepEqual(q.values().map(n), [3, 4, 5]);
  assert.deepEqual(s.values().map(n), [5, 4, 3]);
  // Wrap-around keeps working after many operations.
  for (let i = 0; i < 20; i++) { q.push(100 + i, UpdateFlag.EXIST); q.pop(); }
  assert.deepEqual(q.values().map(n), [118, 119]);
});

test('program side: push/pop/peek through addresses; syscall mapping of the generic calls', () => {
  const reg = registry();
  const q = create(reg, queue, QueueStackMap);
  const buf = place(reg, le32(0));
  assert.equal(q.popElem(buf), -Errno.ENOENT);
  assert.equal(q.peekElem(buf), -Errno.ENOENT);
  assert.equal(q.pushElem(place(reg, le32(7)), 0), 0);
  assert.equal(q.pushElem(place(reg, le32(8)), 0n), 0);
  assert.equal(q.peekElem(buf), 0);
  assert.equal(readU32(at(reg, buf, 4)), 7);
  assert.equal(q.popElem(buf), 0);
  assert.equal(readU32(at(reg, buf, 4)), 7);
  assert.equal(q.lookupAddress(buf), 0);
  assert.equal(q.updateElem(buf, buf, 0), -Errno.EINVAL);
  assert.equal(q.deleteElem(buf), -Errno.EINVAL);
  // Syscall: lookup = peek, update = push, lookup-and-delete = pop (flags must be 0).
  assert.equal(q.lookupU32(), 8);
  q.update(null, 9);
  assert.equal(n(q.lookupAndDelete()), 8);
  throwsErrno(() => q.lookupAndDelete(undefined, 4), Errno.EINVAL);
  throwsErrno(() => q.delete(), Errno.EINVAL);
  throwsErrno(() => q.getNextKey(), Errno.EINVAL);
  throwsErrno(() => q.lookupBatch(undefined, 1), Errno.ENOTSUPP);
  const ro = create(reg, { ...queue, flags: MapFlag.RDONLY_PROG }, QueueStackMap);
  assert.equal(ro.pushElem(buf, 0), -Errno.EPERM);
});

test('bloom filter: no false negatives, definite misses, hash count from map_extra', () => {
  const reg = registry();
  const b = create(reg, { type: MapType.BLOOM_FILTER, keySize: 0, valueSize: 4, maxEntries: 100, mapExtra: 3 }, BloomFilterMap);
  assert.equal(b.hashCount, 3);
  assert.equal(b.bitCount, 512, '100 × 3 / 5 × 7 = 420 bits, rounded up to a power of two');
  for (let v = 0; v < 100; v++) b.push(v * 31);
  for (let v = 0; v < 100; v++) assert.equal(b.has(v * 31), true);
  let falsePositives = 0;
  for (let v = 0; v < 1000; v++) if (b.has(1_000_000 + v)) falsePositives++;
  assert.ok(falsePositives < 200, `${falsePositives} false positives in 1000`);
  // Program side: push with BPF_ANY only, peek answers 0 or -ENOENT.
  assert.equal(b.pushElem(place(reg, le32(424242)), 0), 0);
  assert.equal(b.peekElem(place(reg, le32(424242))), 0);
  const miss = [...Array(50).keys()].map((i) => b.peekElem(place(reg, le32(7_000_000 + i))));
  assert.ok(miss.includes(-Errno.ENOENT));
  assert.ok(miss.every((r) => r === 0 || r === -Errno.ENOENT));
  assert.equal(b.pushElem(place(reg, le32(1)), UpdateFlag.EXIST), -Errno.EINVAL);
  throwsErrno(() => b.push(1, UpdateFlag.NOEXIST), Errno.EINVAL);
  throwsErrno(() => b.delete(), Errno.EOPNOTSUPP);
  throwsErrno(() => b.getNextKey(), Errno.EOPNOTSUPP);
  throwsErrno(() => b.lookup(), Errno.EINVAL);
  assert.equal(b.popElem(place(reg, le32(1))), -Errno.EOPNOTSUPP);
  const dflt = create(reg, { type: MapType.BLOOM_FILTER, keySize: 0, valueSize: 8, maxEntries: 1 }, BloomFilterMap);
  assert.equal(dflt.hashCount, 5);
  assert.equal(dflt.bitCount, 64);
  assert.equal(dflt.has(5n), false);
});
