/**
 * The one place the core speaks to the scalar domain in instruction terms: which
 * operation an ALU instruction or a jump opcode is.
 */
import { JmpOp, type Instruction } from '../isa/index.js';
import { Scalar, aluOpOf, scalarAlu, type BranchOpName } from './scalar/index.js';
import { Reject } from './reject.js';
import { ErrorCategory } from './types.js';

export function aluScalar(i: Instruction, dst: Scalar, src: Scalar, is32: boolean): Scalar {
  const o = aluOpOf(i);
  if (!o) throw new Reject(-1, `invalid BPF_ALU opcode 0x${i.opcode.toString(16)}`, ErrorCategory.INSN);
  return scalarAlu(o.op, dst, src, o.op.startsWith('b') || o.op.startsWith('le') ? false : is32);
}

export function addConst(v: Scalar, c: bigint): Scalar {
  if (c === 0n) return v;
  return scalarAlu('add', v, Scalar.constant(BigInt.asUintN(64, c)), false);
}

const BRANCH: Readonly<Record<number, BranchOpName>> = {
  [JmpOp.JEQ]: 'jeq', [JmpOp.JNE]: 'jne', [JmpOp.JGT]: 'jgt', [JmpOp.JGE]: 'jge',
  [JmpOp.JLT]: 'jlt', [JmpOp.JLE]: 'jle', [JmpOp.JSGT]: 'jsgt', [JmpOp.JSGE]: 'jsge',
  [JmpOp.JSLT]: 'jslt', [JmpOp.JSLE]: 'jsle', [JmpOp.JSET]: 'jset',
};

export function branchOp(code: number): BranchOpName {
  const op = BRANCH[code];
  if (!op) throw new Reject(-1, `invalid BPF_JMP opcode 0x${code.toString(16)}`, ErrorCategory.INSN);
  return op;
}

/** The constant of a scalar known to be one (callers check isConstant first). */
export function cv(s: Scalar): bigint {
  return s.constantValue() ?? 0n;
}
