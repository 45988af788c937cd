import { EbeeError, type EbeeErrorOptions } from '../errors.js';

/** Stable codes for helper failures that are not a program's -errno. */
export const HelperErrorCode = {
  /** The helper has a prototype but ebee has no implementation (mock it). */
  NOT_IMPLEMENTED: 'EBEE_HELPERS_NOT_IMPLEMENTED',
  /** No helper has this id or name. */
  UNKNOWN_HELPER: 'EBEE_HELPERS_UNKNOWN_HELPER',
  /** A bad option to `createHelperEnv` / `createHelpers` (a route, a mock, a seed...). */
  BAD_OPTION: 'EBEE_HELPERS_BAD_OPTION',
  /**
   * An argument the verifier would have rejected (not a map pointer, a map of the wrong
   * type, a pointer that is no ring-buffer record): an unverified program's bug.
   */
  BAD_ARGUMENT: 'EBEE_HELPERS_BAD_ARGUMENT',
  /** A packet helper ran without a packet, or on the wrong kind of packet. */
  NO_PACKET: 'EBEE_HELPERS_NO_PACKET',
  /** bpf_spin_lock on a lock the program already holds (a kernel deadlock), or an unlock of a free lock. */
  LOCK_MISUSE: 'EBEE_HELPERS_LOCK_MISUSE',
} as const;
export type HelperErrorCodeValue = (typeof HelperErrorCode)[keyof typeof HelperErrorCode];

export class HelperError extends EbeeError {
  constructor(code: HelperErrorCodeValue, message: string, options: EbeeErrorOptions = {}) {
    super(code, message, options);
  }
}
