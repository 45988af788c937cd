/**
 * `struct __sk_buff` (Linux 6.1's include/uapi/linux/bpf.h) and which of its fields
 * each socket-buffer program type may read and write, following the kernel's
 * `bpf_skb_is_valid_access` and the per-type rules on top of it
 * (`sk_filter_is_valid_access`, `cg_skb_is_valid_access`, `tc_cls_act_is_valid_access`).
 */
import { ContextPointer, type ContextField, type ContextLayout } from '../verifier/context.js';
import { arrayFields, field } from './layout.js';

/** Field offsets of `struct __sk_buff`. */
export const SkBuff = {
  len: 0,
  pkt_type: 4,
  mark: 8,
  queue_mapping: 12,
  protocol: 16,
  vlan_present: 20,
  vlan_tci: 24,
  vlan_proto: 28,
  priority: 32,
  ingress_ifindex: 36,
  ifindex: 40,
  tc_index: 44,
  /** `__u32 cb[5]`. */
  cb: 48,
  hash: 68,
  tc_classid: 72,
  data: 76,
  data_end: 80,
  napi_id: 84,
  family: 88,
  remote_ip4: 92,
  local_ip4: 96,
  /** `__u32 remote_ip6[4]`. */
  remote_ip6: 100,
  /** `__u32 local_ip6[4]`. */
  local_ip6: 116,
  remote_port: 132,
  local_port: 136,
  data_meta: 140,
  /** `struct bpf_flow_keys *` (flow dissector only). */
  flow_keys: 144,
  tstamp: 152,
  wire_len: 160,
  gso_segs: 164,
  /** `struct bpf_sock *`. */
  sk: 168,
  gso_size: 176,
  tstamp_type: 180,
  hwtstamp: 184,
  /** sizeof(struct __sk_buff). */
  SIZE: 192,
} as const;

/**
 * Program types with an `__sk_buff` context, as their access rules differ: socket
 * filters, cgroup_skb, tc (sched_cls/act), sk_skb (`sk_skb_is_valid_access`), the
 * lightweight tunnel hooks (`lwt_is_valid_access`, the same fields for lwt_in, lwt_out,
 * lwt_seg6local and lwt_xmit, but only lwt_xmit may write the packet) and the flow
 * dissector (`flow_dissector_is_valid_access`).
 */
export type SkbFlavor = 'socket' | 'cgroup' | 'tc' | 'sk_skb' | 'lwt' | 'lwt_xmit' | 'flow_dissector';
/** The flavours with their own field rules (lwt_xmit has lwt's). */
type FieldFlavor = Exclude<SkbFlavor, 'lwt_xmit'>;

interface Rule {
  readonly read: boolean;
  readonly write: boolean;
  /** Reads narrower than the field. */
  readonly narrow: boolean;
}

/** Names and sizes in struct order; arrays are expanded into one field per element. */
const SHAPE: ReadonlyArray<readonly [name: string, offset: number, size: number, count?: number]> = [
  ['len', SkBuff.len, 4], ['pkt_type', SkBuff.pkt_type, 4], ['mark', SkBuff.mark, 4],
  ['queue_mapping', SkBuff.queue_mapping, 4], ['protocol', SkBuff.protocol, 4], ['vlan_present', SkBuff.vlan_present, 4],
  ['vlan_tci', SkBuff.vlan_tci, 4], ['vlan_proto', SkBuff.vlan_proto, 4], ['priority', SkBuff.priority, 4],
  ['ingress_ifindex', SkBuff.ingress_ifindex, 4], ['ifindex', SkBuff.ifindex, 4], ['tc_index', SkBuff.tc_index, 4],
  ['cb', SkBuff.cb, 4, 5], ['hash', SkBuff.hash, 4], ['tc_classid', SkBuff.tc_classid, 4], ['data', SkBuff.data, 4],
  ['data_end', SkBuff.data_end, 4], ['napi_id', SkBuff.napi_id, 4], ['family', SkBuff.family, 4],
  ['remote_ip4', SkBuff.remote_ip4, 4], ['local_ip4', SkBuff.local_ip4, 4], ['remote_ip6', SkBuff.remote_ip6, 4, 4],
  ['local_ip6', SkBuff.local_ip6, 4, 4], ['remote_port', SkBuff.remote_port, 4], ['local_port', SkBuff.local_port, 4],
  ['data_meta', SkBuff.data_meta, 4], ['flow_keys', SkBuff.flow_keys, 8], ['tstamp', SkBuff.tstamp, 8],
  ['wire_len', SkBuff.wire_len, 4], ['gso_segs', SkBuff.gso_segs, 4], ['sk', SkBuff.sk, 8],
  ['gso_size', SkBuff.gso_size, 4], ['tstamp_type', SkBuff.tstamp_type, 1], ['hwtstamp', SkBuff.hwtstamp, 8],
];

/** The socket-address fields only sk_skb and cgroup programs read (family .. local_port). */
const SOCK_FIELDS = new Set(['family', 'remote_ip4', 'local_ip4', 'remote_ip6', 'local_ip6', 'remote_port', 'local_port']);
/** Fields whose loads must be whole (addresses and packet pointers). */
const WHOLE_ONLY = new Set(['remote_ip4', 'local_ip4', 'remote_ip6', 'local_ip6', 'data', 'data_end', 'data_meta',
  'tstamp', 'hwtstamp', 'sk']);

const WRITABLE: Readonly<Record<FieldFlavor, ReadonlySet<string>>> = {
  socket: new Set(['cb']),
  cgroup: new Set(['mark', 'priority', 'cb', 'tstamp']),
  tc: new Set(['mark', 'tc_index', 'priority', 'tc_classid', 'cb', 'tstamp', 'queue_mapping']),
  // sk_skb may set only these two (its cb is the strparser's).
  sk_skb: new Set(['tc_index', 'priority']),
  lwt: new Set(['mark', 'priority', 'cb']),
  flow_dissector: new Set(),
};

/** What the socket / no-metadata hooks hide: no tc class, no metadata, no timestamps or wire length. */
const NO_TC_META_TIME = ['tc_classid', 'data_meta', 'tstamp', 'wire_len', 'hwtstamp'];

const HIDDEN: Readonly<Record<Exclude<FieldFlavor, 'flow_dissector'>, ReadonlySet<string>>> = {
  socket: new Set(['tc_classid', 'data', 'data_meta', 'data_end', ...SOCK_FIELDS, 'tstamp', 'wire_len', 'hwtstamp']),
  cgroup: new Set(['tc_classid', 'data_meta', 'wire_len']),
  tc: new Set([...SOCK_FIELDS]),
  // sk_skb reads the socket's addresses but not the mark (the skb's is not its own yet).
  sk_skb: new Set([...NO_TC_META_TIME, 'mark']),
  lwt: new Set([...NO_TC_META_TIME, ...SOCK_FIELDS]),
};

/** The flow dissector sees only the packet and its keys: its context is not an skb at all. */
const FLOW_DISSECTOR_READS = new Set(['data', 'data_end', 'flow_keys']);

/** sizeof(struct bpf_flow_keys). */
export const FLOW_KEYS_SIZE = 56;

const POINTERS: Readonly<Record<string, ContextField['pointer']>> = {
  data: ContextPointer.PACKET,
  data_end: ContextPointer.PACKET_END,
  data_meta: ContextPointer.PACKET_META,
  sk: ContextPointer.SOCKET_OR_NULL,
  flow_keys: ContextPointer.FLOW_KEYS,
};

const NONE: Rule = { read: false, write: false, narrow: false };

function rule(flavor: FieldFlavor, name: string): Rule {
  if (flavor === 'flow_dissector') return FLOW_DISSECTOR_READS.has(name) ? { read: true, write: false, narrow: false } : NONE;
  // Never accessible to the others: the flow dissector's keys, and tstamp_type outside
  // tc (tc reads it as one byte).
  if (name === 'flow_keys' || (name === 'tstamp_type' && flavor !== 'tc')) return NONE;
  if (HIDDEN[flavor].has(name)) return NONE;
  const write = WRITABLE[flavor].has(name) && name !== 'sk' && name !== 'hwtstamp';
  return { read: true, write, narrow: !WHOLE_ONLY.has(name) };
}

/** `__sk_buff` as a program of this flavour may access it. */
export function skbLayout(flavor: SkbFlavor): ContextLayout {
  const fields: ContextField[] = [];
  for (const [name, offset, size, count] of SHAPE) {
    const r = rule(flavor === 'lwt_xmit' ? 'lwt' : flavor, name);
    const pointer = POINTERS[name];
    const options = {
      read: r.read, write: r.write, narrow: r.narrow,
      ...(pointer && r.read ? { pointer } : {}),
      ...(pointer === ContextPointer.FLOW_KEYS ? { pointeeSize: FLOW_KEYS_SIZE } : {}),
    };
    if (name === 'cb') {
      // cb is 20 plain bytes to bpf_skb_is_valid_access: any aligned access inside it,
      // 8-byte ones across two elements included ('cb:u64[i]', no C member), and
      // stores of any size where it is writable.
      const bytes = { ...options, narrowWrite: true };
      fields.push(...arrayFields(name, offset, size, count!, bytes), ...arrayFields('cb:u64', offset, 8, 2, bytes));
    } else if (count) fields.push(...arrayFields(name, offset, size, count, options));
    else fields.push(field(name, offset, size, options));
  }
  // may_access_direct_pkt_data: these hooks read the packet but may not change it.
  const packetReadOnly = flavor === 'cgroup' || flavor === 'lwt' || flavor === 'flow_dissector';
  return { name: '__sk_buff', size: SkBuff.SIZE, fields, ...(packetReadOnly ? { packetReadOnly } : {}) };
}
