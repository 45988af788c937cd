/**
 * The part of assembly both dialects share: a parsed program is a list of items
 * (instructions whose jump target may still be a label name) plus the label table;
 * `link` turns it into final instructions. Labels name item indices, and offsets are
 * computed in slots so an `lddw` in between counts twice, as in the kernel.
 */
import type { SourceLocation } from '../errors.js';
import {
  Class, JmpOp, LDDW_OPCODE, LddwSrc, classOf, widthOf, type Instruction,
} from '../isa/index.js';
import { AsmError, AsmErrorCode } from './errors.js';

export interface AsmItem {
  /** The instruction; a field that a label will fill holds 0 until linked. */
  readonly insn: Instruction;
  readonly location: SourceLocation;
  /** A symbolic target (jump, `gotol`, local call or code address). */
  readonly label?: string;
  /** The name of a map this `lddw` refers to (its `imm` is set at link time). */
  readonly mapRef?: string;
}

export interface LabelDef {
  /** Index of the item the label stands before (may equal items.length: the end). */
  readonly item: number;
  readonly location: SourceLocation;
}

export interface ParsedProgram {
  readonly items: readonly AsmItem[];
  readonly labels: ReadonlyMap<string, LabelDef>;
}

export interface LinkOptions {
  /**
   * Known maps, in index order. A map named in an `lddw` gets `imm` = its position
   * here (src MAP_IDX or MAP_IDX_VALUE). Names not listed are appended in order of
   * first use unless `strictMaps` is set.
   */
  readonly maps?: readonly string[];
  /** Reject map names not listed in `maps`. */
  readonly strictMaps?: boolean;
}

export interface LinkedProgram {
  readonly insns: Instruction[];
  /** Map names in index order (what MAP_IDX immediates refer to). */
  readonly maps: string[];
  /** Label name to pc (slot index). */
  readonly labels: Map<string, number>;
  /** Source location of each instruction. */
  readonly locations: SourceLocation[];
}

/** Adds a label, rejecting a second definition of the same name. */
export function defineLabel(labels: Map<string, LabelDef>, name: string, item: number, location: SourceLocation): void {
  const previous = labels.get(name);
  if (previous) {
    throw new AsmError(AsmErrorCode.DUPLICATE_LABEL,
      `label '${name}' is already defined at line ${previous.location.line}`, location);
  }
  labels.set(name, { item, location });
}

/** Resolves labels and map names into final instructions. */
export function link(program: ParsedProgram, options: LinkOptions = {}): LinkedProgram {
  const { items } = program;
  const pcs: number[] = [];
  let pc = 0;
  for (const item of items) {
    pcs.push(pc);
    pc += widthOf(item.insn);
  }
  pcs.push(pc);

  const labels = new Map<string, number>();
  for (const [name, def] of program.labels) labels.set(name, pcs[def.item]!);

  const maps = [...(options.maps ?? [])];
  const insns = items.map((item, index) => {
    let out = item.insn;
    if (item.label !== undefined) out = resolveTarget(item, labels, pcs[index]!);
    if (item.mapRef !== undefined) out = resolveMap(out, item, maps, options.strictMaps ?? false);
    return out;
  });
  return { insns, maps, labels, locations: items.map((i) => i.location) };
}

function resolveTarget(item: AsmItem, labels: Map<string, number>, pc: number): Instruction {
  const target = labels.get(item.label!);
  if (target === undefined) {
    throw new AsmError(AsmErrorCode.UNDEFINED_LABEL, `label '${item.label}' is not defined`, item.location);
  }
  const distance = target - pc - 1;
  const i = item.insn;
  const cls = classOf(i.opcode);
  const usesImm =
    (cls === Class.JMP32 && (i.opcode & 0xf0) === JmpOp.JA) ||
    (cls === Class.JMP && (i.opcode & 0xf0) === JmpOp.CALL) ||
    i.opcode === LDDW_OPCODE;
  if (usesImm) {
    if (i.opcode === LDDW_OPCODE) {
      // Only the low slot holds the distance; keep whatever the second slot was given.
      const high = (i.imm64 ?? 0n) & 0xffffffff00000000n;
      return { ...i, imm: distance, imm64: high | BigInt(distance >>> 0) };
    }
    return { ...i, imm: distance };
  }
  if (distance < -0x8000 || distance > 0x7fff) {
    throw new AsmError(AsmErrorCode.OFFSET_RANGE,
      `jump to '${item.label}' is ${distance} slots away, beyond the s16 offset range (use gotol)`, item.location);
  }
  return { ...i, offset: distance };
}

function resolveMap(i: Instruction, item: AsmItem, maps: string[], strict: boolean): Instruction {
  let index = maps.indexOf(item.mapRef!);
  if (index < 0) {
    if (strict) throw new AsmError(AsmErrorCode.UNKNOWN_MAP, `unknown map '${item.mapRef}'`, item.location);
    index = maps.push(item.mapRef!) - 1;
  }
  const src = i.src === LddwSrc.MAP_VALUE || i.src === LddwSrc.MAP_IDX_VALUE ? LddwSrc.MAP_IDX_VALUE : LddwSrc.MAP_IDX;
  const high = (i.imm64 ?? 0n) >> 32n;
  return { ...i, src, imm: index, imm64: (high << 32n) | BigInt(index) };
}
