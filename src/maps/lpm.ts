/**
 * LPM_TRIE: longest-prefix match over keys `{ u32 prefixlen; u8 data[] }`, data in
 * network order (data[0] most significant), max_prefixlen = 8 × (key_size - 4).
 *
 * - Lookup (program and syscall alike, as in Linux) returns the entry with the longest
 *   prefix p <= key.prefixlen whose first p bits equal the key's: a /32 lookup of
 *   10.1.2.3 finds 10.1.2.0/24 before 10.0.0.0/8, a /0 entry matches everything, and
 *   a lookup whose prefixlen is past max_prefixlen finds nothing.
 * - Update: prefixlen past the maximum is EINVAL; BPF_NOEXIST / BPF_EXIST are honoured
 *   (Linux 6.13+; older kernels ignored them); a new entry in a full trie is ENOSPC.
 * - Delete needs the exact prefix (ENOENT otherwise).
 * - getNextKey walks entries in post-order, child 0 before child 1 before the parent,
 *   so more specific prefixes come before less specific ones; a key that is not an
 *   entry restarts from the first.
 *
 * The trie is a plain binary trie of bit nodes (Linux compresses paths; the order of
 * entries is the same). Entries (stored key, then value) live in on-demand pool slots;
 * an update rewrites the value in place and keeps the key bytes last written.
 * Batches are Linux's generic ones (lookup, update, delete; the cursor is a key).
 */
import type { Region } from '../vm/memory.js';
import { Errno, MapFlag, UpdateFlag } from './constants.js';
import { BpfMap, type BatchSupport } from './base.js';
import { readU32, roundUp, smallFlags } from './bytes.js';
import { POOL_FULL, SlotPool } from './pool.js';
import type { ResolvedSpec } from './spec.js';
import type { MapRegistry } from './registry.js';

interface TrieNode {
  c0: TrieNode | null;
  c1: TrieNode | null;
  /** The entry's pool slot, or -1 for a node on the way to longer prefixes. */
  slot: number;
}

function bitAt(data: Uint8Array, offset: number, index: number): number {
  return (data[offset + (index >> 3)]! >> (7 - (index & 7))) & 1;
}

export class LpmTrieMap extends BpfMap {
  readonly maxPrefixlen: number;
  private readonly pool: SlotPool;
  private readonly valueOffset: number;
  private root: TrieNode | null = null;
  protected override readonly batchSupport: BatchSupport = { lookup: true, lookupAndDelete: false, update: true, delete: true };

  constructor(registry: MapRegistry, spec: ResolvedSpec, id: number) {
    super(registry, spec, id);
    this.maxPrefixlen = (spec.keySize - 4) * 8;
    this.valueOffset = roundUp(spec.keySize, 8);
    this.pool = new SlotPool(registry.space, {
      slotSize: this.valueOffset + roundUp(spec.valueSize, 8), capacity: spec.maxEntries, prealloc: false,
      name: `map:${this.label}`, writable: (spec.flags & MapFlag.RDONLY_PROG) === 0,
    });
  }

  /** Entries in the trie. */
  get count(): number {
    return this.pool.used;
  }

  protected storageRegions(): Region[] {
    return this.pool.regions();
  }

  // ---- program face -------------------------------------------------------------------

  override lookupAddress(keyAddr: number): number {
    const slot = this.longestMatch(this.readAt(keyAddr, this.keySize));
    return slot < 0 ? 0 : this.pool.address(slot) + this.valueOffset;
  }

  override updateElem(keyAddr: number, valueAddr: number, flags: number | bigint): number {
    if (this.flags & MapFlag.RDONLY_PROG) return -Errno.EPERM;
    return this.insert(this.readAt(keyAddr, this.keySize), this.readAt(valueAddr, this.valueSize), smallFlags(flags));
  }

  override deleteElem(keyAddr: number): number {
    if (this.flags & MapFlag.RDONLY_PROG) return -Errno.EPERM;
    return this.remove(this.readAt(keyAddr, this.keySize));
  }

  // ---- syscall face -------------------------------------------------------------------

  override sysLookup(key: Uint8Array): Uint8Array | number {
    const slot = this.longestMatch(key);
    if (slot < 0) return -Errno.ENOENT;
    const at = this.pool.address(slot) + this.valueOffset;
    return this.space.bytes.slice(at, at + this.valueSize);
  }

  override sysUpdate(key: Uint8Array, value: Uint8Array, flags: number): number {
    return this.insert(key, value, flags);
  }

  override sysDelete(key: Uint8Array): number {
    return this.remove(key);
  }

  override sysGetNextKey(key: Uint8Array | undefined): Uint8Array | number {
    if (!this.root) return -Errno.ENOENT;
    const path = key === undefined || readU32(key) > this.maxPrefixlen ? undefined : this.exactPath(key);
    const node = path?.[path.length - 1];
    if (!path || !node || node.slot < 0) return this.entryKey(this.firstPostorder(this.root));
    // Post-order successor: climb until a parent has an unvisited child 1 or is itself an entry.
    let child = node;
    for (let i = path.length - 2; i >= 0; i--) {
      const parent = path[i]!;
      if (parent.c0 === child && parent.c1) return this.entryKey(this.firstPostorder(parent.c1));
      if (parent.slot >= 0) return this.entryKey(parent);
      child = parent;
    }
    return -Errno.ENOENT;
  }

  // ---- the trie -----------------------------------------------------------------------

  private entryKey(node: TrieNode): Uint8Array {
    const at = this.pool.address(node.slot);
    return this.space.bytes.slice(at, at + this.keySize);
  }

  /** The deepest-leftmost node under `node`: the first in post-order (always an entry). */
  private firstPostorder(node: TrieNode): TrieNode {
    let n = node;
    while (n.c0 || n.c1) n = (n.c0 ?? n.c1)!;
    return n;
  }

  private longestMatch(key: Uint8Array): number {
    const prefixlen = readU32(key);
    if (prefixlen > this.maxPrefixlen || !this.root) return -1;
    let node: TrieNode | null = this.root;
    let best = node.slot;
    for (let d = 0; d < prefixlen; d++) {
      node = bitAt(key, 4, d) ? node.c1 : node.c0;
      if (!node) break;
      if (node.slot >= 0) best = node.slot;
    }
    return best;
  }

  /** Nodes from the root to the node of exactly this prefix (the last may be missing). */
  private exactPath(key: Uint8Array): TrieNode[] | undefined {
    const prefixlen = readU32(key);
    if (!this.root) return undefined;
    const path: TrieNode[] = [this.root];
    let node: TrieNode | null = this.root;
    for (let d = 0; d < prefixlen; d++) {
      node = bitAt(key, 4, d) ? node.c1 : node.c0;
      if (!node) return undefined;
      path.push(node);
    }
    return path;
  }

  private insert(key: Uint8Array, value: Uint8Array, flags: number): number {
    if (flags > UpdateFlag.EXIST) return -Errno.EINVAL;
    const prefixlen = readU32(key);
    if (prefixlen > this.maxPrefixlen) return -Errno.EINVAL;
    const existing = this.exactPath(key)?.[prefixlen];
    if (existing && existing.slot >= 0) {
      if (flags === UpdateFlag.NOEXIST) return -Errno.EEXIST;
      this.writeEntry(existing.slot, key, value);
      return 0;
    }
    if (flags === UpdateFlag.EXIST) return -Errno.ENOENT;
    const slot = this.pool.alloc();
    if (slot < 0) return slot === POOL_FULL ? -Errno.ENOSPC : -Errno.ENOMEM;
    this.root ??= { c0: null, c1: null, slot: -1 };
    let node = this.root;
    for (let d = 0; d < prefixlen; d++) {
      if (bitAt(key, 4, d)) node = node.c1 ??= { c0: null, c1: null, slot: -1 };
      else node = node.c0 ??= { c0: null, c1: null, slot: -1 };
    }
    node.slot = slot;
    this.writeEntry(slot, key, value);
    return 0;
  }

  private writeEntry(slot: number, key: Uint8Array, value: Uint8Array): void {
    const at = this.pool.address(slot);
    const bytes = this.space.bytes;
    bytes.set(key, at);
    bytes.set(value.subarray(0, this.valueSize), at + this.valueOffset);
  }

  private remove(key: Uint8Array): number {
    if (readU32(key) > this.maxPrefixlen) return -Errno.EINVAL;
    const path = this.exactPath(key);
    const node = path?.[path.length - 1];
    if (!path || !node || node.slot < 0) return -Errno.ENOENT;
    this.pool.release(node.slot);
    node.slot = -1;
    // Prune nodes that lead to no entry, so every leaf is an entry.
    for (let i = path.length - 1; i >= 1; i--) {
      const n = path[i]!;
      if (n.slot >= 0 || n.c0 || n.c1) break;
      const parent = path[i - 1]!;
      if (parent.c0 === n) parent.c0 = null;
      else parent.c1 = null;
    }
    const root = this.root!;
    if (root.slot < 0 && !root.c0 && !root.c1) this.root = null;
    return 0;
  }
}
