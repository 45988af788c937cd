/**
 * Legacy packet loads (LD_ABS, LD_IND), as `vm/packet.ts`: r0 = the big-endian value
 * at a packet offset (`imm`, or `src + imm` wrapped to 32 bits); an offset outside the
 * packet ends the whole run with r0 = 0 (the `abort` import throws, the runtime
 * catches); no packet at all is UNSUPPORTED. The packet is read without a region
 * check, as the interpreter reads it.
 */
import { Op } from '../wasm/index.js';
import { Trap } from '../abi.js';
import { swap32 } from './alu.js';
import type { FunctionContext } from './context.js';

/** `refund`: instructions of the block after this one (charged but not executed if the run ends here). */
export function lowerPacketLoad(c: FunctionContext, pc: number, refund: number): void {
  const p = c.program;
  const b = c.b;
  const g = c.env.globals;
  const op = p.opcode[pc]!;
  const size = (op & 0x18) === 0x00 ? 4 : (op & 0x18) === 0x08 ? 2 : 1;
  b.globalGet(g.packetPresent).op(Op.I32_EQZ).if();
  c.trap(Trap.NO_PACKET, pc, refund);
  b.end();
  if ((op & 0xe0) === 0x40) {
    c.get32(p.src[pc]!);
    b.i32Const(p.imm[pc]!).op(Op.I32_ADD);
  } else {
    b.i32Const(p.imm[pc]!);
  }
  b.localTee(c.u32).i32Const(0).op(Op.I32_LT_S);
  b.localGet(c.u32).op(Op.I64_EXTEND_I32_U).i64Const(size).op(Op.I64_ADD);
  b.globalGet(g.packetLength).op(Op.I64_EXTEND_I32_U).op(Op.I64_GT_U);
  b.op(Op.I32_OR).if();
  if (c.fuel >= 0) b.localGet(c.fuel).i64Const(refund).op(Op.I64_ADD).globalSet(g.fuel);
  b.call(c.env.imports.abort).op(Op.UNREACHABLE);
  b.end();
  b.globalGet(g.packetAddress).localGet(c.u32).op(Op.I32_ADD);
  if (size === 4) {
    b.load(Op.I32_LOAD, 0, 0);
    swap32(c);
  } else if (size === 2) {
    b.load(Op.I32_LOAD16_U, 0, 0).localTee(c.t32).i32Const(8).op(Op.I32_SHL).i32Const(0xff00).op(Op.I32_AND);
    b.localGet(c.t32).i32Const(8).op(Op.I32_SHR_U).op(Op.I32_OR);
  } else {
    b.load(Op.I32_LOAD8_U, 0, 0);
  }
  c.set32(0);
}
