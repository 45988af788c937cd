/**
 * ARRAY and PERCPU_ARRAY: `max_entries` values, all present and zeroed at creation,
 * each at a fixed address for the life of the map, in one region ("all array elements
 * are aligned to 8 bytes"). A per-CPU element holds one value per CPU, CPU-major
 * within the element. BPF_F_MMAPABLE arrays start on a page boundary; BPF_F_RDONLY_PROG
 * makes the region read-only to programs.
 *
 * Linux's rules: the key is a u32 index; an index past the end is ENOENT for lookups
 * and E2BIG for updates; BPF_NOEXIST is always EEXIST (every element exists); delete
 * is EINVAL; getNextKey restarts at 0 for a key past the end and ends at the last index.
 */
import type { Region } from '../vm/memory.js';
import { Errno, MapFlag, MapType, PAGE_SIZE, UpdateFlag } from './constants.js';
import { BpfMap, type BatchSupport } from './base.js';
import { readU32, roundUp, smallFlags, u32 } from './bytes.js';
import type { ResolvedSpec } from './spec.js';
import type { MapRegistry } from './registry.js';

const ARRAY_BATCH: BatchSupport = { lookup: true, lookupAndDelete: false, update: true, delete: false };

export class ArrayMap extends BpfMap {
  /** Bytes between consecutive elements. */
  readonly elementSize: number;
  private readonly region: Region;
  protected override readonly batchSupport: BatchSupport = ARRAY_BATCH;

  constructor(registry: MapRegistry, spec: ResolvedSpec, id: number) {
    const percpu = spec.type === MapType.PERCPU_ARRAY;
    super(registry, spec, id, percpu);
    this.elementSize = roundUp(spec.valueSize, 8) * (percpu ? registry.cpus : 1);
    const mmapable = (spec.flags & MapFlag.MMAPABLE) !== 0;
    const bytes = spec.maxEntries * this.elementSize;
    this.region = registry.space.alloc(mmapable ? roundUp(bytes, PAGE_SIZE) : bytes, {
      name: `map:${this.label}`,
      writable: (spec.flags & MapFlag.RDONLY_PROG) === 0,
      align: mmapable ? PAGE_SIZE : 8,
    });
  }

  protected storageRegions(): Region[] {
    return [this.region];
  }

  /** Address of element `index` (CPU `cpu`'s value for per-CPU arrays). */
  elementAddress(index: number, cpu = 0): number {
    return this.region.start + index * this.elementSize + (this.percpu ? cpu * this.percpuStride : 0);
  }

  private programIndex(keyAddr: number): number {
    const b = this.space.bytes;
    if (!(keyAddr >= 0 && keyAddr + 4 <= b.length)) this.checkRange(keyAddr, 4);
    return (b[keyAddr]! | (b[keyAddr + 1]! << 8) | (b[keyAddr + 2]! << 16) | (b[keyAddr + 3]! << 24)) >>> 0;
  }

  // ---- program face -------------------------------------------------------------------

  override lookupAddress(keyAddr: number): number {
    const index = this.programIndex(keyAddr);
    return index < this.maxEntries ? this.elementAddress(index, this.registry.currentCpu) : 0;
  }

  override lookupPercpuAddress(keyAddr: number, cpu: number): number {
    if (!this.percpu || !(cpu >= 0 && cpu < this.cpus)) return 0;
    const index = this.programIndex(keyAddr);
    return index < this.maxEntries ? this.elementAddress(index, cpu) : 0;
  }

  override updateElem(keyAddr: number, valueAddr: number, flags: number | bigint): number {
    if (this.flags & MapFlag.RDONLY_PROG) return -Errno.EPERM;
    const index = this.programIndex(keyAddr);
    const bad = this.checkUpdate(index, smallFlags(flags));
    if (bad) return bad;
    this.checkRange(valueAddr, this.valueSize);
    const dst = this.elementAddress(index, this.registry.currentCpu);
    this.space.bytes.copyWithin(dst, valueAddr, valueAddr + this.valueSize);
    return 0;
  }

  override deleteElem(_keyAddr: number): number {
    return -Errno.EINVAL;
  }

  // ---- syscall face -------------------------------------------------------------------

  override sysLookup(key: Uint8Array): Uint8Array | number {
    const index = readU32(key);
    if (index >= this.maxEntries) return -Errno.ENOENT;
    const at = this.elementAddress(index);
    return this.space.bytes.slice(at, at + this.userValueSize);
  }

  override sysUpdate(key: Uint8Array, value: Uint8Array, flags: number): number {
    const index = readU32(key);
    const bad = this.checkUpdate(index, flags);
    if (bad) return bad;
    this.space.bytes.set(value, this.elementAddress(index));
    return 0;
  }

  override sysDelete(_key: Uint8Array): number {
    return -Errno.EINVAL;
  }

  override sysGetNextKey(key: Uint8Array | undefined): Uint8Array | number {
    const index = key === undefined ? this.maxEntries : readU32(key);
    if (index >= this.maxEntries) return u32(0);
    if (index === this.maxEntries - 1) return -Errno.ENOENT;
    return u32(index + 1);
  }

  /** Flag and index checks of array_map_update_elem: 0 or -errno. */
  private checkUpdate(index: number, flags: number): number {
    if ((flags & ~UpdateFlag.F_LOCK) > UpdateFlag.EXIST) return -Errno.EINVAL;
    if (this.percpu && flags > UpdateFlag.EXIST) return -Errno.EINVAL;
    if (index >= this.maxEntries) return -Errno.E2BIG;
    if (flags & UpdateFlag.NOEXIST) return -Errno.EEXIST;
    if (flags & UpdateFlag.F_LOCK) return -Errno.EINVAL;
    return 0;
  }
}
