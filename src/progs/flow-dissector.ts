/**
 * FLOW_DISSECTOR: a program that parses a packet's headers into `struct
 * bpf_flow_keys` for the kernel's flow dissector. Its context is declared as
 * `__sk_buff` but is no skb: `flow_dissector_is_valid_access` lets it read only
 * `data`, `data_end` (a read-only packet) and `flow_keys` (a pointer to the keys, read
 * and written at constant offsets), and writes nothing in the context. The return
 * value is not checked (BPF_OK, BPF_DROP, BPF_FLOW_DISSECTOR_CONTINUE by convention).
 *
 * The harness follows `bpf_prog_test_run_flow_dissector` (net/bpf/test_run.c), as
 * measured on Linux 6.18: `data_in` is the whole Ethernet frame (at least ETH_HLEN
 * bytes, at most a page; no headroom), the keys start zeroed but for n_proto (the
 * frame's EtherType, as the wire has it), nhoff = thoff = ETH_HLEN and `flags`;
 * `ctx_in` is a `struct bpf_flow_keys` of which only `flags` may be non-zero. After
 * the run nhoff is clamped into [ETH_HLEN, len] and thoff into [nhoff, len], and
 * `data_out` is the keys (not the packet); `ctx_out` is `ctx_in` as given. There is
 * no skb behind the buffer, so bpf_skb_load_bytes always fails (see NoSkb).
 */
import type { AddressSpace, Region } from '../vm/index.js';
import { ProgramType } from '../elf/index.js';
import type { PacketState } from '../helpers/packet.js';
import { ProgError, ProgErrorCode } from './errors.js';
import { arrayFields, field, rangeIsZero } from './layout.js';
import { helpersFor } from './helpers.js';
import { FLOW_KEYS_SIZE, SkBuff, skbLayout } from './skb-layout.js';
import { ETH_HLEN, contextBytes } from './xdp.js';
import type { ContextLayout } from '../verifier/context.js';
import type { ProgramTypeInfo, RunSetup, TestRunInput } from './types.js';

/** `struct bpf_flow_keys` offsets (the IPv4 and IPv6 addresses share a union). */
export const BpfFlowKeys = {
  nhoff: 0, thoff: 2, addr_proto: 4, is_frag: 6, is_first_frag: 7, is_encap: 8, ip_proto: 9, n_proto: 10,
  sport: 12, dport: 14, ipv4_src: 16, ipv4_dst: 20, ipv6_src: 16, ipv6_dst: 32, flags: 48, flow_label: 52,
  SIZE: FLOW_KEYS_SIZE,
} as const;

/** The keys as `ctx_in`/`data_out` carry them, by name (every member, the union's IPv4 view first). */
export const BPF_FLOW_KEYS_LAYOUT: ContextLayout = {
  name: 'bpf_flow_keys', size: BpfFlowKeys.SIZE,
  fields: [
    field('nhoff', 0, 2), field('thoff', 2, 2), field('addr_proto', 4, 2), field('is_frag', 6, 1),
    field('is_first_frag', 7, 1), field('is_encap', 8, 1), field('ip_proto', 9, 1), field('n_proto', 10, 2),
    field('sport', 12, 2), field('dport', 14, 2), field('ipv4_src', 16, 4), field('ipv4_dst', 20, 4),
    ...arrayFields('ipv6_src', 16, 4, 4), ...arrayFields('ipv6_dst', 32, 4, 4),
    field('flags', 48, 4), field('flow_label', 52, 4),
  ],
};

/**
 * What the helpers see of the packet. A test run dissects a bare buffer: the
 * context's skb is NULL, and bpf_skb_load_bytes (bpf_flow_dissector_load_bytes for
 * this type) then fails with -EFAULT and zeroes its buffer whatever the offset
 * (measured on Linux 6.18). An empty packet gives ebee's skb_load_bytes exactly that;
 * the program's own data pointers are written into the context by the harness.
 */
class NoSkb implements PacketState {
  readonly kind = 'skb';
  dataMeta: number;
  data: number;
  dataEnd: number;
  constructor(readonly region: Region, readonly ctx: number) {
    this.dataMeta = this.data = this.dataEnd = region.start;
  }

  /** Nothing to write back: no helper this type may call moves the packet. */
  sync(): void {}

  bytes(): Uint8Array {
    return new Uint8Array(0);
  }
}

const PAGE = 4096;

function setupFlowDissector(space: AddressSpace, input: TestRunInput): RunSetup {
  const data = input.data ?? new Uint8Array(0);
  if (data.length < ETH_HLEN || data.length > PAGE) {
    throw new ProgError(ProgErrorCode.BAD_DATA,
      `flow dissector test run data is ${data.length} bytes; it must hold an Ethernet header (${ETH_HLEN}) and at most ${PAGE} bytes`);
  }
  const ctxIn = contextBytes(input.ctx, BPF_FLOW_KEYS_LAYOUT, BpfFlowKeys.SIZE);
  if (ctxIn && (!rangeIsZero(ctxIn, 0, BpfFlowKeys.flags) || !rangeIsZero(ctxIn, BpfFlowKeys.flags + 4, BpfFlowKeys.SIZE))) {
    throw new ProgError(ProgErrorCode.BAD_CTX, 'bpf_flow_keys in ctx_in may only set flags; every other byte must be zero');
  }
  const regions: Region[] = [];
  const take = (r: Region): Region => { regions.push(r); return r; };
  const release = (): void => { for (const r of regions.splice(0)) space.release(r); };
  try {
    const frame = take(space.allocBytes(data, { name: 'flow dissector frame', writable: false }));
    const keys = take(space.alloc(BpfFlowKeys.SIZE, { name: 'bpf_flow_keys' }));
    const ctx = take(space.alloc(SkBuff.SIZE, { name: 'ctx:__sk_buff (flow dissector)', writable: false }));
    const v = space.view;
    // bpf_flow_dissect's starting keys: the EtherType stays in network byte order.
    space.write(keys.start + BpfFlowKeys.n_proto, data.subarray(12, 14));
    v.setUint16(keys.start + BpfFlowKeys.nhoff, ETH_HLEN, true);
    v.setUint16(keys.start + BpfFlowKeys.thoff, ETH_HLEN, true);
    if (ctxIn) space.write(keys.start + BpfFlowKeys.flags, ctxIn.subarray(BpfFlowKeys.flags, BpfFlowKeys.flags + 4));
    v.setBigUint64(ctx.start + SkBuff.flow_keys, BigInt(keys.start), true);
    v.setUint32(ctx.start + SkBuff.data, frame.start, true);
    v.setUint32(ctx.start + SkBuff.data_end, frame.start + data.length, true);
    return {
      ctx: ctx.start,
      packet: new NoSkb(frame, ctx.start),
      finish() {
        const clamp = (x: number, lo: number, hi: number): number => Math.min(Math.max(x, lo), hi);
        const nhoff = clamp(v.getUint16(keys.start + BpfFlowKeys.nhoff, true), ETH_HLEN, data.length);
        v.setUint16(keys.start + BpfFlowKeys.nhoff, nhoff, true);
        v.setUint16(keys.start + BpfFlowKeys.thoff, clamp(v.getUint16(keys.start + BpfFlowKeys.thoff, true), nhoff, data.length), true);
        return { data: space.read(keys.start, BpfFlowKeys.SIZE), ctx: ctxIn?.slice() };
      },
      release,
    };
  } catch (err) {
    release();
    throw err;
  }
}

/** What flow dissector programs return (`enum bpf_ret_code`). */
export const FlowDissectorReturnCode = { BPF_OK: 0, BPF_DROP: 2, BPF_FLOW_DISSECTOR_CONTINUE: 129 } as const;

export const FLOW_DISSECTOR: ProgramTypeInfo = {
  type: ProgramType.FLOW_DISSECTOR, name: 'flow_dissector', names: ['flow_dissector'],
  context: skbLayout('flow_dissector'), returnCodes: FlowDissectorReturnCode,
  helpers: helpersFor(ProgramType.FLOW_DISSECTOR), linuxTestRun: true, repeatAllowed: true,
  setup: (space, input) => setupFlowDissector(space, input),
};
