/**
 * The verifier log in the kernel's format: instructions as `12: (bf) r2 = r10`, registers
 * as `R1_w=map_value(map=m,ks=4,vs=8)`, stack slots as `fp-8=mmmmmmmm`, and the closing
 * `processed N insns ...` line, so people's intuition and tools built for the kernel's
 * log carry over.
 */
import { CallSrc, Class, JmpOp, classOf, type Instruction } from '../isa/index.js';
import { printPseudoC } from '../asm/index.js';
import type { HelperPrototype } from '../helpers/prototype.js';
import type { Scalar } from './scalar/index.js';
import { SlotByte, type Frame, type StackSlot, type VState, slotOffset } from './state.js';
import { RegType, type Reg, type RegView, type StateView, type VerifierStats } from './types.js';

/** The kernel prints small numbers in decimal and others in hex. */
export function formatNumber(v: bigint): string {
  const s = BigInt.asIntN(64, v);
  if (s >= -1024n && s <= 1024n) return s.toString();
  return (s < 0n ? '-0x' + (-s).toString(16) : '0x' + s.toString(16));
}

function scalarText(value: Scalar, id: number): string {
  if (value.isConstant()) return formatNumber(value.constantValue()!);
  const text = value.toString();
  if (id === 0) return text;
  return text.startsWith('scalar(') ? `scalar(id=${id},${text.slice(7)}` : text;
}

/** The register's type as the kernel names it, `_or_null` included. */
export function typeName(r: Reg): string {
  return r.type + (r.maybeNull ? '_or_null' : '');
}

function mapText(r: Reg): string {
  if (!r.map) return '';
  const d = r.map.desc;
  return `map=${d.name ?? 'map' + r.map.handle},ks=${d.keySize},vs=${d.valueSize}`;
}

/** One register as the kernel's log prints it (after `R1=`). */
export function formatReg(r: Reg): string {
  if (r.type === RegType.NOT_INIT) return '?';
  if (r.type === RegType.SCALAR) return scalarText(r.value, r.id);
  if (r.type === RegType.STACK && r.value.isConstant() && r.value.constantValue()! === 0n) return `fp${r.off}`;
  const parts: string[] = [];
  if (r.id) parts.push(`id=${r.id}`);
  if (r.refId) parts.push(`ref_obj_id=${r.refId}`);
  if (r.off) parts.push(`off=${r.off}`);
  if (r.type === RegType.PACKET || r.type === RegType.PACKET_META) parts.push(`r=${r.range}`);
  const m = mapText(r);
  if (m) parts.push(m);
  if (r.type === RegType.MEM || r.type === RegType.RINGBUF_MEM) parts.push(`sz=${r.memSize}`);
  if (!r.value.isConstant() || r.value.constantValue()! !== 0n) {
    const inner = r.value.toString();
    const open = inner.indexOf('(');
    parts.push(open >= 0 ? inner.slice(open + 1, -1) : `var_off=${inner}`);
  }
  return `${typeName(r)}(${parts.join(',')})`;
}

function slotText(s: StackSlot): string {
  if (s.bytes === SlotByte.SPILL.repeat(8) && s.spill) return formatReg(s.spill);
  return s.bytes.split('').reverse().join('').replace(/i/g, '?');
}

function frameRegs(f: Frame, written: ReadonlySet<number> | undefined, only?: ReadonlySet<number>): string[] {
  const out: string[] = [];
  f.regs.forEach((r, i) => {
    if (r.type === RegType.NOT_INIT || (only && !only.has(i))) return;
    out.push(`R${i}${written?.has(i) ? '_w' : ''}=${formatReg(r)}`);
  });
  f.stack.forEach((s, i) => {
    if (!s || only) return;
    if (s.bytes === 'iiiiiiii') return;
    out.push(`fp${slotOffset(i)}=${slotText(s)}`);
  });
  return out;
}

/** The whole state (`R1=ctx() R10=fp0 fp-8=mmmmmmmm`), frames other than the top prefixed `frameN:`. */
export function formatState(s: VState, written?: ReadonlySet<number>): string {
  const parts: string[] = [];
  s.frames.forEach((f, i) => {
    const regs = frameRegs(f, i === s.frames.length - 1 ? written : undefined);
    if (s.frames.length > 1) parts.push(`frame${i}:`);
    parts.push(...regs);
  });
  if (s.refs.length) parts.push(`refs=${s.refs.map((r) => r.id).join(',')}`);
  return parts.join(' ');
}

/** Only the registers an instruction changed, as level-2 logs print after `; `. */
export function formatChanged(f: Frame, changed: ReadonlySet<number>): string {
  return frameRegs(f, changed, changed).join(' ');
}

/** The kernel's `pc: (op) text` line for an instruction. */
export function formatInsn(pc: number, i: Instruction, proto?: (id: number) => HelperPrototype | undefined): string {
  let text: string;
  try {
    text = printPseudoC(i);
  } catch {
    text = `invalid insn code=0x${i.opcode.toString(16)}`;
  }
  const cls = classOf(i.opcode);
  if (cls === Class.JMP || cls === Class.JMP32) {
    text = text.replace(/goto ([+-])(\d+)$/, (_m, sign: string, n: string) => `goto pc${sign}${n}`);
    if ((i.opcode & 0xf0) === JmpOp.CALL && i.src === CallSrc.HELPER && (i.opcode & 0x08) === 0) {
      const p = proto?.(i.imm);
      text = `call ${p ? 'bpf_' + p.name : 'unknown'}#${i.imm}`;
    }
  }
  return `${pc}: (${i.opcode.toString(16).padStart(2, '0')}) ${text}`;
}

/** The last line of every kernel verifier log. */
export function formatStats(s: VerifierStats): string {
  return `processed ${s.processedInsns} insns (limit 1000000) max_states_per_insn ${s.maxStatesPerInsn} total_states ${s.totalStates} peak_states ${s.peakStates} mark_read ${s.markRead}`;
}

/** The top frame as data for a UI. */
export function viewState(s: VState): StateView {
  const f = s.frames[s.frames.length - 1]!;
  const regs: RegView[] = [];
  f.regs.forEach((r, i) => {
    if (r.type !== RegType.NOT_INIT) regs.push({ reg: i, type: r.type, text: formatReg(r) });
  });
  const stack: { off: number; text: string }[] = [];
  f.stack.forEach((sl, i) => {
    if (sl && sl.bytes !== 'iiiiiiii') stack.push({ off: slotOffset(i), text: slotText(sl) });
  });
  return { frame: s.frames.length - 1, regs, stack };
}

/** Lines kept of a very long log (the tail). */
const MAX_LINES = 100_000;

/** Collects log lines at the requested level. */
export class VerifierLog {
  readonly lines: string[] = [];
  constructor(readonly level: 0 | 1 | 2) {}
  /** Level 2 only. */
  detail(line: string): void {
    if (this.level >= 2) this.info(line);
  }
  /** Levels 1 and 2. */
  info(line: string): void {
    if (this.level >= 1) this.lines.push(line);
    // Like the kernel's rotating log, keep the tail when a run is very long.
    if (this.lines.length > 2 * MAX_LINES) this.lines.splice(0, this.lines.length - MAX_LINES);
  }
  text(): string {
    return this.lines.length ? this.lines.join('\n') + '\n' : '';
  }
}
