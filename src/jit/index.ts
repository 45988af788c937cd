/**
 * `jit/`: eBPF -> WebAssembly, with the interpreter's semantics.
 *
 * - `wasm/`: the binary encoder (knows nothing of eBPF).
 * - `cfg/`: graphs over block ids, irreducible-region detection and the structuring
 *   pass (Ramsey's dominator-tree algorithm); knows nothing of eBPF or wasm.
 * - `analysis/`: basic blocks and functions of a prepared program (`flow.ts`), and the
 *   shared function signature from register liveness (`liveness.ts`).
 * - `lower/`: one instruction at a time (ALU, memory with region checks, atomics,
 *   packet loads, calls, conditions); `emit.ts` places blocks by the structure tree
 *   and charges the budget; `compile.ts` assembles the module (`compileToBytes` is
 *   ebee's part, `compile` adds the engine's `WebAssembly.Module`); `abi.ts` is the
 *   contract with `runtime.ts`, which instantiates modules (`JitVm`) and implements
 *   the imports with the interpreter's own checks, helper call and errors
 *   (`vm/engine.ts`).
 *
 * One wasm function per eBPF function (pc 0, call targets, code addresses), registers
 * in i64 locals, memory in the address space's `WebAssembly.Memory`. Checked mode
 * (the default) adds region checks and an instruction budget whose count equals the
 * interpreter's `executed` for every run that completes.
 */
export { compile, compileToBytes, type GeneratedModule, type CompileOptions, type CompiledProgram, type ProgramSource } from './compile.js';
export { JitVm, type JitVmOptions, type JitRunOptions, type JitRunResult } from './runtime.js';
