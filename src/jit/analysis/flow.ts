/**
 * The control flow of a prepared eBPF program: what each opcode does to control (as
 * the interpreter's `switch` decides it, byte for byte), basic blocks, and functions.
 *
 * Blocks end at jumps, exits, calls and instructions that always fail, so that a
 * block's instruction count, charged against the budget when it is entered, equals
 * what the interpreter has executed by the time the block's last instruction runs.
 *
 * A function is every block reachable from an entry (pc 0, a `call` target or a code
 * address) without crossing a call. Compilers never share blocks between functions;
 * should a hand-written program do so, the shared blocks are simply compiled into
 * each function that reaches them, which keeps the interpreter's semantics.
 */
import type { PreparedProgram } from '../../vm/index.js';

/** How the interpreter treats each opcode byte. */
export const Kind = {
  /** Not executable: the interpreter raises UNSUPPORTED. */
  INVALID: 0,
  ALU: 1,
  /** `ja` (offset) and `gotol` (imm). */
  JUMP: 2,
  COND: 3,
  /** `call imm`: helper, local function or kfunc, by `src`. */
  CALL: 4,
  CALLX: 5,
  EXIT: 6,
  LOAD: 7,
  STORE: 8,
  ATOMIC: 9,
  LDDW: 10,
  /** Legacy packet loads (LD_ABS, LD_IND). */
  PACKET: 11,
} as const;

export const KIND: Uint8Array = (() => {
  const k = new Uint8Array(256);
  const set = (kind: number, ...ops: number[]): void => { for (const op of ops) k[op] = kind; };
  // ALU64 (class 7) and ALU (class 4): codes 0x0-0xd, immediate and register forms,
  // except that neg and the byte swaps have one form each (the interpreter's cases).
  for (const cls of [0x04, 0x07]) {
    for (let code = 0; code <= 0xc; code++) {
      if (code === 0x8) continue;
      set(Kind.ALU, (code << 4) | cls, (code << 4) | 0x08 | cls);
    }
    set(Kind.ALU, 0x80 | cls);
  }
  set(Kind.ALU, 0xd4, 0xdc, 0xd7);
  set(Kind.JUMP, 0x05, 0x06);
  for (const cls of [0x05, 0x06]) {
    for (const code of [0x1, 0x2, 0x3, 0x4, 0x5, 0x6, 0x7, 0xa, 0xb, 0xc, 0xd]) set(Kind.COND, (code << 4) | cls, (code << 4) | 0x08 | cls);
  }
  set(Kind.CALL, 0x85);
  set(Kind.CALLX, 0x8d);
  set(Kind.EXIT, 0x95);
  set(Kind.LOAD, 0x61, 0x69, 0x71, 0x79, 0x81, 0x89, 0x91);
  set(Kind.STORE, 0x62, 0x6a, 0x72, 0x7a, 0x63, 0x6b, 0x73, 0x7b);
  set(Kind.ATOMIC, 0xc3, 0xdb);
  set(Kind.LDDW, 0x18);
  set(Kind.PACKET, 0x20, 0x28, 0x30, 0x40, 0x48, 0x50);
  return k;
})();

/** How a block ends. */
export const Term = {
  /** Falls into the next block (a plain instruction or a call ends it). */
  FALL: 0,
  JUMP: 1,
  /** A conditional jump: successor 0 when taken, 1 otherwise. */
  COND: 2,
  EXIT: 3,
  /** The last instruction always fails (kfunc call, unresolved lddw, invalid opcode). */
  FAIL: 4,
  /** The pseudo-block past the last instruction: running into it is FELL_OFF_END. */
  FELL_OFF: 5,
} as const;
export type TermValue = (typeof Term)[keyof typeof Term];

/**
 * Basic blocks as parallel typed arrays indexed by block id (block ids ascend with
 * their first slot), and functions as lists of block ids. The pseudo-block past the
 * last instruction (FELL_OFF) has the highest id, `blockCount - 1`.
 */
export interface Flow {
  readonly blockCount: number;
  /** First slot of each block (for FELL_OFF: the program length). */
  readonly start: Int32Array;
  /** Slot of its last instruction (for FELL_OFF: the program length). */
  readonly last: Int32Array;
  /** Instructions in the block (an lddw counts once). */
  readonly count: Int32Array;
  /** How it ends (`Term`). */
  readonly term: Uint8Array;
  /**
   * Successor block ids, -1 where there is none: for COND, `succ0` when taken and
   * `succ1` otherwise (`succ1` is -1 when both are the same block); for FALL and JUMP,
   * `succ0` only.
   */
  readonly succ0: Int32Array;
  readonly succ1: Int32Array;
  /** Block id of each slot that starts a block, else -1. */
  readonly blockAt: Int32Array;
  /** Function entry slots, ascending; pc 0 first. */
  readonly entries: readonly number[];
  /** For each entry (same order), its block ids, the entry block first. */
  readonly functions: readonly Int32Array[];
}

/** True when the instruction at `pc` always fails in the interpreter. */
export function alwaysFails(p: PreparedProgram, pc: number): boolean {
  const op = p.opcode[pc]!;
  const kind = KIND[op]!;
  if (kind === Kind.INVALID) return true;
  if (kind === Kind.CALL) return p.src[pc] === 2;
  if (kind === Kind.LDDW) return p.src[pc] !== 0 && p.src[pc] !== 4;
  return false;
}

/** The jump target of a JUMP or COND instruction. */
export function jumpTarget(p: PreparedProgram, pc: number): number {
  return p.opcode[pc] === 0x06 ? pc + 1 + p.imm[pc]! : pc + 1 + p.offset[pc]!;
}

/** Written with typed arrays and no per-block objects: it runs on every compile. */
export function analyseFlow(p: PreparedProgram): Flow {
  const n = p.length;
  const opcode = p.opcode;
  const leader = new Uint8Array(n + 1);
  const entrySet = new Set<number>([0]);
  leader[0] = 1;
  leader[n] = 1;
  for (let pc = 0; pc < n;) {
    const kind = KIND[opcode[pc]!]!;
    const next = pc + (opcode[pc] === 0x18 ? 2 : 1);
    if (kind === Kind.JUMP || kind === Kind.COND) {
      leader[jumpTarget(p, pc)] = 1;
      leader[next] = 1;
    } else if (kind === Kind.CALL || kind === Kind.CALLX || kind === Kind.EXIT || alwaysFails(p, pc)) {
      leader[next] = 1;
    }
    if (kind === Kind.CALL && p.src[pc] === 1) entrySet.add(pc + 1 + p.imm[pc]!);
    if (kind === Kind.LDDW && p.src[pc] === 4) entrySet.add(pc + 1 + p.imm[pc]!);
    pc = next;
  }
  for (const e of entrySet) leader[e] = 1;

  const blockAt = new Int32Array(n + 1).fill(-1);
  let blocks = 0;
  for (let pc = 0; pc < n; pc += opcode[pc] === 0x18 ? 2 : 1) if (leader[pc]) blockAt[pc] = blocks++;
  const fellOff = blocks;
  blockAt[n] = fellOff;
  const blockCount = blocks + 1;
  const start = new Int32Array(blockCount);
  const last = new Int32Array(blockCount);
  const count = new Int32Array(blockCount);
  const term = new Uint8Array(blockCount);
  const succ0 = new Int32Array(blockCount).fill(-1);
  const succ1 = new Int32Array(blockCount).fill(-1);

  let id = -1;
  for (let pc = 0; pc < n;) {
    if (leader[pc]) {
      id++;
      start[id] = pc;
    }
    count[id]!++;
    const next = pc + (opcode[pc] === 0x18 ? 2 : 1);
    if (leader[next]) {
      // `pc` ends block `id`.
      last[id] = pc;
      const kind = KIND[opcode[pc]!]!;
      if (alwaysFails(p, pc)) {
        term[id] = Term.FAIL;
      } else if (kind === Kind.JUMP) {
        term[id] = Term.JUMP;
        succ0[id] = blockAt[jumpTarget(p, pc)]!;
      } else if (kind === Kind.COND) {
        term[id] = Term.COND;
        const taken = blockAt[jumpTarget(p, pc)]!;
        const fall = blockAt[next]!;
        succ0[id] = taken;
        if (fall !== taken) succ1[id] = fall;
      } else if (kind === Kind.EXIT) {
        term[id] = Term.EXIT;
      } else {
        term[id] = Term.FALL;
        succ0[id] = blockAt[next]!;
      }
    }
    pc = next;
  }
  start[fellOff] = last[fellOff] = n;
  term[fellOff] = Term.FELL_OFF;

  // Each function: the blocks reachable from its entry, breadth first. `seen` holds
  // the function's index + 1 for blocks already taken, so it is never cleared.
  const entries = [...entrySet].sort((a, b) => a - b);
  const seen = new Int32Array(blockCount);
  const queue = new Int32Array(blockCount);
  const functions = entries.map((e, f) => {
    const first = blockAt[e]!;
    let head = 0;
    let tail = 0;
    queue[tail++] = first;
    seen[first] = f + 1;
    while (head < tail) {
      const b = queue[head++]!;
      const s0 = succ0[b]!;
      if (s0 >= 0 && seen[s0] !== f + 1) { seen[s0] = f + 1; queue[tail++] = s0; }
      const s1 = succ1[b]!;
      if (s1 >= 0 && seen[s1] !== f + 1) { seen[s1] = f + 1; queue[tail++] = s1; }
    }
    return queue.slice(0, tail);
  });
  return { blockCount, start, last, count, term, succ0, succ1, blockAt, entries, functions };
}
