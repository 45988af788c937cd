/**
 * Arrays whose values are references to other objects, written by fd from the syscall
 * side: PROG_ARRAY (programs for `bpf_tail_call`), ARRAY_OF_MAPS (inner maps) and,
 * in perf.ts, PERF_EVENT_ARRAY (perf event buffers) and, in cgroup.ts, CGROUP_ARRAY.
 *
 * Linux's rules (`bpf_fd_array_map_*`): the update flags must be BPF_ANY; an index past
 * the end is E2BIG for update and delete; deleting an empty slot is ENOENT; an fd that
 * names nothing is EBADF, one that names the wrong kind of object EINVAL. Reading a slot
 * from the syscall side gives the object's id (for PERF_EVENT_ARRAY: ENOTSUPP).
 */
import type { Region } from '../vm/memory.js';
import { Errno, MapType, UpdateFlag } from './constants.js';
import { BpfMap } from './base.js';
import { readU32, u32 } from './bytes.js';
import type { ResolvedSpec } from './spec.js';
import type { MapRegistry, ProgramEntry } from './registry.js';

export abstract class FdArrayMap extends BpfMap {
  /** The id in each slot, 0 when empty. */
  protected readonly slots: Int32Array;

  constructor(registry: MapRegistry, spec: ResolvedSpec, id: number) {
    super(registry, spec, id);
    this.slots = new Int32Array(spec.maxEntries);
  }

  protected storageRegions(): Region[] {
    return [];
  }

  /** The object id an fd written from the syscall side stands for, or -errno. */
  protected abstract resolveFd(fd: number): number;

  /** Whether the slot's id still names a live object. */
  protected abstract alive(id: number): boolean;

  /** Whether the syscall side can read slots (`map_fd_sys_lookup_elem`). */
  protected readonly sysReadable: boolean = true;

  /** The id in slot `index`, or 0 when empty (or out of range). */
  idAt(index: number): number {
    if (!(index >= 0 && index < this.maxEntries)) return 0;
    const id = this.slots[index]!;
    return id !== 0 && this.alive(id) ? id : 0;
  }

  /** The index a program's key names (bounds-checked read of a u32). */
  protected programIndex(keyAddr: number): number {
    this.checkRange(keyAddr, 4);
    return this.space.view.getUint32(keyAddr, true);
  }

  override sysLookup(key: Uint8Array): Uint8Array | number {
    if (!this.sysReadable) return -Errno.ENOTSUPP;
    const id = this.idAt(readU32(key));
    return id === 0 ? -Errno.ENOENT : u32(id);
  }

  override sysUpdate(key: Uint8Array, value: Uint8Array, flags: number): number {
    if (flags !== UpdateFlag.ANY) return -Errno.EINVAL;
    const index = readU32(key);
    if (index >= this.maxEntries) return -Errno.E2BIG;
    const id = this.resolveFd(readU32(value));
    if (id < 0) return id;
    this.slots[index] = id;
    return 0;
  }

  override sysDelete(key: Uint8Array): number {
    const index = readU32(key);
    if (index >= this.maxEntries) return -Errno.E2BIG;
    const had = this.idAt(index) !== 0;
    this.slots[index] = 0;
    return had ? 0 : -Errno.ENOENT;
  }

  override sysGetNextKey(key: Uint8Array | undefined): Uint8Array | number {
    const index = key === undefined ? this.maxEntries : readU32(key);
    if (index >= this.maxEntries) return u32(0);
    if (index === this.maxEntries - 1) return -Errno.ENOENT;
    return u32(index + 1);
  }
}

/**
 * PROG_ARRAY: program ids registered with `MapRegistry.registerProgram`. The first
 * program with a known type fixes the array's program type; a program of another type
 * is EINVAL (Linux's `bpf_prog_map_compatible`).
 */
export class ProgArrayMap extends FdArrayMap {
  private ownerType: number | undefined;

  protected resolveFd(fd: number): number {
    const kind = this.registry.kindOf(fd);
    if (kind === undefined) return -Errno.EBADF;
    if (kind !== 'program') return -Errno.EINVAL;
    const type = this.registry.program(fd)!.type;
    if (type !== undefined) {
      if (this.ownerType !== undefined && this.ownerType !== type) return -Errno.EINVAL;
      this.ownerType = type;
    }
    return fd;
  }

  protected alive(id: number): boolean {
    return this.registry.program(id) !== undefined;
  }

  /** `bpf_tail_call`'s target: the program in slot `index`, or undefined (the call falls through). */
  tailCallTarget(index: number | bigint): ProgramEntry | undefined {
    const i = typeof index === 'bigint' ? (index >= 0n && index < 0x100000000n ? Number(index) : -1) : index;
    const id = this.idAt(i);
    return id === 0 ? undefined : this.registry.program(id);
  }

  /** Syscall-side convenience: puts program `programId` in slot `index`. */
  setProgram(index: number, programId: number): void {
    this.update(index, programId, UpdateFlag.ANY);
  }
}

/** True for the fd-array types. */
export function isFdArrayType(type: number): boolean {
  return type === MapType.PROG_ARRAY || type === MapType.PERF_EVENT_ARRAY || type === MapType.ARRAY_OF_MAPS
    || type === MapType.CGROUP_ARRAY;
}
