/**
 * What the walk tells stack liveness and precision (`stack-liveness.ts`,
 * `precision.ts`, `backtrack.ts`) as the checks run: stack reads and writes, attributed
 * to the frame they touch (a callee's access to its caller's frame counts at the
 * caller's call), the values checks depend on (demanded on the path that made the
 * check), and the numbers a branch refines together.
 */
import type { Env } from './env.js';
import type { Precision } from './precision.js';
import type { Backtracker } from './backtrack.js';
import { slotBits, wholeSlotAt, type StackLiveness } from './stack-liveness.js';
import { RegType, type Reg } from './types.js';

export type LearningHooks = Pick<Env, 'noteStackRead' | 'noteStackWrite' | 'notePrecise' | 'noteLinks'>;

export function learningHooks(live: StackLiveness, precision: Precision, backtrack: Backtracker): LearningHooks {
  return {
    noteStackRead: (st, frameNo, pc, lo, hi, into) => {
      const top = st.frames.length - 1;
      const at = frameNo === top ? pc : st.frames[frameNo + 1]!.callsite;
      live.read(at, lo, hi);
      if (into === undefined) return;
      const b = slotBits(lo, hi);
      // A fill in a callee from its caller's frame: the caller's bytes are taken as deciding.
      if (frameNo === top) precision.filled(pc, b.lo, b.hi);
      else backtrack.demand(st, 0, b.lo, b.hi, frameNo);
    },
    noteStackWrite: (st, frameNo, pc, off, size, exact, from) => {
      const top = st.frames.length - 1;
      const slot = exact && frameNo === top ? wholeSlotAt(off, size) : undefined;
      live.wrote(pc, slot);
      if (frameNo === top) {
        const b = slotBits(off, off + size);
        precision.wrote(pc, b.lo, b.hi, slot);
      } else {
        precision.wrote(pc, 0, 0, undefined);
        // A callee storing into its caller's frame: the value is taken as deciding.
        if (from !== undefined) backtrack.demand(st, 1 << from);
      }
    },
    notePrecise: (st, _pc, regs) => backtrack.demand(st, regs),
    noteLinks: (st, pc, operands, ids) => {
      let regs = 0;
      let lo = 0;
      let hi = 0;
      let elsewhere = false;
      const linked = (r: Reg | undefined): boolean => r?.type === RegType.SCALAR && r.id !== 0 && ids.includes(r.id);
      const top = st.frames.length - 1;
      st.frames.forEach((f, n) => {
        f.regs.forEach((r, k) => { if (linked(r)) { if (n === top) regs |= 1 << k; else elsewhere = true; } });
        f.stack.forEach((sl, k) => {
          if (!linked(sl?.spill)) return;
          if (n !== top) elsewhere = true;
          else if (k < 32) lo |= 1 << k; else hi |= 1 << (k - 32);
        });
      });
      precision.linked(pc, regs | operands, lo >>> 0, hi >>> 0);
      // Numbers in callers' frames refined here: the operands are taken as deciding.
      if (elsewhere) backtrack.demand(st, operands);
    },
  };
}
