/**
 * Global functions of a linked program, typed from BTF as Linux does before verifying
 * them on their own (btf_prepare_func_args in kernel/bpf/btf.c, for global linkage):
 * the return type must be an integer or enum; an integer or enum argument is a scalar;
 * a pointer to the program type's context struct is the context; any other pointer is
 * memory of its pointee's size that may be NULL; anything else is refused. Without BTF
 * func info every function is static (verified in its callers' context), as for the
 * kernel when a loader passes no func_info.
 */
import { BtfKind, BtfFuncLinkage, BTF_KIND_NAMES, type Btf, type BtfType } from '../btf/index.js';
import type { GlobalArg, GlobalFunction } from '../verifier/index.js';

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

function argOf(btf: Btf, fn: string, index: number, typeId: number, ctxName: string): GlobalArg {
  if (typeId === 0) return { kind: 'invalid', reason: `Global function ${fn}() has a variadic argument` };
  const t = btf.resolve(typeId);
  if (isScalarType(t)) return { kind: 'scalar' };
  if (t.kind !== BtfKind.PTR) return { kind: 'invalid', reason: `Arg#${index} type ${label(t)} in ${fn}() is not supported yet.` };
  if (pointsToContext(btf, t.id, ctxName)) return { kind: 'ctx' };
  const pointee = btf.skipModifiers(t.type);
  try {
    return { kind: 'mem', size: btf.sizeof(pointee), nullable: true };
  } catch {
    const p = btf.resolve(pointee);
    return { kind: 'invalid', reason: `arg#${index} reference type('${label(p)}') size cannot be determined` };
  }
}

/** Tags such as `__arg_ctx` or `__arg_nonnull` change an argument's type; ebee does not model them. */
function hasArgTags(btf: Btf, funcId: number): boolean {
  for (const t of btf.types) {
    if (t && t.kind === BtfKind.DECL_TAG && t.type === funcId && t.componentIdx >= 0 && t.name.startsWith('arg:')) return true;
  }
  return false;
}

/**
 * The global functions among `funcInfo` (entry pc and BTF FUNC id of each function of
 * the linked program; pc 0, the program itself, is never one), by entry pc.
 */
export function globalFunctionsOf(funcInfo: readonly { readonly pc: number; readonly typeId: number }[], btf: Btf | undefined,
  contextName: string): Map<number, GlobalFunction> {
  const out = new Map<number, GlobalFunction>();
  if (!btf) return out;
  for (const { pc, typeId } of funcInfo) {
    if (pc === 0) continue;
    const func = btf.typeById(typeId);
    if (func.kind !== BtfKind.FUNC || func.linkage !== BtfFuncLinkage.GLOBAL) continue;
    const proto = btf.typeById(func.type);
    if (proto.kind !== BtfKind.FUNC_PROTO) continue;
    const name = func.name;
    const args = proto.params.map((p, i) => argOf(btf, name, i, p.type, contextName));
    let invalid: string | undefined;
    const ret = proto.returnType === 0 ? undefined : btf.resolve(proto.returnType);
    if (!ret || !isScalarType(ret)) invalid = `Global function ${name}() doesn't return scalar. Only those are supported.`;
    else if (args.length > MAX_ARGS) invalid = `Global function ${name}() with ${args.length} > ${MAX_ARGS} args. Buggy compiler.`;
    else if (hasArgTags(btf, typeId)) invalid = `Global function ${name}() has argument tags (arg:...), which ebee does not model`;
    out.set(pc, { name, args, ...(invalid ? { invalid } : {}) });
  }
  return out;
}
