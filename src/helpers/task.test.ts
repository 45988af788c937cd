import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHelperEnv, SeededRandom, VirtualClock, INITIAL_JIFFIES, realClock } from './index.js';
import { bothEngines } from './rig.test.fixture.js';

const call = (id: number): string => `call ${id}\nexit`;

bothEngines('the virtual clock: monotonic reads advance by the step; boot adds the suspended time',
  () => ({ env: createHelperEnv({ clock: { startNs: 5000, stepNs: 10, suspendedNs: 1000000 } }) }), (_t, run) => {
    // Two reads in one program: the second is one step later.
    assert.equal(run('call 5\nr6 = r0\ncall 5\nr0 -= r6\nexit').r0, 10n);
    assert.equal(run(call(5)).r0, 5020n);
    assert.equal(run(call(125)).r0, 1005030n);
    // coarse rounds down to a 4 ms tick; jiffies count ticks from INITIAL_JIFFIES.
    assert.equal(run(call(160)).r0, 0n);
    assert.equal(run(call(118)).r0, INITIAL_JIFFIES);
  });

bothEngines('a frozen clock gives the same time to every read, coarse on a tick boundary',
  () => ({ env: createHelperEnv({ clock: { startNs: 9_000_001, stepNs: 0 } }) }), (_t, run) => {
    assert.equal(run(call(5)).r0, 9_000_001n);
    assert.equal(run(call(5)).r0, 9_000_001n);
    assert.equal(run(call(160)).r0, 8_000_000n);
    assert.equal(run(call(118)).r0, INITIAL_JIFFIES + 2n);
  });

bothEngines('get_prandom_u32 follows the seed', () => ({ env: createHelperEnv({ random: 42 }) }), (_t, run) => {
  const expected = new SeededRandom(42);
  const first = run(call(7)).r0;
  assert.equal(first, BigInt(expected.nextU32()));
  assert.equal(run(call(7)).r0, BigInt(expected.nextU32()));
  assert.ok(first < 2n ** 32n);
});

test('SeededRandom: same seed same sequence, different seeds differ, values spread over 32 bits', () => {
  const a = new SeededRandom(7), b = new SeededRandom(7), c = new SeededRandom(8);
  const xs = Array.from({ length: 1000 }, () => a.nextU32());
  assert.deepEqual(xs.slice(0, 10), Array.from({ length: 10 }, () => b.nextU32()));
  assert.notDeepEqual(xs.slice(0, 10), Array.from({ length: 10 }, () => c.nextU32()));
  assert.ok(xs.some((x) => x >= 2 ** 31) && xs.some((x) => x < 2 ** 31));
  assert.ok(new Set(xs).size > 990);
  const zero = new SeededRandom(0);
  assert.notEqual(zero.nextU32() | zero.nextU32(), 0);
});

test('the real clock is monotonic and TAI is near now', () => {
  const c = realClock();
  const a = c.monotonicNs(), b = c.monotonicNs();
  assert.ok(b >= a);
  const tai = c.taiNs() / 1_000_000_000n;
  assert.ok(tai - BigInt(Math.floor(Date.now() / 1000)) >= 36n);
  assert.ok(new VirtualClock().taiNs() > 1_700_000_000_000_000_000n);
});

bothEngines('CPU, NUMA node, pid/tgid and uid/gid come from the env',
  () => ({ env: createHelperEnv({ cpus: 4, numaNode: 3, task: { pid: 101, tgid: 100, uid: 7, gid: 8, cgroups: [1, 30, 4000] } }) }), ({ env }, run) => {
    env.maps.currentCpu = 2;
    assert.equal(run(call(8)).r0, 2n);
    assert.equal(run(call(42)).r0, 3n);
    assert.equal(run(call(14)).r0, (100n << 32n) | 101n);
    assert.equal(run(call(15)).r0, (8n << 32n) | 7n);
    assert.equal(run(call(80)).r0, 4000n);
    assert.equal(run('r1 = 1\ncall 123\nexit').r0, 30n);
    assert.equal(run('r1 = 3\ncall 123\nexit').r0, 0n, 'deeper than the task\'s cgroup');
  });

bothEngines('get_current_comm copies at most size-1 bytes and a NUL, and 15 bytes of a long name',
  () => ({ env: createHelperEnv({ task: { comm: 'a-very-long-command-name' } }) }), (_t, run) => {
    const prog = (size: number) => `
      r1 = -1
      *(u64 *)(r10 - 8) = r1
      *(u64 *)(r10 - 16) = r1
      *(u64 *)(r10 - 24) = r1
      r1 = r10
      r1 += -24
      r2 = ${size}
      call 16
      r6 = r0
      r0 = *(u64 *)(r10 - 24)
      r1 = *(u64 *)(r10 - 16)
      r0 ^= r1
      r1 = *(u8 *)(r10 - 8)
      r1 <<= 56
      r0 ^= r1
      r0 += r6
      exit`;
    const bytes = (s: string) => Buffer.from(s, 'latin1');
    // 16 bytes: "a-very-long-com" and a NUL; the byte after is untouched (0xff).
    const b = Buffer.concat([bytes('a-very-long-com'), Buffer.from([0])]);
    const expected = BigInt.asUintN(64, b.readBigUInt64LE(0) ^ b.readBigUInt64LE(8) ^ (0xffn << 56n));
    assert.equal(run(prog(24)).r0, expected);
    // size 4: "a-v" and a NUL, the rest of the buffer as it was.
    const small = Buffer.from([...bytes('a-v'), 0, 0xff, 0xff, 0xff, 0xff]);
    assert.equal(run(prog(4)).r0, BigInt.asUintN(64, small.readBigUInt64LE(0) ^ 0xffffffffffffffffn ^ (0xffn << 56n)));
  });
