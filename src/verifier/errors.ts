/**
 * Errors the verifier throws (as opposed to rejections, which are results): bad
 * options or input it cannot analyse at all.
 */
import { EbeeError, type EbeeErrorOptions } from '../errors.js';

export const VerifierErrorCode = {
  /** An option is malformed (a negative limit, a map descriptor with bad sizes...). */
  BAD_OPTION: 'EBEE_VERIFIER_BAD_OPTION',
  /** The program is empty or not an array of instructions. */
  BAD_PROGRAM: 'EBEE_VERIFIER_BAD_PROGRAM',
} as const;
export type VerifierErrorCodeValue = typeof VerifierErrorCode[keyof typeof VerifierErrorCode];

export class VerifierInputError extends EbeeError {
  constructor(code: VerifierErrorCodeValue, message: string, options: EbeeErrorOptions = {}) {
    super(code, message, options);
  }
}
