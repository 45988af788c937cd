/**
 * Element storage in the address space. A pool hands out fixed-size slots by index;
 * a slot's address never changes while it is in use, so a pointer a program got from
 * `lookupAddress` stays valid until the element is deleted.
 *
 * Preallocated pools (Linux's default for hash maps) take one region for every slot at
 * creation. On-demand pools (BPF_F_NO_PREALLOC, LPM tries) take regions of a few slots
 * as elements arrive, recycle freed slots, and give all their regions back to the
 * address space when the map becomes empty.
 */
import type { AddressSpace, Region } from '../vm/memory.js';
import { isEbeeError } from '../errors.js';
import { VmErrorCode } from '../vm/errors.js';

export interface SlotPoolOptions {
  readonly slotSize: number;
  readonly capacity: number;
  readonly prealloc: boolean;
  /** Region name ("map:counts"). */
  readonly name: string;
  /** Programs may store into the slots (false for BPF_F_RDONLY_PROG maps). */
  readonly writable: boolean;
}

/** Marker returned by `alloc` when the address space cannot grow. */
export const POOL_NO_MEMORY = -2;
/** Marker returned by `alloc` when every slot is in use. */
export const POOL_FULL = -1;

export class SlotPool {
  readonly slotSize: number;
  readonly capacity: number;
  private readonly opts: SlotPoolOptions;
  private readonly chunkSlots: number;
  private readonly chunks: Array<Region | undefined>;
  private nextChunk = 0;
  private free: Int32Array;
  private freeTop = 0;
  private inUse = 0;

  constructor(private readonly space: AddressSpace, opts: SlotPoolOptions) {
    this.opts = opts;
    this.slotSize = opts.slotSize;
    this.capacity = opts.capacity;
    this.chunkSlots = opts.prealloc ? Math.max(1, opts.capacity)
      : Math.min(Math.max(1, opts.capacity), Math.max(1, Math.min(64, Math.floor(4096 / opts.slotSize))));
    this.chunks = new Array(Math.ceil(opts.capacity / this.chunkSlots)).fill(undefined);
    this.free = new Int32Array(opts.prealloc ? opts.capacity : Math.min(opts.capacity, 64));
    if (opts.prealloc) {
      this.chunks[0] = space.alloc(opts.capacity * opts.slotSize, { name: opts.name, writable: opts.writable });
      this.nextChunk = 1;
      for (let i = opts.capacity - 1; i >= 0; i--) this.free[this.freeTop++] = i;
    }
  }

  /** Slots in use. */
  get used(): number {
    return this.inUse;
  }

  /** The regions the pool holds now. */
  regions(): Region[] {
    return this.chunks.filter((r): r is Region => r !== undefined);
  }

  /** A zeroed slot's index, or POOL_FULL / POOL_NO_MEMORY. */
  alloc(): number {
    if (this.freeTop === 0 && !this.grow()) return this.nextChunk >= this.chunks.length ? POOL_FULL : POOL_NO_MEMORY;
    const slot = this.free[--this.freeTop]!;
    this.inUse++;
    const at = this.address(slot);
    this.space.bytes.fill(0, at, at + this.slotSize);
    return slot;
  }

  /** Returns a slot; an on-demand pool releases its regions once nothing is in use. */
  release(slot: number): void {
    this.inUse--;
    if (!this.opts.prealloc && this.inUse === 0) {
      this.releaseAll();
      return;
    }
    this.push(slot);
  }

  /** Address of a slot. */
  address(slot: number): number {
    const chunk = this.chunks[Math.floor(slot / this.chunkSlots)]!;
    return chunk.start + (slot % this.chunkSlots) * this.slotSize;
  }

  /** Gives every region back to the address space (the map is being destroyed or emptied). */
  releaseAll(): void {
    for (let i = 0; i < this.chunks.length; i++) {
      const r = this.chunks[i];
      if (r) this.space.release(r);
      this.chunks[i] = undefined;
    }
    this.nextChunk = 0;
    this.freeTop = 0;
    this.inUse = 0;
  }

  private grow(): boolean {
    if (this.opts.prealloc || this.nextChunk >= this.chunks.length) return false;
    const first = this.nextChunk * this.chunkSlots;
    const count = Math.min(this.chunkSlots, this.capacity - first);
    try {
      this.chunks[this.nextChunk] = this.space.alloc(count * this.slotSize, { name: this.opts.name, writable: this.opts.writable });
    } catch (err) {
      if (isEbeeError(err, VmErrorCode.OUT_OF_MEMORY)) return false;
      throw err;
    }
    this.nextChunk++;
    for (let i = first + count - 1; i >= first; i--) this.push(i);
    return true;
  }

  private push(slot: number): void {
    if (this.freeTop === this.free.length) {
      const bigger = new Int32Array(Math.min(this.capacity, this.free.length * 2 + 64));
      bigger.set(this.free);
      this.free = bigger;
    }
    this.free[this.freeTop++] = slot;
  }
}
