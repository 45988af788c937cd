/** The program types ebee runs, found by number, name or ELF section name. */
import { programTypeForSection, programTypeName, type SectionRuleOptions } from '../elf/index.js';
import { Errno } from '../maps/index.js';
import { ProgError, ProgErrorCode } from './errors.js';
import { CGROUP_SKB, LWT_IN, LWT_OUT, LWT_SEG6LOCAL, LWT_XMIT, SCHED_ACT, SCHED_CLS, SOCKET_FILTER } from './skb.js';
import { KPROBE, RAW_TRACEPOINT, SYSCALL, TRACEPOINT } from './tracing.js';
import { XDP } from './xdp.js';
import { CGROUP_SOCK, CGROUP_SOCK_ADDR, SOCK_OPS } from './sock.js';
import { PERF_EVENT, TRACING } from './perf-tracing.js';
import { SK_MSG, SK_SKB } from './sockmap.js';
import { CGROUP_DEVICE, CGROUP_SOCKOPT, CGROUP_SYSCTL } from './cgroup.js';
import { FLOW_DISSECTOR } from './flow-dissector.js';
import type { ProgramTypeInfo } from './types.js';

/** Every program type with a context and harness, in `enum bpf_prog_type` order. */
export const PROGRAM_TYPES: readonly ProgramTypeInfo[] = [
  SOCKET_FILTER, KPROBE, SCHED_CLS, SCHED_ACT, TRACEPOINT, XDP, PERF_EVENT, CGROUP_SKB, CGROUP_SOCK, LWT_IN,
  LWT_OUT, LWT_XMIT, SOCK_OPS, SK_SKB, CGROUP_DEVICE, SK_MSG, RAW_TRACEPOINT, CGROUP_SOCK_ADDR, LWT_SEG6LOCAL,
  FLOW_DISSECTOR, CGROUP_SYSCTL, CGROUP_SOCKOPT, TRACING, SYSCALL,
];

/** Names the CLI accepts (`xdp`, `tc`, `socket`, `kprobe`...). */
export const PROGRAM_TYPE_NAMES: readonly string[] = PROGRAM_TYPES.flatMap((t) => t.names);

/** The type by `enum bpf_prog_type` number or by one of its names; UNSUPPORTED_TYPE otherwise. */
export function programType(typeOrName: number | string): ProgramTypeInfo {
  const found = typeof typeOrName === 'number'
    ? PROGRAM_TYPES.find((t) => t.type === typeOrName)
    : PROGRAM_TYPES.find((t) => t.names.includes(typeOrName.toLowerCase()));
  if (found) return found;
  if (typeof typeOrName === 'number') {
    throw new ProgError(ProgErrorCode.UNSUPPORTED_TYPE,
      `program type ${programTypeName(typeOrName)} (${typeOrName}) has no context model in ebee yet`, { errno: Errno.ENOTSUPP });
  }
  throw new ProgError(ProgErrorCode.UNSUPPORTED_TYPE,
    `unknown program type '${typeOrName}' (known: ${PROGRAM_TYPE_NAMES.join(', ')})`);
}

/**
 * The type as a program loaded with `expectedAttachType` sees it (its context, return
 * range and helpers may depend on it); the type itself when nothing does.
 */
export function programTypeFor(typeOrName: number | string, expectedAttachType: number | undefined): ProgramTypeInfo {
  const info = programType(typeOrName);
  return expectedAttachType !== undefined && info.forAttach ? info.forAttach(expectedAttachType) : info;
}

/** The type libbpf's section-name rules give `section` (`xdp`, `tc/ingress`, `kprobe/do_exit`...). */
export function programTypeForSectionName(section: string, options: SectionRuleOptions = {}): ProgramTypeInfo {
  const rule = programTypeForSection(section, options);
  if (!rule || rule.type === 0) {
    throw new ProgError(ProgErrorCode.UNSUPPORTED_TYPE, `section '${section}' names no program type libbpf knows`);
  }
  return programTypeFor(rule.type, rule.expectedAttachType);
}
