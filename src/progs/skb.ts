/**
 * Program types with an `__sk_buff` context (SOCKET_FILTER, SCHED_CLS, SCHED_ACT,
 * CGROUP_SKB, the LWT hooks) and `bpf_prog_test_run_skb`'s harness: the packet goes into a buffer
 * with Linux's headroom (NET_SKB_PAD + NET_IP_ALIGN = 64 bytes on x86-64) and the
 * tailroom kmalloc's rounding leaves, the Ethernet header is parsed as
 * `eth_type_trans` does on the loopback device, and only the `__sk_buff` fields
 * Linux lets `ctx_in` set may be non-zero.
 *
 * tc programs see the packet from its Ethernet header; socket filters, cgroup and
 * lwt programs from the network header (the test run pulls the MAC header first and
 * returns it zeroed in `data_out`, as Linux does).
 */
import type { AddressSpace, Region } from '../vm/index.js';
import { Errno } from '../maps/index.js';
import { AttachType, ProgramType } from '../elf/index.js';
import type { PacketState } from '../helpers/packet.js';
import { ProgError, ProgErrorCode } from './errors.js';
import { rangeIsZero } from './layout.js';
import { SkBuff, skbLayout, type SkbFlavor } from './skb-layout.js';
import { ETH_HLEN, contextBytes } from './xdp.js';
import { helpersFor } from './helpers.js';
import type { HarnessEnv, ProgramTypeInfo, RunSetup, TestRunInput } from './types.js';

/** TC_ACT_* (include/uapi/linux/pkt_cls.h): what tc classifiers and actions return. */
export const TcReturnCode = {
  TC_ACT_UNSPEC: -1,
  TC_ACT_OK: 0,
  TC_ACT_RECLASSIFY: 1,
  TC_ACT_SHOT: 2,
  TC_ACT_PIPE: 3,
  TC_ACT_STOLEN: 4,
  TC_ACT_QUEUED: 5,
  TC_ACT_REPEAT: 6,
  TC_ACT_REDIRECT: 7,
  TC_ACT_TRAP: 8,
} as const;

/** What cgroup skb programs return: drop or let the packet through (egress may add congestion bit 2). */
export const CgroupSkbReturnCode = {
  DROP: 0,
  ALLOW: 1,
} as const;

/** `skb->pkt_type` values (include/uapi/linux/if_packet.h). */
export const PacketType = {
  PACKET_HOST: 0,
  PACKET_BROADCAST: 1,
  PACKET_MULTICAST: 2,
  PACKET_OTHERHOST: 3,
} as const;

/** Headroom Linux's skb test run reserves (NET_SKB_PAD + NET_IP_ALIGN on x86-64). */
export const SKB_HEADROOM = 64;
/** SKB_DATA_ALIGN(sizeof(struct skb_shared_info)). */
const SHINFO = 320;
const PAGE = 4096;
/** GSO_LEGACY_MAX_SIZE and GSO_MAX_SEGS. */
const GSO_MAX_SIZE = 65536;
const GSO_MAX_SEGS = 65535;
const AF_INET = 2;
const AF_INET6 = 10;

/** kmalloc's size classes above 256 bytes are powers of two. */
function slabSize(n: number): number {
  if (n <= 96) return n <= 64 ? 64 : 96;
  if (n <= 192) return n <= 128 ? 128 : 192;
  let s = 256;
  while (s < n) s *= 2;
  return s;
}

class SkbPacket implements PacketState {
  readonly kind = 'skb';
  constructor(readonly space: AddressSpace, readonly region: Region, readonly ctx: number,
    public dataMeta: number, public data: number, public dataEnd: number) {}

  sync(): void {
    const v = this.space.view;
    v.setUint32(this.ctx + SkBuff.data, this.data, true);
    v.setUint32(this.ctx + SkBuff.data_end, this.dataEnd, true);
    v.setUint32(this.ctx + SkBuff.data_meta, this.dataMeta, true);
    v.setUint32(this.ctx + SkBuff.len, this.dataEnd - this.data, true);
  }

  bytes(): Uint8Array {
    return this.space.bytes.subarray(this.data, this.dataEnd);
  }
}

/** The `__sk_buff` fields `ctx_in` may set (convert___skb_to_skb); every other byte must be zero. */
const SETTABLE: ReadonlyArray<readonly [number, number]> = [
  [SkBuff.mark, 4], [SkBuff.priority, 4], [SkBuff.ingress_ifindex, 4], [SkBuff.ifindex, 4], [SkBuff.cb, 20],
  [SkBuff.tstamp, 8], [SkBuff.wire_len, 4], [SkBuff.gso_segs, 4], [SkBuff.gso_size, 4], [SkBuff.hwtstamp, 8],
];

/** Names of the settable fields, for the error message. */
const SETTABLE_NAMES = 'mark, priority, ingress_ifindex, ifindex, cb, tstamp, wire_len, gso_segs, gso_size, hwtstamp';

function checkSettable(ctx: Uint8Array): void {
  let at = 0;
  for (const [offset, size] of SETTABLE) {
    if (!rangeIsZero(ctx, at, offset)) throw notSettable(ctx, at);
    at = offset + size;
  }
  if (!rangeIsZero(ctx, at, SkBuff.SIZE)) throw notSettable(ctx, at);
}

function notSettable(ctx: Uint8Array, from: number): ProgError {
  let i = from;
  while (ctx[i] === 0) i++;
  const f = skbLayout('tc').fields.find((x) => i >= x.offset && i < x.offset + x.size);
  return new ProgError(ProgErrorCode.BAD_CTX,
    `__sk_buff.${f?.name ?? `byte ${i}`} may not be set in ctx_in (only ${SETTABLE_NAMES}); it must be zero`);
}

/** eth_type_trans's protocol, as the __be16 `skb->protocol` reads through a u32 load. */
function ethProtocol(frame: Uint8Array): number {
  const proto = (frame[12]! << 8) | frame[13]!;
  let be: number;
  if (proto >= 0x600) be = proto;
  else if (frame.length >= 16 && frame[14] === 0xff && frame[15] === 0xff) be = 0x0001; // ETH_P_802_3: raw IPX
  else be = 0x0004; // ETH_P_802_2
  return ((be & 0xff) << 8) | (be >> 8);
}

function packetType(frame: Uint8Array): number {
  const dest = frame.subarray(0, 6);
  if (dest[0]! & 1) return dest.every((b) => b === 0xff) ? PacketType.PACKET_BROADCAST : PacketType.PACKET_MULTICAST;
  // Test runs use the loopback device, whose address is all zeros.
  return dest.every((b) => b === 0) ? PacketType.PACKET_HOST : PacketType.PACKET_OTHERHOST;
}

function setupSkb(flavor: SkbFlavor, space: AddressSpace, input: TestRunInput, env: HarnessEnv): RunSetup {
  const data = input.data ?? new Uint8Array(0);
  const size = data.length;
  const maxSize = PAGE - SKB_HEADROOM - SHINFO;
  if (size < ETH_HLEN || size > maxSize) {
    throw new ProgError(ProgErrorCode.BAD_DATA,
      `skb test run data is ${size} bytes; it must hold an Ethernet header (${ETH_HLEN}) and at most ${maxSize} bytes`);
  }
  const ctxIn = contextBytes(input.ctx, skbLayout(flavor), SkBuff.SIZE);
  const cv = ctxIn && new DataView(ctxIn.buffer);
  // Linux looks the device up before it checks which fields were set.
  const ifindex = cv ? cv.getUint32(SkBuff.ifindex, true) : 0;
  if (ifindex > 1 && !env.deviceExists(ifindex)) {
    throw new ProgError(ProgErrorCode.NO_DEVICE, `no network device with ifindex ${ifindex}`, { errno: Errno.ENODEV });
  }
  if (ctxIn) checkSettable(ctxIn);
  const l2 = flavor === 'tc';
  const len = l2 ? size : size - ETH_HLEN;
  if (cv) {
    const wire = cv.getUint32(SkBuff.wire_len, true);
    if (wire !== 0 && (wire < len || wire > GSO_MAX_SIZE)) {
      throw new ProgError(ProgErrorCode.BAD_CTX, `__sk_buff.wire_len ${wire} must be 0 or between the packet length (${len}) and ${GSO_MAX_SIZE}`);
    }
    if (cv.getUint32(SkBuff.gso_segs, true) > GSO_MAX_SEGS) {
      throw new ProgError(ProgErrorCode.BAD_CTX, `__sk_buff.gso_segs must be at most ${GSO_MAX_SEGS}`);
    }
  }

  const aligned = Math.ceil(size / 64) * 64;
  const region = space.alloc(slabSize(aligned + SKB_HEADROOM + SHINFO) - SHINFO, { name: 'skb data', align: 64 });
  let ctxRegion: Region;
  try {
    ctxRegion = space.alloc(SkBuff.SIZE, { name: 'ctx:__sk_buff' });
  } catch (err) {
    space.release(region);
    throw err;
  }
  const ctx = ctxRegion.start;
  space.write(region.start + SKB_HEADROOM, data);
  const start = region.start + SKB_HEADROOM + (l2 ? 0 : ETH_HLEN);
  const packet = new SkbPacket(space, region, ctx, start, start, region.start + SKB_HEADROOM + size);

  const v = space.view;
  if (ctxIn) space.write(ctx, ctxIn);
  const set = (off: number, value: number): void => v.setUint32(ctx + off, value >>> 0, true);
  set(SkBuff.pkt_type, packetType(data));
  set(SkBuff.protocol, ethProtocol(data));
  set(SkBuff.ifindex, ifindex > 1 ? ifindex : 1);
  if (!cv || cv.getUint32(SkBuff.wire_len, true) === 0) set(SkBuff.wire_len, len);
  fillSocket(space, ctx, data);
  packet.sync();

  return {
    ctx,
    packet,
    legacyPacket: { address: packet.data, length: len },
    finish() {
      // convert_skb_to___skb: only the settable fields go back to ctx_out.
      const out = ctxIn ? ctxIn.slice() : new Uint8Array(SkBuff.SIZE);
      const now = space.read(ctx, SkBuff.SIZE);
      for (const [offset, n] of SETTABLE) out.set(now.subarray(offset, offset + n), offset);
      let bytes = space.read(packet.data, packet.dataEnd - packet.data);
      if (!l2) {
        const framed = new Uint8Array(ETH_HLEN + bytes.length);
        framed.set(bytes, ETH_HLEN);
        bytes = framed;
      }
      return { data: bytes, ctx: out };
    },
    release() {
      space.release(ctxRegion);
      space.release(region);
    },
  };
}

/**
 * The test run's socket: its family and addresses come from the packet's IP header
 * (local = source, remote = destination); cgroup programs read them through
 * `family`, `local_ip4`, `remote_ip6`... Ports stay 0.
 */
function fillSocket(space: AddressSpace, ctx: number, frame: Uint8Array): void {
  const proto = (frame[12]! << 8) | frame[13]!;
  const l3 = frame.subarray(ETH_HLEN);
  const v = space.view;
  if (proto === 0x0800) {
    v.setUint32(ctx + SkBuff.family, AF_INET, true);
    if (l3.length >= 20) {
      space.write(ctx + SkBuff.local_ip4, l3.subarray(12, 16));
      space.write(ctx + SkBuff.remote_ip4, l3.subarray(16, 20));
    }
  } else if (proto === 0x86dd) {
    v.setUint32(ctx + SkBuff.family, AF_INET6, true);
    if (l3.length >= 40) {
      space.write(ctx + SkBuff.local_ip6, l3.subarray(8, 24));
      space.write(ctx + SkBuff.remote_ip6, l3.subarray(24, 40));
    }
  }
}

/**
 * A type with an `__sk_buff` context run by this harness (tc from the Ethernet header,
 * the others from the network header). `linuxTestRun: false` for types Linux refuses
 * to test-run but ebee runs here anyway (lwt_seg6local).
 */
function skbType(type: number, names: string[], flavor: SkbFlavor, returnCodes: Record<string, number>,
  returnRange?: readonly [number, number], linuxTestRun = true): ProgramTypeInfo {
  return {
    type, name: names[0]!, names, context: skbLayout(flavor), returnCodes, helpers: helpersFor(type),
    ...(returnRange ? { returnRange } : {}),
    linuxTestRun, repeatAllowed: true,
    setup: (space, input, env) => setupSkb(flavor, space, input, env),
  };
}

export const SOCKET_FILTER = skbType(ProgramType.SOCKET_FILTER, ['socket_filter', 'socket'], 'socket', {});
export const SCHED_CLS = skbType(ProgramType.SCHED_CLS, ['sched_cls', 'tc', 'classifier'], 'tc', TcReturnCode);
export const SCHED_ACT = skbType(ProgramType.SCHED_ACT, ['sched_act', 'action'], 'tc', TcReturnCode);
const CGROUP_SKB_INGRESS = skbType(ProgramType.CGROUP_SKB, ['cgroup_skb'], 'cgroup', CgroupSkbReturnCode, [0, 1]);
const CGROUP_SKB_EGRESS = skbType(ProgramType.CGROUP_SKB, ['cgroup_skb'], 'cgroup', CgroupSkbReturnCode, [0, 3]);
/** Ingress programs must return 0 or 1; egress ones may also set the congestion bit (0..3): check_return_code. */
export const CGROUP_SKB: ProgramTypeInfo = {
  ...CGROUP_SKB_INGRESS,
  forAttach: (attach) => (attach === AttachType.CGROUP_INET_EGRESS ? CGROUP_SKB_EGRESS : CGROUP_SKB_INGRESS),
};

/*
 * The lightweight tunnel hooks a route's `encap bpf` runs: LWT_IN (input), LWT_OUT
 * (output), LWT_XMIT (transmit) and LWT_SEG6LOCAL (an SRv6 End.BPF action). All four
 * see `__sk_buff` under `lwt_is_valid_access` (skb-layout.ts's `lwt` flavour: mark,
 * priority and cb writable, no socket addresses, tc class, metadata or timestamps);
 * only LWT_XMIT may write the packet directly (may_access_direct_pkt_data), and
 * check_return_code demands nothing of r0. Linux 6.18 test-runs lwt_in, lwt_out and
 * lwt_xmit here, from the network header; lwt_seg6local has no test_run there
 * (-ENOTSUPP, measured), and ebee runs it with the same harness anyway.
 */
/** `enum bpf_ret_code`: what LWT programs return. */
export const LwtReturnCode = {
  BPF_OK: 0,
  BPF_DROP: 2,
  BPF_REDIRECT: 7,
  /** lwt_in and lwt_xmit: the program changed the destination; route the packet again. */
  BPF_LWT_REROUTE: 128,
} as const;

export const LWT_IN = skbType(ProgramType.LWT_IN, ['lwt_in'], 'lwt', LwtReturnCode);
export const LWT_OUT = skbType(ProgramType.LWT_OUT, ['lwt_out'], 'lwt', LwtReturnCode);
// The one lwt hook that may rewrite the packet through its data pointers.
export const LWT_XMIT = skbType(ProgramType.LWT_XMIT, ['lwt_xmit'], 'lwt_xmit', LwtReturnCode);
export const LWT_SEG6LOCAL = skbType(ProgramType.LWT_SEG6LOCAL, ['lwt_seg6local'], 'lwt', LwtReturnCode, undefined, false);
