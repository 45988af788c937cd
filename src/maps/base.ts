/**
 * `BpfMap`: what every map type shares. A map has two faces:
 *
 * - the program face, which helpers call with addresses in the address space and
 *   which returns what Linux's helpers return (`lookupAddress` a value pointer or 0,
 *   `updateElem` / `deleteElem` / `pushElem` / `popElem` / `peekElem` 0 or -errno);
 * - the user face, the bpf syscall's view with byte arrays (`lookup`, `update`,
 *   `delete`, `getNextKey`, batches, iteration). It throws `MapError` with Linux's
 *   errno, except that "no such element" (ENOENT) is `undefined` from the calls that
 *   return something.
 *
 * Subclasses implement the `sys*` hooks, which return a result or a negative errno;
 * this class applies the checks the syscall layer makes before any map code runs
 * (flags, BPF_F_RDONLY / BPF_F_WRONLY, frozen maps).
 */
import type { Region } from '../vm/memory.js';
import { VmError, VmErrorCode } from '../vm/errors.js';
import { Errno, MapFlag, UpdateFlag, mapTypeName } from './constants.js';
import { MapError, MapErrorCode } from './errors.js';
import { readU32, readU64, roundUp, toBytes, type BytesLike } from './bytes.js';
import type { ResolvedSpec } from './spec.js';
import type { MapRegistry } from './registry.js';
import {
  genericDeleteBatch, genericLookupBatch, genericUpdateBatch, type BatchResult, type BatchOptions,
} from './batch.js';

const EMPTY = new Uint8Array(0);

/** Which batch commands a map type supports (the others fail with ENOTSUPP). */
export interface BatchSupport {
  readonly lookup: boolean;
  readonly lookupAndDelete: boolean;
  readonly update: boolean;
  readonly delete: boolean;
}
export const NO_BATCH: BatchSupport = { lookup: false, lookupAndDelete: false, update: false, delete: false };

export abstract class BpfMap {
  readonly registry: MapRegistry;
  readonly spec: ResolvedSpec;
  /** fd-like number, also the id the syscall side reads back from PROG_ARRAY / map-in-map slots. */
  readonly id: number;
  /** Program-visible map pointer: address of this map's read-only header region. */
  readonly handle: number;
  readonly type: number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  readonly flags: number;
  readonly name: string;
  /** One value per CPU (PERCPU_ARRAY, PERCPU_HASH, LRU_PERCPU_HASH). */
  readonly percpu: boolean;
  protected readonly batchSupport: BatchSupport = NO_BATCH;
  private frozen = false;
  private readonly headerRegion: Region;

  constructor(registry: MapRegistry, spec: ResolvedSpec, id: number, percpu = false) {
    this.registry = registry;
    this.spec = spec;
    this.id = id;
    this.type = spec.type;
    this.keySize = spec.keySize;
    this.valueSize = spec.valueSize;
    this.maxEntries = spec.maxEntries;
    this.flags = spec.flags;
    this.name = spec.name;
    this.percpu = percpu;
    this.headerRegion = registry.takeHeader() ?? registry.space.alloc(24, { name: `map:${this.label}`, writable: false });
    this.handle = this.headerRegion.start;
    const view = registry.space.view;
    [spec.type, spec.keySize, spec.valueSize, spec.maxEntries, spec.flags, id]
      .forEach((v, i) => view.setUint32(this.handle + 4 * i, v, true));
  }

  /** The name, or `#id` for unnamed maps. */
  get label(): string {
    return this.name || `#${this.id}`;
  }

  get space() {
    return this.registry.space;
  }

  get cpus(): number {
    return this.registry.cpus;
  }

  /** Bytes of one CPU's value in the syscall buffer: value_size rounded up to 8. */
  get percpuStride(): number {
    return roundUp(this.valueSize, 8);
  }

  /** Bytes the syscall side exchanges per value: value_size, or CPUs × round_up(value_size, 8) for per-CPU maps. */
  get userValueSize(): number {
    return this.percpu ? this.cpus * this.percpuStride : this.valueSize;
  }

  get isFrozen(): boolean {
    return this.frozen;
  }

  /** Regions this map holds in the address space (besides the header). */
  protected abstract storageRegions(): Region[];

  /** Every region of the map, the header first. */
  regions(): Region[] {
    return [this.headerRegion, ...this.storageRegions()];
  }

  /** Releases all memory (called by `MapRegistry.destroy`). */
  releaseMemory(): void {
    for (const r of this.regions()) {
      try { this.space.release(r); } catch { /* already released */ }
    }
  }

  // ---- program face (helpers) --------------------------------------------------------

  /** `bpf_map_lookup_elem`: address of the value (this CPU's for per-CPU maps), or 0. */
  lookupAddress(_keyAddr: number): number {
    return 0;
  }

  /** `bpf_map_lookup_percpu_elem`: address of `cpu`'s value, or 0. */
  lookupPercpuAddress(_keyAddr: number, _cpu: number): number {
    return 0;
  }

  /** `bpf_map_update_elem`: 0 or -errno. */
  updateElem(_keyAddr: number, _valueAddr: number, _flags: number | bigint): number {
    return -Errno.EOPNOTSUPP;
  }

  /** `bpf_map_delete_elem`: 0 or -errno. */
  deleteElem(_keyAddr: number): number {
    return -Errno.EOPNOTSUPP;
  }

  /** `bpf_map_push_elem` (queue, stack, bloom filter): 0 or -errno. */
  pushElem(_valueAddr: number, _flags: number | bigint): number {
    return -Errno.EOPNOTSUPP;
  }

  /** `bpf_map_pop_elem` (queue, stack): copies the value to `valueAddr`; 0 or -errno. */
  popElem(_valueAddr: number): number {
    return -Errno.EOPNOTSUPP;
  }

  /** `bpf_map_peek_elem` (queue, stack: copy out; bloom filter: test the value at `valueAddr`). */
  peekElem(_valueAddr: number): number {
    return -Errno.EOPNOTSUPP;
  }

  // ---- user face (syscall) ------------------------------------------------------------

  /** BPF_MAP_LOOKUP_ELEM: a copy of the value, or undefined (ENOENT). */
  lookup(key?: BytesLike | null, flags = 0): Uint8Array | undefined {
    this.checkAccess(true, false);
    this.checkLockFlags(flags, UpdateFlag.F_LOCK);
    return this.orUndefined(this.sysLookup(this.keyOf(key)), 'lookup');
  }

  /** BPF_MAP_UPDATE_ELEM with `UpdateFlag` flags (default BPF_ANY). */
  update(key: BytesLike | null | undefined, value: BytesLike, flags = 0): void {
    this.checkAccess(false, true);
    if (flags & UpdateFlag.F_LOCK) this.fail(-Errno.EINVAL, 'BPF_F_LOCK needs a bpf_spin_lock in the value');
    this.check(this.sysUpdate(this.keyOf(key), toBytes(value, this.userValueSize, 'value', this.label), flags), 'update');
  }

  /** BPF_MAP_DELETE_ELEM. */
  delete(key?: BytesLike | null): void {
    this.checkAccess(false, true);
    this.check(this.sysDelete(this.keyOf(key)), 'delete');
  }

  /** BPF_MAP_LOOKUP_AND_DELETE_ELEM (hash maps; queue/stack pop). Undefined when absent. */
  lookupAndDelete(key?: BytesLike | null, flags = 0): Uint8Array | undefined {
    this.checkAccess(true, true);
    this.checkLockFlags(flags, UpdateFlag.F_LOCK);
    return this.orUndefined(this.sysLookupAndDelete(this.keyOf(key), flags), 'lookup and delete');
  }

  /**
   * BPF_MAP_GET_NEXT_KEY: the key after `key`, the first key when `key` is undefined,
   * or undefined at the end. Hash maps restart from the first key when `key` is not in
   * the map (Linux's behaviour, so a loop whose current key was deleted starts over).
   */
  getNextKey(key?: BytesLike | null): Uint8Array | undefined {
    this.checkAccess(true, false);
    const k = key === undefined || key === null ? undefined : this.keyOf(key);
    return this.orUndefined(this.sysGetNextKey(k), 'get next key');
  }

  /** BPF_MAP_FREEZE: the syscall side may no longer write (programs still may). */
  freeze(): void {
    if (this.flags & MapFlag.RDONLY) this.fail(-Errno.EPERM, 'a read-only map cannot be frozen');
    if (this.frozen) this.fail(-Errno.EBUSY, 'already frozen');
    this.frozen = true;
  }

  /** Per-CPU maps: one copy of each CPU's value (value_size bytes each), or undefined. */
  lookupPerCpu(key?: BytesLike | null): Uint8Array[] | undefined {
    if (!this.percpu) this.fail(-Errno.EINVAL, 'not a per-CPU map');
    const flat = this.lookup(key);
    if (!flat) return undefined;
    const out: Uint8Array[] = [];
    for (let c = 0; c < this.cpus; c++) out.push(flat.slice(c * this.percpuStride, c * this.percpuStride + this.valueSize));
    return out;
  }

  /** Per-CPU maps: sets every CPU's value from one value per CPU. */
  updatePerCpu(key: BytesLike | null | undefined, values: readonly BytesLike[], flags = 0): void {
    if (!this.percpu) this.fail(-Errno.EINVAL, 'not a per-CPU map');
    if (values.length !== this.cpus) {
      throw new MapError(MapErrorCode.BAD_ARGUMENT, Errno.EINVAL, `${values.length} values for ${this.cpus} CPUs`, { map: this.label });
    }
    const flat = new Uint8Array(this.userValueSize);
    values.forEach((v, c) => flat.set(toBytes(v, this.valueSize, 'value', this.label), c * this.percpuStride));
    this.update(key, flat, flags);
  }

  /** The value as a little-endian u32 (its first 4 bytes), or undefined. */
  lookupU32(key?: BytesLike | null): number | undefined {
    const v = this.lookup(key);
    return v === undefined ? undefined : readU32(v);
  }

  /** The value as a little-endian u64 (its first 8 bytes), or undefined. */
  lookupU64(key?: BytesLike | null): bigint | undefined {
    const v = this.lookup(key);
    return v === undefined ? undefined : readU64(v);
  }

  /** Keys in getNextKey order. */
  *keys(): Generator<Uint8Array> {
    for (let k = this.getNextKey(); k !== undefined; k = this.getNextKey(k)) yield k;
  }

  /** [key, value] pairs in getNextKey order (values as `lookup` returns them). */
  *entries(): Generator<[Uint8Array, Uint8Array]> {
    for (const k of this.keys()) {
      const v = this.lookup(k);
      if (v !== undefined) yield [k, v];
    }
  }

  [Symbol.iterator](): Generator<[Uint8Array, Uint8Array]> {
    return this.entries();
  }

  /** BPF_MAP_LOOKUP_BATCH from `inBatch` (undefined to start) for up to `count` elements. */
  lookupBatch(inBatch: Uint8Array | undefined, count: number, options: BatchOptions = {}): BatchResult {
    this.checkAccess(true, false);
    if (!this.batchSupport.lookup) this.fail(-Errno.ENOTSUPP, 'batch lookup');
    return this.sysLookupBatch(inBatch, count, options, false);
  }

  /** BPF_MAP_LOOKUP_AND_DELETE_BATCH: as `lookupBatch`, deleting what it returns. */
  lookupAndDeleteBatch(inBatch: Uint8Array | undefined, count: number, options: BatchOptions = {}): BatchResult {
    this.checkAccess(true, true);
    if (!this.batchSupport.lookupAndDelete) this.fail(-Errno.ENOTSUPP, 'batch lookup and delete');
    return this.sysLookupBatch(inBatch, count, options, true);
  }

  /** BPF_MAP_UPDATE_BATCH: returns the count; on failure the MapError's `count` says how many were applied. */
  updateBatch(keys: readonly BytesLike[], values: readonly BytesLike[], elemFlags = 0): number {
    this.checkAccess(false, true);
    if (!this.batchSupport.update) this.fail(-Errno.ENOTSUPP, 'batch update');
    return genericUpdateBatch(this, keys, values, elemFlags);
  }

  /** BPF_MAP_DELETE_BATCH: returns the count; on failure the MapError's `count` says how many were deleted. */
  deleteBatch(keys: readonly BytesLike[], elemFlags = 0): number {
    this.checkAccess(false, true);
    if (!this.batchSupport.delete) this.fail(-Errno.ENOTSUPP, 'batch delete');
    return genericDeleteBatch(this, keys, elemFlags);
  }

  // ---- hooks --------------------------------------------------------------------------

  /** @internal A copy of the value (user format) or -errno. */
  abstract sysLookup(key: Uint8Array): Uint8Array | number;
  /** @internal 0 or -errno; `value` has `userValueSize` bytes. */
  sysUpdate(_key: Uint8Array, _value: Uint8Array, _flags: number): number {
    return -Errno.ENOTSUPP;
  }
  /** @internal 0 or -errno. */
  sysDelete(_key: Uint8Array): number {
    return -Errno.ENOTSUPP;
  }
  /** @internal The next key or -errno. */
  sysGetNextKey(_key: Uint8Array | undefined): Uint8Array | number {
    return -Errno.ENOTSUPP;
  }
  /** @internal The value or -errno. */
  sysLookupAndDelete(_key: Uint8Array, _flags: number): Uint8Array | number {
    return -Errno.ENOTSUPP;
  }
  /** @internal Batch lookup (default: Linux's generic_map_lookup_batch). */
  protected sysLookupBatch(inBatch: Uint8Array | undefined, count: number, options: BatchOptions, del: boolean): BatchResult {
    return genericLookupBatch(this, inBatch, count, options, del);
  }

  // ---- shared helpers -----------------------------------------------------------------

  /** @internal Key bytes from a user argument (key_size 0 maps ignore it). */
  keyOf(key: BytesLike | null | undefined): Uint8Array {
    if (this.keySize === 0) return EMPTY;
    if (key === undefined || key === null) {
      throw new MapError(MapErrorCode.BAD_ARGUMENT, Errno.EFAULT, `${mapTypeName(this.type)} maps need a key`, { map: this.label });
    }
    return toBytes(key, this.keySize, 'key', this.label);
  }

  /** @internal map_get_sys_perms: BPF_F_RDONLY / BPF_F_WRONLY and freezing. */
  checkAccess(read: boolean, write: boolean): void {
    if (read && (this.flags & MapFlag.WRONLY)) this.fail(-Errno.EPERM, 'the map is write-only for the syscall side');
    if (write && (this.flags & MapFlag.RDONLY)) this.fail(-Errno.EPERM, 'the map is read-only for the syscall side');
    if (write && this.frozen) this.fail(-Errno.EPERM, 'the map is frozen');
  }

  /** Flags other than `allowed` are EINVAL; BPF_F_LOCK is EINVAL as no value holds a spin lock. */
  protected checkLockFlags(flags: number, allowed: number): void {
    if (flags & ~allowed) this.fail(-Errno.EINVAL, `unknown flags 0x${flags.toString(16)}`);
    if (flags & UpdateFlag.F_LOCK) this.fail(-Errno.EINVAL, 'BPF_F_LOCK needs a bpf_spin_lock in the value');
  }

  /** @internal Throws the MapError for a negative errno. */
  fail(errno: number, what: string, count?: number): never {
    throw MapError.fromErrno(errno, `${what} failed`, { map: this.label, count });
  }

  protected check(result: number, what: string): void {
    if (result < 0) this.fail(result, what);
  }

  protected orUndefined<T>(result: T | number, what: string): T | undefined {
    if (typeof result !== 'number') return result;
    if (result === -Errno.ENOENT) return undefined;
    return this.fail(result, what);
  }

  /** Throws unless `[addr, addr + size)` is inside memory (programs pass raw addresses). */
  protected checkRange(addr: number, size: number): void {
    if (!(addr >= 0) || addr + size > this.space.byteLength) {
      throw new VmError(VmErrorCode.OUT_OF_BOUNDS,
        `map ${this.label}: ${size} bytes at 0x${Number(addr).toString(16)} are outside memory`, { address: addr, size });
    }
  }

  /** Copies `size` bytes at a program address (bounds-checked). */
  protected readAt(addr: number, size: number): Uint8Array {
    this.checkRange(addr, size);
    return this.space.bytes.slice(addr, addr + size);
  }

  /** Writes bytes at a program address (bounds-checked). */
  protected writeAt(addr: number, data: Uint8Array): void {
    this.checkRange(addr, data.length);
    this.space.bytes.set(data, addr);
  }
}
