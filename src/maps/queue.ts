/**
 * QUEUE (FIFO) and STACK (LIFO): values without keys, in a ring of max_entries + 1
 * value slots in the address space (Linux's layout).
 *
 * - push: with BPF_ANY a full map is E2BIG; BPF_EXIST makes room by dropping the
 *   oldest value, for both types. BPF_NOEXIST and unknown flags are EINVAL.
 * - pop / peek: ENOENT when empty. A queue takes the oldest value, a stack the newest.
 * - The syscall side maps lookup to peek, update to push and lookup-and-delete to pop
 *   (whose flags must be 0); delete and getNextKey are EINVAL.
 */
import type { Region } from '../vm/memory.js';
import { Errno, MapFlag, MapType, UpdateFlag } from './constants.js';
import { BpfMap } from './base.js';
import { smallFlags, type BytesLike } from './bytes.js';
import type { ResolvedSpec } from './spec.js';
import type { MapRegistry } from './registry.js';

export class QueueStackMap extends BpfMap {
  /** True for STACK. */
  readonly lifo: boolean;
  private readonly region: Region;
  private readonly size: number;
  /** Next slot to write. */
  private head = 0;
  /** Oldest value's slot. */
  private tail = 0;

  constructor(registry: MapRegistry, spec: ResolvedSpec, id: number) {
    super(registry, spec, id);
    this.lifo = spec.type === MapType.STACK;
    this.size = spec.maxEntries + 1;
    this.region = registry.space.alloc(this.size * spec.valueSize, { name: `map:${this.label}`, writable: false });
  }

  protected storageRegions(): Region[] {
    return [this.region];
  }

  /** Values held. */
  get count(): number {
    return (this.head - this.tail + this.size) % this.size;
  }

  private slotAddress(slot: number): number {
    return this.region.start + slot * this.valueSize;
  }

  /** Appends a value whose bytes are at `src` in the address space: 0 or -errno. */
  private pushFrom(src: Uint8Array, offset: number, flags: number): number {
    if ((flags & UpdateFlag.NOEXIST) || flags > UpdateFlag.EXIST) return -Errno.EINVAL;
    if (this.count === this.maxEntries) {
      if (!(flags & UpdateFlag.EXIST)) return -Errno.E2BIG;
      this.tail = (this.tail + 1) % this.size;
    }
    this.space.bytes.set(src.subarray(offset, offset + this.valueSize), this.slotAddress(this.head));
    this.head = (this.head + 1) % this.size;
    return 0;
  }

  /** The slot pop/peek reads, or -1 when empty. */
  private topSlot(): number {
    if (this.count === 0) return -1;
    return this.lifo ? (this.head - 1 + this.size) % this.size : this.tail;
  }

  private take(remove: boolean): Uint8Array | number {
    const slot = this.topSlot();
    if (slot < 0) return -Errno.ENOENT;
    const at = this.slotAddress(slot);
    const value = this.space.bytes.slice(at, at + this.valueSize);
    if (remove) {
      if (this.lifo) this.head = slot;
      else this.tail = (this.tail + 1) % this.size;
    }
    return value;
  }

  // ---- program face -------------------------------------------------------------------

  override pushElem(valueAddr: number, flags: number | bigint): number {
    if (this.flags & MapFlag.RDONLY_PROG) return -Errno.EPERM;
    this.checkRange(valueAddr, this.valueSize);
    return this.pushFrom(this.space.bytes, valueAddr, smallFlags(flags));
  }

  override popElem(valueAddr: number): number {
    if (this.flags & MapFlag.RDONLY_PROG) return -Errno.EPERM;
    this.checkRange(valueAddr, this.valueSize);
    const v = this.take(true);
    if (typeof v === 'number') return v;
    this.writeAt(valueAddr, v);
    return 0;
  }

  override peekElem(valueAddr: number): number {
    this.checkRange(valueAddr, this.valueSize);
    const v = this.take(false);
    if (typeof v === 'number') return v;
    this.writeAt(valueAddr, v);
    return 0;
  }

  override updateElem(_keyAddr: number, _valueAddr: number, _flags: number | bigint): number {
    return -Errno.EINVAL;
  }

  override deleteElem(_keyAddr: number): number {
    return -Errno.EINVAL;
  }

  // ---- syscall face -------------------------------------------------------------------

  override sysLookup(_key: Uint8Array): Uint8Array | number {
    return this.take(false);
  }

  override sysUpdate(_key: Uint8Array, value: Uint8Array, flags: number): number {
    return this.pushFrom(value, 0, flags);
  }

  override sysDelete(_key: Uint8Array): number {
    return -Errno.EINVAL;
  }

  override sysGetNextKey(_key: Uint8Array | undefined): Uint8Array | number {
    return -Errno.EINVAL;
  }

  override sysLookupAndDelete(_key: Uint8Array, flags: number): Uint8Array | number {
    if (flags !== 0) return -Errno.EINVAL;
    return this.take(true);
  }

  /** Syscall side: pushes a value (flags BPF_ANY or BPF_EXIST). */
  push(value: BytesLike, flags = 0): void {
    this.update(undefined, value, flags);
  }

  /** Syscall side: removes and returns the next value, or undefined when empty. */
  pop(): Uint8Array | undefined {
    return this.lookupAndDelete(undefined);
  }

  /** Syscall side: the next value without removing it, or undefined when empty. */
  peek(): Uint8Array | undefined {
    return this.lookup(undefined);
  }

  /** All values in pop order (a snapshot; nothing is removed). */
  values(): Uint8Array[] {
    const out: Uint8Array[] = [];
    const n = this.count;
    for (let i = 0; i < n; i++) {
      const slot = this.lifo ? (this.head - 1 - i + 2 * this.size) % this.size : (this.tail + i) % this.size;
      const at = this.slotAddress(slot);
      out.push(this.space.bytes.slice(at, at + this.valueSize));
    }
    return out;
  }
}
