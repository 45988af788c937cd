import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Errno, MapFlag, MapType, UpdateFlag } from './constants.js';
import { StackIdFlag, StackTraceMap, STACK_BUILD_ID_IP, jhash2 } from './stacktrace.js';
import { CgroupArrayMap, openCgroup } from './cgroup.js';
import { createPerfEvent } from './perf.js';
import { MapErrorCode } from './errors.js';
import { readU32, u32 } from './bytes.js';
import { create, registry, throwsErrno } from './maps.test.fixture.js';

const stackSpec = (over: object = {}) => ({ type: MapType.STACK_TRACE, keySize: 4, valueSize: 8 * 4, maxEntries: 8, ...over });

test('jhash2 is lookup3\'s hashword (its published test vectors)', () => {
  assert.equal(jhash2(new Uint32Array(0)), 0xdeadbeef);
  // hashlittle over 30 bytes equals hashword over the zero-padded words with the
  // initial value built from 30 instead of 32 bytes: initval -2 makes up the difference.
  const bytes = new Uint8Array(32);
  bytes.set(new TextEncoder().encode('Four score and seven years ago'));
  const words = new Uint32Array(bytes.buffer);
  assert.equal(jhash2(words, 0xfffffffe), 0x17770551);
  assert.equal(jhash2(words, 0xffffffff), 0xcd628161);
});

test('STACK_TRACE creation follows stack_map_alloc', () => {
  const reg = registry();
  const m = create(reg, stackSpec({ maxEntries: 5 }), StackTraceMap);
  assert.equal(m.buckets, 8, 'buckets: max_entries rounded up to a power of two');
  assert.equal(m.maxDepth, 4);
  const bad = (over: object, errno: number) => throwsErrno(() => reg.create(stackSpec(over)), errno, MapErrorCode.BAD_SPEC);
  bad({ keySize: 8 }, Errno.EINVAL);
  bad({ valueSize: 0 }, Errno.EINVAL);
  bad({ valueSize: 12 }, Errno.EINVAL);
  bad({ maxEntries: 0 }, Errno.EINVAL);
  bad({ flags: MapFlag.NO_PREALLOC }, Errno.EINVAL);
  bad({ flags: MapFlag.RDONLY_PROG }, Errno.EINVAL);
  bad({ valueSize: 8 * 128 }, Errno.EINVAL);
  bad({ flags: MapFlag.STACK_BUILD_ID, valueSize: 40 }, Errno.EINVAL);
  bad({ flags: MapFlag.STACK_BUILD_ID, valueSize: 32 * 128 }, Errno.EINVAL);
  bad({ maxEntries: 2 ** 31 + 1 }, Errno.E2BIG);
  assert.equal(create(reg, stackSpec({ valueSize: 8 * 127 }), StackTraceMap).maxDepth, 127);
  assert.equal(create(reg, stackSpec({ flags: MapFlag.STACK_BUILD_ID, valueSize: 32 * 127 }), StackTraceMap).maxDepth, 127);
});

test('storeStack: the id is the jhash2 bucket; the value is the ips, zero-padded; user side lookup, delete, walk', () => {
  const reg = registry();
  const m = create(reg, stackSpec(), StackTraceMap);
  const trace = [0xffffffff81000010n, 0xffffffff81000020n, 0xffffffff81000030n];
  const id = m.storeStack(trace, 0);
  const words = new Uint32Array(new BigUint64Array(trace).buffer);
  assert.equal(id, jhash2(words) & 7);
  assert.equal(m.storeStack(trace, 0), id, 'the same stack: the same id');
  const value = m.lookup(u32(id))!;
  assert.deepEqual([...new BigUint64Array(value.buffer, value.byteOffset, 4)], [...trace, 0n]);
  assert.equal(m.storeStack(trace, 1), jhash2(words.subarray(2)) & 7, 'skip drops the innermost frames');
  assert.equal(m.storeStack(trace, 3), -Errno.EFAULT);
  assert.deepEqual(m.stack(m.storeStack([...trace, 1n, 2n], 0)), [...trace, 1n], 'cut to max depth');

  const ids = [...m.keys()].map((k) => readU32(k));
  assert.deepEqual(ids, [...ids].sort((a, b) => a - b), 'get_next_key walks ids in order');
  assert.equal(ids.length, m.size);
  assert.equal(readU32(m.getNextKey(u32(99))!), ids[0], 'an unknown key restarts');
  throwsErrno(() => m.update(u32(id), new Uint8Array(32)), Errno.EINVAL);
  m.delete(u32(id));
  assert.equal(m.lookup(u32(id)), undefined);
  throwsErrno(() => m.delete(u32(id)), Errno.ENOENT);
  throwsErrno(() => m.delete(u32(8)), Errno.E2BIG);
  assert.equal(m.lookup(u32(1000)), undefined);
});

/** Distinct one-frame stacks until `want` of them land in bucket `bucket` of `m`. */
function stacksIn(m: StackTraceMap, bucket: number, want: number): bigint[][] {
  const out: bigint[][] = [];
  for (let ip = 1n; out.length < want; ip++) {
    if ((jhash2(new Uint32Array(new BigUint64Array([ip]).buffer)) & (m.buckets - 1)) === bucket) out.push([ip]);
  }
  return out;
}

test('collisions: EEXIST, or replaced with BPF_F_REUSE_STACKID; ENOMEM when every record is in use', () => {
  const reg = registry();
  const m = create(reg, stackSpec({ maxEntries: 3 }), StackTraceMap);
  const [a, b] = stacksIn(m, 1, 2) as [bigint[], bigint[]];
  assert.equal(m.storeStack(a, 0), 1);
  assert.equal(m.storeStack(b, 0), -Errno.EEXIST);
  assert.equal(m.storeStack(b, StackIdFlag.FAST_STACK_CMP), -Errno.EEXIST, 'fast compare needs the same hash');
  assert.equal(m.storeStack(b, StackIdFlag.REUSE_STACKID), 1);
  assert.deepEqual(m.stack(1), b);
  assert.equal(m.storeStack(stacksIn(m, 0, 1)[0]!, 0), 0);
  assert.equal(m.storeStack(stacksIn(m, 2, 1)[0]!, 0), 2);
  assert.equal(m.storeStack(stacksIn(m, 3, 1)[0]!, 0), -Errno.ENOMEM, 'three records, four buckets');
  assert.equal(m.storeStack(a, StackIdFlag.REUSE_STACKID), -Errno.ENOMEM, 'a replacement needs a free record first');
  m.delete(u32(0));
  assert.equal(m.storeStack(stacksIn(m, 3, 1)[0]!, 0), 3);
});

test('build-id stack maps store struct bpf_stack_build_id entries holding the ip', () => {
  const reg = registry();
  const m = create(reg, stackSpec({ flags: MapFlag.STACK_BUILD_ID, valueSize: 64 }), StackTraceMap);
  const id = m.storeStack([0x401000n], 0);
  const v = m.lookup(u32(id))!;
  const view = new DataView(v.buffer, v.byteOffset);
  assert.equal(v.length, 64);
  assert.equal(view.getInt32(0, true), STACK_BUILD_ID_IP);
  assert.equal(view.getBigUint64(24, true), 0x401000n);
  assert.ok(v.subarray(4, 24).every((x) => x === 0) && v.subarray(32).every((x) => x === 0));
  assert.deepEqual(m.stack(id), [0x401000n]);
});

test('CGROUP_ARRAY: cgroup fds only (else EBADF), no syscall reads, fd array rules', () => {
  const reg = registry();
  const arr = create(reg, { type: MapType.CGROUP_ARRAY, keySize: 4, valueSize: 4, maxEntries: 2 }, CgroupArrayMap);
  const cg = openCgroup(reg, 77);
  arr.update(u32(0), u32(cg.id));
  assert.equal(arr.cgroupAt(0), 77);
  assert.equal(arr.underCgroup(0, [1, 77]), 1);
  assert.equal(arr.underCgroup(0, [1, 78]), 0);
  assert.equal(arr.underCgroup(1, [1]), -Errno.EAGAIN);
  assert.equal(arr.underCgroup(2, [1]), -Errno.E2BIG);
  throwsErrno(() => arr.lookup(u32(0)), Errno.ENOTSUPP);
  throwsErrno(() => arr.update(u32(1), u32(createPerfEvent(reg, 0).id)), Errno.EBADF);
  throwsErrno(() => arr.update(u32(1), u32(arr.id)), Errno.EBADF);
  throwsErrno(() => arr.update(u32(1), u32(9999)), Errno.EBADF);
  throwsErrno(() => arr.update(u32(2), u32(cg.id)), Errno.E2BIG);
  throwsErrno(() => arr.update(u32(1), u32(cg.id), UpdateFlag.NOEXIST), Errno.EINVAL);
  arr.delete(u32(0));
  throwsErrno(() => arr.delete(u32(0)), Errno.ENOENT);
  throwsErrno(() => reg.create({ type: MapType.CGROUP_ARRAY, keySize: 4, valueSize: 8, maxEntries: 2 }), Errno.EINVAL);
  throwsErrno(() => openCgroup(reg, 0), Errno.EINVAL);
});
