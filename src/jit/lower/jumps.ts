/**
 * Conditional jumps: the test of a block's last instruction, pushed as an i32 that is
 * non-zero when the jump is taken (or, negated, when it is not). JMP compares all 64 bits, JMP32 the low halves;
 * the immediate is sign-extended to 64 bits (JMP) or used as is (JMP32).
 */
import { Op } from '../wasm/index.js';
import type { FunctionContext } from './context.js';

// By `code >> 4`: the comparison, and its negation (for a branch on the jump not
// being taken: the opposite comparison instead of an extra `i32.eqz`).
const COMPARE64 = new Uint8Array(16);
const COMPARE32 = new Uint8Array(16);
const NEGATED64 = new Uint8Array(16);
const NEGATED32 = new Uint8Array(16);
for (const [code, op64, not64, op32, not32] of [
  [0x1, Op.I64_EQ, Op.I64_NE, Op.I32_EQ, Op.I32_NE], [0x5, Op.I64_NE, Op.I64_EQ, Op.I32_NE, Op.I32_EQ],
  [0x2, Op.I64_GT_U, Op.I64_LE_U, Op.I32_GT_U, Op.I32_LE_U], [0xb, Op.I64_LE_U, Op.I64_GT_U, Op.I32_LE_U, Op.I32_GT_U],
  [0x3, Op.I64_GE_U, Op.I64_LT_U, Op.I32_GE_U, Op.I32_LT_U], [0xa, Op.I64_LT_U, Op.I64_GE_U, Op.I32_LT_U, Op.I32_GE_U],
  [0x6, Op.I64_GT_S, Op.I64_LE_S, Op.I32_GT_S, Op.I32_LE_S], [0xd, Op.I64_LE_S, Op.I64_GT_S, Op.I32_LE_S, Op.I32_GT_S],
  [0x7, Op.I64_GE_S, Op.I64_LT_S, Op.I32_GE_S, Op.I32_LT_S], [0xc, Op.I64_LT_S, Op.I64_GE_S, Op.I32_LT_S, Op.I32_GE_S],
] as const) {
  COMPARE64[code] = op64;
  NEGATED64[code] = not64;
  COMPARE32[code] = op32;
  NEGATED32[code] = not32;
}
const JSET = 0x40;

/** Pushes the test of the conditional jump at `pc`; `negate`: true when the jump is not taken. */
export function lowerCondition(c: FunctionContext, pc: number, negate: boolean): void {
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
    if (code !== JSET) b.op((negate ? NEGATED64 : COMPARE64)[code >> 4]!);
    else if (negate) b.op(Op.I64_AND).op(Op.I64_EQZ);
    else b.op(Op.I64_AND).i64Const(0).op(Op.I64_NE);
  } else {
    c.get32(d);
    if (x) c.get32(p.src[pc]!);
    else b.i32Const(p.imm[pc]!);
    if (code === JSET) {
      b.op(Op.I32_AND);
      if (negate) b.op(Op.I32_EQZ);
    } else {
      b.op((negate ? NEGATED32 : COMPARE32)[code >> 4]!);
    }
  }
}
