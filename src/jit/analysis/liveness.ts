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

/** Registers read (`use`) and written (`def`) by the instruction at `pc`. */
function effect(p: PreparedProgram, pc: number, inMask: number, outMask: number): { use: number; def: number } {
  const op = p.opcode[pc]!;
  const d = p.dst[pc]!;
  const s = p.src[pc]!;
  const x = (op & 0x08) !== 0;
  switch (KIND[op]) {
    case Kind.ALU: {
      const code = op & 0xf0;
      if (code === 0xb0) return { use: x ? bit(s) : 0, def: bit(d) };
      return { use: bit(d) | (x && code !== 0xd0 && code !== 0x80 ? bit(s) : 0), def: bit(d) };
    }
    case Kind.COND: return { use: bit(d) | (x ? bit(s) : 0), def: 0 };
    case Kind.LOAD: return { use: bit(s), def: bit(d) };
    case Kind.STORE: return { use: bit(d) | ((op & 0x07) === 0x03 ? bit(s) : 0), def: 0 };
    case Kind.ATOMIC: {
      const imm = p.imm[pc]!;
      if (imm === 0xf1) return { use: bit(d) | bit(s) | bit(0), def: bit(0) };
      return { use: bit(d) | bit(s), def: imm & 1 ? bit(s) : 0 };
    }
    case Kind.LDDW: return { use: 0, def: bit(d) };
    case Kind.PACKET: return { use: (op & 0xe0) === 0x40 ? bit(s) : 0, def: bit(0) };
    case Kind.CALL:
      if (s === 1) return { use: ARGS | inMask, def: bit(0) | outMask };
      return { use: ARGS | inMask, def: bit(0) };
    case Kind.CALLX: return { use: bit(d) | ARGS | inMask, def: bit(0) };
    case Kind.EXIT: return { use: bit(0) | outMask, def: 0 };
    default: return { use: 0, def: 0 };
  }
}

export function signatureOf(p: PreparedProgram, flow: Flow): Signature {
  const { blocks } = flow;
  let inMask = 0;
  let outMask = 0;
  for (let round = 0; round < 16; round++) {
    // Per block: registers read before written (gen) and written (kill).
    const gen = new Int32Array(blocks.length);
    const kill = new Int32Array(blocks.length);
    blocks.forEach((b, id) => {
      if (b.term === Term.FELL_OFF) return;
      let g = 0;
      let k = 0;
      for (let pc = b.start; pc <= b.last; pc += p.opcode[pc] === 0x18 ? 2 : 1) {
        const { use, def } = effect(p, pc, inMask, outMask);
        g |= use & ~k;
        k |= def;
      }
      gen[id] = g;
      kill[id] = k;
    });
    // Backward dataflow over all blocks at once: functions share no edges but calls.
    const liveIn = new Int32Array(blocks.length);
    let changed = true;
    while (changed) {
      changed = false;
      for (let id = blocks.length - 1; id >= 0; id--) {
        let out = 0;
        for (const s of blocks[id]!.succ) out |= liveIn[s]!;
        const v = gen[id]! | (out & ~kill[id]!);
        if (v !== liveIn[id]) { liveIn[id] = v; changed = true; }
      }
    }
    let newIn = 0;
    for (const e of flow.entries) newIn |= liveIn[flow.blockAt[e]!]! & (bit(0) | 0b1111000000);
    let newOut = 0;
    blocks.forEach((b) => {
      const op = p.opcode[b.last]!;
      const localCall = (op === 0x85 && p.src[b.last] === 1) || op === 0x8d;
      if (b.term === Term.FALL && localCall) newOut |= liveIn[b.succ[0]!]! & ARGS;
    });
    newIn |= inMask;
    newOut |= outMask;
    if (newIn === inMask && newOut === outMask) break;
    inMask = newIn;
    outMask = newOut;
  }
  return { extraIn: regs(inMask), extraOut: regs(outMask) };
}
