/**
 * The abstract state of one path: call frames of registers and stack slots, the
 * references held, and the bookkeeping that links states for pruning and loop
 * detection. States are copied when a branch forks; registers and slots are immutable
 * values, so a copy is cheap (arrays of shared objects).
 */
import { Scalar } from './scalar/index.js';
import { RegType, type Reg, type RegTypeValue } from './types.js';
import type { Marks } from './precision.js';
import type { Instruction } from '../isa/index.js';
import type { Env } from './env.js';

export const MAX_CALL_FRAMES = 8;
export const MAX_STACK = 512;
export const SLOT_COUNT = MAX_STACK / 8;

/** What one stack byte holds (Linux's STACK_INVALID / STACK_MISC / STACK_ZERO / STACK_SPILL). */
export const SlotByte = {
  INVALID: 'i',
  MISC: 'm',
  ZERO: '0',
  SPILL: 'r',
} as const;

/**
 * One 8-byte stack slot. `bytes[j]` describes the byte at slot offset j (lowest address
 * first); a full spill keeps the register, a partial (narrower) spill of a scalar too,
 * so a fill of the same size gets it back.
 */
export interface StackSlot {
  readonly bytes: string;
  readonly spill?: Reg;
}

export const EMPTY_SLOT: StackSlot = { bytes: 'iiiiiiii' };

export interface Frame {
  readonly regs: Reg[];
  /**
   * Slot i covers fp-8(i+1) .. fp-8i-1. Shared between copies of a frame until one of
   * them writes (`ownStack`): most forks and stored states never touch most slots.
   */
  stack: (StackSlot | undefined)[];
  /** `stack` may be shared with another frame: copy it before writing. */
  stackShared: boolean;
  /** pc of the call instruction that made this frame (-1 for the main function). */
  readonly callsite: number;
  /** Start pc of the function running in this frame. */
  readonly subprog: number;
  /** Callback frames: where the helper call that runs the callback is (-1 otherwise). */
  readonly callbackOf: number;
  /** Deepest stack byte this frame touched (for the combined 512-byte limit). */
  depth: number;
  /**
   * Callback frames: the caller frames as they were when the callback was entered, so
   * its next entry can widen what the iteration changed (see `widenChanged`).
   */
  readonly entryCallers?: readonly Frame[];
}

export interface RefEntry {
  readonly id: number;
  readonly insn: number;
}

/** A state stored at a prune point, with the count of paths from it still unexplored. */
export interface Checkpoint {
  readonly pc: number;
  readonly state: VState;
  branches: number;
  readonly parent: Checkpoint | null;
  /** Later paths pruned against this one. */
  hits: number;
  /** Later paths this one failed to prune (a state that keeps missing is dropped, as in Linux). */
  misses: number;
  /** The instructions from the parent checkpoint to this one (`histEntry`s, backtrack.ts). */
  readonly hist: readonly number[];
  /** Per frame: the numbers whose values a check below this state consulted (backtrack.ts). */
  readonly marks: Marks[];
  /** Where the last comparison with this state failed (prune.ts's FailMemo). */
  failAt: number;
}

export interface BranchStep {
  readonly pc: number;
  readonly taken: boolean;
  readonly prev: BranchStep | null;
  readonly depth: number;
}

export interface VState {
  frames: Frame[];
  refs: RefEntry[];
  /** The last checkpoint on this path. */
  parent: Checkpoint | null;
  /** Branches taken on this path, newest first, shared between forks (for explanations). */
  path: BranchStep | null;
  /** Instructions processed since the last checkpoint (Linux stores states sparsely too). */
  sinceCheckpoint: number;
  /** The instructions executed since the last checkpoint (`histEntry`s), for backtracking. */
  hist: number[];
}

export function cur(s: VState): Frame {
  return s.frames[s.frames.length - 1]!;
}

export function cloneFrame(f: Frame): Frame {
  f.stackShared = true;
  const copy: Frame = { regs: f.regs.slice(), stack: f.stack, stackShared: true, callsite: f.callsite, subprog: f.subprog, callbackOf: f.callbackOf, depth: f.depth };
  return f.entryCallers ? { ...copy, entryCallers: f.entryCallers } : copy;
}

/**
 * Widening for callbacks that may run any number of times (bpf_loop,
 * for_each_map_elem): every scalar of `frames` (registers and spilled stack slots)
 * that differs from the same place in `before` becomes unknown. Without it a value the
 * callback accumulates (`sum += i`) grows by one iteration's worth each time, no entry
 * state ever subsumes the next, and the exploration does not end; with it the third
 * entry is subsumed by the second. Constants and values the callback leaves alone keep
 * their precision.
 */
export function widenChanged(frames: Frame[], before: readonly Frame[]): void {
  const widen = (r: Reg, old: Reg | undefined): Reg =>
    r.type === RegType.SCALAR && old?.type === RegType.SCALAR && !r.value.equals(old.value) ? { ...r, value: Scalar.unknown() } : r;
  frames.forEach((f, i) => {
    const b = before[i];
    if (!b) return;
    for (let r = 0; r < f.regs.length; r++) f.regs[r] = widen(f.regs[r]!, b.regs[r]);
    for (let k = 0; k < f.stack.length; k++) {
      const slot = f.stack[k];
      const old = b.stack[k]?.spill;
      if (slot?.spill && old) {
        const spill = widen(slot.spill, old);
        if (spill !== slot.spill) ownStack(f)[k] = { ...slot, spill };
      } else if (slot?.spill?.type === RegType.SCALAR && b.stack[k] && !b.stack[k]!.spill) {
        ownStack(f)[k] = { ...slot, spill: { ...slot.spill, value: Scalar.unknown() } };
      }
    }
  });
}

/** The frame's stack, made its own first if it was shared: call before writing a slot. */
export function ownStack(f: Frame): (StackSlot | undefined)[] {
  if (f.stackShared) {
    f.stack = f.stack.slice();
    f.stackShared = false;
  }
  return f.stack;
}

export function cloneState(s: VState): VState {
  return { frames: s.frames.map(cloneFrame), refs: s.refs.slice(), parent: s.parent, path: s.path, sinceCheckpoint: s.sinceCheckpoint, hist: s.hist.slice() };
}

const UNKNOWN = (): Scalar => Scalar.unknown();
const ZERO = Scalar.constant(0n);

/** A register of the given type with a zero offset; everything else neutral. */
export function makeReg(type: RegTypeValue, fields: Partial<Reg> = {}): Reg {
  return {
    type, maybeNull: false, value: type === RegType.SCALAR ? UNKNOWN() : ZERO, off: 0, id: 0, delta: 0,
    refId: 0, range: 0, memSize: 0, frame: 0, funcPc: -1, defPc: -1, ...fields,
  };
}

export const NOT_INIT_REG: Reg = {
  type: RegType.NOT_INIT, maybeNull: false, value: Scalar.unknown(), off: 0, id: 0, delta: 0, refId: 0, range: 0,
  memSize: 0, frame: 0, funcPc: -1, defPc: -1,
};

/** A number register written at `defPc` (the commonest register: built without a spread). */
export function scalarReg(value: Scalar, defPc: number): Reg {
  return {
    type: RegType.SCALAR, maybeNull: false, value, off: 0, id: 0, delta: 0, refId: 0, range: 0, memSize: 0, frame: 0,
    funcPc: -1, defPc,
  };
}

export function unknownScalar(defPc: number): Reg {
  return scalarReg(UNKNOWN(), defPc);
}

export function constReg(v: bigint, defPc: number): Reg {
  return scalarReg(Scalar.constant(BigInt.asUintN(64, v)), defPc);
}

/**
 * The number an instruction's immediate stands for (zero-extended from 32 bits for the
 * 32-bit forms), made once per pc: registers are immutable values, so every visit of
 * the pc can share it. Instructions made up on the fly (assumptions) are not cached.
 */
export function immediateReg(env: Env, i: Instruction, is32: boolean, pc: number): Reg {
  const cached = env.cfg.code[pc] === i;
  const known = cached ? env.immediates[pc] : undefined;
  if (known) return known;
  const r = constReg(is32 ? BigInt.asUintN(32, BigInt(i.imm)) : BigInt(i.imm), pc);
  if (cached) env.immediates[pc] = r;
  return r;
}

export function isPointer(r: Reg): boolean {
  return r.type !== RegType.SCALAR && r.type !== RegType.NOT_INIT;
}

/** A fresh frame: r1-r5 given, r10 the frame pointer, the rest uninitialised. */
export function newFrame(
  frameNo: number, callsite: number, subprog: number, args: readonly Reg[], callbackOf = -1, entryCallers?: readonly Frame[],
): Frame {
  const regs: Reg[] = new Array(11).fill(NOT_INIT_REG);
  for (let i = 0; i < args.length; i++) regs[i + 1] = args[i]!;
  regs[10] = makeReg(RegType.STACK, { frame: frameNo });
  const frame: Frame = { regs, stack: new Array(SLOT_COUNT).fill(undefined), stackShared: false, callsite, subprog, callbackOf, depth: 0 };
  return entryCallers ? { ...frame, entryCallers } : frame;
}

/** The stack slot index and byte within it for an fp-relative offset (negative). */
export function slotOf(off: number): { slot: number; byte: number } {
  const pos = MAX_STACK + off; // 0 .. 511, lowest address first
  const slot = SLOT_COUNT - 1 - Math.floor(pos / 8);
  return { slot, byte: pos % 8 };
}

/** The fp offset of the first byte of slot i. */
export function slotOffset(slot: number): number {
  return -8 * (slot + 1);
}
