/**
 * Path-sensitive precision (Linux's mark_chain_precision). Each stored state carries
 * marks: the numbers (registers and stack slots, per frame) whose values some check
 * below it consulted. Pruning compares only those exactly (prune.ts); any other number
 * may be anything, so two paths that differ in a counter nobody checks merge.
 *
 * A check that consults a value (a decided branch, a number added to a pointer, a
 * helper's size argument, r0 at the exit...) demands it on the path that reached it.
 * The demand is carried backwards along that path's own instructions, recorded as a
 * history per state since its last stored state, with precision.ts's transfer, and
 * marks each stored state on the way, until nothing new is marked. Marks are only
 * ever added, and a stored state is compared with its marks once every path below it
 * is explored, so by then every check below it has made its demands. A state pruned
 * by a stored one needs what that one's marks name, so they are demanded on the
 * pruned path too.
 *
 * Paths cross frames: going back over an exit, the caller's r0 becomes the callee's;
 * over a call, the callee's r1-r5 become the caller's. Where the history crosses a
 * callback's entry or exit, the backward flow is not modelled: every number on every
 * stored state above is marked instead (Linux's mark_all_scalars_precise).
 */
import type { Precision, Marks } from './precision.js';
import { RegType } from './types.js';
import type { Checkpoint, VState } from './state.js';

const ALL = -1 >>> 0;
const R0_R5 = 0x3f;
const ARGS = 0x3e;
const EVERYTHING: Marks = { regs: 0x3ff, lo: ALL, hi: ALL };

/**
 * One history entry: the pc executed, how many frames the path had when it ran, and
 * whether the step entered or left a callback (where backtracking gives up).
 */
export function histEntry(pc: number, depth: number, callbackBoundary: boolean): number {
  return pc * 32 + depth * 2 + (callbackBoundary ? 1 : 0);
}

/** The pc of a history entry. */
export function histPc(entry: number): number {
  return Math.floor(entry / 32);
}

/** Marks of a new stored state: nothing is known to matter yet. */
export function noMarks(depth: number): Marks[] {
  const out: Marks[] = [];
  for (let f = 0; f < depth; f++) out.push({ regs: 0, lo: 0, hi: 0 });
  return out;
}

function empty(marks: readonly Marks[]): boolean {
  for (const m of marks) if (m.regs | m.lo | m.hi) return false;
  return true;
}

export class Backtracker {
  constructor(private readonly precision: Precision) {}

  /** These registers and slots of frame `frameNo` (the top one by default) matter where `st` is now. */
  demand(st: VState, regs: number, lo = 0, hi = 0, frameNo = st.frames.length - 1): void {
    if (!(regs | lo | hi)) return;
    const marks = noMarks(st.frames.length);
    marks[frameNo] = { regs: regs & 0x3ff, lo: lo >>> 0, hi: hi >>> 0 };
    this.walk(st, marks);
  }

  /** What `old`'s marks name matters where `st` is now (st was pruned by old). */
  inherit(st: VState, old: readonly Marks[]): void {
    if (empty(old)) return;
    const marks: Marks[] = [];
    for (const m of old) marks.push({ regs: m.regs, lo: m.lo, hi: m.hi });
    this.walk(st, marks);
  }

  /** Everything matters on every stored state above `st` (a flow not modelled). */
  everything(st: VState): void {
    this.markAll(st.parent);
  }

  private walk(st: VState, marks: Marks[]): void {
    let depth = st.frames.length;
    let hist: readonly number[] = st.hist;
    let cp = st.parent;
    for (;;) {
      for (let k = hist.length - 1; k >= 0; k--) {
        const e = hist[k]!;
        if (e & 1) return this.markAll(cp);
        const pc = histPc(e);
        const d = (e >>> 1) & 15;
        if (d === depth) {
          this.precision.transferInPlace(pc, marks[d - 1]!);
        } else if (d === depth - 1) {
          // Back over the call that entered the callee: its arguments were the caller's r1-r5.
          const callee = marks.pop()!;
          depth = d;
          const caller = marks[d - 1]!;
          marks[d - 1] = { regs: caller.regs | (callee.regs & ARGS), lo: caller.lo, hi: caller.hi };
        } else if (d === depth + 1) {
          // Back over the callee's exit: the caller's r0 was its r0; r1-r5 were clobbered.
          const caller = marks[depth - 1]!;
          marks[depth - 1] = { regs: caller.regs & ~R0_R5, lo: caller.lo, hi: caller.hi };
          marks.push({ regs: caller.regs & 1, lo: 0, hi: 0 });
          depth = d;
        } else {
          return this.markAll(cp);
        }
        if (empty(marks)) return;
      }
      if (!cp) return;
      if (cp.state.frames.length !== depth) return this.markAll(cp);
      // Only what is new goes on: what was marked before already went further up.
      let any = false;
      for (let f = 0; f < depth; f++) {
        const want = marks[f]!;
        const have = cp.marks[f]!;
        const regsOf = cp.state.frames[f]!.regs;
        let regs = want.regs & ~have.regs;
        // Pointers are compared whole anyway: only numbers carry precision.
        for (let r = 0; r < 10; r++) if (regs & (1 << r) && regsOf[r]!.type !== RegType.SCALAR) regs &= ~(1 << r);
        const lo = (want.lo & ~have.lo) >>> 0;
        const hi = (want.hi & ~have.hi) >>> 0;
        if (regs | lo | hi) {
          any = true;
          cp.marks[f] = { regs: have.regs | regs, lo: (have.lo | lo) >>> 0, hi: (have.hi | hi) >>> 0 };
        }
        marks[f] = { regs, lo, hi };
      }
      if (!any) return;
      hist = cp.hist;
      cp = cp.parent;
    }
  }

  private markAll(from: Checkpoint | null): void {
    for (let cp = from; cp; cp = cp.parent) {
      if (cp.marks.every((m) => m.regs === 0x3ff && m.lo === ALL && m.hi === ALL)) return;
      cp.marks.fill(EVERYTHING);
    }
  }
}
