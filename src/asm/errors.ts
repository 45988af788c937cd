import { EbeeError, formatLocation, type SourceLocation } from '../errors.js';

/** Stable codes for assembler input errors. */
export const AsmErrorCode = {
  /** The line does not parse as any instruction or directive. */
  SYNTAX: 'EBEE_ASM_SYNTAX',
  /** The mnemonic (or pseudo-C statement shape) names no instruction. */
  UNKNOWN_MNEMONIC: 'EBEE_ASM_UNKNOWN_MNEMONIC',
  /** An operand has the wrong kind (register where an immediate is needed, r11, ...). */
  BAD_OPERAND: 'EBEE_ASM_BAD_OPERAND',
  /** An immediate does not fit its field. */
  IMM_RANGE: 'EBEE_ASM_IMM_RANGE',
  /** A memory or jump offset does not fit in s16. */
  OFFSET_RANGE: 'EBEE_ASM_OFFSET_RANGE',
  /** A jump or call names a label that is not defined. */
  UNDEFINED_LABEL: 'EBEE_ASM_UNDEFINED_LABEL',
  /** A label is defined twice. */
  DUPLICATE_LABEL: 'EBEE_ASM_DUPLICATE_LABEL',
  /** A map is referenced by a name the options do not know. */
  UNKNOWN_MAP: 'EBEE_ASM_UNKNOWN_MAP',
  /**
   * The program fails the instruction set's structural checks (a jump out of range or
   * into an lddw, a write to r10); the `IsaError` is the `cause`.
   */
  INVALID_PROGRAM: 'EBEE_ASM_INVALID_PROGRAM',
} as const;
export type AsmErrorCodeValue = (typeof AsmErrorCode)[keyof typeof AsmErrorCode];

/** Bad assembly text. The message starts with `line:column`. */
export class AsmError extends EbeeError {
  constructor(code: AsmErrorCodeValue, message: string, location: SourceLocation, cause?: unknown) {
    super(code, `${formatLocation(location)}: ${message}`, { location, cause });
  }
}
