/**
 * `jit/wasm/`: a small WebAssembly binary encoder that knows nothing of eBPF (opcode
 * tables, LEB128, a function-body builder, a module builder) and `printWat`, a
 * disassembler for golden tests of what the JIT emits.
 */
export { ValType, BlockType, Op, AtomicOp, MiscOp, type ValTypeValue, type BlockTypeValue } from './opcodes.js';
export { opName } from './opinfo.js';
export { CodeBuilder } from './code.js';
export { ModuleBuilder, MAX_PAGES, type MemoryLimits } from './module.js';
export { printWat } from './wat.js';
export { WasmEncodeError, WasmErrorCode, type WasmErrorCodeValue } from './errors.js';
