import { EbeeError, type EbeeErrorOptions } from '../errors.js';
import { Errno, errnoName } from '../maps/index.js';

/**
 * Stable codes for program-type failures: mostly BPF_PROG_TEST_RUN's refusals, each
 * with the errno Linux returns for the same input.
 */
export const ProgErrorCode = {
  /** `data_in` Linux would refuse: shorter than an Ethernet header, too long, or given to a type that takes none (EINVAL). */
  BAD_DATA: 'EBEE_PROGS_BAD_DATA',
  /** `ctx_in` Linux would refuse: a field that may not be set, a wrong size, inconsistent values (EINVAL / E2BIG). */
  BAD_CTX: 'EBEE_PROGS_BAD_CTX',
  /** An option test-run does not take for this type (repeat, cpu, flags...) (EINVAL). */
  BAD_OPTION: 'EBEE_PROGS_BAD_OPTION',
  /** An interface index that names no device (ENODEV). */
  NO_DEVICE: 'EBEE_PROGS_NO_DEVICE',
  /** A program type ebee has no context for, or an unknown type name (ENOTSUPP / EINVAL). */
  UNSUPPORTED_TYPE: 'EBEE_PROGS_UNSUPPORTED_TYPE',
  /** Something Linux supports that ebee does not (multi-buffer XDP frames). */
  UNSUPPORTED: 'EBEE_PROGS_UNSUPPORTED',
} as const;
export type ProgErrorCodeValue = (typeof ProgErrorCode)[keyof typeof ProgErrorCode];

export interface ProgErrorOptions extends EbeeErrorOptions {
  /** Linux's errno for the same failure (positive). */
  errno?: number;
}

export class ProgError extends EbeeError {
  /** What BPF_PROG_TEST_RUN would have returned, negated (e.g. 22 for -EINVAL). */
  readonly errno: number;

  constructor(code: ProgErrorCodeValue, message: string, options: ProgErrorOptions = {}) {
    const errno = options.errno ?? Errno.EINVAL;
    super(code, `${message} (${errnoName(errno)})`, options);
    this.errno = errno;
  }
}
