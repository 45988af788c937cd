/**
 * The map helpers: the maps' program face does the work (Linux's return values);
 * here each pointer argument is checked for the bytes the helper will touch first.
 */
import { BloomFilterMap } from '../maps/index.js';
import { readable, u32, writable } from './access.js';
import { mapArg, type ImplTable } from './impl.js';

export const MAP_IMPLS: ImplTable = {
  map_lookup_elem(env, ctx, map, key) {
    const m = mapArg(env, map, 'map_lookup_elem');
    return m.lookupAddress(readable(ctx, key, m.keySize));
  },
  map_update_elem(env, ctx, map, key, value, flags) {
    const m = mapArg(env, map, 'map_update_elem');
    return m.updateElem(readable(ctx, key, m.keySize), readable(ctx, value, m.valueSize), flags);
  },
  map_delete_elem(env, ctx, map, key) {
    const m = mapArg(env, map, 'map_delete_elem');
    return m.deleteElem(readable(ctx, key, m.keySize));
  },
  map_push_elem(env, ctx, map, value, flags) {
    const m = mapArg(env, map, 'map_push_elem');
    return m.pushElem(readable(ctx, value, m.valueSize), flags);
  },
  map_pop_elem(env, ctx, map, value) {
    const m = mapArg(env, map, 'map_pop_elem');
    return m.popElem(writable(ctx, value, m.valueSize));
  },
  map_peek_elem(env, ctx, map, value) {
    const m = mapArg(env, map, 'map_peek_elem');
    // A bloom filter's peek tests the value the program passes; a queue's copies one out.
    const at = m instanceof BloomFilterMap ? readable(ctx, value, m.valueSize) : writable(ctx, value, m.valueSize);
    return m.peekElem(at);
  },
  map_lookup_percpu_elem(env, ctx, map, key, cpu) {
    const m = mapArg(env, map, 'map_lookup_percpu_elem');
    const c = BigInt.asUintN(64, cpu);
    if (c >= BigInt(m.cpus)) return 0;
    return m.lookupPercpuAddress(readable(ctx, key, m.keySize), u32(c));
  },
};
