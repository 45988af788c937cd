/**
 * BLOOM_FILTER: a bit array in the address space. push sets k bits for a value, peek
 * answers 0 ("probably present") or -ENOENT ("definitely absent"). k is map_extra's
 * low 4 bits (1..15, 0 meaning 5); values cannot be deleted.
 *
 * Size, as Linux chooses it: max_entries × k / ln 2 bits (7/5 standing in for 1/ln 2),
 * rounded up to a power of two, at least 64. ebee caps the array at 2^30 bits
 * (128 MiB; Linux's cap is 2^32 bits).
 *
 * Hash: bit i of a value is `hash32(value, seed = i) mod bits` for i in 0..k-1
 * (MurmurHash3 x86_32; Linux uses jhash with a random seed plus i), so which values
 * collide differs from Linux, but never the guarantee: no false negatives.
 *
 * The syscall side maps update to push and lookup to peek, and for peek the value is
 * the input: use `push(value)` and `has(value)`.
 */
import type { Region } from '../vm/memory.js';
import { Errno, MapFlag, UpdateFlag } from './constants.js';
import { BpfMap } from './base.js';
import { hash32, roundUpPow2, smallFlags, toBytes, type BytesLike } from './bytes.js';
import { MapError, MapErrorCode } from './errors.js';
import type { ResolvedSpec } from './spec.js';
import type { MapRegistry } from './registry.js';

const MAX_BITS = 2 ** 30;

export class BloomFilterMap extends BpfMap {
  /** Number of hash functions. */
  readonly hashCount: number;
  /** Bits in the array (a power of two). */
  readonly bitCount: number;
  private readonly region: Region;

  constructor(registry: MapRegistry, spec: ResolvedSpec, id: number) {
    super(registry, spec, id);
    this.hashCount = spec.hashCount;
    let bits = Math.floor(spec.maxEntries * spec.hashCount / 5) * 7;
    bits = bits > MAX_BITS ? MAX_BITS : bits <= 64 ? 64 : roundUpPow2(bits);
    this.bitCount = bits;
    this.region = registry.space.alloc(bits / 8, { name: `map:${this.label}`, writable: false });
  }

  protected storageRegions(): Region[] {
    return [this.region];
  }

  private add(src: Uint8Array, offset: number): void {
    const bytes = this.space.bytes;
    for (let i = 0; i < this.hashCount; i++) {
      const bit = hash32(src, offset, this.valueSize, i) & (this.bitCount - 1);
      bytes[this.region.start + (bit >>> 3)] |= 1 << (bit & 7);
    }
  }

  private test(src: Uint8Array, offset: number): boolean {
    const bytes = this.space.bytes;
    for (let i = 0; i < this.hashCount; i++) {
      const bit = hash32(src, offset, this.valueSize, i) & (this.bitCount - 1);
      if (!(bytes[this.region.start + (bit >>> 3)]! & (1 << (bit & 7)))) return false;
    }
    return true;
  }

  // ---- program face -------------------------------------------------------------------

  override pushElem(valueAddr: number, flags: number | bigint): number {
    if (this.flags & MapFlag.RDONLY_PROG) return -Errno.EPERM;
    if (smallFlags(flags) !== UpdateFlag.ANY) return -Errno.EINVAL;
    this.checkRange(valueAddr, this.valueSize);
    this.add(this.space.bytes, valueAddr);
    return 0;
  }

  override peekElem(valueAddr: number): number {
    this.checkRange(valueAddr, this.valueSize);
    return this.test(this.space.bytes, valueAddr) ? 0 : -Errno.ENOENT;
  }

  override updateElem(_keyAddr: number, _valueAddr: number, _flags: number | bigint): number {
    return -Errno.EINVAL;
  }

  // ---- syscall face -------------------------------------------------------------------

  /** Bloom filters have no lookup by key: `has(value)` is the syscall's peek. */
  override lookup(_key?: BytesLike | null, _flags = 0): Uint8Array | undefined {
    throw new MapError(MapErrorCode.BAD_ARGUMENT, Errno.EINVAL,
      'a bloom filter lookup takes the value to test: use has(value)', { map: this.label });
  }

  override sysLookup(_key: Uint8Array): Uint8Array | number {
    return -Errno.EINVAL;
  }

  override sysUpdate(_key: Uint8Array, value: Uint8Array, flags: number): number {
    if (flags !== UpdateFlag.ANY) return -Errno.EINVAL;
    this.add(value, 0);
    return 0;
  }

  override sysDelete(_key: Uint8Array): number {
    return -Errno.EOPNOTSUPP;
  }

  override sysGetNextKey(_key: Uint8Array | undefined): Uint8Array | number {
    return -Errno.EOPNOTSUPP;
  }

  /** Syscall side: adds a value. */
  push(value: BytesLike, flags = 0): void {
    this.update(undefined, value, flags);
  }

  /** Syscall side (lookup = peek): true if the value is probably present, false if certainly absent. */
  has(value: BytesLike): boolean {
    this.checkAccess(true, false);
    return this.test(toBytes(value, this.valueSize, 'value', this.label), 0);
  }
}
