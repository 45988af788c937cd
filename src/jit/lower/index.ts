/**
 * `jit/lower/`: one eBPF instruction at a time into wasm, with the interpreter's
 * semantics. Control flow between blocks is not here: `emit.ts` places blocks by the
 * structuring pass and asks `lowerCondition` for the tests.
 */
import { CODE_ADDRESS_TAG } from '../../vm/index.js';
import { Trap } from '../abi.js';
import { Kind, KIND } from '../analysis/flow.js';
import { lowerAlu } from './alu.js';
import { lowerAtomic } from './atomics.js';
import { lowerCallx, lowerExit, lowerHelperCall, lowerLocalCall } from './calls.js';
import type { FunctionContext } from './context.js';
import { lowerLoad, lowerStore } from './memory.js';
import { lowerPacketLoad } from './packet.js';

export { FunctionContext, type ModuleEnv } from './context.js';
export { lowerCondition } from './jumps.js';
export { buildCallxDispatcher } from './calls.js';
export { cacheUseOf } from './memory.js';

/**
 * Lowers the instruction at `pc` (not a jump: those are the block's terminator).
 * `rest` is how many instructions of its block follow it.
 */
export function lowerInstruction(c: FunctionContext, pc: number, rest: number): void {
  const p = c.program;
  const op = p.opcode[pc]!;
  switch (KIND[op]) {
    case Kind.ALU: return lowerAlu(c, pc);
    case Kind.LOAD: return lowerLoad(c, pc, rest);
    case Kind.STORE: return lowerStore(c, pc, rest);
    case Kind.ATOMIC: return lowerAtomic(c, pc, rest);
    case Kind.PACKET: return lowerPacketLoad(c, pc, rest);
    case Kind.LDDW: {
      const src = p.src[pc]!;
      if (src === 0) c.b.i64Const((BigInt(p.immHi[pc]!) << 32n) | BigInt(p.imm[pc]! >>> 0));
      else if (src === 4) c.b.i64Const((BigInt(CODE_ADDRESS_TAG) << 32n) | BigInt(pc + 1 + p.imm[pc]!));
      else return c.trap(Trap.LDDW_SOURCE, pc, rest, src);
      c.set(p.dst[pc]!);
      return;
    }
    case Kind.CALL: {
      const src = p.src[pc]!;
      if (src === 1) return lowerLocalCall(c, pc, pc + 1 + p.imm[pc]!);
      if (src === 2) return c.trap(Trap.KFUNC, pc, rest, p.imm[pc]!);
      return lowerHelperCall(c, pc, () => c.b.i32Const(p.imm[pc]!), p.imm[pc]!);
    }
    case Kind.CALLX: return lowerCallx(c, pc);
    case Kind.EXIT: return lowerExit(c);
    case Kind.JUMP:
    case Kind.COND:
      return;
    default:
      return c.trap(Trap.INVALID_OPCODE, pc, rest, op);
  }
}
