/**
 * What lowering one eBPF instruction needs: the module-wide environment (imports,
 * globals, function indices, mode) and, per wasm function, the code builder and the
 * locals that hold registers and scratch values.
 */
import type { PreparedProgram } from '../../vm/index.js';
import { CodeBuilder, Op, ValType, type ValTypeValue } from '../wasm/index.js';
import type { Signature } from '../analysis/liveness.js';
import { Trap } from '../abi.js';

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
  readonly imports: { readonly helper: number; readonly memory: number; readonly trap: number; readonly abort: number };
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

  constructor(readonly env: ModuleEnv) {
    this.b = new CodeBuilder(env.params);
    const order = [1, 2, 3, 4, 5, ...env.signature.extraIn];
    order.forEach((r, i) => { this.reg[r] = i; this.b.nameLocal(i, `r${r}`); });
    for (let r = 0; r <= 10; r++) if (this.reg[r] === undefined) this.reg[r] = this.b.addLocal(ValType.I64, `r${r}`);
    this.t64 = this.b.addLocal(ValType.I64, 't64');
    this.u64 = this.b.addLocal(ValType.I64, 'u64');
    this.t32 = this.b.addLocal(ValType.I32, 't32');
    this.u32 = this.b.addLocal(ValType.I32, 'u32');
    this.label = this.b.addLocal(ValType.I32, 'label');
    this.fuel = env.checked ? this.b.addLocal(ValType.I64, 'fuel') : -1;
    const kinds = env.checked ? ['read', 'write'] : [];
    this.cacheStart = kinds.map((k) => this.b.addLocal(ValType.I64, `${k}_start`));
    this.cacheLast = kinds.map((k) => SIZES.map((size) => this.b.addLocal(ValType.I64, `${k}_last${size}`)));
    this.cacheEnd = env.checked ? this.b.addLocal(ValType.I64, 'cache_end') : -1;
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
    return this;
  }

  /** Pushes the low 32 bits of register `r` as an i32. */
  get32(r: number): this {
    this.b.localGet(this.reg[r]!).op(Op.I32_WRAP_I64);
    return this;
  }

  /** Pops an i32 and stores it zero-extended into register `r`. */
  set32(r: number): this {
    this.b.op(Op.I64_EXTEND_I32_U).localSet(this.reg[r]!);
    return this;
  }

  /**
   * Raises the VmError for a trap code at `pc`; `value` pushes the i64 detail (default
   * 0). Control does not come back.
   */
  trap(code: number, pc: number, value?: () => void): void {
    const b = this.b;
    b.i32Const(code).i32Const(pc);
    if (value) value();
    else b.i64Const(0);
    b.call(this.env.imports.trap).op(Op.UNREACHABLE);
  }

  /** Stores the fuel local where JS (and callees) can see it. */
  fuelOut(): void {
    if (this.fuel >= 0) this.b.localGet(this.fuel).globalSet(this.env.globals.fuel);
  }

  /** Reloads the fuel and the region caches: on entry and after every call. */
  reload(): void {
    if (this.fuel < 0) return;
    this.b.globalGet(this.env.globals.fuel).localSet(this.fuel);
    this.reloadCache(false);
    this.reloadCache(true);
  }

  /** Reloads one region cache from its globals (after the slow path refilled it). */
  reloadCache(write: boolean): void {
    const g = this.env.globals;
    const b = this.b;
    const [start, end] = write ? [g.writeStart, g.writeEnd] : [g.readStart, g.readEnd];
    const k = write ? 1 : 0;
    b.globalGet(start).op(Op.I64_EXTEND_I32_U).localSet(this.cacheStart[k]!);
    // end >= 64 KiB for a real region, 2^32 - 1 when empty: end - 8 cannot wrap.
    b.globalGet(end).op(Op.I64_EXTEND_I32_U).localSet(this.cacheEnd);
    SIZES.forEach((size, i) => b.localGet(this.cacheEnd).i64Const(size).op(Op.I64_SUB).localSet(this.cacheLast[k]![i]!));
  }

  /** The local holding `end - size` of a region cache. */
  cacheLastFor(write: boolean, size: number): number {
    return this.cacheLast[write ? 1 : 0]![SIZES.indexOf(size as 1 | 2 | 4 | 8)]!;
  }

  /** Checked mode: raise BUDGET_EXCEEDED at `pc` if the fuel is negative. */
  checkFuel(pc: number): void {
    if (this.fuel < 0) return;
    const b = this.b;
    b.localGet(this.fuel).i64Const(0).op(Op.I64_LT_S).if();
    this.trap(Trap.BUDGET, pc, () => b.localGet(this.fuel));
    b.end();
  }
}
