/**
 * Precision's backward transfer: what must be precise before an instruction for some
 * numbers (registers, stack slots) to be precise after it. backtrack.ts carries a
 * demand back along the path that made it with this transfer (Linux's
 * mark_chain_precision); this file only knows single instructions and what the walk
 * observed at them.
 *
 * The transfer: through `dst = src` and `dst op= src` to the sources, through fills to
 * the slots they read and through spills to the registers stored, through `if a op b`
 * to both operands, and through a branch on a linked number to every register and slot
 * sharing its id (the branch refines them all). What a fill read, a store wrote and a
 * branch linked is observed per pc as verification runs (the union over the visits so
 * far, which includes the visit of the path being backtracked: a superset, so the
 * result can only be more precise than that path needs, never less).
 */
import { AtomicOp, CallSrc, Class, JmpOp, LDDW_OPCODE, Mode, classOf, type Instruction } from '../isa/index.js';
import { SlotKills } from './stack-liveness.js';

const ALL = -1 >>> 0;
const R0_R5 = 0x3f;
const ARGS = 0x3e;

/** Registers and slots of one frame: `regs` bit r is register r; `lo`/`hi` bits are slots as in SlotMask. */
export interface Marks { regs: number; lo: number; hi: number }

function bit(r: number): number {
  return 1 << r;
}

export class Precision {
  /** Observed per pc: the own-frame slots a fill read. */
  private readonly fillLo: Uint32Array;
  private readonly fillHi: Uint32Array;
  /** Observed per pc: the own-frame slots a store wrote, and the one it always overwrites whole. */
  private readonly writeLo: Uint32Array;
  private readonly writeHi: Uint32Array;
  private readonly kills: SlotKills;
  /** Observed per pc (conditional jumps): registers and slots linked to the operands. */
  private readonly linkRegs: Uint16Array;
  private readonly linkLo: Uint32Array;
  private readonly linkHi: Uint32Array;

  constructor(private readonly code: readonly (Instruction | null)[]) {
    const n = code.length;
    this.fillLo = new Uint32Array(n);
    this.fillHi = new Uint32Array(n);
    this.writeLo = new Uint32Array(n);
    this.writeHi = new Uint32Array(n);
    this.kills = new SlotKills(n);
    this.linkRegs = new Uint16Array(n);
    this.linkLo = new Uint32Array(n);
    this.linkHi = new Uint32Array(n);
  }

  /** The fill at `pc` read these own-frame slots. */
  filled(pc: number, lo: number, hi: number): void {
    const nl = (lo & ~this.fillLo[pc]!) >>> 0;
    const nh = (hi & ~this.fillHi[pc]!) >>> 0;
    if (!(nl | nh)) return;
    this.fillLo[pc] = (this.fillLo[pc]! | nl) >>> 0;
    this.fillHi[pc] = (this.fillHi[pc]! | nh) >>> 0;
  }

  /** The store at `pc` wrote these own-frame slots; `whole` is the slot it overwrote entirely, if it did. */
  wrote(pc: number, lo: number, hi: number, whole: number | undefined): void {
    this.writeLo[pc] = (this.writeLo[pc]! | lo) >>> 0;
    this.writeHi[pc] = (this.writeHi[pc]! | hi) >>> 0;
    this.kills.note(pc, whole);
  }

  /** The branch at `pc` refines these registers and own-frame slots together (one id). */
  linked(pc: number, regs: number, lo: number, hi: number): void {
    const nr = regs & ~this.linkRegs[pc]!;
    const nl = (lo & ~this.linkLo[pc]!) >>> 0;
    const nh = (hi & ~this.linkHi[pc]!) >>> 0;
    if (!(nr | nl | nh)) return;
    this.linkRegs[pc] = this.linkRegs[pc]! | nr;
    this.linkLo[pc] = (this.linkLo[pc]! | nl) >>> 0;
    this.linkHi[pc] = (this.linkHi[pc]! | nh) >>> 0;
  }

  /**
   * What must be precise before the instruction at `pc` for `a` to be precise after it.
   * A bpf-to-bpf call is taken here as not entered (a global function): its result may
   * come from anything it was given. backtrack.ts carries marks through entered calls.
   */
  transfer(pc: number, a: Marks): Marks {
    const out: Marks = { regs: a.regs, lo: a.lo, hi: a.hi };
    this.transferInPlace(pc, out);
    return out;
  }

  /** `transfer`, changing `out` (the marks after the instruction) into the marks before it. */
  transferInPlace(pc: number, out: Marks): void {
    const i = this.code[pc]!;
    const aRegs = out.regs;
    const aLo = out.lo;
    const aHi = out.hi;
    const cls = classOf(i.opcode);
    const x = (i.opcode & 0x08) !== 0;
    switch (cls) {
      case Class.ALU: case Class.ALU64: {
        const op = i.opcode & 0xf0;
        if (!(aRegs & bit(i.dst))) break;
        if (op === 0xb0) { out.regs &= ~bit(i.dst); if (x) out.regs |= bit(i.src); }
        else if (x && op !== 0x80 && op !== 0xd0) out.regs |= bit(i.src);
        break;
      }
      case Class.LDX:
        if (aRegs & bit(i.dst)) {
          out.regs &= ~bit(i.dst);
          out.lo |= this.fillLo[pc]!;
          out.hi |= this.fillHi[pc]!;
        }
        break;
      case Class.ST: case Class.STX: {
        const wl = this.writeLo[pc]!;
        const wh = this.writeHi[pc]!;
        const hit = (aLo & wl) | (aHi & wh);
        if ((i.opcode & 0xe0) === Mode.ATOMIC) {
          const fetched = i.imm === AtomicOp.CMPXCHG ? bit(0) : i.imm & AtomicOp.FETCH ? bit(i.src) : 0;
          if (hit || (aRegs & fetched)) { out.regs |= bit(i.src) | (i.imm === AtomicOp.CMPXCHG ? 1 : 0); out.lo |= wl; out.hi |= wh; }
          break;
        }
        if (!hit) break;
        const k = this.kills.at(pc);
        if (k >= 0) { if (k < 32) out.lo &= ~(1 << k); else out.hi &= ~(1 << (k - 32)); }
        if (cls === Class.STX) out.regs |= bit(i.src);
        break;
      }
      case Class.LD:
        out.regs &= i.opcode === LDDW_OPCODE ? ~bit(i.dst) : ~R0_R5;
        break;
      default: {
        const op = i.opcode & 0xf0;
        if (op === JmpOp.CALL) {
          const local = x || i.src === CallSrc.LOCAL;
          // A function's result may come from anything it was given, its caller's stack included.
          if (local && (aRegs & 1)) { out.regs |= ARGS; out.lo = ALL; out.hi = ALL; }
          out.regs &= ~R0_R5 | (local && (aRegs & 1) ? ARGS : 0);
          break;
        }
        if (op === JmpOp.JA || op === JmpOp.EXIT) break;
        // `if a op b` refines both from each other; linked numbers are refined with them.
        const operands = bit(i.dst) | (x ? bit(i.src) : 0);
        if (x && (aRegs & operands)) out.regs |= operands;
        if ((aRegs & this.linkRegs[pc]!) | (aLo & this.linkLo[pc]!) | (aHi & this.linkHi[pc]!)) {
          out.regs |= this.linkRegs[pc]! | operands;
          out.lo |= this.linkLo[pc]!;
          out.hi |= this.linkHi[pc]!;
        }
      }
    }
    out.lo >>>= 0;
    out.hi >>>= 0;
  }
}
