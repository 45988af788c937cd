/**
 * `MapSpec` (what BPF_MAP_CREATE receives) and its validation, rule for rule as Linux's
 * `map_create` and each type's `map_alloc_check` accept or reject it, with the same
 * errno. Validation also resolves what Linux derives at creation: the effective
 * max_entries of per-CPU LRU maps, the bloom filter's hash count, the read-only
 * program view of device maps.
 */
import {
  ACCESS_FLAGS, BPF_OBJ_NAME_LEN, Errno, IMPLEMENTED_MAP_TYPES, KMALLOC_MAX_SIZE, MapFlag, MapType,
  NR_CPUS, PAGE_SIZE, PCPU_MIN_UNIT_SIZE, mapTypeName,
} from './constants.js';
import { MapError, MapErrorCode } from './errors.js';
import { isPowerOfTwo, roundUp } from './bytes.js';

/** What BPF_MAP_CREATE receives. Sizes in bytes. */
export interface MapSpec {
  /** `MapType.*`. */
  readonly type: number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  /** `MapFlag.*` bits (default 0). */
  readonly flags?: number;
  /** Up to 15 characters of [A-Za-z0-9_.] (default ""). */
  readonly name?: string;
  /** ARRAY_OF_MAPS / HASH_OF_MAPS: the template every inner map must match (Linux's inner_map_fd). */
  readonly innerMap?: MapSpec;
  /** NUMA node, honoured with MapFlag.NUMA_NODE; ebee has one node, 0. */
  readonly numaNode?: number;
  /** `map_extra`: BLOOM_FILTER's hash count in the low 4 bits (0 means 5). */
  readonly mapExtra?: number | bigint;
}

/** A validated spec with the values Linux derives at creation. */
export interface ResolvedSpec {
  readonly type: number;
  readonly keySize: number;
  readonly valueSize: number;
  /** Effective max_entries (per-CPU LRU lists round it to a multiple of the CPU count). */
  readonly maxEntries: number;
  /** Effective flags (device maps gain RDONLY_PROG as in Linux). */
  readonly flags: number;
  readonly name: string;
  readonly innerMap: ResolvedSpec | undefined;
  readonly numaNode: number | undefined;
  readonly mapExtra: bigint;
  /** BLOOM_FILTER: number of hash functions (1..15). */
  readonly hashCount: number;
  /** The spec as given. */
  readonly original: MapSpec;
}

const HASH_FLAGS = MapFlag.NO_PREALLOC | MapFlag.NO_COMMON_LRU | MapFlag.NUMA_NODE | ACCESS_FLAGS | MapFlag.ZERO_SEED;
const ARRAY_FLAGS = MapFlag.NUMA_NODE | MapFlag.MMAPABLE | ACCESS_FLAGS | MapFlag.PRESERVE_ELEMS | MapFlag.INNER_MAP;
const LPM_FLAGS = MapFlag.NO_PREALLOC | MapFlag.NUMA_NODE | ACCESS_FLAGS;
const QUEUE_FLAGS = MapFlag.NUMA_NODE | ACCESS_FLAGS;
const BLOOM_FLAGS = MapFlag.NUMA_NODE | MapFlag.ZERO_SEED | ACCESS_FLAGS;
const STACK_FLAGS = MapFlag.NUMA_NODE | MapFlag.RDONLY | MapFlag.WRONLY | MapFlag.STACK_BUILD_ID;
/** `sysctl_perf_event_max_stack`'s default: a stack map's value holds at most this many frames. */
const PERF_MAX_STACK = 127;
/** `sizeof(struct bpf_stack_build_id)`. */
const STACK_BUILD_ID_SIZE = 32;
const DEV_FLAGS = MapFlag.NUMA_NODE | MapFlag.RDONLY | MapFlag.WRONLY;
/** Largest ring buffer data area Linux accepts (24-bit page offsets in headers). */
const RINGBUF_MAX_DATA_SZ = ((1 << 24) - 2 - 1) * PAGE_SIZE;
const LPM_DATA_SIZE_MAX = 256;
const HTAB_ELEM_OVERHEAD = 48;

const isHash = (t: number): boolean => t === MapType.HASH || t === MapType.PERCPU_HASH
  || t === MapType.LRU_HASH || t === MapType.LRU_PERCPU_HASH || t === MapType.HASH_OF_MAPS;
const isLru = (t: number): boolean => t === MapType.LRU_HASH || t === MapType.LRU_PERCPU_HASH;
const isPercpu = (t: number): boolean => t === MapType.PERCPU_HASH || t === MapType.LRU_PERCPU_HASH
  || t === MapType.PERCPU_ARRAY;
const isFdArray = (t: number): boolean => t === MapType.PROG_ARRAY || t === MapType.PERF_EVENT_ARRAY
  || t === MapType.ARRAY_OF_MAPS || t === MapType.CGROUP_ARRAY;
const isArray = (t: number): boolean => t === MapType.ARRAY || t === MapType.PERCPU_ARRAY || isFdArray(t);
/** True for ARRAY_OF_MAPS and HASH_OF_MAPS. */
export const isMapInMap = (t: number): boolean => t === MapType.ARRAY_OF_MAPS || t === MapType.HASH_OF_MAPS;

/** Fails with Linux's errno for a spec Linux would refuse. */
function reject(errno: number, spec: MapSpec, why: string): never {
  throw new MapError(MapErrorCode.BAD_SPEC, errno, `cannot create ${mapTypeName(spec.type)} map: ${why}`,
    { map: spec.name || undefined });
}

function isU32(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 0xffffffff;
}

/** `bpf_map_flags_access_ok`: a map cannot be both read-only and write-only for programs. */
function progAccessOk(flags: number): boolean {
  return (flags & (MapFlag.RDONLY_PROG | MapFlag.WRONLY_PROG)) !== (MapFlag.RDONLY_PROG | MapFlag.WRONLY_PROG);
}

/**
 * Validates a spec as Linux's BPF_MAP_CREATE does and resolves the derived values.
 * `cpus` is the number of possible CPUs. Throws `MapError` (code BAD_SPEC or
 * UNSUPPORTED_TYPE) with the errno Linux returns.
 */
export function validateSpec(spec: MapSpec, cpus: number): ResolvedSpec {
  const { type, keySize, valueSize, maxEntries } = spec;
  const flags = spec.flags ?? 0;
  const name = spec.name ?? '';
  if (!isU32(type) || !isU32(keySize) || !isU32(valueSize) || !isU32(maxEntries) || !isU32(flags)) {
    reject(Errno.EINVAL, spec, 'type, sizes, max_entries and flags must be u32 integers');
  }
  if (!IMPLEMENTED_MAP_TYPES.includes(type)) {
    throw new MapError(MapErrorCode.UNSUPPORTED_TYPE, Errno.EINVAL,
      `map type ${mapTypeName(type)} is not implemented by ebee`, { map: name || undefined });
  }
  // map_create: the name, the syscall access flags, map_extra, the NUMA node.
  if (name.length >= BPF_OBJ_NAME_LEN) reject(Errno.EINVAL, spec, `name "${name}" is longer than 15 characters`);
  if (!/^[A-Za-z0-9_.]*$/.test(name)) reject(Errno.EINVAL, spec, `name "${name}" has characters other than [A-Za-z0-9_.]`);
  if ((flags & MapFlag.RDONLY) && (flags & MapFlag.WRONLY)) reject(Errno.EINVAL, spec, 'both BPF_F_RDONLY and BPF_F_WRONLY');
  const mapExtra = BigInt(spec.mapExtra ?? 0);
  if (mapExtra < 0n || mapExtra >= 1n << 64n) reject(Errno.EINVAL, spec, 'map_extra is not a u64');
  if (type !== MapType.BLOOM_FILTER && mapExtra !== 0n) reject(Errno.EINVAL, spec, 'map_extra is only for BLOOM_FILTER');
  const numa = (flags & MapFlag.NUMA_NODE) !== 0;
  if (numa && spec.numaNode !== 0) reject(Errno.EINVAL, spec, `NUMA node ${spec.numaNode} does not exist (ebee has node 0)`);
  if (spec.innerMap !== undefined && !isMapInMap(type)) reject(Errno.EINVAL, spec, 'only map-in-map types take an inner map');

  let effectiveMax = maxEntries;
  let effectiveFlags = flags;
  let hashCount = 0;
  let inner: ResolvedSpec | undefined;

  if (isMapInMap(type)) {
    if (valueSize !== 4) reject(Errno.EINVAL, spec, 'value size must be 4 (an fd)');
    if (!spec.innerMap) reject(Errno.EINVAL, spec, 'an inner map template is required');
    if (isMapInMap(spec.innerMap.type)) reject(Errno.EINVAL, spec, 'only one level of map-in-map is supported');
    if (spec.innerMap.type === MapType.PROG_ARRAY) reject(Errno.ENOTSUPP, spec, 'PROG_ARRAY cannot be an inner map');
    inner = validateSpec(spec.innerMap, cpus);
  }

  if (isHash(type)) {
    const lru = isLru(type);
    const prealloc = (flags & MapFlag.NO_PREALLOC) === 0;
    const percpuLru = (flags & MapFlag.NO_COMMON_LRU) !== 0;
    if ((flags & ~HASH_FLAGS) || !progAccessOk(flags)) reject(Errno.EINVAL, spec, 'flags not valid for a hash map');
    if (!lru && percpuLru) reject(Errno.EINVAL, spec, 'BPF_F_NO_COMMON_LRU needs an LRU map');
    if (lru && !prealloc) reject(Errno.ENOTSUPP, spec, 'LRU maps cannot use BPF_F_NO_PREALLOC');
    if (numa && (isPercpu(type) || percpuLru)) reject(Errno.EINVAL, spec, 'per-CPU maps cannot take a NUMA node');
    if (maxEntries === 0 || keySize === 0 || valueSize === 0) reject(Errno.EINVAL, spec, 'max_entries, key and value size must be non-zero');
    if (keySize + valueSize >= KMALLOC_MAX_SIZE - HTAB_ELEM_OVERHEAD) reject(Errno.E2BIG, spec, 'key plus value is too large');
    if (isPercpu(type) && roundUp(valueSize, 8) > PCPU_MIN_UNIT_SIZE) reject(Errno.E2BIG, spec, 'per-CPU value larger than 32 KiB');
    if (percpuLru) {
      effectiveMax = roundUp(maxEntries, cpus);
      if (effectiveMax > 0xffffffff) effectiveMax = Math.floor(maxEntries / cpus) * cpus;
    }
    if (effectiveMax > 2 ** 31) reject(Errno.E2BIG, spec, 'max_entries above 2^31');
  } else if (isArray(type)) {
    if (isFdArray(type)) {
      if (valueSize !== 4) reject(Errno.EINVAL, spec, 'value size must be 4 (an fd)');
      if (flags & (MapFlag.RDONLY_PROG | MapFlag.WRONLY_PROG)) reject(Errno.EINVAL, spec, 'program access flags are not allowed');
    }
    if (maxEntries === 0 || keySize !== 4 || valueSize === 0 || (flags & ~ARRAY_FLAGS) || !progAccessOk(flags)
      || (isPercpu(type) && numa)) {
      reject(Errno.EINVAL, spec, 'arrays need key size 4, non-zero value size and max_entries, and valid flags');
    }
    if (type !== MapType.ARRAY && (flags & (MapFlag.MMAPABLE | MapFlag.INNER_MAP))) {
      reject(Errno.EINVAL, spec, 'BPF_F_MMAPABLE and BPF_F_INNER_MAP are for ARRAY only');
    }
    if (type !== MapType.PERF_EVENT_ARRAY && (flags & MapFlag.PRESERVE_ELEMS)) {
      reject(Errno.EINVAL, spec, 'BPF_F_PRESERVE_ELEMS is for PERF_EVENT_ARRAY only');
    }
    if (valueSize > 0x7fffffff) reject(Errno.E2BIG, spec, 'value size too large');
    if (isPercpu(type) && roundUp(valueSize, 8) > PCPU_MIN_UNIT_SIZE) reject(Errno.E2BIG, spec, 'per-CPU value larger than 32 KiB');
    if (maxEntries > 2 ** 31) reject(Errno.E2BIG, spec, 'max_entries above 2^31');
  } else if (type === MapType.STACK_TRACE) {
    // stack_map_alloc: the frame size is 8, or a build-id entry with BPF_F_STACK_BUILD_ID.
    if (flags & ~STACK_FLAGS) reject(Errno.EINVAL, spec, 'stack maps take only BPF_F_NUMA_NODE, BPF_F_RDONLY/WRONLY and BPF_F_STACK_BUILD_ID');
    if (maxEntries === 0 || keySize !== 4 || valueSize < 8 || valueSize % 8 !== 0) {
      reject(Errno.EINVAL, spec, 'stack maps need key size 4, a value size that is a non-zero multiple of 8, and max_entries');
    }
    const entry = (flags & MapFlag.STACK_BUILD_ID) ? STACK_BUILD_ID_SIZE : 8;
    if (valueSize % entry !== 0) reject(Errno.EINVAL, spec, `with BPF_F_STACK_BUILD_ID the value size must be a multiple of ${entry}`);
    if (valueSize / entry > PERF_MAX_STACK) reject(Errno.EINVAL, spec, `a value holds more than ${PERF_MAX_STACK} frames`);
    if (maxEntries > 2 ** 31) reject(Errno.E2BIG, spec, 'max_entries above 2^31');
  } else if (type === MapType.LPM_TRIE) {
    if (maxEntries === 0 || !(flags & MapFlag.NO_PREALLOC) || (flags & ~LPM_FLAGS) || !progAccessOk(flags)
      || keySize < 5 || keySize > 4 + LPM_DATA_SIZE_MAX || valueSize < 1
      || valueSize > KMALLOC_MAX_SIZE - LPM_DATA_SIZE_MAX - HTAB_ELEM_OVERHEAD) {
      reject(Errno.EINVAL, spec,
        'LPM tries need BPF_F_NO_PREALLOC, a key of 4 + 1..256 bytes, a non-empty value and max_entries');
    }
  } else if (type === MapType.QUEUE || type === MapType.STACK) {
    if (maxEntries === 0 || keySize !== 0 || valueSize === 0 || (flags & ~QUEUE_FLAGS) || !progAccessOk(flags)) {
      reject(Errno.EINVAL, spec, 'queues and stacks need key size 0, a non-empty value and max_entries, and no BPF_F_NO_PREALLOC');
    }
    if (valueSize > KMALLOC_MAX_SIZE) reject(Errno.E2BIG, spec, 'value size too large');
  } else if (type === MapType.RINGBUF) {
    if (flags & ~MapFlag.NUMA_NODE) reject(Errno.EINVAL, spec, 'ring buffers take no flags but BPF_F_NUMA_NODE');
    if (keySize !== 0 || valueSize !== 0 || !isPowerOfTwo(maxEntries) || maxEntries % PAGE_SIZE !== 0) {
      reject(Errno.EINVAL, spec, 'ring buffers need key and value size 0 and a power-of-2 multiple of 4096 bytes');
    }
    if (maxEntries > RINGBUF_MAX_DATA_SZ) reject(Errno.E2BIG, spec, 'ring buffer too large');
  } else if (type === MapType.BLOOM_FILTER) {
    if (keySize !== 0 || valueSize === 0 || maxEntries === 0 || (flags & ~BLOOM_FLAGS) || !progAccessOk(flags)
      || (mapExtra & ~0xfn) !== 0n) {
      reject(Errno.EINVAL, spec, 'bloom filters need key size 0, a non-empty value, max_entries, and map_extra 0..15');
    }
    hashCount = Number(mapExtra & 0xfn) || 5;
  } else if (type === MapType.DEVMAP || type === MapType.DEVMAP_HASH) {
    if (maxEntries === 0 || keySize !== 4 || (valueSize !== 4 && valueSize !== 8) || (flags & ~DEV_FLAGS)) {
      reject(Errno.EINVAL, spec, 'device maps need key size 4, value size 4 or 8 (struct bpf_devmap_val)');
    }
    if (type === MapType.DEVMAP_HASH && maxEntries > 2 ** 31) reject(Errno.EINVAL, spec, 'max_entries above 2^31');
    // Lookup hands programs a pointer into the entry: Linux makes it read-only for them.
    effectiveFlags |= MapFlag.RDONLY_PROG;
  } else if (type === MapType.CPUMAP) {
    if (maxEntries === 0 || keySize !== 4 || (valueSize !== 4 && valueSize !== 8) || (flags & ~MapFlag.NUMA_NODE)) {
      reject(Errno.EINVAL, spec, 'CPU maps need key size 4, value size 4 or 8 (struct bpf_cpumap_val)');
    }
    if (maxEntries > NR_CPUS) reject(Errno.E2BIG, spec, `max_entries above NR_CPUS (${NR_CPUS})`);
  } else if (type === MapType.XSKMAP) {
    if (maxEntries === 0 || keySize !== 4 || valueSize !== 4 || (flags & ~DEV_FLAGS)) {
      reject(Errno.EINVAL, spec, 'XSK maps need key and value size 4');
    }
  }

  return {
    type, keySize, valueSize, maxEntries: effectiveMax, flags: effectiveFlags, name,
    innerMap: inner, numaNode: numa ? spec.numaNode : undefined, mapExtra, hashCount, original: spec,
  };
}

/**
 * `bpf_map_meta_equal` (and ARRAY's variant): may a map with spec `candidate` be stored
 * in an outer map whose template is `template`? Type, key and value size and flags must
 * match; max_entries must also match for ARRAY templates without BPF_F_INNER_MAP.
 */
export function innerMapCompatible(template: ResolvedSpec, candidate: ResolvedSpec): boolean {
  if (template.type !== candidate.type || template.keySize !== candidate.keySize
    || template.valueSize !== candidate.valueSize || template.flags !== candidate.flags) return false;
  if (template.type === MapType.ARRAY && !(template.flags & MapFlag.INNER_MAP)) {
    return template.maxEntries === candidate.maxEntries;
  }
  return true;
}
