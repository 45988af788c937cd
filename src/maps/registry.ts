/**
 * The registry: the maps (and the programs and perf events they refer to) of one
 * address space, each known by an fd-like number.
 *
 * Linux has two numberings: per-process fds (what the syscall side passes in: the
 * value written into a PROG_ARRAY or an ARRAY_OF_MAPS slot, the imm of `lddw src=1`)
 * and global ids (what the syscall side reads back from those slots). ebee has one
 * number per object that plays both parts: ids start at 1 and are never reused, so a
 * test can write a map's `id` into an outer map and read the same number back.
 *
 * Every map also has a *handle*: the address of a small read-only region in the
 * address space ("map:NAME") that is the map's program-visible pointer. `lddw src=1`
 * should load it, map-in-map lookups return it, and helpers turn it back into the map
 * with `mapByAddress`. It holds type, key_size, value_size, max_entries, map_flags and
 * id as u32s.
 */
import { AddressSpace, type Region } from '../vm/memory.js';
import { isEbeeError } from '../errors.js';
import { VmErrorCode } from '../vm/errors.js';
import { Errno, MapType, mapTypeName } from './constants.js';
import { MapError, MapErrorCode } from './errors.js';
import { validateSpec, type MapSpec, type ResolvedSpec } from './spec.js';
import type { BpfMap } from './base.js';
import { HashMap } from './hash.js';
import { ArrayMap } from './array.js';
import { ProgArrayMap } from './fd-array.js';
import { PerfEventArray } from './perf.js';
import { StackTraceMap } from './stacktrace.js';
import { CgroupArrayMap } from './cgroup.js';
import { ArrayOfMaps, HashOfMaps } from './map-in-map.js';
import { LpmTrieMap } from './lpm.js';
import { QueueStackMap } from './queue.js';
import { RingBufMap } from './ringbuf.js';
import { BloomFilterMap } from './bloom.js';
import { DevmapHash, RedirectArrayMap } from './redirect.js';

export interface MapRegistryOptions {
  /** The address space maps live in (default: a new one). */
  readonly space?: AddressSpace;
  /** Number of possible CPUs: per-CPU maps hold this many values (default 1). */
  readonly cpus?: number;
}

/** A program registered so PROG_ARRAY, DEVMAP and CPUMAP entries can refer to it. */
export interface ProgramEntry {
  readonly id: number;
  /** Whatever the runtime uses to run it. */
  readonly program: unknown;
  /** `enum bpf_prog_type` number, checked for PROG_ARRAY compatibility when given. */
  readonly type: number | undefined;
  readonly name: string;
}

/** Something else an fd can name (perf events, cgroups). */
export interface RegistryObject {
  readonly id: number;
  readonly kind: string;
}

/** Bytes of a map's header region (six u32s). */
export const MAP_HEADER_SIZE = 24;

type Entry = { kind: 'map'; map: BpfMap } | { kind: 'program'; program: ProgramEntry } | { kind: 'object'; object: RegistryObject };

export class MapRegistry {
  readonly space: AddressSpace;
  /** Number of possible CPUs. */
  readonly cpus: number;
  private cpu = 0;
  private nextId = 1;
  private readonly entries = new Map<number, Entry>();
  private readonly handles = new Map<number, BpfMap>();
  private readonly ringbufs = new Map<number, BpfMap>();
  private pendingHeader: Region | undefined;

  constructor(options: MapRegistryOptions = {}) {
    const cpus = options.cpus ?? 1;
    if (!Number.isInteger(cpus) || cpus < 1 || cpus > 8192) {
      throw new MapError(MapErrorCode.BAD_ARGUMENT, Errno.EINVAL, `cpus must be 1..8192, not ${cpus}`);
    }
    this.space = options.space ?? new AddressSpace();
    this.cpus = cpus;
  }

  /** The CPU programs run on now: per-CPU maps, perf outputs and LRU lists use it. */
  get currentCpu(): number {
    return this.cpu;
  }

  set currentCpu(cpu: number) {
    if (!Number.isInteger(cpu) || cpu < 0 || cpu >= this.cpus) {
      throw new MapError(MapErrorCode.BAD_ARGUMENT, Errno.EINVAL, `CPU ${cpu} does not exist (${this.cpus} CPUs)`);
    }
    this.cpu = cpu;
  }

  /** BPF_MAP_CREATE: validates the spec as Linux does, allocates and registers the map. */
  create(spec: MapSpec): BpfMap {
    const resolved = validateSpec(spec, this.cpus);
    const id = this.nextId++;
    let header: Region | undefined;
    try {
      header = this.space.alloc(MAP_HEADER_SIZE, { name: `map:${resolved.name || `#${id}`}`, writable: false });
      this.pendingHeader = header;
      const map = constructMap(this, resolved, id);
      this.entries.set(id, { kind: 'map', map });
      this.handles.set(map.handle, map);
      return map;
    } catch (err) {
      if (header && this.space.find(header.start, 0) === header) this.space.release(header);
      if (isEbeeError(err, VmErrorCode.OUT_OF_MEMORY)) {
        throw new MapError(MapErrorCode.NO_MEMORY, Errno.ENOMEM, 'the address space cannot hold the map',
          { map: resolved.name || undefined, cause: err });
      }
      throw err;
    } finally {
      this.pendingHeader = undefined;
    }
  }

  /** @internal The header region `create` allocated for the map being constructed. */
  takeHeader(): Region | undefined {
    const h = this.pendingHeader;
    this.pendingHeader = undefined;
    return h;
  }

  /** The map with this id (fd), if it is live. */
  map(id: number): BpfMap | undefined {
    const e = this.entries.get(id);
    return e?.kind === 'map' ? e.map : undefined;
  }

  /** The map whose handle (program-visible map pointer) is `address`. */
  mapByAddress(address: number | bigint): BpfMap | undefined {
    return this.handles.get(Number(address));
  }

  /** Every live map, by id. */
  maps(): BpfMap[] {
    const out: BpfMap[] = [];
    for (const e of this.entries.values()) if (e.kind === 'map') out.push(e.map);
    return out;
  }

  /** The first live map with this name. */
  mapByName(name: string): BpfMap | undefined {
    return this.maps().find((m) => m.name === name);
  }

  /** Registers a program so it can be stored in PROG_ARRAY (and DEVMAP/CPUMAP) entries. */
  registerProgram(program: unknown, options: { type?: number; name?: string } = {}): number {
    const id = this.nextId++;
    this.entries.set(id, { kind: 'program', program: { id, program, type: options.type, name: options.name ?? '' } });
    return id;
  }

  /** The registered program with this id. */
  program(id: number): ProgramEntry | undefined {
    const e = this.entries.get(id);
    return e?.kind === 'program' ? e.program : undefined;
  }

  /** Registers another kind of object under a fresh id (perf events, cgroups). */
  registerObject<T extends RegistryObject>(make: (id: number) => T): T {
    const id = this.nextId++;
    const object = make(id);
    this.entries.set(id, { kind: 'object', object });
    return object;
  }

  /** The object with this id, if it is of `kind`. */
  object<T extends RegistryObject>(id: number, kind: string): T | undefined {
    const e = this.entries.get(id);
    return e?.kind === 'object' && e.object.kind === kind ? e.object as T : undefined;
  }

  /** What an fd names: 'map', 'program', an object kind, or undefined (like EBADF). */
  kindOf(id: number): string | undefined {
    const e = this.entries.get(id);
    return e === undefined ? undefined : e.kind === 'object' ? e.object.kind : e.kind;
  }

  /** Forgets an id (closing the last fd). Maps are destroyed with `destroy`. */
  unregister(id: number): void {
    const e = this.entries.get(id);
    if (e?.kind === 'map') this.handles.delete(e.map.handle);
    this.entries.delete(id);
  }

  /** Frees a map's memory and forgets it. Outer maps that still name it see an empty slot. */
  destroy(map: BpfMap): void {
    this.unregister(map.id);
    for (const [start, m] of this.ringbufs) if (m === map) this.ringbufs.delete(start);
    map.releaseMemory();
  }

  /** Ring buffers register the start of their region so a record pointer finds its buffer. */
  registerRingbuf(regionStart: number, map: BpfMap): void {
    this.ringbufs.set(regionStart, map);
  }

  /** The ring buffer map whose region starts at `regionStart`. */
  ringbufAt(regionStart: number): BpfMap | undefined {
    return this.ringbufs.get(regionStart);
  }
}

/** The class of each map type. */
type MapClass = new (registry: MapRegistry, spec: ResolvedSpec, id: number) => BpfMap;

const CLASSES: ReadonlyMap<number, MapClass> = new Map<number, MapClass>([
  [MapType.HASH, HashMap],
  [MapType.PERCPU_HASH, HashMap],
  [MapType.LRU_HASH, HashMap],
  [MapType.LRU_PERCPU_HASH, HashMap],
  [MapType.ARRAY, ArrayMap],
  [MapType.PERCPU_ARRAY, ArrayMap],
  [MapType.PROG_ARRAY, ProgArrayMap],
  [MapType.PERF_EVENT_ARRAY, PerfEventArray],
  [MapType.STACK_TRACE, StackTraceMap],
  [MapType.CGROUP_ARRAY, CgroupArrayMap],
  [MapType.ARRAY_OF_MAPS, ArrayOfMaps],
  [MapType.HASH_OF_MAPS, HashOfMaps],
  [MapType.LPM_TRIE, LpmTrieMap],
  [MapType.QUEUE, QueueStackMap],
  [MapType.STACK, QueueStackMap],
  [MapType.RINGBUF, RingBufMap],
  [MapType.BLOOM_FILTER, BloomFilterMap],
  [MapType.DEVMAP, RedirectArrayMap],
  [MapType.CPUMAP, RedirectArrayMap],
  [MapType.XSKMAP, RedirectArrayMap],
  [MapType.DEVMAP_HASH, DevmapHash],
]);

function constructMap(registry: MapRegistry, spec: ResolvedSpec, id: number): BpfMap {
  const cls = CLASSES.get(spec.type);
  if (!cls) {
    throw new MapError(MapErrorCode.UNSUPPORTED_TYPE, Errno.EINVAL, `map type ${mapTypeName(spec.type)} is not implemented by ebee`);
  }
  return new cls(registry, spec, id);
}
