/**
 * `vm/`: the address space and the reference interpreter (exact RFC 9669 semantics,
 * checked memory, call frames, instruction budget, single-stepping and traces).
 */
export { Vm, type VmOptions, type ProgramInput } from './vm.js';
export {
  Execution, type ExecutionOptions, type RunResult, STACK_FRAME_SIZE, DEFAULT_BUDGET,
} from './execution.js';
export {
  MAX_CALL_FRAMES, CODE_ADDRESS_TAG, PROGRAM_EXIT, TailCallRequest, helperFailure, takesTypedPath, typedResult, typedR0, resolveAccess, runHelper, callbackTarget, codeTarget,
  callDepthExceeded, budgetExhausted, fellOffEnd, kfuncUnavailable, unresolvedLddw, invalidOpcode, noPacket, notCallable,
  type AccessRegion,
} from './engine.js';
export { AddressSpace, RESERVED_LOW, type Region, type RegionOptions, type AddressSpaceOptions } from './memory.js';
export {
  HelperRegistry, HelperArg, HelperRet, typedSignature,
  type HelperFn, type HelperDef, type HelperContext, type TypedHelper, type HelperArgValue, type HelperRetValue,
} from './helpers.js';
export { prepare, type PreparedProgram } from './program.js';
export { runTraced, type TraceStep } from './trace.js';
export { VmError, VmErrorCode, type VmErrorCodeValue } from './errors.js';
