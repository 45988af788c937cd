/**
 * Output to user space: bpf_perf_event_output into a PERF_EVENT_ARRAY's perf buffers
 * (each sample is also recorded in `env.events`, in order, so a test run can list
 * them without opening consumers), and the ring buffer helpers, whose records stay in
 * the RINGBUF map for the consumer (`RingBufMap.consume`).
 */
import { PerfEventArray, RingBufMap, ringbufCommit, type BpfMap } from '../maps/index.js';
import { readable, sizeArg } from './access.js';
import { HelperError, HelperErrorCode } from './errors.js';
import { mapArg, type ImplTable } from './impl.js';
import type { HelperEnv } from './env.js';

function ringbuf(env: HelperEnv, map: bigint, helper: string): RingBufMap {
  const m = mapArg(env, map, helper);
  if (!(m instanceof RingBufMap)) throw wrongType(m, helper, 'RINGBUF');
  return m;
}

function wrongType(m: BpfMap, helper: string, want: string): HelperError {
  return new HelperError(HelperErrorCode.BAD_ARGUMENT, `bpf_${helper}: map ${m.label} is not a ${want} map`);
}

/** The record pointer of submit/discard: must fit in 32 bits to be an address at all. */
function recordArg(value: bigint, helper: string): number {
  const v = BigInt.asUintN(64, value);
  if (v >= 0x100000000n) throw new HelperError(HelperErrorCode.BAD_ARGUMENT, `bpf_${helper}: 0x${v.toString(16)} is not a ring buffer record`);
  return Number(v);
}

export const EVENT_IMPLS: ImplTable = {
  perf_event_output(env, ctx, _ctxArg, map, flags, data, size) {
    const m = mapArg(env, map, 'perf_event_output');
    if (!(m instanceof PerfEventArray)) throw wrongType(m, 'perf_event_output', 'PERF_EVENT_ARRAY');
    const n = sizeArg(size, 'bpf_perf_event_output size');
    const at = readable(ctx, data, n);
    // skb and XDP programs may append packet bytes (the count in flags bits 32-51).
    const packet = env.packet?.bytes();
    const result = m.perfEventOutput(at, n, flags, packet);
    if (result === 0) {
      const f = BigInt.asUintN(64, flags);
      const lo = Number(f & 0xffffffffn);
      const ctxLen = Number((f >> 32n) & 0xfffffn);
      const cpu = env.maps.currentCpu;
      const bytes = new Uint8Array(n + ctxLen);
      bytes.set(ctx.space.bytes.subarray(at, at + n));
      if (ctxLen > 0) bytes.set(packet!.subarray(0, ctxLen), n);
      env.events.push({ kind: 'perf_event_output', map: m, index: lo === 0xffffffff ? cpu : lo, cpu, data: bytes });
    }
    return result;
  },
  ringbuf_output(env, ctx, map, data, size, flags) {
    const rb = ringbuf(env, map, 'ringbuf_output');
    const n = sizeArg(size, 'bpf_ringbuf_output size');
    return rb.output(readable(ctx, data, n), n, flags);
  },
  ringbuf_reserve: (env, _ctx, map, size, flags) => ringbuf(env, map, 'ringbuf_reserve').reserve(size, flags),
  ringbuf_submit(env, _ctx, record, flags) {
    ringbufCommit(env.maps, recordArg(record, 'ringbuf_submit'), false, flags);
  },
  ringbuf_discard(env, _ctx, record, flags) {
    ringbufCommit(env.maps, recordArg(record, 'ringbuf_discard'), true, flags);
  },
  ringbuf_query: (env, _ctx, map, flags) => ringbuf(env, map, 'ringbuf_query').query(flags),
};
