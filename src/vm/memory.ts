/**
 * The address space of DESIGN.md: one flat `WebAssembly.Memory` per runtime in which
 * every byte a program can touch lives (stacks, contexts, packets, map storage). A
 * program-visible pointer is an offset into this memory, so it fits in 32 bits and the
 * interpreter, the JIT and the user-side API read and write the same bytes.
 *
 * The first 64 KiB are never handed out, so null and small integers never point at
 * data. Allocations are tracked as regions; checked mode tests every access against
 * the region table.
 */
import { VmError, VmErrorCode } from './errors.js';

const PAGE = 65536;
/** Addresses below this are never allocated. */
export const RESERVED_LOW = 65536;
/** Largest memory a 32-bit address can reach (wasm32 limit: 65536 pages = 4 GiB). */
const MAX_PAGES = 65536;

export interface RegionOptions {
  /** Shown in errors and debuggers: "stack", "packet", "map:counts value", ... */
  readonly name: string;
  /** Programs may store into it (default true). */
  readonly writable?: boolean;
  /** Alignment of the start address (default 8). */
  readonly align?: number;
}

/** A live allocation: `[start, end)` in the address space. */
export interface Region {
  readonly start: number;
  readonly end: number;
  readonly size: number;
  readonly name: string;
  readonly writable: boolean;
}

export interface AddressSpaceOptions {
  /** Initial size in bytes (rounded up to 64 KiB pages; default 1 MiB). */
  readonly initialBytes?: number;
  /** Upper bound in bytes (default 1 GiB). */
  readonly maximumBytes?: number;
  /** Back the space with a SharedArrayBuffer (for worker CPUs). */
  readonly shared?: boolean;
}

export class AddressSpace {
  readonly memory: WebAssembly.Memory;
  private readonly maxPages: number;
  /** Live regions, sorted by start. */
  private readonly regions: Region[] = [];
  /** Free blocks [start, size], sorted by start, coalesced. */
  private readonly free: Array<[number, number]> = [];
  private top = RESERVED_LOW;
  private buffer: ArrayBuffer | SharedArrayBuffer;
  private bytesView: Uint8Array;
  private dataView: DataView;

  constructor(options: AddressSpaceOptions = {}) {
    const initial = Math.max(2, Math.ceil((options.initialBytes ?? 1 << 20) / PAGE));
    this.maxPages = Math.min(MAX_PAGES, Math.max(initial, Math.ceil((options.maximumBytes ?? 1 << 30) / PAGE)));
    this.memory = new WebAssembly.Memory({ initial, maximum: this.maxPages, shared: options.shared ?? false });
    this.buffer = this.memory.buffer;
    this.bytesView = new Uint8Array(this.buffer);
    this.dataView = new DataView(this.buffer);
  }

  /** The memory as bytes. Re-read after any allocation: growth replaces the buffer. */
  get bytes(): Uint8Array {
    this.refresh();
    return this.bytesView;
  }

  /** The memory as a DataView (same caveat as `bytes`). */
  get view(): DataView {
    this.refresh();
    return this.dataView;
  }

  /** Current size in bytes. */
  get byteLength(): number {
    return this.memory.buffer.byteLength;
  }

  /** Allocates a zeroed region of `size` bytes. */
  alloc(size: number, options: RegionOptions): Region {
    if (!Number.isInteger(size) || size < 0) {
      throw new VmError(VmErrorCode.BAD_ARGUMENT, `cannot allocate ${size} bytes for ${options.name}`);
    }
    const align = options.align ?? 8;
    const start = this.take(Math.max(size, 1), align, options.name);
    const region: Region = { start, end: start + size, size, name: options.name, writable: options.writable ?? true };
    this.bytes.fill(0, start, start + Math.max(size, 1));
    this.regions.splice(this.indexAfter(start), 0, region);
    return region;
  }

  /** Allocates a region holding a copy of `data`. */
  allocBytes(data: Uint8Array, options: RegionOptions): Region {
    const region = this.alloc(data.length, options);
    this.bytes.set(data, region.start);
    return region;
  }

  /** Releases a region; its bytes may be handed out again. */
  release(region: Region): void {
    const i = this.regions.indexOf(region);
    if (i < 0) throw new VmError(VmErrorCode.BAD_ARGUMENT, `region ${region.name} is not live`);
    this.regions.splice(i, 1);
    this.giveBack(region.start, Math.max(region.size, 1));
  }

  /** The region containing `[address, address + size)`, or undefined. */
  find(address: number, size: number): Region | undefined {
    const list = this.regions;
    let lo = 0;
    let hi = list.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const r = list[mid]!;
      if (address < r.start) hi = mid - 1;
      else if (address >= r.end) lo = mid + 1;
      else return address + size <= r.end ? r : undefined;
    }
    return undefined;
  }

  /** The region whose start is nearest below `address` (for error messages). */
  nearest(address: number): Region | undefined {
    let best: Region | undefined;
    for (const r of this.regions) if (r.start <= address) best = r;
    return best;
  }

  /** A snapshot of the live regions, sorted by address. */
  listRegions(): readonly Region[] {
    return [...this.regions];
  }

  /** Copies `length` bytes out of the address space. */
  read(address: number, length: number): Uint8Array {
    if (address < 0 || address + length > this.byteLength) {
      throw new VmError(VmErrorCode.OUT_OF_BOUNDS, `read of ${length} bytes at 0x${address.toString(16)} is outside memory`,
        { address, size: length });
    }
    return this.bytes.slice(address, address + length);
  }

  /** Copies bytes into the address space. */
  write(address: number, data: Uint8Array): void {
    if (address < 0 || address + data.length > this.byteLength) {
      throw new VmError(VmErrorCode.OUT_OF_BOUNDS, `write of ${data.length} bytes at 0x${address.toString(16)} is outside memory`,
        { address, size: data.length });
    }
    this.bytes.set(data, address);
  }

  private refresh(): void {
    if (this.memory.buffer !== this.buffer) {
      this.buffer = this.memory.buffer;
      this.bytesView = new Uint8Array(this.buffer);
      this.dataView = new DataView(this.buffer);
    }
  }

  private indexAfter(start: number): number {
    let i = 0;
    while (i < this.regions.length && this.regions[i]!.start < start) i++;
    return i;
  }

  private take(size: number, align: number, name: string): number {
    for (let i = 0; i < this.free.length; i++) {
      const [start, length] = this.free[i]!;
      const aligned = alignUp(start, align);
      const waste = aligned - start;
      if (length < waste + size) continue;
      this.free.splice(i, 1);
      if (waste > 0) this.giveBack(start, waste);
      if (length > waste + size) this.giveBack(aligned + size, length - waste - size);
      return aligned;
    }
    const aligned = alignUp(this.top, align);
    const end = aligned + size;
    if (end > this.byteLength) this.grow(end, name);
    if (aligned > this.top) this.giveBack(this.top, aligned - this.top);
    this.top = end;
    return aligned;
  }

  private grow(end: number, name: string): void {
    const pages = Math.ceil(end / PAGE) - this.memory.buffer.byteLength / PAGE;
    const current = this.memory.buffer.byteLength / PAGE;
    if (current + pages > this.maxPages) {
      throw new VmError(VmErrorCode.OUT_OF_MEMORY,
        `cannot allocate ${name}: the address space would need ${current + pages} pages, limit ${this.maxPages}`);
    }
    this.memory.grow(Math.max(pages, Math.min(current, this.maxPages - current)));
  }

  private giveBack(start: number, size: number): void {
    if (start + size === this.top) {
      this.top = start;
      const last = this.free[this.free.length - 1];
      if (last && last[0] + last[1] === this.top) {
        this.top = last[0];
        this.free.pop();
      }
      return;
    }
    let i = 0;
    while (i < this.free.length && this.free[i]![0] < start) i++;
    this.free.splice(i, 0, [start, size]);
    const next = this.free[i + 1];
    if (next && start + size === next[0]) {
      this.free[i] = [start, size + next[1]];
      this.free.splice(i + 1, 1);
    }
    const prev = this.free[i - 1];
    if (prev && prev[0] + prev[1] === start) {
      this.free[i - 1] = [prev[0], prev[1] + this.free[i]![1]];
      this.free.splice(i, 1);
    }
  }
}

function alignUp(value: number, align: number): number {
  return Math.ceil(value / align) * align;
}
