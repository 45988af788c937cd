/**
 * ELF64 reader for BPF relocatable objects, little or big endian. It reads the
 * section headers, the symbol table and every relocation section, and attaches each
 * relocation section to the section its `sh_info` names (not to the one its name
 * suggests: `.rel.text` is a convention, `sh_info` is the rule).
 *
 * Every read is bounds-checked against the file, so malformed bytes give an
 * `ElfError` naming the section and offset, never a RangeError; counts are bounded
 * by the file size, so no input makes it loop for long.
 */
import {
  ELF64_EHDR_SIZE, ELF64_REL_SIZE, ELF64_RELA_SIZE, ELF64_SHDR_SIZE, ELF64_SYM_SIZE, ElfClass, ElfData, ElfMachine,
  ElfType, SectionIndex, SectionType,
} from './constants.js';
import { ElfError, ElfErrorCode } from './errors.js';

export interface ElfSection {
  /** Index in the section header table. */
  readonly index: number;
  readonly name: string;
  /** `SectionType.*`. */
  readonly type: number;
  /** `SectionFlag.*` bits (the low 32 bits of sh_flags; higher bits are OS/processor specific). */
  readonly flags: number;
  readonly offset: number;
  /** Size in bytes (for NOBITS, the size in memory). */
  readonly size: number;
  readonly link: number;
  readonly info: number;
  readonly addralign: number;
  readonly entsize: number;
  /** The bytes (a view into the file); empty for NOBITS. */
  readonly data: Uint8Array;
}

export interface ElfSymbol {
  /** Index in the symbol table. */
  readonly index: number;
  readonly name: string;
  /** `SymbolBinding.*`. */
  readonly binding: number;
  /** `SymbolType.*`. */
  readonly type: number;
  /** `SymbolVisibility.*`. */
  readonly visibility: number;
  /** Section index (after SHN_XINDEX resolution), or a special `SectionIndex.*` value. */
  readonly section: number;
  /** st_value: in a relocatable object, the offset within `section`. */
  readonly value: bigint;
  readonly size: bigint;
}

export interface ElfRelocation {
  /** r_offset: byte offset within the target section. */
  readonly offset: number;
  /** `BpfReloc.*`. */
  readonly type: number;
  /** Index into the symbol table. */
  readonly symbol: number;
  /** r_addend for SHT_RELA; 0 for SHT_REL (BPF uses SHT_REL, addend in the instruction). */
  readonly addend: bigint;
}

export interface ElfFile {
  readonly bytes: Uint8Array;
  readonly littleEndian: boolean;
  /** `ElfMachine.*`: BPF, or NONE from old LLVM. */
  readonly machine: number;
  readonly sections: readonly ElfSection[];
  /** The symbol table (index 0 is the null symbol); empty when there is none. */
  readonly symbols: readonly ElfSymbol[];
  /** Relocations by the index of the section they apply to (from `sh_info`). */
  readonly relocations: ReadonlyMap<number, readonly ElfRelocation[]>;
  /** Damage tolerated while reading (a section name that cannot be read). */
  readonly warnings: readonly string[];
  /** The first section with this name. */
  section(name: string): ElfSection | undefined;
}

export interface ParseElfOptions {
  /** Accept any e_machine (default: only EM_BPF and EM_NONE). */
  readonly anyMachine?: boolean;
}

/** Bounds-checked little/big-endian reads over the whole file. */
class Reader {
  private readonly view: DataView;
  constructor(readonly bytes: Uint8Array, readonly le: boolean) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  check(off: number, size: number, what: string, section?: string): void {
    if (!(off >= 0 && size >= 0 && off + size <= this.bytes.length)) {
      throw new ElfError(ElfErrorCode.TRUNCATED,
        `${what} (${size} bytes) runs past the end of the file (${this.bytes.length} bytes)`, { offset: off, section });
    }
  }
  u8(off: number): number { return this.view.getUint8(off); }
  u16(off: number): number { return this.view.getUint16(off, this.le); }
  u32(off: number): number { return this.view.getUint32(off, this.le); }
  u64(off: number): bigint { return this.view.getBigUint64(off, this.le); }
  i64(off: number): bigint { return this.view.getBigInt64(off, this.le); }
  /** A u64 that must be a usable number (a file offset or size). */
  num(off: number, what: string, section?: string): number {
    const v = this.u64(off);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new ElfError(ElfErrorCode.MALFORMED, `${what} ${v} is too large`, { offset: off, section });
    }
    return Number(v);
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

/** A NUL-terminated string at `off` in a string table section. */
function stringAt(table: ElfSection | undefined, off: number, what: string): string {
  if (off === 0) return '';
  if (!table) throw new ElfError(ElfErrorCode.MALFORMED, `${what} has a name but there is no string table`);
  const data = table.data;
  if (off >= data.length) {
    throw new ElfError(ElfErrorCode.MALFORMED, `${what}: name offset ${off} is outside the string table (${data.length} bytes)`,
      { section: table.name || undefined, offset: off });
  }
  let end = off;
  while (end < data.length && data[end] !== 0) end++;
  if (end === data.length) {
    throw new ElfError(ElfErrorCode.MALFORMED, `${what}: name at offset ${off} is not NUL-terminated`,
      { section: table.name || undefined, offset: off });
  }
  return utf8.decode(data.subarray(off, end));
}

function header(bytes: Uint8Array, options: ParseElfOptions): { r: Reader; machine: number } {
  if (bytes.length < 4 || bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) {
    throw new ElfError(ElfErrorCode.NOT_ELF, 'not an ELF file (no \\x7fELF magic)', { offset: 0 });
  }
  if (bytes.length < ELF64_EHDR_SIZE) {
    throw new ElfError(ElfErrorCode.TRUNCATED, `the file (${bytes.length} bytes) is shorter than an ELF64 header`, { offset: 0 });
  }
  if (bytes[4] !== ElfClass.ELF64) {
    throw new ElfError(ElfErrorCode.UNSUPPORTED, `ELF class ${bytes[4]} is not ELF64 (BPF objects are 64-bit)`, { offset: 4 });
  }
  if (bytes[5] !== ElfData.LSB && bytes[5] !== ElfData.MSB) {
    throw new ElfError(ElfErrorCode.MALFORMED, `unknown byte order ${bytes[5]}`, { offset: 5 });
  }
  const r = new Reader(bytes, bytes[5] === ElfData.LSB);
  const type = r.u16(16);
  if (type !== ElfType.REL) {
    throw new ElfError(ElfErrorCode.UNSUPPORTED, `ELF type ${type} is not a relocatable object (ET_REL)`, { offset: 16 });
  }
  const machine = r.u16(18);
  if (!options.anyMachine && machine !== ElfMachine.BPF && machine !== ElfMachine.NONE) {
    throw new ElfError(ElfErrorCode.UNSUPPORTED, `machine ${machine} is not BPF (${ElfMachine.BPF})`, { offset: 18 });
  }
  return { r, machine };
}

interface RawSection {
  nameOff: number; type: number; flags: number; offset: number; size: number;
  link: number; info: number; addralign: number; entsize: number;
}

function readSectionHeaders(r: Reader): { raw: RawSection[]; shstrndx: number } {
  const shoff = r.num(40, 'e_shoff');
  const shentsize = r.u16(58);
  let shnum = r.u16(60);
  let shstrndx = r.u16(62);
  if (shoff === 0) return { raw: [], shstrndx: 0 };
  if (shentsize !== ELF64_SHDR_SIZE) {
    throw new ElfError(ElfErrorCode.MALFORMED, `section header size ${shentsize} is not ${ELF64_SHDR_SIZE}`, { offset: 58 });
  }
  r.check(shoff, ELF64_SHDR_SIZE, 'section header 0');
  // With 0xff00 or more sections the real count and string table index live in section 0.
  if (shnum === 0) shnum = r.num(shoff + 32, 'section count (sh_size of section 0)');
  if (shstrndx === SectionIndex.XINDEX) shstrndx = r.u32(shoff + 40);
  if (shnum * ELF64_SHDR_SIZE > r.bytes.length) {
    throw new ElfError(ElfErrorCode.TRUNCATED, `${shnum} section headers cannot fit in a ${r.bytes.length}-byte file`, { offset: shoff });
  }
  r.check(shoff, shnum * ELF64_SHDR_SIZE, `section header table (${shnum} entries)`);
  const raw: RawSection[] = [];
  for (let i = 0; i < shnum; i++) {
    const o = shoff + i * ELF64_SHDR_SIZE;
    raw.push({
      nameOff: r.u32(o), type: r.u32(o + 4), flags: Number(r.u64(o + 8) & 0xffffffffn),
      offset: r.num(o + 24, `section ${i} offset`), size: r.num(o + 32, `section ${i} size`),
      link: r.u32(o + 40), info: r.u32(o + 44),
      addralign: r.num(o + 48, `section ${i} alignment`), entsize: r.num(o + 56, `section ${i} entry size`),
    });
  }
  if (shstrndx !== 0 && shstrndx >= shnum) {
    throw new ElfError(ElfErrorCode.MALFORMED, `section name table index ${shstrndx} is out of range (${shnum} sections)`, { offset: 62 });
  }
  return { raw, shstrndx };
}

/**
 * A section's name. A bad name offset is tolerated (the section gets no name and a
 * warning): Linux's loader never reads most sections by name, and relocation sections
 * are found by `sh_info`, so objects with a damaged name still load there.
 */
function sectionName(strtab: ElfSection | undefined, off: number, index: number, warnings: string[]): string {
  try {
    return stringAt(strtab, off, `section ${index}`);
  } catch (err) {
    warnings.push((err as Error).message);
    return '';
  }
}

function buildSections(r: Reader, raw: RawSection[], shstrndx: number, warnings: string[]): ElfSection[] {
  const dataOf = (s: RawSection, i: number): Uint8Array => {
    if (s.type === SectionType.NOBITS || s.type === SectionType.NULL) return new Uint8Array(0);
    r.check(s.offset, s.size, `section ${i} contents`);
    return r.bytes.subarray(s.offset, s.offset + s.size);
  };
  const strtabRaw = shstrndx !== 0 ? raw[shstrndx] : undefined;
  let strtab: ElfSection | undefined = strtabRaw && {
    index: shstrndx, name: `#${shstrndx}`, ...strtabRaw, data: dataOf(strtabRaw, shstrndx),
  };
  // Errors in other names then say which table they point into.
  if (strtab) strtab = { ...strtab, name: stringAt(strtab, strtabRaw!.nameOff, `section ${shstrndx}`) || strtab.name };
  return raw.map((s, i) => ({
    index: i,
    name: sectionName(strtab, s.nameOff, i, warnings),
    type: s.type, flags: s.flags, offset: s.offset, size: s.size, link: s.link, info: s.info,
    addralign: s.addralign, entsize: s.entsize,
    data: dataOf(s, i),
  }));
}

function readSymbols(r: Reader, sections: ElfSection[]): ElfSymbol[] {
  const symtab = sections.find((s) => s.type === SectionType.SYMTAB);
  if (!symtab) return [];
  const where = { section: symtab.name };
  if (symtab.entsize !== 0 && symtab.entsize !== ELF64_SYM_SIZE) {
    throw new ElfError(ElfErrorCode.MALFORMED, `symbol entry size ${symtab.entsize} is not ${ELF64_SYM_SIZE}`, where);
  }
  if (symtab.size % ELF64_SYM_SIZE !== 0) {
    throw new ElfError(ElfErrorCode.MALFORMED, `symbol table size ${symtab.size} is not a multiple of ${ELF64_SYM_SIZE}`, where);
  }
  const strtab = sections[symtab.link];
  if (symtab.link === 0 || !strtab || strtab.type !== SectionType.STRTAB) {
    throw new ElfError(ElfErrorCode.MALFORMED, `symbol table links to section ${symtab.link}, which is not a string table`, where);
  }
  const shndx = sections.find((s) => s.type === SectionType.SYMTAB_SHNDX && s.link === symtab.index);
  const count = symtab.size / ELF64_SYM_SIZE;
  const out: ElfSymbol[] = [];
  for (let i = 0; i < count; i++) {
    const o = symtab.offset + i * ELF64_SYM_SIZE;
    const info = r.u8(o + 4);
    let section = r.u16(o + 6);
    if (section === SectionIndex.XINDEX) {
      if (!shndx || (i + 1) * 4 > shndx.data.length) {
        throw new ElfError(ElfErrorCode.MALFORMED, `symbol ${i} has an extended section index but no SHT_SYMTAB_SHNDX entry`, where);
      }
      section = new DataView(shndx.data.buffer, shndx.data.byteOffset).getUint32(i * 4, r.le);
    }
    out.push({
      index: i,
      name: stringAt(strtab, r.u32(o), `symbol ${i}`),
      binding: info >> 4,
      type: info & 0xf,
      visibility: r.u8(o + 5) & 0x3,
      section,
      value: r.u64(o + 8),
      size: r.u64(o + 16),
    });
  }
  return out;
}

function readRelocations(r: Reader, sections: ElfSection[], symbolCount: number): Map<number, ElfRelocation[]> {
  const out = new Map<number, ElfRelocation[]>();
  for (const s of sections) {
    if (s.type !== SectionType.REL && s.type !== SectionType.RELA) continue;
    const rela = s.type === SectionType.RELA;
    const size = rela ? ELF64_RELA_SIZE : ELF64_REL_SIZE;
    const where = { section: s.name };
    if (s.size % size !== 0) {
      throw new ElfError(ElfErrorCode.MALFORMED, `relocation section size ${s.size} is not a multiple of ${size}`, where);
    }
    const target = sections[s.info];
    if (s.info === 0 || !target) {
      throw new ElfError(ElfErrorCode.MALFORMED, `relocation section applies to section ${s.info}, which does not exist`, where);
    }
    const list = out.get(s.info) ?? [];
    for (let o = s.offset; o < s.offset + s.size; o += size) {
      const offset = r.num(o, 'relocation offset', s.name);
      const rinfo = r.u64(o + 8);
      const symbol = Number(rinfo >> 32n);
      if (symbol >= symbolCount) {
        throw new ElfError(ElfErrorCode.MALFORMED, `relocation names symbol ${symbol}, beyond the ${symbolCount} symbols`,
          { section: s.name, offset: o - s.offset });
      }
      list.push({ offset, type: Number(rinfo & 0xffffffffn), symbol, addend: rela ? r.i64(o + 16) : 0n });
    }
    out.set(s.info, list);
  }
  return out;
}

/** Parses an ELF64 relocatable object. Throws `ElfError` on anything malformed. */
export function parseElf(bytes: Uint8Array, options: ParseElfOptions = {}): ElfFile {
  if (!(bytes instanceof Uint8Array)) {
    throw new ElfError(ElfErrorCode.NOT_ELF, 'parseElf expects a Uint8Array');
  }
  const { r, machine } = header(bytes, options);
  const { raw, shstrndx } = readSectionHeaders(r);
  const warnings: string[] = [];
  const sections = buildSections(r, raw, shstrndx, warnings);
  const symbols = readSymbols(r, sections);
  const relocations = readRelocations(r, sections, symbols.length);
  const byName = new Map<string, ElfSection>();
  for (const s of sections) if (s.name !== '' && !byName.has(s.name)) byName.set(s.name, s);
  return {
    bytes, littleEndian: r.le, machine, sections, symbols, relocations, warnings,
    section: (name) => byName.get(name),
  };
}
