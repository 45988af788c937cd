/**
 * XDP: the `xdp_md` context, XDP actions, and `bpf_prog_test_run_xdp`'s harness.
 *
 * The frame is one 4 KiB page as in Linux's test run: XDP_PACKET_HEADROOM (256) bytes
 * before the packet, room after it, and `skb_shared_info` at the end of the page,
 * which is not part of the region (xdp_adjust_tail may not grow into it). Metadata
 * given in `ctx_in.data` comes out of the headroom.
 */
import type { AddressSpace, Region } from '../vm/index.js';
import { Errno } from '../maps/index.js';
import { ProgramType } from '../elf/index.js';
import { ContextPointer, type ContextLayout } from '../verifier/context.js';
import type { PacketState } from '../helpers/packet.js';
import { ProgError, ProgErrorCode } from './errors.js';
import { encodeNamed, field, rangeIsZero } from './layout.js';
import { helpersFor } from './helpers.js';
import type { HarnessEnv, ProgramTypeInfo, RunSetup, TestRunInput } from './types.js';

/** `enum xdp_action`. */
export const XdpReturnCode = {
  XDP_ABORTED: 0,
  XDP_DROP: 1,
  XDP_PASS: 2,
  XDP_TX: 3,
  XDP_REDIRECT: 4,
} as const;

/** Bytes reserved before an XDP packet (XDP_PACKET_HEADROOM). */
export const XDP_PACKET_HEADROOM = 256;
/** Bytes of the frame's page. */
export const XDP_FRAME_SIZE = 4096;
/** SKB_DATA_ALIGN(sizeof(struct skb_shared_info)) on x86-64: the end of every frame. */
export const SKB_SHARED_INFO_SIZE = 320;
/** Largest metadata area (xdp_metalen_invalid). */
export const XDP_META_MAX = 32;
/** Ethernet header: the least data a packet test run takes. */
export const ETH_HLEN = 14;

/** `struct xdp_md` offsets. */
export const XdpMd = {
  data: 0,
  data_end: 4,
  data_meta: 8,
  ingress_ifindex: 12,
  rx_queue_index: 16,
  egress_ifindex: 20,
  /** sizeof(struct xdp_md). */
  SIZE: 24,
} as const;

/**
 * xdp_is_valid_access: read-only, whole u32 loads only; egress_ifindex only for
 * programs attached to a DEVMAP (expected_attach_type BPF_XDP_DEVMAP).
 */
export const XDP_MD_LAYOUT: ContextLayout = {
  name: 'xdp_md',
  size: XdpMd.SIZE,
  fields: [
    field('data', XdpMd.data, 4, { pointer: ContextPointer.PACKET }),
    field('data_end', XdpMd.data_end, 4, { pointer: ContextPointer.PACKET_END }),
    field('data_meta', XdpMd.data_meta, 4, { pointer: ContextPointer.PACKET_META }),
    field('ingress_ifindex', XdpMd.ingress_ifindex, 4, { narrow: false }),
    field('rx_queue_index', XdpMd.rx_queue_index, 4, { narrow: false }),
    field('egress_ifindex', XdpMd.egress_ifindex, 4, { read: false, narrow: false }),
  ],
};

/** The XDP frame: `[start, end)` is headroom, metadata, packet and tailroom. */
class XdpPacket implements PacketState {
  readonly kind = 'xdp';
  constructor(readonly space: AddressSpace, readonly region: Region, readonly ctx: number,
    public dataMeta: number, public data: number, public dataEnd: number) {}

  sync(): void {
    const v = this.space.view;
    v.setUint32(this.ctx + XdpMd.data, this.data, true);
    v.setUint32(this.ctx + XdpMd.data_end, this.dataEnd, true);
    v.setUint32(this.ctx + XdpMd.data_meta, this.dataMeta, true);
  }

  bytes(): Uint8Array {
    return this.space.bytes.subarray(this.data, this.dataEnd);
  }
}

/** `ctx_in` as bytes of the struct's size; longer input must be zero past it (bpf_ctx_init, E2BIG). */
export function contextBytes(input: TestRunInput['ctx'], layout: ContextLayout, size: number,
  aliases?: Readonly<Record<string, string>>): Uint8Array | undefined {
  if (input === undefined) return undefined;
  if (!(input instanceof Uint8Array)) return encodeNamed(layout, input, size, aliases);
  if (input.length > size && !rangeIsZero(input, size, input.length)) {
    throw new ProgError(ProgErrorCode.BAD_CTX,
      `ctx_in is ${input.length} bytes; ${layout.name} has ${size} and the bytes past it are not zero`, { errno: Errno.E2BIG });
  }
  const out = new Uint8Array(size);
  out.set(input.subarray(0, size));
  return out;
}

function u32(bytes: Uint8Array, offset: number): number {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(offset, true);
}

/** bpf_prog_test_run_xdp. */
function setupXdp(space: AddressSpace, input: TestRunInput, env: HarnessEnv): RunSetup {
  const data = input.data ?? new Uint8Array(0);
  const size = data.length;
  const ctxIn = contextBytes(input.ctx, XDP_MD_LAYOUT, XdpMd.SIZE);
  let meta = 0;
  let ingress = 0;
  let rxq = 0;
  if (ctxIn) {
    meta = u32(ctxIn, XdpMd.data);
    const end = u32(ctxIn, XdpMd.data_end);
    if (u32(ctxIn, XdpMd.data_meta) !== 0) throw badCtx('xdp_md.data_meta must be 0 (metadata starts the buffer)');
    if (end !== size) throw badCtx(`xdp_md.data_end must equal the data size (${size}), not ${end}`);
    if (meta > end) throw badCtx(`xdp_md.data (${meta}) is past data_end (${end})`);
    if (meta % 4 !== 0 || meta > XDP_META_MAX) throw badCtx(`metadata length ${meta} must be a multiple of 4, at most ${XDP_META_MAX}`);
  }
  const headroom = XDP_PACKET_HEADROOM - meta;
  const maxData = XDP_FRAME_SIZE - headroom - SKB_SHARED_INFO_SIZE;
  if (size < ETH_HLEN) {
    throw new ProgError(ProgErrorCode.BAD_DATA, `XDP test run data is ${size} bytes; at least ${ETH_HLEN} (an Ethernet header) are needed`);
  }
  if (size > maxData) {
    throw new ProgError(ProgErrorCode.UNSUPPORTED,
      `${size} bytes do not fit one XDP frame (${maxData}); Linux would use fragments, which ebee does not model`,
      { errno: Errno.ENOTSUPP });
  }
  // xdp_convert_md_to_buff: the receive queue, checked once the buffer exists.
  if (ctxIn) {
    if (u32(ctxIn, XdpMd.egress_ifindex) !== 0) throw badCtx('xdp_md.egress_ifindex must be 0');
    ingress = u32(ctxIn, XdpMd.ingress_ifindex);
    rxq = u32(ctxIn, XdpMd.rx_queue_index);
    if (ingress === 0 && rxq !== 0) throw badCtx('xdp_md.rx_queue_index needs an ingress_ifindex');
    if (ingress !== 0) {
      if (!env.deviceExists(ingress)) {
        throw new ProgError(ProgErrorCode.NO_DEVICE, `no network device with ifindex ${ingress}`, { errno: Errno.ENODEV });
      }
      if (rxq >= env.rxQueues(ingress)) throw badCtx(`device ${ingress} has no receive queue ${rxq}`);
    }
  }
  const region = space.alloc(XDP_FRAME_SIZE - SKB_SHARED_INFO_SIZE, { name: 'xdp frame', align: 64 });
  let ctxRegion: Region;
  try {
    ctxRegion = space.alloc(XdpMd.SIZE, { name: 'ctx:xdp_md', writable: false });
  } catch (err) {
    space.release(region);
    throw err;
  }
  const dataMeta = region.start + headroom;
  space.write(dataMeta, data);
  const packet = new XdpPacket(space, region, ctxRegion.start, dataMeta, dataMeta + meta, dataMeta + size);
  const v = space.view;
  v.setUint32(ctxRegion.start + XdpMd.ingress_ifindex, ingress, true);
  v.setUint32(ctxRegion.start + XdpMd.rx_queue_index, rxq, true);
  packet.sync();
  return {
    ctx: ctxRegion.start,
    packet,
    finish() {
      // xdp_convert_buff_to_md: offsets from data_meta; data_out is metadata plus packet.
      const out = space.read(ctxRegion.start, XdpMd.SIZE);
      const ov = new DataView(out.buffer);
      ov.setUint32(XdpMd.data, packet.data - packet.dataMeta, true);
      ov.setUint32(XdpMd.data_end, packet.dataEnd - packet.dataMeta, true);
      ov.setUint32(XdpMd.data_meta, 0, true);
      return { data: space.read(packet.dataMeta, packet.dataEnd - packet.dataMeta), ctx: out };
    },
    release() {
      space.release(ctxRegion);
      space.release(region);
    },
  };
}

function badCtx(message: string): ProgError {
  return new ProgError(ProgErrorCode.BAD_CTX, message);
}

export const XDP: ProgramTypeInfo = {
  type: ProgramType.XDP,
  name: 'xdp',
  names: ['xdp'],
  context: XDP_MD_LAYOUT,
  helpers: helpersFor(ProgramType.XDP),
  returnCodes: XdpReturnCode,
  linuxTestRun: true,
  repeatAllowed: true,
  setup: setupXdp,
};
