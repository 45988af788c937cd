/**
 * State pruning: a state reaching a prune point is safe when an already explored state
 * there is at least as general (every register and stack slot it may still read
 * subsumes the new one's, with ids mapped consistently). Registers that are dead (not
 * read before being written, by static liveness) never block pruning, nor do numbers
 * whose value reaches no check (static precision, see cfg.ts). The exact
 * comparison detects infinite loops: the same state reached again on its own path.
 */
import { SlotByte, isPointer, type Frame, type StackSlot, type VState } from './state.js';
import { RegType, type Reg } from './types.js';

class IdMap {
  private readonly fwd = new Map<number, number>();
  private readonly back = new Map<number, number>();
  /** Old id `a` stands for new id `b` everywhere, one to one. */
  check(a: number, b: number): boolean {
    if (a === 0) return true;
    if (b === 0) return false;
    const f = this.fwd.get(a);
    const r = this.back.get(b);
    if (f === undefined && r === undefined) { this.fwd.set(a, b); this.back.set(b, a); return true; }
    return f === b && r === a;
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

function slotSafe(o: StackSlot | undefined, c: StackSlot | undefined, ids: IdMap, exact: boolean): boolean {
  if (!o) return exact ? !c || c.bytes === 'iiiiiiii' : true;
  const cb = c?.bytes ?? 'iiiiiiii';
  if (exact) {
    if (o.bytes !== cb) return false;
    if (!o.spill !== !c?.spill) return false;
    return !o.spill || regSafe(o.spill, c!.spill!, ids, true);
  }
  if (o.spill) {
    if (c?.spill) return regSafe(o.spill, c.spill, ids, false);
    // An unknown spilled number is no more than bytes of some number.
    return o.spill.type === RegType.SCALAR && o.spill.value.isUnknown() && o.spill.id === 0 && !/[ir]/.test(cb);
  }
  for (let k = 0; k < 8; k++) {
    const ob = o.bytes[k]!;
    const nb = cb[k]!;
    if (ob === SlotByte.INVALID) continue;
    if (ob === SlotByte.MISC) {
      if (nb === SlotByte.INVALID) return false;
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

function frameSafe(o: Frame, c: Frame, live: number, precise: number, ids: IdMap, exact: boolean): boolean {
  if (o.callsite !== c.callsite || o.subprog !== c.subprog) return false;
  for (let r = 0; r < 10; r++) {
    if (!(live & (1 << r))) continue;
    if (!regSafe(o.regs[r]!, c.regs[r]!, ids, exact, (precise & (1 << r)) !== 0)) return false;
  }
  for (let k = 0; k < o.stack.length; k++) {
    if (!slotSafe(o.stack[k], c.stack[k], ids, exact)) return false;
  }
  return true;
}

/**
 * True when `old` (explored) covers `now`. `live` is the live-register mask of the
 * top frame at this pc; callers' frames keep r1-r9 (r0 is written on return).
 */
export function statesSafe(old: VState, now: VState, live: number, exact: boolean, precise = 0x3ff): boolean {
  if (old.frames.length !== now.frames.length || old.refs.length !== now.refs.length) return false;
  const ids = new IdMap();
  const top = old.frames.length - 1;
  for (let i = 0; i <= top; i++) {
    if (!frameSafe(old.frames[i]!, now.frames[i]!, i === top ? live : 0x3fe, i === top ? precise : 0x3ff, ids, exact)) return false;
  }
  for (let k = 0; k < old.refs.length; k++) {
    if (!ids.check(old.refs[k]!.id, now.refs[k]!.id)) return false;
  }
  return true;
}
