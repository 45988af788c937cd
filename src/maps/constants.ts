/**
 * Map numbering and flags with Linux's numbers (`include/uapi/linux/bpf.h`) and the
 * errno values the map operations return. Every table is `as const` so its members are
 * literal types; the doc comment on each member says what Linux means by it.
 */

/** `enum bpf_map_type`. ebee implements the ones marked in `IMPLEMENTED_MAP_TYPES`. */
export const MapType = {
  UNSPEC: 0,
  /** General purpose hash table; elements preallocated unless BPF_F_NO_PREALLOC. */
  HASH: 1,
  /** Fixed-size array indexed by a u32; all elements exist, zeroed at creation. */
  ARRAY: 2,
  /** Program references (by fd) for `bpf_tail_call`. */
  PROG_ARRAY: 3,
  /** Perf events, one per CPU usually, written by `bpf_perf_event_output`. */
  PERF_EVENT_ARRAY: 4,
  /** Hash table with one value slot per CPU. */
  PERCPU_HASH: 5,
  /** Array with one value slot per CPU. */
  PERCPU_ARRAY: 6,
  /** Stacks stored by `bpf_get_stackid`: key a u32 stack id, value the frames' ips. */
  STACK_TRACE: 7,
  /** Cgroup v2 directories (by fd) for `bpf_skb_under_cgroup` / `bpf_current_task_under_cgroup`. */
  CGROUP_ARRAY: 8,
  /** Hash table that evicts the least recently used element when full. */
  LRU_HASH: 9,
  /** LRU hash table with one value slot per CPU. */
  LRU_PERCPU_HASH: 10,
  /** Longest-prefix-match trie on network-order keys (u32 prefixlen + data). */
  LPM_TRIE: 11,
  /** Array whose values are (references to) inner maps. */
  ARRAY_OF_MAPS: 12,
  /** Hash table whose values are (references to) inner maps. */
  HASH_OF_MAPS: 13,
  /** Array of net devices for `bpf_redirect_map`. */
  DEVMAP: 14,
  SOCKMAP: 15,
  /** Array of CPUs for `bpf_redirect_map`. */
  CPUMAP: 16,
  /** Array of AF_XDP sockets for `bpf_redirect_map`. */
  XSKMAP: 17,
  SOCKHASH: 18,
  CGROUP_STORAGE: 19,
  REUSEPORT_SOCKARRAY: 20,
  PERCPU_CGROUP_STORAGE: 21,
  /** FIFO of values (no keys). */
  QUEUE: 22,
  /** LIFO of values (no keys). */
  STACK: 23,
  SK_STORAGE: 24,
  /** Hash of net devices for `bpf_redirect_map`. */
  DEVMAP_HASH: 25,
  STRUCT_OPS: 26,
  /** Multi-producer single-consumer ring buffer shared by all CPUs. */
  RINGBUF: 27,
  INODE_STORAGE: 28,
  TASK_STORAGE: 29,
  /** Probabilistic set: push adds a value, peek tests membership. */
  BLOOM_FILTER: 30,
  USER_RINGBUF: 31,
  CGRP_STORAGE: 32,
  ARENA: 33,
} as const;
export type MapTypeValue = (typeof MapType)[keyof typeof MapType];

/** The map types this layer implements. */
export const IMPLEMENTED_MAP_TYPES: readonly number[] = [
  MapType.HASH, MapType.ARRAY, MapType.PROG_ARRAY, MapType.PERF_EVENT_ARRAY, MapType.PERCPU_HASH,
  MapType.PERCPU_ARRAY, MapType.STACK_TRACE, MapType.CGROUP_ARRAY, MapType.LRU_HASH, MapType.LRU_PERCPU_HASH, MapType.LPM_TRIE,
  MapType.ARRAY_OF_MAPS, MapType.HASH_OF_MAPS, MapType.DEVMAP, MapType.CPUMAP, MapType.XSKMAP,
  MapType.QUEUE, MapType.STACK, MapType.DEVMAP_HASH, MapType.RINGBUF, MapType.BLOOM_FILTER,
];

/** Name of a map type as Linux spells it without the prefix ("HASH", "LPM_TRIE"). */
export function mapTypeName(type: number): string {
  for (const [name, value] of Object.entries(MapType)) if (value === type) return name;
  return `type ${type}`;
}

/** Flags of BPF_MAP_UPDATE_ELEM and `bpf_map_update_elem` (and queue/stack push). */
export const UpdateFlag = {
  /** Create a new element or update an existing one. */
  ANY: 0,
  /** Create a new element only if it does not exist (else EEXIST). */
  NOEXIST: 1,
  /** Update an existing element only (else ENOENT); for queue/stack push: overwrite the oldest when full. */
  EXIST: 2,
  /** Update (or look up) a value that contains a `bpf_spin_lock`, taking the lock. */
  F_LOCK: 4,
} as const;

/** Flags of BPF_MAP_CREATE (`map_flags`). */
export const MapFlag = {
  /** Allocate hash elements on demand instead of all at creation. Required by LPM_TRIE. */
  NO_PREALLOC: 1 << 0,
  /** LRU maps: one LRU list per CPU instead of one shared list. */
  NO_COMMON_LRU: 1 << 1,
  /** Honour `numa_node`. */
  NUMA_NODE: 1 << 2,
  /** The syscall side may only read. */
  RDONLY: 1 << 3,
  /** The syscall side may only write. */
  WRONLY: 1 << 4,
  /** STACK_TRACE: store build ids. */
  STACK_BUILD_ID: 1 << 5,
  /** Hash seed 0 (testing only; needs CAP_SYS_ADMIN in Linux). */
  ZERO_SEED: 1 << 6,
  /** Programs may only read the map. */
  RDONLY_PROG: 1 << 7,
  /** Programs may only write the map. */
  WRONLY_PROG: 1 << 8,
  /** Socket storage: clone to accepted sockets. */
  CLONE: 1 << 9,
  /** ARRAY: the values may be mmap()ed (page-aligned storage). */
  MMAPABLE: 1 << 10,
  /** PERF_EVENT_ARRAY: keep entries when the map's fd is closed. */
  PRESERVE_ELEMS: 1 << 11,
  /** ARRAY used as an inner map: other sizes of max_entries are compatible. */
  INNER_MAP: 1 << 12,
} as const;

/** The four access flags (`BPF_F_ACCESS_MASK`). */
export const ACCESS_FLAGS = MapFlag.RDONLY | MapFlag.WRONLY | MapFlag.RDONLY_PROG | MapFlag.WRONLY_PROG;

/** errno values (positive; program-side operations return them negated). */
export const Errno = {
  /** Operation not permitted (read-only or frozen map, missing capability). */
  EPERM: 1,
  /** No such element (lookup/delete miss, BPF_EXIST on a missing key, empty queue). */
  ENOENT: 2,
  /** Interrupted: batch lookup could not make progress. */
  EINTR: 4,
  /** Too large: hash map full, array index out of range, size limits at creation. */
  E2BIG: 7,
  /** Not an open fd (map-in-map and prog-array updates). */
  EBADF: 9,
  /** Try again: ring buffer output with no room. */
  EAGAIN: 11,
  /** Out of memory. */
  ENOMEM: 12,
  /** Bad address. */
  EFAULT: 14,
  /** Busy: map already frozen. */
  EBUSY: 16,
  /** Element exists (BPF_NOEXIST on an existing key; any NOEXIST on arrays). */
  EEXIST: 17,
  /** No such device: CPUMAP entry for a CPU that does not exist. */
  ENODEV: 19,
  /** Invalid argument: bad flags, sizes or keys. */
  EINVAL: 22,
  /** No space: LPM trie full; batch buffer smaller than a bucket; perf buffer full. */
  ENOSPC: 28,
  /** Value too large for the type: CPUMAP qsize above its limit. */
  EOVERFLOW: 75,
  /** Operation not supported on this socket/object (userspace-visible). */
  EOPNOTSUPP: 95,
  /** Operation not supported (kernel-internal 524, what the bpf syscall returns). */
  ENOTSUPP: 524,
} as const;
export type ErrnoValue = (typeof Errno)[keyof typeof Errno];

/** Name of an errno value ("ENOENT"), or `errno N`. */
export function errnoName(errno: number): string {
  const n = Math.abs(errno);
  for (const [name, value] of Object.entries(Errno)) if (value === n) return name;
  return `errno ${n}`;
}

/** Ring buffer record header bits and size (`BPF_RINGBUF_*`). */
export const RingbufHeader = {
  /** Set in the length word while the record is reserved and not yet committed. */
  BUSY_BIT: 0x80000000,
  /** Set at commit when the record was discarded; consumers skip it. */
  DISCARD_BIT: 0x40000000,
  /** Bytes of the header before each record: u32 len (with the bits), u32 pg_off. */
  HDR_SZ: 8,
} as const;

/** Flags of `bpf_ringbuf_output/submit/discard` (`BPF_RB_*`). */
export const RingbufFlag = {
  /** Do not notify the consumer. */
  NO_WAKEUP: 1,
  /** Notify the consumer even if it has not caught up. */
  FORCE_WAKEUP: 2,
} as const;

/** Queries of `bpf_ringbuf_query`. */
export const RingbufQuery = {
  /** Bytes produced and not yet consumed. */
  AVAIL_DATA: 0,
  /** Size of the data area. */
  RING_SIZE: 1,
  /** Consumer position (grows without wrapping). */
  CONS_POS: 2,
  /** Producer position (grows without wrapping). */
  PROD_POS: 3,
} as const;

/** Flags of `bpf_perf_event_output` and friends. */
export const PerfFlag = {
  /** Low 32 bits: the array index to write to. */
  INDEX_MASK: 0xffffffff,
  /** Index value meaning "the current CPU". */
  CURRENT_CPU: 0xffffffff,
  /** Bits 32..51: number of context (packet) bytes to append, for skb/xdp outputs. */
  CTXLEN_SHIFT: 32,
  CTXLEN_BITS: 0xfffff,
} as const;

/** Flags of `bpf_redirect_map`. */
export const RedirectFlag = {
  /** skb path: redirect to ingress. */
  INGRESS: 1 << 0,
  /** XDP devmap: send to every device in the map. */
  BROADCAST: 1 << 3,
  /** With BROADCAST: skip the ingress device. */
  EXCLUDE_INGRESS: 1 << 4,
  /** The low two bits: the XDP action returned when the lookup fails. */
  ACTION_MASK: 3,
} as const;

/** XDP actions (`enum xdp_action`), as `bpf_redirect_map` returns them. */
export const XdpAction = {
  ABORTED: 0,
  DROP: 1,
  PASS: 2,
  TX: 3,
  REDIRECT: 4,
} as const;

/** Page size Linux uses for ring buffers and mmapable arrays (x86-64). */
export const PAGE_SIZE = 4096;
/** Largest BPF stack; keys of programs live there. */
export const MAX_BPF_STACK = 512;
/** `KMALLOC_MAX_SIZE` on x86-64 (4 MiB): bound on element sizes. */
export const KMALLOC_MAX_SIZE = 1 << 22;
/** `PCPU_MIN_UNIT_SIZE`: bound on a per-CPU value (rounded up to 8). */
export const PCPU_MIN_UNIT_SIZE = 32 << 10;
/** `NR_CPUS` of a typical distribution kernel: CPUMAP's max_entries limit. */
export const NR_CPUS = 8192;
/** `BPF_OBJ_NAME_LEN`: map names hold at most 15 characters. */
export const BPF_OBJ_NAME_LEN = 16;
