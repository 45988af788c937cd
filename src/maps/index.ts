/**
 * `maps/`: every map type with Linux's semantics, stored in the address space. Create
 * maps through a `MapRegistry` (one per address space; it numbers maps and programs
 * with fd-like ids and knows the CPU count and the current CPU). Each map has a program
 * face for helpers (addresses in, Linux's return values out) and a user face for the
 * syscall side (byte arrays in and out, `MapError` with Linux's errno on failure).
 */
export {
  MapType, type MapTypeValue, IMPLEMENTED_MAP_TYPES, mapTypeName, UpdateFlag, MapFlag, ACCESS_FLAGS,
  Errno, type ErrnoValue, errnoName, RingbufHeader, RingbufFlag, RingbufQuery, PerfFlag, RedirectFlag, XdpAction,
  PAGE_SIZE, MAX_BPF_STACK, NR_CPUS,
} from './constants.js';
export { MapError, MapErrorCode, type MapErrorCodeValue, type MapErrorOptions, codeForErrno, isMapErrno } from './errors.js';
export { type MapSpec, type ResolvedSpec, validateSpec, innerMapCompatible, isMapInMap } from './spec.js';
export { MapRegistry, type MapRegistryOptions, type ProgramEntry, type RegistryObject } from './registry.js';
export { BpfMap, type BatchSupport } from './base.js';
export { type BatchResult, type BatchOptions } from './batch.js';
export { HashMap } from './hash.js';
export { ArrayMap } from './array.js';
export { FdArrayMap, ProgArrayMap } from './fd-array.js';
export { ArrayOfMaps, HashOfMaps } from './map-in-map.js';
export { StackTraceMap, StackIdFlag, jhash2, PERF_MAX_STACK, STACK_BUILD_ID_ENTRY, STACK_BUILD_ID_IP } from './stacktrace.js';
export { CgroupArrayMap, CgroupRef, openCgroup } from './cgroup.js';
export { LpmTrieMap } from './lpm.js';
export { QueueStackMap } from './queue.js';
export { BloomFilterMap } from './bloom.js';
export { RingBufMap, ringbufOfRecord, ringbufCommit } from './ringbuf.js';
export { PerfEventArray, PerfEventBuffer, createPerfEvent, type PerfSample, type PerfOpenOptions } from './perf.js';
export { RedirectArrayMap, DevmapHash, type RedirectTarget, type RedirectResult, type RedirectMap } from './redirect.js';

export {
  u32, u64, readU32, readU64, readI64, concatBytes, toBytes, lpmKey, ipv4Key, hash32, type BytesLike,
} from './bytes.js';
