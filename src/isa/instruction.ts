import { Class, Mode, Size, classOf } from './opcodes.js';

/**
 * One decoded eBPF instruction. `lddw` is a single instruction of width 2 whose
 * 64-bit immediate is in `imm64` (`imm` then holds its low 32 bits, sign-extended,
 * so code that only looks at `imm` still sees what the first slot holds).
 *
 * Offsets and jump targets count 8-byte slots, as the kernel and llvm do: the
 * instruction after an `lddw` at pc p is at pc p + 2.
 */
export interface Instruction {
  /** The opcode byte. */
  readonly opcode: number;
  /** Destination register, 0-10. */
  readonly dst: number;
  /** Source register (0-10), or a pseudo value for `call` and `lddw`. */
  readonly src: number;
  /** Signed 16-bit offset: memory displacement, jump distance or a discriminator. */
  readonly offset: number;
  /** Signed 32-bit immediate. */
  readonly imm: number;
  /** `lddw` only: the full 64-bit immediate, unsigned (`next_imm << 32 | imm`). */
  readonly imm64?: bigint;
}

/** Instruction width in slots: 2 for `lddw`, else 1. */
export function widthOf(insn: Instruction): 1 | 2 {
  return insn.opcode === LDDW_OPCODE ? 2 : 1;
}

/** The opcode of `lddw` (LD | IMM | DW). */
export const LDDW_OPCODE = Class.LD | Mode.IMM | Size.DW;

/** Builds an instruction, normalising `offset` to s16 and `imm` to s32. */
export function insn(opcode: number, dst: number, src: number, offset: number, imm: number): Instruction {
  return { opcode: opcode & 0xff, dst, src, offset: (offset << 16) >> 16, imm: imm | 0 };
}

/** Builds an `lddw` with a 64-bit immediate (any bigint, taken modulo 2^64). */
export function lddw(dst: number, value: bigint | number, src = 0): Instruction {
  const imm64 = BigInt.asUintN(64, BigInt(value));
  return { opcode: LDDW_OPCODE, dst, src, offset: 0, imm: Number(BigInt.asIntN(32, imm64)), imm64 };
}

/** The high 32 bits of an `lddw` immediate, as the second slot's s32 `imm`. */
export function lddwHigh(i: Instruction): number {
  return Number(BigInt.asIntN(32, (i.imm64 ?? 0n) >> 32n));
}

/** The slot index (pc) of each instruction, plus the total slot count at the end. */
export function slotIndices(insns: readonly Instruction[]): number[] {
  const pcs = new Array<number>(insns.length + 1);
  let pc = 0;
  for (let i = 0; i < insns.length; i++) {
    pcs[i] = pc;
    pc += widthOf(insns[i]!);
  }
  pcs[insns.length] = pc;
  return pcs;
}

/** True for conditional and unconditional jumps (not call or exit). */
export function isJump(i: Instruction): boolean {
  const cls = classOf(i.opcode);
  if (cls !== Class.JMP && cls !== Class.JMP32) return false;
  const op = i.opcode & 0xf0;
  return op !== 0x80 && op !== 0x90;
}

/**
 * The pc a jump, local call or `lddw` code address at `pc` refers to, or undefined
 * when the instruction has no such target. `gotol` (JMP32 | JA) jumps by `imm`.
 */
export function targetOf(i: Instruction, pc: number): number | undefined {
  const cls = classOf(i.opcode);
  if (cls === Class.JMP || cls === Class.JMP32) {
    const op = i.opcode & 0xf0;
    if (op === 0x80) return (i.opcode & 0x08) === 0 && i.src === 1 ? pc + 1 + i.imm : undefined;
    if (op === 0x90) return undefined;
    if (cls === Class.JMP32 && op === 0x00) return pc + 1 + i.imm;
    return pc + 1 + i.offset;
  }
  if (i.opcode === LDDW_OPCODE && i.src === 4) return pc + 1 + i.imm;
  return undefined;
}
