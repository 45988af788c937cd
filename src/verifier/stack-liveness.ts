/**
 * Stack liveness: for each pc, the 8-byte slots of the running function's frame that
 * may be read before being overwritten from that pc on. Pruning compares only those:
 * a slot nothing reads again cannot make a path unsafe. Without it every spilled
 * temporary that differs between two paths keeps them apart, and programs with busy
 * stacks (cilium's) never converge.
 *
 * Like Linux 6.18's, the analysis is path-insensitive and fed by what verification
 * observes: each stack read the checks make (loads, helper arguments, a callee reading
 * its caller's frame through a pointer) adds the slots it touched to the uses of its
 * pc, each aligned 8-byte store to the running function's own frame is a kill at its
 * pc (while every visit of that pc makes the same one), and liveness is the usual
 * backward dataflow over the function's control flow, updated incrementally as uses
 * and kills change. A read of a caller's frame counts at the caller's call
 * instruction, so a caller's frame is live, during the call, on what is live at its
 * call.
 *
 * Why observed uses suffice: a stored state is compared only once every path from it
 * has been explored, so every instruction reachable from it has been visited, and a
 * state it subsumes reaches no others and reads no other slots (stack pointers must
 * agree to be subsumed). States still being explored (loop detection, callbacks) are
 * compared on every slot.
 */

import { MAX_STACK, slotOf } from './state.js';

/** Live slots: bit k of `lo` is slot k (fp-8(k+1)..fp-8k-1) for k < 32, of `hi` slot 32 + k. */
export interface SlotMask {
  readonly lo: number;
  readonly hi: number;
}

export const ALL_SLOTS: SlotMask = { lo: -1 >>> 0, hi: -1 >>> 0 };

const FRAME_BYTES = MAX_STACK;
/** No store seen yet at the pc. */
const UNSEEN = -1;
/** The visits of the pc did not all overwrite the same whole slot. */
const NO_KILL = -2;

function slotIndex(off: number): number {
  return slotOf(off).slot;
}

/**
 * The slot each pc overwrites whole on every visit (an aligned 8-byte store to the
 * running function's own frame), which ends the slot's liveness or precision there.
 */
export class SlotKills {
  private readonly kill: Int8Array;

  constructor(n: number) {
    this.kill = new Int8Array(n).fill(UNSEEN);
  }

  /** The slot `pc` always overwrites, or -1. */
  at(pc: number): number {
    return this.kill[pc]!;
  }

  /**
   * A visit of `pc` overwrote `whole` (undefined: no whole slot of its own frame).
   * Returns the slot `pc` was thought to overwrite and no longer does, or -1.
   */
  note(pc: number, whole: number | undefined): number {
    const k = this.kill[pc]!;
    if (k === NO_KILL) return -1;
    if (whole !== undefined && (k === UNSEEN || k === whole)) { this.kill[pc] = whole; return -1; }
    this.kill[pc] = NO_KILL;
    return k === UNSEEN ? -2 : k;
  }
}

export class StackLiveness {
  private readonly liveLo: Uint32Array;
  private readonly liveHi: Uint32Array;
  private readonly kills: SlotKills;
  private readonly work: number[] = [];
  private readonly pendLo: Uint32Array;
  private readonly pendHi: Uint32Array;

  /** `succ` and `preds`: each pc's successors and predecessors within its function (cfg.ts). */
  constructor(private readonly succ: readonly (readonly number[])[], private readonly preds: readonly (readonly number[])[]) {
    const n = succ.length;
    this.liveLo = new Uint32Array(n);
    this.liveHi = new Uint32Array(n);
    this.kills = new SlotKills(n);
    this.pendLo = new Uint32Array(n);
    this.pendHi = new Uint32Array(n);
  }

  /** Slots live at `pc`, before its instruction. */
  at(pc: number): SlotMask {
    return { lo: this.liveLo[pc]!, hi: this.liveHi[pc]! };
  }

  /** The instruction at `pc` read frame bytes [lo, hi) (fp-relative) of the frame it is attributed to. */
  read(pc: number, lo: number, hi: number): void {
    const b = slotBits(lo, hi);
    if (b.lo | b.hi) this.gen(pc, b.lo, b.hi);
  }

  /** Every slot is read at `pc` (an exit whose frame the caller of `verify` inspects). */
  readAll(pc: number): void {
    this.gen(pc, ALL_SLOTS.lo, ALL_SLOTS.hi);
  }

  /**
   * The instruction at `pc` wrote to the stack. `wholeSlot` is the slot an aligned
   * 8-byte store to the running function's own frame overwrote; any other write
   * (narrow, variable offset, a helper's output, a caller's frame) is `undefined`.
   */
  wrote(pc: number, wholeSlot: number | undefined): void {
    const k = this.kills.note(pc, wholeSlot);
    if (k < 0) return;
    // The slot this pc was thought to overwrite flows through it after all.
    let outLo = 0;
    let outHi = 0;
    for (const s of this.succ[pc]!) { outLo |= this.liveLo[s]!; outHi |= this.liveHi[s]!; }
    const bl = k < 32 ? outLo & (1 << k) : 0;
    const bh = k >= 32 ? outHi & (1 << (k - 32)) : 0;
    if (bl | bh) this.gen(pc, bl >>> 0, bh >>> 0);
  }

  /** Adds live bits at `pc` and carries them back through predecessors that do not kill them. */
  private gen(pc: number, lo: number, hi: number): void {
    // Most reads repeat what an earlier visit of the pc already made live.
    if (!((lo & ~this.liveLo[pc]!) | (hi & ~this.liveHi[pc]!))) return;
    // Bits waiting at each queued pc, merged while it waits (arrays kept between calls).
    const work = this.work;
    const pendLo = this.pendLo;
    const pendHi = this.pendHi;
    pendLo[pc] = lo;
    pendHi[pc] = hi;
    work.push(pc);
    while (work.length) {
      const p = work.pop()!;
      const newLo = (pendLo[p]! & ~this.liveLo[p]!) >>> 0;
      const newHi = (pendHi[p]! & ~this.liveHi[p]!) >>> 0;
      pendLo[p] = 0;
      pendHi[p] = 0;
      if (!(newLo | newHi)) continue;
      this.liveLo[p] = (this.liveLo[p]! | newLo) >>> 0;
      this.liveHi[p] = (this.liveHi[p]! | newHi) >>> 0;
      const preds = this.preds[p]!;
      for (let j = 0; j < preds.length; j++) {
        const q = preds[j]!;
        const k = this.kills.at(q);
        let ql = newLo;
        let qh = newHi;
        if (k >= 0) { if (k < 32) ql = (ql & ~(1 << k)) >>> 0; else qh = (qh & ~(1 << (k - 32))) >>> 0; }
        if (!(ql | qh)) continue;
        if (!(pendLo[q]! | pendHi[q]!)) work.push(q);
        pendLo[q] = (pendLo[q]! | ql) >>> 0;
        pendHi[q] = (pendHi[q]! | qh) >>> 0;
      }
    }
  }
}

/** The slots fp-relative bytes [lo, hi) touch. */
export function slotBits(lo: number, hi: number): SlotMask {
  let bl = 0;
  let bh = 0;
  for (let off = Math.max(lo, -FRAME_BYTES); off < Math.min(hi, 0); off = Math.floor(off / 8) * 8 + 8) {
    const k = slotIndex(off);
    if (k < 32) bl |= 1 << k; else bh |= 1 << (k - 32);
  }
  return { lo: bl >>> 0, hi: bh >>> 0 };
}

/** The slot an aligned 8-byte access at fp+off covers, or undefined. */
export function wholeSlotAt(off: number, size: number): number | undefined {
  return size === 8 && off % 8 === 0 && off >= -FRAME_BYTES && off < 0 ? slotIndex(off) : undefined;
}
