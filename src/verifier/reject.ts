/**
 * The internal signal of a rejection: thrown where a check fails, caught once by the
 * driver, which turns it into the result's `error`, log line and explanation.
 */
import type { ErrorCategoryValue } from './types.js';

export class Reject extends Error {
  constructor(
    readonly pc: number,
    readonly reason: string,
    readonly category: ErrorCategoryValue,
    /** The register at fault, for the explanation's def chain. */
    readonly reg?: number,
    /** A hint key for common mistakes (see explain.ts). */
    readonly hint?: string,
  ) {
    super(reason);
  }
}
