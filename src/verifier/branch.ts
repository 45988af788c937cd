/**
 * Conditional jumps: each edge gets the state refined by what the comparison
 * proves (the scalar domain's refineBranch), an edge that cannot happen is dropped,
 * NULL checks make maybe-NULL pointers (and their copies) NULL or valid, and comparing
 * a packet pointer with pkt_end proves a packet range on the edge where it is in bounds.
 */
import { Class, JmpOp, Source, classOf, type Instruction } from '../isa/index.js';
import { Scalar, refineBranch } from './scalar/index.js';
import { addConst, branchOp } from './bridge.js';
import type { Env } from './env.js';
import { readReg } from './regs.js';
import { cloneState, constReg, cur, immediateReg, ownStack, isPointer, type VState } from './state.js';
import { RegType, type Reg } from './types.js';

export interface Edges {
  readonly taken: VState | null;
  readonly fall: VState | null;
}

/** Pointer types that are never NULL: comparing one with 0 decides the branch. */
function nonNull(r: Reg): boolean {
  return isPointer(r) && !r.maybeNull;
}

/** The edges of a conditional jump. `st` is consumed: one edge may be `st` itself, changed. */
export function checkCondJump(env: Env, st: VState, i: Instruction, pc: number): Edges {
  const is32 = classOf(i.opcode) === Class.JMP32;
  const op = i.opcode & 0xf0;
  const useX = (i.opcode & 0x08) === Source.X;
  const d = readReg(st, i.dst, pc);
  const s = useX ? readReg(st, i.src, pc) : immediateReg(env, i, is32, pc);

  if (d.type === RegType.SCALAR && s.type === RegType.SCALAR) {
    const r = refineBranch(branchOp(op), d.value, s.value, is32);
    const operands = (1 << i.dst) | (useX ? 1 << i.src : 0);
    // A branch the values decide depends on them; one that refines linked numbers ties them to its operands.
    if (!r.taken || !r.notTaken) env.notePrecise(st, pc, operands);
    const ids = [d.id, useX ? s.id : 0].filter((id) => id !== 0);
    if (ids.length) env.noteLinks(st, pc, operands, ids);
    // The state is the caller's to give away: the fall-through edge reuses it.
    const make = (pair: readonly [Scalar, Scalar] | null, reuse: boolean): VState | null => {
      if (!pair) return null;
      const ns = reuse ? st : cloneState(st);
      setScalar(ns, i.dst, pair[0]);
      if (useX) setScalar(ns, i.src, pair[1]);
      return ns;
    };
    const taken = make(r.taken, false);
    return { taken, fall: make(r.notTaken, true) };
  }

  // NULL checks: `if rX == 0` / `if rX != 0` on a maybe-NULL pointer (either side).
  const zero = (r: Reg): boolean => r.type === RegType.SCALAR && r.value.isConstant() && r.value.constantValue()! === 0n;
  if (!is32 && (op === JmpOp.JEQ || op === JmpOp.JNE)) {
    const [ptrReg, other] = isPointer(d) ? [d, s] : [s, d];
    if (isPointer(ptrReg) && zero(other)) {
      if (useX) env.notePrecise(st, pc, 1 << (ptrReg === d ? i.src : i.dst));
      if (ptrReg.maybeNull && ptrReg.id !== 0) {
        const isNull = cloneState(st);
        const notNull = st;
        markNull(isNull, ptrReg.id, true);
        markNull(notNull, ptrReg.id, false);
        return op === JmpOp.JEQ ? { taken: isNull, fall: notNull } : { taken: notNull, fall: isNull };
      }
      if (nonNull(ptrReg)) {
        return op === JmpOp.JEQ ? { taken: null, fall: st } : { taken: st, fall: null };
      }
    }
  }

  const taken = cloneState(st);
  const fall = st;
  if (!is32) packetRange(d, s, op, taken, fall);
  return { taken, fall };
}

/** Sets a scalar register and every register linked to it (same id) by its offset. */
function setScalar(st: VState, regno: number, value: Scalar): void {
  const f = cur(st);
  const r = f.regs[regno]!;
  f.regs[regno] = { ...r, value };
  if (r.id === 0) return;
  const now = f.regs[regno]!;
  mapRegs(st, (x) => (x.type !== RegType.SCALAR || x.id !== r.id || x === now ? x
    : { ...x, value: addConst(value, BigInt(x.delta - r.delta)) }));
}

/** Replaces every register and spilled register of every frame by `fn` of it (`fn` returns it to keep it). */
export function mapRegs(st: VState, fn: (r: Reg) => Reg): void {
  for (const f of st.frames) {
    const regs = f.regs;
    for (let k = 0; k < regs.length; k++) {
      const r = regs[k]!;
      const n = fn(r);
      if (n !== r) regs[k] = n;
    }
    // Read from the array as it was; a write makes the frame's own copy first.
    const stack = f.stack;
    for (let k = 0; k < stack.length; k++) {
      const sl = stack[k];
      if (!sl?.spill) continue;
      const n = fn(sl.spill);
      if (n !== sl.spill) ownStack(f)[k] = { bytes: sl.bytes, spill: n };
    }
  }
}

function markNull(st: VState, id: number, isNull: boolean): void {
  let ref = 0;
  mapRegs(st, (x) => {
    if (!isPointer(x) || !x.maybeNull || x.id !== id) return x;
    if (isNull) {
      ref = ref || x.refId;
      return constReg(0n, x.defPc);
    }
    return { ...x, maybeNull: false, id: x.type === RegType.PACKET ? x.id : 0 };
  });
  // A NULL reference holds nothing: there is nothing to release on that edge.
  if (isNull && ref) st.refs = st.refs.filter((r) => r.id !== ref);
}

/**
 * `pkt + off` compared with `pkt_end`: on the edge where it is known to be at most the
 * end, `off` bytes are readable (one more when strictly below), for every pointer
 * sharing its id.
 */
function packetRange(d: Reg, s: Reg, op: number, taken: VState, fall: VState): void {
  let pkt: Reg;
  let flipped: boolean;
  const isData = (r: Reg): boolean => r.type === RegType.PACKET || r.type === RegType.PACKET_META;
  const isEnd = (r: Reg, p: Reg): boolean => r.type === RegType.PACKET_END
    || (p.type === RegType.PACKET_META && r.type === RegType.PACKET);
  if (isData(d) && isEnd(s, d)) { pkt = d; flipped = false; } else if (isData(s) && isEnd(d, s)) { pkt = s; flipped = true; } else return;
  // find_good_pkt_pointers learns nothing where the pointer's offset could pass
  // MAX_PACKET_OFF (0xffff), variable part plus fixed, for fear of wrapping.
  if (pkt.off < 0 || pkt.value.umax + BigInt(pkt.off) > 0xffffn || !pkt.value.isConstant() && pkt.value.smin < 0n) return;
  // Normalise to `pkt OP end`.
  let o = op;
  if (flipped) {
    o = op === JmpOp.JGT ? JmpOp.JLT : op === JmpOp.JGE ? JmpOp.JLE : op === JmpOp.JLT ? JmpOp.JGT : op === JmpOp.JLE ? JmpOp.JGE : op;
  }
  let edge: VState | null = null;
  let n = pkt.off;
  switch (o) {
    case JmpOp.JGT: edge = fall; break; // pkt <= end when not taken
    case JmpOp.JGE: edge = fall; n++; break; // pkt < end
    case JmpOp.JLT: edge = taken; n++; break;
    case JmpOp.JLE: edge = taken; break;
    default: return;
  }
  // `pkt < end` proves no byte at offset 0 to Linux (range_right_open with off 0).
  if (n === 1 && pkt.off === 0) return;
  const target = edge;
  mapRegs(target, (x) => (x.type === pkt.type && x.id === pkt.id && x.range < n ? { ...x, range: n } : x));
}
