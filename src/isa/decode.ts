import { IsaError, IsaErrorCode } from './errors.js';
import { LDDW_OPCODE, type Instruction } from './instruction.js';
import { MAX_REG } from './opcodes.js';
import { formOf, formsOf, type FieldRule } from './spec.js';

const hex = (v: number, width = 2): string => '0x' + (v >>> 0).toString(16).padStart(width, '0');

/**
 * Decodes little-endian bytecode into instructions, rejecting anything the kernel
 * would reject as malformed: a length that is not a multiple of 8, an unknown opcode,
 * a non-zero reserved field, a register above 10, a truncated `lddw`. Control-flow
 * checks (jump targets, writes to r10) are `checkProgram`'s.
 */
export function decode(bytes: Uint8Array): Instruction[] {
  if (bytes.length % 8 !== 0) {
    throw new IsaError(IsaErrorCode.BAD_LENGTH,
      `bytecode length ${bytes.length} is not a multiple of 8 (${bytes.length % 8} trailing bytes)`,
      { pc: Math.floor(bytes.length / 8) });
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const slots = bytes.length / 8;
  const out: Instruction[] = [];
  for (let pc = 0; pc < slots; pc++) {
    const raw = readSlot(view, pc);
    if (raw.opcode !== LDDW_OPCODE) {
      out.push(validate(raw, pc));
      continue;
    }
    if (pc + 1 >= slots) {
      throw new IsaError(IsaErrorCode.BAD_LDDW, 'lddw is the last slot: its second half is missing', { pc });
    }
    const next = readSlot(view, pc + 1);
    if (next.opcode !== 0 || next.dst !== 0 || next.src !== 0 || next.offset !== 0) {
      throw new IsaError(IsaErrorCode.BAD_LDDW,
        `second slot of lddw must hold only the upper immediate (opcode ${hex(next.opcode)}, regs ${next.dst}/${next.src}, offset ${next.offset})`,
        { pc: pc + 1 });
    }
    const first = validate(raw, pc);
    const imm64 = (BigInt(next.imm >>> 0) << 32n) | BigInt(raw.imm >>> 0);
    out.push({ ...first, imm64 });
    pc++;
  }
  return out;
}

interface RawSlot { opcode: number; dst: number; src: number; offset: number; imm: number }

function readSlot(view: DataView, pc: number): RawSlot {
  const at = pc * 8;
  const regs = view.getUint8(at + 1);
  return {
    opcode: view.getUint8(at),
    dst: regs & 0x0f,
    src: regs >> 4,
    offset: view.getInt16(at + 2, true),
    imm: view.getInt32(at + 4, true),
  };
}

function validate(raw: RawSlot, pc: number): Instruction {
  const form = formOf(raw);
  if (!form) {
    const candidates = formsOf(raw.opcode);
    if (candidates.length === 0) {
      throw new IsaError(IsaErrorCode.UNKNOWN_OPCODE, `unknown opcode ${hex(raw.opcode)}`, { pc });
    }
    throw new IsaError(IsaErrorCode.UNKNOWN_OPCODE,
      `opcode ${hex(raw.opcode)} (${candidates[0]!.name}) with src ${raw.src}, offset ${raw.offset}, imm ${raw.imm} names no instruction`,
      { pc });
  }
  checkField(form.name, 'dst', form.dst, raw.dst, pc);
  checkField(form.name, 'src', form.src, raw.src, pc);
  checkField(form.name, 'offset', form.offset, raw.offset, pc);
  checkField(form.name, 'imm', form.imm, raw.imm, pc);
  return raw;
}

function checkField(name: string, field: string, rule: FieldRule, value: number, pc: number): void {
  if (rule === 'reg' && value > MAX_REG) {
    throw new IsaError(IsaErrorCode.BAD_REGISTER, `${name}: ${field} register r${value} does not exist (r0-r10)`, { pc });
  }
  if (rule === 'zero' && value !== 0) {
    throw new IsaError(IsaErrorCode.RESERVED_FIELD, `${name}: reserved field ${field} is ${value}, must be 0`, { pc });
  }
}
