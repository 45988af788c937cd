/**
 * HASH, PERCPU_HASH, LRU_HASH and LRU_PERCPU_HASH (and, through subclasses,
 * HASH_OF_MAPS and DEVMAP_HASH).
 *
 * Semantics as Linux's `htab`: BPF_ANY / BPF_NOEXIST (EEXIST) / BPF_EXIST (ENOENT);
 * a full map refuses new keys with E2BIG while updates of existing keys succeed; LRU
 * maps evict instead (policy in lru.ts); deleting a missing key is ENOENT; per-CPU
 * maps give programs the current CPU's value and the syscall side all CPUs' values,
 * each rounded up to 8 bytes; a program-side insertion into a per-CPU map sets the
 * current CPU's value and zeroes the others.
 *
 * Values are updated in place, so a value's address is stable for the life of its
 * element. (Linux's HASH and LRU_HASH instead link a fresh element on every update of
 * an existing key and recycle the old one, so a pointer from an earlier lookup keeps
 * showing the old value until the memory is reused; its per-CPU maps update in place.)
 */
import type { Region } from '../vm/memory.js';
import { Errno, MapFlag, MapType, UpdateFlag } from './constants.js';
import { BpfMap, type BatchSupport } from './base.js';
import { HashTable } from './hashtab.js';
import { LruLists } from './lru.js';
import { POOL_FULL } from './pool.js';
import { roundUp, smallFlags } from './bytes.js';
import { hashLookupBatch, type BatchOptions, type BatchResult, type BucketSource } from './batch.js';
import type { ResolvedSpec } from './spec.js';
import type { MapRegistry } from './registry.js';

const HASH_BATCH: BatchSupport = { lookup: true, lookupAndDelete: true, update: true, delete: true };

export class HashMap extends BpfMap {
  protected readonly table: HashTable;
  protected readonly lru: LruLists | undefined;
  private readonly percpuLru: boolean;
  private readonly scratch: Uint8Array;
  protected override readonly batchSupport: BatchSupport = HASH_BATCH;

  constructor(registry: MapRegistry, spec: ResolvedSpec, id: number) {
    const percpu = spec.type === MapType.PERCPU_HASH || spec.type === MapType.LRU_PERCPU_HASH;
    super(registry, spec, id, percpu);
    const isLru = spec.type === MapType.LRU_HASH || spec.type === MapType.LRU_PERCPU_HASH;
    this.percpuLru = isLru && (spec.flags & MapFlag.NO_COMMON_LRU) !== 0;
    this.table = new HashTable(registry.space, {
      keySize: spec.keySize,
      valueBytes: percpu ? registry.cpus * roundUp(spec.valueSize, 8) : spec.valueSize,
      capacity: spec.maxEntries,
      prealloc: (spec.flags & MapFlag.NO_PREALLOC) === 0,
      name: `map:${this.label}`,
      writable: this.programWritable(),
    });
    this.lru = isLru ? new LruLists(spec.maxEntries, this.percpuLru ? registry.cpus : 1) : undefined;
    this.scratch = new Uint8Array(spec.keySize);
  }

  /** Elements in the map. */
  get count(): number {
    return this.table.count;
  }

  /** Programs may write values in place (not for BPF_F_RDONLY_PROG or fd-valued maps). */
  protected programWritable(): boolean {
    return (this.spec.flags & MapFlag.RDONLY_PROG) === 0;
  }

  protected storageRegions(): Region[] {
    return this.table.pool.regions();
  }

  // ---- program face -------------------------------------------------------------------

  override lookupAddress(keyAddr: number): number {
    // The hot helper: one read of the memory view, the key hashed where it lies.
    const bytes = this.space.bytes;
    if (!(keyAddr >= 0 && keyAddr + this.keySize <= bytes.length)) this.checkRange(keyAddr, this.keySize);
    const slot = this.table.find(bytes, keyAddr, bytes);
    if (slot < 0) return 0;
    this.lru?.touch(slot);
    return this.programValueAddress(slot, this.registry.currentCpu);
  }

  override lookupPercpuAddress(keyAddr: number, cpu: number): number {
    if (!this.percpu || !(cpu >= 0 && cpu < this.cpus)) return 0;
    const slot = this.table.find(this.programKey(keyAddr));
    if (slot < 0) return 0;
    this.lru?.touch(slot);
    return this.programValueAddress(slot, cpu);
  }

  override updateElem(keyAddr: number, valueAddr: number, flags: number | bigint): number {
    if (this.spec.flags & MapFlag.RDONLY_PROG) return -Errno.EPERM;
    const key = this.readAt(keyAddr, this.keySize);
    this.checkRange(valueAddr, this.valueSize);
    const cpu = this.registry.currentCpu;
    return this.upsert(key, smallFlags(flags), (slot) => {
      const dst = this.table.valueAddress(slot) + (this.percpu ? cpu * this.percpuStride : 0);
      this.space.bytes.copyWithin(dst, valueAddr, valueAddr + this.valueSize);
    });
  }

  override deleteElem(keyAddr: number): number {
    if (this.spec.flags & MapFlag.RDONLY_PROG) return -Errno.EPERM;
    const slot = this.table.find(this.programKey(keyAddr));
    if (slot < 0) return -Errno.ENOENT;
    this.removeSlot(slot);
    return 0;
  }

  // ---- syscall face -------------------------------------------------------------------

  override sysLookup(key: Uint8Array): Uint8Array | number {
    const slot = this.table.find(key);
    return slot < 0 ? -Errno.ENOENT : this.userValueOf(slot);
  }

  override sysUpdate(key: Uint8Array, value: Uint8Array, flags: number): number {
    const stored = this.encodeUserValue(value);
    if (typeof stored === 'number') return stored;
    return this.upsert(key, flags, (slot) => {
      this.space.bytes.set(stored.subarray(0, this.percpu ? stored.length : this.valueSize), this.table.valueAddress(slot));
    });
  }

  override sysDelete(key: Uint8Array): number {
    const slot = this.table.find(key);
    if (slot < 0) return -Errno.ENOENT;
    this.removeSlot(slot);
    return 0;
  }

  override sysGetNextKey(key: Uint8Array | undefined): Uint8Array | number {
    const at = key === undefined ? -1 : this.table.find(key);
    const next = at < 0 ? this.table.firstFrom(0) : this.table.after(at);
    return next < 0 ? -Errno.ENOENT : this.table.keyCopy(next);
  }

  override sysLookupAndDelete(key: Uint8Array, _flags: number): Uint8Array | number {
    const slot = this.table.find(key);
    if (slot < 0) return -Errno.ENOENT;
    const value = this.userValueOf(slot);
    this.removeSlot(slot);
    return value;
  }

  protected override sysLookupBatch(inBatch: Uint8Array | undefined, count: number, options: BatchOptions, del: boolean): BatchResult {
    const source: BucketSource = {
      nBuckets: this.table.nBuckets,
      bucketSlots: (b) => this.table.bucketSlots(b),
      slotKey: (s) => this.table.keyCopy(s),
      slotValue: (s) => this.userValueOf(s),
      removeSlot: (s) => this.removeSlot(s),
    };
    return hashLookupBatch(this, source, inBatch, count, options, del);
  }

  // ---- shared machinery ---------------------------------------------------------------

  /** Syscall value (user format) to stored bytes, or -errno. Subclasses translate fds. */
  protected encodeUserValue(value: Uint8Array): Uint8Array | number {
    return value;
  }

  /** A copy of a slot's value in the syscall's format. */
  protected userValueOf(slot: number): Uint8Array {
    const at = this.table.valueAddress(slot);
    return this.space.bytes.slice(at, at + this.userValueSize);
  }

  /** What a program's lookup returns for a slot. */
  protected programValueAddress(slot: number, cpu: number): number {
    return this.table.valueAddress(slot) + (this.percpu ? cpu * this.percpuStride : 0);
  }

  /** BPF_NOEXIST / BPF_EXIST against whether the key exists: 0 or -errno. */
  protected checkFlags(exists: boolean, flags: number): number {
    if (exists && flags === UpdateFlag.NOEXIST) return -Errno.EEXIST;
    if (!exists && flags === UpdateFlag.EXIST) return -Errno.ENOENT;
    return 0;
  }

  /** Deletes the element in `slot`. */
  protected removeSlot(slot: number): void {
    this.lru?.remove(slot);
    this.table.remove(slot);
  }

  /** The key at a program address, in a scratch buffer (valid until the next call). */
  protected programKey(keyAddr: number): Uint8Array {
    this.checkRange(keyAddr, this.keySize);
    this.scratch.set(this.space.bytes.subarray(keyAddr, keyAddr + this.keySize));
    return this.scratch;
  }

  /**
   * Creates or updates `key` and lets `write` fill the value: flag checks, E2BIG when
   * full, LRU eviction and recency. `key` must not alias the scratch buffer when the
   * insertion may evict (eviction does not read keys, so it never does).
   */
  protected upsert(key: Uint8Array, flags: number, write: (slot: number) => void): number {
    if (flags > UpdateFlag.EXIST) return -Errno.EINVAL; // unknown flags, or BPF_F_LOCK without a spin lock
    let slot = this.table.find(key);
    const bad = this.checkFlags(slot >= 0, flags);
    if (bad) return bad;
    if (slot >= 0) {
      write(slot);
      this.lru?.touch(slot);
      return 0;
    }
    const list = this.percpuLru ? this.registry.currentCpu : 0;
    if (this.lru && this.lru.full(list)) {
      const victim = this.lru.oldest(list);
      if (victim < 0) return -Errno.ENOMEM;
      this.removeSlot(victim);
    }
    slot = this.table.insert(key);
    if (slot < 0) return slot === POOL_FULL ? -Errno.E2BIG : -Errno.ENOMEM;
    write(slot);
    this.lru?.add(slot, list);
    return 0;
  }

  /** LRU maps: keys from most to least recently used (per CPU list with BPF_F_NO_COMMON_LRU). */
  lruOrder(list = 0): Uint8Array[] {
    return this.lru ? this.lru.order(list).map((s) => this.table.keyCopy(s)) : [];
  }
}
