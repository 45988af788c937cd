/**
 * State pruning: a state reaching a prune point is safe when an already explored state
 * there is at least as general (every register and stack slot it may still read
 * subsumes the new one's, with ids mapped consistently). Registers that are dead (not
 * read before being written, by static liveness) and stack slots that are dead
 * (stack-liveness.ts) never block pruning, nor do numbers the explored state's marks
 * do not name (backtrack.ts): no check below it consulted their values. A slot whose
 * number is not marked only needs its bytes initialised. The exact comparison detects
 * infinite loops: the same state reached again on its own path.
 */
import { SlotByte, isPointer, type Frame, type StackSlot, type VState } from './state.js';
import { RegType, type Reg } from './types.js';
import { ALL_SLOTS, type SlotMask } from './stack-liveness.js';
import type { Marks } from './precision.js';

const EVERYTHING: Marks = { regs: 0x3ff, lo: ALL_SLOTS.lo, hi: ALL_SLOTS.hi };

class IdMap {
  // Pairs (old id, new id), flat. A state has a few ids; most comparisons fail before
  // any is seen, so the array is made on first use.
  private pairs: number[] | undefined;
  /** Old id `a` stands for new id `b` everywhere, one to one. */
  check(a: number, b: number): boolean {
    if (a === 0) return true;
    if (b === 0) return false;
    const pairs = (this.pairs ??= []);
    for (let k = 0; k < pairs.length; k += 2) {
      const hitOld = pairs[k] === a;
      const hitNew = pairs[k + 1] === b;
      if (hitOld || hitNew) return hitOld && hitNew;
    }
    pairs.push(a, b);
    return true;
  }
}

function regSafe(o: Reg, c: Reg, ids: IdMap, exact: boolean, precise = true): boolean {
  if (exact) {
    return o.type === c.type && o.maybeNull === c.maybeNull && o.off === c.off && o.value.equals(c.value)
      && o.range === c.range && o.memSize === c.memSize && o.frame === c.frame && o.funcPc === c.funcPc
      && o.map?.desc === c.map?.desc && ids.check(o.id, c.id) && ids.check(o.refId, c.refId) && o.delta === c.delta;
  }
  if (o.type === RegType.NOT_INIT) return true;
  if (o.type !== c.type) return false;
  if (o.type === RegType.SCALAR) {
    // A number whose value reaches no check from here on may be anything.
    if (!precise) return true;
    if (!o.value.subsumes(c.value)) return false;
    return o.id === 0 || (ids.check(o.id, c.id) && o.delta === c.delta);
  }
  if (o.maybeNull !== c.maybeNull) return false;
  if (o.off !== c.off || o.frame !== c.frame || o.memSize !== c.memSize || o.funcPc !== c.funcPc) return false;
  if ((o.map?.desc ?? null) !== (c.map?.desc ?? null)) return false;
  if (!o.value.subsumes(c.value)) return false;
  if (c.range < o.range) return false;
  if (!ids.check(o.refId, c.refId)) return false;
  // Packet pointers with a variable part and maybe-NULL pointers are linked by id.
  if ((o.type === RegType.PACKET || o.type === RegType.PACKET_META || o.maybeNull) && !ids.check(o.id, c.id)) return false;
  return true;
}

/**
 * `uninitReadable`: reading never-written bytes gives an unknown number (a privileged
 * program may), so an invalid byte is as good as a misc one.
 */
function slotSafe(o: StackSlot | undefined, c: StackSlot | undefined, ids: IdMap, exact: boolean, precise: boolean, uninitReadable: boolean): boolean {
  if (!o) return exact ? !c || c.bytes === 'iiiiiiii' : true;
  const cb = c?.bytes ?? 'iiiiiiii';
  if (exact) {
    if (o.bytes !== cb) return false;
    if (!o.spill !== !c?.spill) return false;
    return !o.spill || regSafe(o.spill, c!.spill!, ids, true);
  }
  if (!precise && !(o.spill && isPointer(o.spill)) && !(c?.spill && isPointer(c.spill))) {
    // Numbers whose values reach no check: only which bytes are initialised matters.
    if (uninitReadable) return true;
    for (let k = 0; k < 8; k++) if (o.bytes[k] !== SlotByte.INVALID && cb[k] === SlotByte.INVALID) return false;
    return true;
  }
  if (o.spill) {
    if (c?.spill) return regSafe(o.spill, c.spill, ids, false);
    // An unknown spilled number is no more than bytes of some number.
    return o.spill.type === RegType.SCALAR && o.spill.value.isUnknown() && o.spill.id === 0 && !(uninitReadable ? /r/ : /[ir]/).test(cb);
  }
  for (let k = 0; k < 8; k++) {
    const ob = o.bytes[k]!;
    const nb = cb[k]!;
    if (ob === SlotByte.INVALID) continue;
    if (ob === SlotByte.MISC) {
      if (nb === SlotByte.INVALID && !uninitReadable) return false;
      if (nb === SlotByte.SPILL && c?.spill && isPointer(c.spill)) return false;
      continue;
    }
    if (ob === SlotByte.ZERO) {
      if (nb === SlotByte.ZERO) continue;
      if (nb === SlotByte.SPILL && c?.spill?.type === RegType.SCALAR && c.spill.value.isConstant()
        && c.spill.value.constantValue() === 0n) continue;
      return false;
    }
    return false;
  }
  return true;
}


/** Per frame of a state at `pc`: its live stack slots, from `at(pc)` for each frame's current pc. */
export function liveSlotsOf(st: VState, pc: number, at: (pc: number) => SlotMask): SlotMask[] {
  const top = st.frames.length - 1;
  return st.frames.map((_, i) => at(i === top ? pc : st.frames[i + 1]!.callsite));
}

/** frameSafe's answer: the frame is covered, or where it is not (a register, 16 + a slot, or FRAME). */
const COVERED = -1;
const FRAME = 15;
const SLOT = 16;

function frameSafe(
  o: Frame, c: Frame, live: number, marks: Marks, liveSlots: SlotMask, ids: IdMap, exact: boolean, uninitReadable: boolean,
): number {
  if (o.callsite !== c.callsite || o.subprog !== c.subprog) return FRAME;
  const precise = marks.regs;
  for (let r = 0; r < 10; r++) {
    if (!(live & (1 << r))) continue;
    const or = o.regs[r]!;
    const cr = c.regs[r]!;
    // States share register objects with their ancestors: the same object is the same
    // value (its ids must still map to themselves).
    if (or === cr && or.id === 0 && or.refId === 0) continue;
    if (!regSafe(or, cr, ids, exact, (precise & (1 << r)) !== 0)) return r;
  }
  // Only live slots, visited by their bits.
  for (let word = 0; word < 2; word++) {
    let m = word === 0 ? liveSlots.lo : liveSlots.hi;
    const marked = word === 0 ? marks.lo : marks.hi;
    while (m !== 0) {
      const b = 31 - Math.clz32(m & -m);
      m = (m & (m - 1)) >>> 0;
      const k = word * 32 + b;
      if (!slotCovered(o.stack[k], c.stack[k], ids, exact, (marked & (1 << b)) !== 0, uninitReadable)) return SLOT + k;
    }
  }
  return COVERED;
}

function slotCovered(os: StackSlot | undefined, cs: StackSlot | undefined, ids: IdMap, exact: boolean, precise: boolean, uninitReadable: boolean): boolean {
  if (os === undefined && !exact) return true;
  if (os === cs && (!os?.spill || (os.spill.id === 0 && os.spill.refId === 0))) return true;
  return slotSafe(os, cs, ids, exact, precise, uninitReadable);
}

/**
 * Where a comparison with a stored state last failed (frame * 128 + frameSafe's place),
 * or -1. States at a pc tend to differ from a stored one in the same place each time
 * (a spilled return code, a flag), so that place is checked first: one register or slot
 * instead of the whole state.
 */
export interface FailMemo {
  failAt: number;
}

/** The place a memo names, alone; false only when the full comparison would fail there too. */
function stillFails(
  old: VState, now: VState, at: number, live: number, marks: readonly Marks[] | undefined, liveSlots: readonly SlotMask[] | undefined,
  exact: boolean, uninitReadable: boolean,
): boolean {
  const i = at >> 7;
  const place = at & 127;
  const top = old.frames.length - 1;
  if (i > top) return false;
  const o = old.frames[i]!;
  const c = now.frames[i]!;
  if (place === FRAME) return o.callsite !== c.callsite || o.subprog !== c.subprog;
  // A fresh id map accepts any first pairing: what fails with it fails with any.
  const ids = new IdMap();
  const m = marks?.[i] ?? EVERYTHING;
  if (place < SLOT) {
    if (!((i === top ? live : 0x3fe) & (1 << place))) return false;
    return !regSafe(o.regs[place]!, c.regs[place]!, ids, exact, (m.regs & (1 << place)) !== 0);
  }
  const k = place - SLOT;
  const ls = liveSlots?.[i] ?? ALL_SLOTS;
  const word = k < 32 ? ls.lo : ls.hi;
  const bit = 1 << (k & 31);
  if (!(word & bit)) return false;
  return !slotCovered(o.stack[k], c.stack[k], ids, exact, ((k < 32 ? m.lo : m.hi) & bit) !== 0, uninitReadable);
}

/**
 * True when `old` (explored) covers `now`. `live` is the live-register mask of the
 * top frame at this pc; callers' frames keep r1-r9 (r0 is written on return).
 * `marks[i]`: frame i's numbers compared exactly (all when absent); `liveSlots[i]`:
 * frame i's stack slots that may still be read (see `liveSlotsOf`; all when absent).
 * `memo`: where the last comparison with `old` failed (read and updated).
 */
export function statesSafe(
  old: VState, now: VState, live: number, exact: boolean, marks?: readonly Marks[], liveSlots?: readonly SlotMask[], uninitReadable = false,
  memo?: FailMemo,
): boolean {
  if (old.frames.length !== now.frames.length || old.refs.length !== now.refs.length) return false;
  if (memo && memo.failAt >= 0 && stillFails(old, now, memo.failAt, live, marks, liveSlots, exact, uninitReadable)) return false;
  const ids = new IdMap();
  const top = old.frames.length - 1;
  // The running frame first: it is where states differ most often.
  for (let i = top; i >= 0; i--) {
    const at = frameSafe(old.frames[i]!, now.frames[i]!, i === top ? live : 0x3fe, marks?.[i] ?? EVERYTHING, liveSlots?.[i] ?? ALL_SLOTS, ids, exact, uninitReadable);
    if (at !== COVERED) {
      if (memo) memo.failAt = i * 128 + at;
      return false;
    }
  }
  for (let k = 0; k < old.refs.length; k++) {
    if (!ids.check(old.refs[k]!.id, now.refs[k]!.id)) return false;
  }
  return true;
}
