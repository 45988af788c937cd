import { IsaError, IsaErrorCode } from './errors.js';
import { LDDW_OPCODE, lddwHigh, widthOf, type Instruction } from './instruction.js';

/**
 * Encodes instructions to little-endian bytecode. The encoder is byte-exact for
 * whatever fields it is given (it does not validate forms: `decode` does), but it
 * refuses values that do not fit their field.
 */
export function encode(insns: readonly Instruction[]): Uint8Array {
  let slots = 0;
  for (const i of insns) slots += widthOf(i);
  const bytes = new Uint8Array(slots * 8);
  const view = new DataView(bytes.buffer);
  let pc = 0;
  insns.forEach((i, index) => {
    checkRange(i, index, pc);
    writeSlot(view, pc, i.opcode, i.dst, i.src, i.offset, i.imm);
    if (i.opcode === LDDW_OPCODE) {
      writeSlot(view, pc + 1, 0, 0, 0, 0, lddwHigh(i));
      pc += 2;
    } else {
      pc += 1;
    }
  });
  return bytes;
}

function writeSlot(view: DataView, pc: number, opcode: number, dst: number, src: number, offset: number, imm: number): void {
  const at = pc * 8;
  view.setUint8(at, opcode);
  view.setUint8(at + 1, (src << 4) | dst);
  view.setInt16(at + 2, offset, true);
  view.setInt32(at + 4, imm, true);
}

function checkRange(i: Instruction, index: number, pc: number): void {
  const bad = (what: string): never => {
    throw new IsaError(IsaErrorCode.FIELD_RANGE, `instruction ${index}: ${what}`, { pc });
  };
  if (!Number.isInteger(i.opcode) || i.opcode < 0 || i.opcode > 0xff) bad(`opcode ${i.opcode} does not fit in 8 bits`);
  if (!Number.isInteger(i.dst) || i.dst < 0 || i.dst > 15) bad(`dst ${i.dst} does not fit in 4 bits`);
  if (!Number.isInteger(i.src) || i.src < 0 || i.src > 15) bad(`src ${i.src} does not fit in 4 bits`);
  if (!Number.isInteger(i.offset) || i.offset < -0x8000 || i.offset > 0x7fff) bad(`offset ${i.offset} does not fit in s16`);
  if (!Number.isInteger(i.imm) || i.imm < -0x80000000 || i.imm > 0xffffffff) bad(`imm ${i.imm} does not fit in 32 bits`);
  if (i.opcode === LDDW_OPCODE && i.imm64 !== undefined && BigInt.asUintN(32, i.imm64) !== BigInt(i.imm >>> 0)) {
    bad(`lddw imm ${i.imm} disagrees with the low half of imm64 0x${i.imm64.toString(16)}`);
  }
}
