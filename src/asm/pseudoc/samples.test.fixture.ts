/**
 * Sample instructions for every row of `INSTRUCTION_FORMS`, shared by the round-trip
 * tests and the llvm-mc oracle. Values are chosen to hit the edges: r0 and r10,
 * negative and extreme immediates and offsets, every lddw pseudo source, 64-bit
 * immediates written both ways round.
 */
import {
  Class, INSTRUCTION_FORMS, JmpOp, LDDW_OPCODE, LddwSrc, insn, lddw, slotIndices, targetOf, type FieldRule, type InsnForm,
  type Instruction,
} from '../../isa/index.js';

export const SAMPLES_PER_FORM = 5;

const REGS = [0, 1, 5, 9, 10] as const;
const IMMS = [0, 1, -1, 0x7fffffff, -0x80000000, 12345, -42] as const;
const OFFSETS = [0, 4, -8, 0x7fff, -0x8000, 300] as const;
const IMM64 = [
  0n, 1n, 0xffff_ffff_ffff_ffffn, 0x8000_0000_0000_0000n, 0x1122_3344_5566_7788n,
  0x7fff_ffff_ffff_ffffn, 0xffff_ffffn, 0x1_0000_0000n,
] as const;
const NEXT_IMMS = [0, 8, 0, -1, 0x7fffffff] as const;

const pick = <T>(list: readonly T[], k: number): T => list[k % list.length]!;

function field(rule: FieldRule, any: readonly number[], k: number): number {
  if (rule === 'zero') return 0;
  if (typeof rule === 'object') return rule.exact;
  return pick(rule === 'reg' ? REGS : any, k);
}

/** `SAMPLES_PER_FORM` instances of a form, varied by `k` and by the form's position. */
export function samplesOf(form: InsnForm): Instruction[] {
  const seed = INSTRUCTION_FORMS.indexOf(form);
  const out: Instruction[] = [];
  for (let k = 0; k < SAMPLES_PER_FORM; k++) {
    const n = seed + k;
    const dst = field(form.dst, [], n);
    const src = field(form.src, [], n + 2);
    if (form.opcode === LDDW_OPCODE) {
      const value = src === LddwSrc.IMM64
        ? pick(IMM64, n)
        : (BigInt(pick(NEXT_IMMS, k) >>> 0) << 32n) | BigInt(pick(IMMS, n) >>> 0);
      out.push(lddw(dst, value, src));
      continue;
    }
    out.push(insn(form.opcode, dst, src, field(form.offset, OFFSETS, n), field(form.imm, IMMS, n)));
  }
  return out;
}

/** Every sample of every form, in table order. */
export function allSamples(): { form: InsnForm; insn: Instruction }[] {
  return INSTRUCTION_FORMS.flatMap((form) => samplesOf(form).map((i) => ({ form, insn: i })));
}

/**
 * Rewrites every jump, local call and code address so it lands on an instruction of
 * the program (or just past its end), so a labelled disassembly can name them all.
 */
export function retarget(insns: readonly Instruction[]): Instruction[] {
  const pcs = slotIndices(insns);
  return insns.map((i, k) => {
    if (targetOf(i, pcs[k]!) === undefined) return i;
    const distance = pcs[(k * 7 + 3) % (insns.length + 1)]! - pcs[k]! - 1;
    if (i.opcode === LDDW_OPCODE) {
      const high = (i.imm64 ?? 0n) & 0xffff_ffff_0000_0000n;
      return { ...i, imm: distance, imm64: high | BigInt(distance >>> 0) };
    }
    const inImm = i.opcode === (JmpOp.JA | Class.JMP32) || (i.opcode & 0xf0) === JmpOp.CALL;
    return inImm ? { ...i, imm: distance } : { ...i, offset: distance };
  });
}
