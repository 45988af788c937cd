/**
 * The helper registry: what `call imm` reaches. The VM knows no helper by itself;
 * the runtime (or a test, or the conformance runner) registers implementations by
 * Linux helper id. Arguments arrive as unsigned 64-bit bigints because helper calls
 * are rare next to ALU work, and bigints keep every implementation exact.
 */
import type { AddressSpace } from './memory.js';

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

export interface HelperDef {
  readonly id: number;
  readonly name: string;
  readonly fn: HelperFn;
}

export class HelperRegistry {
  private readonly table = new Map<number, HelperDef>();

  constructor(defs: Iterable<HelperDef> = []) {
    for (const d of defs) this.table.set(d.id, d);
  }

  /** Adds or replaces the helper with this id (replacing is how tests mock). */
  register(id: number, name: string, fn: HelperFn): this {
    this.table.set(id, { id, name, fn });
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
