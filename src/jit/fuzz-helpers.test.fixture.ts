/** The helpers generated programs call, registered in both engines by the fuzzer. */
import type { HelperFn } from '../vm/index.js';

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
