import assert from 'node:assert/strict';
import { MapType, ProgArrayMap, type BpfMap } from '../maps/index.js';
import { VmError, VmErrorCode } from '../vm/index.js';
import { isEbeeError } from '../errors.js';
import { beginRun, createHelperEnv, HelperErrorCode, MAX_TAIL_CALL_CNT } from './index.js';
import { bothEngines, signed, storeString } from './rig.test.fixture.js';

function progArray() {
  const env = createHelperEnv();
  const map = env.maps.create({ type: MapType.PROG_ARRAY, keySize: 4, valueSize: 4, maxEntries: 4 }) as ProgArrayMap;
  const target = { name: 'next-program' };
  map.setProgram(2, env.maps.registerProgram(target, { name: 'next' }));
  return { env, map, target };
}

const tailCall = (handle: number, index: number) => `
  r6 = 5
  r2 = ${handle} ll
  r3 = ${index}
  call 12
  r0 += r6
  exit`;

bothEngines('tail_call: success ends the run and names the target; misses return -errno and go on', progArray, ({ env, map, target }, run) => {
  const hit = run(tailCall(map.handle, 2));
  assert.equal(hit.tailCall, target);
  assert.equal(env.tailCalls, 1);
  assert.equal(signed(run(tailCall(map.handle, 1))), -2n + 5n, 'empty slot: -ENOENT');
  assert.equal(env.tailCalls, 2, 'an empty slot counts as an attempt');
  assert.equal(signed(run(tailCall(map.handle, 9))), -2n + 5n, 'index past max_entries: -ENOENT');
  assert.equal(env.tailCalls, 2, 'an index out of range does not');
});

bothEngines('tail_call: at most 33 in a run (the counter is the env\'s, across the trampoline)', progArray, ({ env, map }, run) => {
  for (let i = 0; i < MAX_TAIL_CALL_CNT; i++) assert.ok(run(tailCall(map.handle, 2)).tailCall);
  const over = run(tailCall(map.handle, 2));
  assert.equal(over.tailCall, undefined);
  assert.equal(signed(over), -7n + 5n);
  beginRun(env);
  assert.ok(run(tailCall(map.handle, 2)).tailCall);
});

bothEngines('tail_call through a map that is not a PROG_ARRAY is -EINVAL', () => {
  const env = createHelperEnv();
  return { env, map: env.maps.create({ type: MapType.ARRAY, keySize: 4, valueSize: 4, maxEntries: 4 }) };
}, ({ map }, run) => {
  assert.equal(signed(run(tailCall(map.handle, 0))), -22n + 5n);
});

function arrayEnv(type: number = MapType.ARRAY, flags = 0) {
  const env = createHelperEnv();
  const map: BpfMap = env.maps.create({ type, keySize: 4, valueSize: 8, maxEntries: 4, flags });
  return { env, map };
}

// bpf_loop(n, cb, &sum, 0): cb adds i to *(u64 *)ctx and stops when i == stop.
const loop = (n: number | string, stop: number, flags = 0) => `
  r1 = 0
  *(u64 *)(r10 - 8) = r1
  r1 = ${n}
  r2 = cb ll
  r3 = r10
  r3 += -8
  r4 = ${flags}
  call 181
  r1 = *(u64 *)(r10 - 8)
  r1 <<= 32
  r0 += r1
  exit
cb:
  r3 = *(u64 *)(r2 + 0)
  r3 += r1
  *(u64 *)(r2 + 0) = r3
  r0 = 0
  if r1 != ${stop} goto keep
  r0 = 1
keep:
  exit`;

bothEngines('loop calls back with the index and the context; returns the iterations run', () => ({ env: createHelperEnv() }), (_t, run) => {
  assert.equal(run(loop(10, -1)).r0, (45n << 32n) | 10n);
  // Stopping at i = 3 counts that iteration.
  assert.equal(run(loop(10, 3)).r0, (6n << 32n) | 4n);
  assert.equal(run(loop(0, -1)).r0, 0n);
  assert.equal(signed(run(loop(10, -1, 1))), -22n, 'flags must be 0');
  assert.equal(signed(run(loop('0x800001', -1))), -7n, 'nr_loops above 1 << 23: -E2BIG');
});

// for_each_map_elem: the callback sums key * 1000 + value into ctx; stops after a key equal to `stop`.
const forEach = (handle: number, stop: number) => `
  r1 = 0
  *(u64 *)(r10 - 8) = r1
  r1 = ${handle} ll
  r2 = cb ll
  r3 = r10
  r3 += -8
  r4 = 0
  call 164
  r1 = *(u64 *)(r10 - 8)
  r1 <<= 32
  r0 += r1
  exit
cb:
  r6 = *(u32 *)(r2 + 0)
  r0 = *(u64 *)(r3 + 0)
  r7 = r6
  r7 *= 1000
  r7 += r0
  r0 = *(u64 *)(r4 + 0)
  r0 += r7
  *(u64 *)(r4 + 0) = r0
  r0 = 0
  if r6 != ${stop} goto keep
  r0 = 1
keep:
  exit`;

bothEngines('for_each_map_elem over an array visits every index with key, value and context', arrayEnv, ({ map }, run) => {
  for (let i = 0; i < 4; i++) map.update(i, BigInt(i + 1));
  assert.equal(run(forEach(map.handle, 99)).r0, ((0n + 1n + 1002n + 2003n + 3004n) << 32n) | 4n);
  assert.equal(run(forEach(map.handle, 1)).r0, ((1n + 1002n) << 32n) | 2n);
});

bothEngines('for_each_map_elem over a hash visits the present elements (BPF_F_WRONLY binds user space only); other maps are -EINVAL',
  () => arrayEnv(MapType.HASH, 1 << 4), ({ map, env }, run) => {
    map.update(5, 50n);
    map.update(9, 90n);
    assert.equal(run(forEach(map.handle, 99)).r0, ((5050n + 9090n) << 32n) | 2n);
    const q = env.maps.create({ type: MapType.QUEUE, keySize: 0, valueSize: 8, maxEntries: 4 });
    assert.equal(signed(run(forEach(q.handle, 99))), -22n);
    assert.equal(signed(run(forEach(map.handle, 99).replace('r4 = 0', 'r4 = 1'))), -22n, 'flags must be 0');
  });

// Lock twice or unlock a free lock: an error, not a hang.
bothEngines('spin_lock / spin_unlock track the lock word; misuse is a typed error', arrayEnv, ({ map, env }, run) => {
  const value = map.lookupAddress(env.space.allocBytes(new Uint8Array(4), { name: 'key' }).start);
  const ok = `r1 = ${value} ll\ncall 93\nr0 = *(u32 *)(r1 + 0)\nr1 = ${value} ll\nr6 = *(u32 *)(r1 + 0)\ncall 94\nr1 = ${value} ll\nr0 = *(u32 *)(r1 + 0)\nr0 += r6\nexit`;
  assert.equal(run(ok).r0, 1n, 'held (1) while locked, 0 after');
  assert.equal(env.heldLocks.size, 0);
  const twice = `r1 = ${value} ll\ncall 93\nr1 = ${value} ll\ncall 93\nexit`;
  assert.throws(() => run(twice), (e: unknown) => e instanceof VmError && e.code === VmErrorCode.HELPER_FAILED
    && isEbeeError(e.cause, HelperErrorCode.LOCK_MISUSE));
  env.heldLocks.clear();
  assert.throws(() => run(`r1 = ${value} ll\ncall 94\nexit`), (e: unknown) => e instanceof VmError && isEbeeError(e.cause, HelperErrorCode.LOCK_MISUSE));
});

bothEngines('strncmp compares unsigned bytes up to a NUL or n, returning -1, 0 or 1', () => ({ env: createHelperEnv() }), (_t, run) => {
  const cmp = (a: string, b: string, n: number) => signed(run(`${storeString(a, 32)}\n${storeString(b, 64)}
    r1 = r10
    r1 += -32
    r2 = ${n}
    r3 = r10
    r3 += -64
    call 182
    exit`));
  assert.equal(cmp('abc', 'abc', 4), 0n);
  assert.equal(cmp('abd', 'abc', 4), 1n);
  assert.equal(cmp('ab', 'abc', 3), -1n);
  assert.equal(cmp('abX', 'abY', 2), 0n);
  assert.equal(cmp('\u00ff', 'a', 2), 1n, 'bytes compare unsigned');
});

bothEngines('strtol / strtoul: whitespace, sign, base prefixes; consumed count; -EINVAL / -ERANGE', () => {
  const env = createHelperEnv();
  return { env, scratch: env.space.alloc(8, { name: 'out' }).start };
}, ({ env, scratch }, run) => {
  const view = () => env.space.view;
  const parse = (s: string, flags: number, unsigned = false) => {
    const r = run(`${storeString(s, 64)}
      r1 = 0x5a5a
      *(u64 *)(r10 - 72) = r1
      r1 = r10
      r1 += -64
      r2 = ${new TextEncoder().encode(s).length}
      r3 = ${flags}
      r4 = r10
      r4 += -72
      call ${unsigned ? 106 : 105}
      r1 = *(u64 *)(r10 - 72)
      *(u64 *)(r6 + 0) = r1
      exit`.replace('r1 = 0x5a5a', `r6 = ${scratch} ll\nr1 = 0x5a5a`));
    return [signed(r), BigInt.asIntN(64, view().getBigUint64(scratch, true))];
  };
  assert.deepEqual(parse('  -42abc', 0), [5n, -42n]);
  assert.deepEqual(parse('0x1F;', 0), [4n, 31n]);
  assert.deepEqual(parse('0x1F;', 10), [1n, 0n]);
  assert.deepEqual(parse('017', 0), [3n, 15n]);
  assert.deepEqual(parse('ff', 16), [2n, 255n]);
  assert.deepEqual(parse('x', 0), [-22n, 0x5a5an]);
  assert.deepEqual(parse('12', 7), [-22n, 0x5a5an]);
  assert.deepEqual(parse('9223372036854775808', 0), [-34n, 0x5a5an]);
  assert.deepEqual(parse('-9223372036854775808', 0), [20n, -(2n ** 63n)]);
  assert.deepEqual(parse('18446744073709551615', 0, true), [20n, -1n]);
  assert.deepEqual(parse('18446744073709551616', 0, true), [-34n, 0x5a5an]);
  assert.deepEqual(parse('-1', 0, true), [-22n, 0x5a5an]);
});
