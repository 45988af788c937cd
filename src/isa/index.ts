/**
 * `isa/`: the eBPF instruction set of RFC 9669 as data. Opcode fields, the instruction
 * table, the `Instruction` record, and byte-exact decoding and encoding.
 */
export * from './opcodes.js';
export {
  type Instruction, insn, lddw, lddwHigh, widthOf, slotIndices, isJump, targetOf, LDDW_OPCODE,
} from './instruction.js';
export { INSTRUCTION_FORMS, formOf, formsOf, type InsnForm, type InsnKind, type FieldRule } from './spec.js';
export { decode } from './decode.js';
export { encode } from './encode.js';
export { checkProgram, writesFramePointer } from './check.js';
export { IsaError, IsaErrorCode, type IsaErrorCodeValue } from './errors.js';
