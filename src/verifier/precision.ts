/**
 * Precision: which scalars' values (registers and spilled stack slots) may still decide
 * something. Pruning compares only those exactly; any other number may be anything,
 * as in Linux, where two paths that differ in a counter nobody checks are the same.
 *
 * Demands come from the checks that consult a number's value, as verification meets
 * them: a branch one of whose edges is impossible, the number added to a pointer, a
 * helper's size or constant argument, r0 at an exit whose range is checked, the
 * arguments of a bpf-to-bpf call, a store from a callee into its caller's frame. Each
 * demand is carried backwards (Linux's mark_chain_precision, but path-insensitive and
 * kept per pc): through `dst = src` and `dst op= src` to the sources, through fills to
 * the slots they read and through spills to the registers stored, through `if a op b`
 * to both operands, and through a branch on a linked number to every register and slot
 * sharing its id (the branch refines them all). Uses that verification observes (which
 * slot a fill read, which a spill overwrote, which registers a branch linked) feed the
 * backward transfer and re-propagate when they grow, so the result only ever grows.
 *
 * As with stack liveness, a stored state is compared with these marks only once all
 * its paths are explored: every check below it has then made its demands.
 */
import { AtomicOp, CallSrc, Class, JmpOp, LDDW_OPCODE, Mode, classOf, type Instruction } from '../isa/index.js';
import { SlotKills, type SlotMask } from './stack-liveness.js';

const ALL = -1 >>> 0;
const R0_R5 = 0x3f;
const ARGS = 0x3e;

/** Registers and slots: `regs` bit r is register r; `lo`/`hi` bits are slots as in SlotMask. */
interface Marks { regs: number; lo: number; hi: number }

function bit(r: number): number {
  return 1 << r;
}

export class Precision {
  private readonly regs: Uint16Array;
  private readonly lo: Uint32Array;
  private readonly hi: Uint32Array;
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

  /** `succ` and `preds`: each pc's successors and predecessors within its function (cfg.ts). */
  constructor(
    private readonly code: readonly (Instruction | null)[], private readonly succ: readonly (readonly number[])[],
    private readonly preds: readonly (readonly number[])[],
  ) {
    const n = code.length;
    this.regs = new Uint16Array(n);
    this.lo = new Uint32Array(n);
    this.hi = new Uint32Array(n);
    this.fillLo = new Uint32Array(n);
    this.fillHi = new Uint32Array(n);
    this.writeLo = new Uint32Array(n);
    this.writeHi = new Uint32Array(n);
    this.kills = new SlotKills(n);
    this.linkRegs = new Uint16Array(n);
    this.linkLo = new Uint32Array(n);
    this.linkHi = new Uint32Array(n);
  }

  /** Registers whose values matter at `pc`, before its instruction. */
  regsAt(pc: number): number {
    return this.regs[pc]!;
  }

  /** Stack slots whose values matter at `pc`. */
  slotsAt(pc: number): SlotMask {
    return { lo: this.lo[pc]!, hi: this.hi[pc]! };
  }

  /** The value of these registers (and slots) before `pc` decides something. */
  demand(pc: number, regs: number, lo = 0, hi = 0): void {
    this.add(pc, { regs: regs & 0x3ff, lo: lo >>> 0, hi: hi >>> 0 });
  }

  /** The fill at `pc` read these own-frame slots. */
  filled(pc: number, lo: number, hi: number): void {
    const nl = (lo & ~this.fillLo[pc]!) >>> 0;
    const nh = (hi & ~this.fillHi[pc]!) >>> 0;
    if (!(nl | nh)) return;
    this.fillLo[pc] = (this.fillLo[pc]! | nl) >>> 0;
    this.fillHi[pc] = (this.fillHi[pc]! | nh) >>> 0;
    this.retransfer(pc);
  }

  /** The store at `pc` wrote these own-frame slots; `whole` is the slot it overwrote entirely, if it did. */
  wrote(pc: number, lo: number, hi: number, whole: number | undefined): void {
    let changed = false;
    const nl = (lo & ~this.writeLo[pc]!) >>> 0;
    const nh = (hi & ~this.writeHi[pc]!) >>> 0;
    if (nl | nh) {
      this.writeLo[pc] = (this.writeLo[pc]! | nl) >>> 0;
      this.writeHi[pc] = (this.writeHi[pc]! | nh) >>> 0;
      changed = true;
    }
    if (this.kills.note(pc, whole) !== -1) changed = true;
    if (changed) this.retransfer(pc);
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
    this.retransfer(pc);
  }

  /** Re-runs the transfer of `pc` after what was observed there grew. */
  private retransfer(pc: number): void {
    const after = this.after(pc);
    if (after.regs | after.lo | after.hi) this.add(pc, this.transfer(pc, after));
  }

  private after(pc: number): Marks {
    const m: Marks = { regs: 0, lo: 0, hi: 0 };
    for (const s of this.succ[pc]!) { m.regs |= this.regs[s]!; m.lo |= this.lo[s]!; m.hi |= this.hi[s]!; }
    m.lo >>>= 0;
    m.hi >>>= 0;
    return m;
  }

  /** Adds marks before `pc` and carries them back through the instructions before it. */
  private add(pc: number, m: Marks): void {
    const work: [number, Marks][] = [[pc, m]];
    while (work.length) {
      const [p, b] = work.pop()!;
      const nr = b.regs & ~this.regs[p]!;
      const nl = (b.lo & ~this.lo[p]!) >>> 0;
      const nh = (b.hi & ~this.hi[p]!) >>> 0;
      if (!(nr | nl | nh)) continue;
      this.regs[p] = this.regs[p]! | nr;
      this.lo[p] = (this.lo[p]! | nl) >>> 0;
      this.hi[p] = (this.hi[p]! | nh) >>> 0;
      for (const q of this.preds[p]!) work.push([q, this.transfer(q, this.after(q))]);
    }
  }

  /** What must be precise before the instruction at `pc` for `a` to be precise after it. */
  private transfer(pc: number, a: Marks): Marks {
    const i = this.code[pc]!;
    const out: Marks = { regs: a.regs, lo: a.lo, hi: a.hi };
    const cls = classOf(i.opcode);
    const x = (i.opcode & 0x08) !== 0;
    switch (cls) {
      case Class.ALU: case Class.ALU64: {
        const op = i.opcode & 0xf0;
        if (!(a.regs & bit(i.dst))) break;
        if (op === 0xb0) { out.regs &= ~bit(i.dst); if (x) out.regs |= bit(i.src); }
        else if (x && op !== 0x80 && op !== 0xd0) out.regs |= bit(i.src);
        break;
      }
      case Class.LDX:
        if (a.regs & bit(i.dst)) {
          out.regs &= ~bit(i.dst);
          out.lo |= this.fillLo[pc]!;
          out.hi |= this.fillHi[pc]!;
        }
        break;
      case Class.ST: case Class.STX: {
        const wl = this.writeLo[pc]!;
        const wh = this.writeHi[pc]!;
        const hit = (a.lo & wl) | (a.hi & wh);
        if ((i.opcode & 0xe0) === Mode.ATOMIC) {
          const fetched = i.imm === AtomicOp.CMPXCHG ? bit(0) : i.imm & AtomicOp.FETCH ? bit(i.src) : 0;
          if (hit || (a.regs & fetched)) { out.regs |= bit(i.src) | (i.imm === AtomicOp.CMPXCHG ? 1 : 0); out.lo |= wl; out.hi |= wh; }
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
          if (local && (a.regs & 1)) { out.regs |= ARGS; out.lo = ALL; out.hi = ALL; }
          out.regs &= ~R0_R5 | (local && (a.regs & 1) ? ARGS : 0);
          break;
        }
        if (op === JmpOp.JA || op === JmpOp.EXIT) break;
        // `if a op b` refines both from each other; linked numbers are refined with them.
        const operands = bit(i.dst) | (x ? bit(i.src) : 0);
        if (x && (a.regs & operands)) out.regs |= operands;
        if ((a.regs & this.linkRegs[pc]!) | (a.lo & this.linkLo[pc]!) | (a.hi & this.linkHi[pc]!)) {
          out.regs |= this.linkRegs[pc]! | operands;
          out.lo |= this.linkLo[pc]!;
          out.hi |= this.linkHi[pc]!;
        }
      }
    }
    out.lo >>>= 0;
    out.hi >>>= 0;
    return out;
  }
}
