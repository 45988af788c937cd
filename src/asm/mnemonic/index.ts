/**
 * The bpf_conformance / uBPF mnemonic dialect.
 *
 * ```
 * mov %r0, 1                 # ALU64: no suffix; ALU32: `32` (add32, mov32, ...)
 * add %r1, %r2               # register or immediate second operand picks the opcode
 * sdiv %r0, 3                # sdiv/smod (and sdiv32/smod32): offset 1
 * neg %r0   le16 %r0   be32 %r0   bswap64 %r0   (swapN is accepted for bswapN)
 * movsx1664 %r0, %r1         # movsx<from><to>: 832 1632 864 1664 3264
 * ldxw %r0, [%r1+4]   ldxsb %r0, [%r1]   stxdw [%r10-8], %r1   stw [%r1+2], 5
 * lock add [%r10-8], %r1     lock fetch or32 [%r1], %r2   lock xchg ...   lock cmpxchg32 ...
 * lddw %r1, 0x1122334455667788          # any 64-bit value, signed or unsigned text
 * jeq %r1, 0, label   jne32 %r1, %r2, -3   ja +1   ja32 label (gotol: distance in imm)
 * call 5   call local func   call %r2 (callx; `callx %r2` also accepted, and printed)
 * call kfunc 1234[, 2]       # kfunc BTF id [, module BTF index in offset]
 * exit
 * label:                     # alone or before an instruction on the same line
 * ```
 *
 * Numbers are decimal or `0x` hex with an optional sign. A 32-bit immediate may be
 * written signed or as its unsigned bit pattern (`0xffffffff` is -1): the suite writes
 * both. Offsets are s16. A numeric jump target is a relative distance in slots (`+3`,
 * `-1`, or bare `3`); a name is a label. The first `exit` is implicitly labelled `exit`
 * unless a label of that name is defined. Comments start with `#`, `;` or `//`.
 *
 * Choices where the suite is silent:
 * - Legacy packet loads are spelled as uBPF and GNU as (normal dialect) print them:
 *   `ldabsw 4` (imm only; the result goes to r0) and `ldindw %r1, 4` (source register,
 *   then imm). Sizes b, h, w.
 * - Maps: `lddw %r1, my_map` loads a map by name; `link` turns the name into an index
 *   (src MAP_IDX). The other `lddw` pseudo forms are spelled with their table names and
 *   take the slot immediate, then optionally the second slot's immediate:
 *   `lddw map_fd %r1, 3`, `lddw map_value %r1, 3, 16`, `lddw var_addr %r1, 123`,
 *   `lddw code_addr %r1, func`, `lddw map_idx %r1, 0`, `lddw map_idx_value %r1, 0, 16`.
 *   The map forms also take a name (`lddw map_idx_value %r1, my_map, 16` is the value
 *   form: the address of the map's value plus 16); a name always resolves to an index.
 */
import type { LinkOptions, LinkedProgram } from '../link.js';
import { link } from '../link.js';
import { parseMnemonic, type MnemonicParseOptions } from './parse.js';

export { parseMnemonic, type MnemonicParseOptions } from './parse.js';
export {
  printMnemonic, disassembleMnemonic, type MnemonicPrintOptions, type MnemonicDisassembleOptions,
} from './print.js';
export { MNEMONIC_ALIASES } from './table.js';

/** Parses and links in one step. */
export function assembleMnemonic(text: string, options: MnemonicParseOptions & LinkOptions = {}): LinkedProgram {
  return link(parseMnemonic(text, options), options);
}
