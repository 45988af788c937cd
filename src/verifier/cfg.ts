/**
 * Control-flow checks before any abstract interpretation, as Linux's check_subprogs and
 * check_cfg make them: every jump lands inside its function on the first slot of an
 * instruction, every function ends in `exit` or a jump, every instruction is reachable,
 * and (when loops are not allowed) there are no back-edges. Also computes what the
 * analysis needs: function starts, prune points, successors and static register liveness
 * (stack liveness and precision are learnt during the walk: stack-liveness.ts, backtrack.ts).
 */
import {
  AtomicOp, CallSrc, Class, JmpOp, LDDW_OPCODE, LddwSrc, Mode, classOf, type Instruction,
} from '../isa/index.js';
import { ErrorCategory } from './types.js';
import { Reject } from './reject.js';

export interface Cfg {
  /** Instruction at each pc; null for the second slot of an lddw. */
  readonly code: readonly (Instruction | null)[];
  /** Start pcs of the functions, ascending; 0 first. */
  readonly subprogs: readonly number[];
  /** Function index of each pc. */
  readonly funcOf: Int32Array;
  /** pcs where states are stored and compared (jump targets, after branches and calls). */
  readonly prunePoint: Uint8Array;
  /**
   * 1 where the pc's function has a back-edge: only there can a path reach the same
   * state again (an infinite loop); elsewhere the loop check is skipped.
   */
  readonly mayLoop: Uint8Array;
  /** Registers (bit i = ri) possibly read before being written, from each pc on, within its function. */
  readonly liveIn: Uint16Array;
  /** Successors of each pc within its function (calls fall through to the next pc). */
  readonly succ: readonly (readonly number[])[];
  /** Predecessors of each pc within its function. */
  readonly preds: readonly (readonly number[])[];
}

/** Each pc's predecessors, from its successors. */
export function predecessors(succ: readonly (readonly number[])[]): number[][] {
  const preds: number[][] = Array.from({ length: succ.length }, () => []);
  succ.forEach((ss, pc) => { for (const s of ss) preds[s]!.push(pc); });
  return preds;
}

function jmpOp(i: Instruction): number {
  return i.opcode & 0xf0;
}

export function isExit(i: Instruction): boolean {
  return classOf(i.opcode) === Class.JMP && jmpOp(i) === JmpOp.EXIT;
}

export function isCall(i: Instruction): boolean {
  return classOf(i.opcode) === Class.JMP && jmpOp(i) === JmpOp.CALL;
}

export function isLocalCall(i: Instruction): boolean {
  return isCall(i) && (i.opcode & 0x08) === 0 && i.src === CallSrc.LOCAL;
}

function isUncondJump(i: Instruction): boolean {
  const cls = classOf(i.opcode);
  return (cls === Class.JMP || cls === Class.JMP32) && jmpOp(i) === JmpOp.JA;
}

function isCondJump(i: Instruction): boolean {
  const cls = classOf(i.opcode);
  if (cls !== Class.JMP && cls !== Class.JMP32) return false;
  const op = jmpOp(i);
  return op !== JmpOp.JA && op !== JmpOp.CALL && op !== JmpOp.EXIT;
}

/** Jump target of a (conditional or not) jump at pc. */
export function jumpTarget(i: Instruction, pc: number): number {
  return classOf(i.opcode) === Class.JMP32 && jmpOp(i) === JmpOp.JA ? pc + 1 + i.imm : pc + 1 + i.offset;
}

/** Lays the program out by pc (8-byte slots). */
export function layout(insns: readonly Instruction[]): (Instruction | null)[] {
  const code: (Instruction | null)[] = [];
  for (const i of insns) {
    code.push(i);
    if (i.opcode === LDDW_OPCODE) code.push(null);
  }
  return code;
}

export interface CfgOptions {
  readonly allowLoops: boolean;
}

export function buildCfg(insns: readonly Instruction[], options: CfgOptions): Cfg {
  const code = layout(insns);
  const n = code.length;
  if (n === 0) throw new Reject(0, 'empty program', ErrorCategory.CFG);

  const checkTarget = (from: number, to: number): void => {
    if (to < 0 || to >= n) throw new Reject(from, `jump out of range from insn ${from} to ${to}`, ErrorCategory.CFG);
    if (code[to] === null) throw new Reject(from, `jump into the middle of ldimm64 insn ${to - 1}`, ErrorCategory.CFG);
  };

  const starts = new Set<number>([0]);
  for (let pc = 0; pc < n; pc++) {
    const i = code[pc];
    if (!i) continue;
    if (isLocalCall(i) || (i.opcode === LDDW_OPCODE && i.src === LddwSrc.CODE_ADDR)) {
      const t = pc + 1 + i.imm;
      checkTarget(pc, t);
      starts.add(t);
    }
  }
  const subprogs = [...starts].sort((a, b) => a - b);
  const funcOf = new Int32Array(n);
  for (let f = 0; f < subprogs.length; f++) {
    const end = subprogs[f + 1] ?? n;
    for (let pc = subprogs[f]!; pc < end; pc++) funcOf[pc] = f;
    let last = end - 1;
    if (code[last] === null) last--;
    const li = code[last]!;
    if (!isExit(li) && !isUncondJump(li)) throw new Reject(last, 'last insn is not an exit or jmp', ErrorCategory.CFG);
  }

  const prunePoint = new Uint8Array(n);
  const succ: number[][] = new Array(n);
  for (let pc = 0; pc < n; pc++) {
    const i = code[pc];
    if (!i) { succ[pc] = []; continue; }
    const next = pc + (i.opcode === LDDW_OPCODE ? 2 : 1);
    const s: number[] = [];
    if (isExit(i)) {
      // no successors
    } else if (isUncondJump(i) || isCondJump(i)) {
      const t = jumpTarget(i, pc);
      checkTarget(pc, t);
      if (funcOf[t] !== funcOf[pc]) throw new Reject(pc, `jump out of range from insn ${pc} to ${t}`, ErrorCategory.CFG);
      s.push(t);
      prunePoint[t] = 1;
      if (isCondJump(i)) { s.push(next); prunePoint[next] = 1; }
    } else {
      s.push(next);
      if (isCall(i) && next < n) prunePoint[next] = 1;
    }
    succ[pc] = s;
  }

  // Depth-first search from every function start, as check_cfg does: back-edges found
  // here are loops; instructions never discovered are unreachable.
  const state = new Uint8Array(n); // 0 new, 1 on stack, 2 done
  const loopyFunctions = new Set<number>();
  for (const start of subprogs) {
    if (state[start]) continue;
    const stack: [number, number][] = [[start, 0]];
    state[start] = 1;
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      const [pc, k] = top;
      const s = succ[pc]!;
      if (k < s.length) {
        top[1]++;
        const t = s[k]!;
        if (state[t] === 1) {
          if (!options.allowLoops) throw new Reject(pc, `back-edge from insn ${pc} to ${t}`, ErrorCategory.CFG);
          loopyFunctions.add(funcOf[pc]!);
          // A loop head: where an infinite loop shows as a state met again on its own path.
          prunePoint[t] = 1;
        }
        if (state[t] === 0) { state[t] = 1; stack.push([t, 0]); }
      } else {
        state[pc] = 2;
        stack.pop();
      }
    }
  }
  for (let pc = 0; pc < n; pc++) {
    if (code[pc] && state[pc] === 0) throw new Reject(pc, `unreachable insn ${pc}`, ErrorCategory.CFG);
  }
  prunePoint[0] = 1;
  for (const s of subprogs) prunePoint[s] = 1;

  const liveIn = liveness(code, succ);
  const mayLoop = new Uint8Array(n);
  for (let pc = 0; pc < n; pc++) if (loopyFunctions.has(funcOf[pc]!)) mayLoop[pc] = 1;
  return {
    code, subprogs, funcOf, prunePoint, mayLoop, liveIn,
    succ, preds: predecessors(succ),
  };
}

const ARGS = 0b111110; // r1-r5
const CALLER_SAVED = 0b111111; // r0-r5

/** Registers an instruction reads and writes, as bit masks. */
export function usesDefs(i: Instruction): [number, number] {
  const cls = classOf(i.opcode);
  const bit = (r: number): number => 1 << r;
  const x = (i.opcode & 0x08) !== 0;
  switch (cls) {
    case Class.ALU: case Class.ALU64: {
      const op = i.opcode & 0xf0;
      if (op === 0xb0) return [x ? bit(i.src) : 0, bit(i.dst)];
      if (op === 0x80 || op === 0xd0) return [bit(i.dst), bit(i.dst)];
      return [bit(i.dst) | (x ? bit(i.src) : 0), bit(i.dst)];
    }
    case Class.LDX: return [bit(i.src), bit(i.dst)];
    case Class.ST: return [bit(i.dst), 0];
    case Class.STX: {
      if ((i.opcode & 0xe0) === Mode.ATOMIC) {
        if (i.imm === AtomicOp.CMPXCHG) return [bit(i.dst) | bit(i.src) | 1, 1];
        return [bit(i.dst) | bit(i.src), i.imm & AtomicOp.FETCH ? bit(i.src) : 0];
      }
      return [bit(i.dst) | bit(i.src), 0];
    }
    case Class.LD: {
      if (i.opcode === LDDW_OPCODE) return [0, bit(i.dst)];
      const mode = i.opcode & 0xe0;
      return [bit(6) | (mode === Mode.IND ? bit(i.src) : 0), CALLER_SAVED];
    }
    default: {
      const op = i.opcode & 0xf0;
      if (op === JmpOp.EXIT) return [1, 0];
      if (op === JmpOp.CALL) return [ARGS | (x ? bit(i.dst) : 0), CALLER_SAVED];
      if (op === JmpOp.JA) return [0, 0];
      return [bit(i.dst) | (x ? bit(i.src) : 0), 0];
    }
  }
}

function liveness(code: readonly (Instruction | null)[], succ: readonly number[][]): Uint16Array {
  const n = code.length;
  const live = new Uint16Array(n);
  const use = new Uint16Array(n);
  const def = new Uint16Array(n);
  for (let pc = 0; pc < n; pc++) {
    const i = code[pc];
    if (!i) continue;
    const ud = usesDefs(i);
    use[pc] = ud[0];
    def[pc] = ud[1];
  }
  // Backwards over the code until nothing changes: one pass for straight and forward
  // code, a few more around loops.
  let changed = true;
  while (changed) {
    changed = false;
    for (let pc = n - 1; pc >= 0; pc--) {
      if (!code[pc]) continue;
      const ss = succ[pc]!;
      let out = 0;
      for (let k = 0; k < ss.length; k++) out |= live[ss[k]!]!;
      const v = (use[pc]! | (out & ~def[pc]!)) & 0x3ff;
      if (v !== live[pc]) { live[pc] = v; changed = true; }
    }
  }
  return live;
}
