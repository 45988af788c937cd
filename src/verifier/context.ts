/**
 * What the verifier needs to know about a program type's context, as plain data.
 * `progs/` describes each program type's context struct (xdp_md, __sk_buff, pt_regs...)
 * with these shapes and hands them to the verifier; the verifier never imports
 * `progs/` (it sits above it), so this file is the contract between the two.
 */

/** What a load of a field yields besides a scalar. */
export const ContextPointer = {
  /** Start of packet data (xdp_md.data, __sk_buff.data). */
  PACKET: 'packet',
  /** One past the packet's last byte (data_end). */
  PACKET_END: 'packet_end',
  /** Start of packet metadata (data_meta). */
  PACKET_META: 'packet_meta',
  /** A socket (__sk_buff.sk), may be NULL. */
  SOCKET_OR_NULL: 'socket_or_null',
  /** A socket the hook always has (sk_msg_md.sk, bpf_sockopt.sk): Linux's PTR_TO_SOCKET, no NULL check needed. */
  SOCKET: 'socket',
  /**
   * The flow dissector's `struct bpf_flow_keys` (__sk_buff.flow_keys): PTR_TO_FLOW_KEYS,
   * read and written at constant offsets inside `pointeeSize` bytes, never handed to helpers.
   */
  FLOW_KEYS: 'flow_keys',
} as const;
export type ContextPointerValue = typeof ContextPointer[keyof typeof ContextPointer];

/** One field of a context struct. */
export interface ContextField {
  readonly name: string;
  /** Byte offset in the struct. */
  readonly offset: number;
  /** Field size in bytes (1, 2, 4 or 8; arrays such as `cb[5]` are one field per element). */
  readonly size: number;
  readonly readable: boolean;
  readonly writable: boolean;
  /**
   * Loads narrower than the field (a byte or half of a u32) are allowed, as Linux
   * allows for most scalar fields; never for pointer fields.
   */
  readonly narrowReads: boolean;
  /**
   * Stores narrower than the field are allowed too (__sk_buff.cb, plain bytes to
   * Linux); otherwise a store must be the whole field.
   */
  readonly narrowWrites?: boolean;
  /** Set when a full-size load yields a pointer rather than a scalar. */
  readonly pointer?: ContextPointerValue;
  /** FLOW_KEYS pointers: the bytes the pointer may address. */
  readonly pointeeSize?: number;
}

/** A program type's context as the verifier checks accesses to it. */
export interface ContextLayout {
  /** The C struct's name, for messages (`xdp_md`, `__sk_buff`, `pt_regs`). */
  readonly name: string;
  /** Bytes a program may address (accesses at or past this are rejected). */
  readonly size: number;
  readonly fields: readonly ContextField[];
  /**
   * The packet behind the data pointers may be read but not written (Linux's
   * may_access_direct_pkt_data: cgroup_skb, lwt_in/out/seg6local, flow_dissector).
   */
  readonly packetReadOnly?: boolean;
}
