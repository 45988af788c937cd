/**
 * The sockmap program types: SK_SKB (stream parser and verdict programs, an
 * `__sk_buff` context with `sk_skb_is_valid_access`'s rules, see skb-layout.ts) and
 * SK_MSG (`struct sk_msg_md`, `sk_msg_is_valid_access` in net/core/filter.c).
 *
 * Linux has no BPF_PROG_TEST_RUN for either (sk_skb_prog_ops and sk_msg_prog_ops
 * leave test_run unset: -ENOTSUPP); ebee gives them the plain harness (plain.ts), so
 * their logic can be unit-tested with a context and no packet (the data pointers are
 * zero, so every packet bounds check fails).
 *
 * check_return_code leaves both alone: a stream parser returns a length, a verdict
 * SK_PASS / SK_DROP, and nothing checks r0.
 */
import { ProgramType } from '../elf/index.js';
import { ContextPointer, type ContextLayout } from '../verifier/context.js';
import { arrayFields, field } from './layout.js';
import { helpersFor } from './helpers.js';
import { plainSetup } from './plain.js';
import { SkBuff, skbLayout } from './skb-layout.js';
import type { ProgramTypeInfo } from './types.js';

/** `enum sk_action`: what sockmap verdict programs return. */
export const SkAction = { SK_DROP: 0, SK_PASS: 1 } as const;

/** `struct sk_msg_md` offsets (include/uapi/linux/bpf.h). */
export const SkMsgMd = {
  /** `void *`, 8 bytes (`__bpf_md_ptr`). */
  data: 0,
  data_end: 8,
  family: 16, remote_ip4: 20, local_ip4: 24,
  /** `__u32 remote_ip6[4]`. */
  remote_ip6: 28,
  /** `__u32 local_ip6[4]`. */
  local_ip6: 44,
  remote_port: 60, local_port: 64,
  /** Total size of the message. */
  size: 68,
  /** `struct bpf_sock *`, the socket sending the message: never NULL. */
  sk: 72,
  SIZE: 80,
} as const;

/**
 * sk_msg_is_valid_access: nothing is writable; the data pointers and the socket are
 * whole 8-byte loads (the socket is Linux's PTR_TO_SOCKET, no NULL check needed); the
 * address fields and `size` are whole u32 loads, never narrower.
 */
function skMsgLayout(): ContextLayout {
  const M = SkMsgMd;
  const whole = { narrow: false } as const;
  return {
    name: 'sk_msg_md', size: M.SIZE,
    fields: [
      field('data', M.data, 8, { pointer: ContextPointer.PACKET }),
      field('data_end', M.data_end, 8, { pointer: ContextPointer.PACKET_END }),
      field('family', M.family, 4, whole), field('remote_ip4', M.remote_ip4, 4, whole),
      field('local_ip4', M.local_ip4, 4, whole),
      ...arrayFields('remote_ip6', M.remote_ip6, 4, 4, whole), ...arrayFields('local_ip6', M.local_ip6, 4, 4, whole),
      field('remote_port', M.remote_port, 4, whole), field('local_port', M.local_port, 4, whole),
      field('size', M.size, 4, whole),
      field('sk', M.sk, 8, { pointer: ContextPointer.SOCKET }),
    ],
  };
}

const SK_SKB_LAYOUT = skbLayout('sk_skb');
const SK_MSG_LAYOUT = skMsgLayout();

/** Stream parsers and verdict programs see the same context and helpers. */
export const SK_SKB: ProgramTypeInfo = {
  type: ProgramType.SK_SKB, name: 'sk_skb', names: ['sk_skb'], context: SK_SKB_LAYOUT,
  helpers: helpersFor(ProgramType.SK_SKB), returnCodes: SkAction,
  linuxTestRun: false, repeatAllowed: true, setup: plainSetup(SK_SKB_LAYOUT, SkBuff.SIZE, true),
};

export const SK_MSG: ProgramTypeInfo = {
  type: ProgramType.SK_MSG, name: 'sk_msg', names: ['sk_msg'], context: SK_MSG_LAYOUT,
  helpers: helpersFor(ProgramType.SK_MSG), returnCodes: SkAction,
  linuxTestRun: false, repeatAllowed: true, setup: plainSetup(SK_MSG_LAYOUT, SkMsgMd.SIZE, false),
};
