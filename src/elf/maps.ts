/**
 * Map definitions of an object: BTF-defined maps in `.maps`, legacy `struct
 * bpf_map_def`-style definitions in `maps` (including the larger samples/bpf and
 * iproute2 layouts), and the single-entry arrays that hold global data.
 */
import { BtfKind, type Btf, type BtfComposite, type BtfDatasec } from '../btf/index.js';
import { BpfReloc, SectionFlag, SectionType, SymbolType } from './constants.js';
import { ElfError, ElfErrorCode } from './errors.js';
import type { ElfFile, ElfSection, ElfSymbol } from './reader.js';

/** The few map types and flags the object model needs (Linux numbers; maps/ has them all). */
const MAP_ARRAY = 2;
const MAP_PROG_ARRAY = 3;
const MAP_ARRAY_OF_MAPS = 12;
const MAP_HASH_OF_MAPS = 13;
const F_RDONLY_PROG = 1 << 7;
const F_MMAPABLE = 1 << 10;
/** KMALLOC_MAX_SIZE on x86-64: Linux refuses array values above it. */
const MAX_VALUE_SIZE = 1 << 22;

/** libbpf's `pinning` values (`enum libbpf_pin_type`); iproute2 numbers its own. */
export const Pinning = {
  NONE: 0,
  /** Pin at `<pin root>/<map name>`. */
  BY_NAME: 1,
} as const;

/** What a global-data map holds. */
export type DataKind = 'data' | 'rodata' | 'bss';

/** A variable in a global-data map. */
export interface GlobalVariable {
  readonly name: string;
  /** Byte offset in the map value. */
  readonly offset: number;
  readonly size: number;
  /** BTF VAR's type, when the object has BTF. */
  readonly typeId?: number;
  /** False for `static` variables. */
  readonly global: boolean;
}

/** A statically initialised slot of a prog array or a map-in-map. */
export interface MapSlot {
  readonly index: number;
  /** PROG_ARRAY: the program's function name. */
  readonly program?: string;
  /** Map-in-map: the inner map's name. */
  readonly map?: string;
}

/** Extra fields of a legacy definition larger than `struct bpf_map_def`. */
export interface LegacyMapFields {
  /** Size of each definition in the section. */
  readonly defSize: number;
  /** samples/bpf: `inner_map_idx`, `numa_node`. iproute2 (`struct bpf_elf_map`): `id`, `pinning`, `inner_id`, `inner_idx`. */
  readonly layout: 'bpf_map_def' | 'samples' | 'iproute2' | 'other';
  readonly id?: number;
  readonly innerId?: number;
  readonly innerIdx?: number;
}

/**
 * A map the object defines. Its fields are `maps/`'s `MapSpec` (what BPF_MAP_CREATE
 * takes) plus what the loader needs: initial contents, BTF types, pinning.
 */
export interface ObjectMap {
  /** The name in the object (a variable, or the section for global data; may exceed 15 characters). */
  readonly name: string;
  readonly kind: 'btf' | 'legacy' | 'data';
  readonly section: string;
  readonly type: number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  readonly flags: number;
  readonly numaNode?: number;
  readonly mapExtra?: bigint;
  readonly innerMap?: ObjectMap;
  readonly pinning: number;
  readonly keyTypeId?: number;
  readonly valueTypeId?: number;
  /** Global data: the initial value (zeros for `.bss`). */
  readonly data?: Uint8Array;
  readonly dataKind?: DataKind;
  readonly variables?: readonly GlobalVariable[];
  readonly slots?: readonly MapSlot[];
  readonly legacy?: LegacyMapFields;
  /** Byte offset of the definition in its section (relocations point there). */
  readonly offset: number;
  /** Bytes the definition occupies in its section. */
  readonly size: number;
}

function bad(message: string, section: string, symbol?: string, cause?: unknown): ElfError {
  return new ElfError(ElfErrorCode.BAD_MAP, message, { section, ...(symbol !== undefined ? { symbol } : {}), cause });
}

/** Symbols that name objects in section `sec` (not the section or file symbol). */
export function objectSymbols(elf: ElfFile, sec: ElfSection): ElfSymbol[] {
  return elf.symbols.filter((s) => s.section === sec.index && s.name !== ''
    && s.type !== SymbolType.SECTION && s.type !== SymbolType.FILE && s.type !== SymbolType.FUNC);
}

// ---- BTF-defined maps -------------------------------------------------------------

interface DefCtx { btf: Btf; section: string; elf: ElfFile; sec: ElfSection }

function uintMember(ctx: DefCtx, map: string, member: string, typeId: number): number {
  const ptr = ctx.btf.resolve(typeId);
  const arr = ptr.kind === BtfKind.PTR ? ctx.btf.resolve(ptr.type) : undefined;
  if (!arr || arr.kind !== BtfKind.ARRAY) throw bad(`field '${member}' is not an __uint() (pointer to array)`, ctx.section, map);
  return arr.nelems;
}

function typeMember(ctx: DefCtx, map: string, member: string, typeId: number): { id: number; size: number } {
  const ptr = ctx.btf.resolve(typeId);
  if (ptr.kind !== BtfKind.PTR) throw bad(`field '${member}' is not a __type() (pointer)`, ctx.section, map);
  try {
    return { id: ptr.type, size: ctx.btf.sizeof(ptr.type) };
  } catch (err) {
    throw bad(`field '${member}' names a type without a size`, ctx.section, map, err);
  }
}

/** Parses one BTF map definition struct (also used for `__array(values, struct inner)`). */
function parseBtfDef(ctx: DefCtx, name: string, def: BtfComposite, depth: number): ObjectMap & { valuesBitOffset?: number; innerIsProg?: boolean } {
  let type: number | undefined;
  let keySize = 0, valueSize = 0, maxEntries = 0, flags = 0, pinning = 0;
  let numaNode: number | undefined, mapExtra: bigint | undefined;
  let keyTypeId: number | undefined, valueTypeId: number | undefined;
  let innerMap: ObjectMap | undefined, valuesBitOffset: number | undefined, innerIsProg = false;
  let keyFromType: number | undefined, valueFromType: number | undefined;
  for (const m of def.members) {
    switch (m.name) {
      case 'type': type = uintMember(ctx, name, m.name, m.type); break;
      case 'max_entries': maxEntries = uintMember(ctx, name, m.name, m.type); break;
      case 'map_flags': flags = uintMember(ctx, name, m.name, m.type); break;
      case 'numa_node': numaNode = uintMember(ctx, name, m.name, m.type); break;
      case 'map_extra': mapExtra = BigInt(uintMember(ctx, name, m.name, m.type)); break;
      case 'pinning': pinning = uintMember(ctx, name, m.name, m.type); break;
      case 'key_size': keySize = uintMember(ctx, name, m.name, m.type); break;
      case 'value_size': valueSize = uintMember(ctx, name, m.name, m.type); break;
      case 'key': { const t = typeMember(ctx, name, m.name, m.type); keyTypeId = t.id; keyFromType = t.size; break; }
      case 'value': { const t = typeMember(ctx, name, m.name, m.type); valueTypeId = t.id; valueFromType = t.size; break; }
      case 'values': {
        const arr = ctx.btf.resolve(m.type);
        const ptr = arr.kind === BtfKind.ARRAY ? ctx.btf.resolve(arr.elemType) : undefined;
        if (!ptr || ptr.kind !== BtfKind.PTR) throw bad(`'values' is not an __array() of pointers`, ctx.section, name);
        const target = ctx.btf.resolve(ptr.type);
        valuesBitOffset = m.bitOffset;
        if (target.kind === BtfKind.FUNC_PROTO) {
          innerIsProg = true;
        } else if (target.kind === BtfKind.STRUCT) {
          if (depth > 0) throw bad('an inner map cannot itself declare inner maps', ctx.section, name);
          innerMap = parseBtfDef(ctx, `${name}.inner`, target, depth + 1);
        } else {
          throw bad(`'values' points to a ${target.kind}-kind type, neither a map definition nor a function`, ctx.section, name);
        }
        break;
      }
      default:
        throw bad(`unknown field '${m.name}' in the map definition`, ctx.section, name);
    }
  }
  if (type === undefined) throw bad('the map definition has no type', ctx.section, name);
  if (keyFromType !== undefined) {
    if (keySize !== 0 && keySize !== keyFromType) throw bad(`key_size ${keySize} disagrees with the key type's size ${keyFromType}`, ctx.section, name);
    keySize = keyFromType;
  }
  if (valueFromType !== undefined) {
    if (valueSize !== 0 && valueSize !== valueFromType) throw bad(`value_size ${valueSize} disagrees with the value type's size ${valueFromType}`, ctx.section, name);
    valueSize = valueFromType;
  }
  if (valuesBitOffset !== undefined) {
    // Slots of a prog array or map-in-map hold ids: 4 bytes, whatever the C said.
    if (valueSize !== 0 && valueSize !== 4) throw bad(`value_size ${valueSize} of a map with 'values' must be 4`, ctx.section, name);
    valueSize = 4;
    if (innerIsProg && type !== MAP_PROG_ARRAY) throw bad('function values need a PROG_ARRAY map', ctx.section, name);
    if (innerMap && type !== MAP_ARRAY_OF_MAPS && type !== MAP_HASH_OF_MAPS) throw bad('map values need a map-in-map type', ctx.section, name);
  }
  return {
    name, kind: 'btf', section: ctx.section, type, keySize, valueSize, maxEntries, flags, pinning,
    ...(numaNode !== undefined ? { numaNode } : {}), ...(mapExtra !== undefined ? { mapExtra } : {}),
    ...(keyTypeId !== undefined ? { keyTypeId } : {}), ...(valueTypeId !== undefined ? { valueTypeId } : {}),
    ...(innerMap ? { innerMap } : {}), ...(valuesBitOffset !== undefined ? { valuesBitOffset } : {}), innerIsProg,
    offset: 0, size: def.size,
  };
}

/** Maps defined in the `.maps` section through BTF. */
export function parseBtfMaps(elf: ElfFile, sec: ElfSection, btf: Btf | undefined): ObjectMap[] {
  if (!btf) throw bad('the object has a .maps section but no usable BTF to describe it', sec.name);
  const datasec = btf.findByName(sec.name, BtfKind.DATASEC) as BtfDatasec | undefined;
  if (!datasec) throw bad('no BTF DATASEC describes the section', sec.name);
  const syms = new Map(objectSymbols(elf, sec).map((s) => [s.name, s]));
  const ctx: DefCtx = { btf, section: sec.name, elf, sec };
  const relocs = elf.relocations.get(sec.index) ?? [];
  const out: ObjectMap[] = [];
  for (const v of datasec.vars) {
    const vt = btf.typeById(v.type);
    if (vt.kind !== BtfKind.VAR) throw bad(`DATASEC entry ${v.type} is not a variable`, sec.name);
    const def = btf.resolve(vt.type);
    if (def.kind !== BtfKind.STRUCT) throw bad('a map definition must be a struct', sec.name, vt.name);
    const sym = syms.get(vt.name);
    if (!sym) throw bad('the map variable has no ELF symbol', sec.name, vt.name);
    const offset = Number(sym.value);
    // A statically initialised `values` array makes the variable larger than its struct.
    const end = offset + Math.max(def.size, Number(sym.size));
    if (end > sec.size) throw bad('the map definition runs past its section', sec.name, vt.name);
    const { valuesBitOffset, innerIsProg, ...map } = parseBtfDef(ctx, vt.name, def, 0);
    let slots: MapSlot[] | undefined;
    if (valuesBitOffset !== undefined) {
      slots = [];
      const start = offset + valuesBitOffset / 8;
      for (const r of relocs) {
        if (r.offset < start || r.offset >= end) continue;
        // LLVM before 12 wrote 64-bit data relocations as R_BPF_64_64.
        if ((r.type !== BpfReloc.R_BPF_64_ABS64 && r.type !== BpfReloc.R_BPF_64_64) || (r.offset - start) % 8 !== 0) {
          throw bad(`relocation type ${r.type} at offset ${r.offset} does not fit a 'values' slot`, sec.name, vt.name);
        }
        const target = elf.symbols[r.symbol]!;
        const index = (r.offset - start) / 8;
        if (index >= map.maxEntries) throw bad(`slot ${index} is beyond max_entries ${map.maxEntries}`, sec.name, vt.name);
        if (innerIsProg) {
          if (target.type !== SymbolType.FUNC) throw bad(`slot ${index} of a prog array names '${target.name}', not a function`, sec.name, vt.name);
          slots.push({ index, program: target.name });
        } else {
          if (target.section !== sec.index) throw bad(`slot ${index} names '${target.name}', not a map in ${sec.name}`, sec.name, vt.name);
          slots.push({ index, map: target.name });
        }
      }
    }
    out.push({ ...map, offset, size: def.size, ...(slots ? { slots } : {}) });
  }
  return out;
}

// ---- Legacy maps ------------------------------------------------------------------

/** `maps` (libbpf, iproute2, samples/bpf) or `maps/NAME` (older loaders). */
export function isLegacyMapSection(name: string): boolean {
  return name === 'maps' || name.startsWith('maps/');
}

/**
 * Key and value types of a legacy map from iproute2's BPF_ANNOTATE_KV_PAIR: a struct
 * `____btf_map_<name>` whose members `key` and `value` have the map's types.
 */
function annotatedTypes(btf: Btf | undefined, name: string): { keyTypeId?: number; valueTypeId?: number } {
  const t = btf?.findByName(`____btf_map_${name}`, BtfKind.STRUCT);
  if (!t || t.kind !== BtfKind.STRUCT) return {};
  const key = t.members.find((m) => m.name === 'key');
  const value = t.members.find((m) => m.name === 'value');
  return { ...(key ? { keyTypeId: key.type } : {}), ...(value ? { valueTypeId: value.type } : {}) };
}

/** Maps defined by fixed-layout structs in a legacy `maps` section. */
export function parseLegacyMaps(elf: ElfFile, sec: ElfSection, btf?: Btf): ObjectMap[] {
  const syms = objectSymbols(elf, sec).sort((a, b) => Number(a.value - b.value));
  if (syms.length === 0) {
    if (sec.size === 0) return [];
    throw bad('the section holds map definitions but no symbol names them', sec.name);
  }
  if (sec.data.length !== sec.size) throw bad(`legacy map definitions need file contents (section type ${sec.type} has none)`, sec.name);
  const defSize = Math.floor(sec.size / syms.length);
  if (defSize < 16 || defSize % 4 !== 0 || defSize * syms.length !== sec.size) {
    throw bad(`${sec.size} bytes for ${syms.length} definitions is not a whole number of 4-byte fields (at least 16 each)`, sec.name);
  }
  const view = new DataView(sec.data.buffer, sec.data.byteOffset, sec.data.byteLength);
  const le = elf.littleEndian;
  const layout: LegacyMapFields['layout'] = defSize === 20 ? 'bpf_map_def' : defSize === 28 ? 'samples'
    : defSize === 36 ? 'iproute2' : 'other';
  const maps = syms.map((sym): ObjectMap => {
    const offset = Number(sym.value);
    if (offset % 4 !== 0 || offset + defSize > sec.size) throw bad(`definition at offset ${offset} is misaligned or runs past the section`, sec.name, sym.name);
    const u = (i: number): number => (i * 4 < defSize ? view.getUint32(offset + i * 4, le) : 0);
    const legacy: LegacyMapFields = layout === 'iproute2'
      ? { defSize, layout, id: u(5), innerId: u(7), innerIdx: u(8) }
      : layout === 'samples' ? { defSize, layout, innerIdx: u(5) } : { defSize, layout };
    const numa = layout === 'samples' ? u(6) : undefined;
    return {
      name: sym.name, kind: 'legacy', section: sec.name, type: u(0), keySize: u(1), valueSize: u(2), maxEntries: u(3),
      flags: u(4), pinning: layout === 'iproute2' ? u(6) : 0, legacy, ...annotatedTypes(btf, sym.name),
      ...(numa !== undefined && (u(4) & 4) !== 0 ? { numaNode: numa } : {}),
      offset, size: defSize,
    } satisfies ObjectMap;
  });
  return maps;
}

/**
 * The inner template of a legacy ARRAY_OF_MAPS / HASH_OF_MAPS. samples/bpf's loader
 * (bpf_load.c) created the map at `inner_map_idx` first (an index over the object's
 * legacy definitions in order: sections in file order, each by offset, as PREVAIL's
 * loader also reads it). iproute2 (lib/bpf_legacy.c, which Cilium used) names the
 * template by id: the outer map's `inner_id` is the template's `id`.
 */
export function resolveLegacyInnerMaps(legacy: readonly ObjectMap[]): ObjectMap[] {
  return legacy.map((map, index) => {
    if (map.type !== MAP_ARRAY_OF_MAPS && map.type !== MAP_HASH_OF_MAPS) return map;
    const l = map.legacy;
    if (l?.layout === 'iproute2' && l.innerId) {
      const inner = legacy.find((m, k) => k !== index && m.legacy?.layout === 'iproute2' && m.legacy.id === l.innerId);
      if (!inner) throw bad(`inner_id ${l.innerId} names no other definition's id`, map.section, map.name);
      return { ...map, innerMap: checkedInner(map, inner, `inner_id ${l.innerId}`) };
    }
    if (l?.layout !== 'samples' || l.innerIdx === undefined) return map;
    const idx = l.innerIdx;
    const inner = legacy[idx];
    if (!inner || idx === index) throw bad(`inner_map_idx ${idx} names no other definition`, map.section, map.name);
    checkedInner(map, inner, `inner_map_idx ${idx}`);
    // bpf_create_map_in_map took no value size: the kernel's value is an inner map id (u32).
    return { ...map, valueSize: 4, innerMap: inner };
  });
}

function checkedInner(map: ObjectMap, inner: ObjectMap, what: string): ObjectMap {
  if (inner.type === MAP_ARRAY_OF_MAPS || inner.type === MAP_HASH_OF_MAPS) {
    throw bad(`${what} names a map-in-map; the kernel nests one level only`, map.section, map.name);
  }
  return inner;
}

// ---- Global data ------------------------------------------------------------------

/** The kind of global-data map a section becomes, or undefined when it is not one. */
export function dataKindOf(sec: ElfSection): DataKind | undefined {
  if ((sec.flags & SectionFlag.EXECINSTR) !== 0) return undefined;
  if (sec.type !== SectionType.PROGBITS && sec.type !== SectionType.NOBITS) return undefined;
  const is = (base: string): boolean => sec.name === base || sec.name.startsWith(base + '.');
  if (is('.data')) return 'data';
  if (is('.rodata')) return 'rodata';
  if (is('.bss')) return 'bss';
  return undefined;
}

/** A single-entry array holding section `sec`'s bytes. */
export function dataMap(elf: ElfFile, sec: ElfSection, kind: DataKind, btf: Btf | undefined): ObjectMap {
  if (sec.size > MAX_VALUE_SIZE) {
    throw bad(`${sec.size} bytes of global data exceed the largest array value Linux allows (${MAX_VALUE_SIZE})`, sec.name);
  }
  const data = new Uint8Array(sec.size);
  if (sec.type !== SectionType.NOBITS) data.set(sec.data);
  const variables: GlobalVariable[] = [];
  const datasec = btf?.findByName(sec.name, BtfKind.DATASEC) as BtfDatasec | undefined;
  if (datasec && btf) {
    for (const v of datasec.vars) {
      const vt = btf.types[v.type];
      if (!vt || vt.kind !== BtfKind.VAR) continue;
      variables.push({ name: vt.name, offset: v.offset, size: v.size, typeId: vt.type, global: vt.linkage !== 0 });
    }
  } else {
    for (const s of objectSymbols(elf, sec)) {
      variables.push({ name: s.name, offset: Number(s.value), size: Number(s.size), global: s.binding !== 0 });
    }
  }
  variables.sort((a, b) => a.offset - b.offset);
  return {
    name: sec.name, kind: 'data', section: sec.name, type: MAP_ARRAY, keySize: 4, valueSize: sec.size, maxEntries: 1,
    flags: F_MMAPABLE | (kind === 'rodata' ? F_RDONLY_PROG : 0), pinning: 0,
    data, dataKind: kind, variables, offset: 0, size: sec.size,
  };
}

// ---- Creation -------------------------------------------------------------------

/** BPF_OBJ_NAME_LEN - 1: the longest name BPF_MAP_CREATE takes. */
const MAX_NAME = 15;

/**
 * The name a map gets at creation: at most 15 characters of [A-Za-z0-9_.]. A global-data
 * map is named after the object plus its section (`globals.rodata`), the object part
 * shortened first so the section stays readable, as libbpf names them.
 */
export function kernelMapName(map: ObjectMap, objectName = ''): string {
  let name = map.name;
  if (map.kind === 'data') {
    const suffix = map.name.slice(0, MAX_NAME);
    name = objectName.slice(0, Math.max(0, MAX_NAME - suffix.length)) + suffix;
  }
  return name.slice(0, MAX_NAME).replace(/[^A-Za-z0-9_.]/g, '_');
}

/** The shape `maps/`' `MapSpec` (BPF_MAP_CREATE) takes, inner template included. */
export interface CreateSpec {
  readonly type: number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  readonly flags: number;
  readonly name: string;
  readonly innerMap?: CreateSpec;
  readonly numaNode?: number;
  readonly mapExtra?: bigint;
}

/** What to pass to map creation for `map` (a `MapSpec` for `MapRegistry`). */
export function createSpecOf(map: ObjectMap, objectName = ''): CreateSpec {
  return {
    type: map.type, keySize: map.keySize, valueSize: map.valueSize, maxEntries: map.maxEntries, flags: map.flags,
    name: kernelMapName(map, objectName),
    ...(map.innerMap ? { innerMap: createSpecOf(map.innerMap, objectName) } : {}),
    ...(map.numaNode !== undefined ? { numaNode: map.numaNode } : {}),
    ...(map.mapExtra !== undefined ? { mapExtra: map.mapExtra } : {}),
  };
}
