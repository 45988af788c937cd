/**
 * The lightweight tunnel hooks a route's `encap bpf` runs: LWT_IN (input), LWT_OUT
 * (output), LWT_XMIT (transmit) and LWT_SEG6LOCAL (an SRv6 End.BPF action). All four
 * see `__sk_buff` under `lwt_is_valid_access` (skb-layout.ts's `lwt` flavour: mark,
 * priority and cb writable, no socket addresses, tc class, metadata or timestamps);
 * only LWT_XMIT may write the packet directly (may_access_direct_pkt_data), and
 * check_return_code demands nothing of r0.
 *
 * Linux 6.18 test-runs lwt_in, lwt_out and lwt_xmit with `bpf_prog_test_run_skb`,
 * from the network header as cgroup_skb programs (skb.ts's harness); lwt_seg6local
 * has no test_run there (-ENOTSUPP, measured), and ebee runs it with the same harness,
 * saying `linuxTestRun: false`.
 */
import { ProgramType } from '../elf/index.js';
import { skbType } from './skb.js';

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
