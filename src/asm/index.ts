/**
 * `asm/`: text assembler and disassembler for two dialects: the kernel / LLVM
 * pseudo-C syntax (the default; what llvm-objdump and the verifier log print) and
 * the bpf_conformance / uBPF mnemonic syntax. Both parse to the same items and share
 * `link` for labels and map names; `builder` makes programs in code.
 */
import type { Instruction } from '../isa/index.js';
import { link, type LinkedProgram, type LinkOptions } from './link.js';
import { parseMnemonic, disassembleMnemonic } from './mnemonic/index.js';
import { parsePseudoC, disassemblePseudoC } from './pseudoc/index.js';

export type Dialect = 'pseudo-c' | 'mnemonic';
export const DIALECTS: readonly Dialect[] = ['pseudo-c', 'mnemonic'];

export interface AssembleOptions extends LinkOptions {
  /** Default 'pseudo-c'. */
  readonly dialect?: Dialect;
  /** File name for error locations. */
  readonly file?: string;
}

/** Assembles text into instructions (labels and map names resolved). */
export function assemble(text: string, options: AssembleOptions = {}): LinkedProgram {
  const parseOptions = options.file === undefined ? {} : { file: options.file };
  const parsed = (options.dialect ?? 'pseudo-c') === 'mnemonic' ? parseMnemonic(text, parseOptions) : parsePseudoC(text, parseOptions);
  return link(parsed, options);
}

export interface DisassembleOptions {
  /** Default 'pseudo-c'. */
  readonly dialect?: Dialect;
  /** Print jump targets as labels instead of relative offsets. */
  readonly labels?: boolean;
}

/** One line per instruction. */
export function disassemble(insns: readonly Instruction[], options: DisassembleOptions = {}): string {
  const labels = options.labels ?? false;
  return (options.dialect ?? 'pseudo-c') === 'mnemonic'
    ? disassembleMnemonic(insns, { labels })
    : disassemblePseudoC(insns, { labels });
}

/**
 * Guesses the dialect of assembly text: the mnemonic dialect writes registers as
 * `%rN`, which pseudo-C never does.
 */
export function detectDialect(text: string): Dialect {
  return /%r\d/.test(text.replace(/(#|\/\/|;).*$/gm, '')) ? 'mnemonic' : 'pseudo-c';
}

export { link, defineLabel, type LinkOptions, type LinkedProgram, type ParsedProgram, type AsmItem, type LabelDef } from './link.js';
export { AsmError, AsmErrorCode, type AsmErrorCodeValue } from './errors.js';
export * from './mnemonic/index.js';
export * from './pseudoc/index.js';
export * from './builder.js';
