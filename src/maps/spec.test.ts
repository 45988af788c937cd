import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Errno, MapFlag, MapType } from './constants.js';
import { MapErrorCode } from './errors.js';
import { validateSpec, innerMapCompatible, type MapSpec } from './spec.js';
import { registry, throwsErrno } from './maps.test.fixture.js';

const bad = (spec: MapSpec, errno: number, cpus = 1): void =>
  throwsErrno(() => validateSpec(spec, cpus), errno, MapErrorCode.BAD_SPEC);
const hash = { type: MapType.HASH, keySize: 4, valueSize: 8, maxEntries: 16 };
const array = { type: MapType.ARRAY, keySize: 4, valueSize: 8, maxEntries: 16 };

test('Linux numbers for map types, flags and errno', () => {
  assert.equal(MapType.HASH, 1);
  assert.equal(MapType.LPM_TRIE, 11);
  assert.equal(MapType.DEVMAP_HASH, 25);
  assert.equal(MapType.RINGBUF, 27);
  assert.equal(MapType.BLOOM_FILTER, 30);
  assert.equal(MapFlag.NO_PREALLOC, 1);
  assert.equal(MapFlag.RDONLY_PROG, 128);
  assert.equal(MapFlag.INNER_MAP, 4096);
  assert.deepEqual([Errno.EPERM, Errno.ENOENT, Errno.E2BIG, Errno.EAGAIN, Errno.ENOMEM, Errno.EFAULT, Errno.EBUSY,
    Errno.EEXIST, Errno.EINVAL, Errno.ENOSPC, Errno.ENOTSUPP], [1, 2, 7, 11, 12, 14, 16, 17, 22, 28, 524]);
});

test('hash maps: sizes, flags and LRU rules', () => {
  assert.equal(validateSpec(hash, 1).maxEntries, 16);
  bad({ ...hash, keySize: 0 }, Errno.EINVAL);
  bad({ ...hash, valueSize: 0 }, Errno.EINVAL);
  bad({ ...hash, maxEntries: 0 }, Errno.EINVAL);
  bad({ ...hash, flags: MapFlag.MMAPABLE }, Errno.EINVAL);
  bad({ ...hash, flags: MapFlag.RDONLY_PROG | MapFlag.WRONLY_PROG }, Errno.EINVAL);
  bad({ ...hash, flags: MapFlag.RDONLY | MapFlag.WRONLY }, Errno.EINVAL);
  bad({ ...hash, flags: MapFlag.NO_COMMON_LRU }, Errno.EINVAL);
  bad({ ...hash, type: MapType.LRU_HASH, flags: MapFlag.NO_PREALLOC }, Errno.ENOTSUPP);
  bad({ ...hash, keySize: 3 << 20, valueSize: 1 << 20 }, Errno.E2BIG);
  bad({ ...hash, type: MapType.PERCPU_HASH, valueSize: 40000 }, Errno.E2BIG);
  bad({ ...hash, type: MapType.PERCPU_HASH, flags: MapFlag.NUMA_NODE, numaNode: 0 }, Errno.EINVAL);
  assert.equal(validateSpec({ ...hash, flags: MapFlag.NUMA_NODE, numaNode: 0 }, 1).numaNode, 0);
  bad({ ...hash, flags: MapFlag.NUMA_NODE, numaNode: 3 }, Errno.EINVAL);
  // Per-CPU LRU lists: max_entries rounds up to a multiple of the CPU count.
  assert.equal(validateSpec({ ...hash, type: MapType.LRU_HASH, maxEntries: 10, flags: MapFlag.NO_COMMON_LRU }, 3).maxEntries, 12);
});

test('arrays and fd arrays', () => {
  bad({ ...array, keySize: 8 }, Errno.EINVAL);
  bad({ ...array, valueSize: 0 }, Errno.EINVAL);
  bad({ ...array, maxEntries: 0 }, Errno.EINVAL);
  bad({ ...array, flags: MapFlag.NO_PREALLOC }, Errno.EINVAL);
  bad({ ...array, type: MapType.PERCPU_ARRAY, flags: MapFlag.MMAPABLE }, Errno.EINVAL);
  bad({ ...array, flags: MapFlag.PRESERVE_ELEMS }, Errno.EINVAL);
  bad({ ...array, type: MapType.PERCPU_ARRAY, valueSize: 32769 }, Errno.E2BIG);
  validateSpec({ ...array, flags: MapFlag.MMAPABLE | MapFlag.RDONLY_PROG }, 1);
  bad({ ...array, type: MapType.PROG_ARRAY }, Errno.EINVAL);
  validateSpec({ ...array, type: MapType.PROG_ARRAY, valueSize: 4 }, 1);
  bad({ ...array, type: MapType.PROG_ARRAY, valueSize: 4, flags: MapFlag.RDONLY_PROG }, Errno.EINVAL);
  validateSpec({ ...array, type: MapType.PERF_EVENT_ARRAY, valueSize: 4, flags: MapFlag.PRESERVE_ELEMS }, 1);
});

test('LPM trie, queue/stack, ring buffer, bloom filter', () => {
  const lpm = { type: MapType.LPM_TRIE, keySize: 8, valueSize: 4, maxEntries: 10, flags: MapFlag.NO_PREALLOC };
  validateSpec(lpm, 1);
  bad({ ...lpm, flags: 0 }, Errno.EINVAL);
  bad({ ...lpm, keySize: 4 }, Errno.EINVAL);
  bad({ ...lpm, keySize: 261 }, Errno.EINVAL);
  validateSpec({ ...lpm, keySize: 260 }, 1);
  const queue = { type: MapType.QUEUE, keySize: 0, valueSize: 4, maxEntries: 4 };
  validateSpec(queue, 1);
  bad({ ...queue, keySize: 4 }, Errno.EINVAL);
  bad({ ...queue, type: MapType.STACK, flags: MapFlag.NO_PREALLOC }, Errno.EINVAL);
  const rb = { type: MapType.RINGBUF, keySize: 0, valueSize: 0, maxEntries: 4096 };
  validateSpec(rb, 1);
  bad({ ...rb, maxEntries: 4096 * 3 }, Errno.EINVAL);
  bad({ ...rb, maxEntries: 2048 }, Errno.EINVAL);
  bad({ ...rb, valueSize: 8 }, Errno.EINVAL);
  bad({ ...rb, flags: MapFlag.RDONLY_PROG }, Errno.EINVAL);
  const bloom = { type: MapType.BLOOM_FILTER, keySize: 0, valueSize: 4, maxEntries: 100 };
  assert.equal(validateSpec(bloom, 1).hashCount, 5);
  assert.equal(validateSpec({ ...bloom, mapExtra: 3 }, 1).hashCount, 3);
  assert.equal(validateSpec({ ...bloom, mapExtra: 15 }, 1).hashCount, 15);
  bad({ ...bloom, mapExtra: 16 }, Errno.EINVAL);
  bad({ ...bloom, keySize: 4 }, Errno.EINVAL);
  bad({ ...hash, mapExtra: 1 }, Errno.EINVAL);
});

test('device maps, CPU maps and XSK maps', () => {
  const dev = { type: MapType.DEVMAP, keySize: 4, valueSize: 4, maxEntries: 8 };
  assert.ok(validateSpec(dev, 1).flags & MapFlag.RDONLY_PROG, 'devmaps are read-only to programs');
  validateSpec({ ...dev, valueSize: 8 }, 1);
  bad({ ...dev, valueSize: 6 }, Errno.EINVAL);
  bad({ ...dev, type: MapType.DEVMAP_HASH, keySize: 8 }, Errno.EINVAL);
  bad({ ...dev, flags: MapFlag.NO_PREALLOC }, Errno.EINVAL);
  bad({ ...dev, type: MapType.CPUMAP, maxEntries: 100000 }, Errno.E2BIG);
  bad({ ...dev, type: MapType.CPUMAP, flags: MapFlag.RDONLY }, Errno.EINVAL);
  bad({ ...dev, type: MapType.XSKMAP, valueSize: 8 }, Errno.EINVAL);
});

test('map-in-map templates and compatibility', () => {
  const outer = { type: MapType.ARRAY_OF_MAPS, keySize: 4, valueSize: 4, maxEntries: 4 };
  bad(outer, Errno.EINVAL);
  bad({ ...outer, innerMap: { ...outer, innerMap: array } }, Errno.EINVAL);
  bad({ ...outer, innerMap: { ...array, type: MapType.PROG_ARRAY, valueSize: 4 } }, Errno.ENOTSUPP);
  bad({ ...outer, valueSize: 8, innerMap: array }, Errno.EINVAL);
  bad({ ...hash, innerMap: array }, Errno.EINVAL);
  const ok = validateSpec({ ...outer, innerMap: array }, 1);
  assert.equal(ok.innerMap?.type, MapType.ARRAY);
  assert.equal(innerMapCompatible(ok.innerMap!, validateSpec(array, 1)), true);
  assert.equal(innerMapCompatible(ok.innerMap!, validateSpec({ ...array, maxEntries: 17 }, 1)), false);
  const relaxed = validateSpec({ ...array, flags: MapFlag.INNER_MAP }, 1);
  assert.equal(innerMapCompatible(relaxed, validateSpec({ ...array, flags: MapFlag.INNER_MAP, maxEntries: 99 }, 1)), true);
  assert.equal(innerMapCompatible(validateSpec(hash, 1), validateSpec({ ...hash, maxEntries: 99 }, 1)), true);
  assert.equal(innerMapCompatible(validateSpec(hash, 1), validateSpec({ ...hash, valueSize: 4 }, 1)), false);
});

test('names, unknown types and the registry', () => {
  bad({ ...hash, name: 'a_name_too_long!' }, Errno.EINVAL);
  bad({ ...hash, name: 'bad-name' }, Errno.EINVAL);
  validateSpec({ ...hash, name: 'ok_name.v2' }, 1);
  throwsErrno(() => validateSpec({ ...hash, type: MapType.SOCKMAP }, 1), Errno.EINVAL, MapErrorCode.UNSUPPORTED_TYPE);
  throwsErrno(() => validateSpec({ ...hash, type: 999 }, 1), Errno.EINVAL, MapErrorCode.UNSUPPORTED_TYPE);
  bad({ ...hash, keySize: -1 }, Errno.EINVAL);
  bad({ ...hash, maxEntries: 1.5 }, Errno.EINVAL);
  const reg = registry(2);
  const m = reg.create({ ...hash, name: 'counts' });
  assert.equal(reg.map(m.id), m);
  assert.equal(reg.mapByAddress(m.handle), m);
  assert.equal(reg.mapByName('counts'), m);
  // The handle region holds type, sizes, max_entries, flags and id.
  const v = reg.space.view;
  assert.deepEqual([0, 4, 8, 12, 16, 20].map((o) => v.getUint32(m.handle + o, true)), [1, 4, 8, 16, 0, m.id]);
  assert.equal(reg.space.find(m.handle, 4)?.writable, false);
  throwsErrno(() => reg.create({ ...hash, type: MapType.ARRAY, keySize: 8 }), Errno.EINVAL);
  const n = reg.create(array);
  assert.ok(n.id > m.id, 'ids are never reused');
  reg.destroy(m);
  assert.equal(reg.map(m.id), undefined);
  assert.equal(reg.mapByAddress(m.handle), undefined);
  throwsErrno(() => { reg.currentCpu = 2; }, Errno.EINVAL);
  throwsErrno(() => reg.create({ ...array, maxEntries: 1 << 30, valueSize: 64 }), Errno.ENOMEM, MapErrorCode.NO_MEMORY);
});
