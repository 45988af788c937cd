/**
 * `runtime/`: what a user holds. A `Runtime` owns one address space, its maps, the
 * helper environment and both engines; `loadProgram` turns instructions, bytecode or
 * assembly into a `Program` (map references resolved, registered for PROG_ARRAY
 * slots), `loadObject` / `openObject` do the same for every program and map of a
 * clang-built ELF object, and `testRun` runs a program as BPF_PROG_TEST_RUN does,
 * tail calls included.
 */
export { Runtime, type RuntimeOptions, type LoadOptions, type VerifyRequest, type VerifyHook } from './runtime.js';
export {
  verifyForRuntime, verifyProgram, mapDescriptorOf, isGplCompatible, type RuntimeVerifyInput, type VerifyProgramOptions,
} from './verify.js';
export { globalFunctionsOf } from './global-funcs.js';
export type { ContextOf } from './arg-ctx.js';
export { Program, type RunOptions, type RunOutcome } from './program.js';
export {
  type TestRunOptions, type TestRunResult, type TestRunEvent, type EngineName, MAX_TAIL_CALLS,
} from './testrun.js';
export { type ProgramSourceInput, type MapRef, decodeSource, mapRefsByFd, resolveMaps } from './source.js';
export {
  OpenObject, LoadedObject, isElf, type OpenObjectOptions, type LoadObjectOptions, type ProgramPlan, type ObjectHost,
} from './object.js';
export { GlobalVar, type VariableShape } from './globals.js';
export { RuntimeError, RuntimeErrorCode, VerifierRejectedError, type RuntimeErrorCodeValue } from './errors.js';
