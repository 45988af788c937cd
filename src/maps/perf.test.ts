import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Errno, MapType, PerfFlag, UpdateFlag } from './constants.js';
import { PerfEventArray, PerfEventBuffer, createPerfEvent } from './perf.js';
import { readU32 } from './bytes.js';
import { create, place, registry, throwsErrno } from './maps.test.fixture.js';

const spec = { type: MapType.PERF_EVENT_ARRAY, keySize: 4, valueSize: 4, maxEntries: 3, name: 'perf' };

test('output goes to the current CPU\'s event; the consumer reads each CPU in order', () => {
  const reg = registry(3);
  const pa = create(reg, spec, PerfEventArray);
  pa.openAll();
  const data = place(reg, [1, 2, 3, 4, 5]);
  for (const cpu of [0, 2, 2, 1]) {
    reg.currentCpu = cpu;
    reg.space.bytes[data] = cpu * 10;
    assert.equal(pa.perfEventOutput(data, 5, PerfFlag.CURRENT_CPU), 0);
  }
  const samples = pa.poll();
  assert.deepEqual(samples.map((s) => [s.cpu, s.data[0]]), [[0, 0], [1, 10], [2, 20], [2, 20]]);
  assert.equal(samples[0]!.data.length, 5);
  assert.equal(samples[0]!.rawSize, 12, 'raw size pads 4 + size to a multiple of 8');
  assert.deepEqual(pa.poll(), []);
});

test('index flags, errors and appended context bytes', () => {
  const reg = registry(2);
  const pa = create(reg, spec, PerfEventArray);
  const data = place(reg, [9, 9]);
  assert.equal(pa.perfEventOutput(data, 2, 0), -Errno.ENOENT, 'empty slot');
  pa.open(1, { cpu: 1 });
  reg.currentCpu = 0;
  assert.equal(pa.perfEventOutput(data, 2, 1), -Errno.EOPNOTSUPP, 'event bound to another CPU');
  assert.equal(pa.perfEventOutput(data, 2, 5), -Errno.E2BIG);
  assert.equal(pa.perfEventOutput(data, 2, 1n << 63n), -Errno.EINVAL);
  reg.currentCpu = 1;
  assert.equal(pa.perfEventOutput(data, 2, 1), 0);
  assert.equal(pa.perfEventOutput(data, 2, (3n << 32n) | 0xffffffffn, Uint8Array.of(7, 8, 9, 10)), 0);
  assert.equal(pa.perfEventOutput(data, 2, 5n << 32n | 1n, Uint8Array.of(1)), -Errno.EFAULT);
  assert.deepEqual(pa.poll().map((s) => [...s.data]), [[9, 9], [9, 9, 7, 8, 9]]);
});

test('a full perf buffer drops samples, counts them lost and returns ENOSPC', () => {
  const reg = registry();
  const pa = create(reg, { ...spec, maxEntries: 1 }, PerfEventArray);
  const ev = pa.open(0, { capacity: 64 });
  const data = place(reg, new Array(20).fill(1));
  assert.equal(PerfEventBuffer.recordSize(20), 32);
  assert.equal(pa.perfEventOutput(data, 20, PerfFlag.CURRENT_CPU), 0);
  assert.equal(pa.perfEventOutput(data, 20, PerfFlag.CURRENT_CPU), 0);
  assert.equal(pa.perfEventOutput(data, 20, PerfFlag.CURRENT_CPU), -Errno.ENOSPC);
  assert.equal(ev.lost, 1);
  assert.equal(pa.lost, 1);
  assert.equal(pa.poll().length, 2);
  assert.equal(pa.perfEventOutput(data, 20, PerfFlag.CURRENT_CPU), 0, 'room again after reading');
});

test('slots hold perf event fds: EBADF, EINVAL, ENOTSUPP lookups, BPF_ANY only', () => {
  const reg = registry(2);
  const pa = create(reg, spec, PerfEventArray);
  const ev = createPerfEvent(reg, 1);
  throwsErrno(() => pa.update(0, 999), Errno.EBADF);
  throwsErrno(() => pa.update(0, pa.id), Errno.EINVAL); // a map is not a perf event
  throwsErrno(() => pa.update(0, ev.id, UpdateFlag.NOEXIST), Errno.EINVAL);
  throwsErrno(() => pa.update(3, ev.id), Errno.E2BIG);
  pa.update(1, ev.id);
  assert.equal(pa.event(1), ev);
  throwsErrno(() => pa.lookup(1), Errno.ENOTSUPP);
  assert.equal(readU32(pa.getNextKey(0)!), 1);
  pa.delete(1);
  throwsErrno(() => pa.delete(1), Errno.ENOENT);
  throwsErrno(() => pa.delete(3), Errno.E2BIG);
  throwsErrno(() => pa.open(0, { cpu: 5 }), Errno.EINVAL);
});
