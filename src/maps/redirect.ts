/**
 * Redirect targets for `bpf_redirect_map`: DEVMAP (array of net devices), CPUMAP
 * (array of CPUs) and XSKMAP (array of AF_XDP sockets); DEVMAP_HASH is in
 * the end of this file. ebee has no net devices or sockets: a device entry accepts any
 * non-zero ifindex and an XSK entry any socket number; what a redirect does with the
 * packet is the runtime's business. `redirectMap` returns the XDP action and the
 * target(s) the runtime should deliver to.
 *
 * Values: DEVMAP `struct bpf_devmap_val { u32 ifindex; s32 prog_fd / u32 prog_id }`
 * (value size 4 = ifindex only), CPUMAP `struct bpf_cpumap_val { u32 qsize; prog }`,
 * XSKMAP a u32 socket. Programs may look up DEVMAP and XSKMAP entries (read-only);
 * only the syscall side changes entries.
 */
import type { Region } from '../vm/memory.js';
import { Errno, MapType, RedirectFlag, UpdateFlag, XdpAction } from './constants.js';
import { BpfMap, NO_BATCH, type BatchSupport } from './base.js';
import { flagWord, readU32, u32 } from './bytes.js';
import { HashMap } from './hash.js';
import type { ResolvedSpec } from './spec.js';
import type { MapRegistry } from './registry.js';

/** Where `bpf_redirect_map` sends a packet. */
export interface RedirectTarget {
  readonly map: BpfMap;
  readonly key: number;
  readonly kind: 'dev' | 'cpu' | 'xsk';
  /** DEVMAP / DEVMAP_HASH: the device. */
  readonly ifindex?: number;
  /** CPUMAP: the CPU (the key). */
  readonly cpu?: number;
  /** CPUMAP: queue size. */
  readonly qsize?: number;
  /** XSKMAP: the socket. */
  readonly socket?: number;
  /** DEVMAP / CPUMAP: the program id to run on the target, 0 for none. */
  readonly programId?: number;
}

/** What `bpf_redirect_map` returns and where the packet goes. */
export interface RedirectResult {
  /** XDP_REDIRECT, or the action in the flags' low two bits when the lookup fails, or XDP_ABORTED for bad flags. */
  readonly action: number;
  readonly targets: RedirectTarget[];
}

/** Maps `bpf_redirect_map` can use. */
export interface RedirectMap {
  redirectMap(key: number, flags: number | bigint, ingressIfindex?: number): RedirectResult;
}

const CPUMAP_MAX_QSIZE = 16384;

/**
 * Linux's `__bpf_xdp_redirect_map`: bad flags abort; BPF_F_BROADCAST (device maps)
 * always redirects, to every entry except the ingress device with
 * BPF_F_EXCLUDE_INGRESS; otherwise a missing key gives the fallback action.
 */
export function redirectVia(
  flags: number | bigint, broadcastAllowed: boolean, lookup: () => RedirectTarget | undefined,
  all: () => RedirectTarget[], ingressIfindex: number,
): RedirectResult {
  const { lo, hi } = flagWord(flags);
  const allowed = RedirectFlag.ACTION_MASK | (broadcastAllowed ? RedirectFlag.BROADCAST | RedirectFlag.EXCLUDE_INGRESS : 0);
  if (hi !== 0 || (lo & ~allowed)) return { action: XdpAction.ABORTED, targets: [] };
  if (lo & RedirectFlag.BROADCAST) {
    const exclude = (lo & RedirectFlag.EXCLUDE_INGRESS) !== 0;
    return { action: XdpAction.REDIRECT, targets: all().filter((t) => !exclude || t.ifindex !== ingressIfindex) };
  }
  const target = lookup();
  return target ? { action: XdpAction.REDIRECT, targets: [target] } : { action: lo & RedirectFlag.ACTION_MASK, targets: [] };
}

/** The program id a devmap/cpumap value's fd field names, 0 for none, or -errno. */
export function valueProgram(registry: MapRegistry, value: Uint8Array, valueSize: number): number {
  if (valueSize < 8) return 0;
  const fd = new DataView(value.buffer, value.byteOffset, value.byteLength).getInt32(4, true);
  if (fd <= 0) return 0;
  const kind = registry.kindOf(fd);
  if (kind === undefined) return -Errno.EBADF;
  return kind === 'program' ? fd : -Errno.EINVAL;
}

export class RedirectArrayMap extends BpfMap implements RedirectMap {
  readonly kind: 'dev' | 'cpu' | 'xsk';
  private readonly present: Uint8Array;
  private readonly region: Region;

  constructor(registry: MapRegistry, spec: ResolvedSpec, id: number) {
    super(registry, spec, id);
    this.kind = spec.type === MapType.DEVMAP ? 'dev' : spec.type === MapType.CPUMAP ? 'cpu' : 'xsk';
    this.present = new Uint8Array(spec.maxEntries);
    this.region = registry.space.alloc(spec.maxEntries * spec.valueSize, { name: `map:${this.label}`, writable: false });
  }

  protected storageRegions(): Region[] {
    return [this.region];
  }

  private slotAddress(index: number): number {
    return this.region.start + index * this.valueSize;
  }

  /** The entry at `index` as a redirect target. */
  target(index: number): RedirectTarget | undefined {
    if (!(index >= 0 && index < this.maxEntries) || !this.present[index]) return undefined;
    const v = this.space.view;
    const at = this.slotAddress(index);
    const prog = this.valueSize >= 8 ? v.getUint32(at + 4, true) : 0;
    if (this.kind === 'dev') return { map: this, key: index, kind: 'dev', ifindex: v.getUint32(at, true), programId: prog };
    if (this.kind === 'cpu') return { map: this, key: index, kind: 'cpu', cpu: index, qsize: v.getUint32(at, true), programId: prog };
    return { map: this, key: index, kind: 'xsk', socket: v.getUint32(at, true) };
  }

  redirectMap(key: number, flags: number | bigint, ingressIfindex = 0): RedirectResult {
    const all = (): RedirectTarget[] => {
      const out: RedirectTarget[] = [];
      for (let i = 0; i < this.maxEntries; i++) { const t = this.target(i); if (t) out.push(t); }
      return out;
    };
    return redirectVia(flags, this.kind === 'dev', () => this.target(key), all, ingressIfindex);
  }

  // ---- program face -------------------------------------------------------------------

  override lookupAddress(keyAddr: number): number {
    if (this.kind === 'cpu') return 0;
    this.checkRange(keyAddr, 4);
    const index = this.space.view.getUint32(keyAddr, true);
    return index < this.maxEntries && this.present[index] ? this.slotAddress(index) : 0;
  }

  // ---- syscall face -------------------------------------------------------------------

  override sysLookup(key: Uint8Array): Uint8Array | number {
    if (this.kind === 'xsk') return -Errno.EOPNOTSUPP;
    const index = readU32(key);
    if (index >= this.maxEntries || !this.present[index]) return -Errno.ENOENT;
    const at = this.slotAddress(index);
    return this.space.bytes.slice(at, at + this.valueSize);
  }

  override sysUpdate(key: Uint8Array, value: Uint8Array, flags: number): number {
    const index = readU32(key);
    if (flags > UpdateFlag.EXIST) return -Errno.EINVAL;
    if (index >= this.maxEntries) return -Errno.E2BIG;
    let stored: Uint8Array | undefined = value.slice();
    if (this.kind === 'xsk') {
      if (this.present[index] && flags === UpdateFlag.NOEXIST) return -Errno.EEXIST;
      if (!this.present[index] && flags === UpdateFlag.EXIST) return -Errno.ENOENT;
    } else {
      if (flags === UpdateFlag.NOEXIST) return -Errno.EEXIST;
      const first = readU32(value);
      if (this.kind === 'cpu') {
        if (first > CPUMAP_MAX_QSIZE) return -Errno.EOVERFLOW;
        if (index >= this.cpus) return -Errno.ENODEV;
      }
      const prog = valueProgram(this.registry, value, this.valueSize);
      if (first === 0) {
        // ifindex 0 / qsize 0 clears the entry; a device entry may not name a program then.
        if (this.kind === 'dev' && prog !== 0) return -Errno.EINVAL;
        stored = undefined;
      } else if (prog < 0) {
        return this.kind === 'cpu' ? -Errno.ENOMEM : prog;
      } else if (this.valueSize >= 8) {
        stored.set(u32(prog), 4);
      }
    }
    if (stored) {
      this.space.bytes.set(stored, this.slotAddress(index));
      this.present[index] = 1;
    } else {
      this.clear(index);
    }
    return 0;
  }

  override sysDelete(key: Uint8Array): number {
    const index = readU32(key);
    if (index >= this.maxEntries) return -Errno.EINVAL;
    this.clear(index);
    return 0;
  }

  override sysGetNextKey(key: Uint8Array | undefined): Uint8Array | number {
    const index = key === undefined ? this.maxEntries : readU32(key);
    if (index >= this.maxEntries) return u32(0);
    if (index === this.maxEntries - 1) return -Errno.ENOENT;
    return u32(index + 1);
  }

  private clear(index: number): void {
    this.present[index] = 0;
    const at = this.slotAddress(index);
    this.space.bytes.fill(0, at, at + this.valueSize);
  }
}

/**
 * DEVMAP_HASH: net devices under arbitrary u32 keys, for `bpf_redirect_map`. A hash
 * table (hash.ts) with Linux's devmap rules: the value is `struct bpf_devmap_val`
 * (ifindex, then optionally a program fd, read back as its id); ifindex 0 is EINVAL
 * (no such device); BPF_NOEXIST on an existing key is EEXIST, but BPF_EXIST on a
 * missing key creates it (Linux's `__dev_map_hash_update_elem` does not check it); a
 * full map is E2BIG. Programs may look entries up (read-only) and redirect to them.
 */
export class DevmapHash extends HashMap implements RedirectMap {
  protected override readonly batchSupport: BatchSupport = NO_BATCH;

  protected override programWritable(): boolean {
    return false;
  }

  protected override checkFlags(exists: boolean, flags: number): number {
    return exists && flags === UpdateFlag.NOEXIST ? -Errno.EEXIST : 0;
  }

  protected override encodeUserValue(value: Uint8Array): Uint8Array | number {
    if (readU32(value) === 0) return -Errno.EINVAL;
    const prog = valueProgram(this.registry, value, this.valueSize);
    if (prog < 0) return prog;
    const stored = value.slice();
    if (this.valueSize >= 8) stored.set(u32(prog), 4);
    return stored;
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

  private targetAt(slot: number): RedirectTarget {
    const at = this.table.valueAddress(slot);
    const v = this.space.view;
    return {
      map: this, key: v.getUint32(this.table.keyAddress(slot), true), kind: 'dev',
      ifindex: v.getUint32(at, true), programId: this.valueSize >= 8 ? v.getUint32(at + 4, true) : 0,
    };
  }

  /** The entry under `key` as a redirect target. */
  target(key: number): RedirectTarget | undefined {
    const slot = this.table.find(u32(key));
    return slot < 0 ? undefined : this.targetAt(slot);
  }

  redirectMap(key: number, flags: number | bigint, ingressIfindex = 0): RedirectResult {
    const all = (): RedirectTarget[] => {
      const out: RedirectTarget[] = [];
      for (let s = this.table.firstFrom(0); s >= 0; s = this.table.after(s)) out.push(this.targetAt(s));
      return out;
    };
    return redirectVia(flags, true, () => this.target(key), all, ingressIfindex);
  }
}
