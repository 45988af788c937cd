/**
 * Linking one program: its entry function, then every function it can reach through
 * calls and callback references, each appended once, in the order first reached. Calls
 * and function addresses become offsets within the linked program; map references
 * become `lddw` MAP_IDX / MAP_IDX_VALUE (the kernel's fd_array form) naming an index in
 * `ObjectSpec.maps`; func_info, line_info and CO-RE records move to the linked pcs.
 */
import { insn, lddw, type Instruction } from '../isa/index.js';
import type { BtfExt } from '../btf/index.js';
import { ElfError, ElfErrorCode } from './errors.js';
import { INSN_SIZE, indexOfSlot, type FunctionIndex, type FunctionSpec } from './functions.js';
import type { FunctionRelocations } from './relocations.js';

const LDDW_SRC_CODE_ADDR = 4;
const LDDW_SRC_MAP_IDX = 5;
const LDDW_SRC_MAP_IDX_VALUE = 6;
const CALL_OPCODE = 0x85;

/** What an instruction of a linked program refers to, for loaders and tools. */
export type ProgramReference =
  /** `lddw` MAP_IDX: the map itself. */
  | { readonly kind: 'map'; readonly pc: number; readonly map: string; readonly mapIndex: number }
  /** `lddw` MAP_IDX_VALUE: an address in a map's value (global data). */
  | { readonly kind: 'map_value'; readonly pc: number; readonly map: string; readonly mapIndex: number; readonly offset: number }
  /** A bpf-to-bpf call, already linked. */
  | { readonly kind: 'call'; readonly pc: number; readonly function: string }
  /** `lddw` CODE_ADDR: a callback, already linked. */
  | { readonly kind: 'func_addr'; readonly pc: number; readonly function: string }
  /** A call to a function this object does not define: a kfunc, for the loader to resolve by BTF. */
  | { readonly kind: 'kfunc'; readonly pc: number; readonly symbol: string }
  /** `lddw` of an undefined variable: a `.kconfig` value or a `.ksyms` kernel symbol. */
  | { readonly kind: 'extern'; readonly pc: number; readonly symbol: string; readonly offset: number };

export interface LinkedFuncInfo { readonly pc: number; readonly typeId: number }
export interface LinkedLineInfo {
  readonly pc: number; readonly fileName: string; readonly line: string; readonly lineNum: number; readonly column: number;
}
export interface LinkedCoreRelo { readonly pc: number; readonly typeId: number; readonly accessStr: string; readonly kind: number }

export interface LinkedFunctions {
  readonly insns: readonly Instruction[];
  /** Each function in the linked program and the pc (slot) it starts at; the entry is first, at 0. */
  readonly functions: readonly { readonly name: string; readonly section: string; readonly pc: number }[];
  readonly references: readonly ProgramReference[];
  readonly funcInfo: readonly LinkedFuncInfo[];
  readonly lineInfo: readonly LinkedLineInfo[];
  /** CO-RE relocations still to apply (by `btf/core`), at linked pcs. */
  readonly coreRelos: readonly LinkedCoreRelo[];
}

/** What the linker needs from the object. */
export interface LinkContext {
  readonly functions: FunctionIndex;
  relocationsOf(fn: FunctionSpec): FunctionRelocations;
  /** Index in `ObjectSpec.maps` of the map defined at (section, offset), or -1. */
  mapAt(sectionIndex: number, offset: number): number;
  /** Index of the global-data map of a section, or -1. */
  dataMapOf(sectionIndex: number): number;
  mapName(index: number): string;
  readonly btfExt: BtfExt | undefined;
}

export function linkProgram(ctx: LinkContext, entry: FunctionSpec): LinkedFunctions {
  const placed = new Map<FunctionSpec, number>();
  const order: FunctionSpec[] = [];
  let nextPc = 0;
  const place = (fn: FunctionSpec): number => {
    let base = placed.get(fn);
    if (base === undefined) {
      base = nextPc;
      placed.set(fn, base);
      order.push(fn);
      nextPc += fn.pcs[fn.pcs.length - 1]!;
    }
    return base;
  };
  /** Linked pc of the instruction at byte `offset` of section `sectionIndex`. */
  const resolve = (from: FunctionSpec, at: number, sectionIndex: number, offset: number, what: string): { pc: number; fn: FunctionSpec } => {
    const fn = ctx.functions.at(sectionIndex, offset);
    const slot = fn ? (offset - fn.offset) / INSN_SIZE : -1;
    if (!fn || !Number.isInteger(slot) || indexOfSlot(fn, slot) < 0) {
      throw new ElfError(ElfErrorCode.UNRESOLVED, `${what} targets byte ${offset} of section ${sectionIndex}, which is not an instruction of any function`,
        { section: from.section, symbol: from.name, offset: at });
    }
    return { pc: place(fn) + slot, fn };
  };

  place(entry);
  const insns: Instruction[] = [];
  const references: ProgramReference[] = [];
  for (let k = 0; k < order.length; k++) {
    const fn = order[k]!;
    const base = placed.get(fn)!;
    const relocs = ctx.relocationsOf(fn);
    fn.insns.forEach((ins, i) => {
      const pc = base + fn.pcs[i]!;
      const at = fn.offset + fn.pcs[i]! * INSN_SIZE;
      const rel = relocs.get(i);
      if (rel === undefined) {
        // A local call with no relocation counts slots within its own section.
        if (ins.opcode === CALL_OPCODE && ins.src === 1) {
          const t = resolve(fn, at, fn.sectionIndex, at + (ins.imm + 1) * INSN_SIZE, 'call');
          references.push({ kind: 'call', pc, function: t.fn.name });
          insns.push(insn(ins.opcode, ins.dst, 1, ins.offset, t.pc - pc - 1));
        } else {
          insns.push(ins);
        }
        return;
      }
      switch (rel.kind) {
        case 'call': {
          const t = resolve(fn, at, rel.sectionIndex, rel.offset, 'call');
          references.push({ kind: 'call', pc, function: t.fn.name });
          insns.push(insn(ins.opcode, ins.dst, 1, ins.offset, t.pc - pc - 1));
          return;
        }
        case 'func_addr': {
          const t = resolve(fn, at, rel.sectionIndex, rel.offset, 'function address');
          references.push({ kind: 'func_addr', pc, function: t.fn.name });
          insns.push(lddw(ins.dst, BigInt.asUintN(32, BigInt(t.pc - pc - 1)), LDDW_SRC_CODE_ADDR));
          return;
        }
        case 'map': {
          const mapIndex = ctx.mapAt(rel.sectionIndex, rel.offset);
          if (mapIndex < 0) {
            throw new ElfError(ElfErrorCode.BAD_RELOCATION, `'${rel.symbol}' (offset ${rel.offset}) is not the start of a map definition`,
              { section: fn.section, symbol: fn.name, offset: at });
          }
          references.push({ kind: 'map', pc, map: ctx.mapName(mapIndex), mapIndex });
          insns.push(lddw(ins.dst, BigInt(mapIndex), LDDW_SRC_MAP_IDX));
          return;
        }
        case 'data': {
          const mapIndex = ctx.dataMapOf(rel.sectionIndex);
          if (mapIndex < 0) {
            throw new ElfError(ElfErrorCode.BAD_RELOCATION, `'${rel.symbol}' is in a section that has no global-data map`,
              { section: fn.section, symbol: fn.name, offset: at });
          }
          references.push({ kind: 'map_value', pc, map: ctx.mapName(mapIndex), mapIndex, offset: rel.offset });
          insns.push(lddw(ins.dst, (BigInt.asUintN(32, BigInt(rel.offset)) << 32n) | BigInt(mapIndex), LDDW_SRC_MAP_IDX_VALUE));
          return;
        }
        case 'kfunc':
          references.push({ kind: 'kfunc', pc, symbol: rel.symbol });
          insns.push(ins);
          return;
        case 'extern':
          references.push({ kind: 'extern', pc, symbol: rel.symbol, offset: rel.offset });
          insns.push(ins);
          return;
      }
    });
  }

  const functions = order.map((fn) => ({ name: fn.name, section: fn.section, pc: placed.get(fn)! }));
  const funcInfo: LinkedFuncInfo[] = [];
  const lineInfo: LinkedLineInfo[] = [];
  const coreRelos: LinkedCoreRelo[] = [];
  const ext = ctx.btfExt;
  if (ext) {
    for (const fn of order) {
      const base = placed.get(fn)!;
      const inFn = (off: number): boolean => off >= fn.offset && off < fn.offset + fn.size && (off - fn.offset) % INSN_SIZE === 0;
      const pcOf = (off: number): number => base + (off - fn.offset) / INSN_SIZE;
      for (const r of ext.funcInfo.get(fn.section) ?? []) if (inFn(r.insnOff)) funcInfo.push({ pc: pcOf(r.insnOff), typeId: r.typeId });
      for (const r of ext.lineInfo.get(fn.section) ?? []) {
        if (inFn(r.insnOff)) lineInfo.push({ pc: pcOf(r.insnOff), fileName: r.fileName, line: r.line, lineNum: r.lineNum, column: r.column });
      }
      for (const r of ext.coreRelos.get(fn.section) ?? []) {
        if (inFn(r.insnOff)) coreRelos.push({ pc: pcOf(r.insnOff), typeId: r.typeId, accessStr: r.accessStr, kind: r.kind });
      }
    }
  }
  return { insns, functions, references, funcInfo, lineInfo, coreRelos };
}
