/**
 * `verifier/`: Linux-compatible verification of eBPF programs by path-sensitive
 * abstract interpretation. `verify(insns, options)` gives the verdict, the first error
 * (pc, kernel-worded message, category), the log in the kernel's format, statistics,
 * the abstract states per instruction, and an explanation of each rejection.
 */
export { verify } from './verify.js';
export {
  RegType, ErrorCategory, type RegTypeValue, type ErrorCategoryValue, type MapDescriptor, type MapRef, type Reg,
  type Assumption, type VerifyOptions, type VerifierError, type Explanation, type RegView, type StateView,
  type VerifierStats, type VerifierResult, type ExitState, type GlobalArg, type GlobalFunction,
} from './types.js';
export { ContextPointer, type ContextPointerValue, type ContextField, type ContextLayout } from './context.js';
export { TEST_CONTEXT } from './env.js';
export { VerifierErrorCode, VerifierInputError, type VerifierErrorCodeValue } from './errors.js';
export { makeReg } from './state.js';
export { formatReg } from './log.js';
