/**
 * Calls and exit.
 *
 * - A local call becomes a wasm call to the callee's function, with the interpreter's
 *   frame accounting: the `depth` global counts frames below the running one (at most
 *   8 frames: CALL_DEPTH), and each function computes its r10 from it on entry
 *   (stack end - depth * 512, the interpreter's layout).
 * - A helper call goes to the generic `helper` import, which runs the registry entry
 *   as `Execution.callHelper` does. The budget is checked first, so no helper runs
 *   past it, and the fuel is stored where `ctx.invoke` callbacks see it.
 * - `callx`: a high word of 0 names a helper by the low word; the code-address tag
 *   sends the low word (a pc) to the `callx` dispatcher, a chain of compares over the
 *   function entries; anything else is BAD_CALL_TARGET.
 * - `exit` returns r0 (and the `extraOut` registers) to the caller.
 */
import { CODE_ADDRESS_TAG, MAX_CALL_FRAMES } from '../../vm/index.js';
import { CodeBuilder, Op, ValType } from '../wasm/index.js';
import { Trap } from '../abi.js';
import type { FunctionContext, ModuleEnv } from './context.js';

function pushArguments(c: FunctionContext): void {
  for (const r of [1, 2, 3, 4, 5, ...c.env.signature.extraIn]) c.get(r);
}

function popResults(c: FunctionContext): void {
  const out = c.env.signature.extraOut;
  for (let i = out.length - 1; i >= 0; i--) c.set(out[i]!);
  c.set(0);
}

function adjustDepth(c: FunctionContext, delta: 1 | -1): void {
  const depth = c.env.globals.depth;
  c.b.globalGet(depth).i32Const(delta).op(Op.I32_ADD).globalSet(depth);
}

/** `call` of the local function at `target`. */
export function lowerLocalCall(c: FunctionContext, pc: number, target: number): void {
  const b = c.b;
  const index = c.env.functionIndex.get(target);
  if (index === undefined) throw new Error(`internal: no function compiled for the call target ${target}`);
  c.fuelOut();
  b.globalGet(c.env.globals.depth).i32Const(MAX_CALL_FRAMES - 1).op(Op.I32_GE_S).if();
  c.trap(Trap.CALL_DEPTH, pc, 0);
  b.end();
  adjustDepth(c, 1);
  pushArguments(c);
  b.call(index);
  popResults(c);
  adjustDepth(c, -1);
  c.reload();
}

/** A helper call; `id` pushes the helper id (i32); `direct` is the constant id of a `call imm`. */
export function lowerHelperCall(c: FunctionContext, pc: number, id: () => void, direct?: number): void {
  const b = c.b;
  c.checkFuel(pc, 0);
  c.fuelOut();
  for (const [r, global] of c.env.globals.saved) { c.get(r); b.globalSet(global); }
  const typed = direct === undefined ? undefined : c.env.imports.typed.get(direct);
  if (!typed) {
    genericHelperCall(c, pc, id);
  } else {
    // The fast path needs every u32 argument's high word to be 0 (vm's `takesTypedPath`).
    const narrow = typed.typed.args.flatMap((kind, i) => kind === 'u32' ? [i + 1] : []);
    if (narrow.length > 0) {
      narrow.forEach((r, i) => {
        c.get(r);
        if (i > 0) b.op(Op.I64_OR);
      });
      b.i64Const(32).op(Op.I64_SHR_U).op(Op.I64_EQZ).if(ValType.I64);
    }
    b.i32Const(pc);
    typed.typed.args.forEach((kind, i) => kind === 'u32' ? c.get32(i + 1) : c.get(i + 1));
    b.call(typed.index);
    if (typed.typed.ret === 'u32') b.op(Op.I64_EXTEND_I32_U);
    else if (typed.typed.ret === 's32') b.op(Op.I64_EXTEND_I32_S);
    if (narrow.length > 0) {
      b.else();
      genericHelperCall(c, pc, id);
      b.end();
    }
  }
  c.set(0);
  c.invalidateCaches();
  c.reload();
}

/** Pushes r0 from the generic helper import. */
function genericHelperCall(c: FunctionContext, pc: number, id: () => void): void {
  id();
  c.b.i32Const(pc);
  for (let r = 1; r <= 5; r++) c.get(r);
  c.b.call(c.env.imports.helper);
}

/** `callx dst`. */
export function lowerCallx(c: FunctionContext, pc: number): void {
  const b = c.b;
  const d = c.program.dst[pc]!;
  c.get(d);
  b.i64Const(32).op(Op.I64_SHR_U).op(Op.I32_WRAP_I64).localTee(c.t32).op(Op.I32_EQZ).if();
  lowerHelperCall(c, pc, () => c.get32(d));
  b.else();
  b.localGet(c.t32).i32Const(CODE_ADDRESS_TAG).op(Op.I32_NE).if();
  c.trap(Trap.CALLX_TARGET, pc, 0, 0, c.reg[d]!);
  b.end();
  c.fuelOut();
  adjustDepth(c, 1);
  c.get32(d);
  b.i32Const(pc);
  pushArguments(c);
  b.call(c.env.callx);
  popResults(c);
  adjustDepth(c, -1);
  c.reload();
  b.end();
}

/** `exit`. */
export function lowerExit(c: FunctionContext): void {
  c.fuelOut();
  c.get(0);
  for (const r of c.env.signature.extraOut) c.get(r);
  c.b.return();
}

/**
 * The `callx` dispatcher: `(pc_target i32, pc i32, ...arguments) -> results`. The
 * caller has already counted the new frame in `depth`.
 */
export function buildCallxDispatcher(env: ModuleEnv): CodeBuilder {
  const b = new CodeBuilder([ValType.I32, ValType.I32, ...env.params]);
  for (const [entry, index] of env.functionIndex) {
    b.localGet(0).i32Const(entry).op(Op.I32_EQ).if();
    b.globalGet(env.globals.depth).i32Const(MAX_CALL_FRAMES).op(Op.I32_GE_S).if();
    // The caller stored its fuel; the call is the last instruction of its block (rest 0).
    b.i32Const(Trap.CALL_DEPTH).localGet(1).i64Const(0).i32Const(0).call(env.imports.trap).op(Op.UNREACHABLE);
    b.end();
    for (let i = 0; i < env.params.length; i++) b.localGet(2 + i);
    b.call(index).return();
    b.end();
  }
  b.i32Const(Trap.CODE_ADDRESS).localGet(1).localGet(0).op(Op.I64_EXTEND_I32_U).i32Const(0).call(env.imports.trap).op(Op.UNREACHABLE);
  return b;
}
