/**
 * ALU and ALU64 instructions, as `interpret.ts` executes them: 32-bit results
 * zero-extended, shift amounts masked (wasm masks the same way), division by zero 0,
 * modulo by zero leaving the dividend (for the 32-bit forms: its low half,
 * zero-extended), INT_MIN / -1 wrapping. Division goes through a branch on the divisor,
 * so no wasm trap can happen. Signed division and modulo: any non-zero `offset`.
 */
import { BlockType, Op } from '../wasm/index.js';
import type { FunctionContext } from './context.js';

/** By `code >> 4`: the wasm op of the plain binary ALU operations (0: not one). */
const BINARY64 = new Uint8Array(16);
const BINARY32 = new Uint8Array(16);
/** By `code >> 4`: 1 for the shifts, whose immediate is masked here as the interpreter masks it. */
const SHIFT = new Uint8Array(16);
for (const [code, op64, op32] of [
  [0x00, Op.I64_ADD, Op.I32_ADD], [0x10, Op.I64_SUB, Op.I32_SUB], [0x20, Op.I64_MUL, Op.I32_MUL],
  [0x40, Op.I64_OR, Op.I32_OR], [0x50, Op.I64_AND, Op.I32_AND], [0x60, Op.I64_SHL, Op.I32_SHL],
  [0x70, Op.I64_SHR_U, Op.I32_SHR_U], [0xa0, Op.I64_XOR, Op.I32_XOR], [0xc0, Op.I64_SHR_S, Op.I32_SHR_S],
] as const) {
  BINARY64[code >> 4] = op64;
  BINARY32[code >> 4] = op32;
}
SHIFT[0x6] = SHIFT[0x7] = SHIFT[0xc] = 1;

export function lowerAlu(c: FunctionContext, pc: number): void {
  const p = c.program;
  const op = p.opcode[pc]!;
  if ((op & 0x07) === 0x07) alu64(c, op, p.dst[pc]!, p.src[pc]!, p.offset[pc]!, p.imm[pc]!);
  else alu32(c, op, p.dst[pc]!, p.src[pc]!, p.offset[pc]!, p.imm[pc]!);
}

// Written without closures or per-instruction allocation: this runs once per eBPF
// instruction of every compiled program.
function alu64(c: FunctionContext, op: number, d: number, s: number, off: number, imm: number): void {
  const b = c.b;
  const x = (op & 0x08) !== 0;
  const code = op & 0xf0;
  const binary = BINARY64[code >> 4]!;
  if (binary !== 0) {
    c.get(d);
    if (x) c.get(s);
    else b.i64Const(SHIFT[code >> 4] ? imm & 63 : imm);
    b.op(binary);
    c.set(d);
    return;
  }
  switch (code) {
    case 0x80: // neg
      b.i64Const(0);
      c.get(d);
      b.op(Op.I64_SUB);
      c.set(d);
      return;
    case 0xb0: // mov, movsx
      if (!x) {
        b.i64Const(imm);
        c.set(d);
        return;
      }
      c.get(s);
      if (off === 8) b.op(Op.I64_EXTEND8_S);
      else if (off === 16) b.op(Op.I64_EXTEND16_S);
      else if (off !== 0) b.op(Op.I64_EXTEND32_S);
      c.set(d);
      if (off === 0) c.copy(d, s);
      return;
    case 0xd0: // bswap16/32/64
      byteSwap(c, d, imm);
      return;
    case 0x30:
    case 0x90:
      divide64(c, code === 0x30, off !== 0, d, x ? s : -1, imm);
      return;
  }
  throw new Error(`internal: ALU64 opcode 0x${op.toString(16)} has no lowering`);
}

function alu32(c: FunctionContext, op: number, d: number, s: number, off: number, imm: number): void {
  const b = c.b;
  const x = (op & 0x08) !== 0;
  const code = op & 0xf0;
  const binary = BINARY32[code >> 4]!;
  if (binary !== 0) {
    c.get32(d);
    if (x) c.get32(s);
    else b.i32Const(SHIFT[code >> 4] ? imm & 31 : imm);
    b.op(binary);
    c.set32(d);
    return;
  }
  switch (code) {
    case 0x80: // neg32
      b.i32Const(0);
      c.get32(d);
      b.op(Op.I32_SUB);
      c.set32(d);
      return;
    case 0xb0: // mov32, movsx32
      if (!x) {
        b.i64Const(imm >>> 0);
        c.set(d);
        return;
      }
      c.get32(s);
      if (off === 8) b.op(Op.I32_EXTEND8_S);
      else if (off === 16) b.op(Op.I32_EXTEND16_S);
      c.set32(d);
      return;
    case 0xd0:
      if (x) { // be16/32/64: ebee's memory is little-endian, so `be` swaps
        byteSwap(c, d, imm);
      } else if (imm !== 64) { // le16/32 truncate and zero-extend; le64 does nothing
        c.get(d);
        b.i64Const(imm === 16 ? 0xffff : 0xffffffff);
        b.op(Op.I64_AND);
        c.set(d);
      }
      return;
    case 0x30:
    case 0x90:
      divide32(c, code === 0x30, off !== 0, d, x ? s : -1, imm);
      return;
  }
  throw new Error(`internal: ALU opcode 0x${op.toString(16)} has no lowering`);
}

/** `bswap` / `be`: 16 and 32 zero-extend, anything else swaps all 64 bits. */
function byteSwap(c: FunctionContext, d: number, bits: number): void {
  const b = c.b;
  if (bits === 16) {
    c.get32(d);
    b.localTee(c.t32).i32Const(8).op(Op.I32_SHL).i32Const(0xff00).op(Op.I32_AND);
    b.localGet(c.t32).i32Const(8).op(Op.I32_SHR_U).i32Const(0xff).op(Op.I32_AND);
    b.op(Op.I32_OR);
    c.set32(d);
    return;
  }
  if (bits === 32) {
    c.get32(d);
    swap32(c);
    c.set32(d);
    return;
  }
  // Swap the halves, then the 16-bit pairs, then the bytes.
  c.get(d);
  b.i64Const(32).op(Op.I64_ROTL).localSet(c.t64);
  b.localGet(c.t64).i64Const(0x0000ffff0000ffffn).op(Op.I64_AND).i64Const(16).op(Op.I64_SHL);
  b.localGet(c.t64).i64Const(16).op(Op.I64_SHR_U).i64Const(0x0000ffff0000ffffn).op(Op.I64_AND);
  b.op(Op.I64_OR).localSet(c.t64);
  b.localGet(c.t64).i64Const(0x00ff00ff00ff00ffn).op(Op.I64_AND).i64Const(8).op(Op.I64_SHL);
  b.localGet(c.t64).i64Const(8).op(Op.I64_SHR_U).i64Const(0x00ff00ff00ff00ffn).op(Op.I64_AND);
  b.op(Op.I64_OR);
  c.set(d);
}

/** Reverses the bytes of the i32 on the stack (uses `t32`). */
export function swap32(c: FunctionContext): void {
  const b = c.b;
  b.localTee(c.t32).i32Const(8).op(Op.I32_ROTL).i32Const(0x00ff00ff).op(Op.I32_AND);
  b.localGet(c.t32).i32Const(8).op(Op.I32_ROTR).i32Const(0xff00ff00 | 0).op(Op.I32_AND);
  b.op(Op.I32_OR);
}

/**
 * Division and modulo by a register share their quotient: when a block computes
 * `q = a / b` and later `a % b` (same operand values, same width and signedness, see
 * `FunctionContext.value`) while some register still holds q, the remainder is
 * `a - q * b` (a multiply and a subtract instead of a second hardware division, which
 * costs 10-40 cycles). It is exact for every input under the interpreter's rules:
 * b = 0 gives q = 0, so a - 0 * b = a, the dividend modulo zero leaves; INT_MIN / -1
 * gives q = INT_MIN, so a - q * b = INT_MIN - INT_MIN = 0, the RFC's remainder; and
 * otherwise a = q * b + r with truncating division, signed or not. C's `x / d` and
 * `x % d` side by side (../shared/bench/muldiv) compile to this pair.
 */
const QUOTIENT_SIGNED = 1;
const QUOTIENT_WIDE = 2;

/** The register holding the quotient of the dividend and divisor values, or -1. */
function quotientRegister(c: FunctionContext, kind: number, dividend: number, divisor: number): number {
  const q = c.quotients;
  for (let i = q.length - 4; i >= 0; i -= 4) {
    if (q[i] !== kind || q[i + 1] !== dividend || q[i + 2] !== divisor) continue;
    for (let r = 0; r <= 10; r++) if (c.value[r] === q[i + 3]) return r;
  }
  return -1;
}

/** 64-bit division or modulo of `d` by register `s` (or, when `s` is -1, by `imm`). */
function divide64(c: FunctionContext, div: boolean, signed: boolean, d: number, s: number, imm: number): void {
  const b = c.b;
  const opcode = div ? (signed ? Op.I64_DIV_S : Op.I64_DIV_U) : (signed ? Op.I64_REM_S : Op.I64_REM_U);
  if (s < 0) {
    if (imm === 0) { // by zero: div gives 0, mod leaves dst
      if (div) { b.i64Const(0); c.set(d); }
      return;
    }
    if (signed && imm === -1) { // the one quotient that overflows: negate (wrapping); the remainder is 0
      if (div) { b.i64Const(0); c.get(d); b.op(Op.I64_SUB); } else b.i64Const(0);
      c.set(d);
      return;
    }
    c.get(d);
    b.i64Const(imm).op(opcode);
    c.set(d);
    return;
  }
  const kind = QUOTIENT_WIDE | (signed ? QUOTIENT_SIGNED : 0);
  const dividend = c.value[d]!;
  const divisor = c.value[s]!;
  if (!div) {
    const q = quotientRegister(c, kind, dividend, divisor);
    if (q >= 0) {
      c.get(d);
      c.get(q);
      c.get(s);
      b.op(Op.I64_MUL).op(Op.I64_SUB);
      c.set(d);
      return;
    }
  }
  // One branch around the division, taken only for the divisors wasm would trap on.
  if (signed && div) {
    // Divisor 0 or -1 (s + 1 <=u 1): 0, or the wrapped negation (INT64_MIN / -1
    // traps in wasm; the RFC's answer is INT64_MIN).
    c.get(s);
    b.i64Const(1).op(Op.I64_ADD).i64Const(1).op(Op.I64_LE_U).if(BlockType.I64);
    c.get(s);
    b.op(Op.I64_EQZ).if(BlockType.I64).i64Const(0).else().i64Const(0);
    c.get(d);
    b.op(Op.I64_SUB).end();
  } else {
    // Divisor 0: 0 for division, the dividend for modulo. (i64.rem_s(INT64_MIN, -1)
    // is 0 in wasm, as the RFC wants.)
    c.get(s);
    b.op(Op.I64_EQZ).if(BlockType.I64);
    if (div) b.i64Const(0);
    else c.get(d);
  }
  b.else();
  c.get(d);
  c.get(s);
  b.op(opcode).end();
  c.set(d);
  if (div) c.quotients.push(kind, dividend, divisor, c.value[d]!);
}

/** 32-bit division or modulo; the result is zero-extended. */
function divide32(c: FunctionContext, div: boolean, signed: boolean, d: number, s: number, imm: number): void {
  const b = c.b;
  const opcode = div ? (signed ? Op.I32_DIV_S : Op.I32_DIV_U) : (signed ? Op.I32_REM_S : Op.I32_REM_U);
  if (s < 0) {
    if (imm === 0) {
      if (div) b.i32Const(0);
      else c.get32(d);
    } else if (signed && imm === -1) {
      if (div) { b.i32Const(0); c.get32(d); b.op(Op.I32_SUB); } else b.i32Const(0);
    } else {
      c.get32(d);
      b.i32Const(imm).op(opcode);
    }
    c.set32(d);
    return;
  }
  const kind = signed ? QUOTIENT_SIGNED : 0;
  const dividend = c.value[d]!;
  const divisor = c.value[s]!;
  if (!div) {
    const q = quotientRegister(c, kind, dividend, divisor);
    if (q >= 0) {
      c.get32(d);
      c.get32(q);
      c.get32(s);
      b.op(Op.I32_MUL).op(Op.I32_SUB);
      c.set32(d);
      return;
    }
  }
  c.get32(s);
  if (signed && div) { // as in divide64
    b.localTee(c.t32).i32Const(1).op(Op.I32_ADD).i32Const(1).op(Op.I32_LE_U).if(BlockType.I32);
    b.localGet(c.t32).op(Op.I32_EQZ).if(BlockType.I32).i32Const(0).else().i32Const(0);
    c.get32(d);
    b.op(Op.I32_SUB).end();
  } else {
    b.localTee(c.t32).op(Op.I32_EQZ).if(BlockType.I32);
    if (div) b.i32Const(0);
    else c.get32(d);
  }
  b.else();
  c.get32(d);
  b.localGet(c.t32).op(opcode).end();
  c.set32(d);
  if (div) c.quotients.push(kind, dividend, divisor, c.value[d]!);
}
