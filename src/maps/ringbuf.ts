/**
 * RINGBUF: Linux's multi-producer, single-consumer ring buffer, laid out in one
 * page-aligned region of the address space:
 *
 *   +0        consumer page: u64 consumer position (the consumer advances it)
 *   +4096     producer page: u64 producer position
 *   +8192     data: 2 × max_entries bytes
 *
 * Linux maps the data pages twice back to back so a record that runs past the end is
 * still contiguous. ebee gives the data area twice the ring's size instead: a record
 * is written contiguously from its header, and at commit the part past the end is
 * copied to the start, so the first `max_entries` bytes hold the ring exactly as
 * Linux's pages do.
 *
 * Each record starts with an 8-byte header: u32 length with BPF_RINGBUF_BUSY_BIT while
 * reserved and BPF_RINGBUF_DISCARD_BIT once discarded, then u32 pg_off, the header's
 * offset in pages from the region's start (how submit/discard find the buffer from a
 * record pointer alone). Records take round_up(len + 8, 8) bytes. A reservation fails
 * (NULL) when flags are non-zero, when it would put the producer max_entries bytes or
 * more ahead of the consumer, or when the record is larger than the ring;
 * `bpf_ringbuf_output` then returns -EAGAIN. Records become visible in reservation
 * order: the consumer stops at the first record still busy.
 */
import type { Region } from '../vm/memory.js';
import { Errno, PAGE_SIZE, RingbufFlag, RingbufHeader, RingbufQuery } from './constants.js';
import { BpfMap } from './base.js';
import { roundUp, smallFlags } from './bytes.js';
import { MapError, MapErrorCode } from './errors.js';
import type { ResolvedSpec } from './spec.js';
import type { MapRegistry } from './registry.js';

const MAX_RECORD_SIZE = 0x3fffffff;
const LEN_MASK = ~(RingbufHeader.BUSY_BIT | RingbufHeader.DISCARD_BIT) >>> 0;

export class RingBufMap extends BpfMap {
  /** Size of the ring (max_entries). */
  readonly size: number;
  readonly consumerPosAddress: number;
  readonly producerPosAddress: number;
  readonly dataAddress: number;
  /** Notifications sent to the consumer (what would wake an epoll waiter). */
  wakeups = 0;
  /** Called on each notification. */
  onWakeup: (() => void) | undefined;
  private readonly region: Region;

  constructor(registry: MapRegistry, spec: ResolvedSpec, id: number) {
    super(registry, spec, id);
    this.size = spec.maxEntries;
    this.region = registry.space.alloc(2 * PAGE_SIZE + 2 * this.size, { name: `ringbuf:${this.label}`, align: PAGE_SIZE });
    this.consumerPosAddress = this.region.start;
    this.producerPosAddress = this.region.start + PAGE_SIZE;
    this.dataAddress = this.region.start + 2 * PAGE_SIZE;
    registry.registerRingbuf(this.region.start, this);
  }

  protected storageRegions(): Region[] {
    return [this.region];
  }

  /** Consumer position (bytes consumed since creation). */
  get consumerPos(): number {
    return this.readPos(this.consumerPosAddress);
  }

  /** Producer position (bytes reserved since creation). */
  get producerPos(): number {
    return this.readPos(this.producerPosAddress);
  }

  /** Bytes reserved and not yet consumed. */
  get availableData(): number {
    return this.producerPos - this.consumerPos;
  }

  private readPos(at: number): number {
    const v = this.space.view;
    return v.getUint32(at, true) + v.getUint32(at + 4, true) * 2 ** 32;
  }

  private writePos(at: number, pos: number): void {
    const v = this.space.view;
    v.setUint32(at, pos % 2 ** 32, true);
    v.setUint32(at + 4, Math.floor(pos / 2 ** 32), true);
  }

  // ---- program face -------------------------------------------------------------------

  /** `bpf_ringbuf_reserve`: address of `size` writable bytes, or 0. */
  reserve(size: number | bigint, flags: number | bigint = 0): number {
    if (smallFlags(flags) !== 0) return 0;
    const n = typeof size === 'bigint' ? (size > BigInt(MAX_RECORD_SIZE) ? -1 : Number(size)) : size;
    if (!(n >= 0 && n <= MAX_RECORD_SIZE) || !Number.isInteger(n)) return 0;
    const len = roundUp(n + RingbufHeader.HDR_SZ, 8);
    if (len > this.size) return 0;
    const prod = this.producerPos;
    if (prod + len - this.consumerPos > this.size - 1) return 0;
    const hdr = this.dataAddress + (prod % this.size);
    const view = this.space.view;
    view.setUint32(hdr, (n | RingbufHeader.BUSY_BIT) >>> 0, true);
    view.setUint32(hdr + 4, (hdr - this.region.start) / PAGE_SIZE >>> 0, true);
    this.writePos(this.producerPosAddress, prod + len);
    return hdr + RingbufHeader.HDR_SZ;
  }

  /** `bpf_ringbuf_submit` for a record of this buffer. */
  submit(recordAddr: number, flags: number | bigint = 0): void {
    this.commit(recordAddr, false, flags);
  }

  /** `bpf_ringbuf_discard` for a record of this buffer. */
  discard(recordAddr: number, flags: number | bigint = 0): void {
    this.commit(recordAddr, true, flags);
  }

  /** `bpf_ringbuf_output`: copies `size` bytes at `dataAddr` into a new record; 0 or -errno. */
  output(dataAddr: number, size: number | bigint, flags: number | bigint = 0): number {
    const f = smallFlags(flags);
    if (f & ~(RingbufFlag.NO_WAKEUP | RingbufFlag.FORCE_WAKEUP)) return -Errno.EINVAL;
    const n = Number(size);
    if (n >= 0 && n <= MAX_RECORD_SIZE) this.checkRange(dataAddr, n);
    const rec = this.reserve(size, 0);
    if (rec === 0) return -Errno.EAGAIN;
    this.space.bytes.copyWithin(rec, dataAddr, dataAddr + n);
    this.commit(rec, false, f);
    return 0;
  }

  /** `bpf_ringbuf_query`. Unknown queries give 0. */
  query(flags: number | bigint): number {
    switch (smallFlags(flags)) {
      case RingbufQuery.AVAIL_DATA: return this.availableData;
      case RingbufQuery.RING_SIZE: return this.size;
      case RingbufQuery.CONS_POS: return this.consumerPos;
      case RingbufQuery.PROD_POS: return this.producerPos;
      default: return 0;
    }
  }

  private commit(recordAddr: number, discard: boolean, flags: number | bigint): void {
    const hdr = recordAddr - RingbufHeader.HDR_SZ;
    const offset = hdr - this.dataAddress;
    if (!(offset >= 0 && offset < this.size && offset % 8 === 0)) {
      throw new MapError(MapErrorCode.BAD_ARGUMENT, Errno.EINVAL,
        `0x${recordAddr.toString(16)} is not a record of this ring buffer`, { map: this.label });
    }
    const view = this.space.view;
    const word = view.getUint32(hdr, true);
    if (!(word & RingbufHeader.BUSY_BIT)) {
      throw new MapError(MapErrorCode.BAD_ARGUMENT, Errno.EINVAL,
        `record at 0x${recordAddr.toString(16)} was already submitted or discarded`, { map: this.label });
    }
    const end = offset + roundUp((word & LEN_MASK) + RingbufHeader.HDR_SZ, 8);
    if (end > this.size) {
      this.space.bytes.copyWithin(this.dataAddress, this.dataAddress + this.size, this.dataAddress + end);
    }
    view.setUint32(hdr, ((word & LEN_MASK) | (discard ? RingbufHeader.DISCARD_BIT : 0)) >>> 0, true);
    const f = smallFlags(flags);
    if (f & RingbufFlag.FORCE_WAKEUP) this.wake();
    else if (!(f & RingbufFlag.NO_WAKEUP) && this.consumerPos % this.size === offset) this.wake();
  }

  private wake(): void {
    this.wakeups++;
    this.onWakeup?.();
  }

  // ---- user face: the consumer --------------------------------------------------------

  /**
   * Consumes committed records in order, up to `limit`, skipping discarded ones and
   * stopping at the first record still reserved; advances the consumer position past
   * each record as libbpf's consumer does. Returns copies of the records' data.
   */
  consume(limit = Infinity): Uint8Array[] {
    const out: Uint8Array[] = [];
    const view = this.space.view;
    let cons = this.consumerPos;
    const prod = this.producerPos;
    while (cons < prod && out.length < limit) {
      const hdr = this.dataAddress + (cons % this.size);
      const word = view.getUint32(hdr, true);
      if (word & RingbufHeader.BUSY_BIT) break;
      const len = word & LEN_MASK;
      if (!(word & RingbufHeader.DISCARD_BIT)) {
        out.push(this.space.bytes.slice(hdr + RingbufHeader.HDR_SZ, hdr + RingbufHeader.HDR_SZ + len));
      }
      cons += roundUp(len + RingbufHeader.HDR_SZ, 8);
      this.writePos(this.consumerPosAddress, cons);
    }
    return out;
  }

  override sysLookup(_key: Uint8Array): Uint8Array | number {
    return -Errno.ENOTSUPP;
  }
}

/** The ring buffer a record pointer belongs to, found through its header's pg_off (as Linux does). */
export function ringbufOfRecord(registry: MapRegistry, recordAddr: number): RingBufMap | undefined {
  const hdr = recordAddr - RingbufHeader.HDR_SZ;
  if (!(hdr >= 0) || hdr + RingbufHeader.HDR_SZ > registry.space.byteLength) return undefined;
  const pgOff = registry.space.view.getUint32(hdr + 4, true);
  const start = (Math.floor(hdr / PAGE_SIZE) - pgOff) * PAGE_SIZE;
  const map = registry.ringbufAt(start);
  return map instanceof RingBufMap ? map : undefined;
}

/** `bpf_ringbuf_submit` / `bpf_ringbuf_discard` given only the record pointer. */
export function ringbufCommit(registry: MapRegistry, recordAddr: number, discard: boolean, flags: number | bigint = 0): void {
  const rb = ringbufOfRecord(registry, recordAddr);
  if (!rb) {
    throw new MapError(MapErrorCode.BAD_ARGUMENT, Errno.EINVAL, `0x${recordAddr.toString(16)} is not a ring buffer record`);
  }
  if (discard) rb.discard(recordAddr, flags);
  else rb.submit(recordAddr, flags);
}
