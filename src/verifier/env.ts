/**
 * What every check needs besides the state: the program laid out by pc, the resolved
 * options, the maps and helpers, and the id generator shared by all paths.
 */
import type { HelperPrototype } from '../helpers/prototype.js';
import type { ContextLayout } from './context.js';
import type { Cfg } from './cfg.js';
import type { Assumption, GlobalFunction, MapDescriptor, Reg } from './types.js';
import type { VState } from './state.js';

export interface Env {
  readonly cfg: Cfg;
  readonly context: ContextLayout;
  readonly maps: ReadonlyMap<number, MapDescriptor>;
  readonly helperPrototype: (id: number) => HelperPrototype | undefined;
  readonly helperAllowed: (id: number) => boolean;
  readonly gpl: boolean;
  readonly sleepable: boolean;
  readonly allowDivisionByZero: boolean;
  readonly allowUninitStack: boolean;
  readonly mapHelperCompatibility: boolean;
  readonly exitChecks: boolean;
  readonly globalFunctions: ReadonlyMap<number, GlobalFunction>;
  readonly returnRange: readonly [bigint, bigint] | undefined;
  readonly assumptions: ReadonlyMap<number, readonly Assumption[]>;
  /** Per pc: the register an instruction's immediate stands for, made on first use (`immediateReg`). */
  readonly immediates: (Reg | undefined)[];
  /** Ids link copies; one counter for the whole run, as Linux's id_gen. */
  nextId(): number;
  /**
   * Stack liveness: the instruction at `pc` read fp-relative bytes [lo, hi) of frame
   * `frameNo`; `into` is the register a load filled (its precision decides whether the
   * bytes' value matters), undefined for reads whose value always may (helpers, atomics).
   */
  noteStackRead(st: VState, frameNo: number, pc: number, lo: number, hi: number, into?: number): void;
  /**
   * Stack liveness: the instruction at `pc` wrote `size` bytes at fp+off of frame
   * `frameNo` (`exact`: a constant offset), from register `from` when a store.
   */
  noteStackWrite(st: VState, frameNo: number, pc: number, off: number, size: number, exact: boolean, from?: number): void;
  /** Precision: the values of these registers (bit r = rr) of the running frame decide something at `pc`. */
  notePrecise(st: VState, pc: number, regs: number): void;
  /** Precision: the branch at `pc` refines the numbers with these ids together with its operands (`operands` mask). */
  noteLinks(st: VState, pc: number, operands: number, ids: readonly number[]): void;
}

/**
 * The context PREVAIL's test suite assumes: 64 bytes, `data` at 0 and `data_end` at 4,
 * the rest plain 8-byte fields that may be read in part and written. Used when no
 * program type is given.
 */
export const TEST_CONTEXT: ContextLayout = {
  name: 'ctx',
  size: 64,
  fields: [
    { name: 'data', offset: 0, size: 4, readable: true, writable: false, narrowReads: false, pointer: 'packet' },
    { name: 'data_end', offset: 4, size: 4, readable: true, writable: false, narrowReads: false, pointer: 'packet_end' },
    ...Array.from({ length: 7 }, (_, k) => ({
      name: `field${k}`, offset: 8 + 8 * k, size: 8, readable: true, writable: true, narrowReads: true,
    })),
  ],
};
