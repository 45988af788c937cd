/**
 * Small programs for the newly modelled program types, each with the verdict Linux
 * 6.18's verifier gives it (measured with context-kernel.test.ts): what a program may
 * do with the pointers its context gives (packet bounds and writes, sockets with and
 * without NULL checks, flow keys), what it may write, and what it may return.
 * `ebeeSays` is a part of ebee's message for a rejection, so a case cannot pass by
 * failing for another reason.
 */
import { AttachType as A, ProgramType as T } from '../elf/index.js';

export interface ContextCase {
  readonly label: string;
  readonly type: number;
  readonly attach: number;
  readonly text: string;
  readonly ok: boolean;
  readonly ebeeSays?: string;
}

/** Every type and attach type whose context the access matrix covers. */
export const NEW_TYPES: ReadonlyArray<{ readonly label: string; readonly type: number; readonly attach: number }> = [
  { label: 'sk_skb', type: T.SK_SKB, attach: A.SK_SKB_STREAM_VERDICT },
  { label: 'sk_msg', type: T.SK_MSG, attach: A.SK_MSG_VERDICT },
  { label: 'lwt_in', type: T.LWT_IN, attach: 0 },
  { label: 'lwt_out', type: T.LWT_OUT, attach: 0 },
  { label: 'lwt_xmit', type: T.LWT_XMIT, attach: 0 },
  { label: 'lwt_seg6local', type: T.LWT_SEG6LOCAL, attach: 0 },
  { label: 'cgroup_device', type: T.CGROUP_DEVICE, attach: A.CGROUP_DEVICE },
  { label: 'cgroup_sysctl', type: T.CGROUP_SYSCTL, attach: A.CGROUP_SYSCTL },
  { label: 'cgroup_getsockopt', type: T.CGROUP_SOCKOPT, attach: A.CGROUP_GETSOCKOPT },
  { label: 'cgroup_setsockopt', type: T.CGROUP_SOCKOPT, attach: A.CGROUP_SETSOCKOPT },
  { label: 'flow_dissector', type: T.FLOW_DISSECTOR, attach: A.FLOW_DISSECTOR },
];

/** Loads of the packet bounds: `__sk_buff` (u32 at 76/80), or 8-byte pointers at `data`/`end`. */
function bounds(data: number, end: number, wide: boolean): string {
  const s = wide ? 'u64' : 'u32';
  return `r2 = *(${s} *)(r1 + ${data})\nr3 = *(${s} *)(r1 + ${end})\n`;
}

/** Checks 4 bytes from the packet start, then `body` (r2 = data); returns 0. */
function packet(data: number, end: number, wide: boolean, body: string): string {
  return `${bounds(data, end, wide)}r4 = r2\nr4 += 4\nif r4 > r3 goto out\n${body}\nout:\nr0 = 0\nexit`;
}

const READ4 = 'r5 = *(u32 *)(r2 + 0)';
const WRITE1 = 'r5 = 1\n*(u8 *)(r2 + 0) = r5';
const PAST = 'r5 = *(u32 *)(r2 + 1)';
const SKB = [76, 80, false] as const;
const MSG = [0, 8, true] as const;
const OPTVAL = [8, 16, true] as const;
/** Reads bpf_sock.family through the socket pointer loaded from `off`, with or without a NULL check first. */
const sockFamily = (off: number, check: boolean): string =>
  `r2 = *(u64 *)(r1 + ${off})\n${check ? 'if r2 == 0 goto out\n' : ''}r0 = *(u32 *)(r2 + 4)\nout:\nr0 = 0\nexit`;
const ret = (v: number): string => `r0 = ${v}\nexit`;
/** r2 = flow_keys. */
const KEYS = 'r2 = *(u64 *)(r1 + 144)\n';

function cases(): ContextCase[] {
  const out: ContextCase[] = [];
  const add = (label: string, type: number, attach: number, text: string, ok: boolean, ebeeSays?: string): void => {
    out.push({ label, type, attach, text, ok, ...(ebeeSays ? { ebeeSays } : {}) });
  };
  const V = A.SK_SKB_STREAM_VERDICT;
  add('sk_skb reads the packet after a bounds check', T.SK_SKB, V, packet(...SKB, READ4), true);
  add('sk_skb stream parser reads the packet', T.SK_SKB, A.SK_SKB_STREAM_PARSER, packet(...SKB, READ4), true);
  add('sk_skb writes the packet', T.SK_SKB, V, packet(...SKB, WRITE1), true);
  add('sk_skb reads past the checked bound', T.SK_SKB, V, packet(...SKB, PAST), false, 'invalid access to packet');
  add('sk_skb reads sk without a NULL check', T.SK_SKB, V, sockFamily(168, false), false, 'invalid mem access');
  add('sk_skb reads sk after a NULL check', T.SK_SKB, V, sockFamily(168, true), true);
  add('sk_skb returns 7 (no range)', T.SK_SKB, V, ret(7), true);
  add('sk_skb takes data < data_end as proving no byte', T.SK_SKB, V,
    `${bounds(...SKB)}if r2 >= r3 goto out\n${READ4.replace('u32', 'u8')}\nout:\nr0 = 0\nexit`, false, 'invalid access to packet');

  const M = A.SK_MSG_VERDICT;
  add('sk_msg reads the message after a bounds check', T.SK_MSG, M, packet(...MSG, READ4), true);
  add('sk_msg writes the message', T.SK_MSG, M, packet(...MSG, WRITE1), true);
  add('sk_msg reads past the checked bound', T.SK_MSG, M, packet(...MSG, PAST), false, 'invalid access to packet');
  add('sk_msg reads sk without a NULL check (never NULL)', T.SK_MSG, M, sockFamily(72, false), true);
  add('sk_msg writes through sk', T.SK_MSG, M, 'r2 = *(u64 *)(r1 + 72)\nr3 = 1\n*(u32 *)(r2 + 4) = r3\nr0 = 1\nexit',
    false, 'invalid sock access');
  add('sk_msg returns 3 (no range)', T.SK_MSG, M, ret(3), true);

  for (const [name, type] of [['lwt_in', T.LWT_IN], ['lwt_out', T.LWT_OUT], ['lwt_seg6local', T.LWT_SEG6LOCAL]] as const) {
    add(`${name} reads the packet`, type, 0, packet(...SKB, READ4), true);
    add(`${name} may not write the packet`, type, 0, packet(...SKB, WRITE1), false, 'cannot write into packet');
    add(`${name} returns 128 (no range)`, type, 0, ret(128), true);
  }
  add('lwt_xmit writes the packet', T.LWT_XMIT, 0, packet(...SKB, WRITE1), true);
  add('lwt_xmit reads past the checked bound', T.LWT_XMIT, 0, packet(...SKB, PAST), false, 'invalid access to packet');
  add('lwt_in reads sk after a NULL check', T.LWT_IN, 0, sockFamily(168, true), true);
  add('lwt_out reads sk without a NULL check', T.LWT_OUT, 0, sockFamily(168, false), false, 'invalid mem access');

  const F = A.FLOW_DISSECTOR;
  const FD = T.FLOW_DISSECTOR;
  add('flow_dissector reads and writes its keys', FD, F,
    `${KEYS}r3 = *(u16 *)(r2 + 0)\n*(u16 *)(r2 + 2) = r3\n*(u32 *)(r2 + 16) = r3\nr3 = *(u32 *)(r2 + 52)\nr0 = 0\nexit`, true);
  add('flow_dissector moves its keys pointer by constants', FD, F,
    `${KEYS}r2 += 60\nr0 = *(u8 *)(r2 - 8)\nr2 += -8\n*(u32 *)(r2 + 0) = r0\nr0 = 0\nexit`, true);
  add('flow_dissector reads past its keys', FD, F, `${KEYS}r0 = *(u8 *)(r2 + 56)\nr0 = 0\nexit`, false, 'invalid access to flow keys');
  add('flow_dissector writes before its keys', FD, F, `${KEYS}r3 = 0\n*(u8 *)(r2 - 1) = r3\nr0 = 0\nexit`, false, 'invalid access to flow keys');
  add('flow_dissector moves its keys by a variable', FD, F,
    `${KEYS}r3 = *(u16 *)(r2 + 0)\nr3 &= 7\nr2 += r3\nr0 = *(u8 *)(r2 + 0)\nr0 = 0\nexit`, false, 'pointer arithmetic on flow_keys prohibited');
  add('flow_dissector adds to its keys atomically', FD, F,
    `${KEYS}r3 = 1\nlock *(u32 *)(r2 + 16) += r3\nr0 = 0\nexit`, false, 'BPF_ATOMIC stores');
  add('flow_dissector hands its keys to bpf_skb_load_bytes', FD, F,
    `${KEYS}r3 = r2\nr2 = 0\nr4 = 4\ncall 26\nr0 = 0\nexit`, false, 'expected=');
  add('flow_dissector loads bytes into the stack', FD, F,
    'r3 = r10\nr3 += -8\nr2 = 0\nr4 = 4\ncall 26\nr0 = 0\nexit', true);
  add('flow_dissector stores its keys pointer in its keys (root may)', FD, F, `${KEYS}*(u64 *)(r2 + 16) = r2\nr0 = 0\nexit`, true);
  add('flow_dissector reads the packet', FD, F, packet(...SKB, READ4), true);
  // data + nhoff + 20 < 64 KiB must be known before a comparison with data_end says anything.
  const atNhoff = (mask: number): string => `r6 = *(u64 *)(r1 + 144)\n${bounds(...SKB)}r5 = *(u16 *)(r6 + 0)\n` +
    `r5 &= ${mask}\nr2 += r5\nr4 = r2\nr4 += 20\nif r4 > r3 goto out\nr0 = *(u8 *)(r2 + 9)\nout:\nr0 = 0\nexit`;
  add('flow_dissector reads at a bounded nhoff', FD, F, atNhoff(0x3ff), true);
  add('flow_dissector reads at an unbounded nhoff', FD, F, atNhoff(0xffff), false, 'invalid access to packet');
  add('flow_dissector may not write the packet', FD, F, packet(...SKB, WRITE1), false, 'cannot write into packet');
  add('flow_dissector returns 129 (no range)', FD, F, ret(129), true);

  const DEV = T.CGROUP_DEVICE;
  const D = A.CGROUP_DEVICE;
  add('cgroup_device reads the access type in part and allows', DEV, D, 'r0 = *(u16 *)(r1 + 2)\nr0 = 1\nexit', true);
  add('cgroup_device returns 2', DEV, D, ret(2), false, 'exit');
  add('cgroup_device returns the major number', DEV, D, 'r0 = *(u32 *)(r1 + 4)\nexit', false, 'exit');
  add('cgroup_device returns the major number\'s low bit', DEV, D, 'r0 = *(u32 *)(r1 + 4)\nr0 &= 1\nexit', true);
  add('cgroup_device calls bpf_get_retval', DEV, D, 'call 186\nr0 = 1\nexit', true);
  add('cgroup_device without an attach type calls bpf_get_retval', DEV, 0, 'call 186\nr0 = 1\nexit', false, 'get_retval');

  const SY = T.CGROUP_SYSCTL;
  const S = A.CGROUP_SYSCTL;
  add('cgroup_sysctl moves file_pos', SY, S, 'r2 = 0\n*(u32 *)(r1 + 4) = r2\nr0 = 1\nexit', true);
  add('cgroup_sysctl writes write', SY, S, 'r2 = 0\n*(u32 *)(r1 + 0) = r2\nr0 = 1\nexit', false, 'invalid bpf_context access');
  add('cgroup_sysctl returns 2', SY, S, ret(2), false, 'exit');

  const SO = T.CGROUP_SOCKOPT;
  const G = A.CGROUP_GETSOCKOPT;
  const SS = A.CGROUP_SETSOCKOPT;
  add('getsockopt reads the option after a bounds check', SO, G, packet(...OPTVAL, READ4), true);
  add('getsockopt writes the option', SO, G, packet(...OPTVAL, WRITE1), true);
  add('setsockopt writes the option', SO, SS, packet(...OPTVAL, WRITE1), true);
  add('getsockopt reads past the checked bound', SO, G, packet(...OPTVAL, PAST), false, 'invalid access to packet');
  add('getsockopt reads sk without a NULL check (never NULL)', SO, G, sockFamily(0, false), true);
  add('getsockopt sets retval', SO, G, 'r2 = 0\n*(u32 *)(r1 + 36) = r2\nr0 = 1\nexit', true);
  add('setsockopt sets retval', SO, SS, 'r2 = 0\n*(u32 *)(r1 + 36) = r2\nr0 = 1\nexit', false, 'invalid bpf_context access');
  add('setsockopt rewrites level and optname', SO, SS, 'r2 = 1\n*(u32 *)(r1 + 24) = r2\n*(u32 *)(r1 + 28) = r2\nr0 = 1\nexit', true);
  add('getsockopt rewrites level', SO, G, 'r2 = 1\n*(u32 *)(r1 + 24) = r2\nr0 = 1\nexit', false, 'invalid bpf_context access');
  add('setsockopt sets optlen', SO, SS, 'r2 = -1\n*(u32 *)(r1 + 32) = r2\nr0 = 1\nexit', true);
  add('getsockopt returns 2', SO, G, ret(2), false, 'exit');
  add('getsockopt calls bpf_get_retval', SO, G, 'call 186\nr0 = 1\nexit', true);
  return out;
}

export const CONTEXT_CASES: readonly ContextCase[] = cases();
