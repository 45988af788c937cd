/**
 * `vm/`: the address space and the reference interpreter (exact RFC 9669 semantics,
 * checked memory, call frames, instruction budget, single-stepping and traces).
 */
export { Vm, type VmOptions, type ProgramInput } from './vm.js';
export {
  Execution, type ExecutionOptions, type RunResult,
  STACK_FRAME_SIZE, MAX_CALL_FRAMES, DEFAULT_BUDGET, CODE_ADDRESS_TAG,
} from './execution.js';
export { AddressSpace, RESERVED_LOW, type Region, type RegionOptions, type AddressSpaceOptions } from './memory.js';
export { HelperRegistry, type HelperFn, type HelperDef, type HelperContext } from './helpers.js';
export { prepare, type PreparedProgram } from './program.js';
export { runTraced, type TraceStep } from './trace.js';
export { VmError, VmErrorCode, type VmErrorCodeValue } from './errors.js';
