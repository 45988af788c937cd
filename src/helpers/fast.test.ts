import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MapType } from '../maps/index.js';
import { typedR0, type HelperContext } from '../vm/index.js';
import { createHelperEnv, createHelpers } from './index.js';
import { FAST_IMPLS } from './fast.js';

/** A fresh env with a hash map, a scratch buffer holding key `key` and a read-only region; identical every call. */
function build(key: number) {
  const env = createHelperEnv({ random: 7 });
  const map = env.maps.create({ type: MapType.HASH, keySize: 4, valueSize: 8, maxEntries: 4, name: 'h' });
  const scratch = env.space.alloc(64, { name: 'scratch' });
  const readOnly = env.space.allocBytes(new Uint8Array(16), { name: 'ro', writable: false });
  new DataView(env.space.memory.buffer).setUint32(scratch.start, key, true);
  // Keys 1-3 exist, so lookups hit, updates with BPF_NOEXIST fail and deletes succeed.
  for (const k of [1, 2, 3]) map.update(Uint8Array.of(k, 0, 0, 0), new Uint8Array(8).fill(k));
  const candidates = [map.handle, scratch.start, scratch.start + 8, readOnly.start, 0, 0x100, scratch.end - 2, 0xfffffff0];
  return { env, registry: createHelpers(env), candidates };
}

const SEEDS = 512;

const outcome = (f: () => bigint) => {
  try {
    return { r0: f() };
  } catch (err) {
    return { error: `${(err as { code?: string }).code}: ${(err as Error).message}` };
  }
};

/**
 * Each fast path must give the generic implementation's r0 (or the same error) for
 * every input the engines send it: addresses in 32 bits, valid or not. Both sides run
 * on identical fresh state, since both change the map.
 */
test('fast paths agree with the generic implementations on valid and invalid arguments', () => {
  let compared = 0;
  let hits = 0;
  for (const name of Object.keys(FAST_IMPLS)) {
    for (let seed = 0; seed < SEEDS; seed++) {
      const generic = build(seed % 5);
      const fast = build(seed % 5);
      const def = fast.registry.list().find((d) => d.name === `bpf_${name}`)!;
      assert.ok(def.typed, `${name} has a fast path in the registry`);
      // Every combination of candidates for the first three u32 arguments; flags 0-3.
      const args = def.typed.args.map((kind, i) => kind === 'u32' ? fast.candidates[Math.floor(seed / 8 ** i) % 8]! : BigInt(seed % 4));
      const registers = [0, 1, 2, 3, 4].map((i) => i < args.length ? BigInt(args[i]!) : 0n);
      const ctx = (space: typeof fast.env.space): HelperContext => ({ space, pc: 3, invoke: () => 0n });
      const genericDef = generic.registry.get(def.id)!;
      const expected = outcome(() => BigInt.asUintN(64,
        BigInt(genericDef.fn(ctx(generic.env.space), registers[0]!, registers[1]!, registers[2]!, registers[3]!, registers[4]!) ?? 0)));
      const actual = outcome(() => typedR0(def.typed!.ret, def.typed!.fn(ctx(fast.env.space), ...args)));
      assert.deepEqual(actual, expected, `${name}(${args.join(', ')})`);
      if ('r0' in actual && actual.r0 !== 0n) hits++;
      compared++;
    }
  }
  assert.equal(compared, Object.keys(FAST_IMPLS).length * SEEDS);
  assert.ok(hits > SEEDS / 8, `only ${hits} calls returned a non-zero r0 without an error`);
});
