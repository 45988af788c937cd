/**
 * Global (non-static) functions, as Linux verifies them when BTF func info gives their
 * linkage: each is verified once on its own, its arguments typed by its BTF signature
 * (btf_prepare_func_args), and every call only checks the caller's arguments against
 * that signature (btf_check_func_arg_match) and continues with an unknown r0
 * (check_func_call). So a global function cannot rely on what a caller passes beyond
 * its signature: an `int *` argument may be NULL.
 */
import type { Env } from './env.js';
import { helperAccess, memPointer } from './calls.js';
import { typeName } from './log.js';
import { Reject } from './reject.js';
import { readReg } from './regs.js';
import { NOT_INIT_REG, cur, makeReg, newFrame, unknownScalar, type VState } from './state.js';
import { ErrorCategory, RegType, type GlobalArg, type GlobalFunction, type Reg } from './types.js';

/** Linux's limit on a global function's arguments (MAX_BPF_FUNC_REG_ARGS). */
const MAX_ARGS = 5;

function isNull(r: Reg): boolean {
  return r.type === RegType.SCALAR && r.value.isConstant() && r.value.constantValue()! === 0n;
}

/** Why a signature cannot be verified, or undefined. */
function signatureProblem(fn: GlobalFunction): string | undefined {
  if (fn.invalid) return fn.invalid;
  if (fn.args.length > MAX_ARGS) return `Global function ${fn.name}() has more than ${MAX_ARGS} args`;
  for (const a of fn.args) if (a.kind === 'invalid') return a.reason;
  return undefined;
}

/** One argument at a call (btf_check_func_arg_match); the caller's reason on failure. */
function checkArg(env: Env, st: VState, pc: number, k: number, arg: GlobalArg): string | undefined {
  const regno = k + 1;
  const reg = readReg(st, regno, pc);
  switch (arg.kind) {
    case 'scalar':
      return reg.type === RegType.SCALAR ? undefined : `R${regno} is not a scalar`;
    case 'ctx':
      if (reg.type !== RegType.CTX || reg.maybeNull) return `arg#${k} expects pointer to ctx`;
      if (reg.off !== 0 || !reg.value.isConstant() || reg.value.constantValue()! !== 0n) {
        return `dereference of modified ctx ptr R${regno} off=${reg.off} disallowed`;
      }
      return undefined;
    case 'mem': {
      if (isNull(reg)) return undefined;
      const asValid = { ...reg, maybeNull: false };
      if (!memPointer(asValid)) return `R${regno} type=${typeName(reg)} expected=memory of ${arg.size} bytes`;
      // The callee may read and write all `size` bytes (check_mem_reg): written stack bytes become unknown.
      const f = cur(st);
      f.regs[regno] = asValid;
      try {
        helperAccess(env, st, pc, regno, arg.size, false);
        helperAccess(env, st, pc, regno, arg.size, true);
      } catch (e) {
        if (e instanceof Reject) return e.reason;
        throw e;
      } finally {
        f.regs[regno] = reg;
      }
      // Only after the access checks, as Linux orders them; a literal NULL passed above
      // (check_mem_reg lets it through before this check, which sees no maybe-NULL flag).
      if (reg.maybeNull && !arg.nullable) return `arg#${k} is expected to be non-NULL`;
      return undefined;
    }
    case 'invalid':
      return arg.reason;
  }
}

/** A call to the global function at `target`: checks the arguments; r0 becomes unknown, r1-r5 unreadable. */
export function checkGlobalCall(env: Env, st: VState, fn: GlobalFunction, target: number, pc: number): number {
  const problem = signatureProblem(fn);
  if (problem) throw new Reject(pc, problem, ErrorCategory.CALL);
  for (let k = 0; k < fn.args.length; k++) {
    const why = checkArg(env, st, pc, k, fn.args[k]!);
    if (why !== undefined) {
      throw new Reject(pc, `Caller passes invalid args into func ('${fn.name}' at insn ${target}): ${why}`, ErrorCategory.CALL, k + 1);
    }
  }
  const f = cur(st);
  for (let r = 1; r <= 5; r++) f.regs[r] = NOT_INIT_REG;
  f.regs[0] = unknownScalar(pc);
  return pc + 1;
}

/** The state a global function starts in: its arguments as the signature types them. */
export function globalEntryState(fn: GlobalFunction, entry: number, nextId: () => number): VState {
  const problem = signatureProblem(fn);
  if (problem) throw new Reject(entry, problem, ErrorCategory.CALL);
  const args = fn.args.map((a): Reg => {
    switch (a.kind) {
      case 'ctx': return makeReg(RegType.CTX);
      case 'mem': return makeReg(RegType.MEM, { memSize: a.size, maybeNull: a.nullable, id: a.nullable ? nextId() : 0 });
      default: return unknownScalar(-1);
    }
  });
  return { frames: [newFrame(0, -1, entry, args)], refs: [], parent: null, path: null, sinceCheckpoint: 0, hist: [] };
}
