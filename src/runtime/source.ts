/**
 * Turning what a user hands `loadProgram` into instructions the engines run: assembly
 * text is assembled (map names kept in index order), bytecode decoded, and every
 * `lddw` that names a map (by fd, by index, or a map value) is rewritten into a plain
 * 64-bit immediate holding the map's handle or the value's address, as the kernel
 * rewrites them at load time.
 */
import { decode, LddwSrc, LDDW_OPCODE, lddw, widthOf, type Instruction } from '../isa/index.js';
import { assemble, detectDialect, type Dialect } from '../asm/index.js';
import { ArrayMap, MapType, type BpfMap, type MapRegistry } from '../maps/index.js';
import { RuntimeError, RuntimeErrorCode } from './errors.js';

/** What `loadProgram` accepts. */
export type ProgramSourceInput = readonly Instruction[] | Uint8Array | string;

/** Instructions plus the map names their MAP_IDX references index, when the source had any. */
export interface DecodedSource {
  readonly insns: readonly Instruction[];
  readonly mapNames: readonly string[];
}

const ELF_MAGIC = [0x7f, 0x45, 0x4c, 0x46];

export function decodeSource(source: ProgramSourceInput, dialect?: Dialect): DecodedSource {
  if (typeof source === 'string') {
    const linked = assemble(source, { dialect: dialect ?? detectDialect(source) });
    return { insns: linked.insns, mapNames: linked.maps };
  }
  if (source instanceof Uint8Array) {
    if (ELF_MAGIC.every((b, i) => source[i] === b)) {
      throw new RuntimeError(RuntimeErrorCode.BAD_SOURCE, 'ELF objects are loaded by the object loader (elf/), not as raw bytecode');
    }
    return { insns: decode(source), mapNames: [] };
  }
  if (Array.isArray(source)) return { insns: source, mapNames: [] };
  throw new RuntimeError(RuntimeErrorCode.BAD_SOURCE, 'a program is instructions, bytecode (Uint8Array) or assembly text');
}

/** A map given by name or object, for MAP_IDX references (index = position). */
export type MapRef = string | BpfMap;

/**
 * Names every map reference by fd, as the kernel's verifier sees them: MAP_IDX
 * becomes MAP_FD and MAP_IDX_VALUE becomes MAP_VALUE, with the map's registry id.
 * `refs` gives the maps MAP_IDX immediates index (names are looked up in the
 * registry); MAP_FD immediates must be ids of live maps.
 */
export function mapRefsByFd(insns: readonly Instruction[], registry: MapRegistry, refs: readonly MapRef[]): Instruction[] {
  const byIndex = (index: number, pc: number): BpfMap => {
    const ref = refs[index];
    if (ref === undefined) {
      throw new RuntimeError(RuntimeErrorCode.UNRESOLVED_MAP, `lddw names map index ${index}, and only ${refs.length} maps were given`, { pc });
    }
    if (typeof ref !== 'string') return ref;
    const map = registry.mapByName(ref);
    if (!map) throw new RuntimeError(RuntimeErrorCode.UNRESOLVED_MAP, `no map named '${ref}' (create it before loading the program)`, { pc });
    return map;
  };
  return eachLddw(insns, (insn, lo, hi, at) => {
    switch (insn.src) {
      case LddwSrc.MAP_FD: mapByFd(registry, lo, at); return insn;
      case LddwSrc.MAP_VALUE: valueAddress(mapByFd(registry, lo, at), hi, at); return insn;
      case LddwSrc.MAP_IDX: return lddw(insn.dst, BigInt(byIndex(lo, at).id), LddwSrc.MAP_FD);
      case LddwSrc.MAP_IDX_VALUE: {
        const map = byIndex(lo, at);
        valueAddress(map, hi, at);
        return lddw(insn.dst, (BigInt(hi) << 32n) | BigInt(map.id), LddwSrc.MAP_VALUE);
      }
      default: return insn;
    }
  });
}

/** Rewrites MAP_FD and MAP_VALUE loads (after `mapRefsByFd`) into the map's handle and the value's address. */
export function resolveMaps(insns: readonly Instruction[], registry: MapRegistry): Instruction[] {
  return eachLddw(insns, (insn, lo, hi, at) => {
    switch (insn.src) {
      case LddwSrc.MAP_FD: return lddw(insn.dst, BigInt(mapByFd(registry, lo, at).handle));
      case LddwSrc.MAP_VALUE: return lddw(insn.dst, BigInt(valueAddress(mapByFd(registry, lo, at), hi, at)));
      case LddwSrc.MAP_IDX: case LddwSrc.MAP_IDX_VALUE:
        throw new RuntimeError(RuntimeErrorCode.UNRESOLVED_MAP, 'map index references must be named by fd first (mapRefsByFd)', { pc: at });
      default: return insn;
    }
  });
}

function mapByFd(registry: MapRegistry, fd: number, pc: number): BpfMap {
  const map = registry.map(fd);
  if (!map) throw new RuntimeError(RuntimeErrorCode.UNRESOLVED_MAP, `lddw names map fd ${fd}, which is not a map`, { pc });
  return map;
}

/** Maps every lddw through `fn` (low and high immediate words, pc), other instructions as they are. */
function eachLddw(insns: readonly Instruction[],
  fn: (insn: Instruction, lo: number, hi: number, pc: number) => Instruction): Instruction[] {
  let pc = 0;
  return insns.map((insn) => {
    const at = pc;
    pc += widthOf(insn);
    if (insn.opcode !== LDDW_OPCODE) return insn;
    const imm64 = BigInt.asUintN(64, insn.imm64 ?? BigInt(insn.imm >>> 0));
    return fn(insn, Number(imm64 & 0xffffffffn), Number(imm64 >> 32n), at);
  });
}

/** map_direct_value_addr: only single-element arrays have an address for their value. */
function valueAddress(map: BpfMap, offset: number, pc: number): number {
  if (!(map instanceof ArrayMap) || map.type !== MapType.ARRAY || map.maxEntries !== 1) {
    throw new RuntimeError(RuntimeErrorCode.UNRESOLVED_MAP,
      `map '${map.name}' has no direct value address (only an ARRAY with one entry does)`, { pc });
  }
  if (offset >= map.valueSize) {
    throw new RuntimeError(RuntimeErrorCode.UNRESOLVED_MAP, `offset ${offset} is past map '${map.name}''s ${map.valueSize}-byte value`, { pc });
  }
  return map.elementAddress(0) + offset;
}
