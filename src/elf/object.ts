/**
 * `parseObject`: an ELF object file as an `ObjectSpec`, the blueprint a loader turns
 * into maps and programs. Deterministic: the same bytes give the same spec anywhere.
 *
 * Programs are the functions of code sections other than `.text` (libbpf's rule;
 * `.text` holds subprograms, which `linkFunction` can still link as entry points).
 * Maps are listed BTF `.maps` first, then legacy `maps`, then global data, each in
 * section order; linked programs name them by that index (`lddw` MAP_IDX).
 */
import { BtfError, BtfKind, fixDatasecs, parseBtf, parseBtfExt, type Btf, type BtfExt } from '../btf/index.js';
import { ElfError, ElfErrorCode } from './errors.js';
import { FunctionIndex, extractFunctions, isCodeSection, type FunctionSpec } from './functions.js';
import { linkProgram, type LinkContext, type LinkedCoreRelo, type LinkedFunctions } from './link.js';
import type { Instruction } from '../isa/index.js';
import {
  dataKindOf, dataMap, isLegacyMapSection, objectSymbols, parseBtfMaps, parseLegacyMaps, resolveLegacyInnerMaps, type GlobalVariable, type ObjectMap,
} from './maps.js';
import { parseElf, type ElfFile, type ElfRelocation, type ParseElfOptions } from './reader.js';
import { classifyRelocations, type FunctionRelocations } from './relocations.js';
import { ProgramType, programTypeForSection, type ProgramTypeValue, type SectionProgramType } from './sections.js';

/** A program: an entry function linked with everything it calls. */
export interface ProgramSpec extends LinkedFunctions {
  /** The entry function's name. */
  readonly name: string;
  readonly section: string;
  /** `ProgramType.*` from the section name (UNSPEC when no rule matches). */
  readonly type: ProgramTypeValue;
  /** The section rule that matched, when one did (attach type, target, sleepable...). */
  readonly sectionType: SectionProgramType | undefined;
  /** False for `SEC("?...")` programs. */
  readonly autoload: boolean;
  readonly license: string;
  readonly kernelVersion: number | undefined;
  /** True when there were no CO-RE relocations or `coreRelocator` applied them. */
  readonly coreApplied: boolean;
}

export interface ObjectSpec {
  readonly elf: ElfFile;
  /** The object's BTF, with DATASEC sizes and offsets filled in; undefined without `.BTF`. */
  readonly btf: Btf | undefined;
  readonly btfExt: BtfExt | undefined;
  /** Why `.BTF.ext` could not be used, when it is present but unreadable (an unreadable `.BTF` refuses the object). */
  readonly btfError: Error | undefined;
  /** The `license` section ('' when absent). */
  readonly license: string;
  /** The `version` section (LINUX_VERSION_CODE), when present. */
  readonly kernelVersion: number | undefined;
  readonly maps: readonly ObjectMap[];
  readonly programs: readonly ProgramSpec[];
  /** Every function of every code section, unlinked. */
  readonly functions: readonly FunctionSpec[];
  /** The program with this name, or else the single program of this section. Throws NOT_FOUND. */
  program(nameOrSection: string): ProgramSpec;
  /** Every program of a section, in offset order. */
  programsInSection(section: string): ProgramSpec[];
  map(name: string): ObjectMap;
  /** Links any function (a `.text` one too) as a program's entry point. */
  linkFunction(name: string, section?: string): ProgramSpec;
  /**
   * A global variable by name: its map, its place, and `bytes`, a view of its initial
   * value inside `map.data`. Writing `bytes` before load sets the value the program
   * starts with, `.rodata` constants included (as libbpf skeletons allow).
   */
  variable(name: string): GlobalVariableRef;
  /** Symbols the programs use but the object does not define, for the loader to resolve. */
  readonly externs: readonly ExternSpec[];
}

export interface GlobalVariableRef {
  readonly map: ObjectMap;
  readonly variable: GlobalVariable;
  readonly bytes: Uint8Array;
}

/** An undefined symbol: a kfunc (called), a `.kconfig` value or a `.ksyms` kernel variable (loaded). */
export interface ExternSpec {
  readonly name: string;
  readonly kind: 'kfunc' | 'kconfig' | 'ksym' | 'unknown';
  /** The BTF VAR or FUNC describing it, when the object has BTF. */
  readonly typeId?: number;
  /** Programs that refer to it. */
  readonly programs: readonly string[];
}

/**
 * Applies CO-RE relocations to one linked program (btf/core's job). Given `insns` with
 * `relos` at linked pcs and the object's BTF, returns the patched instructions, which
 * must count the same slots.
 */
export type CoreRelocator = (program: {
  readonly name: string; readonly insns: readonly Instruction[]; readonly relos: readonly LinkedCoreRelo[]; readonly btf: Btf;
}) => readonly Instruction[];

export interface ParseObjectOptions extends ParseElfOptions {
  /**
   * The CO-RE hook: when given, each program with CO-RE relocations gets its
   * instructions from it. Without it, `ProgramSpec.coreRelos` are left for the loader
   * (which knows the target kernel's BTF) and `coreApplied` is false.
   */
  readonly coreRelocator?: CoreRelocator;
  /**
   * Match section names with pre-1.0 libbpf's plain prefixes too (`socket1`,
   * `xdp_prog`); default true, since old objects rely on it. Such programs have
   * `sectionType.legacy` set.
   */
  readonly legacySectionNames?: boolean;
}

const decoder = new TextDecoder('utf-8', { fatal: false });

function readLicense(elf: ElfFile): string {
  const sec = elf.section('license');
  if (!sec) return '';
  const end = sec.data.indexOf(0);
  return decoder.decode(end < 0 ? sec.data : sec.data.subarray(0, end));
}

function readVersion(elf: ElfFile): number | undefined {
  const sec = elf.section('version');
  if (!sec) return undefined;
  if (sec.data.length !== 4) {
    throw new ElfError(ElfErrorCode.MALFORMED, `the version section is ${sec.data.length} bytes, not 4`, { section: 'version' });
  }
  return new DataView(sec.data.buffer, sec.data.byteOffset, 4).getUint32(0, elf.littleEndian);
}

function readBtf(elf: ElfFile): { btf?: Btf; btfExt?: BtfExt; btfError?: Error } {
  const sec = elf.section('.BTF');
  if (!sec) return {};
  let btf: Btf;
  try {
    btf = parseBtf(sec.data);
    fixDatasecs(btf, {
      sectionSize: (name) => elf.section(name)?.size,
      symbolOffset: (section, varName) => {
        const s = elf.section(section);
        const sym = s && objectSymbols(elf, s).find((x) => x.name === varName);
        return sym ? Number(sym.value) : undefined;
      },
    });
  } catch (err) {
    // Invalid types (a kind 0, a bad string offset...) make the kernel's BPF_BTF_LOAD and
    // libbpf's btf__new fail: such an object is refused rather than read without its BTF.
    if (!(err instanceof BtfError)) throw err;
    throw new ElfError(ElfErrorCode.BAD_BTF, `.BTF is not valid BTF: ${err.message}`, { section: '.BTF', cause: err });
  }
  const extSec = elf.section('.BTF.ext');
  if (!extSec) return { btf };
  try {
    return { btf, btfExt: parseBtfExt(extSec.data, btf) };
  } catch (err) {
    return { btf, btfError: err as Error };
  }
}

/** Parses a BPF object file. Throws `ElfError` (or a `BtfError` inside one as `cause`). */
export function parseObject(bytes: Uint8Array, options: ParseObjectOptions = {}): ObjectSpec {
  const elf = parseElf(bytes, options);
  const license = readLicense(elf);
  const kernelVersion = readVersion(elf);
  const { btf, btfExt, btfError } = readBtf(elf);
  const functions = extractFunctions(elf);

  // Maps: BTF-defined, legacy, then global data.
  const maps: ObjectMap[] = [];
  const mapSections = new Set<number>();
  const byLocation = new Map<string, number>();
  const addMaps = (secIndex: number, list: ObjectMap[]): void => {
    mapSections.add(secIndex);
    for (const m of list) {
      byLocation.set(`${secIndex}:${m.offset}`, maps.length);
      maps.push(m);
    }
  };
  const mapsSec = elf.section('.maps');
  if (mapsSec && mapsSec.size > 0) {
    if (!btf && btfError) throw new ElfError(ElfErrorCode.BAD_MAP, `the BTF describing .maps is unusable: ${btfError.message}`, { section: '.maps', cause: btfError });
    let list: ObjectMap[];
    try {
      list = parseBtfMaps(elf, mapsSec, btf);
    } catch (err) {
      if (err instanceof ElfError) throw err;
      throw new ElfError(ElfErrorCode.BAD_MAP, `the BTF map definitions cannot be read: ${(err as Error).message}`, { section: '.maps', cause: err });
    }
    addMaps(mapsSec.index, list);
  }
  const legacyStart = maps.length;
  for (const sec of elf.sections) if (isLegacyMapSection(sec.name)) addMaps(sec.index, parseLegacyMaps(elf, sec, btf));
  maps.splice(legacyStart, maps.length - legacyStart, ...resolveLegacyInnerMaps(maps.slice(legacyStart)));

  const isCode = (i: number): boolean => { const s = elf.sections[i]; return s !== undefined && isCodeSection(s); };
  const dataSections = new Set(elf.sections.filter((s) => dataKindOf(s) !== undefined).map((s) => s.index));
  const functionIndex = new FunctionIndex(functions);
  // Each relocation of a code section goes to the function holding its offset.
  const pending = new Map<FunctionSpec, ElfRelocation[]>();
  for (const [secIndex, list] of elf.relocations) {
    if (!isCode(secIndex)) continue;
    for (const r of list) {
      const fn = functionIndex.at(secIndex, r.offset);
      if (!fn) {
        throw new ElfError(ElfErrorCode.BAD_RELOCATION, 'relocation points outside every function',
          { section: elf.sections[secIndex]!.name, offset: r.offset });
      }
      const l = pending.get(fn);
      if (l) l.push(r); else pending.set(fn, [r]);
    }
  }
  const relocCache = new Map<FunctionSpec, FunctionRelocations>();
  const relocationsOf = (fn: FunctionSpec): FunctionRelocations => {
    let r = relocCache.get(fn);
    if (!r) {
      r = classifyRelocations(elf, fn, pending.get(fn) ?? [], isCode, (i) => mapSections.has(i), (i) => dataSections.has(i));
      relocCache.set(fn, r);
    }
    return r;
  };
  // Constant sections no program reads (merged string pools of unused code, etc.) are skipped.
  const referenced = new Set<number>();
  for (const fn of functions) for (const t of relocationsOf(fn).values()) if (t.kind === 'data') referenced.add(t.sectionIndex);
  const dataMapIndex = new Map<number, number>();
  for (const sec of elf.sections) {
    const kind = dataKindOf(sec);
    if (!kind || sec.size === 0) continue;
    if (kind === 'rodata' && !referenced.has(sec.index)) continue;
    dataMapIndex.set(sec.index, maps.length);
    maps.push(dataMap(elf, sec, kind, btf));
  }
  checkSlots(maps, functions);

  const ctx: LinkContext = {
    functions: functionIndex, relocationsOf, btfExt,
    mapAt: (s, off) => byLocation.get(`${s}:${off}`) ?? -1,
    dataMapOf: (s) => dataMapIndex.get(s) ?? -1,
    mapName: (i) => maps[i]!.name,
  };
  const legacy = options.legacySectionNames ?? true;
  const makeProgram = (fn: FunctionSpec): ProgramSpec => {
    const linked = linkProgram(ctx, fn);
    const sectionType = programTypeForSection(fn.section, { legacy });
    let insns = linked.insns;
    let coreApplied = linked.coreRelos.length === 0;
    if (!coreApplied && options.coreRelocator && btf) {
      insns = options.coreRelocator({ name: fn.name, insns, relos: linked.coreRelos, btf });
      if (slotCount(insns) !== slotCount(linked.insns)) {
        throw new ElfError(ElfErrorCode.BAD_PROGRAM, 'the CO-RE relocator changed the program length', { section: fn.section, symbol: fn.name });
      }
      coreApplied = true;
    }
    return {
      name: fn.name, section: fn.section, type: sectionType?.type ?? ProgramType.UNSPEC, sectionType,
      autoload: sectionType?.autoload ?? !fn.section.startsWith('?'), license, kernelVersion, ...linked, insns, coreApplied,
    };
  };
  const programs = functions.filter((f) => f.section !== '.text').map(makeProgram);

  const notFound = (what: string): ElfError => new ElfError(ElfErrorCode.NOT_FOUND, what);
  return {
    elf, btf, btfExt, btfError, license, kernelVersion, maps, programs, functions,
    externs: collectExterns(programs, btf),
    variable(name) {
      for (const map of maps) {
        const variable = map.variables?.find((v) => v.name === name);
        if (variable && map.data) {
          return { map, variable, bytes: map.data.subarray(variable.offset, variable.offset + variable.size) };
        }
      }
      throw notFound(`no global variable named '${name}'`);
    },
    program(nameOrSection) {
      const byName = programs.find((p) => p.name === nameOrSection);
      if (byName) return byName;
      const inSection = programs.filter((p) => p.section === nameOrSection);
      if (inSection.length === 1) return inSection[0]!;
      if (inSection.length > 1) {
        throw notFound(`section '${nameOrSection}' has ${inSection.length} programs (${inSection.map((p) => p.name).join(', ')}); name one`);
      }
      throw notFound(`no program or section named '${nameOrSection}'`);
    },
    programsInSection: (section) => programs.filter((p) => p.section === section),
    map(name) {
      const m = maps.find((x) => x.name === name);
      if (!m) throw notFound(`no map named '${name}'`);
      return m;
    },
    linkFunction(name, section) {
      const fn = functions.find((f) => f.name === name && (section === undefined || f.section === section));
      if (!fn) throw notFound(`no function named '${name}'${section !== undefined ? ` in section '${section}'` : ''}`);
      return makeProgram(fn);
    },
  };
}

/** Static slots must name programs and maps that exist. */
function checkSlots(maps: readonly ObjectMap[], functions: readonly FunctionSpec[]): void {
  for (const m of maps) {
    for (const s of m.slots ?? []) {
      // libbpf wants an entry program here; a .text function is accepted too (linkFunction links it).
      if (s.program !== undefined && !functions.some((f) => f.name === s.program)) {
        throw new ElfError(ElfErrorCode.BAD_MAP, `slot ${s.index} names '${s.program}', which is not a function`, { section: m.section, symbol: m.name });
      }
      if (s.map !== undefined && !maps.some((x) => x.name === s.map && x.kind === 'btf')) {
        throw new ElfError(ElfErrorCode.BAD_MAP, `slot ${s.index} names '${s.map}', which is not a map`, { section: m.section, symbol: m.name });
      }
    }
  }
}

function slotCount(insns: readonly Instruction[]): number {
  let n = 0;
  for (const i of insns) n += i.opcode === 0x18 ? 2 : 1;
  return n;
}

/** Which DATASEC of the BTF lists `name`: `.kconfig` and `.ksyms` say what an extern is. */
function externSection(btf: Btf | undefined, name: string): { section: string; typeId: number } | undefined {
  if (!btf) return undefined;
  for (const sec of ['.kconfig', '.ksyms']) {
    const ds = btf.findByName(sec, BtfKind.DATASEC);
    if (!ds || ds.kind !== BtfKind.DATASEC) continue;
    for (const v of ds.vars) if (btf.types[v.type]?.name === name) return { section: sec, typeId: v.type };
  }
  return undefined;
}

function collectExterns(programs: readonly ProgramSpec[], btf: Btf | undefined): ExternSpec[] {
  const found = new Map<string, { kind: ExternSpec['kind']; typeId?: number; programs: Set<string> }>();
  for (const p of programs) {
    for (const r of p.references) {
      if (r.kind !== 'kfunc' && r.kind !== 'extern') continue;
      let e = found.get(r.symbol);
      if (!e) {
        const where = externSection(btf, r.symbol);
        const func = r.kind === 'kfunc' ? btf?.findByName(r.symbol, BtfKind.FUNC) : undefined;
        const kind: ExternSpec['kind'] = r.kind === 'kfunc' ? 'kfunc'
          : where?.section === '.kconfig' ? 'kconfig' : where?.section === '.ksyms' ? 'ksym' : 'unknown';
        const typeId = where?.typeId ?? func?.id;
        e = { kind, ...(typeId !== undefined ? { typeId } : {}), programs: new Set() };
        found.set(r.symbol, e);
      }
      e.programs.add(p.name);
    }
  }
  return [...found].map(([name, e]) => ({ name, kind: e.kind, ...(e.typeId !== undefined ? { typeId: e.typeId } : {}), programs: [...e.programs] }));
}
