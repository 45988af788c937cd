/**
 * libbpf's argument tags: `arg:VALUE` BTF decl tags on a global function's parameter
 * (`__arg_ctx`, `__arg_nonnull`, `__arg_nullable`, `__arg_trusted`, `__arg_untrusted`,
 * `__arg_arena`), which Linux reads in btf_prepare_func_args (kernel/bpf/btf.c) and
 * which take precedence over the parameter's type. This file reads them and decides
 * the pointer cases ebee cannot model or Linux refuses, in the kernel's order and
 * words; global-funcs.ts decides the rest (context, memory, scalars).
 */
import { BtfKind, type Btf } from '../btf/index.js';
import type { GlobalArg } from '../verifier/index.js';

/** The tag values Linux 6.18 knows; any other refuses the function. */
const TAGS = ['ctx', 'nonnull', 'nullable', 'trusted', 'untrusted', 'arena'] as const;
export type ArgTag = (typeof TAGS)[number];

/** The tags on parameter `index` of FUNC `funcId`, or 'unknown' when one is none of TAGS. */
export function argTagsOf(btf: Btf, funcId: number, index: number): ReadonlySet<ArgTag> | 'unknown' {
  const out = new Set<ArgTag>();
  for (const t of btf.types) {
    if (!t || t.kind !== BtfKind.DECL_TAG || t.type !== funcId || t.componentIdx !== index || !t.name.startsWith('arg:')) continue;
    const value = t.name.slice(4);
    if (!(TAGS as readonly string[]).includes(value)) return 'unknown';
    out.add(value as ArgTag);
  }
  return out;
}

export const invalidArg = (reason: string): GlobalArg => ({ kind: 'invalid', reason });

/**
 * A tagged pointer that is neither the context nor a dynptr: refused (kernel objects and
 * arenas need what ebee has no model of: the kernel's BTF, an arena map) or undefined
 * when it is plain memory. Each combination Linux refuses gets its message.
 */
export function refusedPointer(index: number, tags: ReadonlySet<ArgTag>): GlobalArg | undefined {
  const only = (tag: ArgTag): boolean => tags.size === 1 && tags.has(tag);
  if (tags.has('trusted')) {
    if (tags.has('nonnull')) return invalidArg(`arg#${index} has invalid combination of tags`);
    return invalidArg(`arg#${index} is a trusted kernel pointer (arg:trusted), which needs the kernel's BTF; ebee does not model it`);
  }
  if (tags.has('untrusted')) {
    if (!only('untrusted')) return invalidArg(`arg#${index} untrusted cannot be combined with any other tags`);
    return invalidArg(`arg#${index} is an untrusted kernel pointer (arg:untrusted), which ebee does not model`);
  }
  if (tags.has('arena')) {
    if (!only('arena')) return invalidArg(`arg#${index} arena cannot be combined with any other tags`);
    return invalidArg(`arg#${index} is an arena pointer (arg:arena), which ebee does not model`);
  }
  // Memory may be NULL unless tagged nonnull; `arg:nullable` is for trusted pointers only.
  if (tags.has('nullable')) return invalidArg(`arg#${index} has invalid combination of tags`);
  return undefined;
}
