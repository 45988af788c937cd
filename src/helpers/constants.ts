/**
 * Numbers the helpers use, with Linux's values (`include/uapi/linux/bpf.h`,
 * `include/uapi/asm-generic/errno*.h`, `include/uapi/linux/pkt_cls.h`).
 */

/** errno values the helpers return (negated). */
export const HErrno = {
  EPERM: 1,
  ENOENT: 2,
  E2BIG: 7,
  EAGAIN: 11,
  ENOMEM: 12,
  EFAULT: 14,
  EBUSY: 16,
  EEXIST: 17,
  EINVAL: 22,
  ENOSPC: 28,
  ERANGE: 34,
  EACCES: 13,
  EOPNOTSUPP: 95,
  EAFNOSUPPORT: 97,
  ENOTSUPP: 524,
} as const;

/** Linux's MAX_TAIL_CALL_CNT: tail calls a run may chain. */
export const MAX_TAIL_CALL_CNT = 33;
/** bpf_loop's limit on nr_loops (BPF_MAX_LOOPS). */
export const BPF_MAX_LOOPS = 1 << 23;
/** Offset of `hash` in struct __sk_buff (the helpers that set or clear the hash write it there). */
export const SK_BUFF_HASH = 68;
/** ETH_HLEN: the smallest packet XDP helpers leave. */
export const ETH_HLEN = 14;
/** sizeof(struct xdp_frame) on x86-64: the head of the XDP buffer helpers may not move data into. */
export const XDP_FRAME_SIZE = 40;
/** Largest XDP metadata area (bytes, a multiple of 4). */
export const XDP_META_MAX = 32;

/** Flags of skb_store_bytes (BPF_F_RECOMPUTE_CSUM, BPF_F_INVALIDATE_HASH). */
export const StoreFlag = {
  RECOMPUTE_CSUM: 1 << 0,
  INVALIDATE_HASH: 1 << 1,
} as const;

/** Flags of l3/l4_csum_replace. */
export const CsumFlag = {
  /** The size of the replaced field: 0 (from is 0, to is a csum_diff), 2 or 4. */
  HDR_FIELD_MASK: 0xf,
  /** The field is part of the pseudo-header (affects CHECKSUM_COMPLETE skbs only). */
  PSEUDO_HDR: 1 << 4,
  /** UDP: a zero checksum means "none" and stays zero; a result of 0 is written as 0xffff. */
  MARK_MANGLED_0: 1 << 5,
  /** With MARK_MANGLED_0: update even a zero checksum. */
  MARK_ENFORCE: 1 << 6,
} as const;
/** The checksum written for a computed 0 with BPF_F_MARK_MANGLED_0. */
export const CSUM_MANGLED_0 = 0xffff;

/** Flags of bpf_get_stack / bpf_get_stackid. */
export const StackFlag = {
  /** Frames to skip (0-255). */
  SKIP_FIELD_MASK: 0xff,
  USER_STACK: 1 << 8,
  /** get_stackid: compare stacks by hash only. */
  FAST_STACK_CMP: 1 << 9,
  /** get_stackid: replace a different stack with the same hash. */
  REUSE_STACKID: 1 << 10,
  /** get_stack: struct bpf_stack_build_id entries (user stacks only). */
  USER_BUILD_ID: 1 << 11,
} as const;
/** sizeof(struct bpf_stack_build_id). */
export const STACK_BUILD_ID_SIZE = 32;

/** bpf_redirect's only flag for skbs: deliver to the device's ingress. */
export const BPF_F_INGRESS = 1;

/** tc actions (TC_ACT_*) the skb helpers return. */
export const TcAction = {
  OK: 0,
  SHOT: 2,
  REDIRECT: 7,
} as const;

/** Flags of bpf_fib_lookup (BPF_FIB_LOOKUP_*). */
export const FibFlag = {
  DIRECT: 1 << 0,
  OUTPUT: 1 << 1,
  SKIP_NEIGH: 1 << 2,
  TBID: 1 << 3,
  SRC: 1 << 4,
} as const;

/** bpf_fib_lookup's positive results (BPF_FIB_LKUP_RET_*). */
export const FibResult = {
  SUCCESS: 0,
  BLACKHOLE: 1,
  UNREACHABLE: 2,
  PROHIBIT: 3,
  NOT_FWDED: 4,
  FWD_DISABLED: 5,
  UNSUPP_LWT: 6,
  NO_NEIGH: 7,
  FRAG_NEEDED: 8,
  NO_SRC_ADDR: 9,
} as const;

/** Address families of struct bpf_fib_lookup. */
export const AF_INET = 2;
export const AF_INET6 = 10;
