/**
 * Which helpers may take which maps (Linux's check_map_func_compatibility): special
 * maps work only with their own helpers (a PROG_ARRAY only with bpf_tail_call, a ring
 * buffer only with the ringbuf helpers...), and those helpers only with their maps.
 * Without this a program could pass an ARRAY to bpf_tail_call or look up a PROG_ARRAY,
 * which the kernel refuses at load time (found by the kernel oracle test).
 */
import { MapType } from '../maps/constants.js';
import type { HelperPrototype } from '../helpers/index.js';

/** Helpers (by Linux name) that need one of these map types. */
const HELPER_MAPS: Readonly<Record<string, readonly number[]>> = {
  tail_call: [MapType.PROG_ARRAY],
  perf_event_read: [MapType.PERF_EVENT_ARRAY],
  perf_event_output: [MapType.PERF_EVENT_ARRAY],
  perf_event_read_value: [MapType.PERF_EVENT_ARRAY],
  skb_output: [MapType.PERF_EVENT_ARRAY],
  xdp_output: [MapType.PERF_EVENT_ARRAY],
  get_stackid: [MapType.STACK_TRACE],
  skb_under_cgroup: [MapType.CGROUP_ARRAY],
  current_task_under_cgroup: [MapType.CGROUP_ARRAY],
  redirect_map: [MapType.DEVMAP, MapType.DEVMAP_HASH, MapType.CPUMAP, MapType.XSKMAP],
  ringbuf_output: [MapType.RINGBUF],
  ringbuf_reserve: [MapType.RINGBUF],
  ringbuf_query: [MapType.RINGBUF],
  ringbuf_reserve_dynptr: [MapType.RINGBUF],
};

/** Map types usable only with these helpers (by Linux name). */
const MAP_HELPERS: ReadonlyMap<number, readonly string[]> = new Map<number, readonly string[]>([
  [MapType.PROG_ARRAY, ['tail_call']],
  [MapType.PERF_EVENT_ARRAY, ['perf_event_read', 'perf_event_output', 'perf_event_read_value', 'skb_output', 'xdp_output']],
  [MapType.STACK_TRACE, ['get_stackid']],
  [MapType.CGROUP_ARRAY, ['skb_under_cgroup', 'current_task_under_cgroup']],
  [MapType.RINGBUF, ['ringbuf_output', 'ringbuf_reserve', 'ringbuf_query', 'ringbuf_reserve_dynptr']],
  [MapType.CPUMAP, ['redirect_map']],
  [MapType.DEVMAP, ['redirect_map', 'map_lookup_elem']],
  [MapType.DEVMAP_HASH, ['redirect_map', 'map_lookup_elem']],
  [MapType.XSKMAP, ['redirect_map', 'map_lookup_elem']],
]);

/** The kernel's message when `mapType` may not go to helper `proto`, or undefined when it may. */
export function mapHelperMismatch(mapType: number, proto: HelperPrototype): string | undefined {
  const needs = HELPER_MAPS[proto.name];
  const only = MAP_HELPERS.get(mapType);
  if ((needs && !needs.includes(mapType)) || (only && !only.includes(proto.name))) {
    // Linux checks the tail call's map earlier, with its own message.
    if (proto.name === 'tail_call') return 'expected prog array map for tail call';
    return `cannot pass map_type ${mapType} into func bpf_${proto.name}#${proto.id}`;
  }
  return undefined;
}
