/**
 * Functions of an object: every STT_FUNC symbol in an executable section, with its
 * bounds and decoded instructions. Old compilers wrote programs as untyped global
 * labels, or no symbol at all; those fall back to global symbols, then to the whole
 * section, so no code goes missing.
 */
import { decode, type Instruction } from '../isa/index.js';
import { ElfError, ElfErrorCode } from './errors.js';
import { SectionFlag, SectionIndex, SectionType, SymbolBinding, SymbolType } from './constants.js';
import type { ElfFile, ElfSection, ElfSymbol } from './reader.js';

export const INSN_SIZE = 8;

/** One function as it sits in its section, before linking. */
export interface FunctionSpec {
  readonly name: string;
  /** Name of the executable section. */
  readonly section: string;
  readonly sectionIndex: number;
  /** Byte offset of the first instruction in the section. */
  readonly offset: number;
  /** Length in bytes. */
  readonly size: number;
  /** STB_LOCAL functions are `static` in C. */
  readonly binding: number;
  readonly insns: readonly Instruction[];
  /** Slot index (pc within the function) of each instruction, plus the total at the end. */
  readonly pcs: readonly number[];
}

/** True for sections that hold code. */
export function isCodeSection(s: ElfSection): boolean {
  return s.type === SectionType.PROGBITS && (s.flags & SectionFlag.EXECINSTR) !== 0 && s.size > 0;
}

/**
 * Big-endian BPF stores each slot's fields big-endian and the two register nibbles the
 * other way round; rewriting the slots little-endian lets one decoder serve both.
 */
export function toLittleEndianSlots(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length);
  for (let p = 0; p + INSN_SIZE <= bytes.length; p += INSN_SIZE) {
    out[p] = bytes[p]!;
    const regs = bytes[p + 1]!;
    out[p + 1] = ((regs & 0x0f) << 4) | (regs >> 4);
    out[p + 2] = bytes[p + 3]!;
    out[p + 3] = bytes[p + 2]!;
    out[p + 4] = bytes[p + 7]!;
    out[p + 5] = bytes[p + 6]!;
    out[p + 6] = bytes[p + 5]!;
    out[p + 7] = bytes[p + 4]!;
  }
  return out;
}

interface Bound { name: string; offset: number; size: number; binding: number }

function symbolStart(sym: ElfSymbol, sec: ElfSection): number | undefined {
  return sym.value < BigInt(sec.size) ? Number(sym.value) : undefined;
}

/** The function boundaries of one code section, sorted by offset. */
function boundsOf(sec: ElfSection, symbols: readonly ElfSymbol[]): Bound[] {
  const inSection = symbols.filter((s) => s.section === sec.index && s.name !== '' && s.type !== SymbolType.SECTION
    && s.type !== SymbolType.FILE);
  let chosen = inSection.filter((s) => s.type === SymbolType.FUNC);
  if (chosen.length === 0) {
    chosen = inSection.filter((s) => s.type === SymbolType.NOTYPE
      && (s.binding === SymbolBinding.GLOBAL || s.binding === SymbolBinding.WEAK));
  }
  const starts = new Map<number, ElfSymbol>();
  for (const s of chosen) {
    const off = symbolStart(s, sec);
    if (off === undefined || off % INSN_SIZE !== 0) {
      throw new ElfError(ElfErrorCode.BAD_PROGRAM, `function starts at byte ${s.value}, not an instruction boundary inside the section`,
        { section: sec.name, symbol: s.name });
    }
    // Aliases share a start; the first (global before local) names the function.
    const prev = starts.get(off);
    if (!prev || (prev.binding === SymbolBinding.LOCAL && s.binding !== SymbolBinding.LOCAL)) starts.set(off, s);
  }
  const sorted = [...starts.entries()].sort((a, b) => a[0] - b[0]);
  if (sorted.length === 0) return [{ name: sec.name, offset: 0, size: sec.size, binding: SymbolBinding.GLOBAL }];
  const out: Bound[] = [];
  // Code before the first symbol would be unreachable by name; keep it as its own unit.
  if (sorted[0]![0] > 0) out.push({ name: `${sec.name}@0`, offset: 0, size: sorted[0]![0], binding: SymbolBinding.LOCAL });
  sorted.forEach(([off, sym], i) => {
    const next = i + 1 < sorted.length ? sorted[i + 1]![0] : sec.size;
    const declared = Number(sym.size > BigInt(sec.size) ? BigInt(sec.size) : sym.size);
    // A size that leaves a gap before the next function hides code; take the gap too.
    const size = declared > 0 && off + declared === next ? declared : next - off;
    out.push({ name: sym.name, offset: off, size, binding: sym.binding });
  });
  return out;
}

/** Decodes one function's bytes; `pcBase` names slots in errors relative to the section. */
export function decodeFunction(elf: ElfFile, sec: ElfSection, b: { name: string; offset: number; size: number }): { insns: Instruction[]; pcs: number[] } {
  if (b.size % INSN_SIZE !== 0 || b.size === 0) {
    throw new ElfError(ElfErrorCode.BAD_PROGRAM, `function is ${b.size} bytes, not a whole number of instructions`,
      { section: sec.name, symbol: b.name, offset: b.offset });
  }
  let bytes = sec.data.subarray(b.offset, b.offset + b.size);
  if (!elf.littleEndian) bytes = toLittleEndianSlots(bytes);
  let insns: Instruction[];
  try {
    insns = decode(bytes);
  } catch (err) {
    const pc = (err as { pc?: number }).pc;
    throw new ElfError(ElfErrorCode.BAD_PROGRAM, `cannot decode: ${(err as Error).message}`,
      { section: sec.name, symbol: b.name, offset: pc !== undefined ? b.offset + pc * INSN_SIZE : b.offset, cause: err });
  }
  const pcs: number[] = [];
  let pc = 0;
  for (const i of insns) {
    pcs.push(pc);
    pc += i.opcode === 0x18 ? 2 : 1;
  }
  pcs.push(pc);
  return { insns, pcs };
}

/** Every function of every code section, in section then offset order. */
export function extractFunctions(elf: ElfFile): FunctionSpec[] {
  const out: FunctionSpec[] = [];
  for (const sec of elf.sections) {
    if (!isCodeSection(sec)) continue;
    if (sec.size % INSN_SIZE !== 0) {
      throw new ElfError(ElfErrorCode.BAD_PROGRAM, `code section is ${sec.size} bytes, not a whole number of instructions`, { section: sec.name });
    }
    for (const b of boundsOf(sec, elf.symbols)) {
      const { insns, pcs } = decodeFunction(elf, sec, b);
      out.push({ name: b.name, section: sec.name, sectionIndex: sec.index, offset: b.offset, size: b.size, binding: b.binding, insns, pcs });
    }
  }
  return out;
}

/** Index of `slot` in a function's sorted `pcs`, or -1 when no instruction starts there. */
export function indexOfSlot(fn: FunctionSpec, slot: number): number {
  const pcs = fn.pcs;
  let lo = 0, hi = pcs.length - 2;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = pcs[mid]!;
    if (v === slot) return mid;
    if (v < slot) lo = mid + 1; else hi = mid - 1;
  }
  return -1;
}

/**
 * Finds the function holding a byte of a section. Functions are kept sorted per
 * section so lookups stay logarithmic on objects with thousands of functions.
 */
export class FunctionIndex {
  private readonly bySection = new Map<number, FunctionSpec[]>();
  constructor(functions: readonly FunctionSpec[]) {
    for (const f of functions) {
      const list = this.bySection.get(f.sectionIndex);
      if (list) list.push(f); else this.bySection.set(f.sectionIndex, [f]);
    }
    for (const list of this.bySection.values()) list.sort((a, b) => a.offset - b.offset);
  }
  at(sectionIndex: number, offset: number): FunctionSpec | undefined {
    const list = this.bySection.get(sectionIndex);
    if (!list) return undefined;
    let lo = 0, hi = list.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const f = list[mid]!;
      if (offset < f.offset) hi = mid - 1;
      else if (offset >= f.offset + f.size) lo = mid + 1;
      else return f;
    }
    return undefined;
  }
}

/** True for symbols that are defined nowhere in this object (externs). */
export function isUndefined(sym: ElfSymbol): boolean {
  return sym.section === SectionIndex.UNDEF;
}
