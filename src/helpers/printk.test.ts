import assert from 'node:assert/strict';
import { MapType } from '../maps/index.js';
import { createHelperEnv } from './index.js';
import { bothEngines, signed, storeString } from './rig.test.fixture.js';

const env = () => ({ env: createHelperEnv() });

// The format at r10-64, a string argument at r10-16.
function printk(format: string, args: string): string {
  return `${storeString(format, 64)}
    ${storeString('eth0', 16)}
    r1 = r10
    r1 += -64
    r2 = ${new TextEncoder().encode(format).length + 1}
    ${args}
    call 6
    exit`;
}

bothEngines('trace_printk formats its three arguments into a line and returns its length', env, ({ env }, run) => {
  const r = run(printk('dev %s: %d packets, 0x%x\n', 'r3 = r10\nr3 += -16\nr4 = -3\nr5 = 255'));
  assert.deepEqual(env.printk, ['dev eth0: -3 packets, 0xff']);
  assert.equal(r.r0, BigInt('dev eth0: -3 packets, 0xff\n'.length));
});

bothEngines('trace_printk: a bad format prints nothing and returns -EINVAL', env, ({ env }, run) => {
  assert.equal(signed(run(printk('%d %d %d %d', 'r3 = 1\nr4 = 2\nr5 = 3'))), -22n);
  assert.equal(signed(run(printk('%5.2f', 'r3 = 1'))), -22n);
  assert.deepEqual(env.printk, []);
  // A format with no NUL within fmt_size is rejected too.
  assert.equal(signed(run(`${storeString('abc', 8)}\nr1 = r10\nr1 += -8\nr2 = 3\ncall 6\nexit`)), -22n);
});

bothEngines('trace_vprintk takes up to 12 u64 arguments from an array', env, ({ env }, run) => {
  const prog = (len: number) => `${storeString('%d+%d+%d+%d=%d', 64)}
    r1 = 1
    *(u64 *)(r10 - 40) = r1
    r1 = 2
    *(u64 *)(r10 - 32) = r1
    r1 = 3
    *(u64 *)(r10 - 24) = r1
    r1 = 4
    *(u64 *)(r10 - 16) = r1
    r1 = 10
    *(u64 *)(r10 - 8) = r1
    r1 = r10
    r1 += -64
    r2 = 15
    r3 = r10
    r3 += -40
    r4 = ${len}
    call 177
    exit`;
  assert.equal(run(prog(40)).r0, 10n);
  assert.deepEqual(env.printk, ['1+2+3+4=10']);
  assert.equal(signed(run(prog(32))), -22n, 'five conversions, four arguments');
  assert.equal(signed(run(prog(12))), -22n, 'data_len not a multiple of 8');
});

bothEngines('snprintf writes at most size bytes with a NUL and returns the full length plus one', () => {
  const e = createHelperEnv();
  // The format is a constant string in a read-only map value, as the verifier requires.
  const rodata = e.maps.create({ type: MapType.ARRAY, keySize: 4, valueSize: 32, maxEntries: 1, flags: 1 << 7 });
  rodata.update(0, Buffer.concat([Buffer.from('id=%u name=%s'), Buffer.alloc(19)]));
  return { env: e, fmt: rodata.lookupAddress(e.space.allocBytes(new Uint8Array(4), { name: 'k' }).start) };
}, ({ fmt }, run) => {
  const prog = (size: number) => `${storeString('bob', 48)}
    r1 = 77
    *(u64 *)(r10 - 64) = r1
    r1 = r10
    r1 += -48
    *(u64 *)(r10 - 56) = r1
    r1 = 0
    *(u64 *)(r10 - 32) = r1
    *(u64 *)(r10 - 24) = r1
    r1 = r10
    r1 += -32
    r2 = ${size}
    r3 = ${fmt} ll
    r4 = r10
    r4 += -64
    r5 = 16
    call 165
    r6 = r0
    r0 = *(u64 *)(r10 - 32)
    r1 = *(u64 *)(r10 - 24)
    r0 ^= r1
    r0 <<= 8
    r0 |= r6
    exit`;
  const word = (s: Buffer) => s.readBigUInt64LE(0) ^ s.readBigUInt64LE(8);
  const full = Buffer.alloc(16);
  full.write('id=77 name=bob');
  assert.equal(run(prog(16)).r0, BigInt.asUintN(64, word(full) << 8n) | 15n);
  const cut = Buffer.alloc(16);
  cut.write('id=7');
  assert.equal(run(prog(5)).r0, BigInt.asUintN(64, word(cut) << 8n) | 15n);
});
