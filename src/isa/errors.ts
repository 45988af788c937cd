import { EbeeError, type EbeeErrorOptions } from '../errors.js';

/** Stable codes for malformed bytecode. */
export const IsaErrorCode = {
  /** Byte length is not a multiple of 8. */
  BAD_LENGTH: 'EBEE_ISA_BAD_LENGTH',
  /** `lddw` is the last slot, or its second slot is not a pure immediate. */
  BAD_LDDW: 'EBEE_ISA_BAD_LDDW',
  /** No instruction has this opcode (or this discriminating field value). */
  UNKNOWN_OPCODE: 'EBEE_ISA_UNKNOWN_OPCODE',
  /** A field the form does not use is not zero. */
  RESERVED_FIELD: 'EBEE_ISA_RESERVED_FIELD',
  /** A register number above 10. */
  BAD_REGISTER: 'EBEE_ISA_BAD_REGISTER',
  /** An instruction writes the read-only frame pointer r10. */
  WRITE_R10: 'EBEE_ISA_WRITE_R10',
  /** A jump or call lands outside the program. */
  JUMP_OUT_OF_RANGE: 'EBEE_ISA_JUMP_OUT_OF_RANGE',
  /** A jump or call lands on the second slot of an `lddw`. */
  JUMP_INTO_LDDW: 'EBEE_ISA_JUMP_INTO_LDDW',
  /** An instruction field given to the encoder does not fit. */
  FIELD_RANGE: 'EBEE_ISA_FIELD_RANGE',
  /** The program has no instructions. */
  EMPTY: 'EBEE_ISA_EMPTY',
} as const;
export type IsaErrorCodeValue = (typeof IsaErrorCode)[keyof typeof IsaErrorCode];

/** Malformed bytecode or instruction records. `pc` names the slot. */
export class IsaError extends EbeeError {
  constructor(code: IsaErrorCodeValue, message: string, options: EbeeErrorOptions = {}) {
    super(code, options.pc === undefined ? message : `insn ${options.pc}: ${message}`, options);
  }
}
