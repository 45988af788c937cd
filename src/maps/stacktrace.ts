/**
 * STACK_TRACE: the id space of `bpf_get_stackid`. A key is a u32 stack id, a value the
 * stack's instruction pointers (u64 each, innermost first, zero-padded to value_size),
 * or with BPF_F_STACK_BUILD_ID `struct bpf_stack_build_id` entries.
 *
 * Linux's layout (`kernel/bpf/stackmap.c`): round_up_pow_of_two(max_entries) buckets,
 * and max_entries preallocated stack records on a free list. A stack goes to bucket
 * `jhash2(ips, 0) & (n_buckets - 1)`, which is its id; ebee uses the same hash so ids
 * match the kernel's for the same addresses. Ids can therefore reach n_buckets - 1,
 * above max_entries. When the free list is empty a new stack is ENOMEM.
 *
 * Programs reach the map only through `bpf_get_stackid` (the verifier allows no other
 * helper on it), so the records live in JS, not in the address space: no program ever
 * holds a pointer to one.
 *
 * The syscall side may look up, delete and walk ids; update is EINVAL, as in Linux.
 */
import type { Region } from '../vm/memory.js';
import { Errno, MapFlag } from './constants.js';
import { BpfMap } from './base.js';
import { readU32, u32 } from './bytes.js';
import type { ResolvedSpec } from './spec.js';
import type { MapRegistry } from './registry.js';

/** `sysctl_perf_event_max_stack`'s default: the deepest callchain Linux collects. */
export const PERF_MAX_STACK = 127;
/** `sizeof(struct bpf_stack_build_id)`: status, 20-byte build id, offset-or-ip. */
export const STACK_BUILD_ID_ENTRY = 32;
/** `BPF_STACK_BUILD_ID_IP`: a build-id entry that could not be resolved and holds the ip. */
export const STACK_BUILD_ID_IP = 2;

/** `bpf_get_stackid` flags the map applies (the helper checks the rest). */
export const StackIdFlag = {
  /** Low 8 bits: innermost frames to skip. */
  SKIP_FIELD_MASK: 0xff,
  /** Return the id of a bucket whose hash matches without comparing the frames. */
  FAST_STACK_CMP: 1 << 9,
  /** Replace a different stack in the bucket instead of failing with EEXIST. */
  REUSE_STACKID: 1 << 10,
} as const;

interface Bucket {
  readonly hash: number;
  /** The stored entries, `nr * entrySize` bytes. */
  readonly data: Uint8Array;
}

const rol32 = (x: number, k: number): number => ((x << k) | (x >>> (32 - k))) >>> 0;

/**
 * Bob Jenkins' lookup3 word hash as Linux's `jhash2` (initial value 0xdeadbeef plus
 * the length in bytes plus `initval`), over 32-bit words.
 */
export function jhash2(words: Uint32Array, initval = 0): number {
  let length = words.length;
  let a = (0xdeadbeef + (length << 2) + initval) >>> 0;
  let b = a;
  let c = a;
  let k = 0;
  while (length > 3) {
    a = (a + words[k]!) >>> 0;
    b = (b + words[k + 1]!) >>> 0;
    c = (c + words[k + 2]!) >>> 0;
    a = (a - c) >>> 0; a = (a ^ rol32(c, 4)) >>> 0; c = (c + b) >>> 0;
    b = (b - a) >>> 0; b = (b ^ rol32(a, 6)) >>> 0; a = (a + c) >>> 0;
    c = (c - b) >>> 0; c = (c ^ rol32(b, 8)) >>> 0; b = (b + a) >>> 0;
    a = (a - c) >>> 0; a = (a ^ rol32(c, 16)) >>> 0; c = (c + b) >>> 0;
    b = (b - a) >>> 0; b = (b ^ rol32(a, 19)) >>> 0; a = (a + c) >>> 0;
    c = (c - b) >>> 0; c = (c ^ rol32(b, 4)) >>> 0; b = (b + a) >>> 0;
    length -= 3;
    k += 3;
  }
  if (length === 0) return c;
  if (length === 3) c = (c + words[k + 2]!) >>> 0;
  if (length >= 2) b = (b + words[k + 1]!) >>> 0;
  a = (a + words[k]!) >>> 0;
  c = (c ^ b) >>> 0; c = (c - rol32(b, 14)) >>> 0;
  a = (a ^ c) >>> 0; a = (a - rol32(c, 11)) >>> 0;
  b = (b ^ a) >>> 0; b = (b - rol32(a, 25)) >>> 0;
  c = (c ^ b) >>> 0; c = (c - rol32(b, 16)) >>> 0;
  a = (a ^ c) >>> 0; a = (a - rol32(c, 4)) >>> 0;
  b = (b ^ a) >>> 0; b = (b - rol32(a, 14)) >>> 0;
  c = (c ^ b) >>> 0; c = (c - rol32(b, 24)) >>> 0;
  return c;
}

function roundUpPow2(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export class StackTraceMap extends BpfMap {
  /** Buckets (= possible ids): max_entries rounded up to a power of two. */
  readonly buckets: number;
  private readonly table = new Map<number, Bucket>();

  constructor(registry: MapRegistry, spec: ResolvedSpec, id: number) {
    super(registry, spec, id);
    this.buckets = roundUpPow2(spec.maxEntries);
  }

  protected storageRegions(): Region[] {
    return [];
  }

  /** Whether entries are `struct bpf_stack_build_id` (BPF_F_STACK_BUILD_ID) rather than u64 ips. */
  get buildId(): boolean {
    return (this.flags & MapFlag.STACK_BUILD_ID) !== 0;
  }

  /** Bytes per frame: 8, or 32 for build-id entries. */
  get entrySize(): number {
    return this.buildId ? STACK_BUILD_ID_ENTRY : 8;
  }

  /** Frames a value holds: value_size / entry size (the callchain depth `bpf_get_stackid` asks for). */
  get maxDepth(): number {
    return Math.floor(this.valueSize / this.entrySize);
  }

  /** Stacks stored now (at most max_entries). */
  get size(): number {
    return this.table.size;
  }

  /**
   * `__bpf_get_stackid`: stores `trace` (a callchain, innermost first, already limited
   * to max_depth + skip frames) minus its `skip` innermost frames; returns the id or
   * -errno (EFAULT when nothing is left after skipping, EEXIST on a collision without
   * BPF_F_REUSE_STACKID, ENOMEM when all max_entries records are in use).
   */
  storeStack(trace: readonly bigint[], flags: number): number {
    const skip = flags & StackIdFlag.SKIP_FIELD_MASK;
    if (trace.length <= skip) return -Errno.EFAULT;
    const ips = trace.slice(skip, skip + this.maxDepth);
    const words = new Uint32Array(ips.length * 2);
    ips.forEach((ip, i) => {
      const v = BigInt.asUintN(64, ip);
      words[2 * i] = Number(v & 0xffffffffn);
      words[2 * i + 1] = Number(v >> 32n);
    });
    const hash = jhash2(words);
    const id = hash & (this.buckets - 1);
    const bucket = this.table.get(id);
    const hashMatches = bucket !== undefined && bucket.hash === hash;
    if (hashMatches && (flags & StackIdFlag.FAST_STACK_CMP)) return id;
    const data = this.encode(ips);
    if (hashMatches && sameBytes(bucket.data, data)) return id;
    if (bucket !== undefined && !(flags & StackIdFlag.REUSE_STACKID)) return -Errno.EEXIST;
    // Linux pops a fresh record before it frees the one it replaces, so a full free
    // list fails even a replacement.
    if (this.table.size >= this.maxEntries) return -Errno.ENOMEM;
    this.table.set(id, { hash, data });
    return id;
  }

  /** The frames stored under `id` (ips, innermost first), or undefined. */
  stack(id: number): bigint[] | undefined {
    const b = this.table.get(id);
    if (!b) return undefined;
    const view = new DataView(b.data.buffer, b.data.byteOffset, b.data.byteLength);
    const out: bigint[] = [];
    const off = this.buildId ? 24 : 0;
    for (let at = 0; at < b.data.length; at += this.entrySize) out.push(view.getBigUint64(at + off, true));
    return out;
  }

  /**
   * The bytes of a record. ebee has no build ids: build-id entries say
   * BPF_STACK_BUILD_ID_IP and keep the ip, which is what Linux writes when it cannot
   * resolve one (always, for kernel frames).
   */
  private encode(ips: readonly bigint[]): Uint8Array {
    const size = this.entrySize;
    const out = new Uint8Array(ips.length * size);
    const view = new DataView(out.buffer);
    ips.forEach((ip, i) => {
      if (this.buildId) {
        view.setInt32(i * size, STACK_BUILD_ID_IP, true);
        view.setBigUint64(i * size + 24, BigInt.asUintN(64, ip), true);
      } else {
        view.setBigUint64(i * size, BigInt.asUintN(64, ip), true);
      }
    });
    return out;
  }

  override sysLookup(key: Uint8Array): Uint8Array | number {
    const b = this.table.get(readU32(key));
    if (!b) return -Errno.ENOENT;
    const out = new Uint8Array(this.valueSize);
    out.set(b.data);
    return out;
  }

  override sysUpdate(): number {
    return -Errno.EINVAL;
  }

  override sysDelete(key: Uint8Array): number {
    const id = readU32(key);
    if (id >= this.buckets) return -Errno.E2BIG;
    return this.table.delete(id) ? 0 : -Errno.ENOENT;
  }

  /** Ids in order; a key that is not a stored id restarts from the first. */
  override sysGetNextKey(key: Uint8Array | undefined): Uint8Array | number {
    let id = 0;
    if (key !== undefined) {
      const k = readU32(key);
      if (k < this.buckets && this.table.has(k)) id = k + 1;
    }
    let best = -1;
    for (const stored of this.table.keys()) if (stored >= id && (best < 0 || stored < best)) best = stored;
    return best < 0 ? -Errno.ENOENT : u32(best);
  }
}
