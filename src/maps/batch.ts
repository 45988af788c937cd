/**
 * The batch commands with Linux's cursor semantics.
 *
 * - Generic (arrays): the cursor is a key. Each call walks `getNextKey` from the
 *   cursor, copies up to `count` elements and returns the last key copied as the next
 *   cursor. Reaching the end is ENOENT, reported here as `done: true` together with
 *   whatever was copied. A key that vanishes between getNextKey and the copy is
 *   retried three times, then the call fails with EINTR.
 * - Hash maps: the cursor is a u32 bucket index. Whole buckets are copied, never part
 *   of one: a bucket that does not fit in what is left of `count` ends the call (with
 *   ENOSPC if nothing was copied yet), and the cursor names that bucket.
 */
import { Errno, UpdateFlag } from './constants.js';
import { MapError, MapErrorCode } from './errors.js';
import { readU32, toBytes, u32, type BytesLike } from './bytes.js';
import type { BpfMap } from './base.js';

export interface BatchOptions {
  /** `elem_flags` (only BPF_F_LOCK exists, and needs a spin lock). */
  readonly elemFlags?: number;
  /** `flags` (must be 0). */
  readonly flags?: number;
}

export interface BatchResult {
  readonly keys: Uint8Array[];
  readonly values: Uint8Array[];
  /** The cursor for the next call; undefined where Linux leaves out_batch untouched. */
  readonly outBatch: Uint8Array | undefined;
  /** Linux's ENOENT: the walk reached the end of the map (the copied elements are still valid). */
  readonly done: boolean;
}

const MAP_LOOKUP_RETRIES = 3;

function checkElemFlags(map: BpfMap, elemFlags: number): void {
  if (elemFlags & ~UpdateFlag.F_LOCK) map.fail(-Errno.EINVAL, `batch: unknown elem_flags 0x${elemFlags.toString(16)}`);
  if (elemFlags & UpdateFlag.F_LOCK) map.fail(-Errno.EINVAL, 'batch: BPF_F_LOCK needs a bpf_spin_lock in the value');
}

function checkCount(map: BpfMap, count: number): void {
  if (!Number.isInteger(count) || count < 0 || count > 0xffffffff) {
    throw new MapError(MapErrorCode.BAD_ARGUMENT, Errno.EINVAL, `batch count ${count} is not a u32`, { map: map.label });
  }
}

/** `generic_map_lookup_batch`: the cursor is the last key returned. */
export function genericLookupBatch(
  map: BpfMap, inBatch: Uint8Array | undefined, count: number, options: BatchOptions, del: boolean,
): BatchResult {
  if (del) map.fail(-Errno.ENOTSUPP, 'batch lookup and delete');
  checkElemFlags(map, options.elemFlags ?? 0);
  checkCount(map, count);
  const keys: Uint8Array[] = [];
  const values: Uint8Array[] = [];
  if (count === 0) return { keys, values, outBatch: undefined, done: false };
  let prev = inBatch === undefined ? undefined : map.keyOf(inBatch);
  let retry = MAP_LOOKUP_RETRIES;
  let err = 0;
  while (keys.length < count) {
    const next = map.sysGetNextKey(prev);
    if (typeof next === 'number') { err = next; break; }
    const value = map.sysLookup(next);
    if (value === -Errno.ENOENT) {
      if (retry > 0) { retry--; continue; }
      err = -Errno.EINTR;
      break;
    }
    if (typeof value === 'number') map.fail(value, 'batch lookup');
    keys.push(next);
    values.push(value);
    prev = next;
    retry = MAP_LOOKUP_RETRIES;
  }
  if (err !== 0 && err !== -Errno.ENOENT) map.fail(err, 'batch lookup', keys.length);
  return { keys, values, outBatch: keys.length > 0 ? prev : undefined, done: err === -Errno.ENOENT };
}

/** `generic_map_update_batch`: stops at the first failure, which carries the count applied. */
export function genericUpdateBatch(map: BpfMap, keys: readonly BytesLike[], values: readonly BytesLike[], elemFlags: number): number {
  if (keys.length !== values.length) {
    throw new MapError(MapErrorCode.BAD_ARGUMENT, Errno.EINVAL, `${keys.length} keys but ${values.length} values`, { map: map.label });
  }
  if (elemFlags & UpdateFlag.F_LOCK) map.fail(-Errno.EINVAL, 'batch: BPF_F_LOCK needs a bpf_spin_lock in the value');
  for (let i = 0; i < keys.length; i++) {
    const r = map.sysUpdate(map.keyOf(keys[i]), toBytes(values[i]!, map.userValueSize, 'value', map.label), elemFlags);
    if (r < 0) map.fail(r, `batch update of element ${i}`, i);
  }
  return keys.length;
}

/** `generic_map_delete_batch`: stops at the first failure, which carries the count deleted. */
export function genericDeleteBatch(map: BpfMap, keys: readonly BytesLike[], elemFlags: number): number {
  checkElemFlags(map, elemFlags);
  for (let i = 0; i < keys.length; i++) {
    const r = map.sysDelete(map.keyOf(keys[i]));
    if (r < 0) map.fail(r, `batch delete of element ${i}`, i);
  }
  return keys.length;
}

/** What the bucket walk needs from a hash table. */
export interface BucketSource {
  readonly nBuckets: number;
  /** The slots of a bucket in list order. */
  bucketSlots(bucket: number): number[];
  /** A copy of a slot's key. */
  slotKey(slot: number): Uint8Array;
  /** A copy of a slot's value in the syscall's format. */
  slotValue(slot: number): Uint8Array;
  /** Deletes the element in a slot. */
  removeSlot(slot: number): void;
}

/** `__htab_map_lookup_and_delete_batch`: whole buckets, a u32 bucket index as the cursor. */
export function hashLookupBatch(
  map: BpfMap, table: BucketSource, inBatch: Uint8Array | undefined, count: number, options: BatchOptions, del: boolean,
): BatchResult {
  checkElemFlags(map, options.elemFlags ?? 0);
  if (options.flags) map.fail(-Errno.EINVAL, `batch: flags must be 0, not 0x${options.flags.toString(16)}`);
  checkCount(map, count);
  const keys: Uint8Array[] = [];
  const values: Uint8Array[] = [];
  if (count === 0) return { keys, values, outBatch: undefined, done: false };
  if (inBatch !== undefined && inBatch.length !== 4) {
    throw new MapError(MapErrorCode.BAD_ARGUMENT, Errno.EINVAL, 'a hash map batch cursor is a 4-byte bucket index', { map: map.label });
  }
  let batch = inBatch === undefined ? 0 : readU32(inBatch);
  if (batch >= table.nBuckets) return { keys, values, outBatch: undefined, done: true };
  let done = false;
  for (;;) {
    const slots = table.bucketSlots(batch);
    if (slots.length > count - keys.length) {
      if (keys.length === 0) map.fail(-Errno.ENOSPC, `batch: bucket ${batch} holds ${slots.length} elements, more than ${count}`, 0);
      break;
    }
    for (const slot of slots) {
      keys.push(table.slotKey(slot));
      values.push(table.slotValue(slot));
      if (del) table.removeSlot(slot);
    }
    batch++;
    if (batch >= table.nBuckets) { done = true; break; }
  }
  return { keys, values, outBatch: u32(batch), done };
}
