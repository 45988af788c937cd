import { EbeeError, type EbeeErrorOptions } from '../errors.js';
import type { Explanation, VerifierError, VerifierResult } from '../verifier/index.js';

/** Stable codes for the runtime's own failures (the layers below keep theirs). */
export const RuntimeErrorCode = {
  /** A program source that is none of instructions, bytecode or assembly text; an ELF object given to `loadProgram`. */
  BAD_SOURCE: 'EBEE_RUNTIME_BAD_SOURCE',
  /** An `lddw` naming a map the runtime does not have, or a map value it cannot point at. */
  UNRESOLVED_MAP: 'EBEE_RUNTIME_UNRESOLVED_MAP',
  /** An option of the wrong shape or value (engine, repeat, cpu...). */
  BAD_OPTION: 'EBEE_RUNTIME_BAD_OPTION',
  /** A tail call whose target is not a program of this runtime. */
  BAD_TAIL_CALL: 'EBEE_RUNTIME_BAD_TAIL_CALL',
  /** The program was refused by a custom verifier hook. */
  REJECTED: 'EBEE_RUNTIME_REJECTED',
  /** ebee's verifier rejected the program (the error carries its log and explanation). */
  VERIFIER_REJECTED: 'EBEE_RUNTIME_VERIFIER_REJECTED',
  /** An object the runtime cannot load as it is: a program with no known type, a slot naming a program not loaded. */
  BAD_OBJECT: 'EBEE_RUNTIME_BAD_OBJECT',
  /** Programs with CO-RE relocations and no target BTF to resolve them against. */
  NO_TARGET_BTF: 'EBEE_RUNTIME_NO_TARGET_BTF',
  /** A kfunc, `.kconfig` or `.ksyms` symbol: ebee has no kernel to take it from. */
  UNRESOLVED_EXTERN: 'EBEE_RUNTIME_UNRESOLVED_EXTERN',
  /** No program, map or variable of that name in the object. */
  NOT_FOUND: 'EBEE_RUNTIME_NOT_FOUND',
  /** A write to something read-only: a `.rodata` variable after load. */
  READ_ONLY: 'EBEE_RUNTIME_READ_ONLY',
  /** A value that does not fit what it is written to. */
  BAD_VALUE: 'EBEE_RUNTIME_BAD_VALUE',
} as const;
export type RuntimeErrorCodeValue = (typeof RuntimeErrorCode)[keyof typeof RuntimeErrorCode];

export class RuntimeError extends EbeeError {
  constructor(code: RuntimeErrorCodeValue, message: string, options: EbeeErrorOptions = {}) {
    super(code, message, options);
  }
}

/** A program the verifier refused at load: the message is its error at its pc; the log and explanation come along. */
export class VerifierRejectedError extends RuntimeError {
  /** The verifier's whole verdict. */
  readonly result: VerifierResult;
  /** The kernel-format log (the path to the error). */
  readonly log: string;
  readonly explain: Explanation | undefined;
  readonly verifierError: VerifierError;

  constructor(program: string, result: VerifierResult) {
    const e = result.error ?? { pc: 0, message: 'rejected', category: 'cfg' as const };
    super(RuntimeErrorCode.VERIFIER_REJECTED, `program ${program} was rejected by the verifier at insn ${e.pc}: ${e.message}`, { pc: e.pc });
    this.result = result;
    this.log = result.log;
    this.explain = result.explain;
    this.verifierError = e;
  }
}
