/**
 * Typed fast paths (`TypedHelper` in vm/helpers.ts) for the helpers programs call in
 * their hot loops: map lookups and updates, random numbers, the CPU id. Called from
 * JIT code with i32 arguments and results they cost about a quarter of the generic
 * path (no BigInt crosses; measured in bench/helpers.mjs). The engines take them only
 * when every `u32` argument's high word is 0, so each must return exactly what the
 * generic implementation in maps.ts / task.ts returns for those inputs: they share the
 * same checks (`mapArg`'s lookup, the region checks of `readable`).
 */
import { resolveAccess, type HelperContext, type HelperArgValue, type HelperRetValue } from '../vm/index.js';
import type { BpfMap } from '../maps/index.js';
import type { HelperEnv } from './env.js';
import { mapArg } from './impl.js';

/** A fast path bound to the run's env by `createHelpers`. */
export interface TypedImpl {
  readonly args: readonly HelperArgValue[];
  readonly ret: HelperRetValue;
  readonly fn: (env: HelperEnv, ctx: HelperContext, ...args: any[]) => number | bigint;
}

/** `readable` for an address already known to fit in 32 bits. */
function readable32(ctx: HelperContext, address: number, size: number): number {
  if (size > 0) resolveAccess(ctx.space, address, 0, size, ctx.pc, 'read', true);
  return address;
}

function map32(env: HelperEnv, address: number, helper: string): BpfMap {
  return env.maps.mapByAddress(address) ?? mapArg(env, BigInt(address), helper);
}

export const FAST_IMPLS: Readonly<Record<string, TypedImpl>> = {
  map_lookup_elem: {
    args: ['u32', 'u32'], ret: 'u32',
    fn: (env, ctx, map: number, key: number) => {
      const m = map32(env, map, 'map_lookup_elem');
      return m.lookupAddress(readable32(ctx, key, m.keySize));
    },
  },
  map_update_elem: {
    args: ['u32', 'u32', 'u32', 'i64'], ret: 's32',
    fn: (env, ctx, map: number, key: number, value: number, flags: bigint) => {
      const m = map32(env, map, 'map_update_elem');
      return m.updateElem(readable32(ctx, key, m.keySize), readable32(ctx, value, m.valueSize), BigInt.asUintN(64, flags));
    },
  },
  map_delete_elem: {
    args: ['u32', 'u32'], ret: 's32',
    fn: (env, ctx, map: number, key: number) => {
      const m = map32(env, map, 'map_delete_elem');
      return m.deleteElem(readable32(ctx, key, m.keySize));
    },
  },
  get_prandom_u32: { args: [], ret: 'u32', fn: (env) => env.random.nextU32() >>> 0 },
  get_smp_processor_id: { args: [], ret: 'u32', fn: (env) => env.maps.currentCpu },
};
