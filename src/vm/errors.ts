import { EbeeError, type EbeeErrorOptions } from '../errors.js';

/** Stable codes for run-time failures. */
export const VmErrorCode = {
  /** A load or store outside every region (checked mode), or outside memory. */
  OUT_OF_BOUNDS: 'EBEE_VM_OUT_OF_BOUNDS',
  /** A store into a read-only region. */
  READ_ONLY: 'EBEE_VM_READ_ONLY',
  /** The instruction budget ran out: the program may not terminate. */
  BUDGET_EXCEEDED: 'EBEE_VM_BUDGET_EXCEEDED',
  /** More than 8 nested bpf-to-bpf calls. */
  CALL_DEPTH: 'EBEE_VM_CALL_DEPTH',
  /** A call to a helper id that is not registered. */
  UNKNOWN_HELPER: 'EBEE_VM_UNKNOWN_HELPER',
  /** A helper threw. The helper's error is the `cause`. */
  HELPER_FAILED: 'EBEE_VM_HELPER_FAILED',
  /** Execution ran past the last instruction. */
  FELL_OFF_END: 'EBEE_VM_FELL_OFF_END',
  /** `callx` to a value that is neither a helper id nor a code address. */
  BAD_CALL_TARGET: 'EBEE_VM_BAD_CALL_TARGET',
  /** The instruction cannot run here (kfunc call, packet load without a packet). */
  UNSUPPORTED: 'EBEE_VM_UNSUPPORTED',
  /** The address space cannot grow to satisfy an allocation. */
  OUT_OF_MEMORY: 'EBEE_VM_OUT_OF_MEMORY',
  /** A bad argument to the VM API (not a program fault). */
  BAD_ARGUMENT: 'EBEE_VM_BAD_ARGUMENT',
} as const;
export type VmErrorCodeValue = (typeof VmErrorCode)[keyof typeof VmErrorCode];

/** A run-time failure. `pc` names the instruction that failed, when there is one. */
export class VmError extends EbeeError {
  /** The faulting address, for memory errors. */
  readonly address: number | bigint | undefined;
  /** The access size in bytes, for memory errors. */
  readonly size: number | undefined;

  constructor(
    code: VmErrorCodeValue,
    message: string,
    options: EbeeErrorOptions & { address?: number | bigint; size?: number } = {},
  ) {
    super(code, options.pc === undefined ? message : `pc ${options.pc}: ${message}`, options);
    this.address = options.address;
    this.size = options.size;
  }
}
