/**
 * Instructions to mnemonic-dialect text. Every form of the ISA table prints to text
 * that `parseMnemonic` + `link` turn back into the same bytes; names come from the
 * table, so printer and parser cannot drift apart.
 */
import {
  Class, IsaError, IsaErrorCode, LddwSrc, Size, classOf, formOf, slotIndices, targetOf,
  type Instruction,
} from '../../isa/index.js';

export interface MnemonicPrintOptions {
  /** The instruction's pc (slot index); needed to print a target as a label. */
  readonly pc?: number;
  /** Label names by pc: a jump, local call or code address landing on one prints the name. */
  readonly labels?: ReadonlyMap<number, string>;
  /** Map names by index: `lddw` of a map index prints the name instead of the number. */
  readonly maps?: readonly string[];
}

export interface MnemonicDisassembleOptions {
  /** Name every jump, local call and code-address target `L<pc>` instead of printing `+N`. */
  readonly labels?: boolean;
  /** Map names by index, as for `printMnemonic`. */
  readonly maps?: readonly string[];
}

const reg = (n: number): string => `%r${n}`;

/**
 * Small values read best in decimal, large ones (masks, addresses) in hex. Fields the
 * machine uses as 32 bits (32-bit ALU and jumps, narrow stores) show large values as
 * their unsigned bit pattern; fields sign-extended to 64 bits show the signed value.
 */
function imm(v: number, unsigned32: boolean): string {
  if (v > -0x1000 && v < 0x1000) return String(v);
  if (unsigned32) return '0x' + (v >>> 0).toString(16);
  return v < 0 ? '-0x' + (-v).toString(16) : '0x' + v.toString(16);
}

function mem(base: number, offset: number): string {
  if (offset === 0) return `[${reg(base)}]`;
  return `[${reg(base)}${offset > 0 ? '+' : '-'}${Math.abs(offset)}]`;
}

function u64(v: bigint): string {
  return v < 0x1000n ? String(v) : '0x' + v.toString(16);
}

/** Prints one instruction. */
export function printMnemonic(i: Instruction, options: MnemonicPrintOptions = {}): string {
  const form = formOf(i);
  if (!form) {
    throw new IsaError(IsaErrorCode.UNKNOWN_OPCODE,
      `opcode 0x${i.opcode.toString(16).padStart(2, '0')} with src ${i.src}, offset ${i.offset}, imm ${i.imm} names no instruction`,
      options.pc === undefined ? {} : { pc: options.pc });
  }
  const cls = classOf(i.opcode);
  const narrow = cls === Class.ALU || cls === Class.JMP32;
  const operand = (): string => (form.src === 'reg' ? reg(i.src) : imm(i.imm, narrow));
  const target = (distance: number): string => {
    if (options.pc !== undefined) {
      const at = targetOf(i, options.pc);
      const name = at === undefined ? undefined : options.labels?.get(at);
      if (name !== undefined) return name;
    }
    return distance < 0 ? String(distance) : `+${distance}`;
  };
  const name = form.name;
  switch (form.kind) {
    case 'alu':
    case 'mov':
      return `${name} ${reg(i.dst)}, ${operand()}`;
    case 'neg':
    case 'end':
      return `${name} ${reg(i.dst)}`;
    case 'jcond':
      return `${name} ${reg(i.dst)}, ${operand()}, ${target(i.offset)}`;
    case 'ja':
      return `${name} ${target(form.imm === 'any' ? i.imm : i.offset)}`;
    case 'call':
      if (name === 'call local') return `${name} ${target(i.imm)}`;
      if (name === 'call kfunc') return `${name} ${i.imm}${i.offset === 0 ? '' : `, ${i.offset}`}`;
      return `${name} ${i.imm}`;
    case 'callx':
      return `${name} ${reg(i.dst)}`;
    case 'exit':
      return name;
    case 'lddw':
      return printLddw(i, name, target, options.maps);
    case 'ldabs':
      return `${name} ${imm(i.imm, false)}`;
    case 'ldind':
      return `${name} ${reg(i.src)}, ${imm(i.imm, false)}`;
    case 'ldx':
      return `${name} ${reg(i.dst)}, ${mem(i.src, i.offset)}`;
    case 'st':
      return `${name} ${mem(i.dst, i.offset)}, ${imm(i.imm, (i.opcode & 0x18) !== Size.DW)}`;
    case 'stx':
    case 'atomic':
      return `${name} ${mem(i.dst, i.offset)}, ${reg(i.src)}`;
  }
}

function printLddw(i: Instruction, name: string, target: (distance: number) => string, maps: readonly string[] | undefined): string {
  const value = i.imm64 ?? BigInt(i.imm >>> 0);
  const low = Number(BigInt.asIntN(32, value));
  const high = Number(BigInt.asIntN(32, value >> 32n));
  if (i.src === LddwSrc.IMM64) return `${name} ${reg(i.dst)}, ${u64(value)}`;
  const mapName = i.src === LddwSrc.MAP_IDX || i.src === LddwSrc.MAP_IDX_VALUE ? maps?.[low] : undefined;
  if (mapName !== undefined && i.src === LddwSrc.MAP_IDX && high === 0) return `lddw ${reg(i.dst)}, ${mapName}`;
  const first = mapName ?? (i.src === LddwSrc.CODE_ADDR ? target(low) : String(low));
  return `${name} ${reg(i.dst)}, ${first}${high === 0 ? '' : `, ${imm(high, false)}`}`;
}

/**
 * Prints a program, one instruction a line (each ending in a newline). With `labels`,
 * targets inside the program get `L<pc>:` lines; a target outside it, or inside an
 * `lddw`, stays numeric so the text still assembles to the same bytes.
 */
export function disassembleMnemonic(insns: readonly Instruction[], options: MnemonicDisassembleOptions = {}): string {
  const pcs = slotIndices(insns);
  const names = new Map<number, string>();
  if (options.labels) {
    const starts = new Set(pcs);
    for (let k = 0; k < insns.length; k++) {
      const at = targetOf(insns[k]!, pcs[k]!);
      if (at !== undefined && starts.has(at)) names.set(at, `L${at}`);
    }
  }
  let out = '';
  for (let k = 0; k <= insns.length; k++) {
    const name = names.get(pcs[k]!);
    if (name !== undefined) out += `${name}:\n`;
    if (k < insns.length) {
      out += printMnemonic(insns[k]!, { pc: pcs[k]!, labels: names, ...(options.maps ? { maps: options.maps } : {}) }) + '\n';
    }
  }
  return out;
}
