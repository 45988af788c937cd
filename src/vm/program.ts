/**
 * A program prepared for the interpreter: checked once, then laid out as
 * struct-of-arrays indexed by pc (slot), so the hot loop reads small typed arrays
 * instead of objects. The second slot of an `lddw` keeps opcode 0 and is never
 * executed (jumps into it are rejected by `checkProgram`).
 */
import { checkProgram, decode, LDDW_OPCODE, lddwHigh, slotIndices, type Instruction } from '../isa/index.js';

export interface PreparedProgram {
  /** Instruction count in slots. */
  readonly length: number;
  readonly opcode: Uint8Array;
  readonly dst: Uint8Array;
  readonly src: Uint8Array;
  readonly offset: Int16Array;
  readonly imm: Int32Array;
  /** `lddw`: the high 32 bits of the immediate; otherwise 0. */
  readonly immHi: Int32Array;
  /** The instructions as given, for disassembly in traces and errors. */
  readonly insns: readonly Instruction[];
  /** Slot of each instruction in `insns` (and the total at the end). */
  readonly pcs: readonly number[];
  /** Index into `insns` of the instruction at each slot (-1 for an lddw's second slot). */
  readonly indexAt: Int32Array;
}

/** Checks and lays out instructions (or raw little-endian bytecode). */
export function prepare(program: readonly Instruction[] | Uint8Array): PreparedProgram {
  const insns = program instanceof Uint8Array ? decode(program) : program;
  checkProgram(insns);
  const pcs = slotIndices(insns);
  const length = pcs[insns.length]!;
  // One spare slot of opcode 0 (not an instruction) past the end: see interpret.ts.
  const out = {
    length,
    opcode: new Uint8Array(length + 1),
    dst: new Uint8Array(length + 1),
    src: new Uint8Array(length + 1),
    offset: new Int16Array(length + 1),
    imm: new Int32Array(length + 1),
    immHi: new Int32Array(length + 1),
    insns,
    pcs,
    indexAt: new Int32Array(length).fill(-1),
  };
  insns.forEach((i, index) => {
    const pc = pcs[index]!;
    out.opcode[pc] = i.opcode;
    out.dst[pc] = i.dst;
    out.src[pc] = i.src;
    out.offset[pc] = i.offset;
    out.imm[pc] = i.imm;
    out.indexAt[pc] = index;
    if (i.opcode === LDDW_OPCODE) out.immHi[pc] = lddwHigh(i);
  });
  return out;
}
