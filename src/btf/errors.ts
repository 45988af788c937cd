import { EbeeError, type EbeeErrorOptions } from '../errors.js';

/** Stable codes for BTF, BTF.ext and CO-RE failures. */
export const BtfErrorCode = {
  /** Bytes that are not well-formed BTF or BTF.ext (truncated, bad magic, bad offsets...). */
  MALFORMED: 'EBEE_BTF_MALFORMED',
  /** A type id that names no type. */
  BAD_TYPE_ID: 'EBEE_BTF_BAD_TYPE_ID',
  /** A kind that is not a type: 0 (BTF_KIND_UNKN, which Linux's btf_check_all_metas refuses) or above 19. */
  UNKNOWN_KIND: 'EBEE_BTF_UNKNOWN_KIND',
  /** A type whose size is asked for but has none (void, function, forward declaration). */
  NO_SIZE: 'EBEE_BTF_NO_SIZE',
  /** A chain of typedefs, modifiers or arrays that loops or runs too deep. */
  LOOP: 'EBEE_BTF_LOOP',
  /** The DATASEC fix-up found no section or symbol for a variable. */
  DATASEC_FIXUP: 'EBEE_BTF_DATASEC_FIXUP',
  /** A value given to the BTF writer that BTF cannot encode. */
  BAD_ARGUMENT: 'EBEE_BTF_BAD_ARGUMENT',
  /** A CO-RE relocation record that cannot be applied (bad access string, instruction mismatch). */
  CORE_RELO: 'EBEE_BTF_CORE_RELO',
} as const;
export type BtfErrorCodeValue = (typeof BtfErrorCode)[keyof typeof BtfErrorCode];

export interface BtfErrorOptions extends EbeeErrorOptions {
  /** Byte offset in the input the error is about. */
  offset?: number;
  /** Type id the error is about. */
  typeId?: number;
}

/** Malformed BTF or BTF.ext, or a query the BTF cannot answer. */
export class BtfError extends EbeeError {
  /** Byte offset in the input (from the start of the blob), when the error is about bytes. */
  readonly offset: number | undefined;
  /** Type id the error is about, when there is one. */
  readonly typeId: number | undefined;

  constructor(code: BtfErrorCodeValue, message: string, options: BtfErrorOptions = {}) {
    const where = options.offset !== undefined ? `at byte ${options.offset}: ` : options.typeId !== undefined ? `type [${options.typeId}]: ` : '';
    super(code, where + message, options);
    this.offset = options.offset;
    this.typeId = options.typeId;
  }
}
