/** How the corpus tests type ebpf-samples programs whose section names no type. */

/**
 * The program type of a section that names none. The corpus's expectations follow its
 * own convention (PREVAIL's): cilium objects named for XDP hold XDP programs, other
 * cilium objects tc programs. Elsewhere such sections (`.text` functions) are verified
 * as sched_cls, the type with the widest context and helper list among those that
 * take an skb (PREVAIL's default, socket_filter, may call few helpers in Linux).
 */
export function corpusFallbackType(project: string, file: string): string {
  return project.includes('cilium') && file.includes('xdp') ? 'xdp' : 'sched_cls';
}
