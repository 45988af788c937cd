/**
 * The pseudo-C printer: one line per instruction in LLVM 19's spelling (what
 * `llvm-mc -show-encoding` and `llvm-objdump -d --no-print-imm-hex` print), so the
 * text re-assembles with both llvm-mc and `parsePseudoC` to the same bytes.
 *
 * Where LLVM has no spelling (local calls without a label, kfunc calls, lddw pseudo
 * sources, packet loads with an index and an offset) the printer uses ebee's:
 * `call pc+3`, `call kfunc(ID)`, `r1 = map_fd(3) ll`, `r0 = *(u16 *)skb[r1 + 4]`.
 */
import {
  AtomicOp, CallSrc, Class, IsaError, IsaErrorCode, LddwSrc, MAX_REG, Mode, Size, classOf, formOf, slotIndices,
  targetOf, type FieldRule, type Instruction, type SizeValue,
} from '../../isa/index.js';
import { ALU_OPERATORS, ATOMIC_ALU, JMP_OPERATORS, LDDW_PSEUDO_BY_SRC, typeName } from './tables.js';

export interface PseudoCPrintOptions {
  /** Immediates and offsets in hex (`0x10`, `-0x8`), as llvm-objdump 19 prints by default. */
  readonly hex?: boolean;
  /**
   * Name the value register of 8-, 16- and 32-bit loads and stores wN, as
   * llvm-objdump does for -mcpu=v3 and later. Off by default: the kernel prints rN.
   */
  readonly alu32?: boolean;
}

export interface PseudoCDisassembleOptions extends PseudoCPrintOptions {
  /**
   * Emit a label (`LBB0_<pc>:`) before every jump, call and code-address target and
   * name targets by label instead of by offset. Targets outside the program or inside
   * an lddw keep their numeric offset.
   */
  readonly labels?: boolean;
}

/** Formats one instruction. Throws `IsaError` for one no table form matches exactly. */
export function printPseudoC(i: Instruction, options: PseudoCPrintOptions = {}): string {
  return format(i, options, undefined);
}

/** Formats a program, one instruction a line (each ending in a newline). */
export function disassemblePseudoC(insns: readonly Instruction[], options: PseudoCDisassembleOptions = {}): string {
  if (!options.labels) return insns.map((i) => format(i, options, undefined) + '\n').join('');
  const pcs = slotIndices(insns);
  const starts = new Set(pcs);
  const names = new Map<number, string>();
  insns.forEach((i, k) => {
    const target = targetOf(i, pcs[k]!);
    if (target !== undefined && starts.has(target)) names.set(target, pseudoCLabel(target));
  });
  let out = '';
  insns.forEach((i, k) => {
    const label = names.get(pcs[k]!);
    if (label !== undefined) out += `${label}:\n`;
    const target = targetOf(i, pcs[k]!);
    out += '\t' + format(i, options, target === undefined ? undefined : names.get(target)) + '\n';
  });
  const endLabel = names.get(pcs[insns.length]!);
  if (endLabel !== undefined) out += `${endLabel}:\n`;
  return out;
}

/** The label `disassemblePseudoC` gives the instruction at `pc`. */
export const pseudoCLabel = (pc: number): string => `LBB0_${pc}`;

function format(i: Instruction, options: PseudoCPrintOptions, target: string | undefined): string {
  const form = formOf(i);
  if (form === undefined) {
    throw new IsaError(IsaErrorCode.UNKNOWN_OPCODE,
      `opcode 0x${i.opcode.toString(16).padStart(2, '0')} with src ${i.src}, offset ${i.offset}, imm ${i.imm} names no instruction`);
  }
  check(form.name, 'dst', form.dst, i.dst);
  check(form.name, 'src', form.src, i.src);
  check(form.name, 'offset', form.offset, i.offset);
  check(form.name, 'imm', form.imm, i.imm);

  const num = (v: number | bigint): string => (options.hex ? (v < 0 ? `-0x${(-BigInt(v)).toString(16)}` : `0x${v.toString(16)}`) : `${v}`);
  const signed = (v: number): string => (v < 0 ? `-${num(-v)}` : `+${num(v)}`);
  const jump = (v: number): string => target ?? signed(v);
  const addr = (base: number, off: number): string => `r${base} ${off < 0 ? '-' : '+'} ${num(Math.abs(off))}`;
  const cls = classOf(i.opcode);
  const wide = cls === Class.ALU64 || cls === Class.JMP || i.opcode === (Class.STX | Mode.ATOMIC | Size.DW);
  const d = `${wide ? 'r' : 'w'}${i.dst}`;
  const s = `${wide ? 'r' : 'w'}${i.src}`;
  const fromReg = (i.opcode & 0x08) !== 0;
  const size = (i.opcode & 0x18) as SizeValue;

  switch (form.kind) {
    case 'alu': {
      const op = ALU_OPERATORS.find(([, code, off]) => code === (i.opcode & 0xf0) && off === i.offset)![0];
      return `${d} ${op} ${fromReg ? s : num(i.imm)}`;
    }
    case 'neg':
      return `${d} = -${d}`;
    case 'mov':
      if (!fromReg) return `${d} = ${num(i.imm)}`;
      return i.offset === 0 ? `${d} = ${s}` : `${d} = (s${i.offset})${s}`;
    case 'end': {
      const name = cls === Class.ALU64 ? 'bswap' : fromReg ? 'be' : 'le';
      return `r${i.dst} = ${name}${i.imm} r${i.dst}`;
    }
    case 'ja':
      return cls === Class.JMP ? `goto ${jump(i.offset)}` : `gotol ${jump(i.imm)}`;
    case 'jcond': {
      const op = JMP_OPERATORS.find(([, code]) => code === (i.opcode & 0xf0))![0];
      return `if ${d} ${op} ${fromReg ? s : num(i.imm)} goto ${jump(i.offset)}`;
    }
    case 'call':
      if (i.src === CallSrc.LOCAL) return `call ${target ?? `pc${signed(i.imm)}`}`;
      if (i.src === CallSrc.KFUNC) return `call kfunc(${num(i.imm)}${i.offset === 0 ? '' : `, ${num(i.offset)}`})`;
      return `call ${num(i.imm)}`;
    case 'callx':
      return `callx r${i.dst}`;
    case 'exit':
      return 'exit';
    case 'lddw':
      return `r${i.dst} = ${lddwValue(i, num, target)} ll`;
    case 'ldabs':
      return `r0 = *(${typeName(size)} *)skb[${num(i.imm)}]`;
    case 'ldind':
      return `r0 = *(${typeName(size)} *)skb[${i.imm === 0 ? `r${i.src}` : addr(i.src, i.imm)}]`;
    case 'ldx': {
      const sx = (i.opcode & 0xe0) === Mode.MEMSX;
      const r = options.alu32 && !sx && size !== Size.DW ? 'w' : 'r';
      return `${r}${i.dst} = *(${typeName(size, sx)} *)(${addr(i.src, i.offset)})`;
    }
    case 'st':
      return `*(${typeName(size)} *)(${addr(i.dst, i.offset)}) = ${num(i.imm)}`;
    case 'stx':
      return `*(${typeName(size)} *)(${addr(i.dst, i.offset)}) = ${options.alu32 && size !== Size.DW ? 'w' : 'r'}${i.src}`;
    case 'atomic':
      return atomic(i, wide, addr(i.dst, i.offset));
  }
}

function atomic(i: Instruction, wide: boolean, address: string): string {
  const r = wide ? 'r' : 'w';
  const type = wide ? 'u64' : 'u32';
  if (i.imm === AtomicOp.XCHG) return `${r}${i.src} = ${wide ? 'xchg_64' : 'xchg32_32'}(${address}, ${r}${i.src})`;
  if (i.imm === AtomicOp.CMPXCHG) return `${r}0 = ${wide ? 'cmpxchg_64' : 'cmpxchg32_32'}(${address}, ${r}0, ${r}${i.src})`;
  const [op, name] = ATOMIC_ALU.find(([, , code]) => code === (i.imm & ~AtomicOp.FETCH))!;
  if (i.imm & AtomicOp.FETCH) return `${r}${i.src} = atomic_fetch_${name}((${type} *)(${address}), ${r}${i.src})`;
  return `lock *(${type} *)(${address}) ${op} ${r}${i.src}`;
}

function lddwValue(i: Instruction, num: (v: number | bigint) => string, target: string | undefined): string {
  const value = i.imm64 ?? BigInt(i.imm >>> 0);
  if (i.src === LddwSrc.IMM64) return num(BigInt.asIntN(64, value));
  const low = Number(BigInt.asIntN(32, value));
  const high = Number(value >> 32n);
  const name = LDDW_PSEUDO_BY_SRC.get(i.src)!;
  // A label stands for the whole immediate, so a code address with a (kernel-rejected)
  // upper half keeps its numeric form rather than lose it.
  const label = high === 0 ? target : undefined;
  const arg = i.src === LddwSrc.CODE_ADDR ? label ?? `pc${low < 0 ? '-' : '+'}${num(Math.abs(low))}` : num(low);
  return `${name}(${arg})${high === 0 ? '' : ` + ${num(high)}`}`;
}

function check(name: string, field: string, rule: FieldRule, value: number): void {
  if (rule === 'reg' && (value < 0 || value > MAX_REG)) {
    throw new IsaError(IsaErrorCode.BAD_REGISTER, `${name}: ${field} register r${value} does not exist (r0-r10)`);
  }
  if (rule === 'zero' && value !== 0) {
    throw new IsaError(IsaErrorCode.RESERVED_FIELD, `${name}: reserved field ${field} is ${value}, must be 0`);
  }
}
