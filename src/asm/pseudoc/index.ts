/**
 * The kernel / LLVM "pseudo-C" assembly dialect, ebee's default:
 * `r0 = *(u32 *)(r1 + 4)`, `if w1 s> 3 goto +2`, `lock *(u64 *)(r10 - 8) += r1`.
 * `parsePseudoC` reads it (labels and map names stay symbolic until `link`),
 * `printPseudoC` / `disassemblePseudoC` write it so that it assembles back to the
 * same bytes, with llvm-mc as well wherever LLVM has the instruction.
 */
import { link, type LinkOptions, type LinkedProgram } from '../link.js';
import { parsePseudoC, type ParseOptions } from './parse.js';

export { parsePseudoC, type ParseOptions } from './parse.js';
export {
  printPseudoC, disassemblePseudoC, labelName, type PrintOptions, type DisassembleOptions,
} from './print.js';

/** Parses and links in one step. */
export function assemblePseudoC(text: string, options: ParseOptions & LinkOptions = {}): LinkedProgram {
  return link(parsePseudoC(text, options), options);
}
