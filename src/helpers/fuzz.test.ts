import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assemble } from '../asm/index.js';
import { Vm, VmError, VmErrorCode } from '../vm/index.js';
import { JitVm } from '../jit/index.js';
import { EbeeError } from '../errors.js';
import { MapType } from '../maps/index.js';
import { HELPERS, createHelperEnv, createHelpers, type HelperEnv } from './index.js';
import { fakePacket } from './rig.test.fixture.js';

// Every implemented helper, called with arguments drawn from interesting values (null,
// small numbers, sizes, real addresses of the stack, a map, a packet, huge and negative
// numbers), on both engines: each call either returns the same r0 on both or fails on
// both with the same ebee error code; a helper's own failure is always a typed error,
// never a TypeError or RangeError.

interface World {
  env: HelperEnv;
  values: bigint[];
}

function world(kind: 'xdp' | 'skb'): World {
  const env = createHelperEnv({ cpus: 2, routes: [{ prefix: '10.0.0.0/8', dmac: '02:00:00:00:00:01' }], stacks: { kernel: [1n, 2n] } });
  const packet = fakePacket(env.space, kind, Uint8Array.from({ length: 64 }, (_, i) => i));
  env.packet = packet;
  env.ctx = packet.ctx;
  const hash = env.maps.create({ type: MapType.HASH, keySize: 4, valueSize: 8, maxEntries: 8 });
  const ring = env.maps.create({ type: MapType.RINGBUF, keySize: 0, valueSize: 0, maxEntries: 4096 });
  const perf = env.maps.create({ type: MapType.PERF_EVENT_ARRAY, keySize: 4, valueSize: 4, maxEntries: 2 });
  const progs = env.maps.create({ type: MapType.PROG_ARRAY, keySize: 4, valueSize: 4, maxEntries: 2 });
  const data = env.space.allocBytes(new TextEncoder().encode('%d %s %pI4 hello\0'), { name: 'data' });
  return {
    env,
    values: [0n, 1n, 4n, 8n, 14n, 64n, 0xffffn, 1n << 32n, -1n, -8n, -40n, BigInt(hash.handle), BigInt(ring.handle),
      BigInt(perf.handle), BigInt(progs.handle), BigInt(packet.ctx), BigInt(packet.data), BigInt(data.start), BigInt(data.start + 3)]
      .map((v) => BigInt.asUintN(64, v)),
  };
}

type Outcome = { r0: bigint } | { code: string };

function outcome(engine: 'interpreter' | 'jit', kind: 'xdp' | 'skb', id: number, picks: number[]): Outcome {
  const w = world(kind);
  const args = picks.map((p) => w.values[p % w.values.length]!);
  // Arguments that name the stack are offsets from r10; the rest are constants.
  const lines = args.map((v, i) => (v >= 1n << 63n && v > BigInt.asUintN(64, -64n)
    ? `r${i + 1} = r10\nr${i + 1} += ${BigInt.asIntN(64, v)}` : `r${i + 1} = ${v} ll`));
  const source = `${lines.join('\n')}\ncall ${id}\nexit`;
  const helpers = createHelpers(w.env);
  const vm = engine === 'jit' ? new JitVm({ space: w.env.space, helpers }) : new Vm({ space: w.env.space, helpers });
  try {
    return { r0: vm.run(assemble(source).insns, { budget: 100_000 }).r0 };
  } catch (err) {
    assert.ok(err instanceof EbeeError, `helper ${id} (${picks}): ${err}`);
    if (err instanceof VmError && err.code === VmErrorCode.HELPER_FAILED) {
      assert.ok(err.cause instanceof EbeeError, `helper ${id} with ${args.map((a) => '0x' + a.toString(16))}: untyped ${err.cause}`);
      return { code: `${err.code}/${(err.cause as EbeeError).code}` };
    }
    return { code: err.code };
  }
}

test('every implemented helper, random arguments: same outcome on both engines, only typed errors', () => {
  let seed = 0x1234567;
  const rnd = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0);
  let calls = 0;
  let returned = 0;
  for (const h of HELPERS) {
    if (!h.impl) continue;
    for (let n = 0; n < 12; n++) {
      const picks = [rnd(), rnd(), rnd(), rnd(), rnd()];
      const kind = n % 2 === 0 ? 'xdp' : 'skb';
      const a = outcome('interpreter', kind, h.id, picks);
      const b = outcome('jit', kind, h.id, picks);
      assert.deepEqual(b, a, `${h.name} ${picks}`);
      if ('r0' in a) returned++;
      calls++;
    }
  }
  assert.ok(calls > 500);
  // The arguments reach the helpers' logic, not only the argument checks.
  assert.ok(returned > calls / 4, `${returned} of ${calls} calls returned`);
});
