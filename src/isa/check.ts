import { IsaError, IsaErrorCode } from './errors.js';
import { slotIndices, targetOf, type Instruction } from './instruction.js';
import { AtomicOp, FRAME_POINTER } from './opcodes.js';
import { formOf } from './spec.js';

/**
 * Structural checks on a whole program, beyond what decoding one slot can see: every
 * jump, local call and code address lands on the first slot of an instruction inside
 * the program, and nothing writes the frame pointer r10. These are the checks the
 * kernel makes before verification proper; the interpreter and JIT rely on them.
 */
export function checkProgram(insns: readonly Instruction[]): void {
  if (insns.length === 0) throw new IsaError(IsaErrorCode.EMPTY, 'the program has no instructions');
  const pcs = slotIndices(insns);
  const slots = pcs[insns.length]!;
  const starts = new Uint8Array(slots);
  for (let i = 0; i < insns.length; i++) starts[pcs[i]!] = 1;

  for (let i = 0; i < insns.length; i++) {
    const ins = insns[i]!;
    const pc = pcs[i]!;
    if (writesFramePointer(ins)) {
      throw new IsaError(IsaErrorCode.WRITE_R10, 'r10 is the read-only frame pointer and cannot be written', { pc });
    }
    const target = targetOf(ins, pc);
    if (target === undefined) continue;
    if (target < 0 || target >= slots) {
      throw new IsaError(IsaErrorCode.JUMP_OUT_OF_RANGE,
        `${describe(ins)} targets insn ${target}, outside the program (0-${slots - 1})`, { pc });
    }
    if (!starts[target]) {
      throw new IsaError(IsaErrorCode.JUMP_INTO_LDDW,
        `${describe(ins)} targets insn ${target}, the second half of an lddw`, { pc });
    }
  }
}

function describe(ins: Instruction): string {
  const name = formOf(ins)?.name ?? 'instruction';
  return name.startsWith('call') ? 'call' : name.startsWith('lddw') ? 'code address' : 'jump';
}

/** True when the instruction writes r10 (as dst, or as the fetch target of an atomic). */
export function writesFramePointer(ins: Instruction): boolean {
  const form = formOf(ins);
  if (!form) return false;
  switch (form.kind) {
    case 'alu': case 'neg': case 'end': case 'mov': case 'ldx': case 'lddw':
      return ins.dst === FRAME_POINTER;
    case 'atomic':
      return (ins.imm & AtomicOp.FETCH) !== 0 && ins.imm !== AtomicOp.CMPXCHG && ins.src === FRAME_POINTER;
    default:
      return false;
  }
}
