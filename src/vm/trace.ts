/**
 * Execution traces: one record per executed instruction, taken by single-stepping so
 * the hot loop carries no tracing code. Slower than `run`, meant for debugging.
 */
import type { Instruction } from '../isa/index.js';
import type { Execution, RunResult } from './execution.js';

export interface TraceStep {
  /** The instruction's pc. */
  readonly pc: number;
  /** Call depth it ran at (0 = entry function). */
  readonly depth: number;
  readonly insn: Instruction;
  /** Registers whose value the instruction changed, with their new values. */
  readonly changed: ReadonlyMap<number, bigint>;
}

/** Runs `ex` to completion, calling `onStep` after every instruction. */
export function runTraced(ex: Execution, onStep: (step: TraceStep) => void): RunResult {
  let before = ex.registers();
  while (!ex.done) {
    const pc = ex.pc;
    const depth = ex.depth;
    const index = ex.program.indexAt[pc] ?? -1;
    ex.step();
    const after = ex.registers();
    const changed = new Map<number, bigint>();
    for (let r = 0; r <= 10; r++) if (after[r] !== before[r]) changed.set(r, after[r]!);
    if (index >= 0) onStep({ pc, depth, insn: ex.program.insns[index]!, changed });
    before = after;
  }
  return { r0: ex.register(0), executed: ex.executed };
}
