/**
 * Socket program types without a packet: SOCK_OPS (`struct bpf_sock_ops`),
 * CGROUP_SOCK (`struct bpf_sock`) and CGROUP_SOCK_ADDR (`struct bpf_sock_addr`), laid
 * out as include/uapi/linux/bpf.h has them. Which fields a program may read or write,
 * and how narrowly, follows the kernel's `sock_ops_is_valid_access`,
 * `sock_filter_is_valid_access` / `bpf_sock_is_valid_access` and
 * `sock_addr_is_valid_access` (net/core/filter.c); the return ranges follow
 * `check_return_code` (kernel/bpf/verifier.c). Linux cannot test-run these types;
 * ebee gives them the plain harness (`plain.ts`).
 */
import { AttachType, ProgramType } from '../elf/index.js';
import { ContextPointer, type ContextField, type ContextLayout } from '../verifier/context.js';
import { arrayFields, field } from './layout.js';
import { helpersFor } from './helpers.js';
import { plainSetup } from './plain.js';
import type { ProgramTypeInfo } from './types.js';

/** `struct bpf_sock_ops` offsets. */
export const BpfSockOps = {
  op: 0,
  /** `union { __u32 args[4]; __u32 reply; __u32 replylong[4]; }`. */
  args: 4,
  family: 20, remote_ip4: 24, local_ip4: 28, remote_ip6: 32, local_ip6: 48, remote_port: 64, local_port: 68,
  is_fullsock: 72, snd_cwnd: 76, srtt_us: 80, bpf_sock_ops_cb_flags: 84, state: 88, rtt_min: 92,
  snd_ssthresh: 96, rcv_nxt: 100, snd_nxt: 104, snd_una: 108, mss_cache: 112, ecn_flags: 116,
  rate_delivered: 120, rate_interval_us: 124, packets_out: 128, retrans_out: 132, total_retrans: 136,
  segs_in: 140, data_segs_in: 144, segs_out: 148, data_segs_out: 152, lost_out: 156, sacked_out: 160,
  sk_txhash: 164, bytes_received: 168, bytes_acked: 176,
  /** `struct bpf_sock *`. */
  sk: 184,
  /** Packet pointers of the header-option callbacks. */
  skb_data: 192, skb_data_end: 200, skb_len: 208, skb_tcp_flags: 212, skb_hwtstamp: 216,
  SIZE: 224,
} as const;

/**
 * sock_ops_is_valid_access: every u32 field is read whole (no narrow loads); the reply
 * words (`reply`/`replylong[]`, sharing the union with `args[]`) and `sk_txhash` may be
 * written; the u64 counters, the socket and the packet pointers are 8-byte reads.
 */
function sockOpsLayout(): ContextLayout {
  const O = BpfSockOps;
  const whole = { narrow: false } as const;
  const u32 = (name: keyof typeof O): ContextField => field(name, O[name], 4, whole);
  const fields: ContextField[] = [
    u32('op'),
    ...arrayFields('args', O.args, 4, 4, { narrow: false, write: true }),
    u32('family'), u32('remote_ip4'), u32('local_ip4'),
    ...arrayFields('remote_ip6', O.remote_ip6, 4, 4, whole), ...arrayFields('local_ip6', O.local_ip6, 4, 4, whole),
  ];
  for (const name of ['remote_port', 'local_port', 'is_fullsock', 'snd_cwnd', 'srtt_us', 'bpf_sock_ops_cb_flags',
    'state', 'rtt_min', 'snd_ssthresh', 'rcv_nxt', 'snd_nxt', 'snd_una', 'mss_cache', 'ecn_flags', 'rate_delivered',
    'rate_interval_us', 'packets_out', 'retrans_out', 'total_retrans', 'segs_in', 'data_segs_in', 'segs_out',
    'data_segs_out', 'lost_out', 'sacked_out'] as const) fields.push(u32(name));
  fields.push(
    field('sk_txhash', O.sk_txhash, 4, { narrow: false, write: true }),
    field('bytes_received', O.bytes_received, 8, whole), field('bytes_acked', O.bytes_acked, 8, whole),
    field('sk', O.sk, 8, { pointer: ContextPointer.SOCKET_OR_NULL }),
    field('skb_data', O.skb_data, 8, { pointer: ContextPointer.PACKET }),
    field('skb_data_end', O.skb_data_end, 8, { pointer: ContextPointer.PACKET_END }),
    u32('skb_len'), u32('skb_tcp_flags'), field('skb_hwtstamp', O.skb_hwtstamp, 8, whole),
  );
  return { name: 'bpf_sock_ops', size: O.SIZE, fields };
}

/** `struct bpf_sock` offsets (the socket cgroup_sock programs see, and `__sk_buff.sk` points at). */
export const BpfSock = {
  bound_dev_if: 0, family: 4, type: 8, protocol: 12, mark: 16, priority: 20, src_ip4: 24, src_ip6: 28,
  src_port: 44, dst_port: 48, dst_ip4: 52, dst_ip6: 56, state: 72, rx_queue_mapping: 76,
  SIZE: 80,
} as const;

/**
 * `bpf_sock` for a cgroup_sock program attached at `attach`
 * (sock_filter_is_valid_access): bound_dev_if, mark and priority are read and written
 * whole at socket create and release only; the source address and port are read at
 * post_bind only (src_ip4 for IPv4, src_ip6 for IPv6); everything else is read-only
 * as bpf_sock_is_valid_access allows (narrow loads but for the three above, dst_port
 * as its 2 bytes or a whole u32).
 */
function bpfSockLayout(attach: number): ContextLayout {
  const S = BpfSock;
  const create = attach === AttachType.CGROUP_INET_SOCK_CREATE || attach === AttachType.CGROUP_INET_SOCK_RELEASE;
  const post4 = attach === AttachType.CGROUP_INET4_POST_BIND;
  const post6 = attach === AttachType.CGROUP_INET6_POST_BIND;
  const settable = { read: create, write: create, narrow: false };
  return {
    name: 'bpf_sock', size: S.SIZE,
    fields: [
      field('bound_dev_if', S.bound_dev_if, 4, settable),
      field('family', S.family, 4), field('type', S.type, 4), field('protocol', S.protocol, 4),
      field('mark', S.mark, 4, settable), field('priority', S.priority, 4, settable),
      field('src_ip4', S.src_ip4, 4, { read: post4 }),
      ...arrayFields('src_ip6', S.src_ip6, 4, 4, { read: post6 }),
      field('src_port', S.src_port, 4, { read: post4 || post6 }),
      // dst_port is a __be16 followed by padding; a u32 load of both is allowed.
      field('dst_port', S.dst_port, 2), field('dst_port:u32', S.dst_port, 4, { narrow: false }),
      field('dst_ip4', S.dst_ip4, 4), ...arrayFields('dst_ip6', S.dst_ip6, 4, 4),
      field('state', S.state, 4), field('rx_queue_mapping', S.rx_queue_mapping, 4),
    ],
  };
}

/** `struct bpf_sock_addr` offsets. */
export const BpfSockAddr = {
  user_family: 0, user_ip4: 4, user_ip6: 8, user_port: 24, family: 28, type: 32, protocol: 36,
  msg_src_ip4: 40, msg_src_ip6: 44,
  /** `struct bpf_sock *`, never NULL for these hooks. */
  sk: 64,
  SIZE: 72,
} as const;

const A = AttachType;
const INET4: ReadonlySet<number> = new Set([A.CGROUP_INET4_BIND, A.CGROUP_INET4_CONNECT, A.CGROUP_INET4_GETPEERNAME,
  A.CGROUP_INET4_GETSOCKNAME, A.CGROUP_UDP4_SENDMSG, A.CGROUP_UDP4_RECVMSG]);
const INET6: ReadonlySet<number> = new Set([A.CGROUP_INET6_BIND, A.CGROUP_INET6_CONNECT, A.CGROUP_INET6_GETPEERNAME,
  A.CGROUP_INET6_GETSOCKNAME, A.CGROUP_UDP6_SENDMSG, A.CGROUP_UDP6_RECVMSG]);

/**
 * `bpf_sock_addr` at `attach` (sock_addr_is_valid_access): the user address fields of
 * the hook's family, the sendmsg source address and user_port are read (narrowly) and
 * written (whole); user_family, family, type and protocol are whole reads; `sk` is an
 * 8-byte read. The kernel's 8-byte stores into user_ip6/msg_src_ip6 are not modelled
 * (ebee rejects them), and `sk` is given as a socket that may be NULL although the
 * kernel knows it is not (a program must test it first): both stricter than Linux.
 */
function sockAddrLayout(attach: number): ContextLayout {
  const S = BpfSockAddr;
  const rw = (ok: boolean) => ({ read: ok, write: ok });
  const whole = { narrow: false } as const;
  return {
    name: 'bpf_sock_addr', size: S.SIZE,
    fields: [
      field('user_family', S.user_family, 4, whole),
      field('user_ip4', S.user_ip4, 4, rw(INET4.has(attach))),
      ...arrayFields('user_ip6', S.user_ip6, 4, 4, rw(INET6.has(attach))),
      field('user_port', S.user_port, 4, rw(true)),
      field('family', S.family, 4, whole), field('type', S.type, 4, whole), field('protocol', S.protocol, 4, whole),
      field('msg_src_ip4', S.msg_src_ip4, 4, rw(attach === A.CGROUP_UDP4_SENDMSG)),
      ...arrayFields('msg_src_ip6', S.msg_src_ip6, 4, 4, rw(attach === A.CGROUP_UDP6_SENDMSG)),
      field('sk', S.sk, 8, { pointer: ContextPointer.SOCKET_OR_NULL }),
    ],
  };
}

/** Hooks that only report an address: check_return_code demands 1. */
const ADDR_REPORT: ReadonlySet<number> = new Set([A.CGROUP_UDP4_RECVMSG, A.CGROUP_UDP6_RECVMSG, A.CGROUP_UNIX_RECVMSG,
  A.CGROUP_INET4_GETPEERNAME, A.CGROUP_INET6_GETPEERNAME, A.CGROUP_UNIX_GETPEERNAME, A.CGROUP_INET4_GETSOCKNAME,
  A.CGROUP_INET6_GETSOCKNAME, A.CGROUP_UNIX_GETSOCKNAME]);

function sockAddrRange(attach: number): readonly [number, number] {
  if (ADDR_REPORT.has(attach)) return [1, 1];
  // bind may also ask the kernel to skip its port checks (bit 1).
  if (attach === A.CGROUP_INET4_BIND || attach === A.CGROUP_INET6_BIND) return [0, 3];
  return [0, 1];
}

/** Reject (0) or allow (1), as cgroup hooks return. */
export const CgroupReturnCode = { REJECT: 0, ALLOW: 1 } as const;

const SOCK_OPS_LAYOUT = sockOpsLayout();

export const SOCK_OPS: ProgramTypeInfo = {
  type: ProgramType.SOCK_OPS, name: 'sock_ops', names: ['sock_ops', 'sockops'], context: SOCK_OPS_LAYOUT,
  helpers: helpersFor(ProgramType.SOCK_OPS), returnCodes: {}, returnRange: [0, 1],
  linuxTestRun: false, repeatAllowed: true, setup: plainSetup(SOCK_OPS_LAYOUT, BpfSockOps.SIZE, true),
};

function cgroupSock(attach: number): ProgramTypeInfo {
  const layout = bpfSockLayout(attach);
  return {
    type: ProgramType.CGROUP_SOCK, name: 'cgroup_sock', names: ['cgroup_sock'], context: layout,
    helpers: helpersFor(ProgramType.CGROUP_SOCK, attach), returnCodes: CgroupReturnCode, returnRange: [0, 1],
    linuxTestRun: false, repeatAllowed: true, setup: plainSetup(layout, BpfSock.SIZE, true),
  };
}

/** Without an attach type: socket creation (BPF_CGROUP_INET_SOCK_CREATE, the kernel's default for the type). */
export const CGROUP_SOCK: ProgramTypeInfo = { ...cgroupSock(A.CGROUP_INET_SOCK_CREATE), forAttach: cgroupSock };

function cgroupSockAddr(attach: number): ProgramTypeInfo {
  const layout = sockAddrLayout(attach);
  return {
    type: ProgramType.CGROUP_SOCK_ADDR, name: 'cgroup_sock_addr', names: ['cgroup_sock_addr', 'sock_addr'],
    context: layout, helpers: helpersFor(ProgramType.CGROUP_SOCK_ADDR, attach), returnCodes: CgroupReturnCode,
    returnRange: sockAddrRange(attach), linuxTestRun: false, repeatAllowed: true,
    setup: plainSetup(layout, BpfSockAddr.SIZE, true),
  };
}

/**
 * Without an attach type (the kernel demands one for this type): a hook of no address
 * family, so neither user_ip4 nor user_ip6 is readable and bind is not callable.
 */
export const CGROUP_SOCK_ADDR: ProgramTypeInfo = { ...cgroupSockAddr(A.CGROUP_UNIX_CONNECT), forAttach: cgroupSockAddr };
