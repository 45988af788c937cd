/**
 * The operation names the scalar domain understands, and their mapping from
 * instructions, so the verifier core never re-derives "which ALU op is this".
 */
import { AluOp, Class, JmpOp, Source, type Instruction } from '../../isa/index.js';

/** Every ALU operation of RFC 9669, by its semantics. */
export const ALU_OPS = [
  'add', 'sub', 'mul', 'div', 'sdiv', 'mod', 'smod', 'or', 'and', 'lsh', 'rsh', 'arsh',
  'neg', 'xor', 'mov', 'movsx8', 'movsx16', 'movsx32',
  'le16', 'le32', 'le64', 'be16', 'be32', 'be64', 'bswap16', 'bswap32', 'bswap64',
] as const;
export type AluOpName = (typeof ALU_OPS)[number];

/** Every conditional jump. */
export const BRANCH_OPS = [
  'jeq', 'jne', 'jgt', 'jge', 'jlt', 'jle', 'jsgt', 'jsge', 'jslt', 'jsle', 'jset',
] as const;
export type BranchOpName = (typeof BRANCH_OPS)[number];

/** The condition that holds on the other edge (`jeq` <-> `jne`, `jgt` <-> `jle`, ...). */
export const NEGATED_BRANCH: Readonly<Record<Exclude<BranchOpName, 'jset'>, BranchOpName>> = {
  jeq: 'jne', jne: 'jeq', jgt: 'jle', jle: 'jgt', jge: 'jlt', jlt: 'jge',
  jsgt: 'jsle', jsle: 'jsgt', jsge: 'jslt', jslt: 'jsge',
};

/** The condition with its operands exchanged (`a > b` is `b < a`). */
export const SWAPPED_BRANCH: Readonly<Record<BranchOpName, BranchOpName>> = {
  jeq: 'jeq', jne: 'jne', jset: 'jset', jgt: 'jlt', jlt: 'jgt', jge: 'jle', jle: 'jge',
  jsgt: 'jslt', jslt: 'jsgt', jsge: 'jsle', jsle: 'jsge',
};

const ALU_BY_CODE: Readonly<Record<number, AluOpName>> = {
  [AluOp.ADD]: 'add', [AluOp.SUB]: 'sub', [AluOp.MUL]: 'mul', [AluOp.DIV]: 'div',
  [AluOp.OR]: 'or', [AluOp.AND]: 'and', [AluOp.LSH]: 'lsh', [AluOp.RSH]: 'rsh',
  [AluOp.NEG]: 'neg', [AluOp.MOD]: 'mod', [AluOp.XOR]: 'xor', [AluOp.MOV]: 'mov',
  [AluOp.ARSH]: 'arsh',
};

const BRANCH_BY_CODE: Readonly<Record<number, BranchOpName>> = {
  [JmpOp.JEQ]: 'jeq', [JmpOp.JNE]: 'jne', [JmpOp.JGT]: 'jgt', [JmpOp.JGE]: 'jge',
  [JmpOp.JLT]: 'jlt', [JmpOp.JLE]: 'jle', [JmpOp.JSGT]: 'jsgt', [JmpOp.JSGE]: 'jsge',
  [JmpOp.JSLT]: 'jslt', [JmpOp.JSLE]: 'jsle', [JmpOp.JSET]: 'jset',
};

/**
 * The ALU operation of an ALU or ALU64 instruction, with `is32` for the ALU class
 * (byte swaps always report is32 false: their width is in the name), or undefined
 * for anything else. Does not validate fields the decoder already checked.
 */
export function aluOpOf(insn: Instruction): { op: AluOpName; is32: boolean } | undefined {
  const cls = insn.opcode & 0x07;
  if (cls !== Class.ALU && cls !== Class.ALU64) return undefined;
  const code = insn.opcode & 0xf0;
  const is32 = cls === Class.ALU;
  if (code === AluOp.END) {
    const bits = insn.imm;
    if (bits !== 16 && bits !== 32 && bits !== 64) return undefined;
    if (!is32) return { op: `bswap${bits}`, is32: false };
    return { op: (insn.opcode & Source.X) !== 0 ? `be${bits}` : `le${bits}`, is32: false };
  }
  if (code === AluOp.DIV && insn.offset === 1) return { op: 'sdiv', is32 };
  if (code === AluOp.MOD && insn.offset === 1) return { op: 'smod', is32 };
  if (code === AluOp.MOV && (insn.opcode & Source.X) !== 0 && insn.offset !== 0) {
    if (insn.offset === 8 || insn.offset === 16 || insn.offset === 32) return { op: `movsx${insn.offset}`, is32 };
    return undefined;
  }
  const op = ALU_BY_CODE[code];
  return op === undefined ? undefined : { op, is32 };
}

/** The condition of a conditional JMP or JMP32 instruction, or undefined. */
export function branchOpOf(insn: Instruction): { op: BranchOpName; is32: boolean } | undefined {
  const cls = insn.opcode & 0x07;
  if (cls !== Class.JMP && cls !== Class.JMP32) return undefined;
  const op = BRANCH_BY_CODE[insn.opcode & 0xf0];
  return op === undefined ? undefined : { op, is32: cls === Class.JMP32 };
}
