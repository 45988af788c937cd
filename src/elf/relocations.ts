/**
 * Classification of the relocations in code sections, by the instruction they patch
 * and the section their symbol lives in, as libbpf does it:
 *
 * - `call` + symbol in code: a bpf-to-bpf call. For a global callee the symbol is the
 *   function and imm is -1; for a static one the symbol is the section and imm + 1
 *   counts slots from the section start. Either way the callee's slot is
 *   `value / 8 + imm + 1`.
 * - `call` + undefined symbol: a kernel function (kfunc) or a function no one defines.
 * - `lddw` + symbol in code: a function address (a callback), at `value + imm` bytes.
 * - `lddw` + symbol in a map section: the map whose definition is at `value + imm`.
 * - `lddw` + symbol in a data section: an address inside that global-data map, at
 *   `value + imm` (a global symbol has imm 0; a static one is the section symbol plus imm).
 * - `lddw` + undefined symbol: an extern (`.kconfig` value or `.ksyms` kernel symbol).
 *
 * The relocation type is not checked: clang writes R_BPF_64_32 on calls and
 * R_BPF_64_64 on `lddw`, but the instruction already says what is meant, and old
 * toolchains wrote other numbers (OVS's datapath.o carries type 0 on every `lddw`).
 */
import { type Instruction } from '../isa/index.js';
import { SymbolType } from './constants.js';
import { ElfError, ElfErrorCode } from './errors.js';
import { INSN_SIZE, indexOfSlot, isUndefined, type FunctionSpec } from './functions.js';
import type { ElfFile, ElfRelocation } from './reader.js';

const CALL_OPCODE = 0x85;
const LDDW_OPCODE = 0x18;

/** What one relocated instruction refers to, before linking. */
export type RawTarget =
  | { readonly kind: 'call'; readonly sectionIndex: number; readonly offset: number }
  | { readonly kind: 'func_addr'; readonly sectionIndex: number; readonly offset: number }
  | { readonly kind: 'map'; readonly sectionIndex: number; readonly offset: number; readonly symbol: string }
  | { readonly kind: 'data'; readonly sectionIndex: number; readonly offset: number; readonly symbol: string }
  | { readonly kind: 'kfunc'; readonly symbol: string }
  | { readonly kind: 'extern'; readonly symbol: string; readonly offset: number };

/** Relocations of one function, by instruction index within it. */
export type FunctionRelocations = Map<number, RawTarget>;

function badReloc(fn: FunctionSpec, offset: number, message: string): ElfError {
  return new ElfError(ElfErrorCode.BAD_RELOCATION, message, { section: fn.section, symbol: fn.name, offset });
}

/**
 * Classifies the relocations `relocs` that apply to `fn`. `isCode(i)` tells code sections
 * and `isMapSection(i)` / `isDataSection(i)` the sections maps come from.
 */
export function classifyRelocations(
  elf: ElfFile, fn: FunctionSpec, relocs: readonly ElfRelocation[], isCode: (i: number) => boolean,
  isMapSection: (i: number) => boolean, isDataSection: (i: number) => boolean,
): FunctionRelocations {
  const out: FunctionRelocations = new Map();
  for (const r of relocs) {
    if (r.offset < fn.offset || r.offset >= fn.offset + fn.size) continue;
    const slot = (r.offset - fn.offset) / INSN_SIZE;
    const index = Number.isInteger(slot) ? indexOfSlot(fn, slot) : -1;
    if (index < 0) throw badReloc(fn, r.offset, 'relocation does not point at the start of an instruction');
    const insn: Instruction = fn.insns[index]!;
    const sym = elf.symbols[r.symbol]!;
    const symName = sym.name !== '' ? sym.name : elf.sections[sym.section]?.name ?? `#${r.symbol}`;
    const where = r.offset;
    // SHT_RELA (rare for BPF) carries the addend outside the instruction.
    const addend = Number(r.addend);
    if (insn.opcode === CALL_OPCODE) {
      if (isUndefined(sym)) {
        out.set(index, { kind: 'kfunc', symbol: symName });
      } else if (isCode(sym.section)) {
        if (insn.src !== 1) throw badReloc(fn, where, `relocated call has src ${insn.src}, not a local call`);
        const target = Number(sym.value) + addend + (insn.imm + 1) * INSN_SIZE;
        out.set(index, { kind: 'call', sectionIndex: sym.section, offset: target });
      } else {
        throw badReloc(fn, where, `call relocated against '${symName}', which is not code`);
      }
      continue;
    }
    if (insn.opcode !== LDDW_OPCODE) {
      throw badReloc(fn, where, `relocation on an instruction with opcode 0x${insn.opcode.toString(16)} (only call and lddw take one)`);
    }
    if (insn.src !== 0) throw badReloc(fn, where, `relocated lddw already has src ${insn.src}`);
    const offset = Number(sym.value) + addend + insn.imm;
    if (isUndefined(sym)) {
      out.set(index, { kind: 'extern', symbol: symName, offset: insn.imm });
    } else if (isCode(sym.section)) {
      if (offset % INSN_SIZE !== 0) throw badReloc(fn, where, `function address ${offset} in '${symName}' is not an instruction boundary`);
      out.set(index, { kind: 'func_addr', sectionIndex: sym.section, offset });
    } else if (isMapSection(sym.section)) {
      out.set(index, { kind: 'map', sectionIndex: sym.section, offset, symbol: symName });
    } else if (isDataSection(sym.section)) {
      out.set(index, { kind: 'data', sectionIndex: sym.section, offset, symbol: symName });
    } else if (sym.type === SymbolType.SECTION || sym.section < elf.sections.length) {
      throw badReloc(fn, where, `lddw relocated against '${symName}' in section '${elf.sections[sym.section]?.name ?? sym.section}', which holds no maps or global data`);
    } else {
      throw badReloc(fn, where, `lddw relocated against '${symName}', which has no section (index ${sym.section})`);
    }
  }
  return out;
}
