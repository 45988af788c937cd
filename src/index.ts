/**
 * ebee: eBPF for JavaScript. The public API, layer by layer (see ARCHITECTURE.md):
 * errors, the instruction set (`isa/`), the assemblers (`asm/`), the address space and
 * interpreter (`vm/`), the WebAssembly JIT (`jit/`), captures (`pcap/`), maps, BTF and
 * CO-RE (`btf/`), ELF objects (`elf/`), Linux's helpers, program types (`progs/`) and
 * the `Runtime` that ties them together.
 */
export * from './errors.js';
export * from './isa/index.js';
export * from './asm/index.js';
export * from './vm/index.js';
export * from './jit/index.js';
export * from './pcap/index.js';
export * from './maps/index.js';
export * from './btf/index.js';
export * from './elf/index.js';
export * from './helpers/index.js';
export * from './progs/index.js';
export * from './runtime/index.js';
