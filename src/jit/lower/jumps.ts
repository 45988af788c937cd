/**
 * Conditional jumps: the test of a block's last instruction, pushed as an i32 that is
 * non-zero when the jump is taken. JMP compares all 64 bits, JMP32 the low halves;
 * the immediate is sign-extended to 64 bits (JMP) or used as is (JMP32).
 */
import { Op } from '../wasm/index.js';
import type { FunctionContext } from './context.js';

const COMPARE64: Readonly<Record<number, number>> = {
  0x10: Op.I64_EQ, 0x20: Op.I64_GT_U, 0x30: Op.I64_GE_U, 0x50: Op.I64_NE,
  0x60: Op.I64_GT_S, 0x70: Op.I64_GE_S, 0xa0: Op.I64_LT_U, 0xb0: Op.I64_LE_U,
  0xc0: Op.I64_LT_S, 0xd0: Op.I64_LE_S,
};
const COMPARE32: Readonly<Record<number, number>> = {
  0x10: Op.I32_EQ, 0x20: Op.I32_GT_U, 0x30: Op.I32_GE_U, 0x50: Op.I32_NE,
  0x60: Op.I32_GT_S, 0x70: Op.I32_GE_S, 0xa0: Op.I32_LT_U, 0xb0: Op.I32_LE_U,
  0xc0: Op.I32_LT_S, 0xd0: Op.I32_LE_S,
};
const JSET = 0x40;

export function lowerCondition(c: FunctionContext, pc: number): void {
  const p = c.program;
  const b = c.b;
  const op = p.opcode[pc]!;
  const d = p.dst[pc]!;
  const x = (op & 0x08) !== 0;
  const code = op & 0xf0;
  if ((op & 0x07) === 0x05) {
    c.get(d);
    if (x) c.get(p.src[pc]!);
    else b.i64Const(p.imm[pc]!);
    if (code === JSET) b.op(Op.I64_AND).i64Const(0).op(Op.I64_NE);
    else b.op(COMPARE64[code]!);
  } else {
    c.get32(d);
    if (x) c.get32(p.src[pc]!);
    else b.i32Const(p.imm[pc]!);
    b.op(code === JSET ? Op.I32_AND : COMPARE32[code]!);
  }
}
