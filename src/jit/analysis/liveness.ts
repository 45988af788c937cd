/**
 * The one signature every compiled eBPF function shares, from register liveness.
 *
 * The interpreter keeps one register file across calls: a callee sees its caller's r0
 * and r6-r9 until it writes them, and the caller sees the callee's r1-r5 after the
 * call (only r6-r9 are restored). Verified code never looks, so normally a function
 * takes r1-r5 and returns r0. An unverified program may look, and must see what the
 * interpreter shows it; so:
 *
 * - `extraIn`: r0 and r6-r9 that some function may read before writing them are
 *   passed in as extra parameters;
 * - `extraOut`: r1-r5 that some caller may read after a call before writing them are
 *   returned as extra results.
 *
 * Both sets feed each other's uses (a call reads `extraIn`, an exit reads `extraOut`),
 * so they are computed to a fixpoint; ten registers bound it.
 */
import type { PreparedProgram } from '../../vm/index.js';
import { Kind, KIND, Term, type Flow } from './flow.js';

export interface Signature {
  /** Registers passed after r1-r5, ascending (a subset of r0, r6-r9). */
  readonly extraIn: readonly number[];
  /** Registers returned after r0, ascending (a subset of r1-r5). */
  readonly extraOut: readonly number[];
}

const ARGS = 0b111110; // r1-r5
const bit = (r: number): number => 1 << r;
const regs = (mask: number): number[] => [...Array(10).keys()].filter((r) => mask & bit(r));

// The registers read (`use`) and written (`def`) by the last `effect` call: two
// numbers, not an object per instruction (this runs over the program every round).
let use = 0;
let def = 0;

/** Sets `use` and `def` for the instruction at `pc`. */
function effect(p: PreparedProgram, pc: number, inMask: number, outMask: number): void {
  const op = p.opcode[pc]!;
  const d = p.dst[pc]!;
  const s = p.src[pc]!;
  const x = (op & 0x08) !== 0;
  switch (KIND[op]) {
    case Kind.ALU: {
      const code = op & 0xf0;
      if (code === 0xb0) { use = x ? bit(s) : 0; def = bit(d); return; }
      use = bit(d) | (x && code !== 0xd0 && code !== 0x80 ? bit(s) : 0);
      def = bit(d);
      return;
    }
    case Kind.COND: use = bit(d) | (x ? bit(s) : 0); def = 0; return;
    case Kind.LOAD: use = bit(s); def = bit(d); return;
    case Kind.STORE: use = bit(d) | ((op & 0x07) === 0x03 ? bit(s) : 0); def = 0; return;
    case Kind.ATOMIC: {
      const imm = p.imm[pc]!;
      if (imm === 0xf1) { use = bit(d) | bit(s) | bit(0); def = bit(0); return; }
      use = bit(d) | bit(s);
      def = imm & 1 ? bit(s) : 0;
      return;
    }
    case Kind.LDDW: use = 0; def = bit(d); return;
    case Kind.PACKET: use = (op & 0xe0) === 0x40 ? bit(s) : 0; def = bit(0); return;
    case Kind.CALL:
      use = ARGS | inMask;
      def = s === 1 ? bit(0) | outMask : bit(0);
      return;
    case Kind.CALLX: use = bit(d) | ARGS | inMask; def = bit(0); return;
    case Kind.EXIT: use = bit(0) | outMask; def = 0; return;
    default: use = 0; def = 0;
  }
}

export function signatureOf(p: PreparedProgram, flow: Flow): Signature {
  const { blockCount, start, last, term, succ0, succ1 } = flow;
  // Per block, what its instructions before the last one read before writing (`headGen`)
  // and write (`headKill`): computed once. Only calls and exits depend on the masks,
  // and those always end their block, so a round recomputes just the last instruction.
  const headGen = new Int32Array(blockCount);
  const headKill = new Int32Array(blockCount);
  for (let id = 0; id < blockCount; id++) {
    if (term[id] === Term.FELL_OFF) continue;
    let g = 0;
    let k = 0;
    for (let pc = start[id]!; pc < last[id]!; pc += p.opcode[pc] === 0x18 ? 2 : 1) {
      effect(p, pc, 0, 0);
      g |= use & ~k;
      k |= def;
    }
    headGen[id] = g;
    headKill[id] = k;
  }
  const gen = new Int32Array(blockCount);
  const kill = new Int32Array(blockCount);
  const liveIn = new Int32Array(blockCount);
  let inMask = 0;
  let outMask = 0;
  for (let round = 0; round < 16; round++) {
    // Per block: registers read before written (gen) and written (kill).
    for (let id = 0; id < blockCount; id++) {
      if (term[id] === Term.FELL_OFF) continue;
      effect(p, last[id]!, inMask, outMask);
      gen[id] = headGen[id]! | (use & ~headKill[id]!);
      kill[id] = headKill[id]! | def;
    }
    // Backward dataflow over all blocks at once: functions share no edges but calls.
    liveIn.fill(0);
    let changed = true;
    while (changed) {
      changed = false;
      for (let id = blockCount - 1; id >= 0; id--) {
        let out = 0;
        if (succ0[id]! >= 0) out |= liveIn[succ0[id]!]!;
        if (succ1[id]! >= 0) out |= liveIn[succ1[id]!]!;
        const v = gen[id]! | (out & ~kill[id]!);
        if (v !== liveIn[id]) { liveIn[id] = v; changed = true; }
      }
    }
    let newIn = 0;
    for (const e of flow.entries) newIn |= liveIn[flow.blockAt[e]!]! & (bit(0) | 0b1111000000);
    let newOut = 0;
    for (let id = 0; id < blockCount; id++) {
      const at = last[id]!;
      const op = p.opcode[at]!;
      const localCall = (op === 0x85 && p.src[at] === 1) || op === 0x8d;
      if (term[id] === Term.FALL && localCall) newOut |= liveIn[succ0[id]!]! & ARGS;
    }
    newIn |= inMask;
    newOut |= outMask;
    if (newIn === inMask && newOut === outMask) break;
    inMask = newIn;
    outMask = newOut;
  }
  return { extraIn: regs(inMask), extraOut: regs(outMask) };
}
