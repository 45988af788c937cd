/**
 * ARRAY_OF_MAPS and HASH_OF_MAPS. The syscall side stores an inner map by writing its
 * fd (ebee: its `id`, or use `setInner(key, map)`) and reads back its id; a program's
 * lookup returns the inner map's handle (its program-visible map pointer), which the
 * program passes on to helpers as a map. Programs cannot update or delete outer
 * entries.
 *
 * An inner map must match the outer map's template as Linux's `map_meta_equal` says
 * (type, key and value size, flags; max_entries too for ARRAY templates without
 * BPF_F_INNER_MAP), else EINVAL; an fd naming no map is EBADF, one naming a program
 * EINVAL.
 */
import { Errno } from './constants.js';
import type { BpfMap, BatchSupport } from './base.js';
import { FdArrayMap } from './fd-array.js';
import { HashMap } from './hash.js';
import { readU32, u32, type BytesLike } from './bytes.js';
import { innerMapCompatible, type ResolvedSpec } from './spec.js';
import type { MapRegistry } from './registry.js';

/** The id of the inner map an fd names, checked against the outer template; or -errno. */
export function resolveInnerMap(registry: MapRegistry, template: ResolvedSpec, fd: number): number {
  const kind = registry.kindOf(fd);
  if (kind === undefined) return -Errno.EBADF;
  if (kind !== 'map') return -Errno.EINVAL;
  const inner = registry.map(fd)!;
  return innerMapCompatible(template, inner.spec) ? fd : -Errno.EINVAL;
}

export class ArrayOfMaps extends FdArrayMap {
  /** Linux's generic batches: a lookup batch that meets an empty slot fails with EINTR after three retries. */
  protected override readonly batchSupport: BatchSupport = { lookup: true, lookupAndDelete: false, update: true, delete: false };

  protected resolveFd(fd: number): number {
    return resolveInnerMap(this.registry, this.spec.innerMap!, fd);
  }

  protected alive(id: number): boolean {
    return this.registry.map(id) !== undefined;
  }

  /** The inner map's handle, or 0. */
  override lookupAddress(keyAddr: number): number {
    const id = this.idAt(this.programIndex(keyAddr));
    return id === 0 ? 0 : this.registry.map(id)?.handle ?? 0;
  }

  /** The inner map in slot `index`. */
  inner(index: number): BpfMap | undefined {
    const id = this.idAt(index);
    return id === 0 ? undefined : this.registry.map(id);
  }

  /** Syscall-side convenience: stores `map` at `index` (BPF_ANY). */
  setInner(index: number, map: BpfMap): void {
    this.update(index, map.id, 0);
  }
}

export class HashOfMaps extends HashMap {
  protected override programWritable(): boolean {
    return false;
  }

  protected override encodeUserValue(value: Uint8Array): Uint8Array | number {
    const id = resolveInnerMap(this.registry, this.spec.innerMap!, readU32(value));
    return id < 0 ? id : u32(id);
  }

  protected override userValueOf(slot: number): Uint8Array {
    return u32(this.idIn(slot));
  }

  protected override programValueAddress(slot: number): number {
    return this.registry.map(this.idIn(slot))?.handle ?? 0;
  }

  private idIn(slot: number): number {
    const id = this.space.view.getUint32(this.table.valueAddress(slot), true);
    return this.registry.map(id) ? id : 0;
  }

  override updateElem(_keyAddr: number, _valueAddr: number, _flags: number | bigint): number {
    return -Errno.EOPNOTSUPP;
  }

  override deleteElem(_keyAddr: number): number {
    return -Errno.EOPNOTSUPP;
  }

  override sysLookupAndDelete(_key: Uint8Array, _flags: number): Uint8Array | number {
    return -Errno.ENOTSUPP;
  }

  /** The inner map stored under `key`. */
  inner(key: BytesLike): BpfMap | undefined {
    const v = this.lookup(key);
    return v === undefined ? undefined : this.registry.map(readU32(v));
  }

  /** Syscall-side convenience: stores `map` under `key` with `flags`. */
  setInner(key: BytesLike, map: BpfMap, flags = 0): void {
    this.update(key, map.id, flags);
  }
}
