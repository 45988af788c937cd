/**
 * Global functions of a linked program, typed from BTF as Linux does before verifying
 * them on their own (btf_prepare_func_args in kernel/bpf/btf.c, for global linkage):
 * the return type must be an integer or enum; an integer or enum argument is a scalar;
 * a pointer to the program type's context struct is the context; any other pointer is
 * memory of its pointee's size that may be NULL; anything else is refused. Without BTF
 * func info every function is static (verified in its callers' context), as for the
 * kernel when a loader passes no func_info.
 *
 * `arg:` decl tags (arg-tags.ts) come first, as in the kernel: `arg:ctx` makes a
 * pointer the context (arg-ctx.ts says which pointers may carry it), `arg:nonnull`
 * makes memory callers must pass non-NULL, so the callee need not check. Tags on
 * static functions are not read: Linux ignores them there too.
 */
import { BtfKind, BtfFuncLinkage, BTF_KIND_NAMES, type Btf, type BtfType } from '../btf/index.js';
import type { GlobalArg, GlobalFunction } from '../verifier/index.js';
import { ctxTagProblem, type ContextOf } from './arg-ctx.js';
import { argTagsOf, invalidArg, refusedPointer } from './arg-tags.js';

/** Linux's MAX_BPF_FUNC_REG_ARGS. */
const MAX_ARGS = 5;

/** Kernel structs that stand for a context struct (btf_is_projection_of). */
const PROJECTIONS: Readonly<Record<string, string>> = { __sk_buff: 'sk_buff', xdp_md: 'xdp_buff' };

function isScalarType(t: BtfType): boolean {
  return t.kind === BtfKind.INT || t.kind === BtfKind.ENUM || t.kind === BtfKind.ENUM64;
}

function label(t: BtfType): string {
  return `${(BTF_KIND_NAMES[t.kind] ?? 'UNKNOWN').toUpperCase()} ${t.name}`.trim();
}

/** Whether pointer type `ptrId` points to the context struct `ctxName` (btf_is_prog_ctx_type). */
function pointsToContext(btf: Btf, ptrId: number, ctxName: string): boolean {
  const ptr = btf.typeById(ptrId);
  if (ptr.kind !== BtfKind.PTR) return false;
  // kprobes take `bpf_user_pt_regs_t *`, a typedef of the architecture's pt_regs.
  const named = btf.typeById(btf.skipModifiers(ptr.type));
  if (ctxName === 'pt_regs' && named.kind === BtfKind.TYPEDEF && named.name === 'bpf_user_pt_regs_t') return true;
  const target = btf.resolve(ptr.type);
  if (target.kind !== BtfKind.STRUCT) return false;
  return target.name === ctxName || PROJECTIONS[ctxName] === target.name;
}

function argOf(btf: Btf, funcId: number, index: number, typeId: number, ctx: ContextOf): GlobalArg {
  const fn = btf.typeById(funcId).name;
  if (typeId === 0) return invalidArg(`Global function ${fn}() has a variadic argument`);
  const tags = argTagsOf(btf, funcId, index);
  if (tags === 'unknown') return invalidArg(`arg#${index} has unsupported set of tags`);
  const t = btf.resolve(typeId);
  if (t.kind !== BtfKind.PTR) {
    if (tags.size) return invalidArg(`arg#${index} has pointer tag, but is not a pointer type`);
    if (isScalarType(t)) return { kind: 'scalar' };
    return invalidArg(`Arg#${index} type ${label(t)} in ${fn}() is not supported yet.`);
  }
  // A tagged or untagged context takes no other tag; only a tagged one has its pointee checked.
  if (tags.has('ctx') || pointsToContext(btf, t.id, ctx.name)) {
    if (tags.size > (tags.has('ctx') ? 1 : 0)) return invalidArg(`arg#${index} has invalid combination of tags`);
    const problem = tags.has('ctx') ? ctxTagProblem(btf, t, index, ctx) : undefined;
    return problem ? invalidArg(problem) : { kind: 'ctx' };
  }
  const pointee = btf.skipModifiers(t.type);
  const named = btf.resolve(pointee);
  // A dynptr argument takes no tags (ebee types an untagged one as plain memory).
  if (tags.size && named.kind === BtfKind.STRUCT && named.name === 'bpf_dynptr') return invalidArg(`arg#${index} has invalid combination of tags`);
  const refused = refusedPointer(index, tags);
  if (refused) return refused;
  try {
    return { kind: 'mem', size: btf.sizeof(pointee), nullable: !tags.has('nonnull') };
  } catch {
    return invalidArg(`arg#${index} reference type('${label(named)}') size cannot be determined`);
  }
}

/**
 * The global functions among `funcInfo` (entry pc and BTF FUNC id of each function of
 * the linked program; pc 0, the program itself, is never one), by entry pc. `context`
 * is the name of ebee's context struct for the program, or that with the program type
 * and expected attach type, which decide which pointers `arg:ctx` may tag.
 */
export function globalFunctionsOf(funcInfo: readonly { readonly pc: number; readonly typeId: number }[], btf: Btf | undefined,
  context: string | ContextOf): Map<number, GlobalFunction> {
  const ctx: ContextOf = typeof context === 'string' ? { name: context } : context;
  const out = new Map<number, GlobalFunction>();
  if (!btf) return out;
  for (const { pc, typeId } of funcInfo) {
    if (pc === 0) continue;
    const func = btf.typeById(typeId);
    if (func.kind !== BtfKind.FUNC || func.linkage !== BtfFuncLinkage.GLOBAL) continue;
    const proto = btf.typeById(func.type);
    if (proto.kind !== BtfKind.FUNC_PROTO) continue;
    const name = func.name;
    const args = proto.params.map((p, i) => argOf(btf, typeId, i, p.type, ctx));
    let invalid: string | undefined;
    const ret = proto.returnType === 0 ? undefined : btf.resolve(proto.returnType);
    if (!ret || !isScalarType(ret)) invalid = `Global function ${name}() doesn't return scalar. Only those are supported.`;
    else if (args.length > MAX_ARGS) invalid = `Global function ${name}() with ${args.length} > ${MAX_ARGS} args. Buggy compiler.`;
    out.set(pc, { name, args, ...(invalid ? { invalid } : {}) });
  }
  return out;
}
