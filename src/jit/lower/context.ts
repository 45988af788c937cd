/**
 * What lowering one eBPF instruction needs: the module-wide environment (imports,
 * globals, function indices, mode) and, per wasm function, the code builder and the
 * locals that hold registers and scratch values.
 */
import type { PreparedProgram, TypedHelper } from '../../vm/index.js';
import { CodeBuilder, Op, ValType, type ValTypeValue } from '../wasm/index.js';
import type { Signature } from '../analysis/liveness.js';
import { EMPTY_CACHE, Trap } from '../abi.js';

export interface ModuleEnv {
  readonly program: PreparedProgram;
  /** Region checks and the instruction budget. */
  readonly checked: boolean;
  /** The memory is shared: atomics use wasm atomic instructions. */
  readonly shared: boolean;
  readonly signature: Signature;
  /** The wasm signature of every compiled eBPF function. */
  readonly params: readonly ValTypeValue[];
  readonly results: readonly ValTypeValue[];
  readonly imports: {
    readonly helper: number; readonly memory: number; readonly trap: number; readonly abort: number;
    /** Helper id -> its typed import (see `typedHelperImport`). */
    readonly typed: ReadonlyMap<number, { readonly index: number; readonly typed: TypedHelper }>;
  };
  readonly globals: {
    readonly depth: number;
    readonly stackEnd: number;
    /** -1 when unchecked (as are the four cache globals). */
    readonly fuel: number;
    readonly readStart: number;
    readonly readEnd: number;
    readonly writeStart: number;
    readonly writeEnd: number;
    readonly packetPresent: number;
    readonly packetAddress: number;
    readonly packetLength: number;
    /** Register -> global holding it during helper calls (the `extraIn` registers). */
    readonly saved: ReadonlyMap<number, number>;
  };
  /** Entry pc -> wasm function index. */
  readonly functionIndex: ReadonlyMap<number, number>;
  /** The `callx` dispatcher's function index, or -1 when nothing uses `callx`. */
  readonly callx: number;
}

const SIZES = [1, 2, 4, 8] as const;
/** By access size: its index in SIZES (log2). */
const SIZE_INDEX: Readonly<Record<number, number>> = { 1: 0, 2: 1, 4: 2, 8: 3 };

export class FunctionContext {
  readonly b: CodeBuilder;
  /** Local index of r0-r10. */
  readonly reg: number[] = [];
  /** Scratch locals. */
  readonly t64: number;
  readonly u64: number;
  readonly t32: number;
  readonly u32: number;
  /** The dispatcher label (irreducible regions). */
  readonly label: number;
  /** Instructions left in the budget (checked mode; -1 otherwise). */
  readonly fuel: number;
  /**
   * Checked mode: the region caches as i64 locals, per kind (0 read, 1 write): the
   * start, and for each access size s the last address an access of s bytes may
   * start at (end - s). The globals are the truth (the slow path and callees update
   * them); these are reloaded after every call, so the fast path reads only locals.
   */
  readonly cacheStart: readonly number[];
  readonly cacheLast: readonly (readonly number[])[];
  private readonly cacheEnd: number;
  /**
   * Local value numbering within a block, for `lower/alu.ts` to reuse a quotient: the
   * value each register holds (equal numbers, equal values). Every write through
   * `set`/`set32` gives the register a new number; `copy` (a 64-bit `mov`) shares one.
   */
  readonly value = new Int32Array(11);
  private nextValue = 1;
  /**
   * Quotients computed in the current block, four numbers each: kind (width and
   * signedness), dividend value, divisor value, quotient value.
   */
  readonly quotients: number[] = [];

  /**
   * `instructions`: about how many eBPF instructions the function has (sizes the code
   * buffer). `cacheUse`: the region-cache entries its checked accesses use, bit
   * `kind * 4 + log2(size)` (kind 0 read, 1 write; see `cacheUseOf`): only those get
   * locals and are reloaded after calls, which keeps functions that touch only their
   * stack free of cache code.
   */
  constructor(readonly env: ModuleEnv, instructions = 0, cacheUse = 0xff) {
    // About 10 bytes of wasm per instruction (12 checked), measured on generated programs.
    this.b = new CodeBuilder(env.params, 64 + instructions * (env.checked ? 12 : 10));
    const order = [1, 2, 3, 4, 5, ...env.signature.extraIn];
    order.forEach((r, i) => { this.reg[r] = i; this.b.nameLocal(i, `r${r}`); });
    for (let r = 0; r <= 10; r++) if (this.reg[r] === undefined) this.reg[r] = this.b.addLocal(ValType.I64, `r${r}`);
    this.t64 = this.b.addLocal(ValType.I64, 't64');
    this.u64 = this.b.addLocal(ValType.I64, 'u64');
    this.t32 = this.b.addLocal(ValType.I32, 't32');
    this.u32 = this.b.addLocal(ValType.I32, 'u32');
    this.label = this.b.addLocal(ValType.I32, 'label');
    this.fuel = env.checked ? this.b.addLocal(ValType.I64, 'fuel') : -1;
    const use = env.checked ? cacheUse : 0;
    const start: number[] = [];
    const last: number[][] = [];
    ['read', 'write'].forEach((kind, k) => {
      const bits = (use >> (k * 4)) & 0xf;
      start.push(bits ? this.b.addLocal(ValType.I64, `${kind}_start`) : -1);
      last.push(SIZES.map((size, i) => (bits & (1 << i) ? this.b.addLocal(ValType.I64, `${kind}_last${size}`) : -1)));
    });
    this.cacheStart = start;
    this.cacheLast = last;
    this.cacheEnd = use ? this.b.addLocal(ValType.I64, 'cache_end') : -1;
  }

  get program(): PreparedProgram {
    return this.env.program;
  }

  /** Pushes register `r`. */
  get(r: number): this {
    this.b.localGet(this.reg[r]!);
    return this;
  }

  /** Pops into register `r`. */
  set(r: number): this {
    this.b.localSet(this.reg[r]!);
    this.value[r] = this.nextValue++;
    return this;
  }

  /** After `d = s` (all 64 bits): `d` holds the value `s` holds. */
  copy(d: number, s: number): void {
    this.value[d] = this.value[s]!;
  }

  /** At the start of each block: nothing is known about any register. */
  beginBlock(): void {
    for (let r = 0; r <= 10; r++) this.value[r] = this.nextValue++;
    if (this.quotients.length !== 0) this.quotients.length = 0;
  }

  /** Pushes the low 32 bits of register `r` as an i32. */
  get32(r: number): this {
    this.b.localGet(this.reg[r]!).op(Op.I32_WRAP_I64);
    return this;
  }

  /** Pops an i32 and stores it zero-extended into register `r`. */
  set32(r: number): this {
    this.b.op(Op.I64_EXTEND_I32_U).localSet(this.reg[r]!);
    this.value[r] = this.nextValue++;
    return this;
  }

  /**
   * Raises the VmError for a trap code at `pc` (control does not come back). The i64
   * detail is the constant `value`, or local `valueLocal` when given. `rest`: how many
   * instructions of the block follow the failing one. The fuel goes to its global
   * first: the runtime raises BUDGET_EXCEEDED instead when the budget ran out before
   * the failing instruction (fuel + rest < 0), as the interpreter would have stopped
   * there (see `emit.ts`).
   */
  trap(code: number, pc: number, rest: number, value: number | bigint = 0, valueLocal = -1): void {
    const b = this.b;
    this.fuelOut();
    b.i32Const(code).i32Const(pc);
    if (valueLocal >= 0) b.localGet(valueLocal);
    else b.i64Const(value);
    b.i32Const(rest).call(this.env.imports.trap).op(Op.UNREACHABLE);
  }

  /**
   * Checked mode: pushes an i32, 1 when the budget ran out before the instruction that
   * `rest` instructions of its block follow (the block's count is charged on entry).
   */
  overBudget(rest: number): void {
    this.b.localGet(this.fuel).i64Const(-rest).op(Op.I64_LT_S);
  }

  /** Stores the fuel local where JS (and callees) can see it. */
  fuelOut(): void {
    if (this.fuel >= 0) this.b.localGet(this.fuel).globalSet(this.env.globals.fuel);
  }

  /**
   * Empties the region-cache globals (checked mode): after a helper, whose JS may have
   * changed the region table. Done here rather than from JS, where setting a
   * `WebAssembly.Global` costs more than the whole call.
   */
  invalidateCaches(): void {
    if (this.fuel < 0) return;
    const g = this.env.globals;
    for (const global of [g.readStart, g.readEnd, g.writeStart, g.writeEnd]) this.b.i32Const(EMPTY_CACHE | 0).globalSet(global);
  }

  /** Reloads the fuel and the region caches: on entry and after every call. */
  reload(): void {
    if (this.fuel < 0) return;
    this.b.globalGet(this.env.globals.fuel).localSet(this.fuel);
    this.reloadCache(false);
    this.reloadCache(true);
  }

  /** Reloads one region cache from its globals (after the slow path refilled it): the entries in use. */
  reloadCache(write: boolean): void {
    const k = write ? 1 : 0;
    if (this.cacheStart[k]! < 0) return;
    const g = this.env.globals;
    const b = this.b;
    b.globalGet(write ? g.writeStart : g.readStart).op(Op.I64_EXTEND_I32_U).localSet(this.cacheStart[k]!);
    // end >= 64 KiB for a real region, 2^32 - 1 when empty: end - 8 cannot wrap.
    b.globalGet(write ? g.writeEnd : g.readEnd).op(Op.I64_EXTEND_I32_U).localSet(this.cacheEnd);
    const last = this.cacheLast[k]!;
    for (let i = 0; i < SIZES.length; i++) {
      if (last[i]! >= 0) b.localGet(this.cacheEnd).i64Const(SIZES[i]!).op(Op.I64_SUB).localSet(last[i]!);
    }
  }

  /** The local holding `end - size` of a region cache. */
  cacheLastFor(write: boolean, size: number): number {
    return this.cacheLast[write ? 1 : 0]![SIZE_INDEX[size]!]!;
  }

  /**
   * Checked mode: raise BUDGET_EXCEEDED at `pc` when the fuel is below `min`: 0 before
   * a helper call (the last instruction of its block, charged already), 1 at a block
   * entry before its count is charged (its first instruction needs one).
   */
  checkFuel(pc: number, min: 0 | 1): void {
    if (this.fuel < 0) return;
    const b = this.b;
    b.localGet(this.fuel).i64Const(min).op(Op.I64_LT_S).if();
    this.trap(Trap.BUDGET, pc, 0, 0, this.fuel);
    b.end();
  }
}
