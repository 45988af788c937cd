/**
 * The hash table under every hash-based map: Linux's structure, so iteration and batch
 * cursors behave as they do there. `max_entries` rounded up to a power of two buckets;
 * each bucket a list with the newest element first; each element one pool slot laid
 * out as key (rounded up to 8 bytes) then value bytes, like Linux's `htab_elem`.
 * Iteration runs bucket by bucket, each list from its head.
 *
 * The hash is `hash32` with seed 0 (Linux: jhash with a random seed, or 0 with
 * BPF_F_ZERO_SEED), so bucket placement, and therefore iteration order, differ from
 * Linux's but are the same on every run.
 */
import type { AddressSpace } from '../vm/memory.js';
import { bytesEqual, hash32, roundUp, roundUpPow2 } from './bytes.js';
import { SlotPool } from './pool.js';

export interface HashTableOptions {
  readonly keySize: number;
  /** Bytes of value storage per element. */
  readonly valueBytes: number;
  readonly capacity: number;
  readonly prealloc: boolean;
  readonly name: string;
  readonly writable: boolean;
}

export class HashTable {
  readonly nBuckets: number;
  readonly keySize: number;
  /** Offset of the value in a slot. */
  readonly valueOffset: number;
  readonly pool: SlotPool;
  private readonly mask: number;
  private readonly heads: Int32Array;
  /** Per-slot chain links and hashes; grown on demand for on-demand pools. */
  private next: Int32Array;
  private hashes: Uint32Array;

  constructor(private readonly space: AddressSpace, opts: HashTableOptions) {
    this.keySize = opts.keySize;
    this.valueOffset = roundUp(opts.keySize, 8);
    this.nBuckets = roundUpPow2(opts.capacity);
    this.mask = this.nBuckets - 1;
    this.heads = new Int32Array(this.nBuckets).fill(-1);
    const slots = opts.prealloc ? opts.capacity : Math.min(opts.capacity, 1024);
    this.next = new Int32Array(slots).fill(-1);
    this.hashes = new Uint32Array(slots);
    this.pool = new SlotPool(space, {
      slotSize: this.valueOffset + roundUp(Math.max(opts.valueBytes, 1), 8),
      capacity: opts.capacity, prealloc: opts.prealloc, name: opts.name, writable: opts.writable,
    });
  }

  /** Elements in the table. */
  get count(): number {
    return this.pool.used;
  }

  /** The bucket of a key (in `key` at `offset`). */
  bucketOf(key: Uint8Array, offset = 0): number {
    return hash32(key, offset, this.keySize, 0) & this.mask;
  }

  /** The slot holding `key` (in `key` at `offset`), or -1. `memory` is the address space's bytes, if at hand. */
  find(key: Uint8Array, offset = 0, memory?: Uint8Array): number {
    const hash = hash32(key, offset, this.keySize, 0);
    const bytes = memory ?? this.space.bytes;
    for (let s = this.heads[hash & this.mask]!; s >= 0; s = this.next[s]!) {
      if (this.hashes[s] === hash && bytesEqual(bytes, this.pool.address(s), key, offset, this.keySize)) return s;
    }
    return -1;
  }

  /**
   * Adds `key` (which must not be present) at the head of its bucket, with zeroed value
   * storage. Returns the slot, or POOL_FULL / POOL_NO_MEMORY.
   */
  insert(key: Uint8Array): number {
    const slot = this.pool.alloc();
    if (slot < 0) return slot;
    if (slot >= this.next.length) this.growSlots(slot);
    const hash = hash32(key, 0, this.keySize, 0);
    this.space.bytes.set(key.subarray(0, this.keySize), this.pool.address(slot));
    this.hashes[slot] = hash;
    const b = hash & this.mask;
    this.next[slot] = this.heads[b]!;
    this.heads[b] = slot;
    return slot;
  }

  /** Unlinks a slot and returns it to the pool. */
  remove(slot: number): void {
    const b = this.hashes[slot]! & this.mask;
    if (this.heads[b] === slot) {
      this.heads[b] = this.next[slot]!;
    } else {
      let p = this.heads[b]!;
      while (p >= 0 && this.next[p] !== slot) p = this.next[p]!;
      if (p < 0) return;
      this.next[p] = this.next[slot]!;
    }
    this.next[slot] = -1;
    this.pool.release(slot);
  }

  private growSlots(slot: number): void {
    const size = Math.min(this.pool.capacity, Math.max(slot + 1, this.next.length * 2));
    const next = new Int32Array(size).fill(-1);
    next.set(this.next);
    const hashes = new Uint32Array(size);
    hashes.set(this.hashes);
    this.next = next;
    this.hashes = hashes;
  }

  keyAddress(slot: number): number {
    return this.pool.address(slot);
  }

  valueAddress(slot: number): number {
    return this.pool.address(slot) + this.valueOffset;
  }

  /** A copy of a slot's key. */
  keyCopy(slot: number): Uint8Array {
    const at = this.pool.address(slot);
    return this.space.bytes.slice(at, at + this.keySize);
  }

  /** The slots of one bucket, head first. */
  bucketSlots(bucket: number): number[] {
    const out: number[] = [];
    for (let s = this.heads[bucket]!; s >= 0; s = this.next[s]!) out.push(s);
    return out;
  }

  /** The first slot of the first non-empty bucket at or after `bucket`, or -1. */
  firstFrom(bucket: number): number {
    for (let b = bucket; b < this.nBuckets; b++) if (this.heads[b]! >= 0) return this.heads[b]!;
    return -1;
  }

  /** The slot after `slot` in iteration order, or -1. */
  after(slot: number): number {
    const n = this.next[slot]!;
    return n >= 0 ? n : this.firstFrom((this.hashes[slot]! & this.mask) + 1);
  }
}
