/**
 * `asm/`: text assembler and disassembler for two dialects: the kernel / LLVM
 * pseudo-C syntax (the default; what llvm-objdump and the verifier log print) and
 * the bpf_conformance / uBPF mnemonic syntax. Both parse to the same items and share
 * `link` for labels and map names; `builder` makes programs in code.
 */
import { checkProgram, IsaError, slotIndices, type Instruction } from '../isa/index.js';
import { AsmError, AsmErrorCode } from './errors.js';
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

/**
 * Assembles text into instructions (labels and map names resolved), and checks the
 * result as the kernel would before loading it, so a numeric jump out of range or a
 * write to r10 is reported at its source line rather than later by pc.
 */
export function assemble(text: string, options: AssembleOptions = {}): LinkedProgram {
  const parseOptions = options.file === undefined ? {} : { file: options.file };
  const parsed = (options.dialect ?? 'pseudo-c') === 'mnemonic' ? parseMnemonic(text, parseOptions) : parsePseudoC(text, parseOptions);
  const linked = link(parsed, options);
  try {
    checkProgram(linked.insns);
  } catch (err) {
    if (!(err instanceof IsaError) || err.pc === undefined) throw err;
    const index = slotIndices(linked.insns).indexOf(err.pc);
    const location = linked.locations[index] ?? linked.locations[0];
    if (!location) throw err;
    throw new AsmError(AsmErrorCode.INVALID_PROGRAM, err.message, location, err);
  }
  return linked;
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
