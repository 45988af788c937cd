/**
 * The state of one program run: registers, pc, call frames and budget. The hot loop
 * lives in `interpret.ts`; this class holds what it reads and writes, the memory
 * checks, calls and the single-step API the debugger uses.
 *
 * Registers are two Int32Arrays of low and high halves: no BigInt on the hot path.
 */
import { RESERVED_LOW, type AddressSpace, type Region } from './memory.js';
import type { HelperRegistry } from './helpers.js';
import type { PreparedProgram } from './program.js';
import { VmError, VmErrorCode } from './errors.js';
import { toBigUint } from './u64.js';
import { interpret } from './interpret.js';
import {
  MAX_CALL_FRAMES, PROGRAM_EXIT, TailCallRequest, budgetExhausted, helperFailure, takesTypedPath, typedR0, typedResult, callDepthExceeded, callbackTarget, codeTarget, resolveAccess, runHelper,
} from './engine.js';

/** Bytes of stack per frame (Linux's MAX_BPF_STACK). */
export const STACK_FRAME_SIZE = 512;
/** Instructions a run may execute unless told otherwise. */
export const DEFAULT_BUDGET = 100_000_000;
/** Bounds of the cached regions (see `readAddress`): the reserved low 64 KiB and 2^31 - 1. */
const FAST_MIN = RESERVED_LOW;
const FAST_MAX = 0x7fffffff;
/** A frame whose return pc is this was entered from the host (a helper callback). */
const RETURN_TO_HOST = -1;

export interface ExecutionOptions {
  /** Initial r1-r5 (missing ones are 0). */
  readonly args?: readonly (bigint | number)[];
  /** Instruction budget (default 100,000,000). Exceeding it is an error. */
  readonly budget?: number;
  /** Check every access against the region table (default true). */
  readonly checked?: boolean;
  /** The packet legacy loads (LD_ABS / LD_IND) read from. */
  readonly packet?: { readonly address: number; readonly length: number };
}

export interface RunResult {
  readonly r0: bigint;
  /** Instructions executed (an lddw counts once). */
  readonly executed: number;
  /** Set when the program ended in a successful `bpf_tail_call`: the program to run next (r0 is then 0). */
  readonly tailCall?: unknown;
}

export class Execution {
  readonly lo = new Int32Array(11);
  readonly hi = new Int32Array(11);
  pc = 0;
  /** Frames below the current one (0 in the entry function). */
  depth = 0;
  executed = 0;
  /** Instructions left in the budget. */
  remaining: number;
  done = false;
  /** The target of the tail call that ended the run, if one did. */
  tailCall: unknown = undefined;
  readonly checked: boolean;
  readonly stack: Region;
  readonly packet: { readonly address: number; readonly length: number } | undefined;
  readonly returnPc = new Int32Array(MAX_CALL_FRAMES);
  /** r6-r9 of each caller: 8 int32 (lo, hi pairs) per frame. */
  readonly saved = new Int32Array(MAX_CALL_FRAMES * 8);
  // The last two regions that passed the check, for reads and for writes: most accesses
  // hit them (a program typically alternates between its stack and one other region).
  rs = 0; re = 0; ws = 0; we = 0; rs2 = 0; re2 = 0; ws2 = 0; we2 = 0;

  constructor(
    readonly program: PreparedProgram,
    readonly space: AddressSpace,
    readonly helpers: HelperRegistry,
    options: ExecutionOptions = {},
  ) {
    this.remaining = options.budget ?? DEFAULT_BUDGET;
    if (!(this.remaining >= 0)) throw new VmError(VmErrorCode.BAD_ARGUMENT, `budget ${options.budget} is not a count`);
    this.checked = options.checked ?? true;
    this.packet = options.packet;
    this.stack = space.alloc(STACK_FRAME_SIZE * MAX_CALL_FRAMES, { name: 'stack', align: 16 });
    const args = options.args ?? [];
    if (args.length > 5) throw new VmError(VmErrorCode.BAD_ARGUMENT, `${args.length} arguments given; r1-r5 hold at most 5`);
    args.forEach((v, i) => this.setRegister(i + 1, v));
    this.setFramePointer();
    this.resetCache();
  }

  /** Runs to completion (or to the budget) and returns r0. */
  run(): RunResult {
    while (!this.done) {
      if (this.remaining <= 0) this.budgetExceeded();
      this.interpretCatchingExit(this.remaining);
    }
    return this.tailCall === undefined
      ? { r0: this.register(0), executed: this.executed }
      : { r0: 0n, executed: this.executed, tailCall: this.tailCall };
  }

  /** Executes one instruction; returns true once the program has exited. */
  step(): boolean {
    if (this.done) return true;
    if (this.remaining <= 0) this.budgetExceeded();
    this.interpretCatchingExit(1);
    return this.done;
  }

  /** Runs the loop; a program exit raised inside a callback ends the run here. */
  private interpretCatchingExit(limit: number): void {
    try {
      interpret(this, limit);
    } catch (err) {
      if (err !== PROGRAM_EXIT) throw err;
    }
  }

  /** Register n as an unsigned 64-bit value. */
  register(n: number): bigint {
    return toBigUint(this.lo[n]!, this.hi[n]!);
  }

  /** All eleven registers, r0-r10. */
  registers(): bigint[] {
    return Array.from({ length: 11 }, (_, n) => this.register(n));
  }

  setRegister(n: number, value: bigint | number): void {
    const v = BigInt.asUintN(64, BigInt(value));
    this.lo[n] = Number(BigInt.asIntN(32, v));
    this.hi[n] = Number(BigInt.asIntN(32, v >> 32n));
  }

  /** The bytes of a stack frame (default: the current one), copied. */
  frameBytes(depth = this.depth): Uint8Array {
    const top = this.stack.end - depth * STACK_FRAME_SIZE;
    return this.space.read(top - STACK_FRAME_SIZE, STACK_FRAME_SIZE);
  }

  /** Returns the stack to the address space; the execution cannot run after this. */
  release(): void {
    this.done = true;
    this.space.release(this.stack);
  }

  /**
   * Checks a read of `size` bytes at (a, hi), the exact low word of the address and its
   * high word, and returns the 32-bit address.
   *
   * The regions that passed are cached in `rs`/`re` and `rs2`/`re2` for the
   * interpreter's inline check, which adds the offset in int32 (`(lo + off) | 0`) and
   * compares signed. That is exact because cached bounds stay within
   * [FAST_MIN, FAST_MAX]: a sum that wrapped below 0 or past 2^32 lands either
   * negative or below 32768, and an address of 2^31 or more is negative; none of
   * those passes `rs <= a && a + size <= re`.
   */
  readAddress(a: number, hi: number, size: number, pc: number): number {
    if (hi === 0 && a >= this.rs && a + size <= this.re) return a;
    // A region hit needs no `resolve` (which builds the error's bigint address up front).
    const r = (this.checked && hi === 0 && this.space.find(a, size)) || this.resolve(a, hi, size, pc, 'read');
    this.rs2 = this.rs; this.re2 = this.re;
    this.rs = Math.max(r.start, FAST_MIN); this.re = Math.min(r.end, FAST_MAX);
    return a;
  }

  /** Checks a write of `size` bytes at (a, hi) and returns the 32-bit address (see `readAddress`). */
  writeAddress(a: number, hi: number, size: number, pc: number): number {
    if (hi === 0 && a >= this.ws && a + size <= this.we) return a;
    const found = this.checked && hi === 0 ? this.space.find(a, size) : undefined;
    const r = found?.writable ? found : this.resolve(a, hi, size, pc, 'write');
    this.ws2 = this.ws; this.we2 = this.we;
    this.ws = Math.max(r.start, FAST_MIN); this.we = Math.min(r.end, FAST_MAX);
    return a;
  }

  /** After memory may have grown or regions changed (a helper ran). */
  resetCache(): void {
    this.rs2 = this.re2 = this.ws2 = this.we2 = 0;
    if (this.checked) {
      this.rs = this.re = this.ws = this.we = 0;
    } else {
      // The whole memory, less the reserved low 64 KiB (those accesses take the slow path).
      this.rs = this.ws = FAST_MIN;
      this.re = this.we = Math.min(this.space.byteLength, FAST_MAX);
    }
  }

  /** The slow path of both checks: the region, or the error (see `engine.ts`). */
  private resolve(a: number, hi: number, size: number, pc: number, kind: 'read' | 'write'): { start: number; end: number } {
    return resolveAccess(this.space, a, hi, size, pc, kind, this.checked);
  }

  /** `call` to a local function at `target`, returning to `returnTo`. */
  enterFunction(target: number, returnTo: number, pc: number): void {
    if (this.depth + 1 >= MAX_CALL_FRAMES) throw callDepthExceeded(pc);
    const base = this.depth * 8;
    for (let r = 6; r <= 9; r++) {
      this.saved[base + (r - 6) * 2] = this.lo[r]!;
      this.saved[base + (r - 6) * 2 + 1] = this.hi[r]!;
    }
    this.returnPc[this.depth] = returnTo;
    this.depth++;
    this.setFramePointer();
    this.pc = target;
  }

  /** `exit`: returns to the caller, or ends the run in the entry frame. */
  leaveFunction(): void {
    if (this.depth === 0) {
      this.done = true;
      return;
    }
    this.depth--;
    const base = this.depth * 8;
    for (let r = 6; r <= 9; r++) {
      this.lo[r] = this.saved[base + (r - 6) * 2]!;
      this.hi[r] = this.saved[base + (r - 6) * 2 + 1]!;
    }
    this.setFramePointer();
    this.pc = this.returnPc[this.depth]!;
  }

  /**
   * `call imm` (`direct`) or `callx` to a helper id: r0 = helper(r1..r5), through the
   * helper's typed fast path when `takesTypedPath` says so (as the JIT decides).
   */
  callHelper(id: number, pc: number, direct: boolean): void {
    let r0: bigint;
    try {
      const def = direct ? this.helpers.get(id) : undefined;
      if (def && takesTypedPath(def.typed, (r) => this.hi[r]!)) {
        const typed = def.typed!;
        const k = typed.args;
        const arg = (i: number) => i >= k.length ? undefined : k[i] === 'u32' ? this.lo[i + 1]! >>> 0 : BigInt.asIntN(64, this.register(i + 1));
        // A callback sees the typed arguments in r1..rn and 0 above them (as the JIT has no more).
        const invoke = (address: bigint, a: readonly bigint[]) =>
          this.invoke(address, a, pc, [1, 2, 3, 4, 5].map((r, i) => i < k.length ? this.register(r) : 0n));
        let result: unknown;
        try {
          result = typed.fn({ space: this.space, pc, invoke }, arg(0), arg(1), arg(2), arg(3), arg(4));
        } catch (err) {
          throw helperFailure(def, err, pc);
        }
        r0 = typedR0(typed.ret, typedResult(def, typed.ret, result, pc));
      } else {
        r0 = runHelper(this.helpers, this.space, id, pc,
          this.register(1), this.register(2), this.register(3), this.register(4), this.register(5),
          (address, args) => this.invoke(address, args, pc));
      }
    } catch (err) {
      if (!(err instanceof TailCallRequest)) throw err;
      this.done = true;
      this.tailCall = err.target;
      this.setRegister(0, 0);
      throw PROGRAM_EXIT;
    }
    this.setRegister(0, r0);
    this.resetCache();
  }

  /**
   * Runs the local function at a code address from the host, for callbacks: r1.. are
   * `args`, the registers above them keep their values (or `shown`'s, for a typed helper).
   */
  invoke(address: bigint, args: readonly bigint[], pc: number, shown?: readonly bigint[]): bigint {
    const target = callbackTarget(this.program, address, args, pc);
    const outerPc = this.pc;
    const saved = Int32Array.from([...this.lo.subarray(0, 6), ...this.hi.subarray(0, 6)]);
    shown?.forEach((v, i) => this.setRegister(i + 1, v));
    args.forEach((v, i) => this.setRegister(i + 1, v));
    this.enterFunction(target, RETURN_TO_HOST, pc);
    const depth = this.depth;
    while (!(this.depth < depth)) {
      if (this.remaining <= 0) this.budgetExceeded();
      interpret(this, this.remaining, depth);
      // A legacy packet load out of range ends the whole program (r0 = 0), even from
      // inside a callback: unwind through the helper to the run loop.
      if (this.done) throw PROGRAM_EXIT;
    }
    const r0 = this.register(0);
    this.lo.set(saved.subarray(0, 6));
    this.hi.set(saved.subarray(6, 12), 0);
    this.pc = outerPc;
    return r0;
  }

  /** The pc a code address value designates, or an error. */
  codeTarget(address: bigint, pc: number): number {
    return codeTarget(this.program, address, pc);
  }

  budgetExceeded(): never {
    throw budgetExhausted(this.executed, this.pc);
  }

  private setFramePointer(): void {
    this.lo[10] = this.stack.end - this.depth * STACK_FRAME_SIZE;
    this.hi[10] = 0;
  }
}
