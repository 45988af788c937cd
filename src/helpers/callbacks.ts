/**
 * Helpers that call back into the program: bpf_loop and bpf_for_each_map_elem. The
 * engines run the callback (`ctx.invoke`) in a fresh frame of the same program; a
 * callback returns 0 to go on and 1 to stop (the verifier allows nothing else, so any
 * non-zero value stops here).
 */
import { ArrayMap, HashMap, MapType, type BpfMap } from '../maps/index.js';
import { BPF_MAX_LOOPS, HErrno } from './constants.js';
import { mapArg, type ImplTable } from './impl.js';

/** Map types bpf_for_each_map_elem accepts in Linux. */
const ITERABLE: ReadonlySet<number> = new Set([
  MapType.HASH, MapType.PERCPU_HASH, MapType.LRU_HASH, MapType.LRU_PERCPU_HASH, MapType.ARRAY, MapType.PERCPU_ARRAY,
]);

/** The keys present now, in the map's iteration order (taken before any callback can change the map). */
function keysOf(map: BpfMap): Uint8Array[] {
  if (map instanceof ArrayMap) {
    const out: Uint8Array[] = [];
    for (let i = 0; i < map.maxEntries; i++) {
      const k = new Uint8Array(4);
      new DataView(k.buffer).setUint32(0, i, true);
      out.push(k);
    }
    return out;
  }
  if (!(map instanceof HashMap)) return [];
  // The map's own cursor, not the syscall face: BPF_F_WRONLY restricts user space, not programs.
  const out: Uint8Array[] = [];
  for (let k = map.sysGetNextKey(undefined); typeof k !== 'number'; k = map.sysGetNextKey(k)) out.push(k);
  return out;
}

export const CALLBACK_IMPLS: ImplTable = {
  loop(_env, ctx, nr, fn, cbCtx, flags) {
    if (BigInt.asUintN(64, flags) !== 0n) return -HErrno.EINVAL;
    const n = BigInt.asUintN(32, nr);
    if (n > BigInt(BPF_MAX_LOOPS)) return -HErrno.E2BIG;
    for (let i = 0n; i < n; i++) {
      if (BigInt.asUintN(64, ctx.invoke(fn, [i, cbCtx])) !== 0n) return i + 1n;
    }
    return n;
  },
  for_each_map_elem(env, ctx, map, fn, cbCtx, flags) {
    if (BigInt.asUintN(64, flags) !== 0n) return -HErrno.EINVAL;
    const m = mapArg(env, map, 'for_each_map_elem');
    if (!ITERABLE.has(m.type)) return -HErrno.EINVAL;
    // The callback gets a read-only copy of the key (as Linux passes the element's key) and the value pointer.
    const keyRegion = env.space.alloc(Math.max(m.keySize, 1), { name: 'for_each:key', writable: false });
    let visited = 0;
    try {
      for (const key of keysOf(m)) {
        env.space.bytes.set(key, keyRegion.start);
        const value = m.lookupAddress(keyRegion.start);
        if (value === 0) continue;
        visited++;
        const r = ctx.invoke(fn, [BigInt(m.handle), BigInt(keyRegion.start), BigInt(value), cbCtx]);
        if (BigInt.asUintN(64, r) !== 0n) break;
      }
    } finally {
      env.space.release(keyRegion);
    }
    return visited;
  },
};
