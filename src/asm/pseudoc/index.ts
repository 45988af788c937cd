/**
 * The kernel / LLVM "pseudo-C" assembly dialect, ebee's default:
 * `r0 = *(u32 *)(r1 + 4)`, `if w1 s> 3 goto +2`, `lock *(u64 *)(r10 - 8) += r1`.
 * `parsePseudoC` reads it (labels and map names stay symbolic until `link`);
 * `printPseudoC` / `disassemblePseudoC` write it so that it assembles back to the
 * same bytes, with llvm-mc 19 (`-mcpu=v4`) too wherever LLVM has the instruction.
 *
 * The printer writes what llvm-mc / `llvm-objdump --no-print-imm-hex` print
 * (`hex: true` gives objdump's default hex, `alu32: true` its wN value registers
 * for 8- to 32-bit loads and stores). The parser also reads the verifier log's
 * spellings: `goto pc+3`, `call bpf_map_lookup_elem#1`, `(r1 +4)`,
 * `r1 = atomic64_fetch_add((u64 *)(r2 +0), r1)`, `atomic_xchg`, `atomic64_cmpxchg`.
 *
 * Where LLVM has no spelling, ebee's is:
 *
 * | instruction                         | text                                          |
 * |-------------------------------------|-----------------------------------------------|
 * | local call (src 1)                  | `call pc+3`, `call pc-7`, or `call label`     |
 * | kfunc call (src 2)                  | `call kfunc(BTF_ID)`, `call kfunc(BTF_ID, MODULE_OFFSET)` |
 * | lddw src 1 MAP_FD                   | `r1 = map_fd(FD) ll`                          |
 * | lddw src 2 MAP_VALUE                | `r1 = map_value(FD) + OFF ll`                 |
 * | lddw src 3 VAR_ADDR                 | `r1 = var_addr(BTF_ID) ll`                    |
 * | lddw src 4 CODE_ADDR                | `r1 = code_addr(pc+N) ll`, `code_addr(label)`, or `r1 = label ll` |
 * | lddw src 5 MAP_IDX                  | `r1 = map_idx(INDEX) ll`, or by name `r1 = my_map ll` |
 * | lddw src 6 MAP_IDX_VALUE            | `r1 = map_idx_value(INDEX) + OFF ll`, or by name `r1 = map_value(my_map) + OFF ll` |
 * | packet load, index plus offset      | `r0 = *(u16 *)skb[r1 + 4]` (LLVM: `skb[r1]` only, offset 0) |
 *
 * `+ OFF` (the second slot's immediate) may follow any pseudo source and is omitted
 * when 0. A bare name in `rN = name ll` is a code address when the program defines
 * that label, otherwise a map, numbered by `link`. LLVM prints a resolved local call
 * as `call N`, which cannot be told from a helper call: it assembles as helper N.
 *
 * Immediates are signed 32-bit; where the value is used as 32 bits (wN arithmetic
 * and comparisons, 8- to 32-bit stores, packet offsets, pseudo-source arguments)
 * 2^31..2^32-1 is accepted too. In a 64-bit operation such a value would be
 * sign-extended into a different number, so it is an error there (llvm-mc silently
 * accepts it). 64-bit immediates take any value from -2^63 to 2^64-1.
 *
 * Comments: `#` and `//` to the end of the line, `/* *\/`, and `;` at the start of a
 * line (verifier-log and `objdump -S` source lines). Elsewhere `;` separates
 * statements, as in llvm-mc. `.text` and `.globl`/`.global` are ignored.
 */
import { link, type LinkOptions, type LinkedProgram } from '../link.js';
import { parsePseudoC, type PseudoCParseOptions } from './parse.js';

export { parsePseudoC, type PseudoCParseOptions } from './parse.js';
export {
  printPseudoC, disassemblePseudoC, pseudoCLabel, type PseudoCPrintOptions, type PseudoCDisassembleOptions,
} from './print.js';

/** Parses and links in one step. */
export function assemblePseudoC(text: string, options: PseudoCParseOptions & LinkOptions = {}): LinkedProgram {
  return link(parsePseudoC(text, options), options);
}
