/** The helpers generated programs call, registered in both engines by the fuzzer. */
import type { HelperContext, HelperFn, TypedHelper } from '../vm/index.js';

// ---- Helpers the generated programs call -------------------------------------------

export const Helper = {
  /** r0 = a mix of r1-r5. */
  MIX: 1,
  /** r0 = the u64 at r1, which becomes r2; a bad address throws (HELPER_FAILED). */
  SWAP: 2,
  /** bpf_loop(callback r1, count r2, ctx r3): callback(i, ctx) until it returns non-zero, at most 16 times. */
  LOOP: 3,
  /** Always throws (HELPER_FAILED). */
  FAIL: 4,
  /** Never registered (UNKNOWN_HELPER). */
  UNKNOWN: 77,
} as const;

export const M64 = (1n << 64n) - 1n;

export const FUZZ_HELPERS: Readonly<Record<number, HelperFn>> = Object.freeze({
  [Helper.MIX]: (_ctx, a, b, c, d, e) => (a * 0x9e3779b97f4a7c15n + (b ^ (c << 7n)) - d + (e >> 3n)) & M64,
  [Helper.SWAP]: (ctx, a, b) => {
    const region = a < 0x1_0000_0000n ? ctx.space.find(Number(a), 8) : undefined;
    if (!region?.writable) throw new Error(`no writable 8 bytes at 0x${a.toString(16)}`);
    const view = ctx.space.view;
    const old = view.getBigUint64(Number(a), true);
    view.setBigUint64(Number(a), b, true);
    return old;
  },
  [Helper.LOOP]: (ctx, callback, count, context) => {
    const n = count > 16n ? 16 : Number(count);
    let i = 0;
    while (i < n) {
      const stop = ctx.invoke(callback, [BigInt(i), context]) !== 0n;
      i++;
      if (stop) break;
    }
    return i;
  },
  [Helper.FAIL]: () => {
    throw new Error('helper 4 always fails');
  },
});

/**
 * Typed fast paths for some of them (`TypedHelper`), registered beside the generic
 * functions so generated programs exercise both paths: a u32 argument with a non-zero
 * high word, and `callx`, take the generic one. Each gives the generic function's r0.
 */
export const FUZZ_TYPED: Readonly<Record<number, TypedHelper>> = Object.freeze({
  [Helper.SWAP]: {
    args: ['u32', 'i64'], ret: 'i64',
    fn: (ctx: HelperContext, a: number, b: bigint) => FUZZ_HELPERS[Helper.SWAP]!(ctx, BigInt(a), BigInt.asUintN(64, b), 0n, 0n, 0n) as bigint,
  },
  [Helper.LOOP]: {
    args: ['i64', 'u32', 'i64'], ret: 'u32',
    fn: (ctx: HelperContext, callback: bigint, count: number, context: bigint) =>
      Number(FUZZ_HELPERS[Helper.LOOP]!(ctx, BigInt.asUintN(64, callback), BigInt(count), BigInt.asUintN(64, context), 0n, 0n)),
  },
});
