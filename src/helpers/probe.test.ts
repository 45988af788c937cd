import assert from 'node:assert/strict';
import { MapType, StackTraceMap } from '../maps/index.js';
import { createHelperEnv, StackFlag } from './index.js';
import { bothEngines, signed } from './rig.test.fixture.js';

function memory() {
  const env = createHelperEnv();
  const kernel = env.space.allocBytes(new TextEncoder().encode('kernel-string\0tail'), { name: 'kernel-data' });
  const user = env.space.allocBytes(new TextEncoder().encode('user!\0'), { name: 'user-data' });
  const unmapped = user.end + 4096;
  env.probe.user = [{ start: user.start, end: user.end }];
  return { env, kernel: kernel.start, user: user.start, unmapped, userEnd: user.end };
}

// probe read `helper`(r10-16, size, src) into a buffer preset to 0xff..; returns the result and the first 8 bytes.
const probe = (helper: number, src: number, size: number) => `
  r1 = -1
  *(u64 *)(r10 - 16) = r1
  *(u64 *)(r10 - 8) = r1
  r1 = r10
  r1 += -16
  r2 = ${size}
  r3 = ${src} ll
  call ${helper}
  r6 = r0
  r0 = *(u64 *)(r10 - 16)
  *(u64 *)(r10 - 24) = r6
  exit`;

const text = (s: string) => Buffer.concat([Buffer.from(s, 'latin1'), Buffer.alloc(8)]).readBigUInt64LE(0);

bothEngines('probe_read_kernel / _user copy from memory of their kind; a fault zero-fills and returns -EFAULT', memory,
  ({ kernel, user, unmapped }, run) => {
    assert.equal(run(probe(113, kernel, 8)).r0, text('kernel-s'));
    assert.equal(run(probe(112, user, 4)).r0, text('user') | (0xffffffffn << 32n));
    assert.equal(run(probe(112, kernel, 4)).r0, 0xffffffffn << 32n, 'kernel memory is not user memory: 4 bytes zeroed');
    assert.equal(run(probe(113, unmapped, 8)).r0, 0n);
    assert.equal(run(probe(4, user, 2)).r0, text('us') | (0xffffffffffffn << 16n), 'legacy probe_read reads either');
  });

// The same, returning the helper's result.
const probeRet = (helper: number, src: number, size: number) => probe(helper, src, size).replace('r0 = *(u64 *)(r10 - 16)', 'r0 = r6');

bothEngines('probe read results: 0, or -EFAULT', memory, ({ kernel, unmapped, userEnd }, run) => {
  assert.equal(signed(run(probeRet(113, kernel, 8))), 0n);
  assert.equal(signed(run(probeRet(113, unmapped, 8))), -14n);
  assert.equal(signed(run(probeRet(112, userEnd - 2, 4))), -14n, 'a read running past the range faults');
});

bothEngines('probe_read_*_str copies up to the NUL and returns the length with it; truncates to size-1 and a NUL', memory,
  ({ kernel, user, unmapped }, run) => {
    assert.equal(signed(run(probeRet(115, kernel, 16))), 14n);
    assert.equal(run(probe(115, kernel, 16)).r0, text('kernel-s'));
    assert.equal(signed(run(probeRet(115, kernel, 5))), 5n);
    assert.equal(run(probe(115, kernel, 5)).r0, text('kern') | (0xffffffn << 40n), 'kern, a NUL, the rest untouched');
    assert.equal(signed(run(probeRet(114, user, 16))), 6n);
    assert.equal(signed(run(probeRet(114, kernel, 16))), -14n);
    assert.equal(run(probe(115, unmapped, 16)).r0, 0n);
    assert.equal(signed(run(probeRet(45, user, 16))), 6n);
  });

bothEngines('probe_write_user writes user memory only', memory, ({ env, user, kernel }, run) => {
  const write = (dst: number) => signed(run(`r1 = 0x2a2a\n*(u16 *)(r10 - 2) = r1\nr1 = ${dst} ll\nr2 = r10\nr2 += -2\nr3 = 2\ncall 36\nexit`));
  assert.equal(write(user), 0n);
  assert.equal(Buffer.from(env.space.bytes.subarray(user, user + 6)).toString('latin1'), '**er!\0');
  assert.equal(write(kernel), -14n);
  assert.equal(env.space.bytes[kernel], 'k'.charCodeAt(0));
});

bothEngines('probe_read into a destination outside every region is a fault of the program', memory, ({ kernel }, run) => {
  assert.throws(() => run(`r1 = 0x100\nr2 = 8\nr3 = ${kernel} ll\ncall 113\nexit`), /outside every region/);
});

function stacks() {
  const env = createHelperEnv({ stacks: { kernel: [0xffff0001n, 0xffff0002n, 0xffff0003n], user: [0x401000n, 0x402000n] } });
  const map = env.maps.create({ type: MapType.HASH, keySize: 4, valueSize: 8, maxEntries: 64 });
  return { env, map };
}

// get_stack into 32 bytes at r10-32 (preset to 0xff); returns result << 32 | (sum of the u64 entries & 0xffffffff).
const getStack = (size: number, flags: number) => `
  r1 = -1
  *(u64 *)(r10 - 32) = r1
  *(u64 *)(r10 - 24) = r1
  *(u64 *)(r10 - 16) = r1
  *(u64 *)(r10 - 8) = r1
  r2 = r10
  r2 += -32
  r3 = ${size}
  r4 = ${flags}
  call 67
  r0 <<= 32
  r1 = *(u64 *)(r10 - 32)
  r2 = *(u64 *)(r10 - 24)
  r1 += r2
  r2 = *(u64 *)(r10 - 16)
  r1 += r2
  r2 = *(u64 *)(r10 - 8)
  r1 += r2
  r1 <<= 32
  r1 >>= 32
  r0 |= r1
  exit`;

bothEngines('get_stack copies the synthetic frames, skipping as asked, zero-filling the rest', stacks, (_t, run) => {
  const r = (size: number, flags: number) => {
    const v = run(getStack(size, flags)).r0;
    return [BigInt.asIntN(32, v >> 32n), v & 0xffffffffn];
  };
  assert.deepEqual(r(32, 0), [24n, (0xffff0001n + 0xffff0002n + 0xffff0003n) & 0xffffffffn]);
  assert.deepEqual(r(32, 1), [16n, 0xfffe0005n]);
  assert.deepEqual(r(8, 0), [8n, (0xffff0001n + 3n * 0xffffffffffffffffn) & 0xffffffffn], 'the rest of the buffer untouched');
  assert.deepEqual(r(32, StackFlag.USER_STACK), [16n, 0x803000n]);
  assert.deepEqual(r(32, 4), [-14n, 0n], 'skipping past the stack: -EFAULT, zero-filled');
  assert.deepEqual(r(12, 0), [-22n, (0xffffffff00000000n + 2n * 0xffffffffffffffffn) & 0xffffffffn], 'size not a multiple of 8: its 12 bytes zeroed');
  assert.deepEqual(r(32, StackFlag.USER_BUILD_ID), [-22n, 0n], 'build ids only for user stacks');
  assert.deepEqual(r(32, StackFlag.USER_STACK | StackFlag.USER_BUILD_ID), [32n, (2n + 0x401000n) & 0xffffffffn]);
});

bothEngines('get_stackid stores each distinct stack in the STACK_TRACE map under its id', () => {
  const t = stacks();
  return { ...t, stackMap: t.env.maps.create({ type: MapType.STACK_TRACE, keySize: 4, valueSize: 16, maxEntries: 64 }) };
}, ({ map, stackMap }, run) => {
  assert.ok(stackMap instanceof StackTraceMap);
  const id = (flags: number, m: { handle: number } = stackMap) => signed(run(`r2 = ${m.handle} ll\nr3 = ${flags}\ncall 27\nexit`));
  const a = id(0);
  assert.ok(a >= 0n && a < 64n);
  assert.equal(id(0), a, 'the same stack, the same id');
  const u = id(StackFlag.USER_STACK);
  assert.ok(u >= 0n && u !== a);
  // The value holds two frames: the callchain is cut to value_size / 8 (+ skip) frames.
  assert.deepEqual(stackMap.stack(Number(a)), [0xffff0001n, 0xffff0002n]);
  assert.deepEqual(stackMap.stack(Number(u)), [0x401000n, 0x402000n]);
  const s1 = id(1);
  assert.deepEqual(stackMap.stack(Number(s1)), [0xffff0002n, 0xffff0003n], 'skipping one frame, then two more fit');
  assert.equal(stackMap.lookup(new Uint8Array([Number(s1), 0, 0, 0]))!.length, 16);
  assert.equal(id(3), -14n, 'skipping every frame: -EFAULT');
  assert.equal(id(1 << 12), -22n);
  assert.throws(() => id(0, map), /bpf_get_stackid: map #\d+ is not a STACK_TRACE map/);
});

bothEngines('get_stackid: collisions are -EEXIST unless BPF_F_REUSE_STACKID; a full map is -ENOMEM', () => {
  const t = stacks();
  return { ...t, one: t.env.maps.create({ type: MapType.STACK_TRACE, keySize: 4, valueSize: 8 * 4, maxEntries: 1 }) };
}, ({ one }, run) => {
  const id = (flags: number) => signed(run(`r2 = ${one.handle} ll\nr3 = ${flags}\ncall 27\nexit`));
  assert.equal(id(0), 0n, 'one bucket: every stack has id 0');
  assert.equal(id(StackFlag.USER_STACK), -17n, 'another stack in the same bucket');
  assert.equal(id(StackFlag.USER_STACK | StackFlag.FAST_STACK_CMP), -17n, 'a different hash is no match even for the fast compare');
  // With REUSE the replacement needs a free record first: the only one is in use.
  assert.equal(id(StackFlag.USER_STACK | StackFlag.REUSE_STACKID), -12n);
  assert.equal(id(0), 0n, 'the first stack is still there');
});
