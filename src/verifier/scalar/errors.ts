import { EbeeError } from '../../errors.js';

/** Stable codes of the scalar domain's errors. */
export const ScalarErrorCode = {
  /** A constructor or operation was given an argument outside its domain. */
  ARGUMENT: 'EBEE_VERIFIER_SCALAR_ARGUMENT',
} as const;

/** Misuse of the scalar domain (a caller's bug, never a property of the program). */
export class ScalarError extends EbeeError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(ScalarErrorCode.ARGUMENT, message, options);
  }
}
