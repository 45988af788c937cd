/**
 * PERF_EVENT_ARRAY and the perf event buffers its slots refer to.
 *
 * In Linux each slot holds a perf event (opened with perf_event_open on one CPU, type
 * SOFTWARE, config BPF_OUTPUT) whose mmap()ed ring the consumer reads. ebee models the
 * event as a `PerfEventBuffer`: a registry object with an fd-like id, the CPU it is
 * bound to, and a capacity in bytes (default 8 pages, a common perf_buffer size). Each
 * sample takes Linux's space: an 8-byte perf_event_header, a u32 size, and the data
 * padded so size + data is a multiple of 8.
 *
 * `bpf_perf_event_output` (`perfEventOutput`): flags are an index (or
 * BPF_F_CURRENT_CPU) plus, for skb/xdp programs, a count of context bytes to append;
 * other bits are EINVAL; an index past the end is E2BIG; an empty slot ENOENT; an event
 * bound to another CPU than the current one EOPNOTSUPP; a full buffer drops the sample,
 * counts it as lost and returns ENOSPC.
 */
import { Errno, PAGE_SIZE, PerfFlag, UpdateFlag } from './constants.js';
import { FdArrayMap } from './fd-array.js';
import { flagWord, roundUp } from './bytes.js';
import { MapError, MapErrorCode } from './errors.js';
import type { MapRegistry, RegistryObject } from './registry.js';

/** One sample as a consumer (libbpf's perf_buffer) receives it. */
export interface PerfSample {
  /** The CPU whose buffer held it. */
  readonly cpu: number;
  /** The bytes the program wrote (plus appended context bytes). */
  readonly data: Uint8Array;
  /** The raw size perf reports: data padded so that 4 + size is a multiple of 8. */
  readonly rawSize: number;
}

/** A perf event of type BPF_OUTPUT bound to one CPU, with its ring. */
export class PerfEventBuffer implements RegistryObject {
  readonly kind = 'perf-event';
  /** Samples dropped because the buffer was full. */
  lost = 0;
  private readonly samples: PerfSample[] = [];
  private used = 0;

  constructor(readonly id: number, readonly cpu: number, readonly capacity: number) {}

  /** Bytes a sample of `size` data bytes takes in the ring. */
  static recordSize(size: number): number {
    return 8 + roundUp(4 + size, 8);
  }

  /** Appends a sample; false (counted as lost) when it does not fit. */
  write(data: Uint8Array): boolean {
    const need = PerfEventBuffer.recordSize(data.length);
    if (this.used + need > this.capacity) {
      this.lost++;
      return false;
    }
    this.used += need;
    this.samples.push({ cpu: this.cpu, data, rawSize: roundUp(4 + data.length, 8) - 4 });
    return true;
  }

  /** Removes and returns the samples in order. */
  read(): PerfSample[] {
    const out = this.samples.splice(0);
    this.used = 0;
    return out;
  }

  /** Samples waiting. */
  get pending(): number {
    return this.samples.length;
  }
}

export interface PerfOpenOptions {
  /** CPU the event is bound to (default: the slot index). */
  readonly cpu?: number;
  /** Ring capacity in bytes (default 8 pages). */
  readonly capacity?: number;
}

export class PerfEventArray extends FdArrayMap {
  protected override readonly sysReadable = false;

  protected resolveFd(fd: number): number {
    const kind = this.registry.kindOf(fd);
    if (kind === undefined) return -Errno.EBADF;
    return kind === 'perf-event' ? fd : -Errno.EINVAL;
  }

  protected alive(id: number): boolean {
    return this.registry.object(id, 'perf-event') !== undefined;
  }

  /** The event in slot `index`. */
  event(index: number): PerfEventBuffer | undefined {
    const id = this.idAt(index);
    return id === 0 ? undefined : this.registry.object<PerfEventBuffer>(id, 'perf-event');
  }

  /** Opens a perf event (perf_event_open) and stores it in slot `index`. */
  open(index: number, options: PerfOpenOptions = {}): PerfEventBuffer {
    const cpu = options.cpu ?? index;
    if (!Number.isInteger(cpu) || cpu < 0 || cpu >= this.cpus) {
      throw new MapError(MapErrorCode.BAD_ARGUMENT, Errno.EINVAL, `CPU ${cpu} does not exist`, { map: this.label });
    }
    const ev = createPerfEvent(this.registry, cpu, options.capacity);
    this.update(index, ev.id, UpdateFlag.ANY);
    return ev;
  }

  /** Opens one event per CPU in slots 0..min(CPUs, max_entries)-1, as libbpf's perf_buffer__new does. */
  openAll(options: { capacity?: number } = {}): PerfEventBuffer[] {
    const out: PerfEventBuffer[] = [];
    for (let cpu = 0; cpu < Math.min(this.cpus, this.maxEntries); cpu++) out.push(this.open(cpu, { cpu, ...options }));
    return out;
  }

  /** `bpf_perf_event_output` with the data at `dataAddr`; `context` supplies appended context bytes. 0 or -errno. */
  perfEventOutput(dataAddr: number, size: number | bigint, flags: number | bigint, context?: Uint8Array): number {
    const { lo, hi } = flagWord(flags);
    const ctxLen = hi & PerfFlag.CTXLEN_BITS;
    if (hi & ~PerfFlag.CTXLEN_BITS) return -Errno.EINVAL;
    if (ctxLen > 0 && (context === undefined || ctxLen > context.length)) return -Errno.EFAULT;
    const cpu = this.registry.currentCpu;
    const index = lo === PerfFlag.CURRENT_CPU ? cpu : lo;
    if (index >= this.maxEntries) return -Errno.E2BIG;
    const ev = this.event(index);
    if (!ev) return -Errno.ENOENT;
    if (ev.cpu !== cpu) return -Errno.EOPNOTSUPP;
    const n = Number(size);
    if (!(Number.isInteger(n) && n >= 0)) return -Errno.EFAULT;
    this.checkRange(dataAddr, n);
    const data = new Uint8Array(n + ctxLen);
    data.set(this.space.bytes.subarray(dataAddr, dataAddr + n));
    if (ctxLen > 0) data.set(context!.subarray(0, ctxLen), n);
    return ev.write(data) ? 0 : -Errno.ENOSPC;
  }

  /** Reads every event's samples, CPU by CPU (slot order), as a perf_buffer poll does. */
  poll(): PerfSample[] {
    const out: PerfSample[] = [];
    for (let i = 0; i < this.maxEntries; i++) out.push(...(this.event(i)?.read() ?? []));
    return out;
  }

  /** Samples lost to full buffers, over all events of the array. */
  get lost(): number {
    let n = 0;
    for (let i = 0; i < this.maxEntries; i++) n += this.event(i)?.lost ?? 0;
    return n;
  }
}

/** Opens a perf event bound to `cpu` and registers it (its `id` is the fd to store in a PERF_EVENT_ARRAY). */
export function createPerfEvent(registry: MapRegistry, cpu: number, capacity = 8 * PAGE_SIZE): PerfEventBuffer {
  return registry.registerObject((id) => new PerfEventBuffer(id, cpu, capacity));
}
