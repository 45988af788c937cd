/**
 * ebee: eBPF for JavaScript. The public API, layer by layer (see ARCHITECTURE.md):
 * errors, the instruction set (`isa/`), the assemblers (`asm/`), and the address
 * space and interpreter (`vm/`), and the WebAssembly JIT (`jit/`).
 */
export * from './errors.js';
export * from './isa/index.js';
export * from './asm/index.js';
export * from './vm/index.js';
export * from './jit/index.js';
export * from './pcap/index.js';
export * from './maps/index.js';
export * from './progs/index.js';
export * from './runtime/index.js';
