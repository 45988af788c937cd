/**
 * The helper registry: what `call imm` reaches. The VM knows no helper by itself;
 * the runtime (or a test, or the conformance runner) registers implementations by
 * Linux helper id. Arguments arrive as unsigned 64-bit bigints because helper calls
 * are rare next to ALU work, and bigints keep every implementation exact.
 */
import type { AddressSpace } from './memory.js';
import { VmError, VmErrorCode } from './errors.js';

export interface HelperContext {
  readonly space: AddressSpace;
  /** The pc of the `call` instruction. */
  readonly pc: number;
  /**
   * Runs a function of the same program (a `lddw src=4` code address, as callbacks
   * receive) with up to five arguments, in a fresh stack frame, and returns its r0.
   */
  invoke(codeAddress: bigint, args: readonly bigint[]): bigint;
}

/** Returns r0 (a number is taken as a signed 64-bit value; undefined as 0). */
export type HelperFn = (
  ctx: HelperContext, r1: bigint, r2: bigint, r3: bigint, r4: bigint, r5: bigint,
) => bigint | number | void;

/**
 * How a typed helper receives an argument register: `u32`, the low word as an
 * unsigned number (pointers into the address space, sizes, flags that Linux defines
 * as 32-bit); `i64`, the whole register as a signed 64-bit bigint (as wasm passes it).
 */
export const HelperArg = { U32: 'u32', I64: 'i64' } as const;
export type HelperArgValue = typeof HelperArg[keyof typeof HelperArg];

/**
 * How a typed helper's result becomes r0: `u32` (a number, zero-extended: pointers,
 * counts), `s32` (a number, sign-extended: 0 or -errno), `i64` (a bigint).
 */
export const HelperRet = { U32: 'u32', S32: 's32', I64: 'i64' } as const;
export type HelperRetValue = typeof HelperRet[keyof typeof HelperRet];

/**
 * A helper's fast path, without BigInts where its prototype allows: a JS call from
 * wasm with i32 arguments and result costs about a quarter of one with i64s (each
 * crosses as a BigInt). Both engines take it for `call imm` when every `u32` argument
 * register's high word is 0, and the generic `fn` otherwise (and for `callx`), so
 * `fn` and `typed.fn` must give the same r0 for every input the fast path accepts.
 */
export interface TypedHelper {
  /** r1, r2, ... in order; at most five. */
  readonly args: readonly HelperArgValue[];
  readonly ret: HelperRetValue;
  // The argument types follow `args`, so the function is typed loosely here.
  readonly fn: (ctx: HelperContext, ...args: any[]) => number | bigint;
}

export interface HelperDef {
  readonly id: number;
  readonly name: string;
  readonly fn: HelperFn;
  readonly typed?: TypedHelper;
}

/** A signature's stable spelling, e.g. `u32,u32>s32` (compiled code is keyed by it). */
export function typedSignature(typed: TypedHelper): string {
  return `${typed.args.join(',')}>${typed.ret}`;
}

export class HelperRegistry {
  private readonly table = new Map<number, HelperDef>();
  /** Bumped by every change, so compiled code can tell whether the signatures it assumed still hold. */
  version = 0;

  constructor(defs: Iterable<HelperDef> = []) {
    for (const d of defs) this.register(d.id, d.name, d.fn, d.typed);
  }

  /** Adds or replaces the helper with this id (replacing is how tests mock). */
  register(id: number, name: string, fn: HelperFn, typed?: TypedHelper): this {
    if (typed && (typed.args.length > 5 || !typed.args.every((a) => a === 'u32' || a === 'i64')
      || !(typed.ret === 'u32' || typed.ret === 's32' || typed.ret === 'i64'))) {
      throw new VmError(VmErrorCode.BAD_ARGUMENT, `helper ${name} (${id}): a typed signature has at most five u32/i64 arguments and a u32/s32/i64 result`);
    }
    this.table.set(id, typed ? { id, name, fn, typed } : { id, name, fn });
    this.version++;
    return this;
  }

  get(id: number): HelperDef | undefined {
    return this.table.get(id);
  }

  has(id: number): boolean {
    return this.table.has(id);
  }

  list(): HelperDef[] {
    return [...this.table.values()].sort((a, b) => a.id - b.id);
  }
}
